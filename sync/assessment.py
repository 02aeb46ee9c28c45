"""月考核: one scored line per task and rule, totals per unit, rank within each level, the weakest units.

Scores: base + deductions + bonuses, where the bonuses of one unit in one month are capped by the
param 加分上限 (when the rule files define it), and the total never goes below the floor. Ranks are
competition ranks within a level (1, 1, 3). 短板: per level, the ``bottom`` lowest-scoring units among
those with at least one deduction; every unit tied with the last one listed is listed too (并列).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from .org import Org
from .rulebook import Rulebook
from .schema import LEVELS

FACTS = ["deadline", "progress", "expected_progress", "updated", "days_overdue"]  # what a line is judged on
LINE_COLUMNS = ["unit", "unit_name", "level", "id", "name", "rule", "rule_label", "points", *FACTS]
BONUS_CAP = "加分上限"  # the param capping one unit's bonuses in one month


def line_facts(lines: pd.DataFrame) -> pd.Series:
    """What each line was judged on, in one phrase: 截止 11-30；进度 60%（应有 100%）；更新 11-23；逾期 1 天."""
    if lines.empty:
        return pd.Series([], index=lines.index, dtype=object)

    def each(column: pd.Series, shown: str) -> pd.Series:  # format each distinct value once
        return column.map({v: shown.format(v) for v in column.dropna().unique()}).astype(object).fillna("")

    def points(column: pd.Series) -> pd.Series:
        return each(column, "{:.4g}%")

    progress = ("进度 " + points(lines["progress"].fillna(0)) + "（应有 " + points(lines["expected_progress"]) + "）") \
        .where(lines["expected_progress"].notna(), "")
    text = ("截止 " + lines["deadline"].dt.strftime("%m-%d")).fillna("")
    for part in (progress, ("更新 " + lines["updated"].dt.strftime("%m-%d")).fillna("未填更新日期"),
                 each(lines["days_overdue"].where(lines["days_overdue"] > 0), "逾期 {:g} 天")):
        text = text + ((text != "") & (part != "")).map({True: "；", False: ""}) + part
    return text


def _line_json(r: Any) -> dict[str, object]:  # noqa: ANN401 - a row of ``lines``
    def day(value: object) -> str | None:
        return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]

    def number(value: object) -> float | None:
        return None if pd.isna(value) else float(value)  # type: ignore[arg-type]

    return {"task": r.id, "name": r.name, "rule": r.rule, "label": r.rule_label, "points": float(r.points),
            "deadline": day(r.deadline), "progress": number(r.progress),
            "expected_progress": number(r.expected_progress), "updated": day(r.updated),
            "days_overdue": number(r.days_overdue)}


@dataclass
class Assessment:
    lines: pd.DataFrame  # LINE_COLUMNS: every deduction and bonus
    scores: pd.DataFrame  # unit, unit_name, level, parent_name, base, deductions, bonuses, score, rank
    bottom: pd.DataFrame  # scores' columns + tied: the weakest `rules.bottom` units of each level (短板)

    def to_json(self, month: tuple[int, int], judged_at: date) -> dict[str, object]:
        """The month's scores as ``sync --json`` prints them (documented in the README)."""
        weakest = dict(zip(self.bottom["unit"], self.bottom["tied"], strict=True))
        by_unit = {unit: [_line_json(r) for r in group.itertuples(index=False)]
                   for unit, group in self.lines.groupby("unit", sort=False)}
        return {"month": f"{month[0]:04d}-{month[1]:02d}", "judged_at": judged_at.isoformat(), "units": [
            {"unit": r.unit, "name": r.unit_name, "level": r.level, "base": float(r.base),
             "deductions": float(r.deductions), "bonuses": float(r.bonuses), "score": float(r.score),
             "rank": int(r.rank), "weakest": r.unit in weakest, "tied": bool(weakest.get(r.unit, False)),
             "lines": by_unit.get(r.unit, [])}
            for r in self.scores.itertuples(index=False)]}


def assess(tasks: pd.DataFrame, org: Org, rules: Rulebook) -> Assessment:
    """Score every unit of ``org`` from classified ``tasks`` (output of dispatch.classify)."""
    parts = []
    for line in rules.lines:
        hit = tasks[line.mask(tasks, rules.params)]
        parts.append(pd.DataFrame({
            "unit": hit["unit"], "unit_name": hit["unit_name"], "level": hit["level"], "id": hit["id"],
            "name": hit["name"], "rule": line.key, "rule_label": line.label, "points": rules.points(line),
            **{fact: hit[fact] for fact in FACTS}}))
    lines = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LINE_COLUMNS)
    lines = lines[LINE_COLUMNS].sort_values(["unit", "id", "rule"], kind="stable").reset_index(drop=True)

    credited = lines[["unit", "points"]]
    if rules.include_descendants:  # each line also counts for every ancestor of its unit
        credited = pd.DataFrame({"unit": lines["unit"].map({u: org.chain(u) for u in lines["unit"].unique()}),
                                 "points": lines["points"]}).explode("unit")
    sums = credited.assign(neg=credited["points"].clip(upper=0), pos=credited["points"].clip(lower=0)) \
        .groupby("unit")[["neg", "pos"]].sum()
    scores = pd.DataFrame({"unit": org.codes})
    scores["unit_name"] = scores["unit"].map(org.names)
    scores["level"] = scores["unit"].map(org.levels)
    scores["parent_name"] = scores["unit"].map(lambda c: org.label(p) if (p := org.parents.get(c)) else "")
    scores["base"] = rules.base
    scores["deductions"] = scores["unit"].map(sums["neg"]).fillna(0.0)
    scores["bonuses"] = scores["unit"].map(sums["pos"]).fillna(0.0)
    if BONUS_CAP in rules.params:
        scores["bonuses"] = scores["bonuses"].clip(upper=float(rules.params[BONUS_CAP]))
    scores["score"] = (rules.base + scores["deductions"] + scores["bonuses"]).clip(lower=rules.floor)
    scores["rank"] = scores.groupby("level")["score"].rank(method="min", ascending=False).astype(int)
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    scores = scores.sort_values(["level", "rank", "unit"], key=lambda s: s.map(order) if s.name == "level" else s,
                                kind="stable").reset_index(drop=True)
    return Assessment(lines, scores, _weakest(scores, rules.bottom, order))


def _weakest(scores: pd.DataFrame, count: int, order: dict[str, int]) -> pd.DataFrame:
    """短板: per level (of more than one unit), the ``count`` lowest scores among units with a deduction,
    plus every unit tied with the last of them; ``tied`` marks scores shared within the list (并列)."""
    several = scores.groupby("level")["unit"].transform("size") > 1
    candidates = scores[several & (scores["deductions"] < 0)].sort_values(["score", "unit"], kind="stable")
    cut = candidates.groupby("level")["score"].transform(lambda s: s.iloc[min(count, len(s)) - 1] if count else -1)
    bottom = candidates[candidates["score"] <= cut]
    bottom = bottom.assign(tied=bottom.duplicated(["level", "score"], keep=False))
    return bottom.sort_values(["level", "score", "unit"], key=lambda s: s.map(order) if s.name == "level" else s,
                              kind="stable").reset_index(drop=True)
