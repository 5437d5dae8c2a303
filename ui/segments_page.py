"""Customers & Segments: segment the imported customers with a chosen map and see who is where.

Every change of the controls runs `core.segments.segment` + `segment_table` and the breakdowns on a
pool thread (one slot: a newer run cancels the older one); the result arrives as plain lists and
numpy arrays that the widgets only display. The previous result stays on screen until the next one
is ready, and stays when a run is cancelled or fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QBoxLayout, QComboBox, QFrame, QGridLayout, QHBoxLayout, QHeaderView,
    QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from core.cli import SEGMENT_MAPS
from core.i18n import language, t
from ui.charts import Bar, BarChart, HeatmapData, SegmentHeatmap
from ui.segment_options import OptionsCaption, SegmentOptions, SegmentOptionsDialog
from ui.segment_tags import TagMixPanel, customer_tag_names, customer_tooltip, sort_key as tag_sort_key
from ui.widgets import (
    BackgroundRun, Index, SortHeader, TextTableModel, error_text, fill_currencies, heading_metrics, heading_width,
    link_row, page_header, page_scaffold, page_scroll, panel, run_controls, select_data, text_label, tidy_table,
    two_lines,
)
from ui.worker import Job

MAPS = SEGMENT_MAPS  # the segmentations, in menu order
GRID_MAPS = ("rfm11", "rfgrid")
BINS = (5, 4, 3)
TOP_ITEMS = 8
ALL = ""  # breakdown key of "every segment"
AXIS_NAMES = {"r": "R", "f": "F", "m": "M", "fm": "FM"}


# Pool thread --------------------------------------------------------------------------------------
@dataclass
class CustomerData:
    """One entry per customer, as arrays; sort keys are numbers so sorting 100k rows is one argsort."""

    keys: Any  # customer_key, by position (the segmentation's text index: no Python string per customer)
    names: Any  # customer name or "", by position (customer_names)
    segment: np.ndarray  # index into SegmentsResult.order
    r: np.ndarray
    f: np.ndarray
    m: np.ndarray
    recency: np.ndarray
    frequency: np.ndarray
    monetary: np.ndarray
    last_order: np.ndarray  # days (datetime64[D]): str() of one is "YYYY-MM-DD"
    last_order_key: np.ndarray  # date ordinal
    key_rank: np.ndarray
    name_rank: np.ndarray
    search: Any  # "key name" lower-cased, for the search box (one Arrow array: search_texts)
    cell_r: np.ndarray | None = None  # grid maps: the heatmap cell (1…5 scale of the map)
    cell_c: np.ndarray | None = None
    clv: np.ndarray | None = None  # expected value over CLV_WEEKS; None until the follow-up run, NaN: unknown
    p_alive: np.ndarray | None = None  # chance the customer still buys; NaN when the model cannot be trusted


@dataclass
class SegmentsResult:
    map_id: str
    requested_map: str
    bins: int
    currency: str
    currencies: list[str]
    analysis_date: str
    labels: dict  # segment id -> SegmentLabel
    order: list[str]
    notes: list[tuple[str, dict]]
    thresholds: dict
    table: list[dict]  # one row per segment, in map order
    customers: CustomerData
    heatmap: HeatmapData | None = None
    silhouette: dict[int, float] = field(default_factory=dict)
    k: int | None = None
    profiles: list[dict] = field(default_factory=list)
    breakdowns: dict[str, dict[str, list[tuple[str, float]]]] = field(default_factory=dict)
    segmentation: Any = None  # the core Segmentation, for tests and later pages; never read by widgets
    previous: dict[str, int] | None = None  # segment -> customers PREVIOUS_DAYS earlier (follow-up run)
    previous_date: str = ""
    tags: Any = None  # ui.segment_tags.TagData of the customers (follow-up run); None until then


def _none_if_nan(value: Any) -> Any:
    try:
        return None if value is None or value != value else value
    except (TypeError, ValueError):
        return value


CLV_WEEKS = 26  # the customer table's lifetime value looks this far ahead
CLV_SAMPLE = 20_000  # a large shop's lifetime models learn from a sample this big (under a second)
PREVIOUS_DAYS = 90  # the segment table compares each segment with this many days earlier
TAGS_WIDTH = 200  # the widest the customer table's Tags column starts
MAP_WIDTH = 430  # the R×FM map and its legend
ANY_WIDTH = 16777215  # Qt's QWIDGETSIZE_MAX (not exported by PySide6)
CUSTOMERS_BESIDE_MAP = 900  # the customer list goes beside the map only when it gets this much width


@dataclass
class FollowUp:
    """What a second run adds to a segmentation: lifetime value and P(alive) in the order of
    CustomerData, and each segment's customers PREVIOUS_DAYS before the analysis date."""

    clv: np.ndarray
    p_alive: np.ndarray
    previous: dict[str, int] | None
    previous_date: str
    tags: Any = None  # ui.segment_tags.TagData: interest tags and each segment's tag mix


def run_follow_up(seg: Any, book: Any, options: dict, progress) -> FollowUp:
    """Lifetime value (BG/NBD + Gamma-Gamma, up to the day before the analysis date) and the
    segment counts PREVIOUS_DAYS earlier, for the segmentation `seg` (runs on a pool thread)."""
    import datetime as dt

    from core.clv import customer_lifetime, customer_purchases
    from core.trends import earlier_counts
    from ui.segment_tags import tag_data

    progress.report(0.0, "ui.tags.step")
    tags = tag_data(seg, book, progress)  # first: a second or two for 100k customers
    progress.check_cancelled()
    progress.report(0.05, "ui.segments.step_lifetime")
    index = seg.customers.index
    if seg.rates:  # converted money: one currency's purchases would miss part of each customer
        clv = p_alive = np.full(len(index), np.nan)
    else:
        end = seg.analysis_date - dt.timedelta(days=1)
        lifetime = customer_lifetime(customer_purchases(book, seg.currency), end, CLV_WEEKS, fit_on=CLV_SAMPLE)
        table = lifetime.customers.reindex(index)
        clv, p_alive = table["expected_value"].to_numpy(dtype=float), table["p_alive"].to_numpy(dtype=float)
    progress.check_cancelled()
    progress.report(0.6, "ui.segments.step_previous", days=PREVIOUS_DAYS)
    previous = earlier_counts(book, seg, PREVIOUS_DAYS, **options)
    progress.report(1.0, "progress.done")
    return FollowUp(clv, p_alive, None if previous is None else {str(k): int(v) for k, v in previous.items()},
                    (seg.analysis_date - dt.timedelta(days=PREVIOUS_DAYS)).isoformat(), tags)


def paid_currencies(book: Any) -> list[str]:
    """The currencies of the identified customers' paid orders, sorted (the currency choices)."""
    orders = book.orders
    # The one column read, not a copy of every paid order (700 MB and a second at 10M lines).
    paid = orders.loc[(orders["status"] == "paid") & (orders["customer_key"] != ""), "currency"]
    return sorted(str(c) for c in paid.dropna().unique())


def customer_names(book: Any, keys):
    """The first name seen for each customer key ("" when none), in the order of `keys`: a text
    array read by position, not a Python string per customer."""
    import pandas as pd  # on the pool thread, never at start-up

    from core.model import positions_in

    # Each order's customer found by position (the segmentation's lookup, kept), then each
    # customer's earliest order with a name: no join of a million text keys holding the GIL.
    orders = book.orders
    customer = positions_in(keys, orders["customer_key"])
    named = np.flatnonzero((customer >= 0) & orders["customer_name"].notna().to_numpy())
    first = np.full(len(keys), -1, dtype=np.int64)
    first[customer[named[::-1]]] = named[::-1]  # written last = the earliest order
    names = pd.Series(orders["customer_name"].array.take(first, allow_fill=True))
    return names.astype("str").fillna("").array


UNIX_DAY_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def day_columns(days) -> tuple[np.ndarray, np.ndarray]:
    """Dates (a Series of timestamps) as days (datetime64[D]: str() of one is "YYYY-MM-DD", as the
    table shows it) and as ordinals (their sort key), in numpy: a text per customer held 75 MB and
    the GIL for half a second at a million customers."""
    import pandas as pd  # on the pool thread, never at start-up

    days = pd.Series(days)
    if getattr(days.dt, "tz", None) is not None:
        days = days.dt.tz_localize(None)  # the date as written in the data's own zone, as str() gave
    values = days.to_numpy("datetime64[D]")
    return values, values.astype(np.int64) + UNIX_DAY_ORDINAL


