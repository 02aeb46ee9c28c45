"""Load and check the rule files in ``rules/`` and a book's 规则设置 overrides.

Every mistake in a rule file is a :class:`RuleError` naming the file, the key path (e.g.
``colour[3].any[0].op``) and what is wrong; nothing in a rule file is ever executed as code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import WorkCalendar
from .conditions import (
    FIELD_BY_NAME,
    FIELDS,
    LIST_OPS,
    NO_VALUE_OPS,
    OPS_BY_TYPE,
    Condition,
    Field,
    all_any,
    parse_value,
)
from .errors import DispatchError
from .normalise import TabData
from .problems import Problem
from .resources import default_rules_dir
from .schema import fold
from .sheets import Colour
from .tomlfile import TomlFile

DEFAULT_RULES_DIR = default_rules_dir()
HEX = re.compile(r"^[0-9A-Fa-f]{6}$")
# What the reports and the assessment know a colour by, whatever its key or label (colours.toml ``role``)
ROLES = {"closed": "已闭合", "overdue": "逾期", "warning": "预警", "in_progress": "进行中"}


class RuleError(DispatchError):
    """A rule file that cannot be used as written."""


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    default: bool = False
    fill: str = ""  # colours only
    font: str = ""  # colours only
    role: str = ""  # colours only: one of ROLES
    points: float | str = 0.0  # assessment lines only: a number or a param name

    def mask(self, frame: pd.DataFrame, params: Mapping[str, object]) -> np.ndarray:
        if self.default:
            return np.ones(len(frame), dtype=bool)
        return all_any(list(self.all), list(self.any), frame, params)


@dataclass(frozen=True)
class Job:
    key: str
    label: str
    when: str
    at: time
    shift_to_workday: bool = False


@dataclass
class Rulebook:
    colours: tuple[Rule, ...]
    kinds: tuple[Rule, ...]
    lines: tuple[Rule, ...]
    params: dict[str, float | bool]
    param_aliases: dict[str, str]  # folded alias or name -> param name
    base: float
    floor: float
    include_descendants: bool
    bottom: int
    carry_over: bool
    recurring_months: tuple[str, ...]  # 计划月份 words of a recurring monthly activity (fresh each month)
    channel_category: str
    calendar: WorkCalendar
    jobs: dict[str, Job]
    overrides: dict[str, float | bool] = field(default_factory=dict)  # from the book's 规则设置

    @property
    def palette(self) -> dict[str, Colour]:
        return {r.key: Colour(r.key, r.label, r.fill.upper(), r.font.upper()) for r in self.colours}

    @property
    def roles(self) -> dict[str, str]:
        """Colour key -> role (closed, overdue, warning, in_progress)."""
        return {r.key: r.role for r in self.colours}

    def role_keys(self, role: str) -> list[str]:
        """The keys of the colours that play ``role``, in evaluation order."""
        return [r.key for r in self.colours if r.role == role]

    def points(self, line: Rule) -> float:
        return float(self.params[line.points]) if isinstance(line.points, str) else line.points

    @staticmethod
    def first_match(rules: tuple[Rule, ...], frame: pd.DataFrame, params: Mapping[str, object]) -> np.ndarray:
        """The key of the first rule that holds for each row (colours and kinds are classifications)."""
        masks = [r.mask(frame, params) for r in rules]
        return np.select(masks, [r.key for r in rules], default="")

    def with_settings(self, settings: TabData, book: str) -> tuple[Rulebook, list[Problem]]:
        """Apply the book's 规则设置 rows (param name or alias | value); bad rows become problems."""
        params = dict(self.params)
        problems: list[Problem] = []
        f = settings.frame
        for key, value, row in zip(f["key"], f["value"], f["_row"], strict=True):
            name = self.param_aliases.get(fold(key))
            if value is None:
                continue
            if name is None:
                problems.append(Problem(book, settings.sheet, settings.address(row, "key"), "unknown_setting",
                                        f"没有名为“{key}”的规则参数",
                                        "可设置的参数：" + "、".join(self.params), key))
                continue
            try:
                params[name] = _setting_value(value, params[name])
            except ValueError as bad:
                problems.append(Problem(book, settings.sheet, settings.address(row, "value"), "bad_setting",
                                        f"参数“{name}”的值“{value}”{bad}", "请填写数字（是/否类参数填 是 或 否）",
                                        str(value)))
        overrides = {k: v for k, v in params.items() if v != self.params[k]}
        return replace(self, params=params, overrides=overrides), problems


