"""Daily syncs of a 100,000-task book against the naive pandas + openpyxl way, in the same run.

Organisation: 1 group, 40 grassroots committees, 600 branches; the month sheet holds 100,000 tasks.
One baseline for both ratios: the naive way on the staff's book as staff left it, before any sync.
Timed against it: the first sync of that book, and the next day's sync of the book as it stands every
morning (synced once the day before). Our runs come before and after the baseline, so a slow spell of
this shared machine hits both sides. Also: a same-day re-run that finds nothing changed (against the
next-day sync), ``--jobs all`` once (peak memory), and the first sync at
10k, 100k and 300k tasks as time per 1,000 tasks (growth should be linear). Each way runs in its own
process so its peak memory is its own. Prints every run; not a test.
``--rerun-only`` times just the same-day re-run against the next-day sync, the same re-run typed as
``dispatchbook sync`` (the command's imports and summary), plus opening the synced book (start-up, the
sync's imports and ``XlsxBook(...)``: the floor of anything decided after the book is opened).
Run: .venv/bin/python benchmarks/sync_100k.py [--skip-scaling | --rerun-only]
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bytecode import compile_package  # noqa: E402
from benchmarks.naive import write_with_openpyxl  # noqa: E402
from benchmarks.org_100k import org_rows, task_rows  # noqa: E402

AS_OF = date(2026, 11, 18)
DAY_BEFORE = date(2026, 11, 17)
N = 100_000
MONTH = "月度任务 2026-11"
REPEATS = 2  # runs of ours on each side of the baseline


def build(path: Path, n: int = N) -> None:
    """The big book, written once with xlsxwriter."""
    from sync.newbook import write_new_book  # noqa: PLC0415
    from sync.sheets import SheetGrid  # noqa: PLC0415

    plan = [["任务编号", "任务名称", "类别", "责任单位", "计划月份"], ["JH-1", "主题党日", "规定动作", "JT", "全年"]]
    write_new_book(path, [SheetGrid("组织架构", org_rows()), SheetGrid("年度计划书", plan),
                          SheetGrid(MONTH, task_rows(n, AS_OF))])


def ours(path: Path, day: date = AS_OF, jobs: str = "daily") -> None:
    """As ``dispatchbook sync`` does: nothing runs when the book's re-run record says nothing can change
    (see sync.rerun), else the sync runs and leaves that record."""
    from sync.backends.xlsx import XlsxBook  # noqa: PLC0415
    from sync.jobdays import JOBS  # noqa: PLC0415
    from sync.rerun import run_key, unchanged_since  # noqa: PLC0415
    from sync.rulebook import load_rules  # noqa: PLC0415

    book, rules = XlsxBook(path), load_rules()
    chosen = list(JOBS) if jobs == "all" else [jobs]
    if unchanged_since(book, run_key(book.label, day, rules=rules, jobs=chosen, month=None, week=None)) is None:
        from sync.engine import run_sync  # noqa: PLC0415

        run_sync(book, day, jobs=chosen, rules=rules, record=True)


def command(path: Path) -> None:
    """``dispatchbook sync BOOK --as-of … --jobs daily`` itself (its imports and summary included)."""
    from sync.cli import main  # noqa: PLC0415

    main(["sync", str(path), "--as-of", AS_OF.isoformat(), "--jobs", "daily"])


def naive(path: Path) -> None:
    """pandas (openpyxl engine) to read, the same rules, openpyxl load + modify + save to write back."""
    import pandas as pd  # noqa: PLC0415

    from sync.backends.memory import MemoryBook  # noqa: PLC0415
    from sync.engine import run_sync  # noqa: PLC0415

    frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    grids = {name: [[None if pd.isna(v) else v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row]
                    for row in frame.itertuples(index=False, name=None)] for name, frame in frames.items()}
    memory = MemoryBook(grids, label=path.name)
    write_with_openpyxl(path, run_sync(memory, AS_OF, jobs=["daily"]).plan)


def opened(path: Path) -> None:
    """Only open the book the way a sync does: the file read, its zip bounds checked, calamine opened."""
    from sync.backends.xlsx import XlsxBook  # noqa: PLC0415
    from sync.engine import run_sync  # noqa: F401, PLC0415  (the sync's imports, as a re-run pays them)

    XlsxBook(path)


MODES = {"ours": ours, "open": opened, "command": command, "all": lambda path: ours(path, jobs="all"), "naive": naive,
         "yesterday": lambda path: ours(path, DAY_BEFORE)}


def child(mode: str, path: Path) -> None:
    start = time.perf_counter()
    if mode.startswith("build-"):
        build(path, int(mode.removeprefix("build-")))
    else:
        MODES[mode](path)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}))


def prepare(mode: str, path: Path) -> None:
    """Build or sync a book in a child process: this process stays small, as a child's peak memory
    counts what it inherited at fork."""
    subprocess.run([sys.executable, __file__, "--child", mode, str(path)], check=True, capture_output=True)


def measure(mode: str, source: Path, folder: Path) -> dict[str, float]:
    """One run of ``mode`` on a copy of ``source``, in a fresh process (start-up and imports included)."""
    target = folder / "runs" / mode / source.name  # the book's own name: it is one of the sync's inputs
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(target)], check=True,
                         capture_output=True, text=True)
    run = json.loads(out.stdout.strip().splitlines()[-1])
    run["process"] = time.perf_counter() - start
    return run


def show(label: str, runs: list[dict[str, float]]) -> dict[str, float]:
    """Print every run of one way and return the median one (by process wall time)."""
    runs = sorted(runs, key=lambda m: m["process"])
    for m in runs:
        print(f"  {label}: {m['process']:6.2f} s process wall ({m['seconds']:.2f} s in the sync), "
              f"{m['cpu']:6.2f} s CPU, peak {m['peak_mib']:5.0f} MiB")
    return runs[len(runs) // 2]


def verdict(ratio: float) -> str:
    return "aim 15× met" if ratio >= 15 else "bar 10× met" if ratio >= 10 else "bar 10× NOT met"


def scaling(folder: Path) -> None:
    """The first sync of fresh books of 10k, 100k and 300k tasks: seconds per 1,000 tasks."""
    print("growth (first sync of a fresh book, one run each):")
    for n in (10_000, 100_000, 300_000):
        book = folder / f"fresh-{n}" / "book.xlsx"
        book.parent.mkdir()
        prepare(f"build-{n}", book)
        run = measure("ours", book, folder)
        book.unlink()
        print(f"  {n:>7,} tasks: {run['process']:6.2f} s, {run['process'] / n * 1000:.3f} s per 1,000 tasks, "
              f"peak {run['peak_mib']:5.0f} MiB")


def books(folder: Path) -> tuple[Path, Path, Path]:
    """The staff's fresh book, the book synced yesterday, and the book synced today as well."""
    fresh, synced, done = (folder / part / "book.xlsx" for part in ("fresh", "synced", "done"))
    for path in (fresh, synced, done):
        path.parent.mkdir()
    start = time.perf_counter()
    prepare(f"build-{N}", fresh)
    print(f"built a {N:,}-task book of 641 units in {time.perf_counter() - start:.1f} s "
          f"({fresh.stat().st_size / 2**20:.1f} MiB)")
    shutil.copyfile(fresh, synced)
    prepare("yesterday", synced)  # yesterday's sync: the book as it stands every morning
    print(f"synced once as of {DAY_BEFORE} ({synced.stat().st_size / 2**20:.1f} MiB with the summary tabs)")
    shutil.copyfile(synced, done)
    prepare("ours", done)  # today's sync done: a second click the same day finds nothing changed
    return fresh, synced, done


