"""Targeting: the five steps from the market scope to the target segments, then the recommended
target-market pattern and marketing approach, drawn on the segment × category matrix.

The page owns the one background run of `core.targeting.plan.make_plan` (one Job slot: a newer
run cancels the older one). The run turns the Plan into plain lists, dicts and the core's small
text dataclasses (texts in every language), so the widgets only display, and a language switch
needs no new run. The same result feeds the Personas and Strategy pages through `plan_changed`.
The previous result stays on screen until the next one is ready, and stays when a run is
cancelled or fails.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox, QDoubleSpinBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
    QSpinBox, QTableView, QVBoxLayout, QWidget,
)

from core.i18n import LANGUAGES, language, t
from core.platforms import platform_name
from core.resources import RESOURCES
from ui.charts import Bar, BarChart, MatrixData, MatrixHeatmap
from ui.segments_page import (
    MAPS, NO_VALUE, _table_view, fit_columns, fmt_change, fmt_share, label_map_combo, map_name,
)
from ui.widgets import (
    BackgroundRun, Index, TextTableModel, error_text, fill_currencies, page_header, page_scaffold, page_scroll, panel, run_controls,
    select_data, text_label,
)
from ui.targeting_focus import CategoryMarginsDialog, FocusRow
from ui.worker import Job

HIST_BINS = 6
TOP_BARS = 6
MAX_MATRIX_COLUMNS = 10
DEBOUNCE_MS = 300
PATTERNS_ON_ROWS = {"market_specialization"}


# Pool thread --------------------------------------------------------------------------------------
@dataclass
class TargetingResult:
    """What the three targeting pages show, as plain data; texts are kept for every language."""

    map_id: str
    currency: str
    currencies: list[str]
    analysis_date: str
    order: list[str]
    names: dict[str, dict[str, tuple[str, str]]]  # segment -> lang -> (name, description)
    customers: dict[str, int]  # segment -> customers
    criteria: list[str]
    criteria_names: dict[str, dict[str, str]]  # criterion -> lang -> name
    weights: dict[str, float]
    default_weights: dict[str, float]
    margin: float | None
    scope: dict
    scope_names: dict[str, dict]  # lang -> countries / price levels / amounts as text
    needs: dict[str, list[dict]]  # lang -> one row of formatted needs per segment
    scorecard: list[dict]  # per segment in map order: scores, total, rank, eliminated, target, reasons
    targets: list[str]
    in_depth: list[dict]
    matrix_rows: list[str]
    matrix_columns: list[str]
    matrix_values: list[list[float]]
    matrix_highlight: set[tuple[int, int]]
    pattern: Any  # core.targeting.pattern.Choice: names, descriptions and reasons as (en, zh)
    approach: Any
    personas: dict[str, dict[str, Any]] = field(default_factory=dict)  # lang -> segment -> Persona
    strategies: dict[str, dict[str, Any]] = field(default_factory=dict)  # lang -> segment -> Strategy
    charts: dict[str, dict[str, list]] = field(default_factory=dict)  # target -> chart -> data
    knockouts: dict | None = None  # the knock-out settings the plan was made with (None: the data file's)
    plan: Any = None  # the core Plan, for tests and the report (Print, Save as PDF); never read by widgets
    focus: dict = field(default_factory=dict)  # the seller's focus {categories, markets} ([]: none)
    category_margins: dict | None = None  # category -> margin 0–1 the plan was made with
    segment_options: dict = field(default_factory=dict)  # the Segments page's options it used
    # The one group targeted when the shop is too small to screen or no segment passed
    # (core.targeting.fallback): {"segment", "why": "small"|"knocked_out", "reason": (en, zh)}.
    fallback: dict | None = None
    # Without exchange rates, each other currency's shop planned on its own: {"currency",
    # "customers", "pattern", "approach" (Choice), "targets": lang -> names} (core with_other_shops).
    others: list[dict] = field(default_factory=list)

    def name(self, segment: str) -> str:
        return self.names.get(segment, {}).get(language(), (segment, ""))[0]

    def description(self, segment: str) -> str:
        return self.names.get(segment, {}).get(language(), ("", ""))[1]


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as Python numbers; NaN as None."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if value != value else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def matrix_highlight(pattern_id: str, values: np.ndarray) -> set[tuple[int, int]]:
    """The cells of the segment × category matrix a target-market pattern covers: single segment,
    the top segment's top category; product specialization, the top category's column; market
    specialization, the top segment's row; selective, each target's lead category; full coverage,
    every cell. Rows are target segments, columns categories."""
    if values.size == 0 or not values.sum():
        return set()
    rows, columns = values.shape
    top_row = int(values.sum(axis=1).argmax())
    top_column = int(values.sum(axis=0).argmax())
    if pattern_id == "single_segment":
        return {(top_row, int(values[top_row].argmax()))}
    if pattern_id == "product_specialization":
        return {(r, top_column) for r in range(rows)}
    if pattern_id == "market_specialization":
        return {(top_row, c) for c in range(columns)}
    if pattern_id == "selective_specialization":
        return {(r, int(values[r].argmax())) for r in range(rows) if values[r].sum() > 0}
    if pattern_id == "full_coverage":
        return {(r, c) for r in range(rows) for c in range(columns)}
    return set()


def _histogram(values: np.ndarray, open_top: bool) -> list[dict]:
    """Equal-width bins from 0; with `open_top` the last bin collects everything above the 95th
    percentile (so one big spender does not squash the rest)."""
    values = values[np.isfinite(values)]
    if not len(values):
        return []
    high = float(np.percentile(values, 95)) if open_top else float(values.max())
    high = max(high, 1.0)
    edges = np.linspace(0.0, high, HIST_BINS + 1)
    counts, _ = np.histogram(np.clip(values, 0.0, high), bins=edges)
    return [{"low": float(edges[i]), "high": float(edges[i + 1]), "count": int(counts[i]),
             "open": open_top and i == HIST_BINS - 1 and bool((values > high).any())}
            for i in range(HIST_BINS)]


def _frequency_bins(values: np.ndarray) -> list[dict]:
    values = values.astype(int)
    out = [{"label": str(n), "count": int((values == n).sum())} for n in range(1, 6)]
    out.append({"label": "6+", "count": int((values >= 6).sum())})
    return out


def build_plan(book: Any, map_id: str, weights: dict | None, margin: float | None, currency: str | None,
               progress, knockouts: dict | None = None, focus_categories: list[str] | None = None,
               focus_markets: list[str] | None = None, category_margins: dict | None = None,
               segment_options: dict | None = None) -> TargetingResult:
    """Run the targeting plan and prepare everything the three pages show (on a pool thread).
    `knockouts` changes the knock-out rules: {rule id: {limit: value} or False (off)}; the focus
    lists are the seller's own core categories and markets; `category_margins` ({category: 0–1})
    replaces the overall `margin`; `segment_options` go to `segment` (see ui.segment_options)."""
    from core.jobs import sub
    from core.countries import country_name
    from core.segments import breakdown
    from core.targeting import texts
    from core.targeting.plan import make_plan, needs, with_other_shops
    from core.targeting.screening import rules

    plan = make_plan(book, map_id, weights=weights, margin=category_margins or margin,
                     focus_categories=focus_categories or None, focus_markets=focus_markets or None,
                     currency=currency, knockouts=knockouts, progress=sub(progress, 0.0, 0.8),
                     **(segment_options or {}))
    progress.check_cancelled()
    # Several currencies and no rates: the others are planned too, each as its own shop.
    plan = with_other_shops(plan, book, sub(progress, 0.8, 0.84))
    seg, langs = plan.seg, list(LANGUAGES)
    order = [s for s in seg.order if s in plan.facts.index]
    spec = rules()["criteria"]
    criteria = list(plan.scorecard.weights)
    table = plan.scorecard.table
    scorecard = [{
        "id": sid,
        "scores": {c: _plain(table.loc[sid, f"score_{c}"]) for c in criteria},
        "total": _plain(table.loc[sid, "total"]), "rank": int(table.loc[sid, "rank"]),
        "eliminated": bool(table.loc[sid, "eliminated"]), "target": bool(table.loc[sid, "target"]),
        "reasons": list(plan.scorecard.reasons.get(sid, [])),
    } for sid in order]
    in_depth = [{"id": str(sid), **{k: _plain(v) for k, v in row.items()}}
                for sid, row in plan.in_depth.to_dict("index").items()]

    scope = plan.scope
    scope_names = {}
    for lang in langs:
        scope_names[lang] = {
            "countries": {c["code"]: country_name(c["code"], lang) for c in scope["countries"]},
            "price_levels": {level: texts.format_value("price_level", {"price_level": level}, lang) or level
                             for level in ("budget", "mid", "premium")},
            "budget_below": texts.money(scope["price_levels"]["budget_below"], seg.currency, lang)
            if scope["price_levels"]["budget_below"] == scope["price_levels"]["budget_below"] else NO_VALUE,
            "premium_above": texts.money(scope["price_levels"]["premium_above"], seg.currency, lang)
            if scope["price_levels"]["premium_above"] == scope["price_levels"]["premium_above"] else NO_VALUE,
        }
    progress.report(0.85, "progress.breakdowns")

    # The matrix: targets × categories, largest categories first (at most MAX_MATRIX_COLUMNS,
    # always keeping every target's lead category).
    matrix = plan.matrix
    columns = list(matrix.sum().sort_values(ascending=False).index)
    if len(columns) > MAX_MATRIX_COLUMNS:
        leads = {matrix.loc[s].idxmax() for s in matrix.index if matrix.loc[s].sum() > 0}
        keep = [c for c in columns if c in leads]
        keep += [c for c in columns if c not in leads][: max(0, MAX_MATRIX_COLUMNS - len(keep))]
        columns = [c for c in columns if c in keep]
    values = matrix.reindex(columns=columns).to_numpy(dtype=float) if len(columns) else np.zeros((len(matrix), 0))

    customers = plan.target_seg.customers  # the map's, or the fallback group's segmentation
    charts: dict[str, dict[str, list]] = {s: {} for s in plan.targets}
    for sid in plan.targets:
        group = customers[customers["segment"] == sid]
        charts[sid]["recency"] = _histogram(group["recency"].to_numpy(dtype=float), open_top=False)
        charts[sid]["frequency"] = _frequency_bins(group["frequency"].to_numpy())
        charts[sid]["spend"] = _histogram(group["monetary"].to_numpy(dtype=float), open_top=True)
    for by, value in (("item", "net_sales"), ("country", "net_sales"), ("month", "orders")):
        progress.check_cancelled()
        frame = breakdown(plan.target_seg, book, by)
        if frame.empty:
            continue
        frame = frame.reset_index()
        frame = frame[frame["segment"].isin(plan.targets)]
        for sid, group in frame.groupby("segment"):
            series = group.set_index(by)[value]
            series.index = series.index.astype(str)
            series = series.sort_index() if by == "month" else series.sort_values(ascending=False).head(TOP_BARS)
            charts[str(sid)][by] = [(str(k), float(v)) for k, v in series.items()]

    result = TargetingResult(
        map_id=seg.map_id, currency=seg.currency,
        currencies=sorted(str(c) for c in book.orders.loc[book.orders["status"] == "paid", "currency"]
                          .dropna().unique()),
        analysis_date=seg.analysis_date.isoformat(), order=order,
        names={s: {lang: plan.label(s).text(lang) for lang in langs} for s in [*order, *plan.targets]},
        customers={**{s: int(plan.facts.loc[s, "customers"]) for s in order},
                   **{s: int(plan.target_facts.loc[s, "customers"]) for s in plan.targets}},
        criteria=criteria,
        criteria_names={c: {lang: spec[c]["name_zh" if lang.startswith("zh") else "name"] for lang in langs}
                        for c in criteria},
        weights=dict(plan.scorecard.weights),
        default_weights={c: float(spec[c]["weight"]) for c in criteria}, margin=margin,
        scope=scope, scope_names=scope_names,
        needs={lang: needs(plan, lang) for lang in langs},
        scorecard=scorecard, targets=list(plan.targets), in_depth=in_depth,
        matrix_rows=[str(s) for s in matrix.index], matrix_columns=[str(c) for c in columns],
        matrix_values=values.tolist(), matrix_highlight=matrix_highlight(plan.pattern.id, values),
        pattern=plan.pattern, approach=plan.approach, charts=charts, knockouts=knockouts, plan=plan,
        focus={"categories": list(focus_categories or []), "markets": list(focus_markets or [])},
        category_margins=dict(category_margins) if category_margins else None,
        segment_options=dict(segment_options or {}),
        fallback={"segment": plan.fallback.group, "why": plan.fallback.why, "reason": plan.fallback.reason}
        if plan.fallback else None,
        others=[{"currency": o.seg.currency, "customers": len(o.seg.customers), "pattern": o.pattern,
                 "approach": o.approach,
                 "targets": {lang: [o.label(s).text(lang)[0] for s in o.targets] for lang in langs}}
                for o in plan.others])
    progress.report(0.95, "progress.pattern")
    for lang in langs:
        progress.check_cancelled()
        # The plan's cross-sell offers join the persona cards and the product actions.
        result.personas[lang] = plan.personas(lang)
        result.strategies[lang] = plan.strategies(lang)
    progress.report(1.0, "progress.done")
    return result


class PlanPage(QWidget):
    """A page that shows the plan of the Targeting page (Personas, Strategy): `set_result` gives
    it the plan; until there is one, `empty` says why (the status the window passes on)."""

    plan_wanted = Signal()  # shown without a plan: the Targeting page should compute one

    def __init__(self):
        super().__init__()
        self.result: TargetingResult | None = None
        self.status = ""

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.result is None:
            self.plan_wanted.emit()

    def set_status(self, text: str) -> None:
        """What to say while there is no plan (no files, planning, failed)."""
        self.status = text
        if self.result is None:
            self.empty.setText(text)


# Formatting ---------------------------------------------------------------------------------------
def lang_index() -> int:
    """0 for English, 1 for Chinese: the index into the core's (en, zh) text tuples."""
    return 1 if language().startswith("zh") else 0


