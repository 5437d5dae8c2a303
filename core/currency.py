"""Exchange rates a seller enters, and a book converted with them into one reporting currency.

A shop that sells in several currencies gets one picture of one business only through rates the
seller gives (SegmentDesk never fetches any): each is the value of one unit of a currency in the
reporting currency, with the day it was taken. Converted amounts are never mixed with unconverted
ones: a converted book holds one currency and says which rates made it (`OrderBook.conversion`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from core.errors import InputError, Problem
from core.segment_options import missing_rates

if TYPE_CHECKING:  # pandas is loaded only by what converts (the app reads saved rates before it)
    import pandas as pd

    from core.model import OrderBook


@dataclass(frozen=True)
class Conversion:
    """Rates into `base`: currency → value of one unit in `base`, and the day of each rate."""

    base: str
    rates: dict[str, float]
    dates: dict[str, str] = field(default_factory=dict)  # currency → ISO day the rate was taken

    def as_json(self) -> dict:
        return {"base": self.base, "rates": dict(sorted(self.rates.items())),
                "dates": {c: self.dates[c] for c in sorted(self.dates) if c in self.rates}}

    @classmethod
    def from_json(cls, data) -> Conversion | None:
        """A saved conversion, or None when it is damaged (settings written by hand…)."""
        try:
            base = str(data["base"]).upper()
            rates = {str(c).upper(): float(v) for c, v in data["rates"].items() if float(v) > 0}
            dates = {str(c).upper(): dt.date.fromisoformat(str(d)).isoformat()
                     for c, d in (data.get("dates") or {}).items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        rates.pop(base, None)
        return cls(base, rates, dates) if len(base) == 3 and rates else None


def rebased(conversion: Conversion, base: str) -> Conversion:
    """The same rates expressed in another base currency, where they allow it: 1 CNY = 0.1381 USD
    and 1 EUR = 1.08 USD give 1 CNY = 0.1279 EUR. A currency with no path to `base` is left out;
    each rate keeps the later of the two days it was made from."""
    if base == conversion.base:
        return conversion
    value = {**conversion.rates, conversion.base: 1.0}
    if base not in value:
        return Conversion(base, {}, {})
    rates = {c: v / value[base] for c, v in value.items() if c != base}
    days = {c: max(d for d in (conversion.dates.get(c), conversion.dates.get(base)) if d)
            for c in rates if conversion.dates.get(c) or conversion.dates.get(base)}
    return Conversion(base, rates, days)


def paid_currencies(book: OrderBook) -> list[str]:
    """The currencies of the book's paid orders, most customers first (unidentified orders count
    as one customer); among equals, in the order of their codes. Worked out once per book: the
    window, the segmentation and the plan all ask."""
    return list(book.memo("paid_currencies", _paid_currencies))


def _paid_currencies(book: OrderBook) -> list[str]:
    import numpy as np
    import pandas as pd

    from core.model import distinct_pairs

    paid = (book.orders["status"] == "paid").to_numpy()
    currency, names = pd.factorize(book.orders["currency"][paid], sort=True)  # none: -1, not counted
    customer, keys = pd.factorize(book.orders["customer_key"][paid])
    customer, width = customer + 1, len(keys) + 1  # a missing key is one more customer, as a row
    # Each distinct (currency, customer) pair once (model.distinct_pairs), not found by dropping
    # duplicate rows (a second and 700 MB for ten million lines).
    known = currency >= 0
    first, _ = distinct_pairs(currency[known], customer[known], width)
    counts = pd.Series(np.bincount(first, minlength=len(names)), index=names)
    return [str(c) for c in counts[counts > 0].sort_values(ascending=False, kind="stable").index]


def factors(currencies: pd.Series, rates: dict[str, float], base: str) -> pd.Series:
    """The factor that turns an amount in each of `currencies` into `base`.

    Raises InputError (segments.missing_rates) naming the currencies without a rate."""
    missing = missing_rates(currencies.dropna().astype(str).unique(), rates, base)
    if missing:
        raise InputError(Problem.make("", None, None, "segments.missing_rates",
                                      currencies=", ".join(missing), base=base))
    return currencies.astype(str).map({**rates, base: 1.0}).astype(float)


def convert_book(book: OrderBook, conversion: Conversion) -> OrderBook:
    """`book` with every order and line amount in `conversion.base` (orders of every status, so
    each figure built on the book means what it means unconverted). The input is not changed."""
    import pandas as pd

    from core.model import MONEY_FIELDS
    factor = factors(book.orders["currency"], conversion.rates, conversion.base)
    orders = book.orders.assign(**{name: book.orders[name] * factor for name in MONEY_FIELDS},
                                currency=conversion.base)
    # A line is in its order's currency.
    keys = pd.MultiIndex.from_frame(book.orders[["platform", "order_id"]])
    position = keys.get_indexer(pd.MultiIndex.from_frame(book.lines[["platform", "order_id"]]))
    line_factor = pd.Series(factor.to_numpy()[position], index=book.lines.index).where(position >= 0, 1.0)
    lines = book.lines.assign(unit_price=book.lines["unit_price"] * line_factor,
                              line_total=book.lines["line_total"] * line_factor)
    return replace(book, orders=orders, lines=lines, conversion=conversion)


def rates_text(conversion: Conversion, lang: str | None = None) -> str:
    """One line naming the rates: "1 CNY = 0.1380 USD (2026-11-30), 1 EUR = 1.0800 USD"."""
    from core.i18n import catalog_lang, t

    lang = catalog_lang(lang)
    parts = []
    for currency in sorted(conversion.rates):
        dated = conversion.dates.get(currency)
        key = "currency.rate_dated" if dated else "currency.rate"
        parts.append(t(key, lang=lang, currency=currency, base=conversion.base,
                       rate=rate_text(conversion.rates[currency]), date=dated or ""))
    return t("currency.list_separator", lang=lang).join(parts)


def rate_text(rate: float) -> str:
    """A rate as a seller writes it: 7.1 and 0.1381, never 0.138100 or 1.4e-05 (six significant
    digits, no exponent)."""
    text = f"{rate:.6g}"
    return f"{rate:.10f}".rstrip("0").rstrip(".") if "e" in text else text


def conversion_note(conversion: Conversion, lang: str | None = None) -> str:
    """The sentence every page and the report show on a converted book."""
    from core.i18n import catalog_lang, t

    return t("currency.converted", lang=catalog_lang(lang), base=conversion.base, rates=rates_text(conversion, lang))
