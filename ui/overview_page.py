"""The Overview: where to start (empty window), then the dashboard of an import: key figures and
charts that open their page, the loaded files (add, remove) and the problems met."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSizePolicy, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from core.i18n import language, t
from core.platforms import platform_name, report_name, supported_platforms
from ui.charts import Bar, BarChart
from ui.report.charts import short_number
from ui.widgets import FlowLayout, page_scroll, text_label, tidy_table

# Long messages wrap onto several lines; past this many rows measuring them gets slow, so they elide.
WRAP_PROBLEMS_UP_TO = 300
STATUSES = ("paid", "pending", "cancelled", "refunded")  # the canonical order of core.model
# The theme pads table items by 8px left and right; a cell widget is narrowed by as much.
CELL_PADDING = 16


def plural(key: str, count: int, **params: object) -> str:
    """`key_one` or `key_other` by count, so English says "1 file" and "2 files"."""
    return t(f"{key}_{'one' if count == 1 else 'other'}", count=f"{count:,}", **params)


def money_lines(amounts: dict[str, float]) -> list[str]:
    """One line per currency, largest first; currencies are never added together, zeros are noise."""
    ordered = sorted(((c, a) for c, a in amounts.items() if round(a, 2) != 0),
                     key=lambda item: -abs(item[1]))
    return [f"{currency} {amount:,.2f}" for currency, amount in ordered]


def _read_only_table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    tidy_table(table, row_height=28)
    return table


def _cell(text: object, tooltip: str = "", align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(str(text))
    if tooltip:
        item.setToolTip(tooltip)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class MetricCard(QFrame):
    """A white card with a caption, a large value and a detail line; with a `page` it is a link
    to that page (click, or Enter/Space when focused)."""

    clicked = Signal(str)  # the page it opens

    def __init__(self, page: str = ""):
        super().__init__()
        self.setObjectName("card")
        self.page = page
        if page:
            self.setProperty("link", True)
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.title = text_label("cardTitle")
        self.value = text_label("cardValue")
        self.detail = text_label("cardDetail", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def show_values(self, title: str, value_lines: list[str], detail: str, small: bool = False) -> None:
        self.title.setText(title.upper() if title.isascii() else title)
        # Several currencies do not fit the large type: fall back to a smaller size.
        self.value.setObjectName("cardValue" if len(value_lines) <= 1 and not small else "cardValueSmall")
        self.value.style().unpolish(self.value)
        self.value.style().polish(self.value)
        self.value.setText("\n".join(value_lines))
        self.detail.setText(detail)

    def mouseReleaseEvent(self, event) -> None:
        if self.page and event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.page)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if self.page and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.page)
            return
        super().keyPressEvent(event)


class MonthChart(QFrame):
    """Net sales per month in a card, a link to the Trends page."""

    clicked = Signal(str)

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.setObjectName("card")
        self.setProperty("link", True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.chart = BarChart(vertical=True)
        self.chart.setMinimumHeight(110)
        # The answers beside it set the row's height (the chart's own 200 px left a gap under them).
        self.chart.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 8)
        layout.addWidget(self.chart)

    def set_data(self, *args, **kwargs) -> None:
        self.chart.set_data(*args, **kwargs)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.page)
        super().mouseReleaseEvent(event)


class EmptyPage(QWidget):
    """What a new window shows: where to start and which exports SegmentDesk reads."""

    def __init__(self, on_open):
        super().__init__()
        self.drop_zone = QFrame()
        self.drop_zone.setObjectName("dropZone")
        # A fixed width lets the wrapped labels compute their height (no clipped last line).
        self.drop_zone.setFixedWidth(760)
        self.title = text_label("emptyTitle", wrap=True)
        self.text = text_label("emptyText", wrap=True)
        self.open_button = QPushButton()
        self.open_button.setObjectName("primary")
        self.open_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.open_button.setMinimumHeight(40)
        self.open_button.clicked.connect(on_open)
        self.platforms_title = text_label("emptySmall")
        self.formats = text_label("emptySmall", wrap=True)
        for label in (self.title, self.text, self.platforms_title, self.formats):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # The platforms wrap onto as many centred lines as their names need (never clipped).
        chips = FlowLayout(spacing=8, centred=True)
        self.chips: list[QLabel] = []
        for _ in supported_platforms():
            chip = QLabel()
            chip.setObjectName("chip")
            chips.addWidget(chip)
            self.chips.append(chip)

        inner = QVBoxLayout(self.drop_zone)
        inner.setContentsMargins(48, 44, 48, 40)
        inner.setSpacing(14)
        inner.addWidget(self.title)
        inner.addWidget(self.text)
        inner.addSpacing(8)
        inner.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignCenter)
        inner.addSpacing(18)
        inner.addWidget(self.platforms_title)
        inner.addLayout(chips)
        inner.addWidget(self.formats)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 32)
        outer.addStretch(1)
        outer.addWidget(self.drop_zone, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def retranslate(self) -> None:
        self.title.setText(t("ui.empty.title"))
        self.text.setText(t("ui.empty.text"))
        self.open_button.setText(t("ui.empty.open_button"))
        self.platforms_title.setText(t("ui.empty.platforms"))
        self.formats.setText(t("ui.empty.formats"))
        for chip, name in zip(self.chips, supported_platforms()):
            chip.setText(name)
        # The chips' lines and the wrapped texts changed height: the zone is as tall as they need at
        # its fixed width (a centred widget is otherwise given the height of its one-line hint).
        self.drop_zone.layout().invalidate()
        self.drop_zone.setMinimumHeight(self.drop_zone.heightForWidth(self.drop_zone.width()))

    def set_dragging(self, dragging: bool) -> None:
        self.drop_zone.setProperty("dragging", dragging)
        self.drop_zone.style().unpolish(self.drop_zone)
        self.drop_zone.style().polish(self.drop_zone)


class CurrencyQuestion(QFrame):
    """Asked only when some orders have no known currency (their files say none, nor their
    market): which currency that kind of file is in. The answer is remembered per file layout
    (import profile) and the files are read again with it; `chosen` carries the layouts and code."""

    chosen = Signal(list, str)

    def __init__(self):
        super().__init__()
        self.setObjectName("infoBanner")
        self.questions: list[dict] = []
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.combo = QComboBox()
        from core.countries import currencies  # a small TOML table, no pandas

        self.combo.addItems(currencies())
        self.combo.setCurrentIndex(-1)  # nothing is guessed: the seller picks
        self.button = QPushButton()
        self.button.setObjectName("primary")
        self.button.setEnabled(False)
        self.combo.currentIndexChanged.connect(lambda index: self.button.setEnabled(index >= 0))
        self.button.clicked.connect(self._use)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.text, 1)
        row.addWidget(self.combo)
        row.addWidget(self.button)
        self.hide()

    def ask(self, questions: list[dict]) -> None:
        self.questions = list(questions)
        self.setVisible(bool(self.questions))
        self.retranslate()

    def retranslate(self) -> None:
        self.combo.setPlaceholderText(t("ui.overview.currency_placeholder"))
        self.button.setText(t("ui.overview.currency_use"))
        if not self.questions:
            return
        names = [Path(path).name for q in self.questions for path in q["files"]]
        files = names[0] if len(names) == 1 else t("ui.overview.more_files", first=names[0], more=len(names) - 1)
        kinds = ", ".join(f"{platform_name(q['platform'])} – {report_name(q['platform'], q['report'])}"
                          for q in self.questions)
        self.text.setText(t("ui.overview.currency_question", files=files,
                            count=f"{sum(q['orders'] for q in self.questions):,}"))
        self.text.setToolTip("\n".join(path for q in self.questions for path in q["files"]))
        self.button.setToolTip(t("ui.overview.currency_use_tip", kinds=kinds))

    def _use(self) -> None:
        if self.combo.currentIndex() >= 0:
            self.chosen.emit([q["profile"] for q in self.questions], self.combo.currentText())


class SummaryPage(QWidget):
    """The import summary: totals as cards, then the files read and the problems met.

    A file no profile knew gets a "Map columns…" button in its problem row (double-clicking the
    row does the same): `map_requested` carries the file's full path.
    """

    map_requested = Signal(str)
    page_requested = Signal(str)  # a card or chart was clicked: show that page
    add_files_requested = Signal()
    remove_file_requested = Signal(str)  # the full path of a loaded file to drop
    currency_chosen = Signal(list, str)  # import profiles, ISO code: read their files with it

    def __init__(self):
        super().__init__()
        self.summary: dict | None = None
        self.converted_total: tuple[str, float] | None = None  # (currency, net sales) at the seller's rates
        self.segments_result = None  # the Segments page's last result, for its card
        self.plan_result = None  # the Targeting page's last plan, for its card
        self.mappable: set[str] = set()
        self.map_buttons: dict[int, QPushButton] = {}  # problem row -> its "Map columns…" button
        self.title = text_label("pageTitle")
        self.subtitle = text_label("pageSubtitle")
        self.orders_card, self.customers_card = MetricCard("trends"), MetricCard("segments")
        self.sales_card, self.refunds_card = MetricCard("trends"), MetricCard()
        self.segments_card, self.target_card = MetricCard("segments"), MetricCard("targeting")
        self.month_chart = MonthChart("trends")
        self.currency_question = CurrencyQuestion()
        self.currency_question.chosen.connect(self.currency_chosen)
        # The row of cards is as tall as its tallest card, never more: spare height belongs to
        # the problems table. Inside the row, every card fills the same height.
        cards_row = QWidget()
        cards_row.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        cards = QHBoxLayout(cards_row)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.setSpacing(12)
        for card in (self.orders_card, self.customers_card, self.sales_card, self.refunds_card):
            cards.addWidget(card)
        # The second row: where the analysis leads (segments, target) and the shop's months.
        insight_row = QWidget()
        insight_row.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        insights = QHBoxLayout(insight_row)
        insights.setContentsMargins(0, 0, 0, 0)
        insights.setSpacing(12)
        # The answers get as much width as the months, and the row is as tall as their wrapped
        # texts need (a card's labels give its height for its width; nothing is cut).
        insights.addWidget(self.segments_card, 1)
        insights.addWidget(self.target_card, 1)
        insights.addWidget(self.month_chart, 1)
        for card in (self.segments_card, self.target_card):
            card.value.setWordWrap(True)
        for card in (self.orders_card, self.customers_card, self.sales_card, self.segments_card,
                     self.target_card, self.month_chart):
            card.clicked.connect(self.page_requested)
        self.add_button = QPushButton()
        self.add_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.add_button.clicked.connect(self.add_files_requested)

        self.files_title = text_label("sectionTitle")
        self.files_table = _read_only_table(6)
        self.files_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            self.files_table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        self.files_table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Fixed)
        self.files_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self.problems_title = text_label("sectionTitle")
        self.no_problems = text_label("okText")
        self.problems_table = _read_only_table(5)
        header = self.problems_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)  # as wide as its button
        self.problems_table.cellDoubleClicked.connect(self._problem_activated)
        self.problems_table.setColumnWidth(0, 200)
        self.problems_table.setColumnWidth(2, 140)
        self.problems_table.setWordWrap(True)
        self.problems_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)

        # The page scrolls when the window is short (a 1366×768 laptop in Chinese): cards are never
        # squeezed into clipped text, and the problems table keeps a useful height.
        body = QWidget()
        body.setObjectName("page")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 12, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.currency_question)  # every figure below depends on the answer
        layout.addSpacing(4)
        layout.addWidget(cards_row)
        layout.addWidget(insight_row)
        layout.addSpacing(4)
        files_head = QHBoxLayout()
        files_head.addWidget(self.files_title)
        files_head.addStretch(1)
        files_head.addWidget(self.add_button)
        layout.addLayout(files_head)
        layout.addWidget(self.files_table)
        layout.addSpacing(8)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.no_problems)
        layout.addWidget(self.problems_table, 1)
        layout.addStretch(0)
        self.problems_table.setMinimumHeight(200)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(page_scroll(body))

    def retranslate(self) -> None:
        self.title.setText(t("ui.summary.title"))
        self.files_title.setText(t("ui.files.heading"))
        self.files_table.setHorizontalHeaderLabels(
            [t(f"ui.files.{key}") for key in ("file", "platform", "report", "encoding", "rows")] + [""])
        self.add_button.setText(t("ui.overview.add_files"))
        self.add_button.setToolTip(t("ui.overview.add_files_tip"))
        for card in (self.orders_card, self.customers_card, self.sales_card, self.segments_card,
                     self.target_card, self.month_chart):
            card.setToolTip(t("ui.overview.open_tip", page=t(f"ui.nav.{card.page}").replace("&&", "&")))
        self.show_segments(self.segments_result)
        self.show_plan(self.plan_result)
        self.problems_table.setHorizontalHeaderLabels(
            [t(f"ui.problems.{key}") for key in ("file", "row", "column", "message", "action")])
        self.no_problems.setText(t("ui.problems.none"))
        self.currency_question.retranslate()
        if self.summary is not None:
            self.show_summary(self.summary)

    def show_segments(self, result) -> None:
        """The Segments card: the segment that brings the most net sales (None: not segmented yet)."""
        self.segments_result = result
        if result is None or not result.table:
            self.segments_card.show_values(t("ui.overview.segments"), [t("ui.overview.not_yet")],
                                           t("ui.overview.segments_wait"))
            return
        from ui.segments_page import map_name, segment_name

        top = max(result.table, key=lambda row: row["net_sales"] or 0)
        self.segments_card.show_values(
            t("ui.overview.segments"), [segment_name(result, top["id"])],
            t("ui.overview.segments_detail", customers=f"{top['customers']:,}",
              customer_share=f"{top['share_customers']:.0%}", sales_share=f"{top['share_net_sales'] or 0:.0%}",
              count=len(result.table), map=map_name(result.map_id)), small=True)

    def show_segments_error(self, text: str) -> None:
        """The Segments card when the customers could not be segmented: why (the page says more)."""
        self.segments_result = None
        self.segments_card.show_values(t("ui.overview.segments"), [t("ui.overview.failed")], text, small=True)

    def show_plan(self, result) -> None:
        """The Target card: the recommended pattern and approach, and why in one sentence from the
        plan's reasons (a small shop's: the group it concentrates on and why). None: no plan yet."""
        self.plan_result = result
        if result is None:
            self.target_card.show_values(t("ui.overview.target"), [t("ui.overview.not_yet")],
                                         t("ui.overview.target_wait"))
            return
        zh = language() != "en"
        detail = t("ui.overview.target_detail", approach=result.approach.name[zh], targets=len(result.targets))
        # A small shop's first reason says it all (whom it concentrates on and why, in numbers).
        reasons = [reason[zh] for reason in result.pattern.reasons[:1 if result.fallback else 2]]
        if reasons:
            why = t("ui.overview.why_separator").join(reasons)
            detail += "\n" + t("ui.overview.why", reasons=why[:1].upper() + why[1:])
        self.target_card.show_values(t("ui.overview.target"), [result.pattern.name[zh]], detail, small=True)

    def show_summary(self, summary: dict, mappable: set[str] | None = None) -> None:
        """Show an import's summary; `mappable` are the files to offer a column mapping for
        (kept from the last call when not given, e.g. when only the language changed)."""
        self.summary = summary
        if mappable is not None:
            self.mappable = set(mappable)
        files = summary["files"]
        period = (t("ui.summary.period", first=summary["first_order"], last=summary["last_order"])
                  if summary.get("first_order") else t("ui.summary.no_orders"))
        self.subtitle.setText(f"{plural('ui.summary.files', len(files))} · {period}")
        self.currency_question.ask(summary.get("unknown_currencies", []))

        by_status = summary["orders_by_status"]
        status_parts = [t("ui.summary.status_line", label=t(f"ui.order_status.{status}"),
                          count=f"{by_status.get(status, 0):,}") for status in STATUSES]
        self.orders_card.show_values(
            t("ui.summary.orders"), [f"{summary['orders']:,}"],
            " · ".join(status_parts[:2]) + "\n" + " · ".join(status_parts[2:]))
        unidentified = summary["unidentified_orders"]
        self.customers_card.show_values(
            t("ui.summary.customers"), [f"{summary['customers']:,}"],
            t("ui.summary.unidentified", count=f"{unidentified:,}") if unidentified
            else t("ui.summary.all_identified"))
        detail = t("ui.summary.net_sales_detail")
        if self.converted_total is not None:  # the whole business in the seller's reporting currency
            detail += "\n" + t("ui.summary.converted_total", amount=money_lines(dict([self.converted_total]))[0])
        self.sales_card.show_values(
            t("ui.summary.net_sales"), money_lines(summary["net_sales"]) or [t("ui.summary.no_money")], detail)
        self.refunds_card.show_values(
            t("ui.summary.refunds"), money_lines(summary["refunds"]) or [t("ui.summary.no_money")],
            t("ui.summary.refunds_detail"))

        self.files_table.setRowCount(len(files))
        for row, info in enumerate(files):
            path = str(info["path"])
            self.files_table.setItem(row, 0, _cell(Path(path).name, tooltip=path))
            self.files_table.setItem(row, 1, _cell(platform_name(info["platform"])))
            self.files_table.setItem(row, 2, _cell(report_name(info["platform"], info["report"])))
            self.files_table.setItem(row, 3, _cell(info["encoding"]))
            self.files_table.setItem(row, 4, _cell(f"{info['rows']:,}", align_right=True))
            self.files_table.removeCellWidget(row, 5)
            if len(files) > 1:  # the last file is not removed: open others instead
                remove = QPushButton(t("ui.overview.remove_file"))
                remove.setObjectName("rowButton")
                remove.setFixedHeight(22)
                remove.setToolTip(t("ui.overview.remove_file_tip", file=Path(path).name))
                remove.clicked.connect(lambda _checked=False, path=path: self.remove_file_requested.emit(path))
                holder = QWidget()  # keeps the button its natural height inside the row
                holder_layout = QHBoxLayout(holder)
                holder_layout.setContentsMargins(4, 1, 4, 1)
                holder_layout.addWidget(remove)
                self.files_table.setCellWidget(row, 5, holder)
        self.files_table.setColumnHidden(5, len(files) <= 1)
        holders = [self.files_table.cellWidget(row, 5) for row in range(len(files))]
        if len(files) > 1:  # as wide as its buttons (contents-sizing does not see cell widgets)
            self.files_table.setColumnWidth(5, max(h.sizeHint().width() for h in holders if h) + CELL_PADDING)
        monthly = summary.get("monthly") or {}
        currency, months = monthly.get("currency", ""), monthly.get("months", [])[-24:]
        self.month_chart.set_data(
            t("ui.overview.months_title", currency=currency),
            [Bar(month[2:].replace("-", "/") if len(months) > 12 else month, amount, short_number(amount),
                 t("ui.overview.month_tip", month=month, amount=f"{currency} {amount:,.2f}"))
             for month, amount in months], t("ui.overview.no_months"), len(months) - 1 if months else None)
        # Show every file without an inner scroll bar, up to six; the problems get the rest.
        visible_rows = min(max(len(files), 1), 6)
        self.files_table.setFixedHeight(
            self.files_table.horizontalHeader().sizeHint().height()
            + visible_rows * self.files_table.verticalHeader().defaultSectionSize() + 4)

        problems = summary["problems"]
        self.problems_title.setText(t("ui.problems.heading", count=f"{len(problems):,}"))
        self.problems_title.setProperty("warning", bool(problems))
        self.problems_title.style().unpolish(self.problems_title)
        self.problems_title.style().polish(self.problems_title)
        self.no_problems.setVisible(not problems)
        self.problems_table.setVisible(bool(problems))
        no_value = t("ui.problems.no_value")
        self.problems_table.setRowCount(0)  # also drops the buttons of the previous rows
        self.problems_table.setRowCount(len(problems))
        self.map_buttons = {}
        offered: set[str] = set()
        for row, problem in enumerate(problems):
            path = str(problem["file"] or "")
            message = str(problem["message"])
            self.problems_table.setItem(row, 0, _cell(Path(path).name if path else no_value, tooltip=path))
            self.problems_table.setItem(
                row, 1, _cell(no_value if problem["row"] is None else problem["row"], align_right=True))
            self.problems_table.setItem(row, 2, _cell(problem["column"] or no_value))
            self.problems_table.setItem(row, 3, _cell(message, tooltip=message))
            if path in self.mappable and path not in offered:
                offered.add(path)
                self._add_map_button(row, path)
        self.problems_table.setColumnHidden(4, not self.map_buttons)
        if self.map_buttons:
            holders = [self.problems_table.cellWidget(row, 4) for row in self.map_buttons]
            header = self.problems_table.horizontalHeader()
            self.problems_table.setColumnWidth(4, max(
                [header.sectionSizeFromContents(4).width()]
                + [holder.sizeHint().width() + CELL_PADDING for holder in holders]))
        self.problems_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if len(problems) <= WRAP_PROBLEMS_UP_TO
            else QHeaderView.ResizeMode.Fixed)

    def _add_map_button(self, row: int, path: str) -> None:
        button = QPushButton(t("ui.problems.map_button"))
        button.setObjectName("mapButton")
        button.setToolTip(t("ui.problems.map_tip"))
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _checked=False, path=path: self.map_requested.emit(path))
        holder = QWidget()  # keeps the button its natural height, centred in a tall row
        layout = QHBoxLayout(holder)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.problems_table.setCellWidget(row, 4, holder)
        for column in range(4):
            item = self.problems_table.item(row, column)
            item.setToolTip("\n\n".join(x for x in (item.toolTip(), t("ui.problems.map_tip")) if x))
        self.map_buttons[row] = button

    def _problem_activated(self, row: int, _column: int) -> None:
        if row in self.map_buttons:
            self.map_buttons[row].click()
