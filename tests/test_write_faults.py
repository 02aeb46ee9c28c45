"""Write safety under faults and hostile files: a staff save racing the write, symlinks, owners and
modes, special files, zip bombs, damaged books, a full disk, backups, and what each exit code means."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from sync.backends.xlsx import XlsxBook
from sync.backends.xlsx import safety as xlsx_safety
from sync.backends.xlsx.backups import BACKUP_DIR, backups_of
from sync.backends.xlsx.leftovers import temporaries
from sync.backends.xlsx.ooxml.container import RawPart, ZipSink, ZipSource
from sync.backends.xlsx.ooxml.package import Package
from sync.cli import main
from sync.errors import (
    EXIT_BUG,
    EXIT_BUSY,
    EXIT_USER_ERROR,
    BookBusyError,
    BookError,
    DispatchError,
)
from sync.sheets import SheetGrid, WritePlan

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"
SYNC = ["--as-of", "2026-11-18", "--jobs", "daily"]
STEPS = ["written", "backed-up", "checked", "exchanged"]


def small_book(path: Path, value: str = "进行中") -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("月度任务 2026-11")
    sheet.write_row(0, 0, ["任务编号", "状态"])
    sheet.write_row(1, 0, ["T1", value])
    book.close()
    return path


def report() -> WritePlan:
    return WritePlan(owned=[SheetGrid("周报表", [["周报表（截至 2026-11-05）"]])])


def cell_b2(path: Path) -> object:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("月度任务 2026-11").to_python()[1][1]


# 1. a staff save at any step of the write is never lost ----------------------------------------

@pytest.mark.parametrize("how", ["in place", "by rename"])
@pytest.mark.parametrize("step", STEPS)
def test_a_staff_save_at_each_step_of_the_write_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        step: str, how: str) -> None:
    path = small_book(tmp_path / "book.xlsx")
    original = path.read_bytes()
    edit = small_book(tmp_path / "edit.xlsx", "已完成").read_bytes()  # what the staff member saves
    book = XlsxBook(path)
    seen = []

    def staff_saves(reached: str) -> None:
        seen.append(reached)
        if reached != step:
            return
        if how == "in place":
            with path.open("r+b") as out:
                out.truncate(0)
                out.write(edit)
        else:
            (tmp_path / "~saving.tmp").write_bytes(edit)
            os.replace(tmp_path / "~saving.tmp", path)

    monkeypatch.setattr(xlsx_safety, "step_reached", staff_saves)
    try:
        book.write(report())
        wrote = True
    except BookBusyError as error:
        assert error.exit_code == EXIT_BUSY
        wrote = False
    assert step in seen
    assert cell_b2(path) == "已完成"  # the staff edit is in the book
    # only a save landing after the swap (over the new book) lets the write count as done
    assert wrote == (step == "exchanged")
    kept = backups_of(path)
    assert [p.read_bytes() for p in kept] in ([], [original])  # the backup is what was read, never the edit
    assert not temporaries(tmp_path)


def test_without_an_atomic_exchange_the_last_check_still_guards(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = small_book(tmp_path / "book.xlsx")
    edit = small_book(tmp_path / "edit.xlsx", "已完成").read_bytes()
    monkeypatch.setattr(xlsx_safety, "exchange", lambda a, b: False)
    monkeypatch.setattr(xlsx_safety, "step_reached", lambda s: path.write_bytes(edit) if s == "backed-up" else None)
    with pytest.raises(BookBusyError):
        XlsxBook(path).write(report())
    assert path.read_bytes() == edit


# 2. a symlinked book is written at its target --------------------------------------------------

def test_a_symlinked_book_is_written_at_its_target(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    target = small_book(tmp_path / "shared" / "台账.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    XlsxBook(link).write(report())
    assert link.is_symlink() and link.resolve() == target
    assert "周报表" in CalamineWorkbook.from_path(str(target)).sheet_names
    assert len(backups_of(target)) == 1 and not (tmp_path / BACKUP_DIR).exists()
    for lock in (tmp_path / "shared" / "~$台账.xlsx", tmp_path / "~$link.xlsx"):  # beside the target or the link
        lock.write_text("owner")
        before = target.read_bytes()
        with pytest.raises(BookBusyError, match="锁文件"):
            XlsxBook(link).write(WritePlan(owned=[SheetGrid("周报表", [["另一周"]])]))
        assert target.read_bytes() == before and link.is_symlink()
        lock.unlink()


# 3. owner, group and mode; a read-only book -----------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_owner_group_and_mode_are_kept(tmp_path: Path) -> None:
    path = small_book(tmp_path / "book.xlsx")
    os.chown(path, 65534, 65534)  # nobody / nogroup: another user's book, synced by root
    os.chmod(path, 0o640)
    XlsxBook(path).write(report())
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)
    assert "周报表" in CalamineWorkbook.from_path(str(path)).sheet_names


def test_mode_is_kept(tmp_path: Path) -> None:
    path = small_book(tmp_path / "book.xlsx")
    os.chmod(path, 0o604)
    XlsxBook(path).write(report())
    assert stat.S_IMODE(path.stat().st_mode) == 0o604


def test_a_read_only_book_is_refused_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    assert main(["sync", str(path), *SYNC]) == EXIT_USER_ERROR
    assert "台账.xlsx: 工作簿是只读文件，本次未写入" in one_error_line(capsys)
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert not (tmp_path / BACKUP_DIR).exists()


# 4. bounded resources ---------------------------------------------------------------------------

def test_special_files_are_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "fifo.xlsx"
    os.mkfifo(fifo)  # reading it would wait for a writer for ever
    zero = tmp_path / "zero.xlsx"
    zero.symlink_to("/dev/zero")  # reading it would never end
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    for path, what in ((fifo, "不是普通文件"), (zero, "不是普通文件"), (folder, "是一个文件夹")):
        assert main(["check", str(path)]) == EXIT_USER_ERROR
        assert one_error_line(capsys).startswith(f"错误 {path.name}: {what}")


def deflated_zeros(megabytes: int) -> bytes:
    """A raw deflate stream of ``megabytes`` MiB of spaces, built without ever holding them."""
    packer = __import__("zlib").compressobj(9, 8, -15)
    mib = b" " * (1 << 20)
    packer.compress(mib)
    head = packer.flush(2)  # Z_SYNC_FLUSH: byte-aligned
    block = packer.compress(mib) + packer.flush(2)  # with a window of spaces: decodes the same anywhere after
    return head + block * (megabytes - 1) + packer.flush()


def bomb(path: Path, part: str, declared: int | None) -> Path:
    """The example with ``part`` replaced by 2 GiB of spaces, declaring ``declared`` bytes (None: the truth)."""
    source = ZipSource(EXAMPLE.read_bytes())
    packed = deflated_zeros(2048)
    size = (2048 << 20) if declared is None else declared
    with path.open("wb") as out:
        sink = ZipSink(out)
        for name in source.names():
            if name == part:
                sink.copy(RawPart(name, zipfile.ZIP_DEFLATED, 0, size, memoryview(packed), 0, 33))
            else:
                sink.copy(source.raw(name))
        sink.close()
    return path


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="measures its peak memory through Linux /proc")
@pytest.mark.parametrize("declared", [None, 40_000], ids=["honest", "lying"])
def test_a_zip_bomb_gets_one_line_quickly_in_little_memory(tmp_path: Path, declared: int | None) -> None:
    path = bomb(tmp_path / "炸弹.xlsx", "xl/styles.xml", declared)
    assert path.stat().st_size < 5 << 20
    # the peak is this process's own: Linux carries the parent's high-water mark over fork and exec, so reset it
    code = ("import re, sys, time; open('/proc/self/clear_refs', 'w').write('5'); "
            "from sync.cli import main; t = time.perf_counter(); "
            f"c = main(['check', {str(path)!r}]); "
            "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]; "
            "print(c, peak, time.perf_counter() - t, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    *lines, figures = done.stderr.strip().splitlines()
    exit_code, peak_kib, seconds = figures.split()
    print(f"zip bomb ({'honest' if declared is None else 'lying'}): {float(seconds):.2f} s, "
          f"peak {int(peak_kib) >> 10} MiB")
    assert int(exit_code) == EXIT_USER_ERROR
    assert len(lines) == 1 and "炸弹.xlsx" in lines[0] and "xl/styles.xml" in lines[0], lines
    assert int(peak_kib) < 500 << 10


# 5. damaged input: one line naming the file and the fault, exit 2, nothing written --------------

def rewritten(path: Path, change: dict[str, bytes | None], crc_off: str | None = None) -> Path:
    """The example with parts dropped (None) or replaced, or one part's CRC made wrong."""
    source = ZipSource(EXAMPLE.read_bytes())
    with path.open("wb") as out:
        sink = ZipSink(out)
        for name in source.names():
            if name in change:
                if change[name] is not None:
                    sink.add(name, change[name])  # type: ignore[arg-type]
            elif name == crc_off:
                raw = source.raw(name)
                sink.copy(RawPart(name, raw.method, raw.crc ^ 0xFFFF, raw.size, raw.data, raw.dos_time, raw.dos_date))
            else:
                sink.copy(source.raw(name))
        sink.close()
    return path