def rerun_only() -> None:
    """The same-day re-run against the next-day sync, and the cost of only opening the synced book."""
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _, synced, done = books(folder)
        nextday = [measure("ours", synced, folder) for _ in range(REPEATS)]
        rerun = [measure("ours", done, folder) for _ in range(REPEATS)]
        opening = [measure("open", done, folder) for _ in range(REPEATS)]
        typed = [measure("command", done, folder) for _ in range(REPEATS)]
        nextday += [measure("ours", synced, folder) for _ in range(REPEATS)]
        rerun += [measure("ours", done, folder) for _ in range(REPEATS)]
        print("every run:")
        b = show("next-day sync (synced book)      ", nextday)
        c = show("same-day re-run (nothing changed)", rerun)
        t = show("re-run typed as dispatchbook sync", typed)
        o = show("opening the synced book only     ", opening)
        print("medians:")
        for label, run in (("same-day re-run", c), ("as the command ", t), ("opening only   ", o)):
            print(f"  {label}: {run['process']:5.2f} s = {run['process'] / b['process']:.0%} of the next-day sync "
                  f"(CPU {run['cpu'] / b['cpu']:.0%})")


def main(with_scaling: bool) -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fresh, synced, done = books(folder)
        first = [measure("ours", fresh, folder) for _ in range(REPEATS)]
        nextday = [measure("ours", synced, folder) for _ in range(REPEATS)]
        baseline = measure("naive", fresh, folder)  # the staff's book as staff left it
        first += [measure("ours", fresh, folder) for _ in range(REPEATS)]
        nextday += [measure("ours", synced, folder) for _ in range(REPEATS)]
        rerun = [measure("ours", done, folder) for _ in range(REPEATS)]
        every_job = measure("all", synced, folder)
        print("every run:")
        slow = show("naive pandas+openpyxl, staff's book", [baseline])
        a = show("first sync (fresh book)          ", first)
        b = show("next-day sync (synced book)      ", nextday)
        c = show("same-day re-run (nothing changed)", rerun)
        show("next-day sync, --jobs all        ", [every_job])
        print("medians against the one baseline:")
        for label, run in (("first sync   ", a), ("next-day sync", b)):
            ratio = slow["process"] / run["process"]
            print(f"  {label}: {run['process']:5.2f} s vs {slow['process']:5.2f} s = {ratio:4.1f}× wall, "
                  f"{slow['cpu'] / run['cpu']:4.1f}× CPU ({verdict(ratio)})")
        share = c["process"] / b["process"]
        print(f"  same-day re-run: {c['process']:5.2f} s = {share:.0%} of the next-day sync "
              f"(< 30%: {'met' if share < 0.3 else 'NOT met'})")
        daily_peak = max(m["peak_mib"] for m in first + nextday)
        print(f"  peak RSS daily {daily_peak:.0f} MiB (< 600: {'met' if daily_peak < 600 else 'NOT met'}), "
              f"all jobs {every_job['peak_mib']:.0f} MiB (< 1024: {'met' if every_job['peak_mib'] < 1024 else 'NOT met'})")
        if with_scaling:
            scaling(folder)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    elif "--rerun-only" in sys.argv:
        rerun_only()
    else:
        main(with_scaling="--skip-scaling" not in sys.argv)
