"""A small formula evaluator: enough Sheets formula language for the stand-in's needs.

Arithmetic, ``&``, comparisons, cell and range references (also on other sheets), and the
functions IF, IFERROR, INDEX, INDIRECT, MATCH (with Sheets' wildcards) and SUBSTITUTE — what typed-in
formulas in the recorded traffic and the sync's conditional-format rules use. Anything else evaluates to ``#NAME?``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .a1 import Box, RangeError, column_index, column_letter, parse_cells, split_title

_TOKEN = re.compile(r"""
  (?P<ws>\s+)
| (?P<string>"(?:[^"]|"")*")
| (?P<ref>(?:(?:'(?:[^']|'')*'|[A-Za-z_][\w.]*)!)?
      (?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?\d+:\$?\d+)
      (?![\w(]))
| (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
| (?P<func>[A-Za-z_][\w.]*(?=\s*\())
| (?P<bool>(?i:TRUE|FALSE)(?![\w(]))
| (?P<op><>|<=|>=|[-+*/^&=<>%(),])
""", re.X)
_CELL_PART = re.compile(r"(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?")


@dataclass(frozen=True)
class CellError:
    """An error value such as ``#N/A``."""

    code: str


class FormulaError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Context(Protocol):
    """What a formula can see: cells of any sheet of its spreadsheet."""

    def cells(self, title: str | None, box: Box) -> list[list[Any]]: ...


@dataclass(frozen=True)
class Ref:
    title: str | None
    box: Box


def tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) for each token; raises FormulaError on a character it cannot read."""
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise FormulaError("#ERROR!")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group(), pos))
        pos = m.end()
    return out


def shift_rows(formula: str, title: str, at: int, count: int) -> str:
    """Re-anchor references to sheet ``title`` after ``count`` rows were inserted before row ``at``.

    References that name no sheet count as references to ``title`` (the formula's own sheet).
    """
    out, last = [], 0
    for kind, text, pos in tokens(formula[1:]):
        if kind != "ref":
            continue
        named, cells = split_title(text) if "!" in text else (None, text)
        if named is not None and named != title:
            continue
        prefix = text[:len(text) - len(cells or "")]

        def move(m: re.Match[str]) -> str:
            row = m.group(4)
            if row and int(row) - 1 >= at:
                row = str(int(row) + count)
            return f"{m.group(1)}{m.group(2) or ''}{m.group(3)}{row or ''}"

        shifted = ":".join(_CELL_PART.sub(move, part, count=1) for part in (cells or "").split(":"))
        out.append(formula[last:pos + 1] + prefix + shifted)
        last = pos + 1 + len(text)
    return "".join(out) + formula[last:]


def evaluate(formula: str, context: Context, offset: tuple[int, int] = (0, 0)) -> Any:
    """The value of ``=...``; relative references move by ``offset`` (rows, columns)."""
    try:
        parser = _Parser(tokens(formula.lstrip()[1:]))
        tree = parser.expression()
        if parser.pos != len(parser.toks):
            raise FormulaError("#ERROR!")
        return _scalar(_Evaluator(context, offset).run(tree), context)
    except FormulaError as err:
        return CellError(err.code)


def _scalar(value: Any, context: Context) -> Any:
    if isinstance(value, Ref):
        grid = context.cells(value.title, value.box)
        if len(grid) != 1 or len(grid[0]) != 1:
            raise FormulaError("#VALUE!")
        value = grid[0][0]
    if isinstance(value, CellError):
        raise FormulaError(value.code)
    return value


def _number(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise FormulaError("#VALUE!") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _wildcards(text: str) -> re.Pattern[str]:
    """A MATCH(…, 0) text criterion as Sheets reads it: * any run, ? one character, ~ escapes; no case."""
    out, escaped = [], False
    for ch in text:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "~":
            escaped = True
        else:
            out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    if escaped:
        out.append(re.escape("~"))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _compare(op: str, left: Any, right: Any) -> bool:
    def key(v: Any) -> tuple[int, Any]:
        if v is None:
            return (0, 0.0)
        if isinstance(v, bool):
            return (2, v)
        if isinstance(v, int | float):
            return (0, float(v))
        return (1, str(v).lower())
    a, b = key(left), key(right)
    if left is None and isinstance(right, str):
        a = (1, "")
    if right is None and isinstance(left, str):
        b = (1, "")
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda x, y: x == y, "<>": lambda x, y: x != y, "<": lambda x, y: x < y,
        ">": lambda x, y: x > y, "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y}
    return ops[op](a, b)


Node = tuple[Any, ...]


class _Parser:
    """Tokens -> a tree of tuples: (num|str|bool|ref, value), (bin, op, a, b), (neg|pct, a), (call, name, args)."""

    _BINARY = [("=", "<>", "<", ">", "<=", ">="), ("&",), ("+", "-"), ("*", "/"), ("^",)]

    def __init__(self, toks: list[tuple[str, str, int]]) -> None:
        self.toks, self.pos = toks, 0

    def peek(self) -> tuple[str, str]:
        return (self.toks[self.pos][0], self.toks[self.pos][1]) if self.pos < len(self.toks) else ("end", "")

    def take(self, text: str) -> None:
        if self.peek()[1] != text:
            raise FormulaError("#ERROR!")
        self.pos += 1

    def expression(self, level: int = 0) -> Node:
        if level == len(self._BINARY):
            return self.unary()
        left = self.expression(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in self._BINARY[level]:
            op = self.peek()[1]
            self.pos += 1
            left = ("bin", op, left, self.expression(level + 1))
        return left

    def unary(self) -> Node:
        kind, text = self.peek()
        if kind == "op" and text in "+-":
            self.pos += 1
            operand = self.unary()
            return ("neg", operand) if text == "-" else ("bin", "+", ("num", 0.0), operand)
        node = self.primary()
        while self.peek() == ("op", "%"):
            self.pos += 1
            node = ("pct", node)
        return node

    def primary(self) -> Node:
        kind, text = self.peek()
        self.pos += 1
        if kind == "number":
            return ("num", float(text))
        if kind == "string":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "bool":
            return ("bool", text.upper() == "TRUE")
        if kind == "ref":
            return ("ref", text)
        if kind == "func":
            self.take("(")
            args: list[Node] = []
            while self.peek() != ("op", ")"):
                args.append(self.expression())
                if self.peek() == ("op", ","):
                    self.pos += 1
            self.take(")")
            return ("call", text.upper(), args)
        if (kind, text) == ("op", "("):
            node = self.expression()
            self.take(")")
            return node
        raise FormulaError("#ERROR!")


class _Evaluator:
    def __init__(self, context: Context, offset: tuple[int, int]) -> None:
        self.context, self.offset = context, offset

    def run(self, node: Node) -> Any:
        kind = node[0]
        if kind in ("num", "str", "bool"):
            return node[1]
        if kind == "ref":
            return self.reference(node[1])
        if kind == "neg":
            return -_number(self.scalar(node[1]))
        if kind == "pct":
            return _number(self.scalar(node[1])) / 100
        if kind == "bin":
            return self.binary(node[1], self.scalar(node[2]), self.scalar(node[3]))
        return self.call(node[1], node[2])

    def scalar(self, node: Node) -> Any:
        return _scalar(self.run(node), self.context)

    def binary(self, op: str, a: Any, b: Any) -> Any:
        if op == "&":
            return _text(a) + _text(b)
        if op in ("+", "-", "*", "/", "^"):
            x, y = _number(a), _number(b)
            if op == "/" and y == 0:
                raise FormulaError("#DIV/0!")
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            return x / y if op == "/" else float(x ** y)
        return _compare(op, a, b)

    def reference(self, text: str) -> Ref:
        title, cells = split_title(text)
        dr, dc = self.offset

        def move(m: re.Match[str]) -> str:
            col, row = m.group(2), m.group(4)
            if col and not m.group(1):
                col = column_letter(column_index(col) + dc)
            if row and not m.group(3):
                row = str(int(row) + dr)
            return f"{col or ''}{row or ''}"

        moved = ":".join(_CELL_PART.sub(move, part, count=1) for part in (cells or "").split(":"))
        return Ref(title, parse_cells(moved))

    def call(self, name: str, args: list[Node]) -> Any:
        n = len(args)
        if name == "IF" and n in (2, 3):
            if _number(self.scalar(args[0])):
                return self.scalar(args[1])
            return self.scalar(args[2]) if n == 3 else False
        if name == "IFERROR" and n in (1, 2):
            try:
                return self.scalar(args[0])
            except FormulaError:
                return self.scalar(args[1]) if n == 2 else ""
        if name == "INDIRECT" and n in (1, 2):
            try:
                title, cells = split_title(_text(self.scalar(args[0])))
                return Ref(title, parse_cells(cells or ""))
            except RangeError:
                raise FormulaError("#REF!") from None
        if name == "INDEX" and n in (2, 3):
            grid = self.grid(args[0])
            row = int(_number(self.scalar(args[1])))
            col = int(_number(self.scalar(args[2]))) if n == 3 else 1
            if len(grid) == 1 and n == 2:
                row, col = 1, row
            if not (1 <= row <= len(grid)) or not (1 <= col <= len(grid[row - 1])):
                raise FormulaError("#REF!")
            return grid[row - 1][col - 1]
        if name == "MATCH" and n in (2, 3):
            wanted = self.scalar(args[0])
            grid = self.grid(args[1])
            line = [r[0] for r in grid] if all(len(r) == 1 for r in grid) else grid[0]
            pattern = _wildcards(wanted) if isinstance(wanted, str) else None  # exact match of text: * ? ~
            for i, value in enumerate(line, start=1):
                if value is None:
                    continue
                if pattern.fullmatch(str(value)) if pattern and isinstance(value, str) else _compare("=", value, wanted):
                    return float(i)
            raise FormulaError("#N/A")
        if name == "SUBSTITUTE" and n == 3:
            text, old, new = (_text(self.scalar(a)) for a in args)
            return text.replace(old, new) if old else text
        raise FormulaError("#NAME?")

    def grid(self, node: Node) -> list[list[Any]]:
        value = self.run(node)
        if not isinstance(value, Ref):
            raise FormulaError("#VALUE!")
        return self.context.cells(value.title, value.box)
