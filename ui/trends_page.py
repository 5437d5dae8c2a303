"""Trends: customers over time — cohorts and retention, segment migration, lifetime value and churn risk, demand forecast.

Each tab runs its core work on a pool thread in a Job of its own slot (a newer run of a tab cancels
its older one), when the tab is shown and something it depends on changed; the result arrives as
plain lists and numpy arrays that the widgets only display, so a language switch needs no new run.
A tab's previous result stays on screen until the next one is ready, and stays when a run is
cancelled or fails.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QPushButton, QStackedWidget, QTabBar, QTableView,
    QTabWidget, QVBoxLayout, QWidget,
)

from core.i18n import language, t
from ui.segments_page import (
    CLV_SAMPLE, NO_VALUE, SortedModel, _table_view, customer_names, day_columns, fit_columns, fmt_number, fmt_share,
    label_map_combo, map_name, paid_currencies, text_rank,
)
from ui.theme import ACCENT, CHEVRON
from ui.trend_charts import ForecastChart, ForecastChartData, MigrationData, MigrationMatrix
from ui.widgets import (
    Index, TextTableModel, error_text, fill_currencies, page_header, page_scaffold, page_scroll, panel, run_controls,
    select_data, text_label, tidy_table,
)
from ui.worker import Job

SECTIONS = ("cohorts", "migration", "lifetime", "forecast")  # the tabs, in order
MIGRATION_MAPS = ("rfm11", "rfgrid", "cn8", "value")  # maps whose segments rank best to worst
PERIODS = ("M", "Q")
HORIZON_WEEKS = (13, 26, 52)
FORECAST_MONTHS = (3, 6, 12)
MEASURES = ("net_sales", "units")
MOVER_KINDS = ("up", "slipped", "won", "lost")
DAYS_BEFORE = 90  # the migration's default earlier date: this many days before the analysis date
DEBOUNCE_MS = 400  # typing a date runs once it has settled
NOT_YET = "not_yet"  # core.trends.NOT_YET (core.trends imports pandas: not at start-up)
SMALLER_MAP = "segments.smaller_map"  # the segmentation's note worth repeating here


# Pool thread --------------------------------------------------------------------------------------
def _values(row) -> list[float | None]:
    return [None if v != v else float(v) for v in row]  # NaN (not lived through yet) -> None


@dataclass
class CohortsResult:
    period: str  # "M" or "Q"
    currency: str
    currencies: list[str]
    cohorts: list[tuple[int, int]]  # (year, month 1–12 or quarter 1–4) of the first paid order
    sizes: list[int]
    retention: list[list[float | None]]  # per cohort and period since the first; None: not there yet
    revenue: list[list[float | None]]
    totals: list[float]  # net sales of the cohort so far


def run_cohorts(book: Any, currency: str | None, period: str | None, progress) -> CohortsResult:
    from core.segments.features import main_currency
    from core.trends import cohort_period, cohorts

    progress.report(0.1, "ui.trends.step_cohorts")
    currency = currency or main_currency(book)
    period = period or cohort_period(book, currency)  # None: as the book's span suits
    table = cohorts(book, currency, period)
    progress.check_cancelled()
    retention, revenue = table["retention"], table["revenue"].reindex(table["retention"].index)
    periods = list(range(int(max(retention.columns.max(), revenue.columns.max())) + 1)) if len(retention) else []
    retention, revenue = retention.reindex(columns=periods), revenue.reindex(columns=periods)
    labels = [(p.year, p.month if period == "M" else p.quarter) for p in retention.index]
    return CohortsResult(period, currency, paid_currencies(book), labels,
                         [int(table["customers"].get(c, 0)) for c in retention.index],
                         [_values(row) for row in retention.to_numpy()], [_values(row) for row in revenue.to_numpy()],
                         [float(np.nansum(row)) for row in revenue.to_numpy()])


@dataclass
class Movers:
    """The customers of one kind of move, as arrays (see MoversModel)."""

    keys: np.ndarray
    names: np.ndarray
    before: np.ndarray  # segment id at the earlier date, or NOT_YET
    after: np.ndarray
    orders: np.ndarray
    monetary: np.ndarray
    last_order: np.ndarray  # days (datetime64[D]; segments_page.day_columns)
    last_key: np.ndarray  # date ordinal


@dataclass
class MigrationResult:
    map_id: str
    currency: str
    currencies: list[str]
    earlier: dt.date
    later: dt.date
    first_day: dt.date  # of the data: the earliest date worth choosing
    last_day: dt.date  # the default later date (the analysis date)
    labels: dict  # segment id -> SegmentLabel (both dates' maps)
    rows: list[str]  # NOT_YET, then the segments at the earlier date
    columns: list[str]  # the segments at the later date
    counts: list[list[int]]
    money: list[list[float]]
    direction: list[list[int]]  # 1 moved up, 0 stayed, -1 slipped
    movers: dict[str, Movers]
    customers: int
    map_notes: list[tuple[str, dict]] = field(default_factory=list)  # a smaller map than asked for


def run_migration(book: Any, map_id: str, currency: str | None, later: dt.date | None,
                  earlier: dt.date | None, progress) -> MigrationResult:
    from core.segments.features import default_analysis_date
    from core.trends import migration

    progress.report(0.1, "ui.trends.step_migration")
    last_day = default_analysis_date(book)
    later = later or last_day
    earlier = earlier or later - dt.timedelta(days=DAYS_BEFORE)
    moved = migration(book, map_id, later=later, earlier=earlier, currency=currency)
    progress.check_cancelled()
    progress.report(0.8, "ui.trends.step_migration")
    after = moved.after.customers
    was = moved.before.customers["segment"].reindex(after.index).fillna(NOT_YET)
    rank = {s: i for i, s in enumerate(moved.after.order)}
    rank.update({s: i for i, s in enumerate(moved.before.order) if s not in rank})
    old = [rank.get(s, len(rank)) for s in moved.matrix.index]
    new = [rank[s] for s in moved.matrix.columns]
    direction = [[(o > n) - (o < n) for n in new] for o in old]
    names = customer_names(book, after.index)
    movers = {}
    for kind, keys in moved.movers.items():
        at = after.index.get_indexer(keys)
        last_order, last_key = day_columns(after["last_order"].iloc[at])
        movers[kind] = Movers(keys=np.asarray(keys, dtype=object), names=names[at],
                              before=was.to_numpy(dtype=object)[at], after=after["segment"].to_numpy(dtype=object)[at],
                              orders=after["frequency"].to_numpy(dtype=np.int64)[at],
                              monetary=after["monetary"].to_numpy(dtype=float)[at],
                              last_order=last_order, last_key=last_key)
    first_day = book.orders["placed_at"].min()
    return MigrationResult(
        map_id=moved.after.map_id, currency=moved.after.currency, currencies=paid_currencies(book),
        earlier=moved.before.analysis_date, later=moved.after.analysis_date,
        first_day=first_day.date() if first_day == first_day else earlier, last_day=last_day,
        labels={**moved.before.labels, **moved.after.labels}, rows=list(moved.matrix.index),
        columns=list(moved.matrix.columns), counts=moved.matrix.to_numpy().astype(int).tolist(),
        money=moved.money.to_numpy().astype(float).tolist(), direction=direction, movers=movers,
        customers=len(after), map_notes=[n for n in moved.after.notes if n[0] == SMALLER_MAP])


@dataclass
class LifetimeResult:
    map_id: str
    currency: str
    currencies: list[str]
    weeks: int
    end: dt.date  # the last day the models saw
    trusted: bool
    notes: list[tuple[str, dict]]
    labels: dict
    order: list[str]
    keys: np.ndarray
    names: np.ndarray
    segment: np.ndarray  # index into order
    orders: np.ndarray
    monetary: np.ndarray
    last_order: np.ndarray
    last_key: np.ndarray
    p_alive: np.ndarray  # NaN when the model cannot be trusted
    purchases: np.ndarray  # expected purchases over the horizon
    value: np.ndarray  # expected value over the horizon
    win_back: np.ndarray  # 1, 2, …: who to win back first; NaN: not a win-back case
    winnable: float  # below this P(alive) a customer is probably gone (and not worth winning back)
    map_notes: list[tuple[str, dict]] = field(default_factory=list)  # a smaller map than asked for
    key_rank: np.ndarray = field(default_factory=lambda: np.arange(0))


def run_lifetime(book: Any, map_id: str, currency: str | None, weeks: int, progress) -> LifetimeResult:
    from core.clv import customer_lifetime, customer_purchases
    from core.jobs import sub
    from core.segments import segment
    from core.over_time import win_back
    from core.trends import WINNABLE

    seg = segment(book, map_id, currency=currency, progress=sub(progress, 0.0, 0.3))
    progress.check_cancelled()
    progress.report(0.35, "ui.trends.step_lifetime")
    end = seg.analysis_date - dt.timedelta(days=1)
    clv = customer_lifetime(customer_purchases(book, seg.currency), end, float(weeks), fit_on=CLV_SAMPLE)
    progress.check_cancelled()
    frame = seg.customers[["segment", "frequency", "monetary", "last_order"]].join(
        clv.customers[["repeat_purchases", "p_alive", "expected_purchases", "expected_value"]], how="left")
    first = win_back(frame.assign(net_sales=frame["monetary"]), WINNABLE).index  # core's order: win back first
    rank = np.full(len(frame), np.nan)
    rank[frame.index.get_indexer(first)] = np.arange(1, len(first) + 1)
    order = list(seg.labels)
    position = {s: i for i, s in enumerate(order)}
    keys = frame.index.to_numpy(dtype=object)
    last_order, last_key = day_columns(frame["last_order"])
    return LifetimeResult(
        map_id=seg.map_id, currency=seg.currency, currencies=paid_currencies(book), weeks=weeks, end=end,
        trusted=bool(clv.trusted), notes=list(clv.notes), labels=dict(seg.labels), order=order,
        keys=keys, names=customer_names(book, frame.index),
        segment=frame["segment"].map(position).fillna(-1).to_numpy(dtype=np.int64),
        orders=frame["frequency"].to_numpy(dtype=np.int64), monetary=frame["monetary"].to_numpy(dtype=float),
        last_order=last_order, last_key=last_key,
        p_alive=frame["p_alive"].to_numpy(dtype=float), purchases=frame["expected_purchases"].to_numpy(dtype=float),
        value=frame["expected_value"].to_numpy(dtype=float), win_back=rank, winnable=WINNABLE,
        map_notes=[n for n in seg.notes if n[0] == SMALLER_MAP],
        key_rank=text_rank(keys))


@dataclass
class SeriesForecast:
    name: str  # "all" (the whole shop) or a category
    months: list[tuple[int, int]]  # (year, month) of the history
    history: list[float]
    future: list[tuple[int, int]]
    mean: list[float]  # empty when there is too little history for a model
    lower: list[float]
    upper: list[float]
    baseline: list[float]
    backtest: dict
    method: str
    notes: list[tuple[str, dict]]


@dataclass
class ForecastResult:
    currency: str
    currencies: list[str]
    measure: str
    horizon: int
    series: list[SeriesForecast]


def run_forecast(book: Any, currency: str | None, measure: str, horizon: int, progress) -> ForecastResult:
    from core.jobs import sub
    from core.segments.features import main_currency
    from core.trends import forecast_each

    progress.report(0.0, "ui.trends.step_forecast")
    currency = currency or main_currency(book)
    forecasts = forecast_each(book, currency, horizon, measure, progress=sub(progress, 0.05, 1.0))
    series = [SeriesForecast(
        name=f.name, months=[(p.year, p.month) for p in f.history.index], history=[float(v) for v in f.history],
        future=[(p.year, p.month) for p in f.baseline.index], mean=[float(v) for v in f.forecast["mean"]],
        lower=[float(v) for v in f.forecast["lower"]], upper=[float(v) for v in f.forecast["upper"]],
        baseline=[float(v) for v in f.baseline], backtest=dict(f.backtest), method=f.method, notes=list(f.notes))
        for f in forecasts]
    return ForecastResult(currency, paid_currencies(book), measure, horizon, series)


# Formatting ---------------------------------------------------------------------------------------
def period_text(period: str, year: int, number: int) -> str:
    """'Mar 2025' / '2025年3月', or 'Q1 2025' / '2025年第1季度'."""
    if period == "Q":
        return t("ui.trends.quarter", year=year, quarter=number)
    return t("ui.trends.month", year=year, month=t(f"ui.trends.month_{number}"))


def segment_label(labels: dict, seg: str) -> str:
    if seg == NOT_YET:
        return t("ui.trends.not_yet")
    label = labels.get(seg)
    return label.text(language())[0] if label is not None else seg


def map_note(note: tuple[str, dict]) -> str:
    from core.segments import note_message  # loaded by the run that made the note

    return note_message(note, language())


# Models -------------------------------------------------------------------------------------------
class CohortModel(TextTableModel):
    """Cohorts down, periods since the first order across; each cell the share of the cohort that
    bought in that period (or their net sales), shaded by its size; unknown periods blank."""

    SIZE, TOTAL = 0, 1  # the two columns before the periods

    def __init__(self):
        super().__init__()
        self.result: CohortsResult | None = None
        self.show_revenue = False
        self._peak = 1.0

    @property
    def headers(self) -> list[str]:  # one per column; texts come from header_text
        periods = len(self.result.retention[0]) if self.result and self.result.retention else 0
        return ["", ""] + [""] * periods

    def set_result(self, result: CohortsResult | None, show_revenue: bool) -> None:
        self.beginResetModel()
        self.result, self.show_revenue = result, show_revenue
        values = [v for row in self._table() for v in row[1:] if v is not None]  # period 0 would dwarf the rest
        self._peak = max(values, default=0.0) or 1.0
        self.endResetModel()

    def _table(self) -> list[list[float | None]]:
        if self.result is None:
            return []
        return self.result.revenue if self.show_revenue else self.result.retention

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.result is None else len(self.result.cohorts)

    def header_text(self, section: int) -> str:
        currency = self.result.currency if self.result else ""
        if section == self.SIZE:
            return t("ui.trends.col_cohort_size")
        if section == self.TOTAL:
            return t("ui.trends.col_cohort_sales", currency=currency)
        n = section - 2
        return t("ui.trends.col_first") if n == 0 else t("ui.trends.col_after", n=n)

    def header_tooltip(self, section: int) -> str:
        if section < 2:
            return ""
        key = "ui.trends.col_after_tip_q" if self.result and self.result.period == "Q" else "ui.trends.col_after_tip"
        return t(key, n=section - 2)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            if self.result is None or section >= len(self.result.cohorts):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return period_text(self.result.period, *self.result.cohorts[section])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().headerData(section, orientation, role)

    def value(self, row: int, column: int) -> float | None:
        return self._table()[row][column - 2]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.result is None:
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == self.SIZE:
            return f"{self.result.sizes[row]:,}" if role == Qt.ItemDataRole.DisplayRole else None
        if column == self.TOTAL:
            return fmt_number(self.result.totals[row]) if role == Qt.ItemDataRole.DisplayRole else None
        value = self.value(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""  # a period the cohort has not lived through: unknown, not 0 %
            return fmt_number(value) if self.show_revenue else fmt_share(value, 0)
        if value is None:
            return None
        strength = 0.0 if column == 2 else min(1.0, (value / self._peak) ** 0.5)
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == 2:
                return QColor("#f1f5f9")  # the first period is the cohort itself (100 %)
            colour = QColor(ACCENT)
            colour.setAlphaF(0.05 + 0.75 * strength)
            return colour
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#ffffff") if strength > 0.6 else QColor("#6b7280" if column == 2 else "#111827")
        if role == Qt.ItemDataRole.ToolTipRole:
            cohort = period_text(self.result.period, *self.result.cohorts[row])
            key = "ui.trends.cell_tip_q" if self.result.period == "Q" else "ui.trends.cell_tip"
            active = round((self.result.retention[row][column - 2] or 0) * self.result.sizes[row])
            sales = self.result.revenue[row][column - 2]
            return t(key, cohort=cohort, n=column - 2, customers=f"{active:,}", size=f"{self.result.sizes[row]:,}",
                     share=fmt_share(self.result.retention[row][column - 2]),
                     sales=NO_VALUE if sales is None else f"{sales:,.2f}", currency=self.result.currency)
        return None

    def refresh_texts(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, self.rowCount() - 1)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(self.columnCount() - 1, 0))


class MoversModel(SortedModel):
    headers = ("ui.trends.col_customer", "ui.trends.col_from", "ui.trends.col_to", "ui.trends.col_orders",
               "ui.trends.col_net_sales", "ui.trends.col_last_order")
    right_aligned = frozenset({3, 4})

    def __init__(self):
        super().__init__()
        self.movers: Movers | None = None
        self.labels: dict = {}
        self.currency = ""
        self._ranks: dict[str, np.ndarray] = {}

    def set_movers(self, movers: Movers | None, labels: dict, currency: str, order: dict[str, int]) -> None:
        self.movers, self.labels, self.currency = movers, labels, currency
        if movers is not None:
            self._ranks = {"key": text_rank(movers.keys),
                           "before": np.array([order.get(s, -1) for s in movers.before], dtype=float),
                           "after": np.array([order.get(s, -1) for s in movers.after], dtype=float)}
        self.reset(0 if movers is None else len(movers.keys))

    def header_text(self, section: int) -> str:
        return t(self.headers[section], currency=self.currency)

    def text(self, entry: int, column: int) -> str:
        m = self.movers
        if column == 0:
            return str(m.keys[entry])
        if column == 1:
            return segment_label(self.labels, m.before[entry])
        if column == 2:
            return segment_label(self.labels, m.after[entry])
        if column == 3:
            return f"{int(m.orders[entry]):,}"
        if column == 4:
            return f"{float(m.monetary[entry]):,.2f}"
        return str(m.last_order[entry])

    def tooltip(self, entry: int, column: int) -> str:
        if column == 0 and self.movers.names[entry]:
            return f"{self.movers.keys[entry]}\n{self.movers.names[entry]}"
        return ""

    def sort_key(self, column: int) -> np.ndarray:
        m = self.movers
        return (self._ranks["key"], self._ranks["before"], self._ranks["after"], m.orders, m.monetary,
                m.last_key)[column]


class LifetimeModel(SortedModel):
    headers = ("ui.trends.col_win_back", "ui.trends.col_customer", "ui.trends.col_segment", "ui.trends.col_orders",
               "ui.trends.col_net_sales", "ui.trends.col_last_order", "ui.trends.col_p_alive",
               "ui.trends.col_purchases", "ui.trends.col_value")
    right_aligned = frozenset({0, 3, 4, 6, 7, 8})
    WIN_BACK, P_ALIVE, VALUE = 0, 6, 8

    def __init__(self):
        super().__init__()
        self.result: LifetimeResult | None = None
        self.names: list[str] = []

    def set_result(self, result: LifetimeResult) -> None:
        self.result = result
        self.update_names()
        self.reset(len(result.keys))

    def update_names(self) -> None:
        if self.result is not None:
            self.names = [segment_label(self.result.labels, s) for s in self.result.order]

    def header_text(self, section: int) -> str:
        r = self.result
        return t(self.headers[section], currency=r.currency if r else "", weeks=r.weeks if r else "")

    def header_tooltip(self, section: int) -> str:
        tips = {self.WIN_BACK: "ui.trends.col_win_back_tip", self.P_ALIVE: "ui.trends.col_p_alive_tip",
                7: "ui.trends.col_purchases_tip", self.VALUE: "ui.trends.col_value_tip"}
        return t(tips[section], weeks=self.result.weeks if self.result else "") if section in tips else ""

    def text(self, entry: int, column: int) -> str:
        r = self.result
        if column == 0:
            rank = r.win_back[entry]
            return NO_VALUE if rank != rank else f"{int(rank):,}"
        if column == 1:
            return str(r.keys[entry])
        if column == 2:
            code = int(r.segment[entry])
            return self.names[code] if 0 <= code < len(self.names) else NO_VALUE
        if column == 3:
            return f"{int(r.orders[entry]):,}"
        if column == 4:
            return f"{float(r.monetary[entry]):,.2f}"
        if column == 5:
            return str(r.last_order[entry])
        if column == 6:
            return fmt_share(float(r.p_alive[entry]), 0)
        value = float((r.purchases, r.value)[column - 7][entry])
        if value != value:
            return NO_VALUE
        return f"{value:,.1f}" if column == 7 else f"{value:,.2f}"

    def tooltip(self, entry: int, column: int) -> str:
        r = self.result
        if column == 1 and r.names[entry]:
            return f"{r.keys[entry]}\n{r.names[entry]}"
        return ""

    def sort_key(self, column: int) -> np.ndarray:
        r = self.result
        return (r.win_back, r.key_rank, r.segment, r.orders, r.monetary, r.last_key, r.p_alive, r.purchases,
                r.value)[column]


# Widgets ------------------------------------------------------------------------------------------
def _combo(*data: object) -> QComboBox:
    combo = QComboBox()
    for value in data:
        combo.addItem("", value)
    return combo


def _controls(*parts: QWidget, stretch: bool = True) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(8)
    for part in parts:
        row.addWidget(part)
        if isinstance(part, (QComboBox, QDateEdit)):
            row.addSpacing(10)
    if stretch:
        row.addStretch(1)
    return row


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumWidth(130)
    return edit


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


# The page's own look: flat tabs and date boxes like the other inputs (ui.theme styles neither).
STYLE = f"""
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ background: transparent; border: none; border-bottom: 2px solid transparent; color: #4b5563;
                padding: 6px 14px; margin-right: 4px; font-size: 13px; }}
