"""The canonical order model every importer produces, and the one definition of each figure built on it.

Definitions (the README repeats them; every later figure uses these and nothing else):

* **Order**: one checkout on one platform, identified by (platform, order_id). Files of the same
  platform that overlap in time are merged on that key, so an order is never counted twice.
* **Canonical status**: ``paid`` (money captured: paid, shipped, completed, awaiting shipment,
  partially refunded), ``pending`` (not yet paid), ``cancelled`` (cancelled or voided, no money
  kept), ``refunded`` (fully refunded). In an export with one row per sub-order, SKU or unit that
  has its own status or returned quantity, an order is refunded only when every line is;
  otherwise it is paid, and its refund (where no order-level amount says it) is what its lines
  gave back: the refunded amount a row states, else its returned units' share of the line, else
  the whole line when the row's status says refunded (core.importing.engine._line_refunds).
* **Paid order**: an order whose canonical status is ``paid``.
* **Order total**: what the buyer paid for the order as the platform reports it (goods, shipping
  and tax, after discounts), in the order's currency.
* **Net sales** of an order = order total − refunded amount, for paid orders only (0 otherwise).
  Net sales of a shop are summed per currency; different currencies are never added.
* **Customer key**: the platform's buyer identity (email, else buyer username/relay email/买家会员名),
  then phone, then name + postcode. Emails and phones are shared across platforms (the same email
  on two platforms is one customer); usernames are scoped to their platform. Masked values
  (``138****5721``, ``t**8``, ciphertext) are not identities. Orders with no identity keep an empty
  key and are counted as *unidentified*, never dropped or merged.
* **Placed at**: when the buyer placed the order, in UTC. Offsets in the file are honoured; times
  without an offset are taken as given.
* **Gender, age**: only where the export (or a mapped column) states them; never inferred from names.
* **Note**: what the buyer wrote with the order (Shopify notes, 买家留言, a gift message), as written.
"""
from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.errors import Problem
from core.memory import release_memory

STATUSES = ("paid", "pending", "cancelled", "refunded")
MEMO_RECENT = 4  # results per kind OrderBook.memo_recent keeps (a plan and one other shop's, twice)
_MEMO_LOCK = threading.Lock()

# Canonical order fields, in output order. Money fields are floats in the order's currency.
ORDER_FIELDS = (
    "platform", "order_id", "customer_key", "customer_name", "email", "buyer_id", "phone",
    "placed_at", "status", "currency", "order_total", "refunded", "shipping", "tax", "discount",
    "discount_code", "country", "region", "city", "postcode", "gender", "age", "channel", "item_count",
    "note", "source_file", "source_row",
)
LINE_FIELDS = (
    "platform", "order_id", "sku", "product_name", "category", "variation", "quantity",
    "unit_price", "line_total", "source_file", "source_row",
)
MONEY_FIELDS = ("order_total", "refunded", "shipping", "tax", "discount")
# Text columns whose values repeat from row to row (a platform, a status, a customer's email on
# each of their orders, a product on each of its lines): an imported book holds them as codes
# into their distinct values, a third of the memory of one string per row (see `compact`).
# Order ids are distinct per order and stay text.
REPEATED_TEXT = frozenset((
    "platform", "customer_key", "customer_name", "email", "buyer_id", "phone", "status", "currency",
    "discount_code", "country", "region", "city", "postcode", "gender", "channel", "note", "source_file",
    "sku", "product_name", "category", "variation",
))


@dataclass(frozen=True)
class FileInfo:
    """What was read from one input file."""

    path: str
    platform: str
    report: str
    encoding: str
    rows: int
    profile: str = ""
    no_currency: int = 0  # orders whose currency the file does not say (shown as XXX)


@dataclass
class OrderBook:
    """Orders and order lines of all loaded files, plus the problems met while reading them."""

    files: list[FileInfo] = field(default_factory=list)
    orders: pd.DataFrame = field(default_factory=lambda: empty_orders())
    lines: pd.DataFrame = field(default_factory=lambda: empty_lines())
    problems: list[Problem] = field(default_factory=list)
    # The rates its amounts were converted with (core.currency.convert_book), None as imported.
    conversion: Any = None
    # Tables derived from these orders and lines, built once per book (a new book starts empty).
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, name: str, build):
        """`build(self)` the first time `name` is asked for while the book holds the same orders
        and lines; callers must not change what it returns."""
        entry = self.derived.get(name)
        if entry is None or entry[0] is not self.orders or entry[1] is not self.lines:
            entry = self.derived[name] = (self.orders, self.lines, build(self))
        return entry[2]

    def memo_of(self, owner: Any, name: str, build):
        """As `memo`, for a table derived from the book and `owner` (a segmentation): built once
        while the same owner asks, and only the last owner's is kept (a plan asks a dozen times
        about one segmentation; the next segmentation replaces it)."""
        entry = self.derived.get(name)
        if entry is None or entry[0] is not self.orders or entry[1] is not self.lines or entry[2] is not owner:
            entry = self.derived[name] = (self.orders, self.lines, owner, build(self))
        return entry[3]

    def memo_recent(self, name: str, key: str, build):
        """As `memo`, for a result that also depends on arguments (`key`, a string): the last
        MEMO_RECENT results are kept, so a seller switching maps or currencies back and forth, or
        a page asking for what another page has just built, waits once."""
        recent = self.memo(name, lambda book: OrderedDict())
        with _MEMO_LOCK:
            if key in recent:
                recent.move_to_end(key)
                return recent[key]
        value = build(self)  # outside the lock: another book's analysis may run meanwhile
        release_memory()  # what building it freed (a plan of a large book frees gigabytes)
        with _MEMO_LOCK:
            recent[key] = value
            while len(recent) > MEMO_RECENT:
                recent.popitem(last=False)
        return value

    @property
    def paid(self) -> pd.DataFrame:
        return self.orders[self.orders["status"] == "paid"]


