"""Campaigns: the saved campaigns, and for the one chosen its plan, how alike its two groups were
at the start, and — from the exports on screen — what it did: the verdict, both groups side by
side with the uplift and its interval, the groups' repeat purchases day by day, and who changed
segment. A campaign is created from the Strategy page or a persona card (Create campaign…).

Work that reads or writes files or measures runs in Jobs (core.campaigns on a pool thread); the
widgets only show plain numbers and texts.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QDate, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QFileDialog, QFormLayout, QFrame, QHBoxLayout, QHeaderView,
    QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QSizePolicy, QSpinBox,
    QTableWidget, QTableWidgetItem, QToolTip, QVBoxLayout, QWidget,
)

from core.i18n import language, t
from ui import theme
from ui.charts import GRID, MUTED, TEXT, _font
from ui.widgets import (
    BusyBar, button_row, cancel_ok, error_text, page_header, page_scaffold, page_scroll, select_data,
    text_label, tidy_table,
)
from ui.worker import Job

WINDOWS = (7, 14, 30, 60, 90)  # days the results can be counted over
DEFAULT_WINDOW = 30
GROUPS = ("campaign", "control")
CAMPAIGN_COLOUR = QColor(theme.ACCENT)
CONTROL_COLOUR = QColor("#d97706")
ROW_HEIGHT = 26
# The verdict's edge: green worth it, red worse, amber too early or unknown; blue otherwise.
STATUS_COLOURS = {"worth_it": "#059669", "harm": "#dc2626", "too_early": "#d97706", "no_control": "#d97706",
                  "too_few": "#d97706", "no_data": "#9ca3af"}


@dataclass
class CampaignDraft:
    """What the Create campaign dialog starts from: the segmentation the plan used, the target
    segment and its name, its strategy as actions, and the files the book was read from."""

    seg: Any
    segment: str
    segment_name: str
    actions: list[dict] = field(default_factory=list)  # {"segment", "mix", "text"}
    source_files: list[str] = field(default_factory=list)


def draft_from_plan(result: Any, segment: str, book: Any) -> CampaignDraft | None:
    """A draft for `segment` of the Targeting page's result (None without a plan)."""
    if result is None or getattr(result, "plan", None) is None:
        return None
    strategies = result.strategies.get(language()) or result.strategies.get("en", {})
    strategy = strategies.get(segment)
    actions = []
    if strategy is not None:
        actions.append({"segment": segment, "mix": "goal", "text": strategy.goal})
        actions += [{"segment": segment, "mix": a.mix, "text": a.text} for a in strategy.actions]
    files = [str(f.path) for f in getattr(book, "files", ())] if book is not None else []
    plan = result.plan
    seg = getattr(plan, "target_seg", plan.seg)  # a small shop's fallback group has its own segmentation
    if segment not in seg.labels:
        seg = plan.seg
    return CampaignDraft(seg, segment, result.name(segment), actions, files)


# Pool thread ------------------------------------------------------------------------------------
def create_job(draft: CampaignDraft, name: str, start: dt.date, share: float, seed: int | None,
               actions: list[dict], progress) -> Any:
    """Draw the control group and save the campaign (atomically). Returns the Campaign."""
    from core.campaigns import new_campaign, save_campaign

    progress.report(0.2, "campaigns.progress.creating")
    campaign = new_campaign(draft.seg, [draft.segment], name, start, actions, share, seed, draft.source_files)
    progress.check_cancelled()
    save_campaign(campaign)
    progress.report(1.0, "progress.done")
    return campaign


def results_job(campaign: Any, book: Any, window: int, progress) -> Any:
    from core.campaigns import campaign_results

    return campaign_results(campaign, book, window, progress=progress)


def contacts_job(campaign: Any, book: Any, progress) -> tuple[Any, Any, int]:
    """The book segmented as the campaign was: (that Segmentation, it narrowed to the campaign
    group, members of the campaign group it lacks)."""
    from core.campaigns import campaign_segmentation, segment_like
    from core.jobs import sub

    progress.report(0.05, "campaigns.progress.listing")
    seg = segment_like(campaign, book, sub(progress, 0.05, 0.95))
    group, missing = campaign_segmentation(campaign, seg)
    progress.report(1.0, "progress.done")
    return seg, group, missing


def save_results_job(res: Any, path: str, lang: str, protect: tuple[str, ...], progress) -> Any:
    """Export results…: the figures, verdict and notes as a CSV or XLSX table (atomic, never over
    an input file). Returns the SavedList."""
    from core.campaigns import results_table
    from core.exports import write_customer_list

    progress.report(0.3, "progress.export_writing", rows=str(len(res.outcomes)))
    saved = write_customer_list(results_table(res, lang), path, force=True, lang=lang, protect=protect)
    progress.report(1.0, "progress.done")
    return saved


# Formatting -------------------------------------------------------------------------------------
def _zh() -> bool:
    return language().startswith("zh")