def first_sheet(name: str = "xl/worksheets/sheet1.xml") -> str:
    return ZipSource(EXAMPLE.read_bytes()).read(name).decode()


def with_entities() -> bytes:
    xml = first_sheet()
    xml = xml.replace("?>", '?><!DOCTYPE worksheet [<!ENTITY a "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA">'
                            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>', 1)
    cell = '<row r="1000"><c r="A1000" t="inlineStr"><is><t>&b;</t></is></c></row>'
    return xml.replace("<sheetData>", f"<sheetData>{cell}", 1).encode()


def full_disk(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A good book, on a disk that fills up while the new version is written."""
    shutil.copyfile(EXAMPLE, path)
    write = Package.write

    def fills_the_disk(self: Package, out: object, **options: object) -> None:
        write(self, out, **options)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Package, "write", fills_the_disk)


DAMAGED = {
    "a missing sheet part": (lambda p, _: rewritten(p, {"xl/worksheets/sheet1.xml": None}), "组织架构: 工作表已损坏"),
    "a CRC error": (lambda p, _: rewritten(p, {}, crc_off="xl/worksheets/sheet1.xml"), "组织架构: 工作表已损坏"),
    "a missing [Content_Types].xml": (lambda p, _: rewritten(p, {"[Content_Types].xml": None}), "[Content_Types].xml"),
    "entities in sheet XML": (lambda p, _: rewritten(p, {"xl/worksheets/sheet1.xml": with_entities()}), "entity"),
    "not a zip at all": (lambda p, _: p.write_bytes(b"PK\x03\x04 half a file"), "已损坏"),
    "a full disk": (full_disk, ": 磁盘空间不足，本次未写入，工作簿保持原样。请清理工作簿所在磁盘的空间后重试"),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_input_or_a_full_disk_gets_one_line_exit_2_and_nothing_written(
        tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    make, said = DAMAGED[case]
    path = tmp_path / "台账.xlsx"
    make(path, monkeypatch)
    before = path.read_bytes()
    assert main(["sync", str(path), *SYNC]) == EXIT_USER_ERROR
    line = one_error_line(capsys)
    assert line.startswith("错误 台账.xlsx") and said in line, line
    assert "Traceback" not in line
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx"]


def test_a_bug_has_its_own_exit_code_and_a_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, path)
    before = path.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("unsupported operand")

    monkeypatch.setattr("sync.cli.on_demand_sync", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert main(["sync", str(path), *SYNC]) == EXIT_BUG == 70
    line = one_error_line(capsys)
    assert "程序内部错误（TypeError: unsupported operand）" in line and str(tmp_path) in line
    assert "Traceback" in (tmp_path / "dispatchbook-errors.log").read_text(encoding="utf-8")
    assert path.read_bytes() == before


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err, err
    return err


# 6. backups -------------------------------------------------------------------------------------

def test_a_broken_backup_never_pushes_out_a_good_one(tmp_path: Path) -> None:
    path = small_book(tmp_path / "book.xlsx")
    XlsxBook(path, backups=2).write(report())
    good = backups_of(path)
    assert len(good) == 1
    truncated = good[0].with_name(good[0].name.replace(good[0].name[5:13], "29991231"))  # the newest name
    truncated.write_bytes(good[0].read_bytes()[:100])  # what a kill mid-copy used to leave
    XlsxBook(path, backups=2).write(WritePlan(owned=[SheetGrid("周报表", [["第二周"]])]))
    kept = backups_of(path)
    assert truncated not in kept and good[0] in kept and len(kept) == 2
    for backup in kept:
        with zipfile.ZipFile(backup) as archive:
            assert archive.testzip() is None


def test_a_backup_that_fails_half_way_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = small_book(tmp_path / "book.xlsx")
    before = path.read_bytes()
    calls = []
    fsync = os.fsync

    def fails_on_the_backup(fd: int) -> None:  # the 1st fsync is the new book's, the 2nd the backup's
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", fails_on_the_backup)
    with pytest.raises(BookError, match="写入失败"):
        XlsxBook(path).write(report())
    monkeypatch.undo()
    assert len(calls) == 2 and path.read_bytes() == before
    assert backups_of(path) == [] and not temporaries(tmp_path / BACKUP_DIR) and not temporaries(tmp_path)


# 9. a long file name -----------------------------------------------------------------------------

@pytest.mark.parametrize("length", [200, 250])
def test_a_long_file_name_can_be_synced(tmp_path: Path, length: int) -> None:
    stem = "台" * ((length - 5) // 3)
    name = stem + "x" * (length - 5 - len(stem.encode())) + ".xlsx"
    assert len(name.encode()) == length
    path = small_book(tmp_path / name)
    for week in ("第一周", "第二周"):
        XlsxBook(path, backups=3).write(WritePlan(owned=[SheetGrid("周报表", [[week]])]))
    assert len(backups_of(path)) == 2
    assert all(len(p.name.encode()) <= 255 for p in (tmp_path / BACKUP_DIR).iterdir())


def test_a_key_pasted_as_the_book_is_never_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    key = ('{"type": "service_account", "client_email": "sync@example.iam.gserviceaccount.com", '
           '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv/SECRETSECRET/abc\\n-----END PRIVATE KEY-----\\n"}')
    for command in ("check", "sync"):
        assert main([command, key]) == EXIT_USER_ERROR
        captured = capsys.readouterr()
        assert "SECRETSECRET" not in captured.err + captured.out and "sync@example" not in captured.err
        assert "这看起来是服务账号密钥" in captured.err


def test_replacing_a_summary_tab_keeps_an_image_and_a_drawing_a_staff_tab_shares(tmp_path: Path) -> None:
    from PIL import Image  # noqa: PLC0415

    png = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), (200, 30, 30)).save(png)
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    staff = book.add_worksheet("月度任务 2026-11")
    staff.write_row(0, 0, ["任务编号", "状态"])
    staff.insert_image("D2", str(png))
    summary = book.add_worksheet("周报表")
    summary.insert_image("B2", str(png))  # the same picture: xlsxwriter stores it once, shared
    book.close()
    source = ZipSource(path.read_bytes())
    assert [n for n in source.names() if n.startswith("xl/media/")] == ["xl/media/image1.png"]
    # and make the summary tab point at the staff tab's drawing too, as a copied sheet can
    shared = tmp_path / "shared.xlsx"
    rels = source.read("xl/worksheets/_rels/sheet2.xml.rels").decode().replace("drawing2.xml", "drawing1.xml")
    with shared.open("wb") as out:
        sink = ZipSink(out)
        for name in source.names():
            if name == "xl/worksheets/_rels/sheet2.xml.rels":
                sink.add(name, rels.encode())
            else:
                sink.copy(source.raw(name))
        sink.close()
    for each in (path, shared):
        XlsxBook(each).write(WritePlan(owned=[SheetGrid("周报表", [["新的周报表"]])]))
        after = ZipSource(each.read_bytes())
        staff_rels = after.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert "drawing1.xml" in staff_rels and "xl/drawings/drawing1.xml" in after
        assert "image1.png" in after.read("xl/drawings/_rels/drawing1.xml.rels").decode()
        assert after.read("xl/media/image1.png") == png.read_bytes()


# 9. appended rows go below the table, not below a stray value -----------------------------------

def month_sheet_with(path: Path, cells: dict[int, str]) -> Path:
    """A month sheet whose header is on row 1 with tasks T1, T2, and ``cells`` (row → text in column A)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("月度任务 2026-11")
    for r, row in enumerate([["任务编号", "状态"], ["T1", "进行中"], ["T2", "进行中"]]):
        sheet.write_row(r, 0, row)
    for row_number, text in cells.items():
        sheet.write(row_number - 1, 0, text)
    book.close()
    return path


def appending(n: int) -> WritePlan:
    from sync.sheets import RowAppend  # noqa: PLC0415

    return WritePlan(appends=[RowAppend("月度任务 2026-11", [{0: f"N{i}", 1: "未开始"} for i in range(n)])])


def column_a(path: Path) -> dict[int, object]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("月度任务 2026-11").to_python()
    return {r + 1: row[0] for r, row in enumerate(rows) if row and row[0] != ""}


def test_a_stray_value_far_below_does_not_move_appended_rows(tmp_path: Path) -> None:
    path = month_sheet_with(tmp_path / "book.xlsx", {1_048_576: "草稿"})
    XlsxBook(path).write(appending(2))
    assert column_a(path) == {1: "任务编号", 2: "T1", 3: "T2", 4: "N0", 5: "N1", 1_048_576: "草稿"}
    near = month_sheet_with(tmp_path / "near.xlsx", {10: "备注：本表每日更新"})  # close below: part of the table
    XlsxBook(near).write(appending(1))
    assert column_a(near)[11] == "N0"


def test_appended_rows_never_overwrite_a_value_below_or_pass_the_last_row(tmp_path: Path) -> None:
    path = month_sheet_with(tmp_path / "book.xlsx", {200: "草稿"})
    before = path.read_bytes()
    with pytest.raises(DispatchError, match="表格下方第 200 行有内容"):
        XlsxBook(path).write(appending(300))
    assert path.read_bytes() == before
    bottom = month_sheet_with(tmp_path / "bottom.xlsx", {r: f"T{r}" for r in range(1_048_500, 1_048_576)})
    before = bottom.read_bytes()
    with pytest.raises(DispatchError, match="超出 Excel 的最后一行"):
        XlsxBook(bottom).write(appending(2))
    assert bottom.read_bytes() == before