def _setting_value(raw: str, current: float | bool) -> float | bool:
    if isinstance(current, bool):
        word = fold(raw)
        if word in ("是", "true", "yes", "1"):
            return True
        if word in ("否", "false", "no", "0"):
            return False
        raise ValueError("应为 是 或 否")
    try:
        return float(raw)
    except ValueError:
        raise ValueError("不是数字") from None


def load_rules(rules_dir: Path | None = None) -> Rulebook:
    """Read and check every rule file."""
    folder = Path(rules_dir) if rules_dir else DEFAULT_RULES_DIR
    readers = {name: _rule_file(folder, name) for name in
               ("colours", "dispatch", "assessment", "calendar", "jobs")}
    params, aliases = _params(readers)
    colours = _rules(readers["colours"], "colour", params, "task", colour=True)
    kinds = _rules(readers["dispatch"], "kind", params, "task")
    names = {"colour": _names(colours, colour=True), "kind": _names(kinds)}
    lines = _rules(readers["assessment"], "line", params, "assessment", line=True, names=names)
    a = readers["assessment"]
    a.only(a.data, {"base", "floor", "include_descendants", "bottom", "params", "line"}, "")
    d = readers["dispatch"]
    d.only(d.data, {"params", "kind", "month_sheet"}, "")
    month_sheet = d.get(d.data, "month_sheet", "", dict, {})
    d.only(month_sheet, {"carry_over", "recurring_months", "channel_category"}, "month_sheet")
    recurring = d.get(month_sheet, "recurring_months", "month_sheet", list, ["每月"])
    if not all(isinstance(w, str) and w.strip() for w in recurring):
        raise d.fail("month_sheet.recurring_months", "应为文字列表", "例如 recurring_months = [\"每月\"]")
    return Rulebook(
        colours=colours, kinds=kinds, lines=lines, params=params, param_aliases=aliases,
        base=float(a.get(a.data, "base", "", (int, float), 100)),
        floor=float(a.get(a.data, "floor", "", (int, float), 0)),
        include_descendants=bool(a.get(a.data, "include_descendants", "", bool, False)),
        bottom=int(a.get(a.data, "bottom", "", int, 3)),
        carry_over=bool(d.get(month_sheet, "carry_over", "month_sheet", bool, True)),
        recurring_months=tuple(recurring),
        channel_category=str(d.get(month_sheet, "channel_category", "month_sheet", str, "热点")),
        calendar=_calendar(readers["calendar"]),
        jobs=_jobs(readers["jobs"]),
    )


def _rule_file(folder: Path, name: str) -> TomlFile:
    # "rules/colours.toml", or the organisation's own folder written by init-rules
    return TomlFile(folder / f"{name}.toml", f"{folder.name}/{name}.toml", RuleError,
                    ("找不到规则文件", f"请用 dispatchbook init-rules {folder} 写出默认规则文件"))


def _params(readers: dict[str, TomlFile]) -> tuple[dict[str, float | bool], dict[str, str]]:
    params: dict[str, float | bool] = {}
    aliases: dict[str, str] = {}
    for reader in readers.values():
        table = reader.get(reader.data, "params", "", dict, {})
        for name, spec in table.items():
            path = f"params.{name}"
            alias = None
            if isinstance(spec, dict):
                reader.only(spec, {"value", "alias", "note"}, path)
                alias = reader.get(spec, "alias", path, str, None)
                spec = reader.get(spec, "value", path, (int, float, bool))
            elif not isinstance(spec, int | float | bool):
                raise reader.fail(path, f"值“{spec}”的类型不对", "参数应为数字或 true/false")
            if name in params:
                raise reader.fail(path, "参数名重复", "每个参数名在所有规则文件中只能出现一次")
            params[name] = spec if isinstance(spec, bool) else float(spec)
            aliases[fold(name)] = name
            if alias:
                aliases[fold(alias)] = name
    return params, aliases


def _names(rules: tuple[Rule, ...], *, colour: bool = False) -> dict[str, tuple[str, ...]]:
    """What a condition may call a colour or a kind (role, key, label; folded) -> the keys it means."""
    names: dict[str, tuple[str, ...]] = {}
    for role in ROLES if colour else ():
        names[fold(role)] = tuple(r.key for r in rules if r.role == role)
    for r in rules:
        names.setdefault(fold(r.key), (r.key,))
        names.setdefault(fold(r.label), (r.key,))
    return names


