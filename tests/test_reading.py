"""Reading books written by openpyxl: headers, aliases, title rows, and one problem per bad cell."""

import io
import zipfile
from datetime import date, datetime

import pytest

from sync.backends.xlsx import XlsxBook
from sync.backends.xlsx.ooxml.container import HEAD, TAIL, ZipSource
from sync.book import read_book
from sync.errors import DispatchError
from sync.schema import fold, fold_many
from tests.conftest import MONTH_HEADER, minimal_tabs, write_xlsx

AS_OF = date(2026, 11, 18)


def row(task_id="T-1", unit="一矿综采一队党支部", start=date(2026, 11, 2), deadline=date(2026, 11, 30),
        progress=50, status="进行中", updated=date(2026, 11, 17)):
    return [task_id, "任务", "常规工作", "集团党委", "组织部", unit, "支部书记", start, deadline, progress, status,
            "推进中", updated, None]


def read(tmp_path, tabs, name="book.xlsx"):
    return read_book(XlsxBook(write_xlsx(tmp_path / name, tabs)), AS_OF)


def test_clean_book_reads_typed_frames(tmp_path):
    book = read(tmp_path, minimal_tabs([row(), row("T-2", "ZB0201", progress="80%", status="已销号",
                                                   deadline="2026/11/20", updated="11月17日")]))
    assert book.problems == []
    f = book.months[(2026, 11)].frame
    assert list(f["id"]) == ["T-1", "T-2"]
    assert list(f["unit"]) == ["ZB0101", "ZB0201"]  # names and codes both resolve to codes
    assert list(f["progress"]) == [50.0, 80.0]
    assert list(f["status"]) == ["open", "closed"]
    assert list(f["deadline"]) == [datetime(2026, 11, 30), datetime(2026, 11, 20)]
    assert f["updated"][1] == datetime(2026, 11, 17)
    assert list(f["_row"]) == [2, 3]


def test_title_rows_blank_rows_aliases_and_full_width_headers(tmp_path):
    header = ["Task ID", "任务名称", "Category", "来源", "牵头部门", "ＲＥＳＰＯＮＳＩＢＬＥ　ＵＮＩＴ", "责任人", "开始日期",
              " deadline ", "进度 %", "状态*", "最新进展", "更新日期", "备注"]
    tabs = minimal_tabs()
    tabs["月度任务 2026-11"] = [["2026年11月重点工作任务安排表"], [], [None, None], header, row()]
    book = read(tmp_path, tabs)
    data = book.months[(2026, 11)]
    assert data.header_row == 3
    assert list(data.frame["_row"]) == [5]
    assert book.problems == []


def test_english_tab_names_are_accepted(tmp_path):
    tabs = minimal_tabs([row()])
    tabs["Org"] = tabs.pop("组织架构")
    tabs["plan book"] = tabs.pop("年度计划书")
    assert read(tmp_path, tabs).problems == []


def test_missing_required_tab_names_book_tab_and_aliases(tmp_path):
    tabs = minimal_tabs([row()])
    del tabs["年度计划书"]
    with pytest.raises(DispatchError) as err:
        read(tmp_path, tabs)
    assert str(err.value) == ("book.xlsx: 找不到工作表“年度计划书”（也可命名为 plan / plan book / annual plan / 计划书）。"
                              "请添加这个工作表，或用 dispatchbook init 生成模板后把数据复制进去")
    assert err.value.exit_code == 2


def test_missing_column_stops_only_that_tab_and_names_the_header_found(tmp_path):
    tabs = minimal_tabs()
    header = ["完成时间" if h == "截止日期" else h for h in MONTH_HEADER]
    tabs["月度任务 2026-11"] = [header, row()]
    book = read(tmp_path, tabs)
    assert [str(p) for p in book.problems] == [
        "book.xlsx › 月度任务 2026-11: 找不到表头 “截止日期”（也可写作 deadline / due / due date / 截止时间 / 完成时限）；"
        "第 1 行的表头为：A1“任务编号”、B1“任务名称”、C1“类别”、D1“来源”、E1“牵头部门”、F1“责任单位”、G1“责任人”、"
        "H1“开始日期”、I1“完成时间”、J1“进度”、K1“状态”、L1“最新进展”、M1“更新日期”、N1“备注”。"
        "I1“完成时间”是否应为“截止日期”。请在表头行加上这些列（表头上方的标题行和空行会被跳过）；"
        "本表本次未参与调度，其他表照常同步"]
    assert not book.months[(2026, 11)].readable
    assert list(book.tabs["plan"].frame["id"]) == ["JH-001"]  # the other tabs are read