def search_texts(keys, names):
    """Each customer's "key name", lower-cased, for the search box: one Arrow array searched by
    one kernel call (a Python string per customer held 130 MB for a million customers and took
    a loop over them on each search)."""
    import pyarrow as pa  # on the pool thread, never at start-up
    import pyarrow.compute as pc

    joined = pc.binary_join_element_wise(pa.array(keys, pa.string()), pa.array(names, pa.string()), " ")
    return pc.utf8_lower(joined)


def text_rank(values) -> np.ndarray:
    """Each value's place in text order (stable; by code points, as numpy sorts text): a numeric
    sort key for a text column. Ranked by Arrow: numpy's fixed-width copy of a million keys
    took 300 MB and a second."""
    import pyarrow as pa  # on the pool thread, never at start-up
    import pyarrow.compute as pc

    ranks = pc.rank(pa.array(values, pa.string()), sort_keys="ascending", tiebreaker="first")
    return ranks.to_numpy().astype(np.int64) - 1


def run_segmentation(book: Any, map_id: str, bins: int, currency: str | None, progress,
                     options: dict | None = None) -> SegmentsResult:
    """Segment `book` and prepare everything the page shows (runs on a pool thread); `options`
    are more keywords of `segment` (see ui.segment_options.SegmentOptions.kwargs)."""
    from core.jobs import sub
    from core.segments import breakdown, segment, segment_table
    from core.segments.maps import MAP_IDS, load_map
    from core.segments.rfm import to_five

    seg = segment(book, map_id, bins=bins, currency=currency, progress=sub(progress, 0.0, 0.7), **(options or {}))
    progress.check_cancelled()
    progress.report(0.75, "progress.segment_table")
    table = segment_table(seg, book)
    rows = [{"id": str(s), **{k: _none_if_nan(v) for k, v in row.items()}}
            for s, row in table.to_dict("index").items()]
    customers = seg.customers
    order = list(seg.labels)
    position = {s: i for i, s in enumerate(order)}
    keys = customers.index
    names = customer_names(book, customers.index)
    last_order, last_order_key = day_columns(customers["last_order"])
    data = CustomerData(
        keys=keys, names=names,
        segment=customers["segment"].map(position).fillna(-1).to_numpy(dtype=np.int64),
        r=customers["r"].to_numpy(dtype=np.int64), f=customers["f"].to_numpy(dtype=np.int64),
        m=customers["m"].to_numpy(dtype=np.int64),
        recency=customers["recency"].to_numpy(dtype=np.int64),
        frequency=customers["frequency"].to_numpy(dtype=np.int64),
        monetary=customers["monetary"].to_numpy(dtype=float),
        last_order=last_order, last_order_key=last_order_key, key_rank=text_rank(keys), name_rank=text_rank(names),
        search=search_texts(keys, names),
    )
    progress.check_cancelled()

    heatmap = None
    if seg.map_id in MAP_IDS and load_map(seg.map_id).kind == "grid":
        grid_map = load_map(seg.map_id)
        five = {axis: to_five(customers[axis].to_numpy(), seg.bins).astype(np.int64) for axis in ("r", "f", "m")}
        five["fm"] = (five["f"] + five["m"] + 1) // 2  # as the map assigns: mean of F and M, half up
        data.cell_r, data.cell_c = five[grid_map.rows], five[grid_map.columns]
        counts = np.zeros((5, 5), dtype=np.int64)
        np.add.at(counts, (5 - data.cell_r, data.cell_c - 1), 1)
        heatmap = HeatmapData(counts=counts.tolist(), segments=[list(row) for row in grid_map.grid],
                              totals={row["id"]: int(row["customers"]) for row in rows},
                              order=[s for s in grid_map.order if s in seg.labels],
                              row_axis=AXIS_NAMES[grid_map.rows], column_axis=AXIS_NAMES[grid_map.columns])

    silhouette, k, profiles = {}, None, []
    if seg.clusters is not None and seg.map_id == "clusters":
        silhouette, k = dict(seg.clusters.silhouette_by_k), seg.clusters.k
        profiles = [{"id": str(c), **{col: _none_if_nan(v) for col, v in row.items()}}
                    for c, row in seg.clusters.profiles.to_dict("index").items()]

    progress.report(0.85, "progress.breakdowns")
    breakdowns: dict[str, dict[str, list[tuple[str, float]]]] = {s: {} for s in [ALL, *order]}
    for by, value in (("country", "net_sales"), ("item", "net_sales"), ("month", "orders")):
        progress.check_cancelled()
        frame = breakdown(seg, book, by)
        if frame.empty:
            continue
        frame = frame.reset_index()
        frame[by] = frame[by].astype(str)
        overall = frame.groupby(by)[value].sum()
        parts = {ALL: overall, **{s: g.set_index(by)[value] for s, g in frame.groupby("segment")}}
        for s, series in parts.items():
            if s not in breakdowns:
                continue
            series = series.sort_index() if by == "month" else series.sort_values(ascending=False).head(TOP_ITEMS)
            breakdowns[s][by] = [(str(key), float(v)) for key, v in series.items()]
    progress.report(1.0, "progress.done")
    return SegmentsResult(
        map_id=seg.map_id, requested_map=seg.requested_map, bins=seg.bins, currency=seg.currency,
        currencies=paid_currencies(book), analysis_date=seg.analysis_date.isoformat(), labels=dict(seg.labels),
        order=order, notes=list(seg.notes), thresholds=dict(seg.thresholds), table=rows,
        customers=data, heatmap=heatmap, silhouette=silhouette, k=k, profiles=profiles,
        breakdowns=breakdowns, segmentation=seg)


# Formatting ---------------------------------------------------------------------------------------
NO_VALUE = "—"


def fmt_number(value: Any, decimals: int = 0) -> str:
    if value is None:
        return NO_VALUE
    return f"{value:,.{decimals}f}"


def fmt_share(value: Any, decimals: int = 1) -> str:
    """12.3 % (— when unknown: None or NaN)."""
    if value is None or value != value:
        return NO_VALUE
    return t("ui.segments.percent", value=f"{value * 100:.{decimals}f}")


def fmt_change(value: Any) -> str:
    """+12 % / −30 % / — (no previous period to compare with)."""
    if value is None:
        return NO_VALUE
    percent = round(value * 100)
    sign = "+" if percent > 0 else "−" if percent < 0 else "±"
    return t("ui.segments.percent", value=f"{sign}{abs(percent):,}")


def fmt_cuts(cuts: list[float], money: bool = False) -> str:
    distinct = sorted(set(cuts))
    return " / ".join(f"{c:,.2f}" if money else f"{c:,.0f}" if float(c).is_integer() else f"{c:g}"
                      for c in distinct)


def segment_name(result: SegmentsResult, seg: str) -> str:
    label = result.labels.get(seg)
    return label.text(language())[0] if label is not None else seg


def segment_description(result: SegmentsResult, seg: str) -> str:
    label = result.labels.get(seg)
    return label.text(language())[1] if label is not None else ""


def map_name(map_id: str) -> str:
    return t(f"ui.segments.map_{map_id}")


