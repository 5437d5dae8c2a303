"""Per-segment figures: size, money, medians, repeat rate and growth, plus the breakdowns behind them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.model import OrderBook, distinct_pairs, first_present, kept, positions_in
from core.segments.features import paid_orders
from core.segments.products import segment_lines, segment_of
from core.segments.segmentation import Segmentation

GROWTH_PERIOD_DAYS = 90


PLACE_AND_PERSON = ("country", "region", "city", "channel", "gender", "age")
AGE_BANDS = (0, 25, 35, 45, 55, 65, 200)
AGE_LABELS = ("<25", "25–34", "35–44", "45–54", "55–64", "65+")


def _customer_orders(seg: Segmentation, book: OrderBook) -> pd.DataFrame:
    """Paid orders of the segmented customers (same currency rule as the segmentation), with segment
    and the place and person columns. Built once per segmentation (OrderBook.memo_of); callers
    never change it."""
    return book.memo_of(seg, "customer_orders", lambda b: _segment_orders(seg, b))


def _segment_orders(seg: Segmentation, book: OrderBook) -> pd.DataFrame:
    orders = paid_orders(book, seg.currency, seg.rates, seg.currency if seg.rates else None,
                         ("platform", *PLACE_AND_PERSON), discounts=False)
    # One hash lookup per order gives both the filter and the segment: isin and map on arrow
    # strings walk the keys in Python (20 s of a 1M-line export's segmentation, now under 1 s).
    position = positions_in(seg.customers.index, orders["customer_key"])
    keep = (position >= 0) & (orders["placed_at"] < pd.Timestamp(seg.analysis_date, tz="UTC")).to_numpy()
    # What the tables read, numbered from 0 (the book's row numbers would be 8 bytes an order more).
    orders = kept(orders, keep)[["placed_at", "net", "platform", *PLACE_AND_PERSON]].reset_index(drop=True)
    return orders.assign(**segment_of(seg, position[keep], orders.index))


def growth(seg: Segmentation, book: OrderBook, period_days: int = GROWTH_PERIOD_DAYS) -> pd.DataFrame:
    """Per segment: active customers and net sales in the last `period_days` before the analysis
    date against the `period_days` before that; change is recent / previous − 1 (None if no base)."""
    orders = _customer_orders(seg, book)
    end = pd.Timestamp(seg.analysis_date, tz="UTC")
    recent = orders["placed_at"] >= end - pd.Timedelta(days=period_days)
    previous = ~recent & (orders["placed_at"] >= end - pd.Timedelta(days=2 * period_days))
    out = pd.DataFrame(index=pd.Index(seg.order, name="segment"))
    for name, mask in (("recent", recent), ("previous", previous)):
        part = orders[mask].groupby("segment")
        out[f"customers_{name}"] = part["customer"].nunique().reindex(out.index, fill_value=0)
        out[f"net_sales_{name}"] = part["net"].sum().reindex(out.index, fill_value=0.0).round(2)
    base = out["net_sales_previous"].where(out["net_sales_previous"] > 0)
    out["net_sales_change"] = (out["net_sales_recent"] / base - 1).round(4)
    base = out["customers_previous"].where(out["customers_previous"] > 0)
    out["customers_change"] = (out["customers_recent"] / base - 1).round(4)
    out["period_days"] = period_days
    return out


def segment_table(seg: Segmentation, book: OrderBook, period_days: int = GROWTH_PERIOD_DAYS) -> pd.DataFrame:
    """One row per segment, in map order: customers and their share, net sales and its share,
    orders, AOV, median recency/frequency/monetary, repeat rate (customers with 2+ paid orders)."""
    customers = seg.customers
    grouped = customers.groupby("segment")
    table = pd.DataFrame(index=pd.Index(seg.order, name="segment"))
    table["customers"] = grouped.size().reindex(table.index, fill_value=0)
    table["share_customers"] = (table["customers"] / max(len(customers), 1)).round(4)
    table["net_sales"] = grouped["monetary"].sum().reindex(table.index, fill_value=0.0).round(2)
    total = customers["monetary"].sum()
    table["share_net_sales"] = (table["net_sales"] / total).round(4) if total else 0.0
    table["orders"] = grouped["frequency"].sum().reindex(table.index, fill_value=0).astype(int)
    table["aov"] = (table["net_sales"] / table["orders"].where(table["orders"] > 0)).round(2)
    for axis in ("recency", "frequency", "monetary"):
        table[f"median_{axis}"] = grouped[axis].median().reindex(table.index)
    table["repeat_rate"] = grouped["frequency"].apply(lambda f: float((f >= 2).mean())).reindex(table.index).round(4)
    table["name"] = [seg.labels[s].name for s in table.index]
    table["name_zh"] = [seg.labels[s].name_zh for s in table.index]
    return table.join(growth(seg, book, period_days))


TIME_KEYS = ("month", "weekday", "hour")
BREAKDOWNS = ("country", "region", "city", "platform", "channel", "month", "weekday", "hour",
              "gender", "age_band", "item")


def _breakdown_keys(orders: pd.DataFrame, by: str) -> pd.Series:
    if by in TIME_KEYS:
        return _time_keys(orders["placed_at"], by)
    if by == "age_band":
        return pd.cut(orders["age"], AGE_BANDS, right=False, labels=AGE_LABELS).astype(object)
    return orders[by]


def _time_keys(when: pd.Series, by: str) -> pd.Series:
    """The UTC month ("2026-11", as codes into the months the orders span), weekday (0 = Monday)
    or hour of each time, from its instant as an integer: pandas' .dt fields on a million
    zone-aware times cost 0.1 s each. Missing times give missing keys."""
    instant = when.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(instant)
    if by == "month":
        if missing.all():
            return pd.Series(np.nan, index=when.index, dtype="str")
        month = instant.astype("datetime64[M]").astype(np.int64) + 1970 * 12  # year × 12 + month − 1
        first, last = int(month[~missing].min()), int(month[~missing].max())
        names = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]
        codes = np.where(missing, -1, month - first).astype(np.int32)
        months = pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype="str"))
        return pd.Series(months, index=when.index)
    if by == "weekday":
        value = (instant.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    else:
        value = instant.astype("datetime64[h]").astype(np.int64) % 24
    value = np.where(missing, np.nan, value) if missing.any() else value.astype(np.int32)  # as .dt gives them
    return pd.Series(value, index=when.index)


def demographics(book: OrderBook) -> list[str]:
    """The demographic breakdowns the data supports: gender and age only where exports state them."""
    paid = book.orders.loc[book.orders["status"] == "paid", ["gender", "age"]]
    return [by for by, column in (("gender", "gender"), ("age_band", "age")) if paid[column].notna().any()]


def breakdown(seg: Segmentation, book: OrderBook, by: str, top: int | None = None) -> pd.DataFrame:
    """Customers and net sales per segment and `by`: country, region, city, platform, channel,
    month, weekday, hour, gender or age_band (of the paid orders), or item (category, else
    product; by line totals). Orders without the value count under "?". Built once per
    segmentation and `by` (a plan and the pages showing it ask for the same ones again); callers
    never change it."""
    if by != "item" and by not in BREAKDOWNS:
        raise ValueError(f"breakdown must be one of {', '.join(BREAKDOWNS)}, got {by!r}")
    table = book.memo_of(seg, f"breakdown:{by}", lambda b: _breakdown(seg, b, by))
    if top:
        table = table.groupby(level="segment", group_keys=False).head(top)
    return table


def _breakdown(seg: Segmentation, book: OrderBook, by: str) -> pd.DataFrame:
    # One aggregation per column: a named .agg of the three costs three times as much.
    if by == "item":
        lines = segment_lines(seg, book)
        grouped = lines.groupby(["segment", "item"])
        sizes = grouped.size()
        table = pd.DataFrame({"customers": _distinct_customers(lines, "item", sizes.index),
                              "net_sales": grouped["line_total"].sum(), "quantity": grouped["quantity"].sum()})
    else:
        orders = _customer_orders(seg, book)
        keys = _breakdown_keys(orders, by)
        orders = orders.assign(key=first_present(pd.Series(keys, index=orders.index), "?"))
        grouped = orders.groupby(["segment", "key"])
        sizes = grouped.size()
        table = pd.DataFrame({"customers": _distinct_customers(orders, "key", sizes.index), "orders": sizes,
                              "net_sales": grouped["net"].sum()})
        table.index = table.index.set_names(["segment", by])
    table["net_sales"] = table["net_sales"].round(2)
    totals = table.groupby(level="segment")["net_sales"].transform("sum")
    table["share_of_segment"] = (table["net_sales"] / totals.where(totals > 0)).round(4)
    # Time keys read in time order; everything else from the largest net sales down.
    order = [by] if by in TIME_KEYS else ["net_sales"]
    return table.sort_values(["segment", *order], ascending=[True, by in TIME_KEYS])


MAX_PAIR_TABLE = 64_000_000  # values × customers marked in one table (a byte each)


def _distinct_customers(rows: pd.DataFrame, by: str, groups: pd.MultiIndex) -> pd.Series:
    """`rows.groupby(["segment", by])["customer"].nunique()` on `groups` (that grouping's groups).
    A customer is in one segment, so each distinct (value, customer) pair counts once for the
    customer's segment (model.distinct_pairs; nunique sorted: 40 ms a breakdown of 700,000 orders)."""
    codes, values = pd.factorize(rows[by])  # a missing value: -1, in no group (as groupby)
    customer = rows["customer"].to_numpy().astype(np.int64)
    width = int(customer.max()) + 1 if len(customer) else 0
    if not width or len(values) * width > MAX_PAIR_TABLE:
        return rows.groupby(["segment", by])["customer"].nunique().reindex(groups)
    found = codes >= 0
    value, who = distinct_pairs(codes[found], customer[found], width)
    segments = rows["segment"].cat.categories
    segment = np.zeros(width, dtype=np.int64)
    segment[customer] = rows["segment"].cat.codes.to_numpy()
    counts = np.bincount(segment[who] * len(values) + value, minlength=len(segments) * len(values))
    return pd.Series(counts, index=pd.MultiIndex.from_product([segments, values])).reindex(groups)
