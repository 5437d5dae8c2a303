"""The seller's own segmentation options — RFM thresholds, cn8 high/low limits, value tier shares
and a rate table — read and checked once, for the command line and the app alike.

Each check raises `InputError` whose Problem names what is wrong through the catalog
(`segments.*`), so `segment --cuts … --shares … --rates FILE` and the Segments page's options
refuse the same values with the same words. Stdlib only: the app checks as the seller types,
before pandas is loaded.
"""
from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

from core.errors import InputError, Problem

AXES = ("r", "f", "m")
# Thresholds per axis: 2 to 4 give 3 to 5 scores, the scales the segment maps are drawn on.
MIN_CUTS, MAX_CUTS = 2, 4
TIERS = 3  # the value-tier map has three tiers: top, middle, rest
_NUMBERS = re.compile(r"[,，、]")


def _fail(message_id: str, file: str = "", **params: object) -> InputError:
    return InputError(Problem.make(file, None, None, message_id, **params))


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_numbers(text: str, axis: str) -> list[float]:
    """The numbers of one axis, separated by commas (also the Chinese `，` and `、`).

    >>> parse_numbers("30, 90，180", "r")
    [30.0, 90.0, 180.0]
    """
    values = [_number(part) for part in _NUMBERS.split(text) if part.strip()]
    if any(v is None or v < 0 for v in values):
        raise _fail("segments.cuts_numbers", axis=axis.upper())
    return values  # type: ignore[return-value]


def check_cuts(axis: str, values: list[float]) -> list[float]:
    """One axis's thresholds: MIN_CUTS to MAX_CUTS numbers of at least 0, each larger than the one
    before (recency: within N days; frequency and money: more than N).

    Raises InputError (segments.cuts_axis, cuts_numbers, cuts_count, cuts_order).
    """
    if axis not in AXES:
        raise _fail("segments.cuts_axis", text=axis)
    if any(not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0 for v in values):
        raise _fail("segments.cuts_numbers", axis=axis.upper())
    if not MIN_CUTS <= len(values) <= MAX_CUTS:
        raise _fail("segments.cuts_count", axis=axis.upper(), low=MIN_CUTS, high=MAX_CUTS)
    if any(b <= a for a, b in zip(values, values[1:])):
        raise _fail("segments.cuts_order", axis=axis.upper())
    return [float(v) for v in values]


def parse_axis_cuts(axis: str, text: str) -> list[float]:
    """The thresholds typed for one axis, checked: `parse_axis_cuts("r", "30, 90, 180")`."""
    return check_cuts(axis, parse_numbers(text, axis))


def _axis_parts(text: str):
    for part in (p for p in text.split(";") if p.strip()):
        axis, sep, numbers = part.partition("=")
        axis = axis.strip().lower()
        if not sep or axis not in AXES or not numbers.strip():
            raise _fail("segments.cuts_axis", text=part.strip())
        yield axis, numbers


def parse_cuts(text: str | None) -> dict[str, list[float]] | None:
    """`--cuts "r=30,90,180,365;f=1,2,5,10"` → {"r": [30, 90, 180, 365], "f": [1, 2, 5, 10]}.

    >>> parse_cuts("r=30,90,180;f=1,2")
    {'r': [30.0, 90.0, 180.0], 'f': [1.0, 2.0]}
    """
    if not text:
        return None
    return {axis: parse_axis_cuts(axis, numbers) for axis, numbers in _axis_parts(text)}


def check_high_low(axis: str, value: float) -> float:
    """A cn8 high/low limit: a number above 0 (Raises InputError segments.high_low_bad)."""
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise _fail("segments.high_low_bad", axis=axis.upper())
    return float(value)


def parse_axis_high_low(axis: str, text: str) -> float:
    """The limit typed for one axis, checked: one number above 0 ("1,2" is two numbers, never 12)."""
    value = _number(text)
    if value is None:
        raise _fail("segments.high_low_bad", axis=axis.upper())
    return check_high_low(axis, value)


def parse_high_low(text: str | None) -> dict[str, float] | None:
    """`--split "r=90;f=2;m=200"` → {"r": 90.0, "f": 2.0, "m": 200.0}."""
    if not text:
        return None
    return {axis: parse_axis_high_low(axis, numbers) for axis, numbers in _axis_parts(text)}


