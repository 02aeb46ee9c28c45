"""Render the first page of the example's 周通报 to docs/bulletin.png (needs LibreOffice and poppler).

Run: .venv/bin/python docs/render_bulletin.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from sync.cli import main as dispatchbook
from sync.example import EXAMPLE_AS_OF

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "example.xlsx"
        shutil.copyfile(ROOT / "workbooks" / "example.xlsx", book)
        pdf = folder / "周通报.pdf"
        if dispatchbook(["bulletin", str(book), "--week", "--as-of", EXAMPLE_AS_OF.isoformat(), "--out", str(pdf)]):
            raise SystemExit("the bulletin was not written (see the message above)")
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "80", "-png", str(pdf), str(folder / "page")],
                       check=True)
        shutil.copyfile(next(folder.glob("page-*.png")), ROOT / "docs" / "bulletin.png")


if __name__ == "__main__":
    main()
