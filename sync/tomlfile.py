"""One TOML file a user edits (a rule file, ``dispatchbook.toml``), read with one set of messages.

Every mistake becomes the caller's :class:`DispatchError` subclass naming the file and the key path,
e.g. ``rules/colours.toml › colour[3].any[2].op``, with what is wrong and how to fix it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import DispatchError


class TomlFile:
    """A parsed TOML file; ``label`` names it in messages, ``error`` is the exception its mistakes raise."""

    def __init__(self, path: Path, label: str, error: type[DispatchError], missing: tuple[str, str]) -> None:
        """``missing`` is the (message, fix) when the file does not exist."""
        self.label, self.error = label, error
        if not path.exists():
            raise error(label, *missing)
        try:
            self.data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise error(label, f"TOML 格式错误：{exc}", "请检查该行的引号、等号和括号") from None

    def fail(self, key: str, message: str, fix: str = "") -> DispatchError:
        """The error for the value at ``key`` (a dotted path such as ``books[2].name``)."""
        return self.error(f"{self.label} › {key}", message, fix)

    def get(self, table: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...],
            default: object = ...) -> Any:  # noqa: ANN401 - checked against ``kind`` at run time
        """``table[key]`` checked against ``kind`` (``bool`` only where ``kind`` names it); ``default``
        when absent, or an error when there is no default."""
        if key not in table:
            if default is ...:
                raise self.fail(f"{path}.{key}".lstrip("."), "缺少这一项", "请按 README 中的规则说明补上")
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            raise self.fail(f"{path}.{key}".lstrip("."), f"值“{value}”的类型不对", f"应为 {_type_name(kind)}")
        return value

    def only(self, table: dict[str, Any], allowed: set[str] | frozenset[str], path: str) -> None:
        """An error for the first key of ``table`` (at ``path``) that is not ``allowed``."""
        for key in table:
            if key not in allowed:
                raise self.fail(f"{path}.{key}".lstrip("."), "不认识的项",
                                "可用的项：" + "、".join(sorted(allowed)))


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "文字", int: "整数", float: "数字", bool: "true/false", list: "列表", dict: "表"}
    return " 或 ".join(names.get(k, k.__name__) for k in _tuple(kind))
