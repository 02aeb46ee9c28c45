"""Native bar/column charts drawn from cells of the same sheet, and the drawing that anchors them."""

from __future__ import annotations

import numbers

from sync.a1 import column_letter
from sync.backends.xlsx.ooxml.xmledit import text
from sync.quoting import sheet_ref
from sync.sheets import Chart, Grid

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"


def _ref(sheet: str, span: tuple[int, int, int]) -> str:
    first, last, col = span
    letter = column_letter(col)
    return text(f"{sheet_ref(sheet)}!${letter}${first + 1}:${letter}${last + 1}")


def _cells(rows: Grid, span: tuple[int, int, int]) -> list[object]:
    first, last, col = span
    return [rows[r][col] if r < len(rows) and col < len(rows[r]) else None
            for r in range(first, last + 1)]


def _str_cache(values: list[object]) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{text(str(v))}</c:v></c:pt>'
                     for i, v in enumerate(values) if v is not None)
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{points}</c:strCache>'


def _num_cache(values: list[object]) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{float(v)!r}</c:v></c:pt>' for i, v in enumerate(values)
                     if isinstance(v, numbers.Real) and not isinstance(v, bool))
    return (f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>'
            f"{points}</c:numCache>")


def chart_xml(chart: Chart, sheet: str, rows: Grid) -> str:
    """The chart part: a stacked or clustered bar/column chart with a title and a legend."""
    categories = (f"<c:cat><c:strRef><c:f>{_ref(sheet, chart.categories)}</c:f>"
                  f"{_str_cache(_cells(rows, chart.categories))}</c:strRef></c:cat>")
    series = "".join(
        f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:v>{text(s.name)}</c:v></c:tx>'
        f'<c:spPr><a:solidFill><a:srgbClr val="{s.colour.upper()}"/></a:solidFill></c:spPr>'
        f'<c:invertIfNegative val="0"/>{categories}'
        f"<c:val><c:numRef><c:f>{_ref(sheet, s.values)}</c:f>{_num_cache(_cells(rows, s.values))}"
        f"</c:numRef></c:val></c:ser>" for i, s in enumerate(chart.series))
    horizontal = chart.kind == "bar"
    overlap = '<c:overlap val="100"/>' if chart.stacked else ""
    return (
        f'{_HEAD}<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{_R}">'
        f'<c:roundedCorners val="0"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/>'
        f"<a:p><a:pPr><a:defRPr/></a:pPr><a:r><a:t>{text(chart.title)}</a:t></a:r></a:p>"
        f'</c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        f'<c:plotArea><c:layout/><c:barChart><c:barDir val="{"bar" if horizontal else "col"}"/>'
        f'<c:grouping val="{"stacked" if chart.stacked else "clustered"}"/><c:varyColors val="0"/>'
        f'{series}<c:gapWidth val="60"/>{overlap}<c:axId val="1001"/><c:axId val="1002"/></c:barChart>'
        f'<c:catAx><c:axId val="1001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{"l" if horizontal else "b"}"/>'
        f'<c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="1002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        f'<c:lblOffset val="100"/></c:catAx>'
        f'<c:valAx><c:axId val="1002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{"b" if horizontal else "l"}"/><c:majorGridlines/>'
        f'<c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="1001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
        f'</c:plotArea><c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        f'<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>')


def drawing_xml(charts: list[Chart], rids: list[str]) -> str:
    """The drawing part: each chart in a two-cell anchor (moves and sizes with its cells)."""
    anchors = []
    for n, (chart, rid) in enumerate(zip(charts, rids, strict=True), start=1):
        (row, col), (width, height) = chart.anchor, chart.size
        anchors.append(
            f"<xdr:twoCellAnchor>{_marker('from', col, row)}{_marker('to', col + width, row + height)}"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{n + 1}" name="Chart {n}"/>'
            f"<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x=\"0\" y=\"0\"/>"
            f'<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="{_C}">'
            f'<c:chart xmlns:c="{_C}" xmlns:r="{_R}" r:id="{rid}"/></a:graphicData></a:graphic>'
            f"</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>")
    return f'{_HEAD}<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}">{"".join(anchors)}</xdr:wsDr>'


def _marker(which: str, col: int, row: int) -> str:
    return (f"<xdr:{which}><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:{which}>")
