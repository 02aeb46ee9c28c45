"""``dispatchbook.toml``: the books the scheduler keeps in rhythm, and where it keeps its history.

Relative paths in the file are relative to the file itself. Every mistake is a :class:`ConfigError`
naming the file and the key (``books[2].path``) and how to fix it. Job *days* stay in
``rules/jobs.toml``; the config may only move job *times* and the timezone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .backends import is_gsheet, spreadsheet_id
from .calendar import WorkCalendar
from .errors import DispatchError
from .jobdays import JOBS
from .notify.settings import NotifySettings, parse_notify
from .rulebook import Rulebook, load_rules
from .tomlfile import TomlFile
from .units.layout import UNIT_LEVELS

DEFAULT_CONFIG = Path("dispatchbook.toml")
DEFAULT_HISTORY = "dispatchbook-history.sqlite"


class ConfigError(DispatchError):
    """A config file that cannot be used as written."""


@dataclass(frozen=True)
class BookConfig:
    name: str  # how logs and commands name the book
    spec: str  # what open_book takes: an absolute file path, or gsheet:ID / a Google Sheets URL
    credentials: str | None = None  # service-account JSON (Google books)
    rules: Path | None = None  # this book's own rules folder, if it has one
    units: UnitsConfig | None = None  # unit books distributed from this book and collected on each sync

    @property
    def key(self) -> str:
        return book_key(self.spec)


@dataclass(frozen=True)
class UnitsConfig:
    """``[books.units]``: the folder of the unit books, the level they go to, and whether units may add tasks."""

    folder: Path  # the unit .xlsx books and the exchange's ledger
    level: str
    new_tasks: bool = True
    sheets: tuple[tuple[str, str], ...] = ()  # Google Sheets instead of files: (unit code, gsheet:ID) per unit


@dataclass
class Config:
    books: tuple[BookConfig, ...]
    history: Path
    locks: Path
    rules: Path | None = None  # None: the project's rules/
    timezone: str | None = None  # None: the rules' timezone (rules/calendar.toml)
    job_times: dict[str, time] = field(default_factory=dict)
    poll_minutes: float = 1.0
    log: Path | None = None
    source: Path | None = None  # the file this came from
    notify: NotifySettings | None = None  # [notify]: reminders and bulletins (None: none are sent)
    _rules: dict[Path | None, Rulebook] = field(default_factory=dict, repr=False)

    def rules_for(self, book: BookConfig | None = None, rules_dir: Path | None = None) -> Rulebook:
        """The rules a book runs with (``rules_dir``, else the book's, else the config's folder), with
        the config's timezone and job times."""
        folder = rules_dir or (book.rules if book else None) or self.rules
        if folder not in self._rules:
            self._rules[folder] = adjust_rules(load_rules(folder), self.timezone, self.job_times)
        return self._rules[folder]

    def only(self, refs: list[str]) -> Config:
        """This config with only the books ``refs`` name."""
        unknown = [ref for ref in refs if self.find(ref) is None]
        if unknown:
            raise ConfigError(self.source.name if self.source else "config", f"配置中没有工作簿 {'、'.join(unknown)}",
                              "可选：" + "、".join(b.name for b in self.books))
        chosen = {self.find(ref) for ref in refs}
        return replace(self, books=tuple(b for b in self.books if b in chosen))

    def find(self, ref: str) -> BookConfig | None:
        """A configured book by its name, its path or its spreadsheet."""
        key = book_key(ref)
        return next((b for b in self.books if ref == b.name or key == b.key), None)


def book_key(spec: str) -> str:
    """A stable identity for a book: its spreadsheet id, or its file's resolved path."""
    if is_gsheet(spec):
        try:
            return "gsheet:" + spreadsheet_id(spec)
        except DispatchError:  # not a valid address: opening the book will say so; keep a key anyway
            return "gsheet:" + spec.removeprefix("gsheet:").strip()
    return "file:" + os.path.normcase(str(Path(spec).expanduser().resolve()))


def locks_beside(history: Path) -> Path:
    """The lock folder that goes with a history database."""
    return history.with_name(history.stem + "-locks")


def adjust_rules(rules: Rulebook, timezone: str | None, job_times: dict[str, time]) -> Rulebook:
    jobs = {key: replace(job, at=job_times.get(key, job.at)) for key, job in rules.jobs.items()}
    calendar = rules.calendar
    if timezone:
        calendar = WorkCalendar(calendar.extra_holidays, calendar.extra_workdays, timezone)
    return replace(rules, jobs=jobs, calendar=calendar)


def config_for_history(history: Path) -> Config:
    """What ``--history DB`` alone means: no books, locks beside the database."""
    return Config((), history, locks_beside(history))


def load_config(path: Path) -> Config:
    toml = TomlFile(path, path.name, ConfigError,
                    ("找不到配置文件", "请参照 dispatchbook.example.toml 新建，或用 --config 指定路径"))
    return _Parser(path, toml).config()


TOP_KEYS = frozenset({"timezone", "history", "locks", "rules", "log", "poll_minutes", "credentials", "jobs", "books",
                       "notify"})
BOOK_KEYS = frozenset({"name", "path", "gsheet", "credentials", "rules", "units"})
UNITS_KEYS = frozenset({"folder", "level", "new_tasks", "sheets"})