def category_dtype(*values) -> pd.CategoricalDtype:
    """One category type over every value of `values` (columns, categories or not, and constants),
    sorted as a column's own categories are, so that codes sort as the text does."""
    seen = set()
    for value in values:
        if not isinstance(value, pd.Series):
            seen.add(value)
        elif isinstance(value.dtype, pd.CategoricalDtype):
            seen.update(value.cat.categories)
        else:
            seen.update(value.dropna().unique())
    return pd.CategoricalDtype(sorted(seen))


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """`pd.concat(frames, ignore_index=True)` of frames with the same columns, column by column: a
    category column over the categories of all (concat turns categories that differ into text),
    and each column of the frames let go once joined (`frames` is emptied; a caller that hands
    over its only references never holds ten files' tables twice)."""
    if len(frames) == 1:
        return frames.pop().reset_index(drop=True)
    names = list(frames[0].columns)
    columns = [{name: frame[name] for name in names} for frame in frames]
    frames.clear()
    out = {}
    for name in names:
        pieces = [table.pop(name) for table in columns]
        if any(isinstance(piece.dtype, pd.CategoricalDtype) for piece in pieces):
            dtype = category_dtype(*pieces)
            pieces = [piece.astype(dtype) for piece in pieces]
        out[name] = pd.concat(pieces, ignore_index=True)
    return pd.DataFrame(out, copy=False)


def settable(column: pd.Series, *values) -> pd.Series:
    """`column`, able to be given `values` too (a category column gets them as categories)."""
    if not isinstance(column.dtype, pd.CategoricalDtype) or set(values) <= set(column.cat.categories):
        return column
    return column.astype(category_dtype(column, *values))


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its REPEATED_TEXT columns as categories (the same values, held once each)."""
    text = [c for c in frame.columns if c in REPEATED_TEXT and not isinstance(frame[c].dtype, pd.CategoricalDtype)]
    # assign, not astype: astype rebuilds every column of the frame (3.7 ms for a small file)
    return frame.assign(**{c: frame[c].astype("category") for c in text}) if text else frame


def first_present(*values) -> pd.Series:
    """Each row's first value that is not missing among `values` (columns of one frame, or a
    constant last). Categories stay categories, over the values of all of them (`fillna` with a
    value a category column does not hold raises)."""
    if any(isinstance(v, pd.Series) and isinstance(v.dtype, pd.CategoricalDtype) for v in values):
        dtype = category_dtype(*values)
        values = [v.astype(dtype) if isinstance(v, pd.Series) else v for v in values]
    out = values[0]
    for value in values[1:]:
        out = out.fillna(value)
    return out


def mapped(column: pd.Series, mapping) -> pd.Series:
    """`column.map(mapping)` as plain values: a category column maps each distinct value once, and
    its result is not left a category (filling or comparing it with new values would raise)."""
    out = column.map(mapping)
    return out.astype(out.cat.categories.dtype) if isinstance(out.dtype, pd.CategoricalDtype) else out


def kept(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """`frame[keep]`, or `frame` itself when every row is kept: a filter copies every column, and
    most filters of a shop's orders keep them all. Callers must not change what comes back."""
    return frame if keep.all() else frame[keep]


def line_orders(book: OrderBook) -> np.ndarray:
    """Each line's row in `book.orders` (-1 for a line whose order is not there), found once per
    book: joining ten million lines to their orders on two text columns took seconds per table."""
    return book.memo("line_orders", _line_orders)


def know_line_orders(book: OrderBook, positions: np.ndarray) -> None:
    """Give the book each line's row in its orders where the import has it already (one file, whose
    rows it grouped into orders), so that line_orders need not join them again (0.3 s a 1M-line file)."""
    book.memo("line_orders", lambda b: positions)