def label_map_combo(combo: QComboBox, used: str | None = None) -> None:
    """Name every map of a map combo; when the page shows another map than the one chosen (a small
    shop gets a smaller map, see the segments.smaller_map note), the chosen item says which:
    "Value tiers (instead of RFM 11 segments)". The combo widens to its texts, never cutting one."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for i in range(combo.count()):
        asked = combo.itemData(i)
        shown_instead = i == combo.currentIndex() and used is not None and used != asked
        combo.setItemText(i, t("ui.segments.map_used", used=map_name(used), asked=map_name(asked))
                          if shown_instead else map_name(asked))


# Models -------------------------------------------------------------------------------------------
class SortedModel(TextTableModel):
    """A read-only table over arrays: `_rows` are the visible entries in display order; sorting is
    a numpy argsort of a numeric key per column, filtering a boolean mask."""

    headers: tuple[str, ...] = ()  # catalog keys

    def __init__(self):
        super().__init__()
        self._count = 0
        self._rows = np.arange(0)
        self._mask: np.ndarray | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # For subclasses ----------------------------------------------------------------------
    def text(self, entry: int, column: int) -> str:
        raise NotImplementedError

    def sort_key(self, column: int) -> np.ndarray:
        raise NotImplementedError

    def tooltip(self, entry: int, column: int) -> str:
        return ""

    def reset(self, count: int) -> None:
        self.beginResetModel()
        self._count = count
        self._mask = None
        self._rows = self._ordered(np.arange(count))
        self.endResetModel()

    # Qt ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def header_text(self, section: int) -> str:
        return t(self.headers[section])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        entry = int(self._rows[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(entry, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            # Its own tip, else the text itself: a narrow column elides it.
            return self.tooltip(entry, index.column()) or self.text(entry, index.column()) or None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order) if 0 <= column < len(self.headers) else None
        self.layoutAboutToBeChanged.emit()
        self._rows = self._ordered(self._rows)
        self.layoutChanged.emit()

    def set_mask(self, mask: np.ndarray | None) -> None:
        self.beginResetModel()
        self._mask = mask
        rows = np.arange(self._count) if mask is None else np.flatnonzero(mask)
        self._rows = self._ordered(rows)
        self.endResetModel()

    def _ordered(self, rows: np.ndarray) -> np.ndarray:
        if self._sort is None or not len(rows) or self._count == 0:
            return rows
        column, order = self._sort
        keys = np.asarray(self.sort_key(column), dtype=float)[rows]
        if order == Qt.SortOrder.DescendingOrder:
            keys = -keys
        keys = np.where(np.isnan(keys), np.inf, keys)  # no value: always last
        return rows[np.argsort(keys, kind="stable")]

    def entry(self, row: int) -> int:
        return int(self._rows[row])

    def visible_entries(self) -> np.ndarray:
        return self._rows.copy()

    def refresh_texts(self) -> None:
        """After a language switch: every cell and header may read differently."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(self.columnCount() - 1, 0))


class SegmentTableModel(SortedModel):
    headers = ("ui.segments.col_segment", "ui.segments.col_customers", "ui.segments.col_share_customers",
               "ui.segments.col_net_sales", "ui.segments.col_share_net_sales", "ui.segments.col_orders",
               "ui.segments.col_aov", "ui.segments.col_medians", "ui.segments.col_repeat",
               "ui.segments.col_growth", "ui.segments.col_previous")
    right_aligned = frozenset(range(1, 11))
    fields = (None, "customers", "share_customers", "net_sales", "share_net_sales", "orders", "aov",
              "median_monetary", "repeat_rate", "net_sales_change", None)
    GROWTH, REPEAT, MEDIANS, PREVIOUS = 9, 8, 7, 10

    def __init__(self):
        super().__init__()
        self.result: SegmentsResult | None = None

    def set_result(self, result: SegmentsResult) -> None:
        self.result = result
        self.reset(len(result.table))

    def segment_id(self, row: int) -> str:
        return self.result.table[self.entry(row)]["id"]

    def row_of(self, seg: str) -> int:
        ids = [self.result.table[int(e)]["id"] for e in self._rows]
        return ids.index(seg) if seg in ids else -1

    def header_text(self, section: int) -> str:
        currency = self.result.currency if self.result else ""
        days = self.result.table[0].get("period_days", 90) if self.result and self.result.table else 90
        if section == self.PREVIOUS:
            days = PREVIOUS_DAYS
        return t(self.headers[section], currency=currency, days=days)

    def header_tooltip(self, section: int) -> str:
        if section == self.GROWTH:
            return t("ui.segments.col_growth_tip")
        if section == self.REPEAT:
            return t("ui.segments.col_repeat_tip")
        if section == self.MEDIANS:
            return t("ui.segments.col_medians_tip")
        if section == self.PREVIOUS:
            return t("ui.segments.col_previous_tip", days=PREVIOUS_DAYS)
        return ""

    def previous(self, entry: int) -> int | None:
        """The segment's customers PREVIOUS_DAYS earlier (None: not known, or not yet)."""
        previous = self.result.previous
        return None if previous is None else previous.get(self.result.table[entry]["id"], 0)

    def text(self, entry: int, column: int) -> str:
        row = self.result.table[entry]
        if column == 0:
            return segment_name(self.result, row["id"])
        value = row.get(self.fields[column])
        if column in (2, 4, self.REPEAT):  # whole percents (the table fits), a decimal below 1 %
            return fmt_share(value, 1 if value is not None and 0 < value < 0.01 else 0)
        if column == self.GROWTH:
            return fmt_change(value)
        if column == self.PREVIOUS:
            before = self.previous(entry)
            if before is None:
                return NO_VALUE
            change = int(row.get("customers") or 0) - before
            sign = "+" if change > 0 else "−" if change < 0 else "±"
            return t("ui.segments.previous", count=f"{before:,}", change=f"{sign}{abs(change):,}")
        if column == self.MEDIANS:
            frequency = row.get("median_frequency")
            monetary = row.get("median_monetary")  # whole amounts from 10 on: the column stays narrow
            return t("ui.segments.medians", r=fmt_number(row.get("median_recency")),
                     f=NO_VALUE if frequency is None else f"{frequency:g}",
                     m=fmt_number(monetary, 0 if monetary is not None and monetary >= 10 else 2))
        if column == 6:
            return fmt_number(value, 2)
        return fmt_number(value)

    def tooltip(self, entry: int, column: int) -> str:
        row = self.result.table[entry]
        if column == 0:
            return f"{segment_name(self.result, row['id'])}\n{segment_description(self.result, row['id'])}"
        if column == self.GROWTH:
            return t("ui.segments.growth_tip", recent=fmt_number(row.get("net_sales_recent"), 2),
                     previous=fmt_number(row.get("net_sales_previous"), 2), days=row.get("period_days", 90))
        if column == self.PREVIOUS and self.previous(entry) is not None:
            return t("ui.segments.previous_tip", date=self.result.previous_date, before=f"{self.previous(entry):,}",
                     now=fmt_number(row.get("customers")), date_now=self.result.analysis_date)
        return ""

    def sort_key(self, column: int) -> np.ndarray:
        if column == 0:
            return np.arange(len(self.result.table))
        if column == self.PREVIOUS:
            values = [self.previous(entry) for entry in range(len(self.result.table))]
        else:
            values = [row.get(self.fields[column]) for row in self.result.table]
        return np.array([np.nan if v is None else v for v in values], dtype=float)


