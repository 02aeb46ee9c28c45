"""`dispatchbook --help`, `init-rules` and `--version`: help in Chinese with the English command and option names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.cli import main
from sync.resources import default_rules_dir

REPO = Path(__file__).resolve().parent.parent

TOP_HELP = """\
用法: dispatchbook [-h] [--version] COMMAND ...

党建调度：在员工已在用的 Excel / Google 表格上运行调度。

选项:
  -h, --help  显示本帮助并退出
  --version   显示版本号并退出

命令:
  COMMAND
    init      生成空白模板工作簿（加 --example 生成示例）
    init-rules
              把默认规则文件写入文件夹，供本单位修改
    check     检查工作簿，列出每个数据问题（有问题时退出码为 1）
    sync      对工作簿运行调度，写回汇总表
    bulletin  生成周通报或月通报（Word .docx，或经 LibreOffice 转成 .pdf）
    distribute
              向各单位分发（或刷新）只含本单位任务的工作簿
    run       按“五个一”节奏持续调度配置中的每个工作簿，补跑错过的作业
    notify    发送（或 --dry-run 列出）催办、值班日报、周通报和月考核通知
    history   任务时间线、可粘贴回表的整行、单位月度考核、运行记录
    demo      同步一份自带示例的副本并输出摘要

示例：dispatchbook init 示例.xlsx --example，然后 dispatchbook sync 示例.xlsx
"""

SYNC_HELP = """\
用法: dispatchbook sync [-h] [--as-of DATE] [--rules DIR] [--credentials KEY.json] [--jobs JOBS]
                      [--dry-run] [--month YYYY-MM] [--week DATE] [--json]
                      [--report-to OTHER.xlsx] [--collect FOLDER] [--history DB | --config FILE]
                      BOOK

对工作簿运行调度：标注任务颜色，写回汇总表。

位置参数:
  BOOK                  .xlsx/.xlsm 文件路径（.xls/.xlsb/.ods/.et 只能 check，或 sync --report-to），或
                        gsheet:SPREADSHEET_ID，或 Google 表格网址

选项:
  -h, --help            显示本帮助并退出
  --as-of DATE          调度日期（默认：规则时区的今天）
  --rules DIR           规则文件夹（默认：自带的规则；init-rules 可生成一份供修改）
  --credentials KEY.json
                        Google 表格的服务账号密钥 JSON 文件
  --jobs JOBS           逗号分隔：daily,weekly,xun,monthly,quarterly 或 all（默认：调度日期当天到期的作业）
  --dry-run             试运行：不写入，只列出将会做的改动
  --month YYYY-MM       重新生成指定月份的 月报表 和 月考核（如月末后更正了数据），例如 --month 2026-11
  --week DATE           重新生成包含该日期的那一周（周一至周日）的 周报表，例如 --week 2026-11-16
  --json                以 JSON 输出结果
  --report-to OTHER.xlsx
                        把汇总表写入另一个 .xlsx，不改动本工作簿
  --collect FOLDER      收集模式：先从 distribute 分发到该文件夹的单位工作簿收集填报，写入本月任务表和 报送情况
  --history DB          记录本次同步（每日快照、考核、运行记录）；同步时锁定工作簿
  --config FILE         从此配置文件读取历史数据库、锁、规则和工作簿设置

示例：dispatchbook sync 党建调度.xlsx --as-of 2026-11-18 --jobs all --dry-run
"""

BULLETIN_HELP = """\
用法: dispatchbook bulletin [-h] [--as-of DATE] [--rules DIR] [--credentials KEY.json]
                          (--week [DATE] | --month [YYYY-MM]) --out FILE
                          [--history DB | --config FILE]
                          BOOK

生成周通报或月通报：标题和期间、主要数据、一图四色分布图、红色任务、短板、典型导向、下步到期事项。只读取工作簿，不写入。

位置参数:
  BOOK                  .xlsx/.xlsm 文件路径（.xls/.xlsb/.ods/.et 只能 check，或 sync --report-to），或
                        gsheet:SPREADSHEET_ID，或 Google 表格网址

