"""dispatchbook.toml: the example loads, paths resolve against the file, mistakes name their key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from sync.config import ConfigError, book_key, load_config
from sync.rulebook import DEFAULT_RULES_DIR

REPO = Path(__file__).resolve().parent.parent


def write(folder: Path, text: str) -> Path:
    path = folder / "dispatchbook.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_loads() -> None:
    config = load_config(REPO / "dispatchbook.example.toml")
    local, shared = config.books
    assert (local.name, local.spec) == ("集团党建调度台账", str(REPO / "台账" / "集团党建调度台账.xlsx"))
    assert local.credentials is None and local.key == book_key(str(REPO / "台账/集团党建调度台账.xlsx"))
    assert shared.key == "gsheet:REPLACE_WITH_SPREADSHEET_ID"
    assert shared.credentials == str(REPO / "secrets" / "service-account.json")
    assert config.history == REPO / "state" / "dispatchbook-history.sqlite"
    assert config.locks == REPO / "state" / "dispatchbook-history-locks"
    assert config.log == REPO / "state" / "dispatchbook.log"
    assert (config.timezone, config.poll_minutes) == ("Asia/Shanghai", 1.0)
    assert config.job_times["monthly"] == time(8, 30)


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    config = load_config(write(tmp_path, '[[books]]\nname = "一矿"\npath = "sub/../一矿.xlsx"\n'))
    assert config.books[0].spec == str(tmp_path / "一矿.xlsx")
    assert config.history == tmp_path / "dispatchbook-history.sqlite"
    assert (config.timezone, config.log, config.rules, config.job_times) == (None, None, None, {})
    assert config.find("一矿") is config.books[0]
    assert config.find(str(tmp_path / "sub" / ".." / "一矿.xlsx")) is config.books[0]
    assert config.find("二矿") is None


def test_rules_take_the_configured_timezone_and_times(tmp_path: Path) -> None:
    (tmp_path / "rules").symlink_to(DEFAULT_RULES_DIR)
    config = load_config(write(tmp_path, 'timezone = "Asia/Urumqi"\nrules = "rules"\n[jobs]\ndaily = "06:45"\n'
                                         '[[books]]\nname = "一矿"\npath = "一矿.xlsx"\n'))
    rules = config.rules_for(config.books[0])
    assert str(rules.calendar.timezone) == "Asia/Urumqi"
    assert rules.jobs["daily"].at == time(6, 45) and rules.jobs["weekly"].at == time(8, 0)
    assert rules.jobs["daily"].when == "workday"
    assert config.rules_for(config.books[0]) is rules  # loaded once


def test_a_sheet_url_and_its_id_are_the_same_book() -> None:
    assert book_key("gsheet:1AbC_d-9") == book_key("https://docs.google.com/spreadsheets/d/1AbC_d-9/edit#gid=0")
    assert book_key("gsheet:1AbC_d-9") != book_key("gsheet:1AbC_d-8")


@pytest.mark.parametrize(("text", "where", "says"), [
    ("", "books", "没有配置任何工作簿"),
    ('colour = "red"\n[[books]]\nname = "a"\npath = "a.xlsx"\n', "colour", "不认识的项"),
    ('[[books]]\nname = "a"\n', "books[1]", "path 和 gsheet 须且只能写一个"),
    ('[[books]]\nname = "a"\npath = "a.xlsx"\ngsheet = "1AbC"\n', "books[1]", "path 和 gsheet 须且只能写一个"),
    ('[[books]]\nname = "a"\ngsheet = "1AbC"\n', "books[1].credentials", "服务账号凭据"),
    ('[[books]]\npath = "a.xlsx"\n', "books[1].name", "缺少工作簿名称"),
    ('[[books]]\nname = "a"\npath = "a.xlsx"\nsheet = "x"\n', "books[1].sheet", "不认识的项"),
    ('[[books]]\nname = "a"\npath = "a.xlsx"\n[[books]]\nname = "a"\npath = "b.xlsx"\n', "books[2].name", "重复"),
    ('[[books]]\nname = "a"\npath = "a.xlsx"\n[[books]]\nname = "b"\npath = "./a.xlsx"\n', "books[2]", "同一个文件"),
    ('timezone = "Mars/Base"\n[[books]]\nname = "a"\npath = "a.xlsx"\n', "timezone", "不认识的时区"),
    ('poll_minutes = 0\n[[books]]\nname = "a"\npath = "a.xlsx"\n', "poll_minutes", "应为正数"),
    ('[jobs]\nhourly = "07:00"\n[[books]]\nname = "a"\npath = "a.xlsx"\n', "jobs.hourly", "不认识的作业"),
    ('[jobs]\ndaily = "7点半"\n[[books]]\nname = "a"\npath = "a.xlsx"\n', "jobs.daily", "不是时刻"),
    ('history = 3\n[[books]]\nname = "a"\npath = "a.xlsx"\n', "history", "应为非空文字"),
    ('[[books]\nname = "a"', "dispatchbook.toml", "TOML 格式错误"),
])
def test_mistakes_name_their_key(tmp_path: Path, text: str, where: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert error.value.where.endswith(where) and says in error.value.message


def test_a_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"dispatchbook\.example\.toml"):
        load_config(tmp_path / "dispatchbook.toml")


def test_only_some_books(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[[books]]\nname = "一矿"\npath = "一矿.xlsx"\n'
                                         '[[books]]\nname = "二矿"\npath = "二矿.xlsx"\n'))
    assert [b.name for b in config.only(["二矿"]).books] == ["二矿"]
    assert [b.name for b in config.only([str(tmp_path / "一矿.xlsx"), "二矿"]).books] == ["一矿", "二矿"]
    with pytest.raises(ConfigError, match="配置中没有工作簿 三矿"):
        config.only(["三矿"])
