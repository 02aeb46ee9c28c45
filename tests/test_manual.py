"""The Chinese user manual (docs/用户手册.md) checked against the product wherever a machine can check it.

Tab and column tables against the schema; sync-owned tab sections against a real sync of the example
workbook; commands and options against ``--help``; parameters, colours, kinds, scoring lines, jobs and
rule-file keys against rules/*.toml; config keys, data-problem kinds and exit codes against the code;
the worked colour and score examples against that same sync. When one of these fails, the manual (or
the code) says something the other does not: amend the manual's section, not this test.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sync import cli, config, errors, normalise, scheduler
from sync.backends import open_book
from sync.engine import SyncOutcome, run_sync
from sync.example import EXAMPLE_AS_OF
from sync.notify.contacts import CONTACTS
from sync.notify.outbox import Outbox
from sync.notify.settings import NotifySettings
from sync.progress import SHOW_FROM_TASKS
from sync.reports.today import LAST_MONTH_DAYS
from sync.rulebook import Rulebook, load_rules
from sync.schema import DAY_TYPE_LABELS, MONTH, STAFF_TABS, Tab
from sync.units import status
from sync.units.layout import UNIT_LEVELS

ROOT = Path(__file__).resolve().parent.parent
MANUAL_PATH = ROOT / "docs" / "用户手册.md"
MANUAL = MANUAL_PATH.read_text(encoding="utf-8")
RULES_DIR = ROOT / "rules"
REQUIREMENT = {"required": "★ 必填", "optional": "◇ 可无此列", "present": "可留空"}
BOOK_TABS = (*STAFF_TABS, CONTACTS)  # every tab staff fill in: the sync's own and the reminders' 通讯录


def part(title: str) -> str:
    """The text of one top-level part ("# 第一部分 …") up to the next part."""
    match = re.search(rf"^# {title}.*?(?=^# |\Z)", MANUAL, re.M | re.S)
    assert match, f"the manual has no part “{title}”"
    return match.group(0)


STAFF_PART, LEADER_PART, ADMIN_PART = part("第一部分"), part("第二部分"), part("第三部分")


def tab_sections(text: str) -> dict[str, str]:
    """Sections whose heading ends with a backticked tab name: name → body up to the next heading."""
    found = {}
    for match in re.finditer(r"^(#{2,4}) [^\n`]*`([^`]+)`\s*\n(.*?)(?=^#{1,4} |\Z)", text, re.M | re.S):
        found[match.group(2)] = match.group(3)
    return found


def split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().removeprefix("|").removesuffix("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


def tables(text: str) -> Iterator[tuple[list[str], list[list[str]]]]:
    """Every markdown table in ``text``: (header, rows)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-| ]+\|$", lines[i + 1].strip()):
            header = split_row(lines[i])
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(split_row(lines[i]))
                i += 1
            yield header, rows
        else:
            i += 1


def table(text: str, *header_start: str) -> list[list[str]]:
    """The rows of the first table whose header begins with ``header_start``."""
    for header, rows in tables(text):
        if header[:len(header_start)] == list(header_start):
            return rows
    raise AssertionError(f"no table with header {header_start} in the manual")


def code(cell: str) -> str:
    return cell.strip().strip("`")


def tab_heading(tab: Tab) -> str:
    return f"{tab.name} YYYY-MM" if tab is MONTH else tab.name


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return load_rules(RULES_DIR)


@pytest.fixture(scope="module")
def outcome(rules: Rulebook) -> SyncOutcome:
    """Every job on the shipped example workbook as of its example day, read by the real reader; nothing written."""
    book = open_book(str(ROOT / "workbooks" / "example.xlsx"))
    return run_sync(book, EXAMPLE_AS_OF, jobs=list(rules.jobs), rules=rules, dry_run=True)


# Part 1: staff tabs and what may be typed


def test_every_staff_tab_has_a_section_and_only_staff_tabs_do():
    assert set(tab_sections(STAFF_PART)) == {tab_heading(t) for t in BOOK_TABS}