def percent(value: Any, decimals: int = 0) -> str:
    return fmt_share(value, decimals)


signed_percent = fmt_change  # +12 % / −30 % / —


def score_text(value: Any) -> str:
    return NO_VALUE if value is None else f"{value:.0f}"


def fallback_reason(result: TargetingResult) -> str:
    """Why the plan concentrates on one group, in numbers, in the current language ("" without one)."""
    if result.fallback is None:
        return ""
    reason = result.fallback["reason"][lang_index()]
    return reason[:1].upper() + reason[1:]


def fallback_text(result: TargetingResult, small: str, knocked_out: str) -> str:
    """The catalog text `small` or `knocked_out` (by why the plan fell back) with the reason and group."""
    if result.fallback is None:
        return ""
    return t(small if result.fallback["why"] == "small" else knocked_out, reason=fallback_reason(result),
             group=result.name(result.fallback["segment"]))


def bullets(lines: list[str]) -> str:
    return "\n".join(f"•  {line}" for line in lines)


def weight_text(weight: float) -> str:
    return f"{weight:g}"


# Models -------------------------------------------------------------------------------------------
class RowsModel(TextTableModel):
    """A small read-only table of texts, filled again on every render (language switch included)."""

    def __init__(self, right_aligned: frozenset[int] = frozenset()):
        super().__init__()
        self.right_aligned = right_aligned
        self.headers: list[str] = []
        self.header_tips: list[str] = []
        self.rows: list[list[str]] = []
        self.tips: list[list[str]] = []
        self.strong: set[int] = set()  # rows in bold (targets)
        self.muted: set[int] = set()  # rows in grey (knocked out)

    def set_rows(self, headers: list[str], rows: list[list[str]], tips: list[list[str]] | None = None,
                 strong: set[int] | None = None, muted: set[int] | None = None,
                 header_tips: list[str] | None = None) -> None:
        self.beginResetModel()
        self.headers, self.rows = headers, rows
        self.tips = tips or [[""] * len(headers) for _ in rows]
        self.strong, self.muted = strong or set(), muted or set()
        self.header_tips = header_tips or [""] * len(headers)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def header_text(self, section: int) -> str:
        return self.headers[section]

    def header_tooltip(self, section: int) -> str:
        return self.header_tips[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[row][column]
        if role == Qt.ItemDataRole.ToolTipRole:  # its own tip, else the text (a narrow column elides it)
            return self.tips[row][column] or self.rows[row][column] or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(column)
        if role == Qt.ItemDataRole.FontRole and row in self.strong:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row in self.muted:
            from PySide6.QtGui import QColor
            return QColor("#9ca3af")
        return None

    def column(self, column: int) -> list[str]:
        return [row[column] for row in self.rows]


def _fixed_table(model: RowsModel) -> QTableView:
    view = _table_view(model)
    view.setSortingEnabled(False)
    view.setSelectionMode(QTableView.SelectionMode.NoSelection)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.horizontalHeader().setStretchLastSection(True)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return view


def size_table(view: QTableView, first_cap: int = 220, last_min: int = 0) -> None:
    """All rows visible without an inner scroll bar; columns as wide as their texts. With
    `last_min`, the last column (a long text, elided, in full in its tooltip) takes what is left,
    at least `last_min`, so the other columns are never squeezed."""
    header = view.horizontalHeader()
    fit_columns(view, first_cap=first_cap)
    columns = view.model().columnCount()
    if last_min and columns > 1:
        metrics = header.fontMetrics()
        widths = []
        for column in range(columns - 1):
            text = str(view.model().headerData(column, Qt.Orientation.Horizontal) or "")
            widths.append(max(metrics.horizontalAdvance(text) + 26, view.sizeHintForColumn(column) + 6, 40))
        widths[0] = min(widths[0], first_cap)
        for column, width in enumerate(widths):
            view.setColumnWidth(column, width)
        view.setColumnWidth(columns - 1, max(last_min, view.viewport().width() - sum(widths)))
    rows = max(view.model().rowCount(), 1)
    view.setFixedHeight(header.sizeHint().height() + rows * view.verticalHeader().defaultSectionSize() + 4
                        + (view.horizontalScrollBar().sizeHint().height()
                           if header.length() > view.viewport().width() else 0))


def _section_title() -> QLabel:
    return text_label("sectionTitle", wrap=True)


class ChoicePanel(QFrame):
    """A recommendation (target-market pattern or marketing approach): its name and score, what it
    means, the reasons that held as bullets, and the ranked alternatives with their scores."""

    def __init__(self):
        super().__init__()
        self.setObjectName("panel")
        self.caption = text_label("cardTitle")
        self.name = text_label("choiceName", wrap=True)
        self.description = text_label("choiceText", wrap=True)
        self.reasons = text_label("choiceText", wrap=True)
        self.alternatives_title = text_label("cardTitle")
        self.alternatives = text_label("choiceSmall", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(6)
        for widget in (self.caption, self.name, self.description, self.reasons):
            layout.addWidget(widget)
        layout.addSpacing(4)
        layout.addWidget(self.alternatives_title)
        layout.addWidget(self.alternatives)
        layout.addStretch(1)

    def show_choice(self, caption: str, choice: Any) -> None:
        zh = lang_index()
        self.caption.setText(caption.upper() if caption.isascii() else caption)
        self.name.setText(t("ui.targeting.choice_name", name=choice.name[zh], score=percent(choice.score)))
        self.description.setText(choice.description[zh])
        self.reasons.setText(bullets([r[zh] for r in choice.reasons]))
        self.reasons.setVisible(bool(choice.reasons))
        self.alternatives_title.setText(t("ui.targeting.alternatives"))
        lines = []
        for number, option in enumerate(choice.alternatives, start=2):
            name = option["name_zh"] if zh else option["name"]
            missing = ("；" if zh else "; ").join(r[zh] for r in option["missing"])
            lines.append(t("ui.targeting.alternative", rank=number, name=name, score=percent(option["score"]))
                         + (t("ui.targeting.alternative_missing", missing=missing) if missing else ""))
        self.alternatives.setText("\n".join(lines))


# Knock-out rules ---------------------------------------------------------------------------------
PERCENT_WORDS = ("share", "rate", "repeat", "decline")  # limits named so are fractions, shown in %


@cache
def knockout_specs() -> tuple[dict, ...]:
    """The knock-out rules of screening.toml: id, names and default limits (read with tomllib, so
    the window starts without pandas; the core applies them, see core.targeting.screening)."""
    with (RESOURCES / "targeting" / "screening.toml").open("rb") as f:
        rules = tomllib.load(f).get("knockouts", [])
    return tuple({"id": r["id"], "name": r["name"], "name_zh": r["name_zh"], "limits": dict(r.get("limits", {}))}
                 for r in rules)


def is_percent_limit(name: str, default: float) -> bool:
    """A share or a rate (a fraction: shown and typed in %), not days or a count (whole numbers)."""
    if isinstance(default, float) and 0 < default < 1:
        return True
    return any(word in name for word in PERCENT_WORDS)


def limit_box(name: str, default: float) -> QSpinBox | QDoubleSpinBox:
    """The spin box of one limit: 0–100 % (as many decimals as the default needs) or a whole number."""
    if is_percent_limit(name, default):
        box = QDoubleSpinBox()
        box.setRange(0.0, 100.0)
        box.setDecimals(0 if float(default * 100).is_integer() else 1)
        box.setSingleStep(1.0)
        box.setSuffix(" %")
    else:
        box = QSpinBox()
        box.setRange(0, 100_000)
        box.setSingleStep(30 if "day" in name else 1)
    box.setFixedWidth(96)
    box.setKeyboardTracking(False)
    return box


class KnockoutRules(QWidget):
    """The knock-out rules of the screening step: per rule a check box (on or off) and a box per
    limit. `edited` is sent on every change the user makes; `settings()` is what changed against
    the data file, in the form `make_plan(knockouts=…)` takes."""

    edited = Signal()

    def __init__(self):
        super().__init__()
        self.specs = knockout_specs()
        self.title = text_label("fieldCaption")
        self.checks: dict[str, QCheckBox] = {}
        self.limit_labels: dict[tuple[str, str], QLabel] = {}
        self.limit_boxes: dict[tuple[str, str], QSpinBox | QDoubleSpinBox] = {}
        # One rule a row: its check box, then each limit's caption and box, aligned in columns.
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        widest = max((len(rule["limits"]) for rule in self.specs), default=0)
        for row, rule in enumerate(self.specs):
            check = QCheckBox()
            check.toggled.connect(self._toggled)
            grid.addWidget(check, row, 0)
            self.checks[rule["id"]] = check
            for i, (name, default) in enumerate(rule["limits"].items()):
                label, box = text_label("fieldCaption", wrap=True), limit_box(name, default)  # a narrow window wraps it
                box.valueChanged.connect(lambda _value: self.edited.emit())
                grid.addWidget(label, row, 1 + 2 * i)
                grid.addWidget(box, row, 2 + 2 * i)
                self.limit_labels[rule["id"], name], self.limit_boxes[rule["id"], name] = label, box
        grid.setColumnMinimumWidth(0, 220)
        grid.setColumnStretch(1 + 2 * widest, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        self.show_settings(None)

    def _toggled(self, _on: bool) -> None:
        self._enable_limits()
        self.edited.emit()

    def _enable_limits(self) -> None:
        for (rule_id, _name), box in self.limit_boxes.items():
            box.setEnabled(self.isEnabled() and self.checks[rule_id].isChecked())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange:
            self._enable_limits()

    def limit(self, rule_id: str, name: str) -> float:
        box = self.limit_boxes[rule_id, name]
        value = box.value()
        return round(value / 100, 6) if isinstance(box, QDoubleSpinBox) else int(value)

    def settings(self) -> dict | None:
        """{rule id: False (off) or {limit: value} (the limits that differ from the data file)};
        None when every rule is as the data file has it."""
        out: dict = {}
        for rule in self.specs:
            if not self.checks[rule["id"]].isChecked():
                out[rule["id"]] = False
                continue
            changed = {name: self.limit(rule["id"], name) for name, default in rule["limits"].items()
                       if abs(self.limit(rule["id"], name) - default) > 1e-9}
            if changed:
                out[rule["id"]] = changed
        return out or None

    def show_settings(self, settings: dict | None) -> None:
        """Show `settings` (None: the data file's) without sending `edited`."""
        for rule in self.specs:
            change = (settings or {}).get(rule["id"], {})
            check = self.checks[rule["id"]]
            check.blockSignals(True)
            check.setChecked(change is not False)
            check.blockSignals(False)
            for name, default in rule["limits"].items():
                value = (change or {}).get(name, default)
                box = self.limit_boxes[rule["id"], name]
                box.blockSignals(True)
                box.setValue(value * 100 if isinstance(box, QDoubleSpinBox) else int(value))
                box.blockSignals(False)
        self._enable_limits()

    def retranslate(self) -> None:
        self.title.setText(t("ui.targeting.knockouts"))
        self.title.setToolTip(t("ui.targeting.knockouts_tip"))
        for rule in self.specs:
            check = self.checks[rule["id"]]
            check.setText(rule["name_zh"] if lang_index() else rule["name"])
            check.setToolTip(t("ui.targeting.knockout_check_tip"))
            for name in rule["limits"]:
                key = f"ui.targeting.limit_{name}"
                text = t(key)
                self.limit_labels[rule["id"], name].setText(name if text == key else text)
                self.limit_boxes[rule["id"], name].setToolTip(t("ui.targeting.limit_tip"))


class TargetingPage(QWidget, BackgroundRun):
    """The map chooser, the five steps top to bottom, the pattern and approach and the matrix."""

    plan_finished = Signal(str)  # "success", "failure" or "cancelled" (never "stale")
    plan_changed = Signal(object)  # the new TargetingResult, or None when there is none (new book)
    plan_state = Signal()  # running, failed or waiting changed: the other pages update their notice

    def __init__(self):
        super().__init__()
        self.book: Any = None
        self.result: TargetingResult | None = None
        self.error: BaseException | None = None
        self._job: Job | None = None
        self._pending = False
        self._weights: dict[str, float] | None = None  # None: the weights of screening.toml
        self._margin: float | None = None
        self._knockouts: dict | None = None  # None: the knock-out rules of screening.toml
        self._focus: dict = {"categories": [], "markets": []}  # nothing ticked: the core ones
        self._category_margins: dict | None = None  # None: the overall margin for every category
        self._segment_options: dict = {}  # the Segments page's options (segment() keywords)
        self._wanted_currency: str | None = None  # restored with the files' settings (ui.settings)
        self._weight_spins: dict[str, QSpinBox] = {}
        self._weight_labels: dict[str, QLabel] = {}
        self._build()
        self.retranslate()

    # Building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = text_label("pageTitle")
        self.map_label, self.currency_label = text_label("fieldLabel"), text_label("fieldLabel")
        self.map_combo, self.currency_combo, self.busy = run_controls(self.rerun, self.cancel)
        self.progress_text, self.progress_bar = self.busy.text, self.busy.bar
        self.cancel_button = self.busy.cancel_button

        header = page_header(self.title, (self.map_label, self.map_combo), (self.currency_label, self.currency_combo),
                             right=self.busy)
        self.notes = text_label("infoBanner", wrap=True)
        self.notes.hide()
        self.summary = text_label("headline", wrap=True)  # the outcome first: targets, pattern, approach
        self.summary.hide()
        self.other_shops = text_label("infoBanner", wrap=True)  # the other currencies' own plans
        self.other_shops.hide()

        # 1. Market scope: facts on the left, the category shares on the right.
        self.scope_title = _section_title()
        self.scope_grid = QGridLayout()
        self.scope_grid.setHorizontalSpacing(14)
        self.scope_grid.setVerticalSpacing(6)
        self.scope_captions: dict[str, QLabel] = {}
        self.scope_values: dict[str, QLabel] = {}
        for row, key in enumerate(("categories", "core_categories", "price", "countries", "core_markets",
                                   "platforms", "scale")):
            caption, value = text_label("fieldCaption"), text_label("fieldValue", wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.scope_grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            self.scope_grid.addWidget(value, row, 1)
            self.scope_captions[key], self.scope_values[key] = caption, value
        self.scope_grid.setColumnStretch(1, 1)
        self.categories_chart = BarChart()
        self.categories_chart.setFixedWidth(340)
        self.categories_chart.setMinimumHeight(170)
        scope_row = QHBoxLayout()
        scope_row.setSpacing(20)
        scope_row.addLayout(self.scope_grid, 1)
        scope_row.addWidget(self.categories_chart, 0)
        self.focus_row = FocusRow()
        self.focus_row.edited.connect(self._focus_edited)
        self.scope_panel = panel(self.scope_title, scope_row, self.focus_row)

        # 2. Needs per segment
        self.needs_title = _section_title()
        self.needs_model = RowsModel()
        self.needs_table = _fixed_table(self.needs_model)
        self.needs_panel = panel(self.needs_title, self.needs_table)

        # 3. Segments named
        self.segments_title = _section_title()
        self.segments_text = text_label("fieldValue", wrap=True)
        self.segments_panel = panel(self.segments_title, self.segments_text)

        # 4. Screening: the weights, then the scorecard
        self.screening_title = _section_title()
        self.screening_hint = text_label("cutsCaption", wrap=True)
        weights = QGridLayout()
        weights.setHorizontalSpacing(12)
        weights.setVerticalSpacing(2)
        self._weight_timer = QTimer(self)
        self._weight_timer.setSingleShot(True)
        self._weight_timer.setInterval(DEBOUNCE_MS)
        self._weight_timer.timeout.connect(self.rerun)
        column = 0
        self._criteria_order: list[str] = ["size", "growth", "profitability", "loyalty", "reach", "fit"]
        for column, criterion in enumerate(self._criteria_order):
            label, spin = text_label("fieldCaption"), QSpinBox()
            spin.setRange(0, 100)
            spin.setMinimumWidth(72)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._weights_edited)
            weights.addWidget(label, 0, column)
            weights.addWidget(spin, 1, column)
            self._weight_labels[criterion], self._weight_spins[criterion] = label, spin
        self.margin_label = text_label("fieldCaption")
        self.margin_spin = QDoubleSpinBox()
        self.margin_spin.setRange(0.0, 95.0)
        self.margin_spin.setDecimals(0)
        self.margin_spin.setSingleStep(5.0)
        self.margin_spin.setSuffix(" %")
        self.margin_spin.setMinimumWidth(96)
        self.margin_spin.setKeyboardTracking(False)
        self.margin_spin.valueChanged.connect(self._margin_edited)
        weights.addWidget(self.margin_label, 0, column + 1)
        weights.addWidget(self.margin_spin, 1, column + 1)
        self.margins_button = QPushButton()
        self.margins_button.clicked.connect(self.open_category_margins)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_screening)
        # The buttons on a line of their own: beside the seven boxes they widened the page.
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 4, 0, 0)
        buttons.addWidget(self.margins_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        weights.addLayout(buttons, 2, 0, 1, column + 2)
        weights.setColumnStretch(column + 2, 1)
        self.knockouts = KnockoutRules()
        self.knockouts.edited.connect(self._knockouts_edited)
        self.scorecard_model = RowsModel(right_aligned=frozenset(range(1, 9)))
        self.scorecard_table = _fixed_table(self.scorecard_model)
        self.fallback_note = text_label("infoBanner", wrap=True)  # the one group a small shop targets
        self.fallback_note.hide()
        self.screening_panel = panel(self.screening_title, self.screening_hint, weights, self.knockouts,
                                     self.scorecard_table, self.fallback_note)

        # 5. Targets in depth
        self.depth_title = _section_title()
        self.depth_model = RowsModel(right_aligned=frozenset(range(1, 10)))
        self.depth_table = _fixed_table(self.depth_model)
        self.depth_panel = panel(self.depth_title, self.depth_table)

        # Recommendation: pattern and approach side by side, then the matrix with the pattern on it
        self.recommend_title = text_label("pageTitle")
        self.pattern_panel, self.approach_panel = ChoicePanel(), ChoicePanel()
        choices = QHBoxLayout()
        choices.setSpacing(12)
        choices.addWidget(self.pattern_panel, 1)
        choices.addWidget(self.approach_panel, 1)
        self.matrix_title = _section_title()
        self.matrix_hint = text_label("cutsCaption", wrap=True)
        self.matrix = MatrixHeatmap()
        self.matrix_panel = panel(self.matrix_title, self.matrix_hint, self.matrix)

        self.body = QWidget()
        self.body.setObjectName("page")
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 4, 4)
        body_layout.setSpacing(12)
        for step in (self.scope_panel, self.needs_panel, self.segments_panel, self.screening_panel,
                     self.depth_panel):
            body_layout.addWidget(step)
        body_layout.addSpacing(6)
        body_layout.addWidget(self.recommend_title)
        body_layout.addLayout(choices)
        body_layout.addWidget(self.matrix_panel)
        body_layout.addStretch(1)
        self.scroll = page_scroll(self.body)
        self.empty, self.content = page_scaffold(self, header, self.notes, self.summary, self.other_shops,
                                                 shown=self.scroll)
        self._show_state()

    # Input ------------------------------------------------------------------------------------
    def set_book(self, book: Any) -> None:
        """A new import: plan it now if the page is on screen, else when it (or a page that
        needs the plan) is shown."""
        if self._job is not None:
            self._job.cancel()  # its result belongs to the previous book
        self._awaited = None  # computing the previous book
        self.busy.hide()
        self.book = book
        self.result, self.error = None, None
        fill_currencies(self.currency_combo, self.currency_label, [], None)
        self._pending = True
        self.plan_changed.emit(None)
        self.plan_state.emit()
        if self.isVisible():
            self.rerun()
        else:
            self._show_state()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ensure_plan()

    def ensure_plan(self) -> None:
        """Plan now if a plan is due (a new book) and none is running: the Personas and
        Strategy pages ask for it when they are shown."""
        if self._pending and self.book is not None and not self.is_running():
            self.rerun()

    def has_current_plan(self) -> bool:
        """A plan of the current book and settings is on screen (none due, none running)."""
        return self.result is not None and not self._pending and not self.is_running()

    def settings(self) -> tuple[str, dict | None, float | None, str | None]:
        # Until a plan lists the book's currencies, the one chosen when these files were last open.
        currency = (self.currency_combo.currentData() if self.currency_combo.count() > 1
                    else self._wanted_currency)
        return self.map_combo.currentData(), self._weights, self._margin, currency

    def knockout_settings(self) -> dict | None:
        """The knock-out rules changed against screening.toml (see KnockoutRules.settings)."""
        return self._knockouts

    def set_map(self, map_id: str) -> None:
        self.map_combo.setCurrentIndex(MAPS.index(map_id))

    def saved_settings(self) -> dict:
        """What re-opening the same files brings back (see ui.settings)."""
        return {"map": self.map_combo.currentData(), "weights": self._weights, "margin": self._margin,
                "knockouts": self._knockouts, "focus": self._focus, "currency": self.settings()[3],
                "category_margins": self._category_margins}

    def restore_settings(self, saved: dict, currencies=None) -> None:
        """Put saved choices in the controls without running (the next book runs with them); a
        saved currency counts only when it is among `currencies` (the book's)."""
        select_data(self.map_combo, saved.get("map"))
        currency = saved.get("currency")
        self._wanted_currency = currency if isinstance(currency, str) and currency in (currencies or ()) else None
        margins = saved.get("category_margins")
        self._category_margins = ({str(c): float(m) for c, m in margins.items()}
                                  if isinstance(margins, dict) and margins
                                  and all(isinstance(m, (int, float)) and 0 <= m < 1 for m in margins.values())
                                  else None)
        self._show_margins_button()
        weights = saved.get("weights")
        if isinstance(weights, dict) and set(weights) == set(self._weight_spins):
            self._weights = {c: float(v) for c, v in weights.items()}
            self._show_weights(self._weights)
        margin = saved.get("margin")
        self._margin = float(margin) if isinstance(margin, (int, float)) and 0 < margin < 1 else None
        self._show_margin(self._margin)
        if isinstance(saved.get("knockouts"), dict):
            self._knockouts = saved["knockouts"]
            self.knockouts.show_settings(self._knockouts)
        focus = saved.get("focus")
        if isinstance(focus, dict):
            self._focus = {"categories": list(focus.get("categories", [])),
                           "markets": list(focus.get("markets", []))}

    def set_weight(self, criterion: str, value: int) -> None:
        """As if the user typed `value` into the criterion's box (the run follows after the debounce)."""
        self._weight_spins[criterion].setValue(value)

    def set_knockout(self, rule_id: str, on: bool) -> None:
        """As if the user ticked or unticked the rule (the run follows after the debounce)."""
        self.knockouts.checks[rule_id].setChecked(on)

    def set_knockout_limit(self, rule_id: str, name: str, value: float) -> None:
        """As if the user typed `value` (as shown: % for shares and rates) into the limit's box."""
        self.knockouts.limit_boxes[rule_id, name].setValue(value)

    def reset_screening(self) -> None:
        """Back to the weights and knock-out rules of screening.toml."""
        self._weight_timer.stop()
        self._weights = None
        self._knockouts = None
        if self.result is not None:
            self._show_weights(self.result.default_weights)
        self.knockouts.show_settings(None)
        self.rerun()

    def set_focus(self, categories: list[str], markets: list[str]) -> None:
        """As if the user ticked exactly these categories and countries (the run follows after
        the debounce)."""
        self.focus_row.categories.set_checked(list(categories))
        self.focus_row.markets.set_checked(list(markets))

    def set_category_margins(self, margins: dict[str, float] | None) -> None:
        """Margins per category (0–1), or None for the overall margin everywhere (debounced run)."""
        self._category_margins = dict(margins) if margins else None
        self._show_margins_button()
        self._weight_timer.start()

    def open_category_margins(self) -> CategoryMarginsDialog | None:
        """The category → margin table; OK re-plans with it. Returns the (modal) dialog."""
        if self.result is None:
            return None
        categories = [c["name"] for c in self.result.scope.get("categories", []) if c["name"] not in ("?", "")]
        dialog = CategoryMarginsDialog(categories, self._category_margins, self._margin, self)
        dialog.accepted.connect(lambda: self.set_category_margins(dialog.margins()))
        dialog.open()
        return dialog

    def set_segment_options(self, options: dict | None, run: bool = True) -> None:
        """The Segments page's options (`segment` keywords) changed: plan again with them (with
        `run` False, the next plan uses them: restored settings before a new book)."""
        options = dict(options or {})
        if options == self._segment_options:
            return
        self._segment_options = options
        if run and self.book is not None and (self.result is not None or self.is_running()):
            self.rerun()

    def _focus_edited(self) -> None:
        self._focus = self.focus_row.focus()
        self._weight_timer.start()

    def _show_margins_button(self) -> None:
        count = len(self._category_margins or {})
        self.margins_button.setText(t("ui.focus.margins_button_set", count=count) if count
                                    else t("ui.focus.margins_button"))

    def _knockouts_edited(self) -> None:
        self._knockouts = self.knockouts.settings()
        self._weight_timer.start()

    def _weights_edited(self, _value: int) -> None:
        self._weights = {c: float(spin.value()) for c, spin in self._weight_spins.items()}
        self._weight_timer.start()

    def _margin_edited(self, value: float) -> None:
        self._margin = value / 100 if value > 0 else None
        self._weight_timer.start()

    def run_call(self) -> tuple[tuple, dict]:
        """The arguments of `build_plan` (after the book) for the current controls."""
        map_id, weights, margin, currency = self.settings()
        knockouts = {"knockouts": self._knockouts} if self._knockouts else {}
        if self._focus["categories"]:
            knockouts["focus_categories"] = list(self._focus["categories"])
        if self._focus["markets"]:
            knockouts["focus_markets"] = list(self._focus["markets"])
        if self._category_margins:
            knockouts["category_margins"] = dict(self._category_margins)
        if self._segment_options:
            knockouts["segment_options"] = dict(self._segment_options)
        return (map_id, dict(weights) if weights else None, margin, currency), knockouts

    def running_text(self) -> str:
        return t("ui.targeting.running", map=map_name(self.settings()[0]))

    def await_result(self, job) -> None:
        self._weight_timer.stop()
        super().await_result(job)
        self.plan_state.emit()

    def rerun(self, *_args) -> Job | None:
        """Plan again with the current controls; a run still going is cancelled."""
        self._weight_timer.stop()
        if self.book is None:
            return None
        self._pending = False
        self.error = None
        self.busy.start(self.running_text())
        args, kwargs = self.run_call()
        job = self._start_run(Job(build_plan, self.book, *args, **kwargs), "plan")
        self.plan_state.emit()
        return job

    def cancel(self) -> None:
        self._weight_timer.stop()
        super().cancel()

    def _succeeded(self, result: TargetingResult) -> None:
        self.result = result
        fill_currencies(self.currency_combo, self.currency_label, result.currencies, result.currency)
        if not self._weight_timer.isActive():  # the user is not halfway through a new edit
            self._show_weights(result.weights)
            self._show_margin(result.margin)
            self.knockouts.show_settings(result.knockouts)
        self.render()
        self.plan_changed.emit(result)

    def _run_finished(self, outcome: str) -> None:
        self.plan_state.emit()
        self.plan_finished.emit(outcome)

    def _restore_controls(self) -> None:
        """After a cancel or a failure the controls show what is on screen again."""
        if self.result is None:
            return
        select_data(self.map_combo, self.result.map_id)
        select_data(self.currency_combo, self.result.currency)
        self._weights = None if self.result.weights == self.result.default_weights else dict(self.result.weights)
        self._margin = self.result.margin
        self._knockouts = self.result.knockouts
        self._focus = {"categories": list(self.result.focus.get("categories", [])),
                       "markets": list(self.result.focus.get("markets", []))}
        self._category_margins = self.result.category_margins
        self._show_margins_button()
        self._render_focus(self.result)
        self._show_weights(self.result.weights)
        self._show_margin(self.result.margin)
        self.knockouts.show_settings(self.result.knockouts)

    def _show_weights(self, weights: dict[str, float]) -> None:
        for criterion, spin in self._weight_spins.items():
            spin.blockSignals(True)
            spin.setValue(round(weights.get(criterion, 0)))
            spin.blockSignals(False)

    def _show_margin(self, margin: float | None) -> None:
        self.margin_spin.blockSignals(True)
        self.margin_spin.setValue(round((margin or 0) * 100))
        self.margin_spin.blockSignals(False)

    # Rendering --------------------------------------------------------------------------------
    def status_text(self) -> str:
        """What a page without a plan says: open files first, planning, or why it failed."""
        if self.book is None:
            return t("ui.targeting.no_data")
        if self.error is not None and self.result is None:
            return self._error_text()
        return t("ui.targeting.waiting")

    def _error_text(self) -> str:
        return error_text("ui.targeting.failed", self.error)

    def _show_state(self) -> None:
        has_result = self.result is not None
        self.content.setCurrentWidget(self.scroll if has_result else self.empty)
        if not has_result:
            self.empty.setText(self.status_text())
        enabled = self.book is not None
        for widget in (self.map_label, self.map_combo, self.reset_button, self.margin_spin, self.knockouts,
                       self.margins_button, self.focus_row, *self._weight_spins.values()):
            widget.setEnabled(enabled)
        show_error = self.error is not None and has_result
        self.notes.setText(f"ⓘ {self._error_text()}" if show_error else "")
        self.notes.setVisible(show_error)
        self.summary.setVisible(has_result)
        self.other_shops.setVisible(has_result and bool(self.result.others))

    def render(self) -> None:
        """Put the result on screen in the current language."""
        result = self.result
        if result is None:
            self._show_state()
            return
        label_map_combo(self.map_combo, result.map_id)  # a small shop's plan may use a smaller map
        self._render_scope(result)
        self._render_needs(result)
        self.segments_title.setText(t("ui.targeting.step_segments", count=len(result.order)))
        self.segments_text.setText(t("ui.targeting.segments_list", map=map_name(result.map_id), segments=" · ".join(
            t("ui.targeting.segment_count", name=result.name(s), customers=f"{result.customers[s]:,}")
            for s in result.order)))
        self._render_scorecard(result)
        self._render_depth(result)
        self.recommend_title.setText(t("ui.targeting.recommendation"))
        self.pattern_panel.show_choice(t("ui.targeting.pattern"), result.pattern)
        self.approach_panel.show_choice(t("ui.targeting.approach"), result.approach)
        self._render_matrix(result)
        zh = lang_index()
        self.summary.setText(t("ui.targeting.summary", targets=t("ui.targeting.list_separator").join(
            result.name(s) for s in result.targets), pattern=result.pattern.name[zh],
            pattern_score=percent(result.pattern.score), approach=result.approach.name[zh],
            approach_score=percent(result.approach.score)))
        self.other_shops.setText("\n".join(t(
            "ui.targeting.other_shop", currency=o["currency"], customers=o["customers"],
            pattern=o["pattern"].name[zh], approach=o["approach"].name[zh],
            targets=t("ui.targeting.list_separator").join(o["targets"][language()]) or "—")
            for o in result.others))
        self._show_state()
        self._size_tables()

    def _render_scope(self, result: TargetingResult) -> None:
        scope, names = result.scope, result.scope_names.get(language()) or result.scope_names["en"]
        self.scope_title.setText(t("ui.targeting.step_scope", currency=result.currency, date=result.analysis_date))

        def shares(items: list[dict], key: str, rename: dict | None = None, limit: int = 8) -> str:
            parts = [t("ui.targeting.share_item", name=(rename or {}).get(i[key], i[key]), share=percent(i["share"]))
                     for i in items[:limit]]
            if len(items) > limit:
                parts.append(t("ui.targeting.more", count=len(items) - limit))
            return t("ui.targeting.list_separator").join(parts) or NO_VALUE

        levels, price = names["price_levels"], scope["price_levels"]
        values = {
            "categories": shares(scope["categories"], "name"),
            "core_categories": t("ui.targeting.list_separator").join(scope["core_categories"]) or NO_VALUE,
            "price": t("ui.targeting.price_bands", budget=levels["budget"], below=names["budget_below"],
                       budget_share=percent(price["shares"]["budget"]), mid=levels["mid"],
                       mid_share=percent(price["shares"]["mid"]), premium=levels["premium"],
                       above=names["premium_above"], premium_share=percent(price["shares"]["premium"])),
            "countries": shares(scope["countries"], "code", names["countries"]),
            "core_markets": t("ui.targeting.list_separator").join(
                names["countries"].get(c, c) for c in scope["core_markets"]) or NO_VALUE,
            "platforms": shares(scope["platforms"], "name", {p["name"]: platform_name(p["name"]) for p in scope["platforms"]}),
            "scale": t("ui.targeting.scale", orders=f"{scope['orders_per_month']:,}",
                       products=f"{scope['products']:,}", customers=f"{scope['customers']:,}"),
        }
        for key, label in self.scope_captions.items():
            label.setText(t(f"ui.targeting.scope_{key}"))
            self.scope_values[key].setText(values[key])
        self.scope_captions["core_categories"].setToolTip(t("ui.targeting.core_tip"))
        self.scope_captions["core_markets"].setToolTip(t("ui.targeting.core_tip"))
        bars = [Bar(c["name"], c["share"], percent(c["share"]),
                    t("ui.targeting.share_item", name=c["name"], share=percent(c["share"], 1)))
                for c in scope["categories"][:8]]
        self.categories_chart.set_data(t("ui.targeting.chart_categories"), bars, t("ui.segments.no_chart_data"))
        if not self._weight_timer.isActive():  # the user is not halfway through ticking
            self._render_focus(result)

    def _render_focus(self, result: TargetingResult) -> None:
        names = result.scope_names.get(language()) or result.scope_names["en"]
        self.focus_row.show_scope(result.scope, self._focus, names["countries"])

    def _render_needs(self, result: TargetingResult) -> None:
        self.needs_title.setText(t("ui.targeting.step_needs"))
        rows = result.needs.get(language()) or result.needs["en"]

        def joined(first: str | None, second: str | None) -> str:
            if first is None:
                return NO_VALUE
            return t("ui.targeting.with_share", value=first, share=second) if second else first

        table = []
        for row in rows:
            where = joined(row["top_country"], row["top_country_share"])
            if row.get("top_region"):
                where = t("ui.targeting.where", country=where, region=row["top_region"])
            when = row["peak_month"] or NO_VALUE
            if row.get("peak_weekday"):
                when = t("ui.targeting.when", month=when, weekday=row["peak_weekday"])
            table.append([result.name(row["segment"]), where, joined(row["top_item"], row["top_item_share"]),
                          row["price_level"] or NO_VALUE, when,
                          row["median_frequency"] or NO_VALUE,
                          row["top_platform"] or NO_VALUE])
        headers = [t(f"ui.targeting.needs_{key}") for key in
                   ("segment", "where", "what", "price", "when", "how_often", "platform")]
        strong = {i for i, row in enumerate(rows) if row["segment"] in result.targets}
        self.needs_model.set_rows(headers, table, strong=strong)

    def _render_scorecard(self, result: TargetingResult) -> None:
        zh = lang_index()
        total_weight = sum(result.weights.values())
        screened = sum(row["target"] for row in result.scorecard)  # not the fallback group: it is not screened
        self.screening_title.setText(
            t("ui.targeting.step_screening_fallback", group=result.name(result.fallback["segment"]))
            if result.fallback is not None else t("ui.targeting.step_screening", targets=screened))
        self.screening_hint.setText(t("ui.targeting.screening_hint"))
        for criterion, label in self._weight_labels.items():
            names = result.criteria_names.get(criterion, {})
            label.setText(names.get(language(), criterion))
        self.margin_label.setText(t("ui.targeting.margin"))
        headers = [t("ui.targeting.col_segment")]
        tips = [""]
        for criterion in result.criteria:
            weight = result.weights.get(criterion, 0)
            headers.append(result.criteria_names[criterion].get(language(), criterion))
            tips.append(t("ui.targeting.weight_tip", weight=weight_text(weight),
                          share=percent(weight / total_weight if total_weight else 0)))
        headers += [t("ui.targeting.col_total"), t("ui.targeting.col_rank"), t("ui.targeting.col_target"),
                    t("ui.targeting.col_reason")]
        tips += [t("ui.targeting.col_total_tip"), "", "", ""]
        rows, cell_tips, strong, muted = [], [], set(), set()
        for i, row in enumerate(result.scorecard):
            reason = "; ".join(r[zh] for r in row["reasons"])
            mark = (t("ui.targeting.mark_target") if row["target"] else
                    t("ui.targeting.mark_eliminated") if row["eliminated"] else "")
            rows.append([result.name(row["id"]), *(score_text(row["scores"][c]) for c in result.criteria),
                         score_text(row["total"]), f"{row['rank']}", mark, reason])
            cell_tips.append([result.description(row["id"])] + [""] * (len(result.criteria) + 3) + [reason])
            if row["target"]:
                strong.add(i)
            if row["eliminated"]:
                muted.add(i)
        self.scorecard_model.right_aligned = frozenset(range(1, len(result.criteria) + 3))
        self.scorecard_model.set_rows(headers, rows, cell_tips, strong, muted, tips)
        self.fallback_note.setText(fallback_text(result, "ui.targeting.fallback_small", "ui.targeting.fallback_knocked_out"))
        self.fallback_note.setVisible(result.fallback is not None)

    def _render_depth(self, result: TargetingResult) -> None:
        self.depth_title.setText(t("ui.targeting.step_depth", count=len(result.targets)))
        headers = [t(f"ui.targeting.depth_{key}", currency=result.currency) for key in (
            "segment", "customers", "share_customers", "net_sales", "share_net_sales", "growth", "repeat",
            "discount", "refunds", "top20", "top_item")]
        rows = []
        for row in result.in_depth:
            top = row.get("top_item")
            rows.append([
                result.name(row["id"]), f"{row['customers']:,}" if row.get("customers") is not None else NO_VALUE,
                percent(row.get("share_customers"), 1),
                f"{row['net_sales']:,.0f}" if row.get("net_sales") is not None else NO_VALUE,
                percent(row.get("share_net_sales"), 1), signed_percent(row.get("net_sales_change")),
                percent(row.get("repeat_rate")), percent(row.get("discount_share")), percent(row.get("refund_rate"), 1),
                percent(row.get("top20_spend_share")),
                t("ui.targeting.with_share", value=top, share=percent(row.get("top_item_share"))) if top else NO_VALUE])
        tips = [[""] * len(headers) for _ in rows]
        header_tips = [""] * len(headers)
        header_tips[9] = t("ui.targeting.depth_top20_tip")
        header_tips[5] = t("ui.segments.col_growth_tip")
        self.depth_model.right_aligned = frozenset(range(1, 10))
        self.depth_model.set_rows(headers, rows, tips, header_tips=header_tips)

    def _render_matrix(self, result: TargetingResult) -> None:
        zh = lang_index()
        self.matrix_title.setText(t("ui.targeting.matrix_title", currency=result.currency))
        self.matrix_hint.setText(t("ui.targeting.matrix_hint", pattern=result.pattern.name[zh]))
        values = result.matrix_values
        texts, tips, shades = [], [], []
        grand = sum(sum(row) for row in values) or 1.0
        for r, row in enumerate(values):
            total = sum(row) or 1.0
            texts.append([percent(v / total) for v in row])
            shades.append([v / total for v in row])
            tips.append([t("ui.targeting.matrix_tip", segment=result.name(result.matrix_rows[r]),
                           category=result.matrix_columns[c], amount=f"{v:,.0f}", currency=result.currency,
                           row_share=percent(v / total, 1), total_share=percent(v / grand, 1))
                         for c, v in enumerate(row)])
        self.matrix.set_data(MatrixData(
            rows=[result.name(s) for s in result.matrix_rows], columns=list(result.matrix_columns),
            texts=texts, tips=tips, shades=shades, highlight=set(result.matrix_highlight),
            empty_text=t("ui.segments.no_chart_data")))

    def _size_tables(self) -> None:
        self.body.layout().activate()
        size_table(self.needs_table, 200)
        size_table(self.scorecard_table, 200, last_min=160)
        size_table(self.depth_table, 200)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.result is not None:
            QTimer.singleShot(0, self._size_tables)

    # Language ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(t("ui.targeting.title"))
        self.map_label.setText(t("ui.segments.map"))
        self.currency_label.setText(t("ui.segments.currency"))
        label_map_combo(self.map_combo, self.result.map_id if self.result is not None else None)
        self.map_combo.setToolTip(t("ui.segments.map_tip"))
        self.cancel_button.setText(t("ui.progress.cancel"))
        self.reset_button.setText(t("ui.targeting.reset"))
        self.reset_button.setToolTip(t("ui.targeting.reset_tip"))
        self.knockouts.retranslate()
        self.margin_label.setText(t("ui.targeting.margin"))
        self.margin_spin.setSpecialValueText(t("ui.targeting.margin_none"))
        self.margin_spin.setToolTip(t("ui.targeting.margin_tip"))
        self.focus_row.retranslate()
        self._show_margins_button()
        self.margins_button.setToolTip(t("ui.focus.margins_tip"))
        for spin in self._weight_spins.values():
            spin.setToolTip(t("ui.targeting.weight_box_tip"))
        if self.busy.isVisible():
            self.progress_text.setText(t("ui.targeting.running", map=map_name(self.map_combo.currentData())))
        self.render()
