"""The Chinese message texts as data: ``notify.toml`` in the rules folder (or ``[notify] templates``),
each a ``str.format`` template whose fields are checked when the file loads."""

from __future__ import annotations

import string
from pathlib import Path

from ..config import ConfigError
from ..resources import default_rules_dir
from ..tomlfile import TomlFile

FILE = "notify.toml"
FIELDS: dict[str, tuple[str, ...]] = {  # every template and the fields it may use
    "reminder.subject": ("date", "name", "unit", "count"),
    "reminder.body": ("date", "name", "unit", "count", "items", "sheet"),
    "reminder.item": ("id", "task", "deadline", "colour", "when", "todo"),
    "reminder.overdue": ("days",), "reminder.left": ("days",),
    "reminder.todo.overdue": ("days",), "reminder.todo.warning": ("days",), "reminder.todo.stale": ("days",),
    "digest.subject": ("date", "leader"),
    "digest.body": ("date", "leader", "summary", "count", "items"),
    "digest.item": ("unit", "id", "task", "deadline", "when"), "digest.none": (),
    "weekly.subject": ("date", "week"), "weekly.body": ("date", "week", "summary", "units", "attachment"),
    "weekly.unit": ("unit", "red", "orange"), "weekly.none": (), "weekly.attachment": ("file",),
    "monthly.subject": ("month",), "monthly.body": ("month", "top", "weakest", "attachment"),
    "monthly.unit": ("level", "rank", "unit", "score"), "monthly.none": (), "monthly.attachment": ("file",),
}


class Templates:
    """The checked templates; :meth:`fill` renders one."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts

    def fill(self, key: str, **values: object) -> str:
        return self.texts[key].format(**values)


def load_templates(path: Path | None = None, rules_dir: Path | None = None) -> Templates:
    """``path``, else ``notify.toml`` in ``rules_dir`` when it has one, else the shipped default."""
    if path is None:
        folder = rules_dir if rules_dir is not None and (rules_dir / FILE).exists() else default_rules_dir()
        path = folder / FILE
    toml = TomlFile(path, path.name, ConfigError, ("找不到通知模板文件", "请用 dispatchbook init-rules 写出默认模板后修改"))
    texts = {}
    for key, allowed in FIELDS.items():
        node: object = toml.data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, str):
            raise toml.fail(key, "缺少这段模板或它不是文字", "请从默认的 notify.toml 复制这一项")
        try:
            used = {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(node) if name}
        except ValueError:
            raise toml.fail(key, "花括号不成对", "要写花括号本身时写 {{ 和 }}") from None
        unknown = sorted(used - set(allowed))
        if unknown:
            raise toml.fail(key, f"模板中的 {{{unknown[0]}}} 不能用", "可用：" + ("、".join(f"{{{a}}}" for a in allowed) or "（无）"))
        texts[key] = node
    return Templates(texts)