def _rules(reader: TomlFile, name: str, params: dict[str, float | bool], stage: str, *,
           colour: bool = False, line: bool = False,
           names: dict[str, dict[str, tuple[str, ...]]] | None = None) -> tuple[Rule, ...]:
    entries = reader.get(reader.data, name, "", list)
    if not entries:
        raise reader.fail(name, "至少需要一条规则")
    allowed = {"key", "label", "all", "any"} | ({"fill", "font", "role"} if colour else set()) \
        | ({"points"} if line else {"default"})
    rules: list[Rule] = []
    for i, entry in enumerate(entries):
        path = f"{name}[{i + 1}]"
        reader.only(entry, allowed, path)
        key = reader.get(entry, "key", path, str)
        if any(r.key == key for r in rules):
            raise reader.fail(f"{path}.key", f"key“{key}”重复", "每条规则的 key 必须不同")
        default = reader.get(entry, "default", path, bool, False)
        conds = {part: tuple(_condition(reader, c, f"{path}.{part}[{j + 1}]", params, stage, names or {})
                             for j, c in enumerate(reader.get(entry, part, path, list, [])))
                 for part in ("all", "any")}
        if default and (conds["all"] or conds["any"]):
            raise reader.fail(path, "default = true 的规则不能再写条件", "删去条件，或去掉 default")
        if not default and not (conds["all"] or conds["any"]):
            raise reader.fail(path, "这条规则没有条件", "请加上 [[…all]] 或 [[…any]] 条件，或设 default = true")
        if default and i != len(entries) - 1:
            raise reader.fail(path, "default 规则必须放在最后", "它之后的规则永远不会生效")
        rule = Rule(key, str(reader.get(entry, "label", path, str)), conds["all"], conds["any"], default)
        if colour:
            for part in ("fill", "font"):
                hex_value = str(reader.get(entry, part, path, str, "FFFFFF" if part == "font" else ...))
                if not HEX.match(hex_value):
                    raise reader.fail(f"{path}.{part}", f"颜色“{hex_value}”不是 6 位十六进制", "例如 FF0000 表示红色")
            role = str(reader.get(entry, "role", path, str))
            if role not in ROLES:
                raise reader.fail(f"{path}.role", f"不认识的颜色角色“{role}”",
                                  "可用：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()))
            rule = replace(rule, fill=entry["fill"], font=entry.get("font", "FFFFFF"), role=role)
        if line:
            points = reader.get(entry, "points", path, (int, float, str))
            if isinstance(points, str) and points not in params:
                raise reader.fail(f"{path}.points", f"没有名为“{points}”的参数", "请写数字，或 [params] 中的参数名")
            rule = replace(rule, points=points if isinstance(points, str) else float(points))
        rules.append(rule)
    if not line and not rules[-1].default:
        raise reader.fail(f"{name}[{len(rules)}]", "最后一条规则应设 default = true", "否则有的任务没有归类")
    missing = [f"{k}（{v}）" for k, v in ROLES.items() if colour and all(r.role != k for r in rules)]
    if missing:
        raise reader.fail(name, "缺少颜色角色 " + "、".join(missing),
                          "汇总表和考核按角色认颜色：请给每种角色至少一个颜色设 role")
    return tuple(rules)


def _condition(reader: TomlFile, entry: object, path: str, params: dict[str, float | bool],
               stage: str, names: dict[str, dict[str, tuple[str, ...]]]) -> Condition:
    if not isinstance(entry, dict):
        raise reader.fail(path, "条件应为一张表", "写作 field = …、op = …、value = …")
    reader.only(entry, {"field", "op", "value", "values", "param"}, path)
    name = str(reader.get(entry, "field", path, str))
    fld = FIELD_BY_NAME.get(fold(name))
    if fld is None or (fld.stage == "assessment" and stage != "assessment"):
        usable = [f.name for f in FIELDS if f.stage == "task" or stage == "assessment"]
        raise reader.fail(f"{path}.field", f"没有可用的字段“{name}”", "可用字段：" + "、".join(usable))
    op = str(reader.get(entry, "op", path, str)).strip().lower()
    if op not in OPS_BY_TYPE[fld.type]:
        raise reader.fail(f"{path}.op", f"字段“{fld.name}”不支持运算符“{op}”",
                          "可用：" + " ".join(OPS_BY_TYPE[fld.type]))
    given = [k for k in ("value", "values", "param") if k in entry]
    need = "none" if op in NO_VALUE_OPS else "values" if op in LIST_OPS else "value/param"
    if (need == "none" and given) or (need == "values" and given != ["values"]) \
            or (need == "value/param" and given not in (["value"], ["param"])):
        fix = {"none": "这个运算符不需要值", "values": "请写 values = [\"…\", …]",
               "value/param": "请写 value = … 或 param = \"参数名\"（只写一个）"}[need]
        raise reader.fail(path, f"运算符“{op}”的取值写法不对", fix)
    if "param" in entry:
        param = str(entry["param"])
        if param not in params:
            raise reader.fail(f"{path}.param", f"没有名为“{param}”的参数", "请先在 [params] 中定义")
        _check(reader, fld, params[param], f"{path}.param")
        return Condition(fld, op, param=param)
    if "values" in entry:
        raw = entry["values"]
        if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
            raise reader.fail(f"{path}.values", "应为非空的文字列表", "例如 values = [\"焦点\", \"热点\"]")
        if fld.column in names:
            return _named(reader, fld, op, raw, f"{path}.values", names[fld.column])
        return Condition(fld, op, tuple(raw))
    if "value" in entry and fld.column in names:
        return _named(reader, fld, op, [entry["value"]], f"{path}.value", names[fld.column])
    if "value" in entry:
        return Condition(fld, op, _check(reader, fld, entry["value"], f"{path}.value"))
    return Condition(fld, op)


def _named(reader: TomlFile, fld: Field, op: str, raw: list[object], path: str,
           names: dict[str, tuple[str, ...]]) -> Condition:
    """A condition on 颜色 or 调度类型: each name (role, key or label) must exist; compared by key."""
    if op not in ("==", "!=", "in", "not in"):
        raise reader.fail(f"{path.rsplit('.', 1)[0]}.op", f"字段“{fld.name}”只能用 == != in not in",
                          "请按名称比较")
    keys: list[str] = []
    for value in raw:
        found = names.get(fold(value)) if isinstance(value, str) else None
        if not found:
            what = "颜色" if fld.column == "colour" else "调度类型"
            raise reader.fail(path, f"没有名为“{value}”的{what}",
                              "可用：" + "、".join(sorted({k for k in names})))
        keys.extend(found)
    return Condition(fld, "in" if op in ("==", "in") else "not in", tuple(keys))


def _check(reader: TomlFile, fld: object, value: object, path: str) -> object:
    try:
        return parse_value(fld, value)  # type: ignore[arg-type]
    except ValueError as bad:
        raise reader.fail(path, f"值“{value}”{bad}", f"字段“{fld.name}”的值{bad}") from None  # type: ignore[attr-defined]


def _calendar(reader: TomlFile) -> WorkCalendar:
    reader.only(reader.data, {"timezone", "holidays", "workdays"}, "")
    days: dict[str, list[date]] = {}
    for key in ("holidays", "workdays"):
        items = reader.get(reader.data, key, "", list, [])
        parsed = []
        for i, item in enumerate(items):
            try:
                parsed.append(item if isinstance(item, date) else date.fromisoformat(str(item)))
            except ValueError:
                raise reader.fail(f"{key}[{i + 1}]", f"“{item}”不是日期", "写作 \"2027-01-01\"") from None
        days[key] = parsed
    zone = str(reader.get(reader.data, "timezone", "", str, "Asia/Shanghai"))
    try:
        return WorkCalendar(days["holidays"], days["workdays"], zone)
    except Exception:  # zoneinfo raises several error types for unknown zones
        raise reader.fail("timezone", f"不认识的时区“{zone}”", "例如 Asia/Shanghai") from None


JOB_WHEN = re.compile(r"^(workday|first_workday|quarter_first_workday|weekday:[1-7]|days:\d{1,2}(,\d{1,2})*)$")
JOB_KEYS = ("daily", "weekly", "xun", "monthly", "quarterly")


def _jobs(reader: TomlFile) -> dict[str, Job]:
    reader.only(reader.data, set(JOB_KEYS), "")
    jobs: dict[str, Job] = {}
    for key in JOB_KEYS:
        table = reader.get(reader.data, key, "", dict)
        reader.only(table, {"label", "when", "at", "shift_to_workday"}, key)
        when = str(reader.get(table, "when", key, str)).replace(" ", "")
        if not JOB_WHEN.match(when):
            raise reader.fail(f"{key}.when", f"不认识的时间写法“{when}”",
                              "可用：workday、weekday:1、days:1,11,21、first_workday、quarter_first_workday")
        at_raw = reader.get(table, "at", key, (str, time), "08:00")
        try:
            at = at_raw if isinstance(at_raw, time) else time.fromisoformat(str(at_raw))
        except ValueError:
            raise reader.fail(f"{key}.at", f"“{at_raw}”不是时刻", "写作 \"07:30\"") from None
        jobs[key] = Job(key, str(reader.get(table, "label", key, str, key)), when, at,
                        bool(reader.get(table, "shift_to_workday", key, bool, False)))
    return jobs