def test_broken_org_header_stops_the_book_with_every_header_named(tmp_path):
    tabs = minimal_tabs([row()])
    tabs["组织架构"][0] = ["编号X", "单位名称", "层级", "上级单位"]
    with pytest.raises(DispatchError) as err:
        read(tmp_path, tabs)
    assert err.value.exit_code == 2
    assert "找不到表头 “单位编码”" in str(err.value) and "组织架构是所有表的基础" in str(err.value)


@pytest.mark.parametrize("label", ["进度（%）", "进度(%)", "进度\n（%）", "★进度", "进度*"])
def test_header_variants_with_units_marks_and_line_breaks(tmp_path, label):
    header = [label if h == "进度" else "截止日期（必填）" if h == "截止日期" else "★任务编号" if h == "任务编号"
              else "责任\n单位" if h == "责任单位" else h for h in MONTH_HEADER]
    tabs = minimal_tabs()
    tabs["月度任务 2026-11"] = [header, row(progress=40)]
    book = read(tmp_path, tabs)
    assert book.problems == []
    assert list(book.months[(2026, 11)].frame["progress"]) == [40.0]


def test_each_bad_cell_is_one_problem_and_the_other_rows_go_on(tmp_path):
    rows = [
        row("T-1"),
        row("T-2", deadline="2026-13-45"),  # I3 unparseable date (required) → row skipped
        row("T-3", progress=120),  # J4 progress > 100 → progress ignored, row kept
        row("T-4", unit="不存在的支部"),  # F5 unknown unit → skipped
        row("T-1"),  # A6 duplicate → skipped
        row("T-6", start=date(2026, 11, 25), deadline=date(2026, 11, 20)),  # I7 deadline before start
        row(None),  # A8 empty required ID → skipped
        row("T-8", status="差不多"),  # K9 unknown status → status ignored
    ]
    book = read(tmp_path, minimal_tabs(rows))
    assert [str(p) for p in book.problems] == [
        "book.xlsx › 月度任务 2026-11!I3: 截止日期“2026-13-45”无法识别为日期。请填写日期，如 2026-11-05、2026/11/5 或 "
        "2026年11月5日；该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务",
        "book.xlsx › 月度任务 2026-11!J4: 进度“120”进度超出 0–100%。请填写 0–100 之间的进度，如 80 或 80%；本次进度按空值处理",
        "book.xlsx › 月度任务 2026-11!A8: 任务编号为空。请填写任务编号；该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务",
        "book.xlsx › 月度任务 2026-11!K9: 状态“差不多”不是可识别的状态。请填写 未开始、进行中 或 已完成（也可写 已闭合、"
        "已销号、推进中 等）；本次状态按空值处理",
        "book.xlsx › 月度任务 2026-11!A6: 任务编号“T-1”与第 2 行重复。每个任务编号只能出现一次，请改为唯一编号；该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务",
        "book.xlsx › 月度任务 2026-11!F5: 责任单位“不存在的支部”不在组织架构中。请填写组织架构中的单位编码或单位名称；"
        "该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务",
        "book.xlsx › 月度任务 2026-11!I7: 截止日期 2026-11-20 早于开始日期 2026-11-25。请核对开始日期和截止日期",
    ]
    f = book.months[(2026, 11)].frame
    assert list(f["id"]) == ["T-1", "T-3", "T-6", "T-8"]
    assert f.set_index("id")["progress"].isna()["T-3"]
    assert f.set_index("id")["start"].isna()["T-6"]


