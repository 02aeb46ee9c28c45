"""Parsing single cell values the way staff type them.

Each parser takes a raw cell (str, number, date, datetime, bool or None) and returns the typed value,
``None`` for an empty cell, or raises :class:`BadValue` whose text says what was expected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from .empty import is_empty
from .schema import DAY_TYPE_SYNONYMS, LEVEL_ALIASES, STATUS_SYNONYMS, fold
from .serials import from_serial


class BadValue(ValueError):
    """A value that cannot be read; the message is the user-facing reason (Chinese)."""


def text(value: object) -> str | None:
    """Text as typed; numbers that are whole come back without '.0' (IDs typed as numbers)."""
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")


def parse_date(value: object, near: date) -> date | None:
    """A date from a date/datetime, an Excel serial or text such as 2026-11-05, 2026/11/5,
    2026年11月5日 or 11月5日 (the year is the one that puts the date nearest to ``near``)."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise BadValue("不是日期")
    if isinstance(value, int | float):
        return _from_number(float(value))
    s = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        if m := _FULL.match(s) or _COMPACT.match(s):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _MONTH_DAY.match(s):
            month, day = int(m.group(1)), int(m.group(2))
            candidates = [date(y, month, day) for y in (near.year - 1, near.year, near.year + 1)
                          if _valid(y, month, day)]
            if candidates:
                return min(candidates, key=lambda d: abs((d - near).days))
        if re.fullmatch(r"\d+(?:\.\d+)?", s):
            return _from_number(float(s))
    except ValueError:
        pass
    raise BadValue("无法识别为日期")


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _from_number(n: float) -> date:
    if 19000101 <= n <= 29991231 and n.is_integer():  # 20261105 typed as a number
        s = str(int(n))
        try:
            return date(int(s[:4]), int(s[4:6]), int(s[6:]))
        except ValueError:
            raise BadValue("无法识别为日期") from None
    day = from_serial(n)
    if day is None:
        raise BadValue("无法识别为日期")
    return day


def parse_progress(value: object) -> float | None:
    """Percent complete, 0–100, from 80, '80', '80%', 0.8 or '0.8' (0–1 is read as a fraction)."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise BadValue("不是进度数值")
    if isinstance(value, int | float):
        number, percent_sign = float(value), False
    else:
        s = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        percent_sign = s.endswith("%")
        try:
            number = float(s.rstrip("%"))
        except ValueError:
            raise BadValue("不是进度数值") from None
    if not percent_sign and 0 < number <= 1:
        number *= 100
    if not 0 <= number <= 100:
        raise BadValue("进度超出 0–100%")
    return round(number, 4)


_STATUS_WORDS = {fold(word): key for key, words in STATUS_SYNONYMS.items() for word in words}


def parse_status(value: object) -> str | None:
    """'closed' | 'open' | 'not_started' from the words staff use (已完成, 已销号, 推进中, 未开始 …)."""
    if is_empty(value):
        return None
    try:
        return _STATUS_WORDS[fold(value)]
    except KeyError:
        raise BadValue("不是可识别的状态") from None


_LEVEL_WORDS = {fold(word): level for level, words in LEVEL_ALIASES.items() for word in words}


def parse_level(value: object) -> str | None:
    if is_empty(value):
        return None
    try:
        return _LEVEL_WORDS[fold(value)]
    except KeyError:
        raise BadValue("不是可识别的层级") from None


_TRUE = {fold(w) for w in ("是", "y", "yes", "true", "1", "√", "✓", "✔", "典型")}
_FALSE = {fold(w) for w in ("否", "n", "no", "false", "0", "×", "-")}


def parse_flag(value: object) -> bool:
    if is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    word = fold(text(value))
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise BadValue("应填“是”或留空")


_DAY_TYPE_WORDS = {fold(w): key for key, words in DAY_TYPE_SYNONYMS.items() for w in words}


def parse_day_type(value: object) -> str | None:
    """A 节假日 row's type: ``off`` (放假) or ``work`` (调休上班)."""
    if is_empty(value):
        return None
    try:
        return _DAY_TYPE_WORDS[fold(text(value))]
    except KeyError:
        raise BadValue("不是可识别的类型") from None


def parse_month(value: object) -> tuple[int, int] | None:
    """(year, month) from 2026-11, 2026年11月, 2026/11, 202611 or a date in that month."""
    if is_empty(value):
        return None
    if isinstance(value, date):
        return value.year, value.month
    if isinstance(value, int | float) and not isinstance(value, bool):
        n = float(value)
        if n.is_integer() and 190001 <= n <= 299912 and 1 <= n % 100 <= 12:  # 202611 typed as a number
            return int(n) // 100, int(n) % 100
        d = _from_number(n)  # a date serial (a month cell formatted as a date)
        return d.year, d.month
    s = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:\s*[-/.]\s*\d{1,2}\s*日?)?", s)
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    raise BadValue("无法识别为月份")


_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


class PlannedMonths(frozenset[int]):
    """The months a plan-book task is planned for, and the cell's text (每月 and 全年 both mean 1–12,
    but rules/dispatch.toml tells a recurring monthly activity from continuing work by the words)."""

    text: str

    def __new__(cls, months: Iterable[int], text: str = "") -> PlannedMonths:
        made = super().__new__(cls, months)
        made.text = text
        return made


def parse_months(value: object) -> PlannedMonths | None:
    """Planned months of a plan-book task: 11, 11月, 3,6,9, 3、6、9月, 1-6月, 全年/每月, 一季度/Q1."""
    if is_empty(value):
        return None
    s = unicodedata.normalize("NFKC", text(value) or "").strip().lower()
    if s in {"全年", "每月", "全年每月", "all", "monthly", "every month"}:
        return PlannedMonths(range(1, 13), s)
    months: set[int] = set()
    for part in re.split(r"[,，、;；/\s]+", s):
        part = part.removesuffix("份").removesuffix("月")
        if not part:
            continue
        if q := re.fullmatch(r"(?:第)?([一二三四1-4])季度?|q([1-4])", part):
            n = _QUARTERS[q.group(1) or q.group(2)]
            months.update(range(3 * n - 2, 3 * n + 1))
        elif r := re.fullmatch(r"(\d{1,2})月?\s*[-~～—至到]\s*(\d{1,2})", part):
            lo, hi = int(r.group(1)), int(r.group(2))
            if not 1 <= lo <= hi <= 12:
                raise BadValue("月份应在 1–12 之间")
            months.update(range(lo, hi + 1))
        elif part.isdigit() and 1 <= int(part) <= 12:
            months.add(int(part))
        else:
            raise BadValue("无法识别为计划月份")
    return PlannedMonths(months, s)


UNIT_SPLIT = re.compile(r"[,，、;；/\n]+")


def parse_units(value: object) -> tuple[str, ...] | None:
    """The unit references in a 责任单位 cell that may name several units (一支部、二支部)."""
    if is_empty(value):
        return None
    return tuple(p.strip() for p in UNIT_SPLIT.split(text(value) or "") if p.strip())