class _Parser:
    def __init__(self, path: Path, toml: TomlFile) -> None:
        self.path, self.data, self.base = path, toml.data, path.resolve().parent
        self.fail, self.only = toml.fail, toml.only

    def text(self, table: dict, key: str, where: str) -> str | None:
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.fail(where, f"值“{value}”应为非空文字", f'写作 {key} = "…"')
        return value.strip() if value else None

    def local(self, value: str | None) -> Path | None:
        return self.path_of(value) if value else None

    def path_of(self, value: str) -> Path:
        return (self.base / Path(value).expanduser()).resolve()

    def config(self) -> Config:
        data = self.data
        self.only(data, TOP_KEYS, "")
        history = self.local(self.text(data, "history", "history")) or self.base / DEFAULT_HISTORY
        zone = self.text(data, "timezone", "timezone")
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise self.fail("timezone", f"不认识的时区“{zone}”", "例如 Asia/Shanghai") from None
        poll = data.get("poll_minutes", 1)
        if isinstance(poll, bool) or not isinstance(poll, int | float) or poll <= 0:
            raise self.fail("poll_minutes", f"值“{poll}”应为正数", "例如 poll_minutes = 1")
        return Config(books=self.books(), history=history,
                      locks=self.local(self.text(data, "locks", "locks")) or locks_beside(history),
                      rules=self.local(self.text(data, "rules", "rules")), timezone=zone,
                      job_times=self.job_times(), poll_minutes=float(poll),
                      log=self.local(self.text(data, "log", "log")), source=self.path.resolve(),
                      notify=parse_notify(data["notify"], self.fail, self.only, self.path_of) if "notify" in data else None)

    def job_times(self) -> dict[str, time]:
        table = self.data.get("jobs", {})
        if not isinstance(table, dict):
            raise self.fail("jobs", "应为一张表", '写作 [jobs] 下一行 daily = "07:30"')
        times = {}
        for key, value in table.items():
            if key not in JOBS:
                raise self.fail(f"jobs.{key}", "不认识的作业", "可用：" + "、".join(JOBS))
            try:
                times[key] = value if isinstance(value, time) else time.fromisoformat(str(value))
            except ValueError:
                raise self.fail(f"jobs.{key}", f"“{value}”不是时刻", '写作 "07:30"') from None
        return times

    def units(self, entry: dict, where: str) -> UnitsConfig | None:
        table = entry.get("units")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise self.fail(where, "应为一张表", '写作 [books.units] 下一行 folder = "单位工作簿"、level = "基层党委"')
        self.only(table, UNITS_KEYS, where)
        folder = self.local(self.text(table, "folder", f"{where}.folder"))
        level = self.text(table, "level", f"{where}.level")
        if folder is None:
            raise self.fail(f"{where}.folder", "缺少单位工作簿文件夹", 'folder = "单位工作簿"')
        if level not in UNIT_LEVELS:
            raise self.fail(f"{where}.level", f"层级“{level}”不能分发", "可选：" + "、".join(UNIT_LEVELS))
        new_tasks = table.get("new_tasks", True)
        if not isinstance(new_tasks, bool):
            raise self.fail(f"{where}.new_tasks", f"值“{new_tasks}”应为 true 或 false", "new_tasks = true")
        sheets = table.get("sheets", {})
        if not isinstance(sheets, dict) or not all(isinstance(v, str) and is_gsheet(v) for v in sheets.values()):
            raise self.fail(f"{where}.sheets", "应为一张表：单位编码 = Google 表格",
                            '写作 [books.units.sheets] 下一行 JC01 = "gsheet:表格ID"')
        return UnitsConfig(folder, level, new_tasks, tuple(sheets.items()))

    def books(self) -> tuple[BookConfig, ...]:
        entries = self.data.get("books", [])
        if not isinstance(entries, list) or not entries:
            raise self.fail("books", "没有配置任何工作簿", '至少写一个 [[books]]，含 name 和 path（或 gsheet）')
        default_credentials = self.text(self.data, "credentials", "credentials")
        books: list[BookConfig] = []
        for i, entry in enumerate(entries, start=1):
            where = f"books[{i}]"
            if not isinstance(entry, dict):
                raise self.fail(where, "应为一张表", "写作 [[books]]，下面是 name = … 和 path = …")
            self.only(entry, BOOK_KEYS, where)
            name = self.text(entry, "name", f"{where}.name")
            path, sheet = self.text(entry, "path", f"{where}.path"), self.text(entry, "gsheet", f"{where}.gsheet")
            if not name:
                raise self.fail(f"{where}.name", "缺少工作簿名称", '写作 name = "集团党建调度台账"')
            if any(b.name == name for b in books):
                raise self.fail(f"{where}.name", f"名称“{name}”重复", "每个工作簿的名称必须不同")
            if (path is None) == (sheet is None):
                raise self.fail(where, "path 和 gsheet 须且只能写一个", "本地文件写 path，Google 表格写 gsheet")
            credentials = self.text(entry, "credentials", f"{where}.credentials") or default_credentials
            if sheet:
                spec = sheet if is_gsheet(sheet) else f"gsheet:{sheet}"
                if not credentials:
                    raise self.fail(f"{where}.credentials", "Google 表格需要服务账号凭据",
                                    '写 credentials = "服务账号 JSON 文件的路径"（或在文件顶部写一次，供所有表格共用）')
                credentials = str(self.local(credentials))
            else:
                spec, credentials = str(self.local(path)), None
            rules = self.local(self.text(entry, "rules", f"{where}.rules"))
            books.append(BookConfig(name, spec, credentials, rules, self.units(entry, f"{where}.units")))
        keys = [b.key for b in books]
        folders = [b.units.folder for b in books if b.units]
        if len(set(folders)) != len(folders):
            raise self.fail("books", "两个工作簿的单位工作簿放在同一个文件夹", "每个中心工作簿的 units.folder 必须不同")
        for i, key in enumerate(keys, start=1):
            if keys.index(key) != i - 1:
                raise self.fail(f"books[{i}]", "与前面的工作簿是同一个文件或表格", "每个工作簿只需配置一次")
        return tuple(books)
