"""What a workbook file really is, judged by its content rather than its name.

Offices keep .xls, .xlsb, .ods and WPS .et files, files whose password must be typed to open them,
and .xlsx files renamed to .xls. python-calamine reads most of these; only .xlsx/.xlsm can be
written in place. Damaged files are left to the readers' own errors.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import olefile

from sync.problems import Problem

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound file: .xls, .et, and encrypted Office files
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
WRITABLE_SUFFIXES = (".xlsx", ".xlsm")
FILE_TAB = "文件格式"  # where a problem about the file itself is shown


@dataclass(frozen=True)
class FileKind:
    key: str  # xlsx, xlsm, xlsb, ods, xls, et, html, xml2003, encrypted, other
    label: str  # what the file is, as staff would call it
    readable: bool  # python-calamine reads it
    writable: bool  # the sync writes it in place

    def __str__(self) -> str:
        return self.label

    @property
    def spaced(self) -> str:
        """The label after Chinese text: a space before a Latin word."""
        return f" {self.label}" if self.label[0].isascii() else self.label

    @property
    def this_is(self) -> str:
        """“这是 …” naming the kind, for the start of a message."""
        return f"这是{self.spaced}"


XLSX = FileKind("xlsx", "Excel 工作簿（.xlsx）", True, True)
XLSM = FileKind("xlsm", "启用宏的 Excel 工作簿（.xlsm）", True, True)
XLSB = FileKind("xlsb", "Excel 二进制工作簿（.xlsb）", True, False)
ODS = FileKind("ods", "OpenDocument 电子表格（.ods）", True, False)
XLS = FileKind("xls", "Excel 97-2003 工作簿（.xls）", True, False)
ET = FileKind("et", "WPS 表格文件（.et）", True, False)
HTML = FileKind("html", "网页（HTML）格式的表格，不是真正的 Excel 工作簿（常见于系统导出的 .xls）", False, False)
XML2003 = FileKind("xml2003", "Excel 2003 XML 表格（XML 电子表格），不是 .xlsx 工作簿", False, False)
ENCRYPTED = FileKind("encrypted", "设有打开密码的工作簿", False, False)
OTHER = FileKind("other", "无法识别的文件", True, True)  # left to the reader, which names the damage


def detect(data: bytes, name: str) -> FileKind:
    """The kind of workbook in ``data`` (the file's bytes); ``name`` only tells .et from .xls."""
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data, name)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return XML2003
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return HTML
    return OTHER


def _zip_kind(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.bin" in names:
                return XLSB
            if "xl/workbook.xml" in names:
                return XLSM if "xl/vbaProject.bin" in names else XLSX
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                return ODS
    except (zipfile.BadZipFile, OSError, KeyError):
        pass
    return OTHER


def _ole_kind(data: bytes, name: str) -> FileKind:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("EncryptedPackage"):  # an .xlsx/.xlsm saved with an open password
                return ENCRYPTED
            if ole.exists("Workbook") or ole.exists("Book"):
                return ET if PurePath(name).suffix.lower() == ".et" else XLS
    except OSError:
        pass
    return OTHER


def save_as_fix(kind: FileKind) -> str:
    """How to turn ``kind`` into an .xlsx the sync can write, in Excel, WPS or LibreOffice."""
    steps = ("请在 Excel 中打开它，选「文件 → 另存为」，保存类型选「Excel 工作簿 (*.xlsx)」；"
             "或在 WPS 表格中选「文件 → 另存为」，文件类型选「Microsoft Excel 文件 (*.xlsx)」")
    if kind is ODS:
        steps += "；或在 LibreOffice 中选「文件 → 另存为」，文件类型选「Excel 2007-365 (.xlsx)」"
    return steps + "，以后对新的 .xlsx 文件运行同步"


def password_fix() -> str:
    return ("本工具不保存也不询问密码。请在 Excel 中打开它，选「文件 → 信息 → 保护工作簿 → 用密码进行加密」，"
            "清空密码后保存（WPS：「文件 → 文档加密 → 密码加密」清空打开密码）；或另存一份不设密码的副本交给同步")


def kind_problems(kind: FileKind, book: str, name: str) -> list[Problem]:
    """What ``check`` and 数据问题 say about the file itself: read-only formats, and a name that does not fit."""
    suffix = PurePath(name).suffix.lower()
    if kind.readable and not kind.writable:
        return [Problem(book, FILE_TAB, "", "read_only_format",
                        f"{kind.this_is}，可以检查和生成汇总，但同步只能写入 .xlsx/.xlsm 文件，不会改动它",
                        save_as_fix(kind) + "；在此之前可加 --report-to 汇总.xlsx，把汇总表写到另一个工作簿",
                        suffix or None)]
    if kind in (XLSX, XLSM) and suffix not in WRITABLE_SUFFIXES:
        right = ".xlsm" if kind is XLSM else ".xlsx"
        return [Problem(book, FILE_TAB, "", "misnamed_file",
                        f"文件名以“{suffix or '（无扩展名）'}”结尾，内容却是{kind.spaced}，已按 {right} 读写",
                        f"建议把文件改名为 {PurePath(name).stem}{right}，Excel 打开时就不会提示格式与扩展名不一致",
                        suffix or None)]
    return []
