"""`dispatchbook init` and `dispatchbook check` as a user runs them."""

import json
import shutil
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from sync.cli import main
from sync.schema import STAFF_TABS

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "workbooks" / "example.xlsx"


def values(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_template_is_ready_to_use(tmp_path):
    path = tmp_path / "空白.xlsx"
    assert main(["init", str(path), "--as-of", "2026-12-03"]) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["组织架构", "年度计划书", "月度上报", "月度任务 2026-12", "渠道诉求", "值班表", "规则设置", "节假日"]
    month = book["月度任务 2026-12"]
    assert month.freeze_panes == "A2"
    assert [c.value for c in month[1]][:3] == ["任务编号", "任务名称", "类别"]
    assert month.column_dimensions["B"].width > 30
    dropdowns = {str(dv.sqref): dv.formula1 for dv in month.data_validations.dataValidation}
    assert dropdowns["K2:K5001"] == '"未开始,进行中,已完成"'
    assert "焦点" in dropdowns["C2:C5001"]
    assert '"集团党委,基层党委,党支部"' in {dv.formula1 for dv in book["组织架构"].data_validations.dataValidation}


def test_init_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"staff data")
    assert main(["init", str(path)]) == 2
    assert "文件已存在。换一个文件名，或加 --force 覆盖" in capsys.readouterr().err
    assert path.read_bytes() == b"staff data"


def test_example_is_reproducible_and_committed(tmp_path):
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    assert main(["init", str(first), "--example"]) == 0
    assert main(["init", str(second), "--example"]) == 0
    assert values(first) == values(second) == values(EXAMPLE)
    assert first.read_bytes() == second.read_bytes() == EXAMPLE.read_bytes()  # byte for byte


def test_example_has_the_promised_shape():
    tabs = values(EXAMPLE)
    assert {t.name for t in STAFF_TABS if t.key != "month"} <= set(tabs)
    org = tabs["组织架构"][1:]
    levels = [r[2] for r in org]
    assert (levels.count("集团党委"), levels.count("基层党委"), levels.count("党支部")) == (1, 12, 80)
    assert len(tabs["年度计划书"]) - 2 == 60  # title row and header
    assert len(tabs["渠道诉求"]) - 1 >= 20
    month = tabs["月度任务 2026-11"][1:]
    statuses = {r[10] for r in month}
    assert {"已完成", "进行中", "未开始"} <= statuses


def test_check_example_is_clean(capsys):
    assert main(["check", str(EXAMPLE), "--as-of", "2026-11-18"]) == 0
    assert "没有发现数据问题" in capsys.readouterr().out


def test_check_lists_each_broken_cell(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    shutil.copyfile(EXAMPLE, broken)
    book = openpyxl.load_workbook(broken)
    sheet = book["月度任务 2026-11"]
    sheet["I17"] = "2026-11-31"
    sheet["J20"] = 150
    sheet["F25"] = "火星党支部"
    book.save(broken)
    assert main(["check", str(broken), "--as-of", "2026-11-18", "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [(p["where"], p["kind"], p["value"]) for p in problems] == [
        ("月度任务 2026-11!I17", "bad_date", "2026-11-31"),
        ("月度任务 2026-11!J20", "bad_progress", "150"),
        ("月度任务 2026-11!F25", "unknown_unit", "火星党支部"),
    ]
    assert main(["check", str(broken), "--as-of", "2026-11-18"]) == 1
    table = capsys.readouterr().out
    assert "3 个数据问题" in table and "月度任务 2026-11!I17" in table


def test_check_missing_tab_exits_2(tmp_path, capsys):
    path = tmp_path / "x.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "随便"
    book.save(path)
    assert main(["check", str(path)]) == 2
    assert "x.xlsx: 找不到工作表“组织架构”" in capsys.readouterr().err
