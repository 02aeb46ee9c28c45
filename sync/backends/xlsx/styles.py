"""Find-or-append cell formats and differential formats in ``xl/styles.xml``.

Existing entries are never renumbered: a new font, fill, number format, cell format or dxf goes at
the end of its list, and an entry equal in meaning to an existing one (same elements and attributes,
in any order) is reused, so repeated syncs do not grow the stylesheet.
"""

from __future__ import annotations

from lxml import etree

from sync.backends.xlsx.ooxml import xmledit as xe
from sync.backends.xlsx.workbook import MAIN_NS
from sync.sheets import Cell, CellStyle, default_date_format

_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9,
                    "0.00%": 10, "0.00E+00": 11, "@": 49}
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
          "tableStyles", "colors", "extLst")
_FONT_TAIL = ("name", "family", "charset", "scheme")

Canon = tuple[str, tuple[tuple[str, str], ...], tuple["Canon", ...]]


def _canon(el: etree._Element) -> Canon:
    """An order-insensitive identity of an element: name, attributes, children."""
    kids = tuple(sorted(_canon(c) for c in el if isinstance(c.tag, str)))
    attrs = tuple(sorted((str(k), str(v)) for k, v in el.attrib.items()))
    return etree.QName(el).localname, attrs, kids


class _List:
    """One list of the stylesheet (fonts, fills, cellXfs, dxfs): existing entries and appended ones."""

    def __init__(self, root: etree._Element, local: str) -> None:
        self.local = local
        box = root.find(f"{{{MAIN_NS}}}{local}")
        entries = [] if box is None else [c for c in box if isinstance(c.tag, str)]
        self.index: dict[Canon, int] = {}
        for i, entry in enumerate(entries):
            self.index.setdefault(_canon(entry), i)
        self.size = len(entries)
        self.added: list[str] = []
        self.entries = entries

    def get(self, xml: str) -> int:
        """The index of the entry ``xml`` means, appending it if the list has none like it."""
        key = _canon(etree.fromstring(f'<w xmlns="{MAIN_NS}">{xml}</w>')[0])
        if key not in self.index:
            self.index[key] = self.size + len(self.added)
            self.added.append(xml)
        return self.index[key]


def _colour(rgb: str) -> str:
    return f'rgb="FF{rgb.upper()}"'


