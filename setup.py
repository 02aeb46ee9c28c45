"""Build hook: put the repository's default rules and example workbook into the wheel as package data.

``rules/*.toml`` and ``workbooks/example.xlsx`` stay the one editable source in the repository; a
built wheel carries copies of them in ``sync/defaults/`` (read by :mod:`sync.resources`).
Everything else about the package is declared in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"rules": sorted(ROOT.glob("rules/*.toml")), "": [ROOT / "workbooks" / "example.xlsx"]}


class BuildWithDefaults(build_py):
    """``build_py`` that also copies the shipped defaults into ``sync/defaults/`` of the build."""

    def run(self) -> None:
        if not self.editable_mode:  # no stale files from an earlier in-tree build (e.g. the old sync/standin/)
            shutil.rmtree(Path(self.build_lib) / "sync", ignore_errors=True)
        super().run()
        if self.editable_mode:  # an editable install reads the repository's files in place
            return
        for folder, sources in SHIPPED.items():
            target = Path(self.build_lib) / "sync" / "defaults" / folder
            self.mkpath(str(target))
            for source in sources:
                self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithDefaults})
