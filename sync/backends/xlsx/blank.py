"""A workbook with no tabs yet: the starting point of a ``--report-to`` file that does not exist."""

from __future__ import annotations

import io

from sync.backends.xlsx.ooxml.container import ZipSink

_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
STYLES_REL = f"{_DOC}/styles"
STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/>'
    '<name val="等线"/><family val="2"/><charset val="134"/></font></fonts><fills count="2">'
    '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/></styleSheet>')
_PARTS = {
    "[Content_Types].xml": (
        f'{_HEAD}<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/></Types>'),
    "_rels/.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><bookViews><workbookView/></bookViews>'
        "<sheets></sheets></workbook>"),
    "xl/_rels/workbook.xml.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{STYLES_REL}" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": STYLES,
}


def blank_workbook() -> bytes:
    """The bytes of a tab-less workbook package (not valid until a tab is added)."""
    out = io.BytesIO()
    sink = ZipSink(out)
    for name, xml in _PARTS.items():
        sink.add(name, xml.encode("utf-8"))
    sink.close()
    return out.getvalue()
