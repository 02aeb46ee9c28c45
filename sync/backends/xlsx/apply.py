"""Apply a :class:`WritePlan` to a workbook package, touching only the parts the plan needs.

Added or replaced: the sync-owned tabs (with their drawings and charts), tabs created once, the
staff tabs that receive rows, the colour map tab and names, the colour rules of a staff tab that
lacks them, ``xl/workbook.xml``, its relationships, ``[Content_Types].xml`` and ``xl/styles.xml``
(entries appended, never renumbered). Every other part keeps its bytes.
"""

from __future__ import annotations

import zlib
from functools import partial

from sync.backends.colourmap import MAP_TAB, map_digest, map_sheet, merged_map
from sync.backends.rowroom import NoRoom, no_room_error
from sync.backends.xlsx.append import append_rows
from sync.backends.xlsx.blank import CT_STYLES, STYLES, STYLES_REL
from sync.backends.xlsx.chart import CT_CHART, CT_DRAWING, chart_xml, drawing_xml
from sync.backends.xlsx.colours import has_rules, map_names, with_rules
from sync.backends.xlsx.marker import mark, stored_fingerprints
from sync.backends.xlsx.ooxml.package import DOC_REL, Package
from sync.backends.xlsx.setcells import set_cells
from sync.backends.xlsx.sheetxml import sheet_names, worksheet_xml
from sync.backends.xlsx.styles import Styles
from sync.backends.xlsx.workbook import CT_WORKSHEET, WORKSHEET, Tab, Workbook
from sync.errors import DispatchError
from sync.sheets import Cell, CellStyle, Grid, SheetGrid, WritePlan, default_date_format

_DRAWING = f"{DOC_REL}/drawing"
_CHART = f"{DOC_REL}/chart"


