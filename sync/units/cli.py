"""The command line of the unit books: ``distribute``, and what a collecting sync prints."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..backends import open_book
from ..config import load_config
from ..errors import DispatchError
from ..rulebook import Rulebook
from .collect import Exchanged, UnitsSetup
from .distribute import distribute
from .layout import UNIT_LEVELS
from .run import setup_for
from .status import NAME, silent

console = Console(highlight=False, soft_wrap=True)


def add_distribute(sub: argparse._SubParsersAction, book_args: Callable[[argparse.ArgumentParser], None],
                   rules_of: Callable[[argparse.Namespace], Rulebook]) -> None:
    p = sub.add_parser("distribute", help="向各单位分发（或刷新）只含本单位任务的工作簿",
                       description="为每个基层党委或党支部写出（或刷新）一个单位工作簿：只含本单位（党委含所属支部）的本月任务，"
                                   "单位填写 进度、状态、最新进展、更新日期、备注、典型；刷新不会覆盖单位已填写的内容。"
                                   "之后用 sync --collect 文件夹 收集。",
                       epilog="示例：dispatchbook distribute 党建调度.xlsx --level 基层党委 --to 单位工作簿")
    book_args(p)
    p.add_argument("--level", choices=UNIT_LEVELS, metavar="LEVEL", help="分发到哪一级：基层党委 或 党支部")
    p.add_argument("--to", type=Path, metavar="FOLDER", help="单位工作簿所在的文件夹（不存在则新建）")
    p.add_argument("--no-new-tasks", action="store_true", help="不允许单位在自己的工作簿中新增任务")
    p.add_argument("--config", type=Path, metavar="FILE", help="从此配置文件的 [books.units] 读取文件夹和层级")
    p.set_defaults(run=lambda args: cmd_distribute(args, rules_of))


def cmd_distribute(args: argparse.Namespace, rules_of: Callable[[argparse.Namespace], Rulebook]) -> int:
    entry = load_config(args.config).find(args.book) if args.config else None
    units = entry.units if entry else None
    folder, level = args.to or (units.folder if units else None), args.level or (units.level if units else None)
    if folder is None or level is None:
        raise DispatchError("distribute", "没有指定分发的层级或文件夹",
                            "请用 --level 和 --to 指定，或在配置文件该工作簿的 [books.units] 中设置 level 和 folder")
    rules = rules_of(args)
    backend = open_book(entry.spec if entry else args.book, args.credentials or (entry.credentials if entry else None))
    credentials = args.credentials or (entry.credentials if entry else None)
    setup = UnitsSetup(folder, level, not args.no_new_tasks and (units.new_tasks if units else True),
                       setup_for(units, credentials).place if units else None)
    result = distribute(backend, setup, args.as_of or rules.calendar.today(), rules)
    console.print(f"[bold]已分发到 {escape(str(folder))}[/]：新建 {len(result.created)} 个单位工作簿，"
                  f"刷新 {sum(r.outcome == '已分发' for r in result.reports)} 个")
    print_exchange(result)
    return 0


def print_exchange(result: Exchanged) -> None:
    """Skipped books, conflicts, the unit books' problems (one line each) and the units to chase."""
    for clash in result.conflicts:
        console.print(f"  [red]冲突[/] {escape(str(clash['unit']))} {escape(clash['task'])} {escape(clash['column'])}："
                      f"采用单位的值“{escape(str(clash['unit_value']))}”，中心表原值“{escape(str(clash['central']))}”已保存")
    for p in result.problems:
        where = f" › {p.where}" if p.tab else ""
        outcome = f"；{p.outcome}" if p.outcome else ""
        console.print(f"  {escape(p.book + where)}：{escape(p.message)}。{escape(p.fix)}{escape(outcome)}")
    if result.central is not None:
        chase = silent(result.reports, result.central.as_of)
        console.print(f"{NAME}：{len(result.reports) - len(chase)}/{len(result.reports)} 个单位本周已报送"
                      + (f"；催报：{escape('、'.join(r.name for r in chase))}" if chase else ""))
