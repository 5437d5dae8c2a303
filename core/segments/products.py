"""What customers buy: spend per customer and category (or product), category mix, affinity segments."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.currency import factors
from core.model import OrderBook, among, first_present, kept, line_orders, positions_in
from core.segments.maps import SegmentLabel

MAX_AFFINITY_GROUPS = 8  # more groups than this are not segments a shop can act on
MAX_MIX_CATEGORIES = 12
# Only what the analyses read: ten million lines of order ids and file names would be gigabytes.
PAID_LINE_COLUMNS = ("sku", "product_name", "category", "quantity", "unit_price", "line_total")


def paid_lines(book: OrderBook) -> pd.DataFrame:
    """Lines of paid orders of identified customers: what was bought (PAID_LINE_COLUMNS), the
    order's customer, time and currency, and `item` = the category where the export has one, else
    the product name. Built once per book (a plan asks about a dozen times); callers filter or
    assign to copies, never change it."""
    return book.memo("paid_lines", _paid_lines)


def _paid_lines(book: OrderBook) -> pd.DataFrame:
    orders = book.orders
    wanted = ((orders["status"] == "paid") & (orders["customer_key"] != "")).to_numpy()
    position = line_orders(book)
    keep = position >= 0
    keep[keep] = wanted[position[keep]]
    position = position[keep]
    lines = book.lines.loc[keep, list(PAID_LINE_COLUMNS)]
    lines = lines.reset_index(drop=True).assign(**{  # the order's fields, in the lines' order
        name: orders[name].take(position).reset_index(drop=True) for name in ("customer_key", "placed_at", "currency")})
    lines["item"] = first_present(lines["category"], lines["product_name"], lines["sku"])
    lines["has_category"] = lines["category"].notna()
    return lines


def segment_lines(seg, book: OrderBook) -> pd.DataFrame:
    """The lines of the segmented customers' paid orders, as the segmentation counted them: before
    the analysis date, in its currency (or converted with its rates), with each line's segment.
    Built once per segmentation (OrderBook.memo_of); callers never change it."""
    return book.memo_of(seg, "segment_lines", lambda b: _segment_lines(seg, b))


def _segment_lines(seg, book: OrderBook) -> pd.DataFrame:
    lines = paid_lines(book)
    # One hash lookup per line gives both the filter and the segment (isin and map on arrow
    # strings walk the keys in Python: seconds for a large export).
    position = positions_in(seg.customers.index, lines["customer_key"])
    keep = (position >= 0) & (lines["placed_at"] < pd.Timestamp(seg.analysis_date, tz="UTC")).to_numpy()
    if seg.rates:
        lines, position = kept(lines, keep), position[keep]
        lines = lines.assign(line_total=lines["line_total"] * factors(lines["currency"], seg.rates, seg.currency),
                             currency=seg.currency)
    else:
        keep &= (lines["currency"] == seg.currency).to_numpy()
        lines, position = kept(lines, keep), position[keep]
    return lines.assign(**segment_of(seg, position, lines.index))


def segment_of(seg, position: np.ndarray, index: pd.Index) -> dict[str, pd.Series]:
    """For rows of orders or lines whose customers are at `position` in the segmentation: their
    `segment` (a category, sorted as the names are: one byte a row, not a string) and `customer`,
    the customer's row, counted far faster than the text key."""
    segment = seg.customers["segment"].astype("category").take(position)
    segment.index = index
    return {"segment": segment, "customer": pd.Series(position.astype(np.int32), index=index)}


def spend_by_item(book: OrderBook, customers: pd.Index) -> pd.DataFrame:
    """customer × item table of line totals, for the given customers."""
    lines = paid_lines(book)
    lines = lines[among(lines["customer_key"], customers)]
    return lines.pivot_table(index="customer_key", columns="item", values="line_total",
                             aggfunc="sum", fill_value=0.0)


def category_mix(book: OrderBook, customers: pd.Index) -> pd.DataFrame | None:
    """Each customer's share of spend per category, when the exports have categories (and few)."""
    if not book.lines["category"].notna().any():
        return None
    lines = paid_lines(book)
    lines = lines[lines["has_category"].to_numpy() & among(lines["customer_key"], customers)]
    if lines.empty or lines["category"].nunique() > MAX_MIX_CATEGORIES:
        return None
    spend = lines.pivot_table(index="customer_key", columns="category", values="line_total",
                              aggfunc="sum", fill_value=0.0)
    return spend.div(spend.sum(axis=1).where(lambda s: s > 0, 1.0), axis=0)


def affinity_segments(book: OrderBook, customers: pd.Index) -> tuple[pd.Series, dict[str, SegmentLabel]]:
    """Customers grouped by what they spend most on (category, else product). The largest groups
    keep their own segment; the rest share one "several things" segment."""
    spend = spend_by_item(book, customers)
    dominant = spend.idxmax(axis=1) if len(spend.columns) else pd.Series(dtype="str")
    dominant = dominant.reindex(customers).astype("str")  # counts of the items bought, not of every category
    top = dominant.value_counts().index[:MAX_AFFINITY_GROUPS - 1]
    labels: dict[str, SegmentLabel] = {}
    ids = {}
    for i, item in enumerate(top):
        ids[item] = f"a{i + 1}"
        labels[f"a{i + 1}"] = SegmentLabel(
            f"a{i + 1}", f"{item} buyers", f"{item}{' ' if item[-1:].isascii() else ''}买家",
            f"Spend most on {item}.", f"消费最多的是{item}。")
    segment = dominant.map(ids).fillna("mixed").astype("str")
    if (segment == "mixed").any():
        labels["mixed"] = SegmentLabel("mixed", "Buyers of other items", "其他商品买家",
                                       "Spend most on items outside the main groups.",
                                       "消费最多的商品不在主要类别中。")
    return segment, labels