@pytest.mark.parametrize("tab", BOOK_TABS, ids=lambda t: t.key)
def test_column_table_matches_the_schema(tab: Tab):
    rows = table(tab_sections(STAFF_PART)[tab_heading(tab)], "列名", "要求")
    listed = [(label, requirement) for label, requirement, *_ in rows]
    expected = [(c.label, REQUIREMENT["required" if c.required else "optional" if c.optional else "present"])
                for c in tab.columns]
    assert listed == expected


def test_overview_lists_every_staff_tab():
    rows = table(STAFF_PART, "表", "谁来填")
    assert [code(r[0]) for r in rows] == [tab_heading(t) for t in BOOK_TABS]
    required = {code(r[0]) for r in rows if r[3] == "同步无法进行"}
    assert required == {tab_heading(t) for t in STAFF_TABS if t.required}


def _problem_kinds_in_code() -> set[str]:
    """The ``kind`` of every Problem the package builds (bad_<kind> for each value kind that can fail)."""
    kinds: set[str] = set()
    for path in (ROOT / "sync").rglob("*.py"):
        if "standin" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for call in re.split(r"\bProblem\(", source)[1:]:
            window = call[:300]
            if re.search(r'f"bad_\{', window):
                used = {c.kind for t in STAFF_TABS for c in t.columns}
                kinds |= {f"bad_{kind}" for kind in normalise.FIXES if kind in used}
                # and a literal chosen beside it (e.g. "excel_error" if error else f"bad_{…}")
                kinds |= set(re.findall(r'(?<![\w{])"([a-z]+(?:_[a-z]+)+)"', window.split('f"bad_{')[0]))
                continue
            literal = re.search(r'(?<![\w{])"([a-z]+(?:_[a-z]+)+)"', window)
            assert literal, f"{path.name}: a Problem without a literal kind near “{window[:80]}”"
            kinds.add(literal.group(1))
    return kinds


def test_problem_kind_table_lists_every_kind_the_code_reports():
    listed = [code(r[0]) for r in table(STAFF_PART, "类型代码")]
    assert len(listed) == len(set(listed))
    assert set(listed) == _problem_kinds_in_code()


def test_colour_table_names_the_rule_colours(rules: Rulebook):
    assert [r[0] for r in table(STAFF_PART, "颜色", "含义")] == [c.label for c in rules.colours]


# Part 2: sync-owned tabs, colours, kinds, scores, rhythm, parameters


def test_every_tab_the_sync_writes_has_a_section(outcome: SyncOutcome):
    owned = [sheet.name for sheet in outcome.plan.owned] + [status.NAME]  # 报送情况: the collect mode's tab
    assert list(tab_sections(LEADER_PART)) == owned
    for name in owned:  # and staff are told not to edit it
        assert name in STAFF_PART.split("## 1.2")[0]


def test_rhythm_table_matches_jobs_toml():
    jobs = tomllib.loads((RULES_DIR / "jobs.toml").read_text(encoding="utf-8"))
    rows = table(LEADER_PART, "作业", "代码", "何时运行", "默认时刻")
    assert [code(r[1]) for r in rows] == list(jobs)
    for label, key, when, at, *_ in rows:
        job = jobs[code(key)]
        assert label == job["label"]
        assert re.match(r"`([^`]+)`", when).group(1) == job["when"]
        assert at == job["at"]
        assert ("顺延" in when) == job.get("shift_to_workday", False)


def test_kind_table_names_the_rule_kinds(rules: Rulebook):
    assert [r[0] for r in table(LEADER_PART, "调度类型", "条件（默认规则）")] == [k.label for k in rules.kinds]


def test_scoring_table_matches_assessment_lines(rules: Rulebook):
    rows = table(LEADER_PART, "规则", "条件", "分值")
    assert [r[0] for r in rows] == [line.label for line in rules.lines]
    for (_, _, points), line in zip(rows, rules.lines, strict=True):
        assert float(points.removeprefix("每项 ")) == rules.points(line)
    assert f"**{rules.base:g} 分**" in LEADER_PART
    assert f"最低 {rules.floor:g} 分" in LEADER_PART
    assert f"得分最低的 {rules.bottom} 个单位" in LEADER_PART
    assert ("**不含**" in LEADER_PART) == (not rules.include_descendants)


