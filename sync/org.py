"""The organisation: units, their level and parent, and resolving what staff type in 责任单位."""

from __future__ import annotations

from difflib import get_close_matches

from .normalise import TabData
from .problems import Problem
from .schema import LEVELS, fold

# Words that name every unit of a level (in the plan book's 责任单位).
LEVEL_WORDS = {fold(w): level for level, words in {
    "基层党委": ("各基层党委", "全体基层党委", "所有基层党委", "各二级单位党委"),
    "党支部": ("各党支部", "全体党支部", "所有党支部", "各支部", "各基层党支部"),
}.items() for w in words}

EXPECTED_PARENT = {"基层党委": ("集团党委",), "党支部": ("基层党委", "集团党委")}


class Org:
    """Units by code, with name, level and parent code."""

    def __init__(self, codes: list[str], names: dict[str, str], levels: dict[str, str],
                 parents: dict[str, str | None]) -> None:
        self.codes = codes
        self.names = names
        self.levels = levels
        self.parents = parents
        self._lookup = {fold(c): c for c in codes} | {fold(n): c for c, n in names.items()}
        self.shared_names: dict[str, list[str]] = {}  # folded name -> codes of the units that share it
        for code, name in names.items():
            self.shared_names.setdefault(fold(name), []).append(code)
        self.shared_names = {n: cs for n, cs in self.shared_names.items() if len(cs) > 1}
        for name in self.shared_names:  # a name two units share resolves to neither: use the code
            if name not in {fold(c) for c in codes}:
                del self._lookup[name]

    def resolve(self, ref: str) -> str | None:
        """The unit code for a code or a name as typed, or None."""
        return self._lookup.get(fold(ref))

    def unknown(self, ref: str) -> tuple[str, str]:
        """The message and fix for a 责任单位 that does not resolve: a shared name, or the nearest known."""
        shared = self.shared_names.get(fold(ref))
        if shared:
            codes = "、".join(shared)
            return (f"责任单位“{ref}”在组织架构中有 {len(shared)} 个同名单位（{codes}）",
                    f"请改填单位编码（{codes} 之一）")
        near = get_close_matches(ref, [*self.names.values(), *self.codes], n=1, cutoff=0.6)
        hint = f"最接近的是“{near[0]}”，" if near else ""
        return f"责任单位“{ref}”不在组织架构中", f"{hint}请填写组织架构中的单位编码或单位名称"

    def expand(self, ref: str) -> list[str] | None:
        """Codes named by ``ref``: one unit, or every unit of a level (各党支部)."""
        level = LEVEL_WORDS.get(fold(ref))
        if level:
            return self.at_level(level)
        code = self.resolve(ref)
        return [code] if code else None

    def at_level(self, level: str) -> list[str]:
        return [c for c in self.codes if self.levels[c] == level]

    def chain(self, code: str) -> list[str]:
        """The unit and its ancestors, nearest first."""
        seen: list[str] = []
        current: str | None = code
        while current is not None and current not in seen:
            seen.append(current)
            current = self.parents.get(current)
        return seen

    def label(self, code: str) -> str:
        return self.names.get(code, code)


def build_org(data: TabData, book: str) -> tuple[Org, list[Problem]]:
    """The Org from a normalised 组织架构 tab, with problems for parents and levels that don't fit."""
    f = data.frame
    codes = list(f["code"])
    org = Org(codes, dict(zip(codes, f["name"], strict=True)), dict(zip(codes, f["level"], strict=True)), {})
    problems: list[Problem] = []
    for code, parent_ref, row in zip(codes, f["parent"], f["_row"], strict=True):
        level = org.levels[code]
        if parent_ref is None:
            if level != LEVELS[0]:
                problems.append(Problem(book, data.sheet, data.address(row, "code"), "missing_parent",
                                        f"{level}“{org.label(code)}”没有填写上级单位",
                                        "请在上级单位中填写它所属单位的编码或名称"))
            org.parents[code] = None
            continue
        parent = org.resolve(parent_ref)
        if parent is None or parent == code:
            problems.append(Problem(book, data.sheet, data.address(row, "parent"), "unknown_parent",
                                    f"上级单位“{parent_ref}”不在组织架构中",
                                    "请填写组织架构中已有单位的编码或名称", parent_ref))
            parent = None
        elif org.levels[parent] not in EXPECTED_PARENT.get(level, ()):
            problems.append(Problem(book, data.sheet, data.address(row, "parent"), "bad_parent_level",
                                    f"{level}的上级单位“{parent_ref}”是{org.levels[parent]}",
                                    f"{level}的上级应为{'或'.join(EXPECTED_PARENT.get(level, ('（无）',)))}",
                                    parent_ref))
        org.parents[code] = parent
    rows = dict(zip(codes, f["_row"], strict=True))
    for codes_sharing in org.shared_names.values():
        first, *others = codes_sharing
        for code in others:
            problems.append(Problem(
                book, data.sheet, data.address(rows[code], "name"), "duplicate_unit_name",
                f"单位名称“{org.label(code)}”与第 {rows[first]} 行（{first}）重名",
                f"请给两个单位起不同的名称；在此之前，任务的责任单位请填写单位编码（{first} 或 {code}）",
                org.label(code)))
    groups = org.at_level(LEVELS[0])
    if len(groups) != 1:
        problems.append(Problem(book, data.sheet, "", "group_count",
                                f"组织架构中有 {len(groups)} 个集团党委", "请保留且只保留一个层级为集团党委的单位"))
    return org, problems