def check_shares(shares) -> tuple[float, ...]:
    """Value tier shares: TIERS fractions above 0 adding up to 1 (100 %).

    Raises InputError (segments.shares_count, shares_sum).
    """
    shares = tuple(shares)
    if len(shares) != TIERS or any(not isinstance(s, (int, float)) or not math.isfinite(s) or not 0 < s < 1
                                   for s in shares):
        raise _fail("segments.shares_count", count=TIERS)
    if abs(sum(shares) - 1) > 1e-6:
        raise _fail("segments.shares_sum", total=f"{sum(shares) * 100:g}")
    return tuple(float(s) for s in shares)


def parse_shares(text: str | None) -> tuple[float, ...] | None:
    """`--shares 0.2,0.3,0.5` → (0.2, 0.3, 0.5), checked."""
    if not text:
        return None
    values = [_number(part) for part in _NUMBERS.split(text) if part.strip()]
    if any(v is None for v in values):
        raise _fail("segments.shares_count", count=TIERS)
    return check_shares(values)


def _currency(code: object) -> str | None:
    return code.strip().upper() if isinstance(code, str) and re.fullmatch(r"\s*[A-Za-z]{3}\s*", code) else None


def read_rates(path: str | Path) -> tuple[dict[str, float], str]:
    """A rate table file (see `read_conversion`) as (rates, base)."""
    conversion = read_conversion(path)
    return conversion.rates, conversion.base


def read_conversion(path: str | Path):
    """A rate table file, TOML or JSON: `base = "USD"`, `[rates]` with the value of one unit of
    each currency in the base (`CNY = 0.138`) and, optionally, `[dates]` with the day each rate was
    taken (`CNY = 2026-11-30`). Returns a core.currency.Conversion, currency codes upper-case.

    Raises InputError naming the file (segments.rates_unreadable, rates_syntax, rates_base,
    rates_empty, rates_value, rates_date).
    """
    from core.currency import Conversion

    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise _fail("segments.rates_unreadable", str(path), reason=getattr(error, "strerror", None) or str(error))
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise _fail("segments.rates_syntax", str(path), reason=str(error))
    if not isinstance(data, dict):
        raise _fail("segments.rates_syntax", str(path), reason=type(data).__name__)
    base = _currency(data.get("base"))
    if base is None:
        raise _fail("segments.rates_base", str(path), got=str(data.get("base", "")))
    table = data.get("rates")
    if not isinstance(table, dict) or not table:
        raise _fail("segments.rates_empty", str(path))
    rates: dict[str, float] = {}
    for code, value in table.items():
        currency = _currency(code)
        number = (float(value) if isinstance(value, (int, float)) and not isinstance(value, bool)
                  else _number(value) if isinstance(value, str) else None)
        if currency is None or number is None or number <= 0:
            raise _fail("segments.rates_value", str(path), currency=str(code), got=str(value))
        rates[currency] = float(number)
    rates.pop(base, None)  # one unit of the base is worth one unit
    if not rates:
        raise _fail("segments.rates_empty", str(path))
    dates = data.get("dates") or {}
    if not isinstance(dates, dict):
        raise _fail("segments.rates_date", str(path), currency="dates", got=str(dates))
    days: dict[str, str] = {}
    for code, value in dates.items():
        day = _day(value)
        if day is None:
            raise _fail("segments.rates_date", str(path), currency=str(code), got=str(value))
        days[str(code).strip().upper()] = day
    return Conversion(base, rates, days)


def _day(value) -> str | None:
    """An ISO day from a TOML date or a YYYY-MM-DD text, else None."""
    import datetime as dt

    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        return None


def parse_rate(text: str, currency: str, base: str) -> float:
    """A rate typed in the rates dialog: the value of one `currency` in `base`, above 0; a
    decimal comma is read as a decimal point ("0,1381"). Raises InputError (segments.rate_typed)."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    value = _number(cleaned) if cleaned else None
    if value is None or value <= 0:
        raise _fail("segments.rate_typed", currency=currency, base=base, got=text.strip())
    return value


def missing_rates(currencies, rates: dict[str, float], base: str) -> list[str]:
    """The currencies of `currencies` a rate table cannot convert to `base` (sorted)."""
    return sorted(set(currencies) - set(rates) - {base})
