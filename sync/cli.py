"""The ``dispatchbook`` command: parse arguments, call the library, print, choose the exit code."""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from itertools import groupby
from pathlib import Path
from types import ModuleType

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from . import jobdays as job_rules
from .backends import open_book
from .backends.colourmap import MAP_TAB
from .book import read_book
from .bulletin.figures import Period
from .bulletin.make import JOBS as BULLETIN_JOBS
from .bulletin.make import check_output, make_bulletin
from .calendar import week as week_of
from .clihelp import chinese_argparse
from .config import DEFAULT_CONFIG, Config, ConfigError, book_key, config_for_history, load_config
from .engine import SyncOutcome, run_sync
from .errors import EXIT_INTERRUPTED, EXIT_PROBLEMS, EXIT_REMOTE, DispatchError
from .example import EXAMPLE_AS_OF, write_example
from .exits import bug_line, exit_code, is_bug, log_bug, one_line
from .history import History
from .history_views import (
    Labels,
    UnitMonth,
    find_book,
    restore,
    runs,
    timeline,
    unit_month,
)
from .newbook import write_new_book
from .notify.outbox import STATES, Outbox
from .notify.service import notify, scheduler_hook
from .problems import Problem
from .progress import progress_display
from .rerun import Findings, Unchanged, run_key, unchanged_since
from .resources import REPOSITORY, example_workbook, rule_files
from .rulebook import Rulebook, load_rules
from .runlog import log_to
from .scheduler import BookResult, Scheduler, on_demand_sync
from .scheduler import exit_code as run_exit_code
from .schema import MONTH, STAFF_TABS, month_tab_name
from .staffsheets import staff_sheet
from .units.cli import add_distribute, print_exchange
from .units.run import distributed
from .values import BadValue, parse_date, parse_month

