"""Cell values and formats the way Sheets stores and shows them.

User-entered text is parsed like the Sheets UI parses it (numbers, dates, booleans, formulas);
numbers are shown through their number format; colours are stored quantised to 8 bits and
reported with float32 precision, zero channels left out, like the real API.
"""

from __future__ import annotations

import copy
import math
import re
import struct
from datetime import date, datetime, timedelta
from typing import Any

EPOCH = datetime(1899, 12, 30)
DATE_TYPES = ("DATE", "TIME", "DATE_TIME")

_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(\.\d*)?(%?)$")
_DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (0, 1, 2), "yyyy-mm-dd"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), (0, 1, 2), "yyyy/mm/dd"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (2, 0, 1), "M/d/yyyy"),
)
_DATE_TOKENS = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|.', re.I)


def to_serial(value: date | datetime) -> float:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return (moment.replace(tzinfo=None) - EPOCH) / timedelta(days=1)


def from_serial(serial: float) -> datetime:
    return EPOCH + timedelta(days=serial)


def json_number(value: float) -> int | float:
    """Integral numbers travel as JSON integers, like the API's ``2`` for ``=4/2``."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


# ---- colours -------------------------------------------------------------------------------

def _float32(value: float) -> float:
    """The shortest decimal that reads back as the same float32 (what the API prints)."""
    f32 = float(struct.unpack("f", struct.pack("f", value))[0])
    for digits in range(1, 10):
        text = f"{f32:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            return float(text)
    return f32


def quantise_colour(colour: dict[str, Any]) -> dict[str, Any]:
    """8-bit channels (truncated, as the API does) with float32 precision; zero channels left out."""
    out: dict[str, Any] = {}
    for channel in ("red", "green", "blue", "alpha"):
        if channel in colour:
            level = math.floor(max(0.0, min(1.0, float(colour[channel]))) * 255 + 1e-4) / 255
            if level:
                out[channel] = json_number(_float32(level))
    return out


def _mirror(node: dict[str, Any], plain: str, styled: str) -> None:
    """Keep ``backgroundColor`` and ``backgroundColorStyle.rgbColor`` (etc.) in step."""
    if plain in node:
        node[plain] = quantise_colour(node[plain])
        node[styled] = {"rgbColor": node[plain]}
    elif isinstance(node.get(styled), dict) and "rgbColor" in node[styled]:
        node[styled] = {"rgbColor": quantise_colour(node[styled]["rgbColor"])}
        node[plain] = node[styled]["rgbColor"]


def normalise_format(fmt: dict[str, Any]) -> dict[str, Any]:
    """A cell format as the API stores it (colours quantised, ``*Style`` twins filled in)."""
    fmt = copy.deepcopy(fmt)
    _mirror(fmt, "backgroundColor", "backgroundColorStyle")
    if isinstance(fmt.get("textFormat"), dict):
        _mirror(fmt["textFormat"], "foregroundColor", "foregroundColorStyle")
    return fmt


def normalise_sheet_properties(props: dict[str, Any]) -> None:
    _mirror(props, "tabColor", "tabColorStyle")


# ---- entering values -------------------------------------------------------------------------

def typed_value(value: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A RAW value: (userEnteredValue, None). Strings are never parsed; ``""`` is an empty cell."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return {"boolValue": value}, None
    if isinstance(value, int | float):
        return {"numberValue": value}, None
    return {"stringValue": str(value)}, None


def user_entered(value: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A USER_ENTERED value: (userEnteredValue, number format Sheets picks for it, if any)."""
    if not isinstance(value, str):
        return typed_value(value)
    text = value.strip()
    if value.startswith("=") and len(value) > 1:
        return {"formulaValue": value}, None
    if value.startswith("'"):
        return typed_value(value[1:])
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}, None
    number = _NUMBER.match(text)
    if number and any(ch.isdigit() for ch in text):
        sign, whole, fraction, percent = number.groups()
        amount = float((whole or "0").replace(",", "") + (fraction or ""))
        amount = -amount if sign == "-" else amount
        places = "." + "0" * (len(fraction) - 1) if fraction and len(fraction) > 1 else ""
        if percent:
            return {"numberValue": amount / 100}, {"type": "PERCENT", "pattern": f"0{places}%"}
        if "," in whole:
            return {"numberValue": amount}, {"type": "NUMBER", "pattern": f"#,##0{places}"}
        return {"numberValue": amount}, None
    for pattern, order, fmt in _DATE_FORMS:
        m = pattern.match(text)
        if m:
            parts = [int(g) for g in m.groups()]
            try:
                day = date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                break
            return {"numberValue": to_serial(day)}, {"type": "DATE", "pattern": fmt}
    return typed_value(value)


# ---- showing values --------------------------------------------------------------------------

def is_date_format(number_format: dict[str, Any] | None) -> bool:
    return number_format is not None and number_format.get("type") in DATE_TYPES


def format_number(value: float, number_format: dict[str, Any] | None) -> str:
    """``value`` shown through its number format (the subset of patterns the stand-in knows)."""
    pattern = (number_format or {}).get("pattern", "")
    if is_date_format(number_format):
        return _format_date(from_serial(value), pattern or "yyyy-mm-dd")
    if not pattern or pattern.lower() == "general":
        return _general(value)
    percent = "%" in pattern
    shown = value * 100 if percent else value
    body = pattern.replace("%", "").split(";")[0]
    integer, _, fraction = body.partition(".")
    places = sum(ch in "0#" for ch in fraction)
    required = fraction.count("0")
    text = f"{shown:,.{places}f}" if "," in integer else f"{shown:.{places}f}"
    if places > required:
        whole, _, digits = text.partition(".")
        digits = digits[:required] + digits[required:].rstrip("0")
        text = whole + ("." + digits if digits else "")
    return text + ("%" if percent else "")


def _general(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    return text


def _format_date(moment: datetime, pattern: str) -> str:
    tokens = _DATE_TOKENS.findall(pattern)
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        before = next((t.lower() for t in reversed(tokens[:i]) if t.strip(" :/-.")), "")
        after = next((t.lower() for t in tokens[i + 1:] if t.strip(" :/-.")), "")
        minutes = low in ("m", "mm") and token.islower() and (before.startswith("h") or after.startswith("s"))
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low in ("mm", "m") and minutes:
            out.append(f"{moment.minute:02d}" if low == "mm" else str(moment.minute))
        elif low == "mmmm":
            out.append(moment.strftime("%B"))
        elif low == "mmm":
            out.append(moment.strftime("%b"))
        elif low == "mm":
            out.append(f"{moment.month:02d}")
        elif low == "m":
            out.append(str(moment.month))
        elif low == "dddd":
            out.append(moment.strftime("%A"))
        elif low == "ddd":
            out.append(moment.strftime("%a"))
        elif low == "dd":
            out.append(f"{moment.day:02d}")
        elif low == "d":
            out.append(str(moment.day))
        elif low == "hh":
            out.append(f"{moment.hour:02d}")
        elif low == "h":
            out.append(str(moment.hour))
        elif low == "ss":
            out.append(f"{moment.second:02d}")
        elif low == "s":
            out.append(str(moment.second))
        else:
            out.append(token)
    return "".join(out)