def _toml_params() -> dict[str, tuple[str, float, str]]:
    params = {}
    for path in sorted(RULES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for name, spec in data.get("params", {}).items():
            params[name] = (spec["alias"], float(spec["value"]), path.name)
    return params


def test_parameter_table_matches_rule_files():
    rows = table(LEADER_PART, "参数", "英文名", "默认值", "所在文件")
    listed = {name: (alias, float(value), file) for name, alias, value, file, *_ in rows}
    assert len(listed) == len(rows)
    assert listed == _toml_params()


def test_worked_colour_example_matches_a_real_sync(outcome: SyncOutcome):
    tasks = outcome.state.tasks.set_index("id")
    rows = table(LEADER_PART, "任务编号", "任务名称", "开始日期", "截止日期", "进度", "应有进度")
    assert rows
    for task_id, name, start, deadline, progress, expected, lag, left, overdue, colour in rows:
        t = tasks.loc[task_id]
        assert t["name"] == name
        assert t["start"] == pd.Timestamp(start) and t["deadline"] == pd.Timestamp(deadline)
        assert (0.0 if pd.isna(t["progress"]) else t["progress"]) == float(progress.removesuffix("%"))
        # the code keeps exact figures (the lag is compared exactly); the manual, like the tabs, shows one decimal
        assert (round(t["expected_progress"], 1), round(t["progress_lag"], 1), t["workdays_left"]) == (
            float(expected), float(lag), float(left))
        assert (overdue == "—") if t["days_overdue"] <= 0 else (float(overdue) == t["days_overdue"])
        assert t["colour_label"] == colour


def test_worked_score_example_matches_a_real_sync(outcome: SyncOutcome, rules: Rulebook):
    intro = re.search(r"\*\*算例\*\*（示例工作簿，(\d{4}-\d{2}-\d{2})，([^）]+)）。月考核明细中\2共有 (\d+) 条", LEADER_PART)
    assert intro, "the score example names its day and unit"
    assert intro.group(1) == EXAMPLE_AS_OF.isoformat()
    unit = intro.group(2)
    a = outcome.state.assessment(outcome.state.month)
    lines = a.lines[a.lines["unit_name"] == unit]
    assert len(lines) == int(intro.group(3))
    rows = table(LEADER_PART, "规则", "条数", "每条分值", "小计")
    *per_rule, (total_label, _, _, total) = rows
    assert [r[0] for r in per_rule] == [line.label for line in rules.lines]
    for (label, count, each, subtotal), line in zip(per_rule, rules.lines, strict=True):
        n = int((lines["rule_label"] == label).sum())
        assert (int(count), float(each), float(subtotal)) == (n, rules.points(line), n * rules.points(line))
    score = a.scores.set_index("unit_name").loc[unit]
    assert total_label == "得分" and float(total) == score["score"]
    rank = re.search(rf"在 (\d+) 个{score['level']}中排第 (\d+) 名", LEADER_PART)
    assert rank and (int(rank.group(1)), int(rank.group(2))) == ((a.scores["level"] == score["level"]).sum(),
                                                                 score["rank"])


# Part 3: commands, configuration, rule files, exit codes


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, "--help"])
    assert stop.value.code == 0, f"dispatchbook {' '.join(argv)} --help failed"
    return capsys.readouterr().out


def _commands_in_manual() -> dict[str, set[str]]:
    """Each `dispatchbook COMMAND …` that starts a code span or code-block line (or follows a path such as
    .venv/bin/), with the options written after it."""
    snippets = re.findall(r"`([^`\n]+)`", MANUAL)
    snippets += [line for block in re.findall(r"^```[^\n]*\n(.*?)^```", MANUAL, re.M | re.S)
                 for line in block.splitlines()]
    found: dict[str, set[str]] = {}
    for snippet in snippets:
        snippet = snippet.split(" # ")[0]
        for match in re.finditer(r"(?:^|[/\\])dispatchbook ([a-z][a-z-]*)(.*?)(?=[/\\]dispatchbook [a-z]|$)",
                                 snippet.strip()):
            found.setdefault(match.group(1), set()).update(re.findall(r"(?<![\w-])--[a-z][a-z-]*", match.group(2)))
    return found