console = Console(highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    with chinese_argparse():
        args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except Exception as error:  # noqa: BLE001 - every failure ends as one line and its exit code (see exits.py)
        line = bug_line(error, log_bug(error)) if is_bug(error) else one_line(error)
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]错误[/] {escape(line)}")
        return exit_code(error)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dispatchbook", description="党建调度：在员工已在用的 Excel / Google 表格上运行调度。",
                                epilog="示例：dispatchbook init 示例.xlsx --example，然后 dispatchbook sync 示例.xlsx")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}", help="显示版本号并退出")
    sub = p.add_subparsers(required=True, metavar="COMMAND", title="命令")

    init = sub.add_parser("init", help="生成空白模板工作簿（加 --example 生成示例）",
                          description="生成空白模板工作簿（加 --example 生成示例单位的工作簿）。")
    init.add_argument("book", type=Path, metavar="BOOK", help="要生成的 .xlsx 文件")
    init.add_argument("--example", action="store_true", help="生成示例单位（党委、支部、任务齐全）")
    init.add_argument("--as-of", type=_date, metavar="DATE", help="示例的“今天”（默认：%(default)s）",
                      default=EXAMPLE_AS_OF)
    init.add_argument("--force", action="store_true", help="覆盖已有文件")
    init.set_defaults(run=cmd_init)

    rules = sub.add_parser("init-rules", help="把默认规则文件写入文件夹，供本单位修改",
                           description="把默认规则文件写入 DIR，修改后用 --rules DIR 使用。",
                           epilog="示例：dispatchbook init-rules 本单位规则，然后 dispatchbook check 党建调度.xlsx --rules 本单位规则")
    rules.add_argument("folder", type=Path, metavar="DIR", help="规则文件夹（不存在则新建）")
    rules.add_argument("--force", action="store_true", help="覆盖文件夹中已有的规则文件")
    rules.set_defaults(run=cmd_init_rules)

    check = sub.add_parser("check", help="检查工作簿，列出每个数据问题（有问题时退出码为 1）",
                           description="读取并检查工作簿，逐个列出有问题的单元格和修改方法。")
    _book_args(check)
    check.add_argument("--json", action="store_true", help="以 JSON 输出数据问题")
    check.set_defaults(run=cmd_check)

    sync = sub.add_parser("sync", help="对工作簿运行调度，写回汇总表",
                          description="对工作簿运行调度：标注任务颜色，写回汇总表。",
                          epilog="示例：dispatchbook sync 党建调度.xlsx --as-of 2026-11-18 --jobs all --dry-run")
    _book_args(sync)
    sync.add_argument("--jobs", type=_jobs, metavar="JOBS",
                      help="逗号分隔：daily,weekly,xun,monthly,quarterly 或 all（默认：调度日期当天到期的作业）")
    sync.add_argument("--dry-run", action="store_true", help="试运行：不写入，只列出将会做的改动")
    sync.add_argument("--month", type=_month, metavar="YYYY-MM",
                      help="重新生成指定月份的 月报表 和 月考核（如月末后更正了数据），例如 --month 2026-11")
    sync.add_argument("--week", type=_date, metavar="DATE",
                      help="重新生成包含该日期的那一周（周一至周日）的 周报表，例如 --week 2026-11-16")
    sync.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    sync.add_argument("--report-to", type=Path, metavar="OTHER.xlsx", help="把汇总表写入另一个 .xlsx，不改动本工作簿")
    sync.add_argument("--collect", type=Path, metavar="FOLDER",
                      help="收集模式：先从 distribute 分发到该文件夹的单位工作簿收集填报，写入本月任务表和 报送情况")
    _history_args(sync, "记录本次同步（每日快照、考核、运行记录）；同步时锁定工作簿")
    sync.set_defaults(run=cmd_sync)

    bulletin = sub.add_parser("bulletin", help="生成周通报或月通报（Word .docx，或经 LibreOffice 转成 .pdf）",
                              description="生成周通报或月通报：标题和期间、主要数据、一图四色分布图、红色任务、短板、"
                                          "典型导向、下步到期事项。只读取工作簿，不写入。",
                              epilog="示例：dispatchbook bulletin 党建调度.xlsx --week --out 周通报.docx；"
                                     "dispatchbook bulletin 党建调度.xlsx --month 2026-11 --out 月通报.pdf")
    _book_args(bulletin)
    period = bulletin.add_mutually_exclusive_group(required=True)
    period.add_argument("--week", type=_date, nargs="?", const=True, metavar="DATE",
                        help="周通报：默认为周报表所报告的那一周；给出日期则为包含该日期的那一周")
    period.add_argument("--month", type=_month, nargs="?", const=True, metavar="YYYY-MM",
                        help="月通报：默认为月报表所报告的那个月；给出月份则为该月，例如 2026-11")
    bulletin.add_argument("--out", type=Path, required=True, metavar="FILE",
                          help="输出文件：.docx（Word/WPS），或 .pdf（需要安装 LibreOffice）")
    _history_args(bulletin, "与同步使用同一历史数据库（周内新增红色按历史快照判定，与周报表一致）")
    bulletin.set_defaults(run=cmd_bulletin)
    add_distribute(sub, _book_args, _rules)

    run = sub.add_parser("run", help="按“五个一”节奏持续调度配置中的每个工作簿，补跑错过的作业",
                         description="按“五个一”节奏持续调度配置文件中的每个工作簿，补跑错过的作业。")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG, metavar="FILE",
                     help="配置文件（默认：%(default)s）")
    run.add_argument("--once", action="store_true", help="只运行当前到期的作业后退出（供 cron / 定时任务使用）")
    run.add_argument("--book", action="append", metavar="NAME", help="只运行配置中的这个工作簿（可重复）")
    run.set_defaults(run=cmd_run)

    notify = sub.add_parser("notify", help="发送（或 --dry-run 列出）催办、值班日报、周通报和月考核通知",
                            description="按调度日期到期的作业，给责任人、值班领导和配置的群发送通知；"
                                        "已发送的不会重发。收件人见工作簿的“通讯录”表，渠道见配置文件的 [notify]。",
                            epilog="示例：dispatchbook notify 党建调度.xlsx --as-of 2026-11-18 --dry-run")
    _book_args(notify)
    notify.add_argument("--jobs", type=_jobs, metavar="JOBS",
                        help="按这些作业发送：daily,weekly,monthly 或 all（默认：调度日期当天到期的作业）")
    notify.add_argument("--dry-run", action="store_true", help="只列出每个收件人将收到的内容，不发送")
    notify.add_argument("--config", type=Path, default=DEFAULT_CONFIG, metavar="FILE",
                        help="配置文件：[notify] 通知设置和历史数据库（默认：%(default)s）")
    notify.set_defaults(run=cmd_notify)

    history = sub.add_parser("history", help="任务时间线、可粘贴回表的整行、单位月度考核、运行记录",
                             description="查看历史：任务时间线、可粘贴回表的整行、单位月度考核、运行记录。")
    history.add_argument("task", nargs="?", metavar="TASK_ID", help="任务每天的颜色、进度和状态")
    history.add_argument("--restore", action="store_true", help="输出该任务最后一次出现时的整行（制表符分隔）")
    history.add_argument("--unit", metavar="UNIT", help="单位在 --month 月的得分和扣分、加分明细")
    history.add_argument("--month", type=_month, metavar="YYYY-MM", help="与 --unit 同用的月份；或任务所在的月度任务表")
    history.add_argument("--as-of", type=_date, metavar="DATE", help="与 --unit 同用：截至这一天的明细")
    history.add_argument("--runs", action="store_true", help="最近的运行记录")
    history.add_argument("--sent", action="store_true", help="已发送（和发送失败）的通知")
    history.add_argument("--book", metavar="BOOK", help="历史中有多个工作簿时，指定哪一个（名称、路径或表格）")
    history.add_argument("--rules", type=Path, metavar="DIR", help="规则文件夹（用于颜色和调度类别的名称）")
    _history_args(history, "历史数据库（默认：./dispatchbook.toml 中配置的数据库）")
    history.set_defaults(run=cmd_history)

    demo = sub.add_parser("demo", help="同步一份自带示例的副本并输出摘要",
                          description="复制自带的示例工作簿，按示例日期运行全部作业并输出摘要。")
    demo.add_argument("--out", type=Path, default=Path("build") / "demo.xlsx", metavar="FILE",
                      help="示例副本的位置（默认：%(default)s）")
    demo.add_argument("--gsheets", action="store_true",
                      help="改在本地离线 Google 表格替身上运行同样的同步（需要源代码检出）")
    demo.set_defaults(run=cmd_demo)
    return p