def test_org_problems(tmp_path):
    tabs = minimal_tabs([row()])
    tabs["组织架构"] += [["ZB0301", "三矿通风队党支部", "党支部", "五矿党委"], ["JC03", "三矿党委", "基层", None],
                     ["X1", "某党委", "委员会", "JT"], ["ZB0302", "三矿机电队党支部", "党支部", "ZB0101"]]
    book = read(tmp_path, tabs)
    assert [(p.where, p.kind) for p in book.problems] == [
        ("组织架构!C10", "bad_level"), ("组织架构!D8", "unknown_parent"), ("组织架构!A9", "missing_parent"),
        ("组织架构!D11", "bad_parent_level")]
    assert str(book.problems[2]) == "book.xlsx › 组织架构!A9: 基层党委“三矿党委”没有填写上级单位。请在上级单位中填写它所属单位的编码或名称"
    assert str(book.problems[3]) == ("book.xlsx › 组织架构!D11: 党支部的上级单位“ZB0101”是党支部。"
                                     "党支部的上级应为基层党委或集团党委")


def test_plan_units_may_name_several_units_or_a_level(tmp_path):
    tabs = minimal_tabs([row()])
    tabs["年度计划书"] += [["JH-002", "学习", "两学一做", None, None, "一矿党委、JC02", "3,6", None, None, None],
                      ["JH-003", "主题党日", "规定动作", None, None, "各党支部", "全年", None, None, None]]
    plan = read(tmp_path, tabs).tabs["plan"].frame.set_index("id")
    assert plan.at["JH-002", "unit"] == ("JC01", "JC02")
    assert plan.at["JH-003", "unit"] == ("ZB0101", "ZB0102", "ZB0201")
    assert plan.at["JH-002", "months"] == frozenset({3, 6})


def test_two_sheets_for_one_month_are_a_problem_and_the_first_is_read(tmp_path):
    tabs = minimal_tabs([row("T-1")])
    tabs["月度任务2026年11月"] = [MONTH_HEADER, row("T-9")]
    book = read(tmp_path, tabs)
    assert [str(p) for p in book.problems] == [
        "book.xlsx › 月度任务2026年11月: 与“月度任务 2026-11”是同一个月的任务表，本次只读取前者。"
        "请把两张表的任务合并到一张表里，删除或改名另一张"]
    assert list(book.months[(2026, 11)].frame["id"]) == ["T-1"]


@pytest.mark.parametrize("values", [["T1", " t 2 ", "A*:b", "", "x\ty"], ["Ｔ１", "T1"], ["T1", 3], ["only"], []])
def test_folding_many_ids_at_once_folds_each_as_alone(values: list[object]) -> None:
    assert fold_many(values) == [fold(x) for x in values]


@pytest.mark.parametrize("piece", [1, 3, 16, 1 << 16])
def test_a_part_is_searched_a_piece_at_a_time_without_missing_what_straddles_two_pieces(piece: int) -> None:
    needle, cells = b't="e"', b"".join(b'<c r="A%d"><v>%d</v></c>' % (i, i * 7) for i in range(40))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("without.xml", cells)
        for at in range(0, len(cells), 7):
            out.writestr(f"with{at}.xml", cells[:at] + needle + cells[at:])
        out.writestr("stored.xml", cells + needle, compress_type=zipfile.ZIP_STORED)
    source = ZipSource(archive.getvalue())
    assert all(source.holds(f"with{at}.xml", needle, piece) for at in range(0, len(cells), 7))
    assert source.holds("stored.xml", needle, piece) and not source.holds("without.xml", needle, piece)


@pytest.mark.parametrize("piece", [1, 7, 1 << 16])
def test_a_parts_ends_are_kept_a_piece_at_a_time(piece: int) -> None:
    small = b"".join(b'<c r="A%d"><v>%d</v></c>' % (i, i * 7) for i in range(400))
    big = b"".join(b'<row r="%d"><c><v>%d</v></c></row>' % (i, i * i) for i in range(120_000))  # > 2 TAIL
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("small.xml", small)
        out.writestr("stored.xml", small, compress_type=zipfile.ZIP_STORED)
        out.writestr("empty.xml", b"")
        if piece > 1:
            out.writestr("big.xml", big)
    source = ZipSource(archive.getvalue())
    assert len(big) > 2 * TAIL and len(small) > HEAD
    assert source.ends("small.xml", piece) == source.ends("stored.xml", piece) == (small[:HEAD], small[-TAIL:])
    assert source.ends("empty.xml", piece) == (b"", b"")
    if piece > 1:
        assert source.ends("big.xml", piece) == (big[:HEAD], big[-TAIL:])
