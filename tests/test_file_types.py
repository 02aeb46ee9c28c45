"""The file types offices have: .xls, .ods, WPS .et, an .xlsx renamed to .xls, password-protected books.

Every file is made by a real writer — xlwt and LibreOffice for .xls, LibreOffice for .ods,
msoffcrypto-tool for an encrypted .xlsx — and read back the way a user runs the tool. The same staff
data saved as .xlsx (openpyxl) is the oracle: `check` and `sync --report-to` on the other formats must
give the same dispatch.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

from sync.backends.xlsx.filetype import XLSB, detect
from sync.cli import main
from tests.conftest import minimal_tabs, write_xlsx
from tests.test_xlsx_helpers import soffice

AS_OF = "2026-11-18"
TASKS = [  # 2026-11: one closed, one overdue, one due in 2 working days, one on track
    ["T1", "主题党日", "规定动作", "集团党委", None, "一矿党委", None, date(2026, 11, 2), date(2026, 11, 30),
     1.0, "已完成", None, date(2026, 11, 10), None],
    ["T2", "热线诉求回访", "热点", "董事长热线", None, "ZB0101", None, date(2026, 11, 2), date(2026, 11, 13),
     0.5, "进行中", None, date(2026, 11, 10), None],
    ["T3", "安全教育", "常规工作", "集团党委", None, "二矿党委", None, date(2026, 11, 2), date(2026, 11, 20),
     0.9, "进行中", None, date(2026, 11, 17), None],
    ["T4", "年度总结", "常规工作", "集团党委", None, "ZB0201", None, date(2026, 11, 2), date(2026, 12, 31),
     0.5, "进行中", None, date(2026, 11, 17), None],
]
TABS = minimal_tabs(TASKS)
needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")


def write_xls(path: Path, tabs: dict[str, list[list[object]]]) -> Path:
    """The staff tabs written by xlwt, the writer behind many systems' .xls exports."""
    book = xlwt.Workbook(encoding="utf-8")
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in tabs.items():
        sheet = book.add_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write(i, j, value, dated)
                elif value is not None:
                    sheet.write(i, j, value)
    book.save(str(path))
    return path