def test_every_command_and_option_in_the_manual_exists(capsys: pytest.CaptureFixture[str]):
    commands = _commands_in_manual()
    assert {"init", "check", "sync", "run", "history", "demo"} <= set(commands)
    top = _help(capsys)
    for command, options in commands.items():
        assert re.search(rf"^\s+{command}\b", top, re.M), f"dispatchbook {command} is not a command"
        text = _help(capsys, command)
        for option in options:
            assert re.search(rf"(?<![\w-]){option}(?![\w-])", text), f"dispatchbook {command} has no {option}"


def test_config_tables_list_every_config_key():
    top = [code(r[0]) for r in table(ADMIN_PART, "配置项", "默认", "含义")]
    book = [code(r[0]) for r in table(ADMIN_PART, "配置项", "含义")]
    assert sorted(top) == sorted(config.TOP_KEYS)
    assert sorted(book) == sorted(config.BOOK_KEYS)


def _keys(data: object) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_rule_file_table_names_every_file_and_only_real_keys():
    rows = table(ADMIN_PART, "文件", "内容")
    assert {code(r[0]) for r in rows} == {p.name for p in RULES_DIR.glob("*.toml")}
    for name, content in rows:
        keys = _keys(tomllib.loads((RULES_DIR / code(name)).read_text(encoding="utf-8")))
        for word in re.findall(r"`\[?([a-z_]+)\]?`", content):
            assert word in keys, f"{code(name)} has no key {word}"


def test_exit_code_table_matches_the_code():
    listed = [int(r[0]) for r in table(ADMIN_PART, "退出码", "意思")]
    defined = {value for module in (errors, cli, scheduler) for name, value in vars(module).items()
               if name.startswith("EXIT_") and isinstance(value, int)}
    assert set(listed) == defined | {0}


def test_relative_links_resolve():
    for target in re.findall(r"\]\(([^)#:]+)\)", MANUAL):
        assert (MANUAL_PATH.parent / target).exists(), target
    assert "(docs/用户手册.md)" in (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0]


def _setting_keys(data: dict[str, object]) -> set[str]:
    """Top-level settings and the keys of a plain settings table ([month_sheet]); params, rule arrays and job
    tables have their own checks."""
    keys = set()
    for key, value in data.items():
        if isinstance(value, dict):
            if key != "params" and all(not isinstance(v, dict) for v in value.values()):
                keys |= set(value)
        elif not isinstance(value, list) or all(not isinstance(v, dict) for v in value):
            keys.add(key)
    return keys


def test_rule_file_table_names_every_setting():
    rows = {code(name): content for name, content in table(ADMIN_PART, "文件", "内容")}
    for path in sorted(RULES_DIR.glob("*.toml")):
        if path.name == "jobs.toml":  # its tables are the jobs, checked against the rhythm table
            continue
        named = set(re.findall(r"`\[?([a-z_]+)\]?`", rows[path.name]))
        missing = _setting_keys(tomllib.loads(path.read_text(encoding="utf-8"))) - named
        assert not missing, f"the rule-file table does not name {sorted(missing)} of {path.name}"


def test_command_table_lists_every_command(capsys: pytest.CaptureFixture[str]):
    listed = {re.match(r"`dispatchbook ([a-z-]+)", r[0]).group(1) for r in table(ADMIN_PART, "命令", "作用")}
    commands = set(re.findall(r"^    ([a-z][a-z-]*)", _help(capsys), re.M))
    assert commands and listed == commands


def test_holiday_tab_names_the_day_types():
    body = tab_sections(STAFF_PART)["节假日"]
    for label in DAY_TYPE_LABELS.values():
        assert f"`{label}`" in body


def test_numbers_of_the_board_progress_units_and_notifications_match_the_code():
    assert f"每月 1—{LAST_MONTH_DAYS} 日另有一行“上月最终结果”" in LEADER_PART
    assert f"任务超过 {SHOW_FROM_TASKS} 项的工作簿" in ADMIN_PART
    assert f"`level` | 分发到哪一级：{' 或 '.join(UNIT_LEVELS)} |" in ADMIN_PART
    attempts = NotifySettings.__dataclass_fields__["attempts"].default
    rounds = inspect.signature(Outbox).parameters["max_rounds"].default
    assert f"每条最多尝试 {attempts} 次" in ADMIN_PART and f"最多 {rounds} 轮" in ADMIN_PART