class PlanWriter:
    """One plan applied to one package; ``label`` names the book in messages."""

    def __init__(self, pkg: Package, label: str) -> None:
        self.pkg, self.label = pkg, label
        try:
            self.book = Workbook(pkg)
        except ValueError as exc:  # no workbook part, or Strict Open XML
            raise DispatchError(label, "工作簿的内部结构无法识别（可能是“Strict Open XML”格式）",
                                "请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后重试") from exc
        self.styles_part = self.book.part_of("/styles") or self._add_styles()
        self.styles = Styles(pkg.text(self.styles_part))
        self._rewritten: set[int] = set()

    def apply(self, plan: WritePlan, colour_map: Grid | None) -> None:
        """Apply everything in ``plan``; ``colour_map`` is the current 调度颜色 tab, if any. The staff tabs
        first, each put once: a month sheet is the biggest part to deflate, and deflates while the summary
        tabs are built."""
        for sheet in plan.created:
            if self.book.tab(sheet.name) is None:
                self.write_tab(sheet, beside=plan.beside)
        self._edit_staff_tabs(plan)
        for sheet in plan.owned:
            tab = self.write_tab(sheet)
            mark(self.book, tab, sheet.fingerprint, zlib.crc32(self.pkg.blob(tab.part)))
        if plan.colours:
            self._colour(plan, colour_map)
        self.book.forget_formulas(self._rewritten)
        self.book.save()
        self.pkg.put(self.styles_part, self.styles.xml())

    def _edit_staff_tabs(self, plan: WritePlan) -> None:
        """Rows appended, cells filled in and the colour rules ensured (a tab that has them already is
        judged by its ends, see :func:`has_rules`, and left as it is)."""
        edited: dict[str, bytes] = {}  # part -> its XML so far

        def xml(tab: Tab) -> bytes:
            return edited[tab.part] if tab.part in edited else self.pkg.blob(tab.part)

        for append in plan.appends:
            tab = self._staff_tab(append.tab, "追加任务行")
            plan_xf = partial(self._plan_xf, append.styles)
            try:
                edited[tab.part] = append_rows(xml(tab), append.rows, plan_xf)
            except NoRoom as full:
                raise no_room_error(self.label, append.tab, full) from None
        for edit in plan.cells:
            tab = self._staff_tab(edit.tab, "填入单位工作簿的数据")
            edited[tab.part], formula = set_cells(xml(tab), edit.cells, partial(self._plan_xf, edit.styles))
            if formula:
                self._rewritten.add(tab.sheet_id)
        rules = [(c.label, self.styles.dxf(c.fill, c.font)) for c in plan.palette.values()] if plan.colours else []
        for tc in plan.colours:
            tab = self._staff_tab(tc.tab, "显示任务颜色")
            if tab.part not in edited and has_rules(*self.pkg.ends(tab.part), tc, rules):
                continue
            if (ruled := with_rules(current := xml(tab), tc, rules)) is not current:
                edited[tab.part] = ruled
        for part, data in edited.items():
            self.pkg.put(part, data)

    def write_tab(self, sheet: SheetGrid, beside: str | None = None) -> Tab:
        """Write a whole tab: replace the tab of that name (same place, same id) or add one (after
        the tab ``beside`` when given and present, else at the end)."""
        tab = self.book.tab(sheet.name)
        if tab is None:
            tab = self.book.add_tab(sheet.name, sheet.hidden, after=self.book.tab(beside) if beside else None)
        else:
            if tab.kind != WORKSHEET or not tab.part:
                raise DispatchError(f"{self.label} / {tab.name}", "该工作表不是普通工作表，同步无法覆盖它",
                                    "请把它改名，让同步重新生成这个汇总表")
            self.book.set_hidden(tab, sheet.hidden)
            self.pkg.prune(tab.part)
            self._rewritten.add(tab.sheet_id)
        drawing_rid = None
        if sheet.charts:
            drawing = self.pkg.free_name("xl/drawings/drawing{}.xml")
            rids = []
            for chart in sheet.charts:
                part = self.pkg.free_name("xl/charts/chart{}.xml")
                self.pkg.put(part, chart_xml(chart, sheet.name, sheet.rows), CT_CHART)
                rids.append(self.pkg.add_rel(drawing, _CHART, part))
            self.pkg.put(drawing, drawing_xml(sheet.charts, rids), CT_DRAWING)
            drawing_rid = self.pkg.add_rel(tab.part, _DRAWING, drawing)
        self.pkg.put(tab.part, worksheet_xml(sheet, self.styles, drawing_rid), CT_WORKSHEET)
        self.book.set_local_names(tab, sheet_names(sheet))
        return tab

    def _plan_xf(self, styles: dict[int, CellStyle], column: int, value: Cell, own: int | None = None) -> int | None:
        """The format the plan gives a new cell, or None to keep the sheet's own. Into a cell staff
        pre-formatted (``own``), only the plan's number format goes; its fill, borders and font stay."""
        style = styles.get(column)
        if style is None and default_date_format(value) is None:
            return None
        code = (style.number_format if style else None) or default_date_format(value)
        if own and code:
            return self.styles.with_number_format(own, code)
        return self.styles.cell_xf(style, value)

    def _colour(self, plan: WritePlan, colour_map: Grid | None) -> None:
        entries = merged_map(colour_map, plan.colours, plan.palette, {t.name for t in self.book.tabs})
        digest = map_digest(entries)
        current = self.book.tab(MAP_TAB)
        kept = stored_fingerprints(self.book).get(MAP_TAB)
        if current is None or kept is None or kept != (digest, self.pkg.source_crc(current.part)):
            tab = self.write_tab(map_sheet(entries))  # else the map holds these very entries: left as it is
            mark(self.book, tab, digest, zlib.crc32(self.pkg.blob(tab.part)))
        self.book.set_names(map_names(len(entries)))

    def _staff_tab(self, name: str, doing: str) -> Tab:
        tab = self.book.tab(name)
        if tab is None or tab.kind != WORKSHEET or not tab.part:
            raise DispatchError(f"{self.label} / {name}", f"找不到这个工作表，无法{doing}",
                                "请确认该工作表没有被改名或删除，然后重新同步")
        return tab

    def _add_styles(self) -> str:
        part = self.pkg.free_name("xl/styles{}.xml")
        self.pkg.put(part, STYLES, CT_STYLES)
        self.pkg.add_rel(self.book.part, STYLES_REL, part)
        return part