def _version() -> str:
    try:
        return version("dispatchbook")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "未安装"


def _book_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("book", metavar="BOOK", help=".xlsx/.xlsm 文件路径（.xls/.xlsb/.ods/.et 只能 check，或 sync --report-to），"
                                              "或 gsheet:SPREADSHEET_ID，或 Google 表格网址")
    p.add_argument("--as-of", type=_date, metavar="DATE", help="调度日期（默认：规则时区的今天）")
    p.add_argument("--rules", type=Path, metavar="DIR", help="规则文件夹（默认：自带的规则；init-rules 可生成一份供修改）")
    p.add_argument("--credentials", metavar="KEY.json", help="Google 表格的服务账号密钥 JSON 文件")


def _history_args(p: argparse.ArgumentParser, text: str) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--history", type=Path, metavar="DB", help=text)
    where.add_argument("--config", type=Path, metavar="FILE", help="从此配置文件读取历史数据库、锁、规则和工作簿设置")


def _history_config(args: argparse.Namespace, default: Path | None = None) -> Config | None:
    if args.config:
        return load_config(args.config)
    if args.history:
        return config_for_history(args.history)
    return load_config(default) if default and default.exists() else None


def _month(text: str) -> tuple[int, int]:
    try:
        parsed = parse_month(text)
    except BadValue:
        parsed = None
    if parsed is None:
        raise argparse.ArgumentTypeError(f"“{text}”不是月份，请写作 2026-11")
    return parsed


def _date(text: str) -> date:
    try:
        parsed = parse_date(text, date.today())
    except BadValue:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写作 2026-11-18") from None
    assert parsed is not None
    return parsed