def _line_orders(book: OrderBook) -> np.ndarray:
    # Platform by platform, one hash lookup of the order id (a two-level index of ten million
    # lines built tuples: 3 GB more while it ran).
    out = np.full(len(book.lines), -1, dtype=np.int32)  # int32: 40 MB less for ten million lines
    order_platform, line_platform = pa.array(book.orders["platform"]), pa.array(book.lines["platform"])
    order_id, line_id = pa.array(book.orders["order_id"]), pa.array(book.lines["order_id"])
    for platform in pc.unique(line_platform).drop_null().to_pylist():
        orders = np.flatnonzero(pc.fill_null(pc.equal(order_platform, platform), False).to_numpy(zero_copy_only=False))
        lines = np.flatnonzero(pc.fill_null(pc.equal(line_platform, platform), False).to_numpy(zero_copy_only=False))
        found = pc.index_in(line_id.take(pa.array(lines)), value_set=order_id.take(pa.array(orders)))
        found = found.fill_null(-1).to_numpy(zero_copy_only=False)
        out[lines[found >= 0]] = orders[found[found >= 0]]
    return out


def arguments_key(*values) -> str:
    """A memo key for the arguments of a call: equal arguments (dicts in any order) give equal keys."""
    return json.dumps(values, sort_keys=True, default=str)


def net_sales(orders: pd.DataFrame) -> pd.Series:
    """Net sales per order: total − refunded for paid orders, 0 for every other status."""
    value = orders["order_total"].fillna(0.0) - orders["refunded"].fillna(0.0)
    return value.where(orders["status"] == "paid", 0.0)


def distinct_pairs(first: np.ndarray, second: np.ndarray, second_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct pair of codes (`first`, `second`: non-negative, `second` below
    `second_count`) once, ordered by first then second: marked in a table of first × second codes
    (a byte each) instead of sorted or hashed (a segment's distinct customers per country, the
    customers per currency)."""
    width = max(int(second_count), 1)
    seen = np.zeros((int(first.max()) + 1 if len(first) else 0) * width, dtype=bool)
    seen[first.astype(np.int64) * width + second] = True
    pair = np.flatnonzero(seen)
    return pair // width, pair % width


def among(keys, known) -> np.ndarray:
    """Whether each of `keys` (customer keys of orders or lines) is one of `known` (an index of
    distinct keys), as a boolean array. `Series.isin` turns `known` into arrow scalars one by one
    in Python, seconds for 100,000 customers; one hash lookup per key takes a fraction of that."""
    return positions_in(known, keys) >= 0


def positions_in(index, keys) -> np.ndarray:
    """Each key's position in `index` (distinct keys), -1 where it is not there. Keys held as a
    category are looked up once per distinct value; an Index is used as it is, with the hash
    table it has built before (a new one over a million customer keys costs 130 MB and a second)."""
    index = index if isinstance(index, pd.Index) else pd.Index(index)
    if isinstance(getattr(keys, "dtype", None), pd.CategoricalDtype):
        found = lookup(index, keys.cat.categories)
        codes = keys.cat.codes.to_numpy()
        return np.where(codes >= 0, found[np.maximum(codes, 0)], -1) if len(found) else np.full(len(codes), -1)
    return index.get_indexer(keys)


_last_lookup: tuple = (lambda: None, lambda: None, None)  # weak refs to index, categories; positions


def lookup(index: pd.Index, categories: pd.Index) -> np.ndarray:
    """index.get_indexer(categories), kept for the last pair asked: the orders and lines of a book
    share one set of customer categories, which a plan looks up in one segmentation's index
    several times (0.1 s each for 200,000 customers). Weak references: the pair is not kept alive."""
    global _last_lookup
    last_index, last_categories, found = _last_lookup
    if last_index() is not index or last_categories() is not categories:
        found = index.get_indexer(categories)
        _last_lookup = (weakref.ref(index), weakref.ref(categories), found)
    return found


def empty_orders() -> pd.DataFrame:
    return _empty(ORDER_FIELDS).copy()


def empty_lines() -> pd.DataFrame:
    return _empty(LINE_FIELDS).copy()


@cache
def _empty(fields: tuple[str, ...]) -> pd.DataFrame:  # built once: each import asks several times
    return pd.DataFrame({name: pd.Series(dtype=_dtype(name)) for name in fields})


def _dtype(name: str) -> str:
    if name in MONEY_FIELDS or name in ("quantity", "unit_price", "line_total", "item_count", "age"):
        return "float64"
    if name == "placed_at":
        return "datetime64[ns, UTC]"
    if name == "source_row":  # a spreadsheet's row number: 32 bits hold two billion rows
        return "Int32"
    if name in REPEATED_TEXT:  # codes into distinct values, not ten million strings (see `compact`)
        return "category"
    return "str"
