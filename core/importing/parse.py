"""Vectorised cell parsers: anti-Excel armour, money with either decimal mark, dates in per-file formats."""
from __future__ import annotations

import datetime as dt

import numpy as np
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
_LETTERS_INSIDE = r"\d[^\d\s.,()+\-'’\x{a0}\x{202f}]+\d"
# Valid shapes once symbols are gone: digits with optional groups of three and decimals.
_GROUPED = {".": r"^-?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?$", ",": r"^-?(\d{1,3}(\.\d{3})+|\d*)(,\d*)?$"}


def clean_text(values: pa.Array) -> pa.Array:
    """Strip the armour and surrounding blanks from string cells; empty cells become null."""
    if _may_need_cleaning(values):
        values = pc.utf8_trim(values, _STRIP)
        if pc.any(pc.starts_with(values, "=")).as_py():
            values = pc.replace_substring_regex(values, _FORMULA_TEXT, r"\1")
        if pc.any(pc.starts_with(values, "'")).as_py():
            values = pc.utf8_ltrim(values, "'")
    empty = pc.equal(values, "")  # blanks only: the reader already made empty cells null
    return pc.if_else(empty, pa.scalar(None, values.type), values) if pc.any(empty).as_py() else values


def _byte_table(ascii_bytes: str) -> np.ndarray:
    """Per byte value, whether it is one of `ascii_bytes` or part of a non-ASCII character."""
    table = np.zeros(256, dtype=bool)
    table[0x80:] = True  # NBSP, the ideographic space 　 and every other non-ASCII character
    table[list(ascii_bytes.encode())] = True
    return table


_CLEANED_AT_START, _CLEANED_AT_END = _byte_table(" \t\r\n='"), _byte_table(" \t\r\n")


def _may_need_cleaning(values: pa.Array) -> bool:
    """Whether a cell may start with a blank, an armour or a non-ASCII character, or end with a
    blank or a non-ASCII character: tested at once on each cell's first and last byte. Ids,
    amounts, codes, emails, dates, names and places have none, and trimming them cost most of a
    large file's cleaning."""
    if not isinstance(values, pa.Array) or not pa.types.is_string(values.type):
        return True
    data = values.buffers()[2]
    if data is None or data.size == 0:  # every cell empty or missing
        return False
    text = np.frombuffer(data, dtype=np.uint8)
    ends = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset:values.offset + len(values) + 1]
    # An empty cell's "first" and "last" bytes are its neighbours' (or clipped to the buffer):
    # at worst a column is cleaned that did not need it.
    return bool(_CLEANED_AT_START[np.take(text, ends[:-1], mode="clip")].any()
                or _CLEANED_AT_END[np.take(text, ends[1:] - 1, mode="clip")].any())


def numeric_core(values: pa.Array) -> pa.Array:
    """The digits, separators and sign of each money cell, with symbols and codes removed."""
    return pc.replace_substring_regex(values, _NOT_NUMERIC, "")


def _may_hold_comma(values: pa.Array) -> bool:
    """Whether a cell may hold a comma: tested at once on the bytes of the column's text (a
    superset of its cells)."""
    if not isinstance(values, pa.Array) or not pa.types.is_string(values.type):
        return bool(pc.any(pc.match_substring(values, ",")).as_py())
    data = values.buffers()[2]
    return data is not None and bool((np.frombuffer(data, dtype=np.uint8) == ord(",")).any())


def decide_decimal(columns: list[pa.Array]) -> str:
    """Decide the decimal mark of one file from all its money cells: ',' only when the cells
    written with a decimal comma outnumber those written with a decimal point."""
    if not any(_may_hold_comma(column) for column in columns):
        return "."  # no comma anywhere: nothing is written with a decimal comma
    comma = dot = 0
    for core in map(numeric_core, columns):
        comma += pc.sum(pc.match_substring_regex(core, _COMMA_DECIMAL)).as_py() or 0
        dot += pc.sum(pc.match_substring_regex(core, _DOT_DECIMAL)).as_py() or 0
    return "," if comma > dot else "."


# No order line of a small seller reaches ten trillion, even in dong or rupiah: a cell that does is
# a damaged or mistyped amount (an id pasted into the total), not money to add up.
MAX_AMOUNT = 1e13


