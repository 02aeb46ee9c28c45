"""The workbook part: its tabs, defined names and calculation chain, edited in place.

Tabs keep their order and sheet ids (so sheet-scoped names and ``localSheetId`` stay valid); new tabs
are appended after the existing ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import unescape

from sync.backends.xlsx.ooxml import xmledit as xe
from sync.backends.xlsx.ooxml.package import DOC_REL, Package

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKSHEET = f"{DOC_REL}/worksheet"
OFFICE_DOCUMENT = f"{DOC_REL}/officeDocument"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
# CT_Workbook children that follow <sheets> and <definedNames>, in schema order.
_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


@dataclass(frozen=True)
class Tab:
    name: str
    sheet_id: int
    rid: str
    part: str  # "" when the relationship is missing
    kind: str  # relationship type, e.g. ".../worksheet" or ".../chartsheet"


class Workbook:
    """``xl/workbook.xml`` of a package and the tabs it lists."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        doc = next((r for r in pkg.rels("") if r.type == OFFICE_DOCUMENT), None)
        if doc is None or pkg.find(doc.target) is None:
            raise ValueError("the package has no workbook part")
        self.part = pkg.find(doc.target) or doc.target
        self.xml = pkg.text(self.part)
        if f'"{MAIN_NS}"' not in self.xml:
            raise ValueError("not a transitional SpreadsheetML workbook (Strict Open XML?)")
        self._rels = {r.id: r for r in pkg.rels(self.part)}
        self.tabs = [self._tab(t.attrs) for t in xe.tags(self.xml, "sheet")]

    def tab(self, name: str) -> Tab | None:
        """The tab called ``name``; Excel compares tab names case-insensitively."""
        return next((t for t in self.tabs if t.name.casefold() == name.casefold()), None)

    def part_of(self, type_suffix: str) -> str | None:
        """The workbook-level part with relationship type ending in ``type_suffix``."""
        return next((r.target for r in self._rels.values()
                     if r.type.endswith(type_suffix) and self.pkg.find(r.target)), None)

    def add_tab(self, name: str, hidden: bool, after: Tab | None = None) -> Tab:
        """Add a worksheet tab at the end, or right after ``after``; returns it with a fresh part name,
        still to be put. Sheet-scoped names and the active tab keep pointing at their tabs."""
        if not name or len(name) > 31 or _BAD_NAME.search(name) or "'" in (name[0], name[-1]):
            raise ValueError(f"Excel does not accept the tab name {name!r}")
        part = self.pkg.free_name("xl/worksheets/sheet{}.xml")
        rid = self.pkg.add_rel(self.part, WORKSHEET, part)
        sheet_id = max((t.sheet_id for t in self.tabs), default=0) + 1
        root = xe.first(self.xml, "workbook")
        m = re.search(rf'xmlns:([\w.-]+)="{re.escape(DOC_REL)}"', root.text if root else "")
        r, ns = (f"{m[1]}:", "") if m else ("r:", f' xmlns:r="{DOC_REL}"')
        state = ' state="hidden"' if hidden else ""
        sheet = (f'<{xe.root_prefix(self.xml)}sheet name="{xe.attr(name)}" sheetId="{sheet_id}"'
                 f'{state}{ns} {r}id="{rid}"/>')
        tab = Tab(name, sheet_id, rid, part, WORKSHEET)
        position = next((i + 1 for i, t in enumerate(self.tabs) if after and t.sheet_id == after.sheet_id), None)
        if position is None or position == len(self.tabs):
            self.xml = xe.insert_children(self.xml, "sheets", sheet, ("functionGroups", *_AFTER_NAMES))
            self.tabs.append(tab)
            return tab
        following = [t for t in xe.tags(self.xml, "sheet")][position]
        self.xml = self.xml[:following.start] + sheet + self.xml[following.start:]
        self._shift_indexes(position)
        self.tabs.insert(position, tab)
        return tab

    def _shift_indexes(self, position: int) -> None:
        """Tab indexes at or after ``position`` move up by one (a tab was inserted there)."""
        for local, attrs in (("definedName", ("localSheetId",)), ("workbookView", ("activeTab", "firstSheet"))):
            for tag in reversed(list(xe.tags(self.xml, local))):
                text = tag.text
                for attr in attrs:
                    value = tag.attrs.get(attr)
                    if value is not None and value.isdigit() and int(value) >= position:
                        text = xe.set_attr(text, attr, str(int(value) + 1))
                if text != tag.text:
                    self._swap(tag, text)

    def set_hidden(self, tab: Tab, hidden: bool) -> None:
        """Show or hide a tab (the ``state`` attribute of its <sheet>)."""
        found = next(t for t in xe.tags(self.xml, "sheet") if t.attrs.get("sheetId") == str(tab.sheet_id))
        state = found.attrs.get("state")
        if hidden and state not in ("hidden", "veryHidden"):
            self._swap(found, xe.set_attr(found.text, "state", "hidden"))
        elif not hidden and state is not None and state != "visible":
            self._swap(found, xe.set_attr(found.text, "state", None))

    def set_names(self, names: dict[str, str]) -> None:
        """Define workbook-scope names, editing only those whose definition differs."""
        missing = {n.casefold(): (n, ref) for n, ref in names.items()}
        for tag in reversed(list(xe.tags(self.xml, "definedName"))):
            if "localSheetId" in tag.attrs:
                continue
            found = missing.pop(tag.attrs.get("name", "").casefold(), None)
            if found is None:
                continue
            end = xe.element_end(self.xml, tag)
            close = f"</{tag.prefix}definedName>"
            body = "" if tag.empty else self.xml[tag.end:end - len(close)]
            if unescape(body) != found[1]:
                head = tag.text[:-2].rstrip() + ">" if tag.empty else tag.text
                self.xml = f"{self.xml[:tag.start]}{head}{xe.text(found[1])}{close}{self.xml[end:]}"
        p = xe.root_prefix(self.xml)
        items = "".join(f'<{p}definedName name="{xe.attr(n)}">{xe.text(ref)}</{p}definedName>'
                        for n, ref in missing.values())
        if items:
            self.xml = xe.insert_children(self.xml, "definedNames", items, _AFTER_NAMES)

    def set_local_names(self, tab: Tab, names: dict[str, str | None]) -> None:
        """Set (or, for None, remove) names scoped to ``tab`` such as _xlnm.Print_Titles."""
        index = str(next(i for i, t in enumerate(self.tabs) if t.sheet_id == tab.sheet_id))
        wanted = {n.casefold(): (n, ref) for n, ref in names.items()}
        for tag in reversed(list(xe.tags(self.xml, "definedName"))):
            key = tag.attrs.get("name", "").casefold()
            if tag.attrs.get("localSheetId") != index or key not in wanted:
                continue
            end = xe.element_end(self.xml, tag)
            body = "" if tag.empty else self.xml[tag.end:end - len(f"</{tag.prefix}definedName>")]
            if wanted[key][1] is not None and unescape(body) == wanted[key][1]:
                del wanted[key]  # already as wanted: left untouched
                continue
            self.xml = self.xml[:tag.start] + self.xml[end:]
        p = xe.root_prefix(self.xml)
        hidden = ' hidden="1"'
        items = "".join(f'<{p}definedName name="{xe.attr(n)}" localSheetId="{index}"'
                        f'{hidden if n == "_xlnm._FilterDatabase" else ""}>{xe.text(ref)}</{p}definedName>'
                        for n, ref in wanted.values() if ref is not None)
        if items:
            self.xml = xe.insert_children(self.xml, "definedNames", items, _AFTER_NAMES)

    def forget_formulas(self, sheet_ids: set[int]) -> None:
        """Drop the calculation chain if it lists cells of these tabs (Excel rebuilds it)."""
        chain = self.part_of("/calcChain")
        if chain is None or not sheet_ids:
            return
        current, listed = None, set()
        for tag in xe.tags(self.pkg.text(chain), "c"):
            current = tag.attrs.get("i", current)
            listed.add(current)
        if {str(i) for i in sheet_ids} & listed:
            rid = next(r.id for r in self._rels.values() if r.target == chain)
            self.pkg.remove(chain)
            self.pkg.drop_rel(self.part, rid)

    def save(self) -> None:
        self.pkg.put(self.part, self.xml)

    def _tab(self, attrs: dict[str, str]) -> Tab:
        rid = next(v for k, v in attrs.items() if k.endswith(":id") or k == "id")
        rel = self._rels.get(rid)
        return Tab(attrs["name"], int(attrs["sheetId"]), rid, rel.target if rel else "", rel.type if rel else "")

    def _swap(self, tag: xe.Tag, text: str) -> None:
        self.xml = self.xml[:tag.start] + text + self.xml[tag.end:]