QTabBar::tab:selected {{ color: #1e3a8a; border-bottom-color: {ACCENT}; font-weight: 600; }}
QTabBar::tab:hover:!selected {{ color: #111827; border-bottom-color: #c7d2fe; }}
QTabBar#moversBar::tab {{ font-size: 12px; padding: 4px 10px; }}
QDateEdit {{ padding: 4px 8px; border: 1px solid #cfd4dc; border-radius: 6px; background: #ffffff; min-height: 20px; }}
QDateEdit:focus {{ border-color: {ACCENT}; }}
QDateEdit::drop-down {{ border: none; width: 24px; }}
QDateEdit::down-arrow {{ image: url("{CHEVRON}"); width: 12px; height: 12px; }}
QTableView#cohortTable::item {{ padding: 2px 6px; }}
"""


class Section(QWidget):
    """One tab: its controls, an empty-state text until its first result, then its content."""

    key = ""

    def __init__(self, page: "TrendsPage"):
        super().__init__()
        self.page = page
        self.result: Any = None
        self.error: BaseException | None = None
        self.stale = True  # its inputs changed since its result was made
        self.empty = text_label("emptyText", wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.problem = text_label("infoBanner", wrap=True)  # a failed re-run, above the result it kept
        self.problem.hide()
        self.stopped = False  # the first run was cancelled: nothing to show yet

    def assemble(self, controls: QHBoxLayout) -> None:
        """The tab's layout: its controls, a failed re-run's message, then the stack."""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 10, 0, 0)
        outer.setSpacing(8)
        outer.addLayout(controls)
        outer.addWidget(self.problem)
        outer.addWidget(self.stack, 1)

    def job(self) -> tuple[Callable, tuple] | None:
        """The function and arguments of a run with the current controls (None: nothing to run)."""
        raise NotImplementedError

    def running_text(self) -> str:
        return t(f"ui.trends.running_{self.key}")

    def started(self) -> None:
        """A run of the tab begins: what is on screen stays; a message of the last one goes."""
        self.stale, self.stopped, self.error = False, False, None
        self.problem.hide()
        if self.result is None:
            self.empty.setText(self.state_text())

    def succeeded(self, result: Any) -> None:
        self.result, self.error = result, None
        self.show_result()

    def failed(self, error: BaseException) -> None:
        self.error = error
        self.restore_controls()
        self.render()

    def cancelled(self) -> None:
        self.restore_controls()
        if self.result is None:  # nothing on screen: showing the tab again runs it
            self.stale = self.stopped = True
        self.render()

    def restore_controls(self) -> None:
        """After a cancel or a failure the controls show what is on screen again."""

    def show_result(self) -> None:
        self.render()

    def state_text(self) -> str:
        if self.page.book is None:
            return t("ui.trends.no_data")
        if self.error is not None:
            return error_text("ui.trends.failed", self.error)
        return t("ui.trends.stopped") if self.stopped else t("ui.trends.waiting")

    def render(self) -> None:
        self.stack.setCurrentIndex(1 if self.result is not None else 0)
        self.empty.setText("" if self.result is not None else self.state_text())
        failed_again = self.error is not None and self.result is not None
        self.problem.setText(f"ⓘ {error_text('ui.trends.failed', self.error)}" if failed_again else "")
        self.problem.setVisible(failed_again)

    def retranslate(self) -> None:
        self.render()


class CohortsSection(Section):
    key = "cohorts"

    def __init__(self, page):
        super().__init__(page)
        self.period_label, self.show_label = text_label("fieldLabel"), text_label("fieldLabel")
        self.period_combo = _combo(*PERIODS)
        self.period_combo.currentIndexChanged.connect(lambda _i: self._period_chosen())
        self.auto_period = True  # months or quarters by the book's span, until the seller chooses
        self.show_combo = _combo("retention", "revenue")
        self.show_combo.currentIndexChanged.connect(lambda _i: self.show_result())
        self.caption = text_label("headline", wrap=True)
        self.hint = text_label("cutsCaption", wrap=True)
        self.model = CohortModel()
        self.table = QTableView()
        self.table.setObjectName("cohortTable")
        self.table.setModel(self.model)
        tidy_table(self.table, row_height=26)
        self.table.verticalHeader().setVisible(True)  # the cohort names stay put when the table scrolls sideways
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setMinimumSectionSize(40)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.caption)
        layout.addWidget(panel(self.hint, self.table, stretch_last=True), 1)
        self.stack.addWidget(content)
        self.assemble(_controls(self.period_label, self.period_combo, self.show_label, self.show_combo))

    def _period_chosen(self) -> None:
        self.auto_period = False
        self.page.request(self)

    def job(self):
        return run_cohorts, (self.page.book, self.page.currency(),
                             None if self.auto_period else self.period_combo.currentData())

    def restore_controls(self) -> None:
        if self.result is not None:
            select_data(self.period_combo, self.result.period)

    def show_result(self) -> None:
        self.restore_controls()  # the grouping may have been chosen by the book's span
        self.model.set_result(self.result, self.show_combo.currentData() == "revenue")
        self.render()  # also sizes the columns

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        metrics = header.fontMetrics()
        for column in range(self.model.columnCount()):
            text = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            self.table.setColumnWidth(column, max(metrics.horizontalAdvance(text) + 22,
                                                  self.table.sizeHintForColumn(column) + 4, 48))

    def caption_text(self) -> str:
        r = self.result
        quarter = r.period == "Q"
        known = [i for i, row in enumerate(r.retention) if len(row) > 1 and row[1] is not None and r.sizes[i]]
        if not known:
            return t("ui.trends.cohorts_too_young_q" if quarter else "ui.trends.cohorts_too_young")
        latest = known[-1]
        came_back = sum(r.retention[i][1] * r.sizes[i] for i in known)
        average = came_back / sum(r.sizes[i] for i in known)
        return t("ui.trends.cohort_caption_q" if quarter else "ui.trends.cohort_caption",
                 customers=f"{r.sizes[latest]:,}", cohort=period_text(r.period, *r.cohorts[latest]),
                 share=fmt_share(r.retention[latest][1], 0), average=fmt_share(average, 0))

    def render(self) -> None:
        super().render()
        if self.result is None:
            return
        self.caption.setText(self.caption_text())
        revenue = self.show_combo.currentData() == "revenue"
        quarter = self.result.period == "Q"
        self.hint.setText(t("ui.trends.cohort_hint_revenue" if revenue else "ui.trends.cohort_hint",
                            unit=t("ui.trends.unit_quarter" if quarter else "ui.trends.unit_month"),
                            currency=self.result.currency))
        self.model.refresh_texts()
        self._size_columns()

    def retranslate(self) -> None:
        self.period_label.setText(t("ui.trends.group_by"))
        self.period_combo.setItemText(0, t("ui.trends.by_month"))
        self.period_combo.setItemText(1, t("ui.trends.by_quarter"))
        self.show_label.setText(t("ui.trends.show"))
        self.show_combo.setItemText(0, t("ui.trends.show_retention"))
        self.show_combo.setItemText(1, t("ui.trends.show_revenue"))
        self.render()


class MigrationSection(Section):
    key = "migration"

    def __init__(self, page):
        super().__init__(page)
        self.dates: tuple[dt.date, dt.date] | None = None  # (earlier, later) chosen; None: the defaults
        self.from_label, self.to_label = text_label("fieldLabel"), text_label("fieldLabel")
        self.from_edit, self.to_edit = _date_edit(), _date_edit()
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("linkButton")
        self.reset_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.reset_button.clicked.connect(self.reset_dates)
        self.date_problem = text_label("cutsCaption")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._dates_settled)
        for edit in (self.from_edit, self.to_edit):
            edit.setEnabled(False)  # until the first result gives the data's dates
            edit.dateChanged.connect(lambda _d: self._timer.start())
        self.summary = text_label("headline", wrap=True)
        self.matrix_title = text_label("sectionTitle")
        self.matrix_hint = text_label("cutsCaption", wrap=True)
        self.matrix = MigrationMatrix()
        self.movers_title = text_label("sectionTitle")
        self.movers_bar = QTabBar()
        self.movers_bar.setObjectName("moversBar")
        self.movers_bar.setDrawBase(False)
        self.movers_bar.setExpanding(False)
        for _kind in MOVER_KINDS:
            self.movers_bar.addTab("")
        self.movers_bar.currentChanged.connect(lambda _i: self._show_movers())
        self.movers_hint = text_label("cutsCaption", wrap=True)
        self.movers_model = MoversModel()
        self.movers_table = _table_view(self.movers_model)
        self.movers_table.horizontalHeader().setStretchLastSection(True)
        self.movers_table.setMinimumHeight(260)
        body = QWidget()
        body.setObjectName("page")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 4, 4)
        layout.setSpacing(10)
        layout.addWidget(self.summary)
        layout.addWidget(panel(self.matrix_title, self.matrix_hint, self.matrix))
        layout.addWidget(panel(self.movers_title, self.movers_bar, self.movers_hint, self.movers_table,
                               stretch_last=True), 1)
        self.stack.addWidget(page_scroll(body))
        self.assemble(_controls(self.from_label, self.from_edit, self.to_label, self.to_edit, self.reset_button,
                                  self.date_problem))

    def job(self):
        if self.dates is not None and self.dates[0] >= self.dates[1]:
            return None
        earlier, later = self.dates if self.dates is not None else (None, None)
        return run_migration, (self.page.book, self.page.map_id(), self.page.currency(), later, earlier)

    def set_dates(self, earlier: dt.date, later: dt.date) -> None:
        """Compare `earlier` with `later` (what typing them does, without the wait)."""
        for edit, day in ((self.from_edit, earlier), (self.to_edit, later)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)
        self._timer.stop()
        self._dates_settled()

    def reset_dates(self) -> None:
        self.dates = None
        self.date_problem.clear()
        self.page.request(self)

    def _dates_settled(self) -> None:
        earlier, later = _pydate(self.from_edit.date()), _pydate(self.to_edit.date())
        if self.result is not None and (earlier, later) == (self.result.earlier, self.result.later):
            self.date_problem.clear()
            return
        self.dates = (earlier, later)
        if earlier >= later:
            self.date_problem.setText(t("ui.trends.dates_order"))
            return
        self.date_problem.clear()
        self.page.request(self)

    def _show_dates(self) -> None:
        r = self.result
        for edit, day in ((self.from_edit, r.earlier), (self.to_edit, r.later)):
            edit.blockSignals(True)
            edit.setDateRange(_qdate(r.first_day), _qdate(max(r.last_day, r.later)))
            edit.setDate(_qdate(day))
            edit.setEnabled(True)
            edit.blockSignals(False)

    def restore_controls(self) -> None:
        if self.result is not None:
            self._timer.stop()
            self._show_dates()
            self.dates = (self.result.earlier, self.result.later)

    def show_result(self) -> None:
        self._show_dates()
        self.date_problem.clear()
        self.render()

    def _order(self) -> dict[str, int]:
        order = {NOT_YET: -1}
        order.update({s: i for i, s in enumerate(self.result.rows[1:])})
        order.update({s: i for i, s in enumerate(self.result.columns)})
        return order

    def _show_movers(self) -> None:
        if self.result is None:
            return
        kind = MOVER_KINDS[max(self.movers_bar.currentIndex(), 0)]
        self.movers_model.set_movers(self.result.movers[kind], self.result.labels, self.result.currency, self._order())
        self.movers_table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # the most valuable first
        self.movers_hint.setText(t(f"ui.trends.movers_{kind}_hint", worst=segment_label(self.result.labels,
                                                                                         self.result.columns[-1])))
        fit_columns(self.movers_table, first_cap=260)

    def render(self) -> None:
        super().render()
        r = self.result
        self.reset_button.setEnabled(self.dates is not None)
        if r is None:
            return
        counts = {kind: len(r.movers[kind].keys) for kind in MOVER_KINDS}
        earlier, later = r.earlier.isoformat(), r.later.isoformat()
        self.summary.setText("\n".join([t("ui.trends.migration_summary", earlier=earlier, later=later,
                                             customers=f"{r.customers:,}", **{k: f"{v:,}" for k, v in counts.items()},
                                             worst=segment_label(r.labels, r.columns[-1])),
                                           *(f"ⓘ {map_note(note)}" for note in r.map_notes)]))
        self.matrix_title.setText(t("ui.trends.matrix_title", map=map_name(r.map_id)))
        self.page.show_map_used(r.map_id)
        self.matrix_hint.setText(t("ui.trends.matrix_hint", earlier=earlier, later=later, currency=r.currency))
        rows = [segment_label(r.labels, s) for s in r.rows]
        columns = [segment_label(r.labels, s) for s in r.columns]
        texts = [[f"{count:,}\n{fmt_number(value)}" if count else "" for count, value in zip(cr, mr)]
                 for cr, mr in zip(r.counts, r.money)]
        tips = [[t("ui.trends.matrix_tip", before=rows[i], after=columns[j], customers=f"{r.counts[i][j]:,}",
                   sales=f"{r.money[i][j]:,.2f}", currency=r.currency) for j in range(len(columns))]
                for i in range(len(rows))]
        self.matrix.set_data(MigrationData(rows, columns, r.counts, texts, r.direction, tips,
                                           corner=t("ui.trends.matrix_corner")))
        self.movers_title.setText(t("ui.trends.movers_title"))
        for i, kind in enumerate(MOVER_KINDS):
            self.movers_bar.setTabText(i, t(f"ui.trends.movers_{kind}", count=f"{counts[kind]:,}"))
        self._show_movers()

    def retranslate(self) -> None:
        self.from_label.setText(t("ui.trends.from"))
        self.to_label.setText(t("ui.trends.to"))
        self.reset_button.setText(t("ui.trends.reset_dates", days=DAYS_BEFORE))
        if self.date_problem.text():
            self.date_problem.setText(t("ui.trends.dates_order"))
        self.render()


class LifetimeSection(Section):
    key = "lifetime"
    ORDERS = ("win_back", "value", "risk")

    def __init__(self, page):
        super().__init__(page)
        self.horizon_label, self.order_label = text_label("fieldLabel"), text_label("fieldLabel")
        self.horizon_combo = _combo(*HORIZON_WEEKS)
        self.horizon_combo.setCurrentIndex(HORIZON_WEEKS.index(26))
        self.horizon_combo.currentIndexChanged.connect(lambda _i: page.request(self))
        self.order_combo = _combo(*self.ORDERS)
        self.order_combo.currentIndexChanged.connect(lambda _i: self.apply_order())
        self.summary = text_label("headline", wrap=True)
        self.notes = text_label("infoBanner", wrap=True)
        self.title = text_label("sectionTitle")
        self.hint = text_label("cutsCaption", wrap=True)
        self.model = LifetimeModel()
        self.table = _table_view(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addWidget(panel(self.title, self.hint, self.table, stretch_last=True), 1)
        self.stack.addWidget(content)
        self.assemble(_controls(self.horizon_label, self.horizon_combo, self.order_label, self.order_combo))

    def job(self):
        return run_lifetime, (self.page.book, self.page.map_id(), self.page.currency(), self.horizon_combo.currentData())

    def restore_controls(self) -> None:
        if self.result is not None:
            select_data(self.horizon_combo, self.result.weeks)

    def show_result(self) -> None:
        self.model.set_result(self.result)
        self.render()
        self.apply_order()

    def apply_order(self) -> None:
        """Win back first (the win-back rank), the highest expected value, or the least likely still active."""
        if self.result is None:
            return
        column, order = {"win_back": (LifetimeModel.WIN_BACK, Qt.SortOrder.AscendingOrder),
                         "value": (LifetimeModel.VALUE, Qt.SortOrder.DescendingOrder),
                         "risk": (LifetimeModel.P_ALIVE, Qt.SortOrder.AscendingOrder)}[self.order_combo.currentData()]
        self.table.sortByColumn(column, order)
        self.table.scrollToTop()

    def render(self) -> None:
        super().render()
        r = self.result
        if r is None:
            return
        total = float(np.nansum(r.value))
        purchases = float(np.nansum(r.purchases))
        gone = int(np.sum(r.p_alive < r.winnable))
        win_back = int(np.sum(~np.isnan(r.win_back)))
        if r.trusted:
            text = t("ui.trends.lifetime_summary", weeks=r.weeks, customers=f"{len(r.keys):,}",
                     purchases=f"{purchases:,.0f}", value=f"{total:,.0f}", currency=r.currency,
                     gone=f"{gone:,}", share=fmt_share(gone / len(r.keys) if len(r.keys) else 0, 0),
                     limit=fmt_share(r.winnable, 0),
                     win_back=f"{win_back:,}")
        else:
            text = t("ui.trends.lifetime_summary_simple", weeks=r.weeks, customers=f"{len(r.keys):,}",
                     purchases=f"{purchases:,.0f}", value=f"{total:,.0f}", currency=r.currency)
        self.summary.setText(text)
        lines = [map_note(note) for note in r.map_notes] + [t(key, **params) for key, params in r.notes]
        self.notes.setText("\n".join(f"ⓘ {line}" for line in lines))
        self.notes.setVisible(bool(lines))
        self.title.setText(t("ui.trends.lifetime_title", weeks=r.weeks, map=map_name(r.map_id), date=r.end.isoformat()))
        self.page.show_map_used(r.map_id)
        self.hint.setText(t("ui.trends.lifetime_hint"))
        self.model.update_names()
        self.model.refresh_texts()
        fit_columns(self.table, first_cap=110, first_min=60)
        self.table.setColumnWidth(1, min(self.table.columnWidth(1), 250))  # long e-mail addresses elide

    def retranslate(self) -> None:
        self.horizon_label.setText(t("ui.trends.horizon"))
        for i, weeks in enumerate(HORIZON_WEEKS):
            self.horizon_combo.setItemText(i, t("ui.trends.weeks", weeks=weeks))
        self.order_label.setText(t("ui.trends.order"))
        for i, key in enumerate(self.ORDERS):
            self.order_combo.setItemText(i, t(f"ui.trends.order_{key}"))
        self.render()


class ForecastSection(Section):
    key = "forecast"

    def __init__(self, page):
        super().__init__(page)
        self.series_label, self.measure_label, self.horizon_label = (text_label("fieldLabel") for _ in range(3))
        self.series_combo = QComboBox()
        self.series_combo.setMinimumWidth(160)
        self.series_combo.currentIndexChanged.connect(lambda _i: self.render())
        self.measure_combo = _combo(*MEASURES)
        self.measure_combo.currentIndexChanged.connect(lambda _i: page.request(self))
        self.horizon_combo = _combo(*FORECAST_MONTHS)
        self.horizon_combo.setCurrentIndex(FORECAST_MONTHS.index(6))
        self.horizon_combo.currentIndexChanged.connect(lambda _i: page.request(self))
        self.title = text_label("sectionTitle")
        self.chart = ForecastChart()
        self.verdict = text_label("headline", wrap=True)
        self.method = text_label("cutsCaption", wrap=True)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(panel(self.title, self.chart, stretch_last=True), 1)
        layout.addWidget(self.verdict)
        layout.addWidget(self.method)
        self.stack.addWidget(content)
        self.assemble(_controls(self.series_label, self.series_combo, self.measure_label, self.measure_combo,
                                  self.horizon_label, self.horizon_combo))

    def job(self):
        return run_forecast, (self.page.book, self.page.currency(), self.measure_combo.currentData(),
                              self.horizon_combo.currentData())

    def restore_controls(self) -> None:
        if self.result is not None:
            select_data(self.measure_combo, self.result.measure)
            select_data(self.horizon_combo, self.result.horizon)

    def show_result(self) -> None:
        chosen = self.series_combo.currentData()
        self.series_combo.blockSignals(True)
        self.series_combo.clear()
        for series in self.result.series:
            self.series_combo.addItem(self.series_name(series.name), series.name)
        index = self.series_combo.findData(chosen)
        self.series_combo.setCurrentIndex(max(index, 0))
        self.series_combo.blockSignals(False)
        self.render()

    @staticmethod
    def series_name(name: str) -> str:
        if name == "all":
            return t("ui.trends.whole_shop")
        return t("ui.trends.unknown_category") if name in ("?", "") else name

    def set_series(self, name: str) -> None:
        self.series_combo.setCurrentIndex(self.series_combo.findData(name))

    def current(self) -> SeriesForecast | None:
        if self.result is None or not self.result.series:
            return None
        name = self.series_combo.currentData()
        return next((s for s in self.result.series if s.name == name), self.result.series[0])

    def render(self) -> None:
        super().render()
        r = self.result
        if r is None:
            return
        for i in range(self.series_combo.count()):
            self.series_combo.setItemText(i, self.series_name(self.series_combo.itemData(i)))
        series = self.current()
        units = r.measure == "units"
        if series is None:
            self.title.setText(t("ui.trends.forecast_title_none"))
            self.chart.set_data(ForecastChartData([], [], empty_text=t("ui.trends.no_series")))
            self.verdict.setText(t("ui.trends.no_series"))
            self.method.clear()
            return
        what = t("ui.trends.measure_units") if units else t("ui.trends.measure_sales", currency=r.currency)
        name = self.series_name(series.name)
        self.title.setText(t("ui.trends.forecast_title", series=name, what=what))
        labels = [period_text("M", *m) for m in series.months + series.future]
        fmt = (lambda v: f"{v:,.0f}") if units else (lambda v: f"{v:,.2f}")
        tips = [t("ui.trends.point_tip", month=labels[i], value=fmt(v)) for i, v in enumerate(series.history)]
        # The naive forecast repeats the same month a year before, or the last month with less than a year.
        baseline = "baseline" if len(series.history) >= 12 else "baseline_last"
        for i, month in enumerate(series.future):
            parts = [t(f"ui.trends.point_{baseline}", value=fmt(series.baseline[i]))]
            if series.mean:
                parts.insert(0, t("ui.trends.point_forecast", value=fmt(series.mean[i]), lower=fmt(series.lower[i]),
                                  upper=fmt(series.upper[i])))
            tips.append("\n".join([labels[len(series.months) + i], *parts]))
        self.chart.set_data(ForecastChartData(
            labels=labels, history=series.history, mean=series.mean, lower=series.lower, upper=series.upper,
            baseline=series.baseline, tips=tips,
            legend={"history": t("ui.trends.legend_history"), "forecast": t("ui.trends.legend_forecast"),
                    "interval": t("ui.trends.legend_interval"), "baseline": t(f"ui.trends.legend_{baseline}")}))
        self.verdict.setText(self.verdict_text(series))
        self.method.setText(t(f"ui.trends.method_{series.method}"))

    def verdict_text(self, series: SeriesForecast) -> str:
        """The back-test in words, or why there is no forecast."""
        if series.method == "trend":
            note = next((p for key, p in series.notes if key == "trends.too_little_history"), {})
            slope = note.get("slope", 0.0)
            return t("ui.trends.too_little_history", months=len(series.history), needed=note.get("needed", 12),
                     slope=f"{slope:+,.0f}" if abs(slope) >= 10 else f"{slope:+,.2f}")
        test = series.backtest
        model, base = test.get("model_mape"), test.get("baseline_mape")
        if not test or model is None or base is None:
            return t("ui.trends.backtest_none")
        key = ("ui.trends.backtest_better" if model < base * 0.95 else
               "ui.trends.backtest_worse" if model > base * 1.05 else "ui.trends.backtest_same")
        return t(key, months=test.get("months", len(series.future)), model=fmt_share(model, 0), baseline=fmt_share(base, 0))

    def retranslate(self) -> None:
        self.series_label.setText(t("ui.trends.series"))
        self.measure_label.setText(t("ui.trends.measure"))
        self.measure_combo.setItemText(0, t("ui.trends.measure_net_sales"))
        self.measure_combo.setItemText(1, t("ui.trends.measure_units_option"))
        self.horizon_label.setText(t("ui.trends.months_ahead"))
        for i, months in enumerate(FORECAST_MONTHS):
            self.horizon_combo.setItemText(i, t("ui.trends.months", months=months))
        self.render()


class TrendsPage(QWidget):
    """Over time: a tab each for cohorts, segment migration, lifetime value and the demand
    forecast, under one header with the segment map, the currency and the busy line."""

    run_finished = Signal(str, str)  # outcome ("success", "failure", "cancelled"; never "stale"), section key

    def __init__(self):
        super().__init__()
        self.book: Any = None
        self._jobs: dict[str, Job] = {}
        self._latest: str | None = None  # the section whose progress the busy line shows
        self.setStyleSheet(STYLE)
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.title = text_label("pageTitle")
        self.map_label, self.currency_label = text_label("fieldLabel"), text_label("fieldLabel")
        self.map_combo, self.currency_combo, self.busy = run_controls(self._controls_changed, self.cancel)
        self._chosen: tuple[str | None, str | None] = (None, None)  # (map, currency) the tabs ran with
        self._wanted_currency: str | None = None  # restored with the files' settings (ui.settings)
        self.map_combo.blockSignals(True)
        for i in reversed(range(self.map_combo.count())):
            if self.map_combo.itemData(i) not in MIGRATION_MAPS:
                self.map_combo.removeItem(i)
        self.map_combo.blockSignals(False)
        header = page_header(self.title, (self.map_label, self.map_combo), (self.currency_label, self.currency_combo),
                             right=self.busy)
        self.cohorts = CohortsSection(self)
        self.migration = MigrationSection(self)
        self.lifetime = LifetimeSection(self)
        self.forecast = ForecastSection(self)
        self.sections: dict[str, Section] = {s.key: s for s in (self.cohorts, self.migration, self.lifetime,
                                                                 self.forecast)}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for key in SECTIONS:
            self.tabs.addTab(self.sections[key], "")
        self.tabs.currentChanged.connect(lambda _i: self._run_current())
        self.empty, self.content = page_scaffold(self, header, shown=self.tabs)
        self._show_state()

    # Input ------------------------------------------------------------------------------------
    def set_book(self, book: Any) -> None:
        """A new import: the shown tab runs now if the page is on screen, the others when shown."""
        for job in self._jobs.values():
            job.cancel()  # their results belong to the previous book
        self.book = book
        for section in self.sections.values():
            section.result, section.error, section.stale = None, None, True
        self.migration.dates = None
        for edit in (self.migration.from_edit, self.migration.to_edit):
            edit.setEnabled(False)  # until the new book's first result gives its dates
        fill_currencies(self.currency_combo, self.currency_label, [], None)
        self._chosen = (self.map_id(), self.currency())
        self._show_state()
        for section in self.sections.values():
            section.render()
        self._run_current()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._run_current()

    def map_id(self) -> str:
        return self.map_combo.currentData()

    def currency(self) -> str | None:
        # Until a result lists the book's currencies, the one chosen when these files were last open.
        return (self.currency_combo.currentData() if self.currency_combo.count() > 1
                else self._wanted_currency)

    def _controls(self) -> dict[str, tuple[QComboBox, tuple]]:
        """The choices kept per set of files: setting name -> (combo, the values it may hold)."""
        return {"map": (self.map_combo, tuple(MIGRATION_MAPS)),
                "period": (self.cohorts.period_combo, PERIODS),
                "show": (self.cohorts.show_combo, ("retention", "revenue")),
                "horizon": (self.lifetime.horizon_combo, HORIZON_WEEKS),
                "order": (self.lifetime.order_combo, LifetimeSection.ORDERS),
                "measure": (self.forecast.measure_combo, MEASURES),
                "months": (self.forecast.horizon_combo, FORECAST_MONTHS)}

    def saved_settings(self) -> dict:
        """What re-opening the same files brings back (see ui.settings): the tab, the map, the
        currency and each tab's choices."""
        out = {key: combo.currentData() for key, (combo, _values) in self._controls().items()}
        return {**out, "currency": self.currency(), "tab": SECTIONS[self.tabs.currentIndex()]}

    def restore_settings(self, saved: dict, currencies=None) -> None:
        """Put saved choices in the controls without running (the next book runs with them); a
        saved currency counts only when it is among `currencies` (the book's)."""
        for key, (combo, values) in self._controls().items():
            if saved.get(key) in values:
                select_data(combo, saved[key])
        self.cohorts.auto_period = saved.get("period") not in PERIODS  # these files' choice, else by their span
        currency = saved.get("currency")
        self._wanted_currency = currency if isinstance(currency, str) and currency in (currencies or ()) else None
        if saved.get("tab") in SECTIONS:
            self.tabs.blockSignals(True)  # the tab of the next book, not a run of this one
            self.tabs.setCurrentIndex(SECTIONS.index(saved["tab"]))
            self.tabs.blockSignals(False)

    def set_map(self, map_id: str) -> None:
        self.map_combo.setCurrentIndex(self.map_combo.findData(map_id))

    _map_used: str | None = None  # the map the tabs with segments show (a small shop: a smaller one)

    def show_map_used(self, map_id: str) -> None:
        """A tab shows segments of `map_id`: the map combo says so when it is not the one chosen."""
        self._map_used = map_id
        label_map_combo(self.map_combo, map_id)

    def show_section(self, key: str) -> None:
        self.tabs.setCurrentIndex(SECTIONS.index(key))

    def _controls_changed(self, *_args) -> None:
        """A new map makes the tabs with segments stale; a new currency every tab."""
        chosen = (self.map_id(), self.currency())
        if chosen[1] != self._chosen[1]:
            stale = self.sections.values()
        elif chosen[0] != self._chosen[0]:
            stale = (self.migration, self.lifetime)
        else:
            return
        self._chosen = chosen
        for section in stale:
            section.stale = True
        self._run_current()

    def request(self, section: Section) -> None:
        """`section`'s inputs changed: run it now if it is on screen, else when it is shown."""
        section.stale = True
        if section is self.tabs.currentWidget():
            self._run_current()

    def _run_current(self) -> None:
        section = self.tabs.currentWidget()
        if self.book is not None and self.isVisible() and section.stale:
            self.run(section)

    # Runs -------------------------------------------------------------------------------------
    def run(self, section: Section) -> Job | None:
        """Run `section` with its current controls; its run still going is cancelled."""
        if self.book is None:
            return None
        work = section.job()
        if work is None:
            return None
        fn, args = work
        section.started()
        key = section.key
        self._latest = key
        self.busy.start(section.running_text())
        job = (Job(fn, *args)
               .on_progress(lambda fraction, text, key=key: self._progress(key, fraction, text))
               .on_success(lambda result, section=section: self._succeeded(section, result))
               .on_failure(section.failed)
               .on_cancelled(section.cancelled))
        job.finished.connect(lambda outcome, key=key: self._finished(key, outcome))
        self._jobs[key] = job
        return job.start(self, key)

    def _progress(self, key: str, fraction: float, text: str) -> None:
        if key == self._latest:
            self.busy.show_progress(fraction, text)

    def _succeeded(self, section: Section, result: Any) -> None:
        fill_currencies(self.currency_combo, self.currency_label, result.currencies, result.currency)
        self._chosen = (self.map_id(), self.currency())
        section.succeeded(result)

    def _finished(self, key: str, outcome: str) -> None:
        if outcome == "stale":
            return  # a newer run of the section owns its slot
        self._jobs.pop(key, None)
        if self._jobs:
            self._latest = next(reversed(self._jobs))
            self.busy.start(self.sections[self._latest].running_text())
        else:
            self._latest = None
            self.busy.hide()
        self.run_finished.emit(outcome, key)

    def cancel(self) -> None:
        for job in self._jobs.values():
            job.cancel()
        if self._jobs:
            self.busy.cancelling()

    def is_running(self) -> bool:
        return any(job.is_running() for job in self._jobs.values())

    @property
    def error(self) -> BaseException | None:
        """The first tab's failure (None: none failed)."""
        return next((s.error for s in self.sections.values() if s.error is not None), None)

    # Rendering --------------------------------------------------------------------------------
    def _show_state(self) -> None:
        self.content.setCurrentWidget(self.tabs if self.book is not None else self.empty)
        self.empty.setText(t("ui.trends.no_data"))
        for widget in (self.map_label, self.map_combo):
            widget.setEnabled(self.book is not None)

    def retranslate(self) -> None:
        self.title.setText(t("ui.trends.title"))
        self.map_label.setText(t("ui.segments.map"))
        self.map_combo.setToolTip(t("ui.trends.map_tip"))
        label_map_combo(self.map_combo, self._map_used)
        self.currency_label.setText(t("ui.segments.currency"))
        self.busy.cancel_button.setText(t("ui.progress.cancel"))
        if self._latest is not None:
            self.busy.text.setText(self.sections[self._latest].running_text())
        for i, key in enumerate(SECTIONS):
            self.tabs.setTabText(i, t(f"ui.trends.tab_{key}").replace("&", "&&"))  # "&" is no shortcut
        self._show_state()
        for section in self.sections.values():
            section.retranslate()