def fmt_share(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value * 100:.1f}"
    return f"{text}%" if _zh() else f"{text} %"


def fmt_number(value: float | None, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{decimals}f}"


def fmt_signed(value: float, decimals: int = 2) -> str:
    return f"{value:+,.{decimals}f}".replace("-", "−")


def _cell(text: str, right: bool = False, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def small_table(columns: int) -> QTableWidget:
    """A read-only table as tall as its rows (the page scrolls, not the table)."""
    table = QTableWidget(0, columns)
    tidy_table(table, ROW_HEIGHT)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    return table


def fill_table(table: QTableWidget, headers: list[str], rows: list[list[str]], right_from: int = 1) -> None:
    table.setColumnCount(len(headers))
    table.setRowCount(len(rows))
    for c, text in enumerate(headers):
        table.setHorizontalHeaderItem(c, _cell(text, right=c >= right_from))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, _cell(text, right=c >= right_from))
    header = table.horizontalHeader()
    for c in range(len(headers)):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents if c == 0
                                    else QHeaderView.ResizeMode.Stretch)
    rows_height = sum(table.rowHeight(r) for r in range(len(rows)))
    table.setFixedHeight(header.sizeHint().height() + rows_height + 2 * table.frameWidth() + 2)


# The chart --------------------------------------------------------------------------------------
@dataclass
class GroupsChartData:
    """Each group's cumulative share who bought again, per day since the start."""

    dates: list[str]
    series: dict[str, list[float]]  # group -> values
    legend: dict[str, str]  # group -> text
    title: str = ""
    empty_text: str = ""


class GroupsChart(QWidget):
    """Both groups' repeat purchases over time: the campaign group solid, the control group
    dashed; days along the bottom, the share who bought again on the left."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.data: GroupsChartData | None = None
        self._slots: list[tuple[QRectF, str]] = []
        self.setMouseTracking(True)
        self.setMinimumSize(360, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(260)

    def set_data(self, data: GroupsChartData | None) -> None:
        self.data = data
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(720, 260)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        data = self.data
        font = _font(self, -1)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        line = metrics.height()
        self._slots = []
        if data is None or not data.dates or not data.series:
            painter.setPen(MUTED)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             data.empty_text if data else "")
            return
        painter.setPen(TEXT)
        painter.setFont(_font(self, 0, bold=True))
        painter.drawText(QRectF(4, 2, self.width() - 8, line + 2), Qt.AlignmentFlag.AlignLeft, data.title)
        painter.setFont(font)
        legend_y = line + 8
        x = 4.0
        for group, text in data.legend.items():
            colour = CAMPAIGN_COLOUR if group == "campaign" else CONTROL_COLOUR
            style = Qt.PenStyle.SolidLine if group == "campaign" else Qt.PenStyle.DashLine
            painter.setPen(QPen(colour, 2.4, style))
            painter.drawLine(QPointF(x, legend_y + line / 2), QPointF(x + 22, legend_y + line / 2))
            painter.setPen(TEXT)
            painter.drawText(QRectF(x + 28, legend_y, metrics.horizontalAdvance(text) + 4, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            x += 28 + metrics.horizontalAdvance(text) + 22
        values = [v for vs in data.series.values() for v in vs]
        peak = max(max(values, default=0.0), 0.01)
        step = _nice_step(peak / 4)
        ticks = [step * i for i in range(int(math.ceil(peak * 1.05 / step)) + 1)]
        top_value = ticks[-1]
        left = max(metrics.horizontalAdvance(fmt_share(v)) for v in ticks) + 12
        plot = QRectF(left, legend_y + line + 10, self.width() - left - 16,
                      self.height() - legend_y - line * 2 - 22)
        if plot.width() < 60 or plot.height() < 40:
            return
        count = len(data.dates)
        x_step = plot.width() / max(count - 1, 1)

        def px(i: int) -> float:
            return plot.left() + i * x_step

        def py(v: float) -> float:
            return plot.bottom() - plot.height() * max(v, 0.0) / top_value

        for value in ticks:
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(plot.left(), py(value)), QPointF(plot.right(), py(value)))
            painter.setPen(MUTED)
            painter.drawText(QRectF(0, py(value) - line / 2, left - 6, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, fmt_share(value))
        for group in ("control", "campaign"):  # the campaign line drawn last, on top
            values = data.series.get(group)
            if not values:
                continue
            colour = CAMPAIGN_COLOUR if group == "campaign" else CONTROL_COLOUR
            style = Qt.PenStyle.SolidLine if group == "campaign" else Qt.PenStyle.DashLine
            painter.setPen(QPen(colour, 2.4, style))
            points = [QPointF(px(i), py(v)) for i, v in enumerate(values)]
            for a, b in zip(points, points[1:]):
                painter.drawLine(a, b)
            if len(points) == 1:
                painter.drawEllipse(points[0], 3.0, 3.0)
        painter.setPen(QPen(MUTED, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        widest = max(metrics.horizontalAdvance(d) for d in data.dates) + 12
        every = max(1, math.ceil(widest / max(x_step, 1)))
        free_until = self.width() + 1.0
        for i in range(count - 1, -1, -every):  # the last day always shows
            edge = min(max(0.0, px(i) - widest / 2), self.width() - widest)
            if edge + widest > free_until:
                continue
            painter.drawText(QRectF(edge, plot.bottom() + 4, widest, line),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, data.dates[i])
            free_until = edge
        for i, date in enumerate(data.dates):
            tip = [date] + [f"{data.legend.get(g, g)}: {fmt_share(vs[i])}" for g, vs in data.series.items()
                            if i < len(vs)]
            self._slots.append((QRectF(px(i) - x_step / 2, plot.top(), x_step, plot.height()), "\n".join(tip)))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        for rect, tip in self._slots:
            if rect.contains(event.position()):
                QToolTip.showText(event.globalPosition().toPoint(), tip, self)
                return
        QToolTip.hideText()


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least `raw`."""
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