def _jobs(text: str) -> list[str]:
    chosen = list(job_rules.JOBS) if text.strip() == "all" else [j.strip() for j in text.split(",") if j.strip()]
    unknown = [j for j in chosen if j not in job_rules.JOBS]
    if unknown:
        raise argparse.ArgumentTypeError(f"不认识的作业 {', '.join(unknown)}；可用：{','.join(job_rules.JOBS)},all")
    return chosen


def cmd_init(args: argparse.Namespace) -> int:
    path: Path = args.book
    if path.exists() and not args.force:
        raise DispatchError(str(path), "文件已存在", "换一个文件名，或加 --force 覆盖")
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.example:
        write_example(path, args.as_of)
        console.print(f"已生成示例工作簿 {path}（示例日期 {args.as_of:%Y-%m-%d}）")
    else:
        sheets = [staff_sheet(t, month_tab_name(args.as_of.year, args.as_of.month) if t is MONTH else t.name, [],
                              t.note or None, note=True) for t in STAFF_TABS]
        write_new_book(path, sheets)
        console.print(f"已生成空白模板 {path}")
    return 0


def cmd_init_rules(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    sources = rule_files()
    existing = [folder / s.name for s in sources if (folder / s.name).exists()]
    if existing and not args.force:
        raise DispatchError(str(folder), f"已有规则文件 {'、'.join(p.name for p in existing)}",
                            "换一个文件夹，或加 --force 覆盖")
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copyfile(source, folder / source.name)
    console.print(f"已写入规则文件 {'、'.join(s.name for s in sources)} 到 {folder}。"
                  f"修改后用 --rules {folder} 使用（或在 dispatchbook.toml 中写 rules = \"{folder}\"）")
    return 0


def _rules(args: argparse.Namespace) -> Rulebook:
    return load_rules(args.rules)


def cmd_check(args: argparse.Namespace) -> int:
    rules = _rules(args)
    book = read_book(open_book(args.book, args.credentials), args.as_of or rules.calendar.today())
    problems = book.problems + rules.with_settings(book.tabs["settings"], book.label)[1]
    if args.json:
        print(json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        _print_problems(problems, book.label)
    return EXIT_PROBLEMS if problems else 0


def _print_problems(problems: list[Problem], label: str) -> None:
    if not problems:
        console.print(f"[green]✓[/] {label}：没有发现数据问题")
        return
    table = Table(title=f"{label}：{len(problems)} 个数据问题", show_lines=False)
    table.add_column("位置", no_wrap=True)
    for column in ("问题", "原值", "修改方法"):
        table.add_column(column, overflow="fold")
    for p in problems:
        table.add_row(p.where, p.message, p.value or "", p.fix + (f"；{p.outcome}" if p.outcome else ""))
    console.print(table)


def cmd_sync(args: argparse.Namespace) -> int:
    config = _history_config(args)
    entry = config.find(args.book) if config else None
    rules = config.rules_for(entry, args.rules) if config else _rules(args)
    spec = entry.spec if entry else args.book
    book = open_book(spec, args.credentials or (entry.credentials if entry else None), report_to=args.report_to)
    jobs = args.jobs
    if jobs is None and (args.month or args.week):  # only the reissued reports
        jobs = [job for job, asked in (("weekly", args.week), ("monthly", args.month)) if asked]
    week = week_of(args.week)[0] if args.week else None
    as_of = args.as_of or rules.calendar.today()
    plain = config is None and not (args.json or args.dry_run or args.collect)  # no history, nothing else to do
    if plain and (unchanged := unchanged_since(book, run_key(book.label, as_of, rules=rules, jobs=jobs,
                                                             month=args.month, week=week))):
        _print_unchanged(unchanged, book.label, rules)
        return 0
    with progress_display(Console(stderr=True)):
        outcome = on_demand_sync(book, spec, as_of, config=config, rules=rules,
                                 jobs=jobs, dry_run=args.dry_run, month=args.month, week=week,
                                 units=distributed(args.collect) if args.collect else None, record=plain)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
    elif args.dry_run:
        _print_plan(outcome)
    else:
        _print_summary(outcome, book.label)
        if outcome.collected is not None:
            print_exchange(outcome.collected)
    return 0


def _print_plan(outcome: SyncOutcome) -> None:
    """What a real sync would write, as the backend decides it (the same way a real write does)."""
    plan, changing = outcome.plan, set(outcome.would_write)
    console.print("[bold]试运行：不写入任何内容。[/]" + ("若正式同步，将会：" if changing else "正式同步不会改动工作簿。"))
    for name in plan.kept:  # inputs unchanged since the last sync: not even built
        console.print(f"  汇总表 {name} 内容不变")
    for sheet in plan.owned:
        console.print(f"  写入汇总表 {sheet.name}（{len(sheet.rows)} 行）" if sheet.name in changing
                      else f"  汇总表 {sheet.name} 内容不变")
    for sheet in plan.created:
        console.print(f"  新建月度任务表 {sheet.name}（{len(sheet.rows) - 1} 个任务）")
    for append in plan.appends:
        console.print(f"  在 {append.tab} 末尾追加 {len(append.rows)} 个任务")
    for colours in plan.colours:
        if colours.tab in changing or MAP_TAB in changing:
            console.print(f"  更新 {colours.tab} 的任务颜色（{len(colours.colours)} 个任务）")
    if "工作簿结构" in changing:
        console.print("  更新工作簿结构（名称、样式）")


def _print_summary(outcome: SyncOutcome, label: str) -> None:
    state = outcome.state
    months = state.book.months
    sheet = months[state.month].sheet if state.month in months else month_tab_name(*state.month)
    created = [f"  新建 {sheet}：{len(outcome.month.rows)} 个任务（其中上月结转 {outcome.month.carried} 个）"] \
        if outcome.month_created else [f"  {sheet} 追加 {len(outcome.month.rows)} 个新任务"] if len(outcome.month.rows) else []
    _print_findings(label, outcome.as_of, outcome.findings(), created)
    console.print(f"  已写入：{'、'.join(outcome.written)}" if outcome.written else "  内容与上次相同，未写入")
    if outcome.snapshot is False:
        console.print(f"  [yellow]未保存 {outcome.as_of:%Y-%m-%d} 的任务快照[/]：历史记录只保存按当天日期运行的同步；"
                      "运行记录和考核得分已保存")


def _print_unchanged(unchanged: Unchanged, label: str, rules: Rulebook) -> None:
    """A re-run that could change nothing: what the last sync found, and that it was not run again."""
    at = unchanged.synced_at.astimezone(rules.calendar.timezone)
    when = f"{at:%H:%M}" if at.date() == rules.calendar.today() else f"{at:%Y-%m-%d %H:%M}"
    _print_findings(label, unchanged.as_of, unchanged.findings, [])
    console.print(f"  自上次同步（{when}）以来工作簿和规则都没有改动，结果同上次，未重新计算，未写入")


def _print_findings(label: str, as_of: date, found: Findings, created: list[str]) -> None:
    """The summary's account of what the sync found (``created``: lines on the month sheet it made or grew)."""
    console.print(f"[bold]{label}[/] 调度日期 {as_of:%Y-%m-%d}，作业：{'、'.join(found.jobs) or '（今日无到期作业）'}")
    for line in created:
        console.print(line)
    for tab, fix in found.taken:
        console.print(f"  [yellow]“{tab}”是工作簿原有的表[/]，同步没有改动它；{fix}")
    colours = Table(title="一图四色")
    for colour, fill, _ in found.colours:
        colours.add_column(colour, justify="right", style=f"#{fill}")
    colours.add_row(*(str(n) for _, _, n in found.colours))
    console.print(colours)
    year, month = found.month
    for level, units in found.bottom:
        console.print(f"  {year}年{month}月考核 {level}短板：{_weakest(units)}")
    if found.problems:
        console.print(f"  [yellow]{found.problems} 个数据问题[/]，见“数据问题”表（dispatchbook check 可列出）")


def _weakest(bottom: list[tuple[str, float]], names: int = 3) -> str:
    """'四矿党委 89、一矿党委 91（并列）…'; a tie of more than ``names`` units is counted, not listed."""
    parts = []
    for score, tied in groupby(sorted(bottom, key=lambda unit: unit[1]), key=lambda unit: unit[1]):
        units = [name for name, _ in tied]
        if len(units) == 1:
            parts.append(f"{units[0]} {score:g}")
        elif len(units) <= names:
            parts.extend(f"{u} {score:g}（并列）" for u in units)
        else:
            parts.append(f"{units[0]}等 {len(units)} 个单位并列 {score:g}（名单见“月考核”表）")
    return "、".join(parts)


def cmd_bulletin(args: argparse.Namespace) -> int:
    kind: Period = "week" if args.week is not None else "month"
    check_output(args.out)
    config = _history_config(args)
    entry = config.find(args.book) if config else None
    rules = config.rules_for(entry, args.rules) if config else _rules(args)
    spec = entry.spec if entry else args.book
    book = open_book(spec, args.credentials or (entry.credentials if entry else None))
    month = args.month if isinstance(args.month, tuple) else None
    week = week_of(args.week)[0] if isinstance(args.week, date) else None
    with progress_display(Console(stderr=True)):
        outcome = on_demand_sync(book, spec, args.as_of or rules.calendar.today(), config=config, rules=rules,
                                 jobs=BULLETIN_JOBS[kind], dry_run=True, month=month, week=week)
    made = make_bulletin(outcome.state, kind, args.out)
    console = Console(highlight=False, soft_wrap=True)
    for warning in made.warnings:
        console.print(f"[yellow]注意[/] {escape(warning)}")
    console.print(f"已写出{made.bulletin.title}（{made.bulletin.period}）：{escape(str(made.out))}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.book:
        config = config.only(args.book)
    log_to(config.log, config.rules_for().calendar.timezone)
    try:
        with closing(History(config.history)) as history:
            hook = scheduler_hook(config.notify, history, config.rules) if config.notify else None
            if not args.once:
                scheduler = Scheduler(config, history, after_sync=hook)
                with scheduler.stop_on_signals():
                    scheduler.serve()
                return 0
            with _progress(len(config.books)) as advance:
                scheduler = Scheduler(config, history, on_book=advance, after_sync=hook)
                with scheduler.stop_on_signals():
                    results = scheduler.tick()
    except KeyboardInterrupt:
        console.print("已中止：未完成的作业会在下次运行时补上")
        return EXIT_INTERRUPTED
    for result in results:
        ran = "；".join(f"{r.as_of:%m-%d} {'、'.join(r.jobs)}" for r in result.runs)
        text = {"ok": f"[green]已运行[/] {ran}", "idle": "无到期作业", "busy": "[yellow]另一个进程正在同步，已跳过[/]",
                "failed": f"[red]失败[/] {result.error}（下次运行时重试）"}[result.status]
        console.print(f"{result.book.name}：{text}")
    return run_exit_code(results)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[BookResult], None]]:
    """A progress bar over the books (on a terminal only); yields the callback that advances it."""
    screen = Console(stderr=True)
    with Progress(console=screen, transient=True, disable=not screen.is_terminal) as bar:
        task = bar.add_task("同步工作簿", total=total)
        yield lambda result: bar.update(task, advance=1, description=result.book.name)


def cmd_history(args: argparse.Namespace) -> int:
    config = _history_config(args, DEFAULT_CONFIG)
    if config is None:
        raise ConfigError("history", "不知道历史数据库在哪里", "请用 --history 指定数据库，或用 --config 指定配置文件")
    if not config.history.exists():
        raise ConfigError(str(config.history), "历史数据库不存在",
                          "先运行 dispatchbook run 或 dispatchbook sync --history")
    if not (args.task or args.runs or args.unit or args.sent) or (args.unit and not args.month) or (args.restore and not args.task):
        raise DispatchError("history", "请指明要看什么",
                            "任务时间线：history 任务编号；取回整行：history 任务编号 --restore；"
                            "单位考核：history --unit 单位 --month 2026-11；运行记录：history --runs；通知：history --sent")
    rules = config.rules_for(None, args.rules)
    entry = config.find(args.book) if args.book else None
    with closing(History(config.history)) as history:
        key, label = find_book(history, entry.spec if entry else args.book, args.task)
        if args.restore:
            row = restore(history, key, label, args.task, args.month)
            Console(stderr=True, highlight=False).print(
                f"任务 {args.task} 最后一次出现在 {row.tab}（{row.day:%Y-%m-%d}）。以下整行可复制后粘贴到该表末尾：")
            print(row.tsv())
        elif args.task:
            labels = Labels({k: c.label for k, c in rules.palette.items()}, {r.key: r.label for r in rules.kinds})
            _print_timeline(label, args.task, timeline(history, key, args.task, labels, args.month))
        elif args.sent:
            _print_sent(label, Outbox(history).listing(key))
        elif args.unit:
            _print_unit_month(label, args.month, unit_month(history, key, args.unit, args.month, args.as_of))
        else:
            _print_runs(label, runs(history, key), rules)
    return 0


def _print_timeline(label: str, task: str, frame: pd.DataFrame) -> None:
    for tab, rows in frame.groupby("tab", sort=False):
        table = Table(title=f"{label} › {tab} › 任务 {task}（只列出有变化的日子）")
        for column in ("日期", "颜色", "进度", "状态", "截止日期", "责任单位", "调度类别", "变化"):
            table.add_column(column, overflow="fold")
        for r in rows.itertuples(index=False):
            table.add_row(r.day, r.colour, r.progress, r.status, r.deadline, r.unit_name, r.kind, r.changes)
        console.print(table)


def _print_unit_month(label: str, month: tuple[int, int], result: UnitMonth) -> None:
    scores = Table(title=f"{label} › {result.unit_name}（{result.level}）{month[0]}年{month[1]}月 得分变化")
    for column in ("日期", "得分", "排名", "扣分", "加分"):
        scores.add_column(column, justify="right")
    for s in result.scores.itertuples(index=False):
        scores.add_row(s.day, f"{s.score:g}", str(s.rank), f"{s.deductions:g}", f"{s.bonuses:g}")
    console.print(scores)
    if result.lines.empty:
        console.print(f"截至 {result.day:%Y-%m-%d} 本月没有扣分或加分记录")
        return
    lines = Table(title=f"截至 {result.day:%Y-%m-%d} 的扣分和加分明细")
    for column in ("任务编号", "任务名称", "规则", "分值", "依据"):
        lines.add_column(column, overflow="fold")
    for line in result.lines.itertuples(index=False):
        lines.add_row(line.id, line.name, line.rule_label, f"{line.points:+g}", line.facts)
    console.print(lines)


def cmd_notify(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if config.notify is None:
        raise ConfigError(str(args.config), "配置文件中没有 [notify] 通知设置", "请参照 README 的“通知”一节添加 [notify]")
    entry = config.find(args.book)
    rules = config.rules_for(entry, args.rules)
    spec = entry.spec if entry else args.book
    backend = open_book(spec, args.credentials or (entry.credentials if entry else None))
    outcome = run_sync(backend, args.as_of or rules.calendar.today(), jobs=args.jobs, rules=rules, dry_run=True)
    rules_dir = args.rules or (entry.rules if entry else None) or config.rules
    if args.dry_run:
        done = notify(backend, outcome, config.notify, book_key=book_key(spec), history=None, rules_dir=rules_dir,
                      dry_run=True)
    else:
        with closing(History(config.history)) as history:
            history.see(book_key(spec), entry.name if entry else backend.label, datetime.now(UTC))
            done = notify(backend, outcome, config.notify, book_key=book_key(spec), history=history,
                          rules_dir=rules_dir)
    console.print(f"[bold]{backend.label}[/] 调度日期 {outcome.as_of:%Y-%m-%d}，作业：{'、'.join(outcome.jobs) or '（无）'}，"
                  f"通知 {len(done.messages)} 条" + ("（试运行，不发送）" if args.dry_run else ""))
    for message in done.messages:
        via = "邮件" if message.channel == "email" else f"群机器人 {message.channel}"
        attached = f"（附件 {message.attachment.name}）" if message.attachment else ""
        console.print(f"\n[bold]→ {escape(message.recipient)}[/] · {escape(via)}{escape(attached)}\n"
                      f"{escape(message.subject)}\n{escape(message.body)}")
    for problem in done.problems:
        console.print(f"[yellow]通讯录问题[/] {escape(str(problem))}")
    report = done.report
    if report is None:
        return 0
    console.print(f"\n已发送 {len(report.sent)} 条，此前已发送而跳过 {len(report.skipped)} 条，失败 {len(report.failed)} 条")
    for message, error in report.failed:
        console.print(f"[red]未发出[/] {escape(message.recipient)} · {escape(message.channel)}：{escape(error)}")
    return EXIT_REMOTE if report.failed else 0


def _print_sent(label: str, frame: pd.DataFrame) -> None:
    table = Table(title=f"{label} › 通知")
    for column in ("日期", "类型", "收件人", "渠道", "标题", "结果", "次数", "说明"):
        table.add_column(column, overflow="fold")
    kinds = {"reminder": "催办", "digest": "值班日报", "weekly": "周通报", "monthly": "月考核"}
    for r in frame.itertuples(index=False):
        table.add_row(r.day, kinds.get(r.kind, r.kind), r.recipient, "邮件" if r.channel == "email" else r.channel,
                      r.subject, STATES.get(r.state, r.state), str(r.attempts), r.error)
    console.print(table)


def _print_runs(label: str, frame: pd.DataFrame, rules: Rulebook) -> None:
    table = Table(title=f"{label} › 最近的运行记录")
    for column in ("开始时间", "调度日期", "作业", "结果", "写入", "数据问题"):
        table.add_column(column, overflow="fold")
    zone = rules.calendar.timezone
    for r in frame.itertuples(index=False):
        table.add_row(f"{r.started.astimezone(zone):%Y-%m-%d %H:%M}", r.as_of, "、".join(r.jobs),
                      "成功" if r.ok else f"失败：{r.error}", "、".join(r.written), str(r.problems))
    console.print(table)


def cmd_demo(args: argparse.Namespace) -> int:
    source = example_workbook()
    if args.gsheets:
        return _demo_gsheets(source)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out)
    console.print(f"示例工作簿已复制到 {out}，按示例日期 {EXAMPLE_AS_OF:%Y-%m-%d} 运行全部作业……")
    return main(["sync", str(out), "--as-of", EXAMPLE_AS_OF.isoformat(), "--jobs", "all"])


def _standin() -> ModuleType:
    """The offline Sheets stand-in: test infrastructure in a source checkout's ``standin/``, not in the wheel."""
    if not (REPOSITORY / "standin" / "__init__.py").is_file():
        raise DispatchError("demo --gsheets", "离线 Google 表格演示需要源代码检出，安装包里不含 Google 表格替身",
                            "请在项目源代码目录中运行 make demo 或 .venv/bin/dispatchbook demo --gsheets")
    if str(REPOSITORY) not in sys.path:
        sys.path.insert(0, str(REPOSITORY))
    try:
        return importlib.import_module("standin")
    except ImportError as error:
        raise DispatchError("demo --gsheets", f"Google 表格替身缺少依赖（{error.name}）",
                            "请在项目目录中安装测试依赖：.venv/bin/pip install -e '.[test]'") from None


def _demo_gsheets(source: Path) -> int:
    """The Google flow offline: the example seeded into the stand-in, synced twice through gspread."""
    from .backends.xlsx import XlsxBook  # noqa: PLC0415

    staff = XlsxBook(source)
    with _standin().running_standin() as standin:
        spreadsheet = standin.seed(staff.read(staff.sheet_names()), title="党建调度示例")
        console.print(f"示例已放入本地 Google 表格替身（gsheet:{spreadsheet}），按 {EXAMPLE_AS_OF:%Y-%m-%d} 同步……")
        for attempt in ("第一次同步", "第二次同步（数据未变）"):
            book = standin.book(spreadsheet)
            before = sum(standin.api.counts(spreadsheet).values())
            outcome = run_sync(book, EXAMPLE_AS_OF, jobs=list(job_rules.JOBS))
            counts = standin.api.counts(spreadsheet)
            console.print(f"{attempt}：{sum(counts.values()) - before} 个请求（累计 {dict(counts)}）")
        _print_summary(outcome, book.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
