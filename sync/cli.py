"""The ``dispatchbook`` command: parse arguments, call the library, print, choose the exit code."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from . import jobs as job_rules
from .backends import open_book
from .backends.base import Backend, Grid, WritePlan
from .book import read_book
from .config import DEFAULT_CONFIG, Config, ConfigError, config_for_history, load_config
from .engine import SyncOutcome, run_sync
from .errors import EXIT_INTERRUPTED, EXIT_PROBLEMS, DispatchError
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
from .problems import Problem
from .rulebook import Rulebook, load_rules
from .runlog import log_to
from .scheduler import BookResult, Scheduler, on_demand_sync
from .scheduler import exit_code as run_exit_code
from .schema import MONTH, STAFF_TABS, month_tab_name
from .staffsheets import staff_sheet
from .values import BadValue, parse_date, parse_month

console = Console(highlight=False)
REPO = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except Exception as error:  # noqa: BLE001 - every failure ends as one line and its exit code (see exits.py)
        line = bug_line(error, log_bug(error)) if is_bug(error) else one_line(error)
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]错误[/] {escape(line)}")
        return exit_code(error)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dispatchbook", description="党建调度：在员工已在用的 Excel / Google 表格上运行调度。")
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="write an empty template (or the example with --example)")
    init.add_argument("book", type=Path)
    init.add_argument("--example", action="store_true", help="a realistic example organisation")
    init.add_argument("--as-of", type=_date, help="the example's 'today' (default: %(default)s)",
                      default=EXAMPLE_AS_OF)
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(run=cmd_init)

    check = sub.add_parser("check", help="read a book and list every data problem (exit 1 when there are any)")
    _book_args(check)
    check.add_argument("--json", action="store_true", help="print problems as JSON")
    check.set_defaults(run=cmd_check)

    sync = sub.add_parser("sync", help="run the dispatch on a book and write the summary tabs back")
    _book_args(sync)
    sync.add_argument("--jobs", type=_jobs, help="comma-separated: daily,weekly,xun,monthly,quarterly or all "
                                                 "(default: the jobs due on the as-of date)")
    sync.add_argument("--dry-run", action="store_true", help="write nothing; print what would change")
    sync.add_argument("--json", action="store_true", help="print a machine-readable result")
    sync.add_argument("--report-to", type=Path, help="write the summary tabs into this .xlsx instead")
    _history_args(sync, "remember this sync (snapshot, assessment, run record); takes the book's lock")
    sync.set_defaults(run=cmd_sync)

    run = sub.add_parser("run", help="keep every configured book in rhythm (the 五个一 jobs), catching up missed jobs")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="the config file (default: %(default)s)")
    run.add_argument("--once", action="store_true", help="run what is due now and exit (for cron / timers)")
    run.add_argument("--book", action="append", help="only this configured book (repeatable)")
    run.set_defaults(run=cmd_run)

    history = sub.add_parser("history", help="a task's timeline, a row to paste back, a unit's month, run records")
    history.add_argument("task", nargs="?", metavar="TASK_ID", help="the task's colour/progress/status by day")
    history.add_argument("--restore", action="store_true", help="print the task's last known row, tab-separated")
    history.add_argument("--unit", help="a unit's scores and deduction lines for --month")
    history.add_argument("--month", type=_month, help="YYYY-MM: the month for --unit; the sheet for a task")
    history.add_argument("--as-of", type=_date, help="with --unit: the lines as they stood on this day")
    history.add_argument("--runs", action="store_true", help="the latest run records")
    history.add_argument("--book", help="which book (its name, path or spreadsheet) when the history has several")
    history.add_argument("--rules", type=Path, help="the rules folder (for colour and kind names)")
    _history_args(history, "the history database (default: the one in ./dispatchbook.toml)")
    history.set_defaults(run=cmd_history)

    demo = sub.add_parser("demo", help="sync a copy of the bundled example and print the summary")
    demo.add_argument("--out", type=Path, default=REPO / "build" / "demo.xlsx")
    demo.add_argument("--gsheets", action="store_true",
                      help="run the same sync on a Google spreadsheet served by the bundled offline stand-in")
    demo.set_defaults(run=cmd_demo)
    return p


def _book_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("book", help="a .xlsx/.xlsm path, or gsheet:SPREADSHEET_ID, or a Google Sheets URL")
    p.add_argument("--as-of", type=_date, help="the dispatch date (default: today in the rules' timezone)")
    p.add_argument("--rules", type=Path, help="the rules folder (default: the project's rules/)")
    p.add_argument("--credentials", help="service-account JSON for Google Sheets")


def _history_args(p: argparse.ArgumentParser, text: str) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--history", type=Path, metavar="DB", help=text)
    where.add_argument("--config", type=Path, help="take the history, locks, rules and book settings from this file")


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
        sheets = [staff_sheet(t, month_tab_name(args.as_of.year, args.as_of.month) if t is MONTH else t.name, [])
                  for t in STAFF_TABS]
        write_new_book(path, sheets)
        console.print(f"已生成空白模板 {path}")
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
        table.add_row(p.where, p.message, p.value or "", p.fix + ("；该行本次未参与调度" if p.skipped else ""))
    console.print(table)


def cmd_sync(args: argparse.Namespace) -> int:
    config = _history_config(args)
    entry = config.find(args.book) if config else None
    rules = config.rules_for(entry, args.rules) if config else _rules(args)
    spec = entry.spec if entry else args.book
    book = open_book(spec, args.credentials or (entry.credentials if entry else None), report_to=args.report_to)
    outcome = on_demand_sync(book, spec, args.as_of or rules.calendar.today(), config=config, rules=rules,
                             jobs=args.jobs, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
    elif args.dry_run:
        _print_plan(outcome.plan, book)
    else:
        _print_summary(outcome, book.label)
    return 0


def _print_plan(plan: WritePlan, book: Backend) -> None:
    console.print("[bold]试运行：不写入任何内容。[/]若正式同步，将会：")
    existing = book.sheet_names()
    current = book.read([s.name for s in plan.owned if s.name in existing])
    for sheet in plan.owned:
        if sheet.name not in current:
            console.print(f"  新建汇总表 {sheet.name}（{len(sheet.rows)} 行）")
        elif _trimmed(current[sheet.name]) == _trimmed(sheet.rows):
            console.print(f"  汇总表 {sheet.name} 内容不变")
        else:
            console.print(f"  替换汇总表 {sheet.name}（{len(sheet.rows)} 行）")
    for sheet in plan.created:
        console.print(f"  新建月度任务表 {sheet.name}（{len(sheet.rows) - 1} 个任务）")
    for append in plan.appends:
        console.print(f"  在 {append.tab} 末尾追加 {len(append.rows)} 个任务")
    for colours in plan.colours:
        console.print(f"  为 {colours.tab} 的 {len(colours.colours)} 个任务标注颜色")


def _trimmed(grid: Grid) -> Grid:
    """A grid without trailing empty cells and rows, for comparing what a tab shows."""
    rows = [list(row) for row in grid]
    for row in rows:
        while row and row[-1] in (None, ""):
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _print_summary(outcome: SyncOutcome, label: str) -> None:
    state = outcome.state
    tasks = state.tasks
    palette = state.rules.palette
    console.print(f"[bold]{label}[/] 调度日期 {outcome.as_of:%Y-%m-%d}，作业：{'、'.join(outcome.jobs) or '（今日无到期作业）'}")
    if outcome.month_created:
        console.print(f"  新建 {month_tab_name(*state.month)}：{len(outcome.month.rows)} 个任务"
                      f"（其中上月结转 {outcome.month.carried} 个）")
    elif len(outcome.month.rows):
        console.print(f"  {month_tab_name(*state.month)} 追加 {len(outcome.month.rows)} 个新任务")
    colours = Table(title="一图四色")
    for colour in palette.values():
        colours.add_column(colour.label, justify="right", style=f"#{colour.fill}")
    colours.add_row(*(str(int((tasks["colour"] == key).sum())) for key in palette))
    console.print(colours)
    scores = state.assessment(state.month)
    for level, group in scores.bottom.groupby("level", sort=False):
        weakest = "、".join(f"{r.unit_name} {r.score:g}" for r in group.itertuples(index=False))
        console.print(f"  {level}短板：{weakest}")
    if state.problems:
        console.print(f"  [yellow]{len(state.problems)} 个数据问题[/]，见“数据问题”表（dispatchbook check 可列出）")
    console.print(f"  已写入：{'、'.join(outcome.written)}" if outcome.written else "  内容与上次相同，未写入")


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.book:
        config = config.only(args.book)
    log_to(config.log, config.rules_for().calendar.timezone)
    try:
        with closing(History(config.history)) as history:
            if not args.once:
                scheduler = Scheduler(config, history)
                with scheduler.stop_on_signals():
                    scheduler.serve()
                return 0
            with _progress(len(config.books)) as advance:
                scheduler = Scheduler(config, history, on_book=advance)
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
    if not (args.task or args.runs or args.unit) or (args.unit and not args.month) or (args.restore and not args.task):
        raise DispatchError("history", "请指明要看什么",
                            "任务时间线：history 任务编号；取回整行：history 任务编号 --restore；"
                            "单位考核：history --unit 单位 --month 2026-11；运行记录：history --runs")
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
    for column in ("任务编号", "任务名称", "规则", "分值"):
        lines.add_column(column, overflow="fold")
    for line in result.lines.itertuples(index=False):
        lines.add_row(line.id, line.name, line.rule_label, f"{line.points:+g}")
    console.print(lines)


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
    source = REPO / "workbooks" / "example.xlsx"
    if args.gsheets:
        return _demo_gsheets(source)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out)
    console.print(f"示例工作簿已复制到 {out}，按示例日期 {EXAMPLE_AS_OF:%Y-%m-%d} 运行全部作业……")
    return main(["sync", str(out), "--as-of", EXAMPLE_AS_OF.isoformat(), "--jobs", "all"])


def _demo_gsheets(source: Path) -> int:
    """The Google flow offline: the example seeded into the stand-in, synced twice through gspread."""
    from .backends.xlsx import XlsxBook  # noqa: PLC0415
    from .standin import running_standin  # noqa: PLC0415

    staff = XlsxBook(source)
    with running_standin() as standin:
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
