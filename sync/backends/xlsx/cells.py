"""Cell XML: values as values — numbers, booleans, dates as serials, text always as inline text.

Text is never a formula: a staff text that starts with ``=``, ``+``, ``-`` or ``@`` is written as an
inline string and reads back as the same text.
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import date

from sync.empty import is_empty
from sync.serials import day_serial, to_serial
from sync.sheets import Cell

# Characters XML 1.0 cannot carry, CR (parsers turn it into LF), and text that looks like Excel's
# own _xHHHH_ escape: all written as _xHHHH_ escapes, as Excel does.
_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
NOT_PLAIN_INSIDE = re.compile(r"[&<>\r\n\t\x00-\x1f\ufffe\uffff]|_x")  # text needing care, edges aside
NOT_PLAIN = re.compile(NOT_PLAIN_INSIDE.pattern + r"|^\s|\s$")  # text needing care
MAX_TEXT = 32_767  # characters Excel allows in one cell
_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "_": "_x005F_"}


def escape_text(value: str) -> str:
    return _SPECIAL.sub(_escape_one, value) if _SPECIAL.search(value) else value


def cell(ref: str, value: Cell, style: int = 0) -> str:  # noqa: PLR0911 - one return per type
    """One ``<c>`` element; an empty value gives a styled blank (or nothing to say if unstyled)."""
    s = f' s="{style}"' if style else ""
    if type(value) is str and value:
        if len(value) > MAX_TEXT:  # Excel would "repair" the book; cut, and show it was cut
            value = value[:MAX_TEXT - 1] + "…"
        if not NOT_PLAIN.search(value):
            return f'<c r="{ref}"{s} t="inlineStr"><is><t>{value}</t></is></c>'
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape_text(value)}</t></is></c>'
    if type(value) is int:
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if type(value) is float:
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>' if math.isfinite(value) else f'<c r="{ref}"{s}/>'
    if type(value) is date:
        return f'<c r="{ref}"{s}><v>{day_serial(value)}</v></c>'
    return _other(ref, value, s)


def _other(ref: str, value: Cell, s: str) -> str:
    """The rarer values: booleans, datetimes, numpy/decimal numbers, str subclasses, NaT."""
    if isinstance(value, str) and value:
        return cell(ref, str(value), int(s[4:-1]) if s else 0)
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date) and not is_empty(value):  # NaT is a date that is empty
        number = to_serial(value)
        return f'<c r="{ref}"{s}><v>{int(number) if number.is_integer() else repr(number)}</v></c>'
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"{s}><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Real) and math.isfinite(value):
        return f'<c r="{ref}"{s}><v>{float(value)!r}</v></c>'
    return f'<c r="{ref}"{s}/>'


def _escape_one(m: re.Match[str]) -> str:
    char = m[0]
    return _ENTITY.get(char) or f"_x{ord(char):04X}_"
