"""Benchmark: write a daily plan into a 100,000-row month sheet book, against the naive openpyxl way.

Builds (with xlsxwriter) a book with one 100,000-row 月度任务 sheet, then times in the same run,
each in a fresh process so peak memory is its own:

* ours: open the book, read the month sheet (calamine), write a plan — 3 summary tabs, a colour
  for every task (100,000-entry colour map), 500 appended rows — by part-level zip surgery;
* next: the following day's sync of the book "ours" wrote — new colours, nothing to append, so the
  month sheet's part is copied as it is;
* naive: pandas read with openpyxl, then openpyxl load + the same changes (per-cell fills for the
  colours) + save.

Prints wall time and peak RSS of both and the ratio. Usage: ``python benchmarks/xlsx_write.py [rows]``.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.naive import write_with_openpyxl  # noqa: E402
from sync.sheets import (  # noqa: E402
    Cell,
    CellStyle,
    Chart,
    Colour,
    Grid,
    RowAppend,
    Series,
    SheetGrid,
    TaskColours,
    WritePlan,
)

# Heavy libraries are imported inside the functions, so each measured process loads only its own.
COLUMNS = ["任务编号", "任务名称", "类别", "来源", "牵头部门", "责任单位", "责任人", "开始日期",
           "截止日期", "进度", "状态", "最新进展", "更新日期", "备注", "典型"]
TAB = "月度任务 2026-11"
KINDS = ("red", "green", "orange", "blue")


def build(path: Path, rows: int) -> None:
    import xlsxwriter  # noqa: PLC0415

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(TAB)
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, COLUMNS)
    start = dt.date(2026, 11, 1)
    for r in range(1, rows + 1):
        branch = r % 600
        sheet.write_row(r, 0, [f"T{r:06d}", f"第{branch}党支部重点工作任务{r}", "组织建设", "年度计划书",
                               "组织部", f"第{branch % 40}基层党委第{branch}党支部", f"责任人{branch}"])
        sheet.write_datetime(r, 7, dt.datetime(2026, 11, 1), dates)
        sheet.write_datetime(r, 8, dt.datetime(2026, 11, 1 + r % 28), dates)
        sheet.write_row(r, 9, [r % 101 / 100, "进行中", f"已推进第{r % 9}项工作，按计划落实"])
        sheet.write_datetime(r, 12, dt.datetime.combine(start, dt.time()), dates)
    book.close()


def plan(rows: int, day: int = 0) -> WritePlan:
    """Day 0: 500 new tasks are appended; day 1: colours change, nothing to append."""
    palette = {"red": Colour("red", "红色考核", "FF0000", "FFFFFF"),
               "green": Colour("green", "绿色已闭合", "00B050", "FFFFFF"),
               "orange": Colour("orange", "橙色预警", "FFC000", "000000"),
               "blue": Colour("blue", "蓝色进行中", "0070C0", "FFFFFF")}
    board_rows: Grid = [["调度看板（截至 2026-11-05）"], ["单位", "红", "橙", "蓝", "绿"]]
    board_rows += [[f"第{u}基层党委", u % 7, u % 5, u % 3, u % 11] for u in range(40)]
    board = SheetGrid("调度看板", board_rows,
                      styles={(0, 0): CellStyle(bold=True, size=14)}, column_widths=[24, 8, 8, 8, 8],
                      freeze=(2, 1), charts=[Chart("四色分布", (2, 41, 0), tuple(
                          Series(n, (2, 41, c), palette[k].fill) for c, (n, k) in
                          enumerate(zip("红橙蓝绿", KINDS, strict=True), start=1)), (1, 6))])
    lines: Grid = [["周报表（截至 2026-11-05）"], ["编号", "任务", "单位", "情况"]]
    lines += [[f"T{r:06d}", f"任务{r}", f"第{r % 40}基层党委", "逾期"] for r in range(1, 2001)]
    issues: Grid = [["数据问题（截至 2026-11-05）"], ["位置", "问题"]]
    issues += [[f"{TAB}!I{r}", "截止日期为空"] for r in range(2, 302)]
    weekly, problems = SheetGrid("周报表", lines), SheetGrid("数据问题", issues)
    colours = {f"T{r:06d}": KINDS[(r + day) % 4] for r in range(1, rows + 501)}
    appended: list[dict[int, Cell]] = [{0: f"T{r:06d}", 1: f"补充任务{r}", 5: "第1基层党委",
                                        8: dt.date(2026, 11, 30), 10: "未开始"} for r in range(rows + 1, rows + 501)]
    appends = [] if day else [RowAppend(TAB, appended, {8: CellStyle(number_format="yyyy-mm-dd")})]
    return WritePlan(owned=[board, weekly, problems], appends=appends,
                     colours=[TaskColours(TAB, 0, 0, 10, colours)], palette=palette)


def ours(path: Path, rows: int, day: int = 0) -> None:
    from sync.backends.xlsx import XlsxBook  # noqa: PLC0415

    the_plan = plan(rows, day)
    start = time.perf_counter()
    book = XlsxBook(path, backups=1)
    grid = book.read([TAB])[TAB]
    assert len(grid) == rows + 1 + 500 * day
    read = time.perf_counter()
    book.write(the_plan)
    done = time.perf_counter()
    print(json.dumps({"seconds": done - start, "read": read - start, "write": done - read,
                      "peak_mib": _peak_mib()}))


def naive(path: Path, rows: int) -> None:
    import pandas as pd  # noqa: PLC0415

    the_plan = plan(rows)
    start = time.perf_counter()
    frame = pd.read_excel(path, sheet_name=TAB, engine="openpyxl")
    assert len(frame) == rows
    write_with_openpyxl(path, the_plan)
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": _peak_mib()}))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(mode: str, book: Path, rows: int) -> dict[str, float]:
    """Run one mode in a fresh process on a copy of ``book``; wall time and peak RSS."""
    work = book.with_name(f"{mode}-{book.name}")
    shutil.copyfile(book, work)
    run = subprocess.run([sys.executable, __file__, mode, str(work), str(rows)],
                         capture_output=True, text=True, check=False)
    if run.returncode:
        raise SystemExit(f"{mode} failed:\n{run.stderr}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) == 4:
        path, rows = Path(sys.argv[2]), int(sys.argv[3])
        {"ours": lambda: ours(path, rows), "next": lambda: ours(path, rows, day=1),
         "naive": lambda: naive(path, rows)}[sys.argv[1]]()
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "book.xlsx"
        start = time.perf_counter()
        build(book, rows)
        print(f"book: {rows:,} task rows, {book.stat().st_size / 2**20:.1f} MiB, "
              f"built in {time.perf_counter() - start:.1f} s")
        fast = measure("ours", book, rows)
        print(f"ours : {fast['seconds']:6.2f} s (read {fast['read']:.2f} s, write {fast['write']:.2f} s), "
              f"peak {fast['peak_mib']:.0f} MiB")
        again = measure("next", book.with_name(f"ours-{book.name}"), rows)
        print(f"next : {again['seconds']:6.2f} s (read {again['read']:.2f} s, write {again['write']:.2f} s), "
              f"peak {again['peak_mib']:.0f} MiB (next day: new colours, nothing appended)")
        slow = measure("naive", book, rows)
        print(f"naive: {slow['seconds']:6.2f} s, peak {slow['peak_mib']:.0f} MiB "
              "(pandas+openpyxl read, openpyxl load/modify/save)")
        print(f"ratio: ours is {slow['seconds'] / fast['seconds']:.1f}x faster")


if __name__ == "__main__":
    main()
