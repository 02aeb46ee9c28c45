"""Field masks (``fields=sheets(properties(title))``, ``userEnteredFormat.textFormat``): parse, project, apply."""

from __future__ import annotations

import copy
from typing import Any

Path = tuple[str, ...]


class MaskError(ValueError):
    """The mask does not parse."""


def parse_mask(text: str) -> list[Path]:
    """``a.b,c(d,e(f))`` -> [(a, b), (c, d), (c, e, f)]; ``/`` works as ``.`` like the real API."""
    text = text.replace("/", ".").replace(" ", "")
    paths, pos = _parse_list(text, 0, ())
    if pos != len(text):
        raise MaskError(text)
    return paths


def _parse_list(text: str, pos: int, prefix: Path) -> tuple[list[Path], int]:
    paths: list[Path] = []
    while True:
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        name = text[start:pos]
        if not name or any(not part for part in name.split(".")):
            raise MaskError(text)
        path = prefix + tuple(name.split("."))
        if pos < len(text) and text[pos] == "(":
            inner, pos = _parse_list(text, pos + 1, path)
            if pos >= len(text) or text[pos] != ")":
                raise MaskError(text)
            paths += inner
            pos += 1
        else:
            paths.append(path)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return paths, pos


def project(obj: Any, paths: list[Path]) -> Any:
    """Keep only the masked fields of ``obj`` (lists are masked element by element)."""
    if any(not p or p[0] == "*" for p in paths):
        return obj
    if isinstance(obj, list):
        return [project(item, paths) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for key in dict.fromkeys(p[0] for p in paths):
        if key in obj:
            out[key] = project(obj[key], [p[1:] for p in paths if p[0] == key])
    return out


def apply_mask(target: dict[str, Any], source: dict[str, Any], paths: list[Path]) -> None:
    """Set every masked field of ``target`` from ``source``; a field absent from ``source`` is cleared."""
    for path in paths:
        if path == ("*",):
            target.clear()
            target.update(copy.deepcopy(source))
            continue
        src: Any = source
        for key in path:
            src = src.get(key) if isinstance(src, dict) else None
            if src is None:
                break
        if src is None:
            _clear(target, path)
            continue
        node = target
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = copy.deepcopy(src)


def _clear(target: dict[str, Any], path: Path) -> None:
    """Clear one field; an object left with nothing set is dropped too, as the service reads it back."""
    node = target.get(path[0]) if len(path) > 1 else None
    if len(path) == 1:
        target.pop(path[0], None)
    elif isinstance(node, dict):
        _clear(node, path[1:])
        if not node:
            target.pop(path[0])