# The dialog -------------------------------------------------------------------------------------
class CampaignDialog(QDialog):
    """Create campaign: its name, start, the control share (default 10 %, 0 allowed), the
    strategy actions to run, and an optional seed; says what the control group is for."""

    def __init__(self, draft: CampaignDraft, parent: QWidget | None = None):
        super().__init__(parent)
        self.draft = draft
        self.setObjectName("mappingDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.setMinimumWidth(560)
        self.setMaximumWidth(760)
        self.title = text_label("pageTitle", wrap=True)
        self.intro = text_label("dialogText", wrap=True)
        self.name_edit = QLineEdit()
        self.start_edit = QDateEdit()
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("yyyy-MM-dd")
        self.start_edit.setDate(QDate.currentDate())
        self.share_spin = QSpinBox()
        self.share_spin.setRange(0, 50)
        self.share_spin.setValue(10)
        self.share_spin.setSuffix(" %")
        self.seed_edit = QLineEdit()
        self.form = QFormLayout()
        self.form.setSpacing(8)
        self.labels = {key: text_label("fieldLabel") for key in ("name", "start", "share", "seed")}
        self.form.addRow(self.labels["name"], self.name_edit)
        self.form.addRow(self.labels["start"], self.start_edit)
        self.form.addRow(self.labels["share"], self.share_spin)
        self.form.addRow(self.labels["seed"], self.seed_edit)
        self.control_note = text_label("dialogNote", wrap=True)
        self.actions_title = text_label("sectionTitle")
        self.action_boxes: list[tuple[QCheckBox, dict]] = []
        self.action_labels: list[QWidget] = []
        actions = QVBoxLayout()
        actions.setSpacing(4)
        for action in draft.actions:  # a box and a wrapped text: strategy actions are long sentences
            box = QCheckBox()
            box.setChecked(True)
            label = text_label("dialogText", wrap=True)
            label.setBuddy(box)
            row = QHBoxLayout()
            row.setSpacing(6)
            row.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(label, 1)
            self.action_boxes.append((box, action))
            self.action_labels.append(label)
            actions.addLayout(row)
        self.error = text_label("dialogNote", wrap=True)
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.hide()
        self.cancel_button, self.ok_button = cancel_ok(self, self._check_and_accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.control_note)
        layout.addWidget(self.actions_title)
        holder = QWidget()
        holder.setObjectName("page")
        holder.setLayout(actions)
        actions.setContentsMargins(0, 0, 8, 0)
        actions.addStretch(1)
        self.actions_scroll = page_scroll(holder)  # strategies have a dozen long actions
        self.actions_scroll.setFixedHeight(min(240, 46 * max(len(draft.actions), 1)))
        layout.addWidget(self.actions_scroll, 1)
        layout.addWidget(self.error)
        layout.addLayout(button_row(right=(self.cancel_button, self.ok_button)))
        self.share_spin.valueChanged.connect(self._show_control_note)
        self.retranslate()
        self.name_edit.setText(t("ui.campaigns.default_name", segment=draft.segment_name,
                                 date=dt.date.today().isoformat()))
        self._fit()

    def _fit(self, width: int = 640) -> None:
        """As tall as its wrapped texts need at `width` (a dialog's layout sizes them one line high)."""
        height = self.layout().totalHeightForWidth(width)
        self.setMinimumHeight(height)
        self.resize(width, height)

    def retranslate(self) -> None:
        self.setWindowTitle(t("ui.campaigns.dialog_title"))
        self.title.setText(t("ui.campaigns.dialog_title"))
        members = int((self.draft.seg.customers["segment"] == self.draft.segment).sum())
        self.intro.setText(t("ui.campaigns.dialog_intro", segment=self.draft.segment_name, customers=f"{members:,}"))
        for key, label in self.labels.items():
            label.setText(t(f"ui.campaigns.field_{key}"))
        self.seed_edit.setPlaceholderText(t("ui.campaigns.seed_placeholder"))
        self.actions_title.setText(t("ui.campaigns.actions_title"))
        for label, (_box, action) in zip(self.action_labels, self.action_boxes):
            label.setText(t("ui.campaigns.action_item", mix=t(f"ui.campaigns.mix_{action.get('mix', 'promotion')}"),
                            text=action["text"]))
        self.cancel_button.setText(t("ui.campaigns.cancel"))
        self.ok_button.setText(t("ui.campaigns.create_button"))
        self._show_control_note()

    def _show_control_note(self) -> None:
        share = self.share_spin.value()
        self.control_note.setText(t("ui.campaigns.control_note", share=share) if share
                                  else t("ui.campaigns.no_control_note"))

    def values(self) -> tuple[str, dt.date, float, int | None, list[dict]]:
        """(name, start, control share, seed or None, the ticked actions)."""
        date = self.start_edit.date()
        seed_text = self.seed_edit.text().strip()
        seed = int(seed_text) if seed_text.isdigit() else None
        actions = [action for box, action in self.action_boxes if box.isChecked()]
        return (self.name_edit.text().strip(), dt.date(date.year(), date.month(), date.day()),
                self.share_spin.value() / 100, seed, actions)

    def _check_and_accept(self) -> None:
        seed_text = self.seed_edit.text().strip()
        if not self.name_edit.text().strip():
            self.error.setText(t("campaigns.no_name"))
        elif seed_text and not seed_text.isdigit():
            self.error.setText(t("ui.campaigns.bad_seed", seed=seed_text))
        else:
            self.accept()
            return
        self.error.show()


# The page ---------------------------------------------------------------------------------------
class CampaignsPage(QWidget):
    """The campaign list on the left; the chosen campaign's plan, results, chart, segment moves
    and balance on the right."""

    results_finished = Signal(str)  # a results run: "success", "failure", "cancelled" or "stale"
    work_finished = Signal(str)  # creating, listing contacts or saving results
    created = Signal(object)  # the Campaign just saved
    export_requested = Signal(object)  # a ui.saving.ListRequest of the campaign group (CSV/XLSX)
    audience_requested = Signal(object)  # the same for the hashed audience list

    def __init__(self):
        super().__init__()
        self.book: Any = None
        self.protect: tuple[str, ...] = ()  # the files on screen: never written over
        self.campaigns: list[Any] = []
        self.problems: list[Any] = []
        self.current: Any = None
        self.results: Any = None
        self.error: BaseException | None = None
        self.note: tuple[str, dict] | None = None  # the last action's outcome, as a catalog text
        self.stopped = False  # the last measurement was cancelled
        self._pending = False  # a measurement waits for the page to be shown
        self.dialog: CampaignDialog | None = None
        self._job: Job | None = None
        self._work: Job | None = None
        self._build()
        self.retranslate()
        self.reload()

    # Building --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = text_label("pageTitle")
        self.window_label = text_label("fieldLabel")
        self.window_combo = QComboBox()
        for days in WINDOWS:
            self.window_combo.addItem("", days)
        self.window_combo.setCurrentIndex(WINDOWS.index(DEFAULT_WINDOW))
        self.window_combo.currentIndexChanged.connect(lambda _i: self.measure())
        self.busy = BusyBar()
        self.busy.cancel_button.clicked.connect(self.cancel)
        header = page_header(self.title, (self.window_label, self.window_combo), right=self.busy)

        self.campaign_list = QListWidget()
        self.campaign_list.setObjectName("segmentList")
        self.campaign_list.setFixedWidth(250)
        self.campaign_list.setWordWrap(True)
        self.campaign_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.campaign_list.currentItemChanged.connect(self._chosen)
        self.problems_label = text_label("cutsCaption", wrap=True)
        self.problems_label.setFixedWidth(250)
        left = QVBoxLayout()
        left.setSpacing(6)
        left.addWidget(self.campaign_list, 1)
        left.addWidget(self.problems_label)

        self.name = text_label("pageTitle", wrap=True)
        self.plan_text = text_label("pageSubtitle", wrap=True)
        self.groups_text = text_label("cutsCaption", wrap=True)
        self.export_button, self.ads_button = QPushButton(), QPushButton()
        self.results_button, self.delete_button = QPushButton(), QPushButton()
        self.export_button.clicked.connect(lambda: self.export_contacts(hashed=False))
        self.ads_button.clicked.connect(lambda: self.export_contacts(hashed=True))
        self.results_button.clicked.connect(self.export_results)
        self.delete_button.clicked.connect(self.delete_current)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for button in (self.export_button, self.ads_button, self.results_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        self.note_label = text_label("infoBanner", wrap=True)
        self.note_label.hide()

        self.results_title = text_label("sectionTitle")
        self.verdict_box = QFrame()
        self.verdict_box.setObjectName("goalBox")
        self.verdict = text_label("goalText", wrap=True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        verdict_layout = QVBoxLayout(self.verdict_box)
        verdict_layout.setContentsMargins(14, 10, 14, 12)
        verdict_layout.addWidget(self.verdict)
        self.figures = small_table(4)
        self.notes = text_label("cutsCaption", wrap=True)
        self.chart = GroupsChart()
        self.moves_title = text_label("sectionTitle")
        self.moves_text = text_label("cutsCaption", wrap=True)
        self.moves = small_table(3)
        self.balance_title = text_label("sectionTitle")
        self.balance_text = text_label("cutsCaption", wrap=True)
        self.balance = small_table(3)
        self.actions_title = text_label("sectionTitle")
        self.actions_text = text_label("choiceText", wrap=True)
        self.actions_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        detail = QWidget()
        detail.setObjectName("page")
        d = QVBoxLayout(detail)
        d.setContentsMargins(4, 0, 8, 8)
        d.setSpacing(8)
        for widget in (self.name, self.plan_text, self.groups_text):
            d.addWidget(widget)
        d.addLayout(buttons)
        d.addWidget(self.note_label)
        d.addSpacing(4)
        for widget in (self.results_title, self.verdict_box, self.figures, self.notes, self.chart, self.moves_title,
                       self.moves_text, self.moves, self.balance_title, self.balance_text, self.balance,
                       self.actions_title, self.actions_text):
            d.addWidget(widget)
        d.addStretch(1)
        self.detail = detail
        self.detail_scroll = page_scroll(detail)

        body = QWidget()
        b = QHBoxLayout(body)
        b.setContentsMargins(0, 0, 0, 0)
        b.setSpacing(14)
        b.addLayout(left)
        b.addWidget(self.detail_scroll, 1)
        self.body = body
        self.empty, self.content = page_scaffold(self, header, shown=body, spacing=10)

    # Data ------------------------------------------------------------------------------------
    def set_book(self, book: Any, protect: tuple[str, ...] = ()) -> None:
        """The exports on screen: the chosen campaign is measured in them."""
        self.book = book
        self.protect = tuple(protect) or tuple(str(f.path) for f in getattr(book, "files", ()))
        self.results = None  # of other exports
        self.measure()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # After the event: restyling widgets while Qt shows them is not safe.
        QTimer.singleShot(0, self._measure_if_waiting)

    def _measure_if_waiting(self) -> None:
        if self.isVisible() and (self._pending or (self.stopped and self.results is None)):
            self.measure()  # asked for while hidden, or stopped

    def window_days(self) -> int:
        return int(self.window_combo.currentData())

    def saved_settings(self) -> dict:
        """What re-opening the same files brings back (see ui.settings): the measuring window."""
        return {"window": self.window_days()}

    def restore_settings(self, saved: dict) -> None:
        """The saved window, without measuring (the next book is measured with it)."""
        if saved.get("window") in WINDOWS:
            select_data(self.window_combo, saved["window"])

    def reload(self, select: str | None = None) -> None:
        """Read the campaigns folder again (small files: on this thread) and show the list."""
        from core.campaigns import list_campaigns

        keep = select or (self.current.id if self.current is not None else None)
        self.campaigns, self.problems = list_campaigns()
        self.campaign_list.blockSignals(True)
        self.campaign_list.clear()
        for campaign in self.campaigns:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, campaign.id)
            self.campaign_list.addItem(item)
        self.campaign_list.blockSignals(False)
        self._label_items()
        ids = [c.id for c in self.campaigns]
        self.current = None
        if ids:
            self.campaign_list.setCurrentRow(ids.index(keep) if keep in ids else 0)
        else:
            self._show_state()

    def _label_items(self) -> None:
        for row, campaign in enumerate(self.campaigns):
            item = self.campaign_list.item(row)
            item.setText(t("ui.campaigns.list_item", name=campaign.name, start=campaign.start.isoformat(),
                           segments=campaign.segments_text(language()), members=f"{len(campaign.members):,}"))
            item.setToolTip(str(campaign.path))

    def _chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        wanted = item.data(Qt.ItemDataRole.UserRole)
        self.current = next((c for c in self.campaigns if c.id == wanted), None)
        self.results, self.error, self.note = None, None, None
        self.measure()

    def measure(self) -> Job | None:
        """Measure the chosen campaign in the book on screen, in the background (once the page
        is shown: after an import it would only slow the other pages down). The results on
        screen stay until new ones replace them."""
        if self._job is not None:
            self._job.cancel()
        self.error, self.stopped = None, False
        self._pending = not self.isVisible()
        if self.current is None or self.book is None or self._pending:
            self._show_state()
            return None
        self.busy.start(t("ui.progress.starting"))
        self._job = (Job(results_job, self.current, self.book, self.window_days())
                     .on_progress(self.busy.show_progress).on_success(self._measured)
                     .on_failure(self._failed).on_cancelled(self._stopped))
        self._job.finished.connect(self._results_finished)
        self._show_state()
        return self._job.start(self, "results")

    def _measured(self, res: Any) -> None:
        self.results = res

    def _failed(self, error: BaseException) -> None:
        self.error = error

    def _stopped(self) -> None:
        self.stopped = True

    def _results_finished(self, outcome: str) -> None:
        if outcome != "stale":
            self.busy.hide()
            self._job = None
            self._show_state()
        self.results_finished.emit(outcome)

    def cancel(self) -> None:
        for job in (self._job, self._work):
            if job is not None:
                job.cancel()
        self.busy.cancelling()

    def is_running(self) -> bool:
        return any(job is not None and job.is_running() for job in (self._job, self._work))

    # Creating --------------------------------------------------------------------------------
    def ask_new(self, draft: CampaignDraft | None) -> CampaignDialog | None:
        """Open the Create campaign dialog (window-modal, returned for tests); on OK the campaign
        is drawn and saved in a Job."""
        if draft is None:
            return None
        dialog = CampaignDialog(draft, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.create(draft, *dialog.values()))
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def create(self, draft: CampaignDraft, name: str, start: dt.date, share: float, seed: int | None,
               actions: list[dict]) -> Job:
        return self._start_work(Job(create_job, draft, name, start, share, seed, actions), self._created)

    def _created(self, campaign: Any) -> None:
        self.reload(select=campaign.id)
        self._say("ui.campaigns.created_note", name=campaign.name, campaign=f"{campaign.size('campaign'):,}",
                  control=f"{campaign.size('control'):,}", seed=campaign.seed)
        self.created.emit(campaign)

    # Exports ---------------------------------------------------------------------------------
    def export_contacts(self, hashed: bool = False) -> Job | None:
        """Export contact list… / Export for ads…: the campaign group only (never the control
        group), from the book on screen; the window asks where to save."""
        if self.current is None or self.book is None:
            self._say("ui.campaigns.need_data")
            return None
        campaign = self.current
        return self._start_work(Job(contacts_job, campaign, self.book),
                                lambda found: self._contacts_ready(campaign, found, hashed))

    def _contacts_ready(self, campaign: Any, found: tuple[Any, Any, int], hashed: bool) -> None:
        from ui.saving import ListRequest

        seg, group, missing = found
        keys = tuple(k for k in campaign.keys("campaign") if k in group.customers.index)
        segments = tuple(s for s in campaign.segments if s in seg.labels) or None  # None: by keys alone
        name = f"campaign-{campaign.id}"
        if missing:
            self._say("ui.campaigns.missing_note", count=f"{missing:,}")
        if hashed:
            self.audience_requested.emit(ListRequest(segments, None, len(keys), seg=group, name=name))
        else:
            self.export_requested.emit(ListRequest(segments, keys, len(keys), seg=seg, name=name))

    def export_results(self) -> Job | None:
        """Export results…: the figures, verdict and notes as an Excel or CSV table."""
        from core.exports import ExportError, check_target
        from ui.saving import default_list_suffix, list_filters, suggested_list, with_suffix

        if self.results is None:
            self._say("ui.campaigns.no_results_yet")
            return None
        filters = list_filters()
        default = default_list_suffix(0)
        path, chosen = QFileDialog.getSaveFileName(self, t("ui.campaigns.results_title_dialog"),
                                                   str(suggested_list(f"results-{self.current.id}", default)),
                                                   ";;".join(filters.values()), filters[default])
        if not path:
            return None
        target, _added = with_suffix(path, chosen, default, filters)
        try:
            check_target(target, force=True, protect=self.protect)
        except ExportError as error:
            QMessageBox.warning(self, t("ui.export.error_title"), error.problem.message(language()))
            return None
        return self._start_work(Job(save_results_job, self.results, str(target), language(), self.protect),
                                lambda saved: self._say("ui.campaigns.results_saved", path=str(saved.path)))

    def delete_current(self) -> bool:
        """Delete the chosen campaign's file after asking."""
        from core.campaigns import CampaignError, delete_campaign

        campaign = self.current
        if campaign is None:
            return False
        answer = QMessageBox.question(self, t("ui.campaigns.delete_title"),
                                      t("ui.campaigns.delete_text", name=campaign.name, path=str(campaign.path)))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            delete_campaign(campaign)
        except CampaignError as error:
            QMessageBox.warning(self, t("ui.export.error_title"), error.problem.message(language()))
            return False
        self.current, self.results = None, None
        self.reload()
        self._say("ui.campaigns.deleted_note", name=campaign.name)
        return True

    def _start_work(self, job: Job, on_success) -> Job:
        if self._work is not None:
            self._work.cancel()
        self.busy.start(t("ui.progress.starting"))
        self._work = job.on_progress(self.busy.show_progress).on_success(on_success).on_failure(self._work_failed)
        self._work.finished.connect(self._work_finished)
        return self._work.start(self, "work")

    def _work_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, t("ui.export.error_title"), error_text("ui.campaigns.failed", error))

    def _work_finished(self, outcome: str) -> None:
        if outcome != "stale":
            self._work = None
            if self._job is None:
                self.busy.hide()
        self.work_finished.emit(outcome)

    def _say(self, key: str, **params) -> None:
        self.note = (key, params)
        self._show_note()

    def _show_note(self) -> None:
        if self.note is None:
            self.note_label.hide()
            return
        key, params = self.note
        self.note_label.setText(t(key, **params))
        self.note_label.show()

    # Showing ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(t("ui.campaigns.title"))
        self.window_label.setText(t("ui.campaigns.window"))
        for i, days in enumerate(WINDOWS):
            self.window_combo.setItemText(i, t("ui.campaigns.window_days", days=days))
        self.busy.cancel_button.setText(t("ui.progress.cancel"))
        self.export_button.setText(t("ui.campaigns.export_list"))
        self.export_button.setToolTip(t("ui.campaigns.export_list_tip"))
        self.ads_button.setText(t("ui.campaigns.export_ads"))
        self.ads_button.setToolTip(t("ui.campaigns.export_list_tip"))
        self.results_button.setText(t("ui.campaigns.export_results"))
        self.delete_button.setText(t("ui.campaigns.delete"))
        self._label_items()
        if self.dialog is not None:
            self.dialog.retranslate()
        self._show_state()

    def _show_state(self) -> None:
        has = bool(self.campaigns)
        self.content.setCurrentWidget(self.body if has else self.empty)
        self.empty.setText(t("ui.campaigns.empty"))
        self.problems_label.setText("\n".join(t("ui.campaigns.problem", message=p.message(language()))
                                              for p in self.problems))
        self.problems_label.setVisible(bool(self.problems))
        if not has:
            return
        self._show_note()
        campaign = self.current
        for button in (self.export_button, self.ads_button, self.results_button, self.delete_button):
            button.setEnabled(campaign is not None)
        if campaign is None:
            return
        self._show_plan(campaign)
        self._show_results()
        self._show_balance(campaign)

    def _show_plan(self, campaign: Any) -> None:
        from core.segments.maps import MAP_IDS, load_map

        map_name = (load_map(campaign.map_id).name_zh if _zh() else load_map(campaign.map_id).name) \
            if campaign.map_id in MAP_IDS else campaign.map_id
        self.name.setText(campaign.name)
        self.plan_text.setText(t("ui.campaigns.plan_line", segments=campaign.segments_text(language()), map=map_name,
                                 start=campaign.start.isoformat(), date=campaign.analysis_date.isoformat()))
        control = campaign.size("control")
        self.groups_text.setText(t("ui.campaigns.groups_line", campaign=f"{campaign.size('campaign'):,}",
                                   control=f"{control:,}", share=fmt_share(campaign.control_share),
                                   seed=campaign.seed) if control else
                                 t("ui.campaigns.groups_line_no_control", campaign=f"{campaign.size('campaign'):,}"))
        self.actions_title.setText(t("ui.campaigns.actions_title"))
        lines = [t("ui.campaigns.action_item", mix=t(f"ui.campaigns.mix_{a.get('mix', 'promotion')}"), text=a["text"])
                 for a in campaign.actions]
        self.actions_text.setText("\n".join("• " + line for line in lines) or t("ui.campaigns.no_actions"))

    def _show_results(self) -> None:
        from core.campaigns import changed_segment, note_text, segment_now_name, verdict

        res, campaign = self.results, self.current
        shown = res is not None and res.campaign is campaign
        self.results_title.setText(t("ui.campaigns.results_heading",
                                     days=res.window if shown else self.window_days()))
        for widget in (self.figures, self.chart, self.moves_title, self.moves_text, self.moves):
            widget.setVisible(shown and bool(res.covered_days))
        if self.error is not None:
            self.verdict.setText(error_text("ui.campaigns.failed", self.error))
        elif self.book is None:
            self.verdict.setText(t("ui.campaigns.need_data"))
        elif not shown:
            self.verdict.setText(t("ui.campaigns.stopped") if self.stopped else t("ui.campaigns.measuring"))
        else:
            self.verdict.setText(verdict(res, language()))
        colour = STATUS_COLOURS.get(res.status if shown and self.error is None else "", theme.ACCENT)
        if self.verdict_box.property("edge") != colour:  # restyle only on a change
            self.verdict_box.setProperty("edge", colour)
            self.verdict_box.setStyleSheet(f"#goalBox {{ border-left: 4px solid {colour}; }}")
        self.notes.setText("\n".join(note_text(n, language()) for n in res.notes) if shown else "")
        self.notes.setVisible(shown and bool(res.notes))
        if not shown or not res.covered_days:
            return
        currency = campaign.currency
        groups = [g for g in GROUPS if res.groups.get(g) is not None]
        headers = [t("campaigns.column.measure")] + [t(f"campaigns.group.{g}") for g in groups]
        if res.uplift:
            headers.append(t("ui.campaigns.uplift_header"))

        def row(key, attr, kind, uplift_key=None):
            values = []
            for g in groups:
                v = getattr(res.groups[g], attr)
                values.append(fmt_share(v) if kind == "share" else f"{v:,}" if kind == "count"
                              else fmt_number(v, 3 if kind == "ratio" else 2))
            cells = [t(f"campaigns.measure.{key}", currency=currency), *values]
            if res.uplift:
                u = res.uplift.get(uplift_key) if uplift_key else None
                if u is None or not math.isfinite(u.low):
                    cells.append("")
                elif kind == "share":
                    cells.append(t("ui.campaigns.uplift_points", diff=fmt_signed(u.estimate * 100, 1),
                                   low=fmt_signed(u.low * 100, 1), high=fmt_signed(u.high * 100, 1)))
                else:
                    d = 3 if kind == "ratio" else 2
                    cells.append(t("ui.campaigns.uplift_value", diff=fmt_signed(u.estimate, d), low=fmt_signed(u.low, d),
                                   high=fmt_signed(u.high, d)))
            return cells

        rows = [row("customers", "customers", "count"), row("bought_again", "buyers", "count"),
                row("repeat_share", "repeat_share", "share", "repeat_share"),
                row("orders_per_customer", "orders_per_customer", "ratio", "orders_per_customer"),
                row("net_per_customer", "net_per_customer", "money", "net_per_customer"),
                row("aov", "aov", "money"), row("absent", "absent", "count")]
        fill_table(self.figures, headers, rows)
        dates = [d[5:] for d in res.daily["date"]]
        self.chart.set_data(GroupsChartData(
            dates, {g: [float(v) for v in res.daily[f"{g}_share"]] for g in groups},
            {g: t(f"campaigns.group.{g}") for g in groups}, t("ui.campaigns.chart_title"),
            t("ui.campaigns.chart_empty")))
        self.moves_title.setText(t("ui.campaigns.moves_title"))
        changed = changed_segment(res)
        if res.migration is None or changed is None:
            self.moves_text.setText(t("campaigns.note.no_migration"))
            self.moves.hide()
            return
        self.moves_text.setText(" ".join(
            t("ui.campaigns.moves_line", group=t(f"campaigns.group.{g}"), changed=f"{changed[g]['changed']:,}",
              segmented=f"{changed[g]['segmented']:,}") for g in groups))
        moved = res.migration[res.migration["segment"] != res.migration["segment_now"]].head(10)
        fill_table(self.moves, [t("ui.campaigns.moves_header")] + [t(f"campaigns.group.{g}") for g in groups],
                   [[t("ui.campaigns.move", before=campaign.segment_name(r["segment"], language()),
                       after=segment_now_name(res, r["segment_now"], language())),
                     *(f"{int(r[g]):,}" for g in groups)] for _, r in moved.iterrows()])
        self.moves.setVisible(bool(len(moved)))

    def _show_balance(self, campaign: Any) -> None:
        from core.campaigns import balance, tier_name

        b = balance(campaign)
        groups = [g for g in GROUPS if b.get(g)]
        self.balance_title.setText(t("ui.campaigns.balance_title"))
        self.balance_text.setText(t("ui.campaigns.balance_text", seed=campaign.seed))
        currency = campaign.currency
        rows = [[t("campaigns.cli.balance_customers"), *(f"{b[g]['customers']:,}" for g in groups)],
                [t("campaigns.cli.balance_recency"), *(fmt_number(b[g]["median_recency"], 0) for g in groups)],
                [t("campaigns.cli.balance_frequency"), *(fmt_number(b[g]["median_frequency"], 0) for g in groups)],
                [t("campaigns.cli.balance_monetary", currency=currency),
                 *(fmt_number(b[g]["median_monetary"]) for g in groups)],
                [t("campaigns.cli.balance_per_customer", currency=currency),
                 *(fmt_number(b[g]["net_sales_per_customer"]) for g in groups)]]
        for tier in b[groups[0]]["tiers"]:
            if not any(b[g]["tiers"][tier] for g in groups):
                continue  # a tier the segments do not reach
            rows.append([tier_name(tier, language()),
                         *(t("ui.campaigns.tier_cell", count=f"{b[g]['tiers'][tier]:,}",
                             share=fmt_share(b[g]['tiers'][tier] / b[g]['customers'])) for g in groups)])
        fill_table(self.balance, [t("campaigns.column.measure")] + [t(f"campaigns.group.{g}") for g in groups], rows)