def parse_money(values: pa.Array, decimal: str) -> tuple[pa.Array, pa.Array]:
    """Money cells to float64, with the decimal mark decided for the file.

    Returns (numbers, bad) where `bad` is True for a non-empty cell that is not an amount.
    Thousands separators must group by three (`1,234.56`), so `1,5` in a decimal-point file is
    reported, never read as 15. Accounting negatives `(12.50)` and `12.50-` are negative.
    """
    # Fast path for the common export: plain numbers with a decimal point (`1,234` and `1.234`
    # in a decimal-comma file must take the checked path below).
    if decimal == ".":
        try:
            number = pc.cast(values, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # some cell is not a plain number: take the checked path
        else:
            if pc.all(pc.less(pc.abs(number), MAX_AMOUNT)).as_py() is not False:  # nan, inf fail
                return number, pc.and_(pc.is_valid(values), pc.is_null(number))
    core = numeric_core(values)
    negative = pc.or_(pc.starts_with(core, "("), pc.ends_with(core, "-"))
    core = pc.utf8_trim(core, "()+")
    core = pc.if_else(pc.ends_with(core, "-"), pc.utf8_rtrim(core, "-"), core)
    ok = pc.match_substring_regex(core, _GROUPED[decimal])
    if decimal == ",":
        core = pc.replace_substring(pc.replace_substring(core, ".", ""), ",", ".")
    else:
        core = pc.replace_substring(core, ",", "")
    ok = pc.and_(ok, pc.match_substring_regex(core, _PLAIN_NUMBER))
    number = pc.cast(pc.if_else(ok, core, pa.scalar(None, pa.string())), pa.float64())
    number = pc.if_else(pc.and_(negative, pc.greater(number, 0)), pc.negate(number), number)
    # Letters between digits ("1e400", "12O5") are no currency code: removing them made a number
    # the cell never said.
    ok = pc.and_(ok, pc.invert(pc.fill_null(pc.match_substring_regex(values, _LETTERS_INSIDE), False)))
    ok = pc.and_(ok, pc.less(pc.abs(number), MAX_AMOUNT))
    number = pc.if_else(ok, number, pa.scalar(None, pa.float64()))
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(ok, False)))
    return number, bad


def translate_months(values: pa.Array, month_names: dict[str, str]) -> pa.Array:
    """Replace localised month names (eBay.de `Dez`) by the English ones strptime knows."""
    for local, english in month_names.items():
        values = pc.replace_substring(values, local, english)
    return values


EARLIEST_ORDER = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
LATEST_ORDER = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


def parse_dates(values: pa.Array, formats: tuple[str, ...]) -> tuple[pa.Array, pa.Array, str]:
    """Date cells to UTC timestamps with the formats of the profile, decided per file.

    The formats are ranked by how many cells of the file they read, so a file whose days go past
    12 is read as DD/MM everywhere, and a file where nothing decides keeps the profile's order.
    Each cell is then read with the best-ranked format that fits it (a file may mix `Sep-30-26`
    and `Sep-30-26 23:45:00`). Returns (timestamps, bad, main format).
    """
    utc = pa.timestamp("s", tz="UTC")
    if not formats or len(values) == 0:
        return pa.nulls(len(values), utc), pc.is_valid(values), ""
    present = pc.drop_null(values)
    ranked = sorted(formats, key=lambda f: (-_count_parsed(present, f), formats.index(f)))
    result = pa.nulls(len(values), utc)
    todo = values
    for fmt in ranked:
        parsed = _strptime_utc(todo, fmt)
        result = pc.coalesce(result, parsed)
        todo = pc.if_else(pc.is_null(result), values, pa.scalar(None, pa.string()))
        if pc.count(todo).as_py() == 0:
            break
    # A year such as 99 or 20255 reads as a date but is none an order was placed on.
    plausible = pc.and_(pc.greater_equal(result, pa.scalar(EARLIEST_ORDER, utc)),
                        pc.less(result, pa.scalar(LATEST_ORDER, utc)))
    result = pc.if_else(pc.fill_null(plausible, False), result, pa.scalar(None, utc))
    bad = pc.and_(pc.is_valid(values), pc.is_null(result))
    return result, bad, ranked[0]


def _strptime_utc(values: pa.Array, fmt: str) -> pa.Array:
    parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
    if parsed.type.tz is None:
        parsed = pc.assume_timezone(parsed, "UTC")
    return parsed.cast(pa.timestamp("s", tz="UTC"))


_RANK_SAMPLE = 50_000  # cells; far more than needed to tell DD/MM from MM/DD


def _count_parsed(values: pa.Array, fmt: str) -> int:
    """How many cells of a large sample a format reads. A wrong ranking could not give wrong
    dates: a cell that the chosen format cannot read is tried with the next ones."""
    sample = values[:_RANK_SAMPLE]
    return pc.count(pc.strptime(sample, format=fmt, unit="s", error_is_null=True)).as_py()
