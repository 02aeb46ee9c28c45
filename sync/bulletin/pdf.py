"""Turning the .docx into a .pdf with LibreOffice (headless, in a throw-away profile)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DispatchError

TIMEOUT = 300  # seconds; the first start of a fresh LibreOffice profile is the slow part


def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, pdf: Path) -> Path:
    """Convert ``docx`` to ``pdf``; without LibreOffice the error says where the .docx is and what to do."""
    program = office()
    if program is None:
        raise DispatchError(str(pdf), "未安装 LibreOffice，无法生成 PDF",
                            f"Word 版已写出：{docx}，可在 Word 或 WPS 中“另存为 PDF”；"
                            "或安装 LibreOffice（Debian/Ubuntu：sudo apt install libreoffice-writer）后重试")
    with tempfile.TemporaryDirectory(prefix="dispatchbook-pdf-") as work:
        folder = Path(work)
        try:
            subprocess.run([program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                            "--norestore", "--convert-to", "pdf", "--outdir", str(folder), str(docx)],
                           check=True, capture_output=True, timeout=TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise DispatchError(str(pdf), f"LibreOffice 转换 PDF 失败（{type(exc).__name__}）",
                                f"Word 版已写出：{docx}；请关闭正在运行的 LibreOffice 后重试") from exc
        made = folder / f"{docx.stem}.pdf"
        if not made.exists():
            raise DispatchError(str(pdf), "LibreOffice 未生成 PDF", f"Word 版已写出：{docx}")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), pdf)
    return pdf