class Styles:
    """The stylesheet of one workbook, with the formats the sync asks for."""

    def __init__(self, xml: str) -> None:
        self.source = xml
        root = etree.fromstring(xml.encode("utf-8"))
        self._lists = {name: _List(root, name) for name in ("fonts", "fills", "cellXfs", "dxfs")}
        self._formats = {el.get("formatCode", ""): int(el.get("numFmtId", "0"))
                         for el in root.iterfind(f"{{{MAIN_NS}}}numFmts/{{{MAIN_NS}}}numFmt")}
        self._format_count = len(self._formats)
        self._new_formats: list[tuple[int, str]] = []
        font = root.find(f"{{{MAIN_NS}}}fonts/{{{MAIN_NS}}}font")
        self._base = {} if font is None else {etree.QName(c).localname: dict(c.attrib)
                                             for c in font if isinstance(c.tag, str)}
        self._xfs: dict[tuple[CellStyle | None, str | None], int] = {}
        self._cell_xfs: dict[tuple[int, type], int] = {}
        self._keep: list[CellStyle | None] = []

    def xf(self, style: CellStyle | None, number_format: str | None = None) -> int:
        """The cell format index for ``style``; ``number_format`` applies if the style has none."""
        key = (style, number_format)
        if key not in self._xfs:
            self._xfs[key] = self._xf(style or CellStyle(), number_format)
        return self._xfs[key]

    def cell_xf(self, style: CellStyle | None, value: Cell) -> int:
        """The cell format for ``value`` with ``style``: dates get a date format unless styled so."""
        key = (id(style), type(value))  # styles are shared objects: identity is a cheap, exact key
        found = self._cell_xfs.get(key)
        if found is None:
            fmt = default_date_format(value)
            found = self.xf(style, fmt) if style or fmt else 0
            self._cell_xfs[key] = found
            self._keep.append(style)  # keeps id(style) from being reused while cached
        return found

    def with_number_format(self, xf: int, code: str) -> int:
        """The cell format ``xf`` (fill, borders, font kept) with the number format ``code``: a date
        typed into a row staff pre-formatted keeps the row's look."""
        xfs = self._lists["cellXfs"]
        if not 0 < xf < xfs.size:
            return xf
        entry = etree.fromstring(etree.tostring(xfs.entries[xf]))
        for el in entry.iter():  # plain names: the list adds the part's own prefix when it writes
            if isinstance(el.tag, str):
                el.tag = etree.QName(el).localname
        etree.cleanup_namespaces(entry)
        entry.set("numFmtId", str(self._format(code)))
        entry.set("applyNumberFormat", "1")
        return xfs.get(etree.tostring(entry, encoding="unicode"))

    def dxf(self, fill: str, font: str) -> int:
        """A differential format (for conditional formatting): fill colour and font colour."""
        return self._lists["dxfs"].get(
            f"<dxf><font><color {_colour(font)}/></font>"
            f"<fill><patternFill><bgColor {_colour(fill)}/></patternFill></fill></dxf>")

    def xml(self) -> str:
        """The stylesheet with every appended entry; the source text if nothing was added."""
        xml = self.source
        if self._new_formats:
            items = "".join(f'<numFmt numFmtId="{i}" formatCode="{xe.attr(code)}"/>'
                            for i, code in self._new_formats)
            xml = self._insert(xml, "numFmts", items, self._format_count + len(self._new_formats))
        for entries in self._lists.values():
            if entries.added:
                xml = self._insert(xml, entries.local, "".join(entries.added),
                                   entries.size + len(entries.added))
        return xml

    def _xf(self, style: CellStyle, number_format: str | None) -> int:
        fmt = self._format(style.number_format or number_format or "General")
        font = self._font(style) if style.bold or style.font_colour or style.size else 0
        fill = self._lists["fills"].get(
            f'<fill><patternFill patternType="solid"><fgColor {_colour(style.fill)}/>'
            f'<bgColor indexed="64"/></patternFill></fill>') if style.fill else 0
        aligned = style.wrap or style.align_right
        if not (fmt or font or fill or aligned):
            return 0
        flags = "".join(f' apply{name}="1"' for name, used in
                        (("NumberFormat", fmt), ("Font", font), ("Fill", fill), ("Alignment", aligned))
                        if used)
        head = f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"{flags}'
        alignment = (' horizontal="right"' if style.align_right else "") \
            + (' vertical="top" wrapText="1"' if style.wrap else "")
        body = f'><alignment{alignment}/></xf>' if aligned else "/>"
        return self._lists["cellXfs"].get(head + body)

    def _font(self, style: CellStyle) -> int:
        base = self._base
        size = style.size or float(base.get("sz", {}).get("val", "11"))
        colour = (_colour(style.font_colour) if style.font_colour else
                  " ".join(f'{k}="{xe.attr(v)}"' for k, v in base.get("color", {}).items()))
        tail = "".join(f'<{k} val="{xe.attr(base[k]["val"])}"/>' for k in _FONT_TAIL
                       if "val" in base.get(k, {}))
        return self._lists["fonts"].get(
            f'<font>{"<b/>" if style.bold else ""}<sz val="{size:g}"/>'
            f'{f"<color {colour}/>" if colour else ""}{tail}</font>')

    def _format(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if code not in self._formats:
            self._formats[code] = max([163, *self._formats.values()]) + 1
            self._new_formats.append((self._formats[code], code))
        return self._formats[code]

    @staticmethod
    def _insert(xml: str, local: str, items: str, count: int) -> str:
        items = xe.prefixed(items, xe.root_prefix(xml))
        return xe.insert_children(xml, local, items, _ORDER[_ORDER.index(local) + 1:], count)
