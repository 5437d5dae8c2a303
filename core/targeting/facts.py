"""The figures every targeting text is built from: one row of facts per segment, from the data only."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.jobs import NULL_PROGRESS, Progress, alongside
from core.model import OrderBook, line_orders, lookup
from core.segments import Segmentation, breakdown, segment_table
from core.segments.products import paid_lines, segment_lines
from core.targeting.lifetime import lifetime_facts

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _top(table: pd.DataFrame, level: str) -> tuple[pd.Series, pd.Series]:
    """Per segment: the key with the most net sales, and its share of the segment's net sales."""
    flat = table.reset_index()
    flat = flat[flat[level].astype(str) != "?"]  # unknown places or items are never "the top" one
    flat = flat.sort_values(["segment", "net_sales"], ascending=[True, False])
    first = flat.groupby("segment").head(1).set_index("segment")
    return first[level].astype(str), first["share_of_segment"]


def segment_facts(seg: Segmentation, book: OrderBook, period_days: int = 90,
                  progress: Progress = NULL_PROGRESS) -> pd.DataFrame:
    """One row per segment (display order) with everything a persona or a strategy may state:
    size, money, medians, repeat/discount/refund behaviour, reach, growth, and what, where, when
    and on which platform they buy most. Every value is computed here from the orders.

    The lifetime models and the tags of a large book are worked out in a second thread meanwhile
    (core.jobs.alongside): they share nothing with the tables here but the join of lines to orders."""
    # One after the other (a book too large for two at once) each step says what it does; side
    # by side the last message stays while all three run.
    with alongside(len(book.lines)) as start:
        progress.report(0.0, "progress.lifetime")
        lifetime = start(lifetime_facts, seg, book)  # churn risk and lifetime value (core/clv.py)
        progress.check_cancelled()
        line_orders(book)  # built once here, before the tags and the item table both ask for it
        progress.report(0.4, "progress.tags")
        tags = start(_tag_facts, seg, book, pd.Index(seg.order, name="segment"))
        progress.check_cancelled()
        progress.report(0.6, "progress.segment_facts")
        facts = _order_facts(seg, book, period_days)
        facts = facts.join(lifetime.result())
        facts["top_tag"], facts["top_tag_share"], facts["tag_mix"] = tags.result()
    return facts


def _order_facts(seg: Segmentation, book: OrderBook, period_days: int) -> pd.DataFrame:
    facts = segment_table(seg, book, period_days)
    customers = seg.customers
    grouped = customers.groupby("segment")
    facts["discount_share"] = grouped["discount_share"].mean().reindex(facts.index).round(4)
    facts["refund_rate"] = grouped["refund_rate"].mean().reindex(facts.index).round(4)
    facts["median_tenure"] = grouped["tenure"].median().reindex(facts.index)
    facts["mean_recency"] = grouped["recency"].mean().reindex(facts.index).round(1)
    facts["reach"] = reachability(seg, book).reindex(facts.index)
    for by, column in (("country", "top_country"), ("platform", "top_platform"), ("item", "top_item"),
                       ("region", "top_region")):
        top, share = _top(breakdown(seg, book, by), by)
        facts[column] = top.reindex(facts.index)
        facts[f"{column}_share"] = share.reindex(facts.index)
    by_month = breakdown(seg, book, "month").reset_index()
    by_month["calendar_month"] = by_month["month"].str[5:7]
    peak = by_month.groupby(["segment", "calendar_month"])["net_sales"].sum().reset_index()
    peak = peak.sort_values(["segment", "net_sales"], ascending=[True, False]).groupby("segment").head(1)
    facts["peak_month"] = peak.set_index("segment")["calendar_month"].astype(int).reindex(facts.index)
    weekday, _ = _top(breakdown(seg, book, "weekday"), "weekday")
    facts["peak_weekday"] = weekday.reindex(facts.index).astype(float)
    facts["price_level"] = _segment_price_level(seg, book).reindex(facts.index)
    facts["currency"] = seg.currency
    return facts


def _tag_facts(seg: Segmentation, book: OrderBook, index: pd.Index):
    """Per segment: the interest tag most of its customers have (id) and that share, and the
    whole mix {tag id: share of customers} (core.tags; the tag tables in force)."""
    from core.tags import NONE, customer_tags, tag_mix

    mix = tag_mix(customer_tags(book, until=seg.analysis_date, customers=seg.customers.index), seg)
    shares = mix.drop(columns=["customers", NONE]).reindex(index)
    top = shares.idxmax(axis=1).where(shares.max(axis=1) > 0) if len(shares.columns) else pd.Series(np.nan, index=index)
    top_share = shares.max(axis=1).where(top.notna()) if len(shares.columns) else top
    mixes = pd.Series([{k: float(v) for k, v in row.items() if v > 0} for _, row in mix.reindex(index).drop(
        columns="customers").fillna(0.0).iterrows()], index=index, dtype=object)
    return top, top_share, mixes


def reachability(seg: Segmentation, book: OrderBook) -> pd.Series:
    """Per segment: the share of customers with a usable contact or handle (email, phone or a
    platform buyer id the platform lets the seller message)."""
    keys, contact = book.memo("has_contact", _has_contact)
    # Looked up in the segmentation's index, which has its hash table already (one over the
    # keys of has_contact held 170 MB more for a million customers); the book's customer
    # categories are looked up there once for every table of the plan.
    position = lookup(seg.customers.index, keys)
    has_contact = np.zeros(len(seg.customers), dtype=bool)
    has_contact[position[position >= 0]] = contact[position >= 0]
    return pd.Series(has_contact, index=seg.customers.index).groupby(seg.customers["segment"]).mean().round(4)


def _has_contact(book: OrderBook) -> tuple[pd.Index, np.ndarray]:
    """Each customer key (the book's customer categories, when it holds them so) and whether the
    key itself is a contact (an email, a phone) or any of their orders gives one. Once per book;
    the keys are tested once each, not once per order."""
    orders = book.orders
    if isinstance(orders["customer_key"].dtype, pd.CategoricalDtype):
        codes, keys = orders["customer_key"].cat.codes.to_numpy(), orders["customer_key"].cat.categories
    else:
        codes, keys = pd.factorize(orders["customer_key"])
        keys = pd.Index(keys, dtype="str")
    text = pd.Series(keys, dtype="str")
    contact = (text.str.contains("@", regex=False) | text.str.startswith("tel:")).to_numpy(copy=True)
    gives = (orders["email"].notna() | orders["phone"].str.contains(r"\d{7}", regex=True, na=False)).to_numpy()
    contact[codes[gives & (codes >= 0)]] = True
    return keys, contact


PRICE_LEVELS = ("budget", "mid", "premium")


def price_bands(book: OrderBook, currency: str) -> tuple[float, float]:
    """The shop's own price bands in one currency: unit prices below the 33rd percentile of its
    paid lines are budget, above the 67th premium (so the levels always mean "for this shop")."""
    lines = paid_lines(book)
    prices = lines.loc[lines["currency"] == currency, "unit_price"].dropna()
    if prices.empty:
        return (np.nan, np.nan)
    return (float(prices.quantile(1 / 3)), float(prices.quantile(2 / 3)))


def _segment_price_level(seg: Segmentation, book: OrderBook) -> pd.Series:
    low, high = price_bands(book, seg.currency)
    lines = segment_lines(seg, book)
    median = lines.groupby("segment")["unit_price"].median()
    return median.map(lambda p: "budget" if p < low else "premium" if p > high else "mid")
