"""`dispatchbook distribute` and `sync --collect` as users run them, and `[books.units]` in dispatchbook.toml."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from sync.cli import main
from sync.config import ConfigError, load_config
from sync.units.status import NAME as STATUS


def test_distribute_then_collect_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book, folder = tmp_path / "党建调度.xlsx", tmp_path / "单位"
    assert main(["init", str(book), "--example"]) == 0
    assert main(["sync", str(book), "--as-of", "2026-11-18"]) == 0
    assert main(["distribute", str(book), "--level", "党支部", "--to", str(folder), "--as-of", "2026-11-18"]) == 0
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 80  # every branch of the example
    target = openpyxl.load_workbook(files[0])
    sheet = target["月度任务 2026-11"]
    sheet.cell(row=3, column=12).value = "支部已填写"
    task = sheet.cell(row=3, column=1).value
    target.save(files[0])
    capsys.readouterr()
    assert main(["sync", str(book), "--as-of", "2026-11-19", "--collect", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "报送情况：1/80 个单位本周已报送" in out
    central = openpyxl.load_workbook(book)
    latest = {r[0]: r[11] for r in central["月度任务 2026-11"].iter_rows(values_only=True)}
    assert latest[task] == "支部已填写"
    assert STATUS in central.sheetnames


def test_a_folder_never_distributed_to_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "党建调度.xlsx"
    assert main(["init", str(book), "--example"]) == 0
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--collect", str(tmp_path / "无")]) == 2
    assert "请先运行 dispatchbook distribute" in capsys.readouterr().err


def test_units_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "dispatchbook.toml"
    path.write_text('[[books]]\nname = "集团"\npath = "a.xlsx"\n[books.units]\nfolder = "单位"\nlevel = "基层党委"\n',
                    "utf-8")
    units = load_config(path).books[0].units
    assert units is not None and units.folder == tmp_path / "单位" and units.level == "基层党委" and units.new_tasks
    path.write_text('[[books]]\nname = "集团"\npath = "a.xlsx"\n[books.units]\nfolder = "单位"\nlevel = "集团党委"\n',
                    "utf-8")
    with pytest.raises(ConfigError, match="不能分发"):
        load_config(path)
