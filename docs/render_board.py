"""Render 调度看板 of the synced example to docs/board.png (needs LibreOffice and poppler).

Run: .venv/bin/python docs/render_board.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import JOBS

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "example.xlsx"
        shutil.copyfile(ROOT / "workbooks" / "example.xlsx", book)
        run_sync(XlsxBook(book, backups=0), EXAMPLE_AS_OF, jobs=list(JOBS))
        subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), str(book)], check=True, capture_output=True)
        pdf = folder / "example.pdf"
        pages = int(next(line.split()[-1] for line in subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.startswith("Pages:")))
        number = next(n for n in range(1, pages + 1) if subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True,
            check=True).stdout.startswith("调度看板"))
        subprocess.run(["pdftoppm", "-f", str(number), "-l", str(number), "-r", "110", "-png", str(pdf),
                        str(folder / "board")], check=True)
        image = Image.open(next(folder.glob("board-*.png")))
        width, height = image.size
        image.crop((int(width * 0.04), int(height * 0.06), int(width * 0.96), int(height * 0.42))) \
            .save(ROOT / "docs" / "board.png", optimize=True)


if __name__ == "__main__":
    main()
