"""Vectorised cell parsers: anti-Excel armour, money with either decimal mark, dates in per-file formats."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

# Spreadsheet armour exporters put around ids and dates: ="123", a leading ', TAB padding.
_FORMULA_TEXT = r'^="(.*)"$'
_STRIP = " \t\r\n\u00a0\u3000"

# Anything that is not part of a number: currency symbols and codes (US $, RM, €, ¥, 元, R$ …).
_NOT_NUMERIC = r"[^0-9.,()\-+]"
_DOT_DECIMAL = r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?\.\d+$"
_COMMA_DECIMAL = r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)?,\d+$"
_PLAIN_NUMBER = r"^-?(\d+\.?\d*|\.\d+)$"


def clean_text(values: pa.Array) -> pa.Array:
    """Strip the armour and surrounding blanks from string cells; empty cells become null."""
    values = pc.utf8_trim(values, _STRIP)
    if pc.any(pc.starts_with(values, "=")).as_py():
        values = pc.replace_substring_regex(values, _FORMULA_TEXT, r"\1")
    if pc.any(pc.starts_with(values, "'")).as_py():
        values = pc.utf8_ltrim(values, "'")
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def numeric_core(values: pa.Array) -> pa.Array:
    """The digits, separators and sign of each money cell, with symbols and codes removed."""
    return pc.replace_substring_regex(values, _NOT_NUMERIC, "")


def decide_decimal(cores: list[pa.Array]) -> str:
    """Decide the decimal mark of one file from all its money cells: ',' only when the cells
    written with a decimal comma outnumber those written with a decimal point."""
    comma = dot = 0
    for core in cores:
        comma += pc.sum(pc.match_substring_regex(core, _COMMA_DECIMAL)).as_py() or 0
        dot += pc.sum(pc.match_substring_regex(core, _DOT_DECIMAL)).as_py() or 0
    return "," if comma > dot else "."


def parse_money(values: pa.Array, decimal: str) -> tuple[pa.Array, pa.Array]:
    """Money cells to float64, with the decimal mark decided for the file.

    Returns (numbers, bad) where `bad` is True for a non-empty cell that is not a number.
    Accounting negatives `(12.50)` and trailing minus signs `12.50-` are read as negative.
    """
    core = numeric_core(values)
    negative = pc.or_(pc.starts_with(core, "("), pc.ends_with(core, "-"))
    core = pc.utf8_trim(core, "()+")
    core = pc.if_else(pc.ends_with(core, "-"), pc.utf8_rtrim(core, "-"), core)
    if decimal == ",":
        core = pc.replace_substring(pc.replace_substring(core, ".", ""), ",", ".")
    else:
        core = pc.replace_substring(core, ",", "")
    ok = pc.match_substring_regex(core, _PLAIN_NUMBER)
    number = pc.cast(pc.if_else(ok, core, pa.scalar(None, pa.string())), pa.float64())
    number = pc.if_else(pc.and_(negative, pc.greater(number, 0)), pc.negate(number), number)
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(ok, False)))
    return number, bad


def translate_months(values: pa.Array, month_names: dict[str, str]) -> pa.Array:
    """Replace localised month names (eBay.de `Dez`) by the English ones strptime knows."""
    for local, english in month_names.items():
        values = pc.replace_substring(values, local, english)
    return values


def parse_dates(values: pa.Array, formats: tuple[str, ...]) -> tuple[pa.Array, pa.Array, str]:
    """Date cells to UTC timestamps with the formats of the profile, decided per file.

    Every format is tried on the whole column; the formats are then applied in the order of how
    many cells they read, so a file whose days go past 12 is read as DD/MM everywhere (and a file
    where nothing decides keeps the profile's order). Returns (timestamps, bad, main format).
    """
    result = pa.nulls(len(values), pa.timestamp("s", tz="UTC"))
    if not formats or len(values) == 0:
        return result, pc.is_valid(values), ""
    tried = []
    for index, fmt in enumerate(formats):
        parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
        if parsed.type.tz is None:
            parsed = pc.assume_timezone(parsed, "UTC")
        parsed = parsed.cast(pa.timestamp("s", tz="UTC"))
        tried.append((-(pc.count(parsed).as_py()), index, fmt, parsed))
    tried.sort(key=lambda item: item[:2])
    for _, _, _, parsed in tried:
        result = pc.coalesce(result, parsed)
    bad = pc.and_(pc.is_valid(values), pc.is_null(result))
    return result, bad, tried[0][2]
