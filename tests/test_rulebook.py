"""Rule files: loaded, checked, and every mistake reported with file, key path and fix."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from sync.rulebook import DEFAULT_RULES_DIR, RuleError, load_rules


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def error(folder: Path) -> str:
    with pytest.raises(RuleError) as err:
        load_rules(folder)
    assert err.value.exit_code == 2
    return str(err.value)


def test_shipped_rules_load():
    rules = load_rules()
    assert [c.key for c in rules.colours] == ["green", "red", "orange", "blue"]
    assert [k.label for k in rules.kinds] == ["重点调度", "超前调度", "变化调度", "常规"]
    assert rules.params["预警工作日"] == 3 and rules.params["滞后预警点数"] == 20
    assert (rules.base, rules.floor, rules.bottom) == (100, 0, 3)
    assert rules.jobs["daily"].at.isoformat() == "07:30:00"


def test_wrong_operator(rules_dir):
    edit(rules_dir, "colours.toml", 'op = ">="', 'op = "=<"')
    assert error(rules_dir) == ("rules/colours.toml › colour[3].any[2].op: 字段“进度滞后”不支持运算符“=<”。"
                                "可用：== != < <= > >= empty not empty")


def test_unknown_field(rules_dir):
    edit(rules_dir, "dispatch.toml", 'field = "来源"', 'field = "来处"')
    message = error(rules_dir)
    assert message.startswith("rules/dispatch.toml › kind[1].any[1].field: 没有可用的字段“来处”。可用字段：任务编号、任务名称、")
    assert "颜色" not in message  # assessment-only fields are not offered to dispatch rules


def test_typo_in_a_key(rules_dir):
    edit(rules_dir, "assessment.toml", 'value = "overdue"', 'vlaue = "overdue"')
    assert error(rules_dir) == "rules/assessment.toml › line[1].all[1].vlaue: 不认识的项。可用的项：field、op、param、value、values"


def test_value_of_the_wrong_type(rules_dir):
    edit(rules_dir, "colours.toml", "value = 0", 'value = "零"')
    assert error(rules_dir) == "rules/colours.toml › colour[2].all[1].value: 值“零”应为数字。字段“逾期天数”的值应为数字"


def test_unknown_param(rules_dir):
    edit(rules_dir, "colours.toml", 'param = "预警工作日"', 'param = "预警天数"')
    assert error(rules_dir) == "rules/colours.toml › colour[3].any[1].param: 没有名为“预警天数”的参数。请先在 [params] 中定义"


def test_default_rule_must_be_last(rules_dir):
    edit(rules_dir, "dispatch.toml", 'label = "常规"\ndefault = true', 'label = "常规"')
    assert error(rules_dir) == "rules/dispatch.toml › kind[4]: 这条规则没有条件。请加上 [[…all]] 或 [[…any]] 条件，或设 default = true"


def test_toml_syntax_error_names_the_line(rules_dir):
    edit(rules_dir, "jobs.toml", 'at = "07:30"', 'at = "07:30')
    assert error(rules_dir).startswith("rules/jobs.toml: TOML 格式错误：")
    assert "(at line 13, column 12)" in error(rules_dir)


def test_bad_colour_and_bad_calendar_date(rules_dir):
    edit(rules_dir, "colours.toml", 'fill = "FF0000"', 'fill = "red"')
    assert error(rules_dir) == "rules/colours.toml › colour[2].fill: 颜色“red”不是 6 位十六进制。例如 FF0000 表示红色"
    edit(rules_dir, "colours.toml", 'fill = "red"', 'fill = "FF0000"')
    edit(rules_dir, "calendar.toml", "holidays = []", 'holidays = ["2027-02-30"]')
    assert error(rules_dir) == "rules/calendar.toml › holidays[1]: “2027-02-30”不是日期。写作 \"2027-01-01\""


def test_missing_rule_file(rules_dir):
    (rules_dir / "jobs.toml").unlink()
    assert error(rules_dir) == f"rules/jobs.toml: 找不到规则文件。请用 dispatchbook init-rules {rules_dir} 写出默认规则文件"


def test_calendar_additions_are_working_days(rules_dir):
    edit(rules_dir, "calendar.toml", "workdays = []", 'workdays = ["2027-02-20"]')
    assert load_rules(rules_dir).calendar.is_workday(date(2027, 2, 20))