选项:
  -h, --help            显示本帮助并退出
  --as-of DATE          调度日期（默认：规则时区的今天）
  --rules DIR           规则文件夹（默认：自带的规则；init-rules 可生成一份供修改）
  --credentials KEY.json
                        Google 表格的服务账号密钥 JSON 文件
  --week [DATE]         周通报：默认为周报表所报告的那一周；给出日期则为包含该日期的那一周
  --month [YYYY-MM]     月通报：默认为月报表所报告的那个月；给出月份则为该月，例如 2026-11
  --out FILE            输出文件：.docx（Word/WPS），或 .pdf（需要安装 LibreOffice）
  --history DB          与同步使用同一历史数据库（周内新增红色按历史快照判定，与周报表一致）
  --config FILE         从此配置文件读取历史数据库、锁、规则和工作簿设置

示例：dispatchbook bulletin 党建调度.xlsx --week --out 周通报.docx；dispatchbook bulletin 党建调度.xlsx --month
2026-11 --out 月通报.pdf
"""

NOTIFY_HELP = """\
用法: dispatchbook notify [-h] [--as-of DATE] [--rules DIR] [--credentials KEY.json] [--jobs JOBS]
                        [--dry-run] [--config FILE]
                        BOOK

按调度日期到期的作业，给责任人、值班领导和配置的群发送通知；已发送的不会重发。收件人见工作簿的“通讯录”表，渠道见配置文件的 [notify]。

位置参数:
  BOOK                  .xlsx/.xlsm 文件路径（.xls/.xlsb/.ods/.et 只能 check，或 sync --report-to），或
                        gsheet:SPREADSHEET_ID，或 Google 表格网址

选项:
  -h, --help            显示本帮助并退出
  --as-of DATE          调度日期（默认：规则时区的今天）
  --rules DIR           规则文件夹（默认：自带的规则；init-rules 可生成一份供修改）
  --credentials KEY.json
                        Google 表格的服务账号密钥 JSON 文件
  --jobs JOBS           按这些作业发送：daily,weekly,monthly 或 all（默认：调度日期当天到期的作业）
  --dry-run             只列出每个收件人将收到的内容，不发送
  --config FILE         配置文件：[notify] 通知设置和历史数据库（默认：dispatchbook.toml）

示例：dispatchbook notify 党建调度.xlsx --as-of 2026-11-18 --dry-run
"""


def help_of(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_the_top_level_help_is_chinese(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert help_of(["--help"], capsys, monkeypatch) == TOP_HELP


def test_the_sync_help_is_chinese(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert help_of(["sync", "--help"], capsys, monkeypatch) == SYNC_HELP


def test_the_bulletin_help_is_chinese(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert help_of(["bulletin", "--help"], capsys, monkeypatch) == BULLETIN_HELP


def test_the_notify_help_is_chinese(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert help_of(["notify", "--help"], capsys, monkeypatch) == NOTIFY_HELP


def test_usage_errors_are_chinese(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as stop:
        main(["check"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == "dispatchbook check：错误：缺少必需的参数：BOOK"


def test_version(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert help_of(["--version"], capsys, monkeypatch) == "dispatchbook 0.1.0\n"


def test_init_rules_writes_the_default_rules_and_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "本单位规则"
    assert main(["init-rules", str(folder)]) == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        p.name: p.read_bytes() for p in (REPO / "rules").glob("*.toml")}
    (folder / "jobs.toml").write_text("# 本单位修改过\n", encoding="utf-8")
    assert main(["init-rules", str(folder)]) == 2
    assert (folder / "jobs.toml").read_text(encoding="utf-8") == "# 本单位修改过\n"
    assert main(["init-rules", str(folder), "--force"]) == 0
    assert (folder / "jobs.toml").read_bytes() == (REPO / "rules" / "jobs.toml").read_bytes()


def test_a_checkout_uses_the_repository_rules_in_place() -> None:
    assert default_rules_dir() == REPO / "rules"


def test_rules_dir_uses_the_organisations_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "本单位规则"
    main(["init-rules", str(folder)])
    book = tmp_path / "示例.xlsx"
    main(["init", str(book), "--example"])
    colours = folder / "colours.toml"
    colours.write_text(colours.read_text(encoding="utf-8").replace('op = "=="', 'op = "=<"', 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(book), "--rules", str(folder)]) == 2
    assert "".join(capsys.readouterr().err.split()).startswith("错误本单位规则/colours.toml›colour[1].all[1].op:")