class CustomerTableModel(SortedModel):
    headers = ("ui.segments.col_customer", "ui.segments.col_segment",
               "ui.segments.col_rfm", "ui.segments.col_recency",
               "ui.segments.col_orders", "ui.segments.col_net_sales", "ui.segments.col_last_order",
               "ui.segments.col_clv", "ui.segments.col_p_alive", "ui.tags.col_tags")
    right_aligned = frozenset({2, 3, 4, 5, 7, 8})
    RFM = 2  # the three scores as one code ("354"): three columns did not fit beside the others
    RECENCY, ORDERS, NET_SALES = 3, 4, 5
    CLV, P_ALIVE = 7, 8
    TAGS = 9  # interest tags (follow-up run), the evidence in the tooltip

    def __init__(self):
        super().__init__()
        self.result: SegmentsResult | None = None
        self.names: list[str] = []

    def set_result(self, result: SegmentsResult) -> None:
        self.result = result
        self.update_names()
        self.reset(len(result.customers.keys))

    def update_names(self) -> None:
        if self.result is not None:
            self.names = [segment_name(self.result, s) for s in self.result.order]

    def header_text(self, section: int) -> str:
        return t(self.headers[section], currency=self.result.currency if self.result else "", weeks=CLV_WEEKS)

    def text(self, entry: int, column: int) -> str:
        c = self.result.customers
        if column == self.TAGS:
            tags = self.result.tags
            return NO_VALUE if tags is None else ", ".join(customer_tag_names(tags, entry))
        if column in (self.CLV, self.P_ALIVE):
            values = c.clv if column == self.CLV else c.p_alive
            value = NO_VALUE if values is None else float(values[entry])
            if value == NO_VALUE or value != value:
                return NO_VALUE  # not estimated yet, or the model cannot say
            return f"{value:,.2f}" if column == self.CLV else fmt_share(value)
        if column == 0:
            return str(c.keys[entry])
        if column == 1:
            code = int(c.segment[entry])
            return self.names[code] if 0 <= code < len(self.names) else NO_VALUE
        if column == self.RFM:
            return f"{int(c.r[entry])}{int(c.f[entry])}{int(c.m[entry])}"
        if column == self.RECENCY:
            return f"{int(c.recency[entry]):,}"
        if column == self.ORDERS:
            return f"{int(c.frequency[entry]):,}"
        if column == self.NET_SALES:
            return f"{float(c.monetary[entry]):,.2f}"
        return str(c.last_order[entry])

    def tooltip(self, entry: int, column: int) -> str:
        if column == 0 and self.result.customers.names[entry]:
            return f"{self.result.customers.keys[entry]}\n{self.result.customers.names[entry]}"
        if column == 1:
            return self.text(entry, 1)
        if column == self.TAGS and self.result.tags is not None:
            return customer_tooltip(self.result.tags, entry)
        return ""

    def header_tooltip(self, section: int) -> str:
        if section == self.TAGS:
            return t("ui.tags.col_tags_tip")
        if section in (self.CLV, self.P_ALIVE):
            key = "ui.segments.col_clv_tip" if section == self.CLV else "ui.segments.col_p_alive_tip"
            return t(key, weeks=CLV_WEEKS)
        if section == self.RFM:
            return t("ui.segments.col_rfm_tip", bins=self.result.bins if self.result else BINS[0])
        return t("ui.segments.col_recency_tip") if section == self.RECENCY else ""

    def sort_key(self, column: int) -> np.ndarray:
        c = self.result.customers
        unknown = np.full(len(c.keys), np.nan)
        if column == self.TAGS:
            return unknown if self.result.tags is None else tag_sort_key(self.result.tags)
        rfm = (c.r.astype(np.int64) * 10 + c.f) * 10 + c.m  # R first, then F, then M (scores ≤ 5)
        return (c.key_rank, c.segment, rfm, c.recency, c.frequency, c.monetary,
                c.last_order_key, unknown if c.clv is None else c.clv,
                unknown if c.p_alive is None else c.p_alive)[column]

    def visible_keys(self) -> list[str]:
        return [str(self.result.customers.keys[e]) for e in self._rows]


class ProfilesModel(SortedModel):
    headers = ("ui.segments.col_cluster", "ui.segments.col_customers", "ui.segments.col_median_r",
               "ui.segments.col_median_f", "ui.segments.col_median_m", "ui.segments.col_aov",
               "ui.segments.col_tenure")
    right_aligned = frozenset(range(1, 7))
    fields = ("id", "customers", "recency", "frequency", "monetary", "aov", "tenure")

    def __init__(self):
        super().__init__()
        self.result: SegmentsResult | None = None

    def set_result(self, result: SegmentsResult) -> None:
        self.result = result
        self.reset(len(result.profiles))

    def header_text(self, section: int) -> str:
        return t(self.headers[section], currency=self.result.currency if self.result else "")

    def text(self, entry: int, column: int) -> str:
        row = self.result.profiles[entry]
        if column == 0:
            return segment_name(self.result, row["id"])
        value = row.get(self.fields[column])
        if column == 3:
            return NO_VALUE if value is None else f"{value:g}"
        return fmt_number(value, 2 if column in (4, 5) else 0)

    def tooltip(self, entry: int, column: int) -> str:
        seg = self.result.profiles[entry]["id"]
        return f"{segment_name(self.result, seg)}\n{segment_description(self.result, seg)}" if column == 0 else ""

    def sort_key(self, column: int) -> np.ndarray:
        if column == 0:
            return np.arange(len(self.result.profiles))
        return np.array([np.nan if r.get(self.fields[column]) is None else r[self.fields[column]]
                         for r in self.result.profiles], dtype=float)


# Widgets ------------------------------------------------------------------------------------------
def _table_view(model: SortedModel) -> QTableView:
    view = QTableView()
    view.setHorizontalHeader(SortHeader(view))
    view.setModel(model)
    # Rows start in the model's order (map order, customer key); a header click sorts.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    tidy_table(view, row_height=24)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.horizontalHeader().setMinimumSectionSize(36)
    return view


TEXT_MIN = 120  # the narrowest a text column gets before the names of the first column give way
FIT_ROWS = 100  # rows a column's width is measured on: Qt's default, 1,000, took 0.7 s of the GUI
# thread per fit of the demo's customer list, for the same widths


def fit_columns(view: QTableView, first_cap: int = 240, first_min: int = 120) -> None:
    """Columns as wide as their header text and the first rows, measured once (the user may drag
    them later). When the table is too narrow for them, headers wider than their column's values
    go onto two lines ("Net sales / (USD)"), widest first; only then does the first column (names,
    capped at `first_cap`) give up width down to `first_min`, before a horizontal scroll bar.
    The sorted column's right-aligned heading gets room for the sort arrow (widgets.SortHeader)."""
    header = view.horizontalHeader()
    header.setResizeContentsPrecision(FIT_ROWS)
    metrics = heading_metrics(header)
    model = view.model()
    wraps = isinstance(model, TextTableModel)
    sorted_column = header.sortIndicatorSection() if view.isSortingEnabled() else -1
    if wraps:
        model.set_wrapped(())

    def header_width(column: int, wrapped: bool) -> int:
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        text = two_lines(text) if wrapped else text
        return heading_width(metrics, text, column == sorted_column and column in getattr(model, "right_aligned", ()))

    content = [view.sizeHintForColumn(column) for column in range(model.columnCount())]  # with the cell margins
    available = view.viewport().width() - 4  # a few pixels to spare
    widths = [max(header_width(c, False), content[c], 40) for c in range(model.columnCount())]
    widths[0] = min(widths[0], first_cap)
    wrapped = set()
    if wraps and sum(widths) > available:
        for column in sorted(range(1, len(widths)), key=lambda c: content[c] - widths[c]):
            if sum(widths) <= available:
                break
            narrower = max(header_width(column, True), content[column], 40)
            if narrower < widths[column]:
                widths[column] = narrower
                wrapped.add(column)
    # Still too wide: the widest text columns (a place, a product) give up width, elided with
    # their text in a tooltip, down to TEXT_MIN; the names of the first column go last.
    texts = [c for c in range(1, len(widths)) if c not in getattr(model, "right_aligned", ())]  # not numbers
    while sum(widths) > available:
        column = max(texts, key=lambda c: widths[c], default=None)
        if column is None or widths[column] <= TEXT_MIN:
            break
        widths[column] = max(TEXT_MIN, widths[column] - (sum(widths) - available))
    spare = available - sum(widths)
    if spare < 0:  # a first column of numbers (a rank) keeps its heading whole: it is narrow anyway
        floor = header_width(0, False) if 0 in getattr(model, "right_aligned", ()) else first_min
        widths[0] = max(min(floor, widths[0]), widths[0] + spare)
    if wraps:  # a column narrower than its header's line shows the header on two lines
        model.set_wrapped(wrapped | {c for c in range(1, len(widths)) if widths[c] < header_width(c, False)})
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    if getattr(view, "_refit", None) is None:  # measured again when the table's width or sorting changes
        view._refit = _Refit(view, first_cap, first_min)
        view.viewport().installEventFilter(view._refit)
        header.sortIndicatorChanged.connect(lambda *_: view._refit.timer.start(0))


class _Refit(QObject):
    """Fits a table's columns again once its width has changed (the window resized, a page's scroll
    bar came or went): they were measured for the old width."""

    def __init__(self, view: QTableView, first_cap: int, first_min: int):
        super().__init__(view)
        self.view, self.args = view, (first_cap, first_min)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: fit_columns(self.view, *self.args))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize and event.size().width() != event.oldSize().width():
            self.timer.start(0)  # after the layout settles, once per burst of resizes
        return False


