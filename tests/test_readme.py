"""The README's schema and rule-field tables are generated from the code; keep them in step."""

from pathlib import Path

from sync.conditions import FIELDS
from sync.schema import STAFF_TABS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def schema_table() -> str:
    lines = ["| tab | what it holds | columns (★ must be filled; ◇ column may be left out) |", "|---|---|---|"]
    for tab in STAFF_TABS:
        name = f"`{tab.name} YYYY-MM`" if tab.key == "month" else f"`{tab.name}`"
        cols = "、".join(c.label + ("★" if c.required else "◇" if c.optional else "") for c in tab.columns)
        lines.append(f"| {name}{'' if tab.required else ' (optional tab)'} | {tab.description} | {cols} |")
    return "\n".join(lines)


def alias_table() -> str:
    seen: dict[str, dict[str, None]] = {}  # label -> every alias any tab accepts for it, in order
    for tab in STAFF_TABS:
        for c in tab.columns:
            seen.setdefault(c.label, {}).update(dict.fromkeys(c.aliases))
    lines = ["| column | also accepted |", "|---|---|"]
    lines += [f"| {label} | {', '.join(aliases)} |" for label, aliases in seen.items()]
    return "\n".join(lines)


def field_table() -> str:
    lines = ["| field | alias | type |", "|---|---|---|"]
    lines += [f"| {f.name} | {f.alias} | {f.type}{' (assessment only)' if f.stage == 'assessment' else ''} |"
              for f in FIELDS]
    return "\n".join(lines)


def test_schema_table_is_current():
    assert schema_table() in README


def test_alias_table_is_current():
    assert alias_table() in README


def test_rule_field_table_is_current():
    assert field_table() in README


if __name__ == "__main__":  # print the tables to paste into README.md
    print(schema_table(), alias_table(), field_table(), sep="\n\n")
