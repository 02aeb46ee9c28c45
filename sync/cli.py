"""The ``dispatchbook`` command: parse arguments, call the library, print, choose the exit code."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import jobs as job_rules
from .backends import open_book
from .backends.base import WritePlan
from .book import read_book
from .engine import SyncOutcome, run_sync
from .errors import EXIT_PROBLEMS, DispatchError
from .example import EXAMPLE_AS_OF, write_example
from .newbook import write_new_book
from .problems import Problem
from .rulebook import Rulebook, load_rules
from .schema import MONTH, STAFF_TABS, month_tab_name
from .staffsheets import staff_sheet
from .values import BadValue, parse_date

console = Console(highlight=False)
REPO = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except DispatchError as error:
        Console(stderr=True, highlight=False).print(f"[bold red]错误[/] {error}")
        return error.exit_code


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
    sync.set_defaults(run=cmd_sync)

    demo = sub.add_parser("demo", help="sync a copy of the bundled example and print the summary")
    demo.add_argument("--out", type=Path, default=REPO / "build" / "demo.xlsx")
    demo.set_defaults(run=cmd_demo)
    return p


def _book_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("book", help="a .xlsx/.xlsm path, or gsheet:SPREADSHEET_ID, or a Google Sheets URL")
    p.add_argument("--as-of", type=_date, help="the dispatch date (default: today in the rules' timezone)")
    p.add_argument("--rules", type=Path, help="the rules folder (default: the project's rules/)")
    p.add_argument("--credentials", help="service-account JSON for Google Sheets")


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
    rules = _rules(args)
    book = open_book(args.book, args.credentials, report_to=args.report_to)
    outcome = run_sync(book, args.as_of or rules.calendar.today(), jobs=args.jobs, rules=rules,
                       dry_run=args.dry_run)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
    elif args.dry_run:
        _print_plan(outcome.plan, book.sheet_names())
    else:
        _print_summary(outcome, book.label)
    return 0


def _print_plan(plan: WritePlan, existing: list[str]) -> None:
    console.print("[bold]试运行：不写入任何内容。[/]若正式同步，将会：")
    for sheet in plan.owned:
        console.print(f"  {'替换' if sheet.name in existing else '新建'}汇总表 {sheet.name}（{len(sheet.rows)} 行）")
    for sheet in plan.created:
        console.print(f"  新建月度任务表 {sheet.name}（{len(sheet.rows) - 1} 个任务）")
    for append in plan.appends:
        console.print(f"  在 {append.tab} 末尾追加 {len(append.rows)} 个任务")
    for colours in plan.colours:
        console.print(f"  为 {colours.tab} 的 {len(colours.colours)} 个任务标注颜色")


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
    console.print(f"  已写入：{'、'.join(outcome.written)}")


def cmd_demo(args: argparse.Namespace) -> int:
    source = REPO / "workbooks" / "example.xlsx"
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out)
    console.print(f"示例工作簿已复制到 {out}，按示例日期 {EXAMPLE_AS_OF:%Y-%m-%d} 运行全部作业……")
    return main(["sync", str(out), "--as-of", EXAMPLE_AS_OF.isoformat(), "--jobs", "all"])


if __name__ == "__main__":
    sys.exit(main())