def _export_button(on_click) -> QPushButton:
    button = QPushButton()
    button.setObjectName("exportButton")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.clicked.connect(lambda _checked=False: on_click())
    button.setEnabled(False)
    return button


def _panel(*parts: QWidget | QHBoxLayout) -> QFrame:
    """A panel of this page: a little tighter than the others; its last widget takes the spare height."""
    return panel(*parts, margins=(12, 10, 12, 10), spacing=6, stretch_last=True)


class SegmentsPage(QWidget, BackgroundRun):
    """Controls for the segmentation, its notes and cut points, the segment table, the heatmap or
    the clusters, the customer list and the breakdowns of the selected segment."""

    segmentation_finished = Signal(str)  # "success", "failure" or "cancelled" (never "stale")
    follow_up_finished = Signal(str)  # the lifetime value and "previously" run after it, as above
    options_changed = Signal(object)  # the `segment` keywords of the new SegmentOptions (the plan uses them)
    export_requested = Signal(object)  # a ui.saving.ListRequest: the window asks where and saves
    audience_requested = Signal(object)  # a ui.saving.ListRequest for a hashed list for ad platforms
    tags_changed = Signal()  # the tag tables were saved or reset (the plan reads them too)

    def __init__(self):
        super().__init__()
        self.book: Any = None
        self.result: SegmentsResult | None = None
        self.error: BaseException | None = None
        self._job: Job | None = None
        self._follow_up: Job | None = None  # lifetime value and "previously" of the result shown
        self._pending = False
        self._pending_settings: tuple[str, int, str | None] = ("rfm11", 5, None)
        self._shown: tuple[str, int, str | None] = ("rfm11", 5, None)  # settings of `result`
        self.filter_segment: str | None = None
        self.filter_cell: tuple[int, int] | None = None
        self.options = SegmentOptions()  # the analysis options of the Options… dialog
        self._wanted_currency: str | None = None  # restored with the files' settings (ui.settings)
        self.tags_dialog = None  # the open tag table editor, if any
        self._tags_failed: SegmentsResult | None = None  # the result whose follow-up run failed
        self._build()
        self.retranslate()

    # Building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = text_label("pageTitle")
        self.map_label, self.bins_label, self.currency_label = (text_label("fieldLabel") for _ in range(3))
        self.map_combo, self.currency_combo, self.busy = run_controls(self.rerun, self.cancel)
        self.bins_combo = QComboBox()
        for bins in BINS:
            self.bins_combo.addItem("", bins)
        self.bins_combo.currentIndexChanged.connect(self.rerun)
        self.progress_text, self.progress_bar = self.busy.text, self.busy.bar
        self.cancel_button = self.busy.cancel_button

        self.options_button = QPushButton()
        self.options_button.clicked.connect(self.open_options)
        header = page_header(self.title, (self.map_label, self.map_combo, self.options_button),  # beside the map
                             (self.bins_label, self.bins_combo), (self.currency_label, self.currency_combo),
                             right=self.busy)
        self.options_caption = OptionsCaption()
        self.options_caption.reset_requested.connect(lambda: self.set_options(SegmentOptions()))

        self.notes = text_label("infoBanner", wrap=True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cuts = text_label("cutsCaption", wrap=True)
        self.cuts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The cut points in use, and right beside them the way to set one's own (the Options dialog).
        self.cuts_row, self.cuts_button = link_row(self.cuts, self.open_options)

        # Segment table
        self.segment_title = text_label("sectionTitle", wrap=True)  # long in a narrow window: wraps
        self.segment_model = SegmentTableModel()
        self.segment_table = _table_view(self.segment_model)
        # Ctrl/Shift-click selects several segments (for the export); a plain click filters.
        self.segment_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.segment_table.clicked.connect(self._segment_row_clicked)
        # The modifiers of the click itself: the application's last known modifiers can be stale.
        self._click_modifiers = Qt.KeyboardModifier.NoModifier
        self.segment_table.viewport().installEventFilter(self)
        header_view = self.segment_table.horizontalHeader()
        header_view.setStretchLastSection(True)
        self.export_segments_button = _export_button(self.export_selected_segments)
        self.export_audience_button = _export_button(self.export_audience)
        segment_header = QHBoxLayout()
        segment_header.setSpacing(8)
        segment_header.addWidget(self.segment_title)
        segment_header.addStretch(1)
        segment_header.addWidget(self.export_audience_button)
        segment_header.addWidget(self.export_segments_button)
        self.segment_panel = _panel(segment_header, self.segment_table)

        # Map view: heatmap for grid maps, silhouette and profiles for clusters
        self.heatmap_title = text_label("sectionTitle")
        self.heatmap_hint = text_label("cutsCaption", wrap=True)
        self.heatmap = SegmentHeatmap()
        self.heatmap.cell_clicked.connect(self.filter_by_cell)
        self.heatmap.segment_clicked.connect(self.filter_by_segment)
        self.heatmap_panel = _panel(self.heatmap_title, self.heatmap_hint, self.heatmap)
        self.heatmap.setMaximumWidth(MAP_WIDTH - 24)  # as wide as beside the list, when it sits above it
        self.heatmap_panel.layout().setAlignment(self.heatmap, Qt.AlignmentFlag.AlignLeft)

        self.clusters_title = text_label("sectionTitle")
        self.silhouette_chart = BarChart(vertical=True)
        self.silhouette_chart.setMinimumWidth(150)
        self.profiles_model = ProfilesModel()
        self.profiles_table = _table_view(self.profiles_model)
        self.profiles_table.clicked.connect(
            lambda index: self.filter_by_segment(self.result.profiles[self.profiles_model.entry(index.row())]["id"]))
        profiles_header = self.profiles_table.horizontalHeader()
        profiles_header.setStretchLastSection(True)
        clusters_row = QHBoxLayout()
        clusters_row.setSpacing(12)
        self.silhouette_chart.setFixedWidth(300)
        clusters_row.addWidget(self.silhouette_chart, 0)
        clusters_row.addWidget(self.profiles_table, 1, Qt.AlignmentFlag.AlignTop)
        self.clusters_panel = _panel(self.clusters_title, clusters_row)
        self.clusters_panel.layout().setStretch(1, 1)
        self.clusters_panel.hide()

        self.map_view = self.heatmap_panel

        # Customers
        self.customers_title = text_label("sectionTitle")
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(150)  # beside the map in a minimum-size window
        self.search.setMaximumWidth(280)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.filter_text = text_label("filterChip")
        self.clear_filter_button = QPushButton()
        self.clear_filter_button.setObjectName("linkButton")
        self.clear_filter_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clear_filter_button.clicked.connect(self.clear_filter)
        self.export_customers_button = _export_button(self.export_shown_customers)
        customers_header = QHBoxLayout()
        customers_header.setSpacing(8)
        customers_header.addWidget(self.customers_title)
        self.lifetime_note = text_label("cutsCaption")  # while lifetime value is being estimated
        self.lifetime_note.hide()
        customers_header.addStretch(1)
        customers_header.addWidget(self.search)
        customers_header.addWidget(self.export_customers_button)
        # The filter gets a line of its own (shown only while filtering): beside the title, search
        # and Export it would squeeze them in a narrow window.
        filter_line = QHBoxLayout()
        filter_line.setSpacing(8)
        filter_line.addWidget(self.filter_text)
        filter_line.addWidget(self.clear_filter_button)
        filter_line.addStretch(1)
        filter_line.addWidget(self.lifetime_note)  # on this line too: beside the title it widened the page
        self.customer_model = CustomerTableModel()
        self.customer_table = _table_view(self.customer_model)
        self.customer_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.customer_table.horizontalHeader().setStretchLastSection(True)
        # Tags right after the segment: beside the map the table is narrow, and they say who the customer is.
        self.customer_table.horizontalHeader().moveSection(CustomerTableModel.TAGS, 2)
        self.customer_panel = _panel(customers_header, filter_line, self.customer_table)

        # Breakdowns
        self.breakdown_title = text_label("sectionTitle")
        self.countries_chart = BarChart()
        self.items_chart = BarChart()
        self.months_chart = BarChart(vertical=True)
        charts = QGridLayout()
        charts.setContentsMargins(0, 0, 0, 0)
        charts.setHorizontalSpacing(16)
        charts.setVerticalSpacing(10)
        charts.addWidget(self.countries_chart, 0, 0)
        charts.addWidget(self.items_chart, 0, 1)
        charts.addWidget(self.months_chart, 0, 2)
        charts.setColumnStretch(0, 2)
        charts.setColumnStretch(1, 3)
        charts.setColumnStretch(2, 3)
        charts_holder = QWidget()
        charts_holder.setLayout(charts)
        self.breakdown_panel = _panel(self.breakdown_title, charts_holder)

        # Interest tags: each segment's tag mix, and the editor of the tag tables
        self.tags_panel = TagMixPanel(_panel)
        self.tags_panel.edit_button.clicked.connect(lambda _checked=False: self.open_tags_editor())

        # Rows that scroll together when the window is small: the segments; their map (or the
        # clusters) beside the customer list it filters (above it on a narrow page); the breakdowns of
        # the selected segment.
        self.body = QWidget()
        self.body.setObjectName("page")
        self.middle = middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        middle.setSpacing(12)
        middle.addWidget(self.map_view, 0)
        middle.addWidget(self.customer_panel, 1)
        self.map_view.setMinimumWidth(MAP_WIDTH)
        self.customer_panel.setMinimumHeight(380)
        self.breakdown_panel.setMinimumHeight(260)
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 4, 4)
        body_layout.setSpacing(12)
        body_layout.addWidget(self.segment_panel)
        body_layout.addWidget(self.clusters_panel)  # the profiles need the full width
        body_layout.addLayout(middle, 1)
        body_layout.addWidget(self.breakdown_panel)
        body_layout.addWidget(self.tags_panel.frame)
        self.scroll = page_scroll(self.body)
        self.empty, self.content = page_scaffold(self, header, self.options_caption, self.notes, self.cuts_row,
                                                 shown=self.scroll)
        self._show_state()

    # Input ------------------------------------------------------------------------------------
    def set_book(self, book: Any) -> None:
        """A new import: segment it now if the page is on screen, else when it is shown."""
        if self._job is not None:
            self._job.cancel()  # its result belongs to the previous book
        self._cancel_follow_up()
        self._awaited = None  # computing the previous book
        self.busy.hide()
        self.book = book
        self.result, self.error = None, None
        self.filter_segment, self.filter_cell = None, None
        fill_currencies(self.currency_combo, self.currency_label, [], None)
        self._pending = True
        if self.isVisible():
            self.rerun()
        else:
            self._show_state()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending and self.book is not None:
            self.rerun()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_customer_list()

    def _place_customer_list(self) -> None:
        """The customer list beside the map when the page has room for all its columns, else below
        it at the page's full width (a list squeezed beside the map scrolled sideways)."""
        beside = self.scroll.width() >= MAP_WIDTH + 12 + CUSTOMERS_BESIDE_MAP
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        if self.middle.direction() != direction:
            self.middle.setDirection(direction)
        self.map_view.setMaximumWidth(MAP_WIDTH if beside else ANY_WIDTH)

    def settings(self) -> tuple[str, int, str | None]:
        # Until a result lists the book's currencies, the one chosen when these files were last open.
        currency = (self.currency_combo.currentData() if self.currency_combo.count() > 1
                    else self._wanted_currency)
        return self.map_combo.currentData(), self.bins_combo.currentData(), currency

    def open_options(self) -> SegmentOptionsDialog | None:
        """The Options… dialog (modal, returned for tests): OK re-segments with its options."""
        if self.book is None:
            return None
        from core.segments.features import default_analysis_date, main_currency

        dialog = SegmentOptionsDialog(self.options, default_analysis_date(self.book), paid_currencies(self.book),
                                      main_currency(self.book) or "", self,
                                      used=self.result.thresholds if self.result is not None else None)
        dialog.accepted.connect(lambda: self.set_options(dialog.options()))
        dialog.open()
        return dialog

    def set_options(self, options: SegmentOptions) -> None:
        """Segment again with `options` (the Targeting page follows through `options_changed`)."""
        self.options = options
        self.options_caption.show_options(options, self.result.currency if self.result else "")
        self.options_changed.emit(options.kwargs())
        self.rerun()

    def set_map(self, map_id: str) -> None:
        self.map_combo.setCurrentIndex(MAPS.index(map_id))

    def saved_settings(self) -> dict:
        """What re-opening the same files brings back (see ui.settings)."""
        map_id, bins, currency = self.settings()
        return {"map": map_id, "bins": bins, "currency": currency, "options": self.options.as_json()}

    def restore_settings(self, saved: dict, currencies=None) -> None:
        """Put saved choices in the controls without running (the next book runs with them);
        a saved currency counts only when it is among `currencies` (the book's)."""
        for combo, value in ((self.map_combo, saved.get("map")), (self.bins_combo, saved.get("bins"))):
            select_data(combo, value)
        currency = saved.get("currency")
        self._wanted_currency = currency if isinstance(currency, str) and currency in (currencies or ()) else None
        self.options = SegmentOptions.from_json(saved.get("options"))
        self.options_caption.show_options(self.options)

    def set_bins(self, bins: int) -> None:
        self.bins_combo.setCurrentIndex(BINS.index(bins))

    def run_call(self) -> tuple[tuple, dict]:
        """The arguments of `run_segmentation` (after the book) for the current controls."""
        options = {"options": self.options.kwargs()} if not self.options.is_default() else {}
        return self.settings(), options

    def running_text(self) -> str:
        return t("ui.segments.running", map=map_name(self.settings()[0]))

    def await_result(self, job) -> None:
        self._cancel_follow_up()
        self._pending_settings = self.settings()
        super().await_result(job)

    def rerun(self, *_args) -> Job | None:
        """Segment again with the current controls; a run still going is cancelled."""
        if self.book is None:
            return None
        self._pending = False
        self.error = None
        self._cancel_follow_up()  # it would finish a result that is about to be replaced
        self.busy.start(self.running_text())
        args, options = self.run_call()
        self._pending_settings = args
        return self._start_run(Job(run_segmentation, self.book, *args, **options), "segment")

    def _succeeded(self, result: SegmentsResult) -> None:
        self._shown = self._pending_settings
        self.result = result
        keep_segment = self.filter_segment if self.filter_segment in result.order else None
        self.filter_segment, self.filter_cell = keep_segment, None
        fill_currencies(self.currency_combo, self.currency_label, result.currencies, result.currency)
        self.segment_model.set_result(result)
        self.customer_model.set_result(result)
        self.profiles_model.set_result(result)
        self.render()
        self.apply_filters()
        self._start_follow_up(result)

    def _start_follow_up(self, result: SegmentsResult) -> Job:
        """Lifetime value and the segment counts 90 days earlier, in a run of their own so the
        segments show first; the columns say "—" until it is done."""
        options = self.options.kwargs()
        job = (Job(run_follow_up, result.segmentation, self.book, options)
               .on_success(lambda follow_up, result=result: self._follow_up_done(result, follow_up)))
        job.finished.connect(self._follow_up_finished)
        self._follow_up = job
        self.lifetime_note.setText(t("ui.segments.lifetime_running"))
        self.lifetime_note.show()
        return job.start(self, "follow_up")

    def _follow_up_done(self, result: SegmentsResult, follow_up: FollowUp) -> None:
        if result is not self.result:
            return  # made for a result no longer on screen
        result.customers.clv, result.customers.p_alive = follow_up.clv, follow_up.p_alive
        result.previous, result.previous_date = follow_up.previous, follow_up.previous_date
        result.tags = follow_up.tags
        self._render_tags()
        if self.customer_model._sort is not None:  # sorted by a column just filled: sort with the numbers
            self.customer_model.sort(*self.customer_model._sort)
        self.segment_model.refresh_texts()
        self.customer_model.refresh_texts()
        self._size_tables()

    def _follow_up_finished(self, outcome: str) -> None:
        if outcome == "stale":
            return
        self._follow_up = None
        self.lifetime_note.hide()
        if outcome == "failure":
            self._tags_failed = self.result  # the tag mix says so instead of waiting
        self._render_tags()
        self.follow_up_finished.emit(outcome)

    def _cancel_follow_up(self) -> None:
        if self._follow_up is not None:
            self._follow_up.cancel()
            self._follow_up = None
            self.lifetime_note.hide()

    def is_following_up(self) -> bool:
        return self._follow_up is not None and self._follow_up.is_running()

    def _run_finished(self, outcome: str) -> None:
        self.segmentation_finished.emit(outcome)

    def _restore_controls(self) -> None:
        """After a cancel or a failure the controls show what is on screen again."""
        if self.result is None:
            return
        map_id, bins, _currency = self._shown
        for combo, value in ((self.map_combo, map_id), (self.bins_combo, bins),
                             (self.currency_combo, self.result.currency)):
            select_data(combo, value)

    # Filters ----------------------------------------------------------------------------------
    def filter_by_segment(self, seg: str) -> None:
        self.filter_segment = None if self.filter_segment == seg and self.filter_cell is None else seg
        self.filter_cell = None
        self.apply_filters()

    def filter_by_cell(self, r: int, c: int) -> None:
        self.filter_cell = None if self.filter_cell == (r, c) else (r, c)
        self.filter_segment = None
        self.apply_filters()

    def clear_filter(self) -> None:
        self.filter_segment, self.filter_cell = None, None
        self.apply_filters()

    def selected_segment(self) -> str | None:
        """The segment the breakdowns show: the filtered one, or the segment of the filtered cell."""
        if self.result is None:
            return None
        if self.filter_cell is not None and self.result.heatmap is not None:
            r, c = self.filter_cell
            return self.result.heatmap.segments[5 - r][c - 1]
        return self.filter_segment

    def apply_filters(self) -> None:
        if self.result is None:
            return
        data = self.result.customers
        mask = None
        if self.filter_segment is not None:
            mask = data.segment == self.result.order.index(self.filter_segment)
        elif self.filter_cell is not None and data.cell_r is not None:
            r, c = self.filter_cell
            mask = (data.cell_r == r) & (data.cell_c == c)
        needle = self.search.text().strip().lower()
        if needle:
            import pyarrow.compute as pc  # loaded with the book already

            found = pc.match_substring(data.search, needle).to_numpy(zero_copy_only=False)
            mask = found if mask is None else mask & found
        self.customer_model.set_mask(mask)
        self._render_filter()
        self._render_breakdowns()
        self.heatmap.selected_cell = self.filter_cell
        self.heatmap.selected_segment = self.selected_segment()
        self.heatmap.update()
        self.segment_table.clearSelection()
        seg = self.selected_segment()
        if seg is not None and self.filter_cell is None:
            row = self.segment_model.row_of(seg)
            if row >= 0:
                self.segment_table.selectRow(row)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.segment_table.viewport() and event.type() == QEvent.Type.MouseButtonPress:
            self._click_modifiers = event.modifiers()
        return super().eventFilter(watched, event)

    def _segment_row_clicked(self, index: QModelIndex) -> None:
        modifiers, self._click_modifiers = self._click_modifiers, Qt.KeyboardModifier.NoModifier
        if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
            return  # adding to the selection (for an export), not filtering
        seg = self.segment_model.segment_id(index.row())
        self.filter_by_segment(seg)

    # Export -----------------------------------------------------------------------------------
    def selected_segments(self) -> list[str]:
        """The segments selected in the segment table, in table order."""
        rows = sorted(index.row() for index in self.segment_table.selectionModel().selectedRows())
        return [self.segment_model.segment_id(row) for row in rows]

    def _request(self, segments: list[str] | None, keys: list[str] | None, rows: int, name: str):
        from ui.saving import ListRequest

        return ListRequest(segments=tuple(segments) if segments is not None else None,
                           keys=tuple(keys) if keys is not None else None, rows=rows,
                           seg=self.result.segmentation, settings=self._shown, name=name)

    def export_selected_segments(self) -> None:
        """Ask the window to save the customers of the selected segments (none selected: all)."""
        if self.result is None:
            return
        segments = self.selected_segments()
        if not segments:
            self.export_requested.emit(self._request(None, None, len(self.result.customers.keys), "customers"))
            return
        counts = {row["id"]: int(row.get("customers") or 0) for row in self.result.table}
        name = segments[0] if len(segments) == 1 else "segments"
        rows = sum(counts.get(s, 0) for s in segments)
        self.export_requested.emit(self._request(segments, None, rows, name))

    def export_audience(self) -> None:
        """Ask the window for a hashed audience list of the selected segments (none selected: all)."""
        if self.result is None:
            return
        segments = self.selected_segments()
        counts = {row["id"]: int(row.get("customers") or 0) for row in self.result.table}
        if not segments:
            self.audience_requested.emit(self._request(None, None, len(self.result.customers.keys), "customers"))
            return
        name = segments[0] if len(segments) == 1 else "segments"
        self.audience_requested.emit(self._request(segments, None, sum(counts.get(s, 0) for s in segments), name))

    # Interest tags ----------------------------------------------------------------------------
    def open_tags_editor(self):
        """The tag table editor (window-modal, returned for tests): Save or Reset re-segments."""
        from ui.tags_dialog import TagTablesDialog

        if self.tags_dialog is not None:
            self.tags_dialog.close()
        dialog = TagTablesDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.tables_changed.connect(self._tables_changed)
        dialog.destroyed.connect(lambda *_: self._forget_tags_dialog(dialog))
        self.tags_dialog = dialog
        dialog.open()
        return dialog

    def _forget_tags_dialog(self, dialog) -> None:
        if self.tags_dialog is dialog:
            self.tags_dialog = None

    def _tables_changed(self) -> None:
        self.tags_changed.emit()
        if self.book is not None:
            self.rerun()  # the tags (and the "tags" segmentation) follow the new tables

    def export_shown_customers(self) -> None:
        """Ask the window to save the rows the customer table shows (filtered or all), in their order."""
        if self.result is None:
            return
        shown, total = self.customer_model.rowCount(), len(self.result.customers.keys)
        if shown == total:
            self.export_requested.emit(self._request(None, None, total, "customers"))
            return
        segments = sorted({self.result.order[int(self.result.customers.segment[e])]
                           for e in self.customer_model.visible_entries()
                           if 0 <= int(self.result.customers.segment[e]) < len(self.result.order)})
        seg = self.selected_segment()
        name = seg if seg is not None else "customers"
        self.export_requested.emit(self._request(segments, self.customer_model.visible_keys(), shown, name))

    # Rendering --------------------------------------------------------------------------------
    def _show_state(self) -> None:
        has_result = self.result is not None
        self.content.setCurrentWidget(self.scroll if has_result else self.empty)
        if self.book is None:
            self.empty.setText(t("ui.segments.no_data"))
        elif self.error is not None and not has_result:
            self.empty.setText(self._error_text())
        elif not has_result:
            self.empty.setText(t("ui.segments.waiting"))
        for widget in (self.map_label, self.map_combo, self.bins_label, self.bins_combo, self.options_button):
            widget.setEnabled(self.book is not None)
        for button in (self.export_segments_button, self.export_customers_button, self.export_audience_button):
            button.setEnabled(has_result)
        self._render_notes()

    def _error_text(self) -> str:
        return error_text("ui.segments.failed", self.error)

    def _render_notes(self) -> None:
        lines = []
        if self.error is not None and self.result is not None:
            lines.append(self._error_text())
        if self.result is not None:
            from core.segments import note_message  # loaded by the run that made the result
            lines += [note_message(note, language()) for note in self.result.notes]
        self.notes.setText("\n".join(f"ⓘ {line}" for line in lines))
        self.notes.setVisible(bool(lines))
        self.cuts_row.setVisible(self.result is not None)

    def render(self) -> None:
        """Put the result on screen in the current language."""
        result = self.result
        if result is None:
            self._show_state()
            return
        self._render_notes()
        label_map_combo(self.map_combo, result.map_id)
        self.cuts.setText(self._cuts_text())
        self.segment_title.setText(t("ui.segments.table_title", map=map_name(result.map_id),
                                     customers=f"{len(result.customers.keys):,}", date=result.analysis_date))
        if result.heatmap is not None:
            heatmap = result.heatmap
            heatmap.names = {s: segment_name(result, s) for s in heatmap.order}
            self.heatmap.tooltip_format = t("ui.segments.cell_tip")
            self.heatmap_title.setText(t("ui.segments.heatmap_title", rows=heatmap.row_axis,
                                         columns=heatmap.column_axis))
            hint = [t("ui.segments.heatmap_hint")]
            if heatmap.column_axis == "FM":
                hint.append(t("ui.segments.heatmap_fm"))
            if result.bins != 5:
                hint.append(t("ui.segments.heatmap_scaled", bins=result.bins))
            self.heatmap_hint.setText(" ".join(hint))
            self.heatmap.set_data(heatmap)
            self.map_view.show()
        elif result.map_id == "clusters":
            self.clusters_title.setText(t("ui.segments.clusters_title", k=result.k or 0))
            ks = sorted(result.silhouette)
            self.silhouette_chart.set_data(
                t("ui.segments.silhouette_title"),
                [Bar(str(k), result.silhouette[k], f"{result.silhouette[k]:.2f}",
                     t("ui.segments.silhouette_tip", k=k, score=f"{result.silhouette[k]:.3f}")) for k in ks],
                t("ui.segments.no_chart_data"), ks.index(result.k) if result.k in ks else None)
            self.map_view.hide()
        else:
            self.map_view.hide()
        self.clusters_panel.setVisible(result.map_id == "clusters")
        self.segment_model.refresh_texts()
        self.customer_model.update_names()
        self.customer_model.refresh_texts()
        self.profiles_model.refresh_texts()
        self._render_filter()
        self._render_breakdowns()
        self._render_tags()
        self._show_state()
        self._size_tables()

    def _render_tags(self) -> None:
        result = self.result
        if result is None:
            return
        self.tags_panel.show(result.tags, {s: segment_name(result, s) for s in result.order},
                             waiting=result.tags is None and self._tags_failed is not result)

    def _cuts_text(self) -> str:
        result = self.result
        th = result.thresholds
        parts = []
        if "r" in th:
            parts.append(t("ui.segments.cuts_r", cuts=fmt_cuts(th["r"]["cuts"])))
        if "f" in th:
            parts.append(t("ui.segments.cuts_f", cuts=fmt_cuts(th["f"]["cuts"])))
        if "m" in th:
            parts.append(t("ui.segments.cuts_m", cuts=fmt_cuts(th["m"]["cuts"], money=True),
                           currency=result.currency))
        text = t("ui.segments.cuts", axes=t("ui.segments.cuts_separator").join(parts))
        if "r_high_low" in th:
            text += "  " + t("ui.segments.cuts_high_low", r=f"{th['r_high_low']['limit']:,.0f}",
                              f=f"{th['f_high_low']['limit']:.2f}", m=f"{th['m_high_low']['limit']:,.2f}",
                              currency=result.currency)
        if "value_tiers" in th:
            tiers = th["value_tiers"]
            shares = [round(s * 100) for s in tiers["shares"]]
            text += "  " + t("ui.segments.cuts_tiers", top=shares[0], first=f"{tiers['cuts'][0]:,.2f}",
                              next=shares[1], second=f"{tiers['cuts'][1]:,.2f}", currency=result.currency)
        return text

    def _render_filter(self) -> None:
        result = self.result
        if result is None:
            return
        shown, total = self.customer_model.rowCount(), len(result.customers.keys)
        if self.filter_cell is not None and result.heatmap is not None:
            r, c = self.filter_cell
            what = t("ui.segments.filter_cell", row=result.heatmap.row_axis, r=r,
                     column=result.heatmap.column_axis, c=c, segment=segment_name(result, self.selected_segment()))
        elif self.filter_segment is not None:
            what = segment_name(result, self.filter_segment)
        else:
            what = ""
        self.customers_title.setText(
            t("ui.segments.customers_title", shown=f"{shown:,}", total=f"{total:,}") if shown != total
            else t("ui.segments.customers_title_all", total=f"{total:,}"))
        self.filter_text.setText(t("ui.segments.filter", what=what) if what else "")
        self.filter_text.setVisible(bool(what))
        self.clear_filter_button.setVisible(bool(what))

    def _render_breakdowns(self) -> None:
        result = self.result
        if result is None:
            return
        seg = self.selected_segment()
        parts = result.breakdowns.get(seg if seg is not None else ALL, {})
        who = segment_name(result, seg) if seg is not None else t("ui.segments.all_customers")
        self.breakdown_title.setText(t("ui.segments.breakdown_title", who=who))
        empty = t("ui.segments.no_chart_data")
        unknown = t("ui.segments.unknown")

        def money_bars(pairs):
            return [Bar(unknown if key in ("?", "") else key, value, f"{value:,.0f}",
                        f"{unknown if key in ('?', '') else key}: {result.currency} {value:,.2f}")
                    for key, value in pairs]

        from core.countries import country_name  # a small TOML table

        countries = [(country_name(key, language()), value) for key, value in parts.get("country", [])]
        self.countries_chart.set_data(t("ui.segments.chart_countries", currency=result.currency),
                                      money_bars(countries), empty)
        self.items_chart.set_data(t("ui.segments.chart_items", currency=result.currency),
                                  money_bars(parts.get("item", [])), empty)
        months = parts.get("month", [])
        self.months_chart.set_data(
            t("ui.segments.chart_months"),
            [Bar(key, value, f"{value:,.0f}", t("ui.segments.month_tip", month=key, orders=f"{value:,.0f}"))
             for key, value in months], empty)

    def _size_tables(self) -> None:
        """The segment table shows all its rows (up to 12) without an inner scroll bar."""
        # Measure in the layout just set (panels shown or hidden), not the one before.
        self.body.layout().activate()
        for box in (self.segment_panel, self.clusters_panel, self.customer_panel):
            box.layout().activate()
        for view, model, cap in ((self.segment_table, self.segment_model, 12),
                                 (self.profiles_table, self.profiles_model, 9)):
            header = view.horizontalHeader()
            fit_columns(view)
            rows = min(max(model.rowCount(), 2), cap)
            view.setFixedHeight(header.sizeHint().height() + rows * view.verticalHeader().defaultSectionSize()
                                + 4 + (view.horizontalScrollBar().sizeHint().height()
                                       if header.length() > view.viewport().width() else 0))
        fit_columns(self.customer_table, first_cap=200, first_min=100)
        tags = CustomerTableModel.TAGS  # several tags elide; the tooltip names them all
        self.customer_table.setColumnWidth(tags, min(self.customer_table.columnWidth(tags), TAGS_WIDTH))

    # Language ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(t("ui.segments.title"))
        self.map_label.setText(t("ui.segments.map"))
        self.bins_label.setText(t("ui.segments.bins"))
        self.currency_label.setText(t("ui.segments.currency"))
        label_map_combo(self.map_combo, self.result.map_id if self.result is not None else None)
        for i, bins in enumerate(BINS):
            self.bins_combo.setItemText(i, t("ui.segments.bins_option", count=bins))
        self.map_combo.setToolTip(t("ui.segments.map_tip"))
        self.bins_combo.setToolTip(t("ui.segments.bins_tip"))
        self.options_button.setText(t("ui.options.button"))
        self.options_button.setToolTip(t("ui.options.button_tip"))
        self.cuts_button.setText(t("ui.options.cuts_button"))
        self.cuts_button.setToolTip(t("ui.options.button_tip"))
        self.options_caption.show_options(self.options, self.result.currency if self.result else "")
        self.cancel_button.setText(t("ui.progress.cancel"))
        self.search.setPlaceholderText(t("ui.segments.search"))
        self.lifetime_note.setText(t("ui.segments.lifetime_running"))
        self.clear_filter_button.setText(t("ui.segments.show_all"))
        self.export_segments_button.setText(t("ui.export.button"))
        self.export_segments_button.setToolTip(t("ui.export.segments_tip"))
        self.export_customers_button.setText(t("ui.export.button"))
        self.export_customers_button.setToolTip(t("ui.export.customers_tip"))
        self.export_audience_button.setText(t("ui.audience.button"))
        self.export_audience_button.setToolTip(t("ui.audience.button_tip"))
        if self.tags_dialog is not None:
            self.tags_dialog.retranslate()
        if self.busy.isVisible():
            self.progress_text.setText(t("ui.segments.running", map=map_name(self.map_combo.currentData())))
        self.render()