@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory) -> dict[str, Path]:
    """The openpyxl .xlsx saved by LibreOffice as .ods and as .xls, in one soffice run."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    source = write_xlsx(folder / "台账.xlsx", TABS)
    out = {}
    for suffix, filter_name in (("ods", "ods"), ("xls", "xls:MS Excel 97")):
        subprocess.run([soffice() or "soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                        "--headless", "--norestore", "--convert-to", filter_name, "--outdir", str(folder / suffix),
                        str(source)], check=True, capture_output=True, timeout=300)
        out[suffix] = folder / suffix / f"台账.{suffix}"
    return out


def _json(capsys, *argv: str) -> tuple[int, object]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def _tasks_of(capsys, book: Path, *extra: str) -> tuple[list, list]:
    code, result = _json(capsys, "sync", str(book), "--as-of", AS_OF, "--jobs", "daily", *extra)
    assert code == 0
    return result["tasks"], result["problems"]


def _same_dispatch_as_xlsx(capsys, tmp_path: Path, book: Path, kind: str, label: str) -> None:
    xlsx = write_xlsx(tmp_path / "oracle.xlsx", TABS)
    expected, _ = _tasks_of(capsys, xlsx, "--dry-run")
    assert {t["id"]: t["colour"] for t in expected} == {"T1": "green", "T2": "red", "T3": "orange", "T4": "blue",
                                                        "JH-001": "orange"}  # the plan task, added by the sync

    code, problems = _json(capsys, "check", str(book), "--as-of", AS_OF)
    assert code == 1 and [(p["where"], p["kind"]) for p in problems] == [("文件格式", "read_only_format")]
    assert problems[0]["message"] == f"这是{label}，可以检查和生成汇总，但同步只能写入 .xlsx/.xlsm 文件，不会改动它"
    assert "另存为" in problems[0]["fix"] and "--report-to" in problems[0]["fix"]

    before = book.read_bytes()
    assert main(["sync", str(book), "--as-of", AS_OF, "--jobs", "daily"]) == 2  # in place: refused, untouched
    err = capsys.readouterr().err.replace("\n", "")  # rich wraps long lines
    assert f"{label}，同步只能写入 .xlsx/.xlsm 文件，本次未写入" in err and "另存为" in err
    report = tmp_path / "汇总.xlsx"
    tasks, problems = _tasks_of(capsys, book, "--report-to", str(report))
    assert tasks == expected
    assert [p["kind"] for p in problems] == ["read_only_format"]
    assert book.read_bytes() == before
    written = openpyxl.load_workbook(report)  # a second reader
    assert {"调度看板", "重点调度", "数据问题"} <= set(written.sheetnames)
    shown = [c for row in written["数据问题"].iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith(f"这是{label}") for c in shown), kind


def test_xls_from_xlwt_is_checked_and_reported_elsewhere(tmp_path, capsys):
    book = write_xls(tmp_path / "台账.xls", TABS)
    assert detect(book.read_bytes(), book.name).key == "xls"
    _same_dispatch_as_xlsx(capsys, tmp_path, book, "xls", " Excel 97-2003 工作簿（.xls）")


@needs_soffice
@pytest.mark.parametrize(("kind", "label"), [("ods", " OpenDocument 电子表格（.ods）"),
                                             ("xls", " Excel 97-2003 工作簿（.xls）")])
def test_libreoffice_files_are_checked_and_reported_elsewhere(kind, label, libreoffice_files, tmp_path, capsys):
    book = shutil.copyfile(libreoffice_files[kind], tmp_path / libreoffice_files[kind].name)
    assert detect(book.read_bytes(), book.name).key == kind
    _same_dispatch_as_xlsx(capsys, tmp_path, book, kind, label)
    if kind == "ods":
        assert "LibreOffice 中选「文件 → 另存为」" in json.dumps(
            _json(capsys, "check", str(book), "--as-of", AS_OF)[1], ensure_ascii=False)


def test_a_biff_file_named_et_is_called_a_wps_file(tmp_path, capsys):
    # Not a file saved by WPS (none can be made here): a BIFF8 workbook, which is what WPS 表格 .et files
    # are commonly said to hold, under the .et name. The point pinned is the naming and the save-as advice.
    book = write_xls(tmp_path / "台账.et", TABS)
    code, problems = _json(capsys, "check", str(book), "--as-of", AS_OF)
    assert code == 1 and problems[0]["message"].startswith("这是 WPS 表格文件（.et）")


def test_an_xlsx_named_xls_is_read_and_written_as_xlsx(tmp_path, capsys):
    book = write_xlsx(tmp_path / "台账.xlsx", TABS).rename(tmp_path / "台账.xls")
    code, problems = _json(capsys, "check", str(book), "--as-of", AS_OF)
    assert code == 1 and [p["kind"] for p in problems] == ["misnamed_file"]
    assert problems[0]["message"] == "文件名以“.xls”结尾，内容却是 Excel 工作簿（.xlsx），已按 .xlsx 读写"
    assert "建议把文件改名为 台账.xlsx" in problems[0]["fix"]
    tasks, _ = _tasks_of(capsys, book)
    assert {t["id"]: t["colour"] for t in tasks}["T2"] == "red"
    with zipfile.ZipFile(book) as archive:  # still a real .xlsx, now with the summary tabs
        assert archive.testzip() is None
    copy = shutil.copyfile(book, tmp_path / "读回.xlsx")
    assert "调度看板" in openpyxl.load_workbook(copy).sheetnames


def test_a_password_protected_workbook_says_so(tmp_path, capsys):
    plain = write_xlsx(tmp_path / "明文.xlsx", TABS)
    book = tmp_path / "加密.xlsx"
    with plain.open("rb") as source, book.open("wb") as out:
        OOXMLFile(source).encrypt("口令123", out)
    decrypted = io.BytesIO()  # it is a real encrypted workbook: the password opens it
    office = msoffcrypto.OfficeFile(book.open("rb"))
    office.load_key(password="口令123")
    office.decrypt(decrypted)
    assert openpyxl.load_workbook(decrypted).sheetnames == list(TABS)
    for command in ("check", "sync"):
        assert main([command, str(book), "--as-of", AS_OF]) == 2
        err = capsys.readouterr().err.replace("\n", "")
        assert "加密.xlsx: 工作簿设有打开密码，无法读取。" in err and "清空密码后保存" in err


def test_an_html_table_named_xls_is_not_taken_for_a_workbook(tmp_path, capsys):
    book = tmp_path / "导出.xls"
    book.write_text("<html><head><meta charset='utf-8'></head><body><table><tr><td>单位编码</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    assert main(["check", str(book)]) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert "这是网页（HTML）格式的表格，不是真正的 Excel 工作簿" in err and "另存为" in err


def test_xlsb_is_told_by_its_parts():
    # No .xlsb writer exists here (LibreOffice only reads them): the parts an .xlsb holds are enough to tell it.
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert detect(blob.getvalue(), "台账.xlsb") is XLSB
