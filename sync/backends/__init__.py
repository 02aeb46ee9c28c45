"""Backends: one small interface (base.Backend), one implementation per kind of book."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DispatchError
from ..sheets import Backend

GSHEET_PREFIXES = ("gsheet:", "https://docs.google.com/spreadsheets/")
_URL_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_BARE_ID = re.compile(r"^[A-Za-z0-9_-]{20,}$")


def is_gsheet(spec: str) -> bool:
    return spec.startswith(GSHEET_PREFIXES)


def spreadsheet_id(book: str) -> str:
    """``gsheet:ID``, a bare ID or the spreadsheet's URL -> ID."""
    text = book.strip().removeprefix("gsheet:")
    match = _URL_ID.search(text)
    if match:
        return match.group(1)
    if _BARE_ID.match(text):
        return text
    raise DispatchError(book, "不是有效的 Google 表格地址", "请写成 gsheet:表格ID，或粘贴表格的完整链接")


def looks_like_a_key(spec: str) -> bool:
    """Whether a book argument is really pasted credentials (a service-account JSON or a private key)."""
    text = spec.strip()
    return text.startswith("{") or "private_key" in text or "PRIVATE KEY" in text


def open_book(spec: str, credentials: str | None = None, *, report_to: Path | None = None) -> Backend:
    """A book by name: a local workbook file (written in place only when it is .xlsx/.xlsm), or
    ``gsheet:ID`` / a Google Sheets URL."""
    if looks_like_a_key(spec):  # never echoed: it would put the key on screen and in logs
        raise DispatchError("BOOK", "这看起来是服务账号密钥（JSON）的内容，而不是工作簿（内容未显示）",
                            "工作簿请写文件路径或 gsheet:表格ID；密钥请保存为文件，用 --credentials 密钥文件.json 指定")
    if is_gsheet(spec):
        from .gsheets import GSheetsBook  # noqa: PLC0415 - Google libraries load only when needed

        return GSheetsBook(spec, credentials)
    from .xlsx import XlsxBook  # noqa: PLC0415

    return XlsxBook(spec, report_to=report_to) if report_to else XlsxBook(spec)
