"""The wheel users install: built with `pip wheel`, installed into a fresh environment, run from another folder.

It must carry the default rules and the example workbook (byte-for-byte the repository's `rules/` and
`workbooks/example.xlsx`), must not carry the Sheets stand-in, and must not require `cryptography`.
Offline: the wheel is built without build isolation and installed with `--no-deps --no-index`; the fresh
environment borrows the already installed dependencies through a `.pth` line (which loads no editable
install of dispatchbook itself).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "sync", "rules", "workbooks/example.xlsx"]

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, check=check,
                          timeout=300)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel .` builds from a clean copy of the project's source."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / name, source / name)
    stale = source / "build" / "lib" / "sync" / "standin"  # left by an in-tree build before the stand-in moved
    stale.mkdir(parents=True)
    (stale / "__init__.py").write_text("")
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--no-build-isolation", "-q", "-w", out, ".",
         cwd=source)
    (built,) = out.glob("dispatchbook-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with only the wheel installed; returns its bin folder."""
    env = tmp_path_factory.mktemp("env")
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=env).stdout.strip())
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=env)
    return env / "bin"


def test_the_wheel_ships_the_repository_defaults_and_no_stand_in(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        shipped = {n.removeprefix("sync/defaults/rules/"): archive.read(n) for n in names
                   if n.startswith("sync/defaults/rules/")}
        assert shipped == {p.name: p.read_bytes() for p in (REPO / "rules").glob("*.toml")}
        assert archive.read("sync/defaults/example.xlsx") == (REPO / "workbooks" / "example.xlsx").read_bytes()
        metadata = Parser().parsestr(archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
    assert [n for n in names if "standin" in n] == []
    assert {n.split("/")[0] for n in names} == {"sync", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1]
                                                + ".dist-info"}
    requires = metadata.get_all("Requires-Dist") or []
    assert [r for r in requires if r.startswith("cryptography") and "extra ==" not in r] == []
    assert [r for r in requires if r.startswith("cryptography")] == ['cryptography>=42; extra == "test"']


def test_the_installed_wheel_runs_init_and_check_from_any_folder(installed: Path, tmp_path: Path) -> None:
    where = _run(installed / "python", "-c", "import sync; print(sync.__file__)", cwd=tmp_path).stdout
    assert where.startswith(str(installed.parent)), where  # the wheel's copy, not the checkout
    made = _run(installed / "dispatchbook", "init", "示例.xlsx", "--example", cwd=tmp_path)
    assert made.stdout.strip() == "已生成示例工作簿 示例.xlsx（示例日期 2026-11-18）"
    checked = _run(installed / "dispatchbook", "check", "示例.xlsx", "--json", cwd=tmp_path)
    assert (checked.stdout, checked.stderr) == ("[]\n", "")  # rules found, book read, no data problems
    version = _run(installed / "dispatchbook", "--version", cwd=tmp_path).stdout
    assert version == "dispatchbook 0.1.0\n"


def test_the_installed_wheel_needs_no_cryptography(installed: Path, tmp_path: Path) -> None:
    blocked = "import sys; sys.modules['cryptography'] = None; from sync.cli import main; sys.exit(main(sys.argv[1:]))"
    assert _run(installed / "python", "-c", blocked, "init", "b.xlsx", "--example", cwd=tmp_path).returncode == 0
    assert _run(installed / "python", "-c", blocked, "check", "b.xlsx", cwd=tmp_path).returncode == 0
    synced = _run(installed / "python", "-c", blocked, "sync", "b.xlsx", "--as-of", "2026-11-18", cwd=tmp_path)
    assert "已写入" in synced.stdout


def test_init_rules_from_the_wheel_writes_the_shipped_rules(installed: Path, tmp_path: Path) -> None:
    _run(installed / "dispatchbook", "init-rules", "本单位规则", cwd=tmp_path)
    written = {p.name: p.read_bytes() for p in (tmp_path / "本单位规则").iterdir()}
    assert written == {p.name: p.read_bytes() for p in (REPO / "rules").glob("*.toml")}


def test_the_demo_from_a_wheel_syncs_the_shipped_example(installed: Path, tmp_path: Path) -> None:
    demo = _run(installed / "dispatchbook", "demo", cwd=tmp_path)
    assert demo.stdout.startswith(f"示例工作簿已复制到 {Path('build') / 'demo.xlsx'}，按示例日期 2026-11-18 运行全部作业")
    assert (tmp_path / "build" / "demo.xlsx").stat().st_size > (REPO / "workbooks" / "example.xlsx").stat().st_size


def test_the_google_demo_from_a_wheel_says_it_needs_a_checkout(installed: Path, tmp_path: Path) -> None:
    demo = _run(installed / "dispatchbook", "demo", "--gsheets", cwd=tmp_path, check=False)
    assert demo.returncode == 2
    assert " ".join(demo.stderr.split()) == ("错误 demo --gsheets: 离线 Google 表格演示需要源代码检出，安装包里不含 Google "
                                            "表格替身。请在项目源代码目录中运行 make demo 或 .venv/bin/dispatchbook demo --gsheets")
