"""Widget builders the pages share: labels, panels, tables, the page scaffold (scrolling body or
an empty-state text), the busy line of a background run (progress bar and Cancel) and the guard
that keeps the mouse wheel from changing controls the seller is only scrolling past."""
from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QSize, Qt,
)
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel,
    QLayout, QProgressBar, QPushButton, QScrollArea, QSizePolicy, QStackedWidget, QStyleOptionHeader, QTableView,
    QVBoxLayout, QWidget,
)

from core.i18n import language, t

PAGE_MARGINS = (20, 14, 20, 12)  # left, top, right, bottom of a page beside the navigation

Index = QModelIndex | QPersistentModelIndex


def text_label(object_name: str, wrap: bool = False) -> QLabel:
    """A label styled by its object name (see ui.theme)."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(wrap)
    return label


def panel(*parts: QWidget | QLayout, margins: tuple[int, int, int, int] = (14, 12, 14, 12), spacing: int = 8,
          stretch_last: bool = False) -> QFrame:
    """A white panel holding widgets and layouts top to bottom, each at its natural height (with
    `stretch_last`, the last widget takes the spare height)."""
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    for i, part in enumerate(parts):
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if stretch_last and i == len(parts) - 1 else 0)
    return frame


ARROW_ROOM = "\u00a0" * 3  # after a sorted right-aligned heading: the sort arrow's place (no-break: kept)


class SortHeader(QHeaderView):
    """A table header whose sort arrow does not touch a right-aligned heading: the style draws the
    arrow at the section's right edge, over the text, so the text ends ARROW_ROOM earlier when the
    section is wide enough for that."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logical_index: int) -> None:
        super().initStyleOptionForIndex(option, logical_index)
        if (option.sortIndicator == QStyleOptionHeader.SortIndicator.None_
                or not option.textAlignment & Qt.AlignmentFlag.AlignRight):
            return
        if heading_width(heading_metrics(self), option.text, arrow=True) <= self.sectionSize(logical_index):
            option.text = "\n".join(line + ARROW_ROOM for line in option.text.split("\n"))


def heading_metrics(header: QHeaderView) -> QFontMetrics:
    """The metrics of a header's text: the style sheet draws it at weight 600."""
    bold = QFont(header.font())
    bold.setWeight(QFont.Weight.DemiBold)
    return QFontMetrics(bold)


def heading_width(metrics: QFontMetrics, text: str, arrow: bool = False) -> int:
    """The width a header section needs for `text` (its lines), with the sort arrow's room or not."""
    room = ARROW_ROOM if arrow else ""
    return max(metrics.horizontalAdvance(line + room) for line in text.split("\n")) + 12  # the margins


def tidy_table(view: QTableView, row_height: int) -> None:
    """The look every read-only table shares: whole rows selected, no editing, striped rows
    without a grid, no row numbers, header texts on the left."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(row_height)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class FlowLayout(QLayout):
    """Widgets in a line that wraps onto the next when the width runs out (a page's controls on a
    narrow window or in a wider font), each line left-aligned or `centred`; heightForWidth tells
    the parent layout how tall the lines are."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8, line_spacing: int = 6,
                 centred: bool = False):
        super().__init__(parent)
        self._items: list = []
        self._spacing, self._line_spacing, self._centred = spacing, line_spacing, centred
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """All on one line."""
        shown = [i.sizeHint() for i in self._items if not i.isEmpty()]
        if not shown:
            return QSize(0, 0)
        return QSize(sum(h.width() for h in shown) + self._spacing * (len(shown) - 1), max(h.height() for h in shown))

    def minimumSize(self) -> QSize:
        """As narrow as the widest item: the rest wraps."""
        size = QSize(0, 0)
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        x, y, line_height = rect.x(), rect.y(), 0
        line: list = []

        def place_line() -> None:
            used = sum(hint.width() for _, hint in line) + self._spacing * max(len(line) - 1, 0)
            left = rect.x() + (max(rect.width() - used, 0) // 2 if self._centred else 0)
            for item, hint in line:
                if move:  # centred vertically on the line
                    item.setGeometry(QRect(QPoint(left, y + (line_height - hint.height()) // 2), hint))
                left += hint.width() + self._spacing

        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint().boundedTo(QSize(rect.width(), 10_000)).expandedTo(item.minimumSize())
            if line and x + hint.width() > rect.right() + 1:
                place_line()
                y += line_height + self._line_spacing
                x, line_height, line = rect.x(), 0, []
            line.append((item, hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        place_line()
        return y + line_height - rect.y()


def cancel_ok(dialog, accept=None) -> tuple[QPushButton, QPushButton]:
    """A dialog's Cancel (rejects) and its default, primary OK (calls `accept`, else accepts);
    their texts are set by the dialog's retranslate."""
    cancel, ok = QPushButton(), QPushButton()
    cancel.clicked.connect(dialog.reject)
    ok.setObjectName("primary")
    ok.setDefault(True)
    ok.clicked.connect(accept or dialog.accept)
    return cancel, ok


def link_row(label: QLabel, on_click) -> tuple[QWidget, QPushButton]:
    """`label` with a link-styled button at its right (its text set by the caller); returns the
    row and the button."""
    button = QPushButton()
    button.setObjectName("linkButton")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.clicked.connect(lambda _checked=False: on_click())
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.setSpacing(8)
    line.addWidget(label, 1)
    line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    return row, button


def page_header(title: QLabel, *fields: tuple[QWidget, ...], right: QWidget) -> QHBoxLayout:
    """The top line of a page: its title, then each field (its label, its control and anything
    that belongs beside them) kept together, wrapping onto a second line when the window is too
    narrow for all of them, and `right` (the busy bar) at the far end."""
    header = QHBoxLayout()
    header.setSpacing(16)
    header.addWidget(title, 0, Qt.AlignmentFlag.AlignTop)
    controls = QWidget()
    controls.setObjectName("pageControls")
    flow = FlowLayout(controls, spacing=14)
    for widgets in fields:
        field = QWidget()
        line = QHBoxLayout(field)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(8)
        for widget in widgets:
            line.addWidget(widget)
        flow.addWidget(field)
    controls.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    header.addWidget(controls, 1)
    header.addWidget(right, 0, Qt.AlignmentFlag.AlignTop)
    return header


def page_scroll(body: QWidget) -> QScrollArea:
    """A frameless area scrolling `body` up and down (never sideways)."""
    scroll = QScrollArea()
    scroll.setObjectName("pageScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(body)
    return scroll


def page_scaffold(page: QWidget, *top: QWidget | QLayout, shown: QWidget, spacing: int = 8
                  ) -> tuple[QLabel, QStackedWidget]:
    """Lay out a page: the parts in `top` (title, controls, notes), then a stack of a centred
    empty-state text and `shown` (the page's content) taking the rest of the height. Returns the
    text and the stack; the page switches between them."""
    empty = text_label("emptyText", wrap=True)
    empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
    content = QStackedWidget()
    content.addWidget(empty)
    content.addWidget(shown)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(*PAGE_MARGINS)
    layout.setSpacing(spacing)
    for part in top:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    layout.addWidget(content, 1)
    return empty, content


class BusyBar(QFrame):
    """The line a page shows while it runs in the background: the step, a progress bar, Cancel."""

    def __init__(self):
        super().__init__()
        self.setObjectName("busy")
        self.text = text_label("bannerText")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(140)
        self.cancel_button = QPushButton()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str) -> None:
        """A run starts: shown from zero with `text`, Cancel enabled."""
        self.show()
        self.cancel_button.setEnabled(True)
        self.bar.setValue(0)
        self.text.setText(text)

    def show_progress(self, fraction: float, text: str) -> None:
        self.bar.setValue(round(fraction * 1000))
        if text:
            self.text.setText(text)

    def cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.text.setText(t("ui.progress.cancelling"))


def two_lines(text: str) -> str:
    """`text` broken at the space or after the hyphen nearest its middle ("Net sales\n(USD)",
    "Fashion-\nforward"); one word stays whole."""
    breaks = [i for i, c in enumerate(text) if c == " " or (c == "-" and 0 < i < len(text) - 1)]
    if not breaks:
        return text
    at = min(breaks, key=lambda i: abs(len(text) - 1 - 2 * i))
    if text[at] == "-":
        return text[:at + 1] + "\n" + text[at + 1:]
    return text[:at] + "\n" + text[at + 1:]


class TextTableModel(QAbstractTableModel):
    """The basics of a read-only table model: one column per entry of `headers`, header texts and
    tooltips from `header_text` / `header_tooltip`, the columns in `right_aligned` on the right."""

    headers: tuple[str, ...] | list[str] = ()
    right_aligned: frozenset[int] = frozenset()
    wrapped: frozenset[int] = frozenset()  # columns whose header shows on two lines (fit_columns)

    def set_wrapped(self, columns) -> None:
        columns = frozenset(columns)
        if columns != self.wrapped:
            self.wrapped = columns
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(self.columnCount() - 1, 0))

    def header_text(self, section: int) -> str:
        raise NotImplementedError

    def header_tooltip(self, section: int) -> str:
        return ""

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or section >= len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.header_text(section)
            return two_lines(text) if section in self.wrapped else text
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tooltip(section) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and section in self.right_aligned:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def alignment(self, column: int) -> int:
        """The TextAlignmentRole of a cell in `column`."""
        horizontal = Qt.AlignmentFlag.AlignRight if column in self.right_aligned else Qt.AlignmentFlag.AlignLeft
        return int(horizontal | Qt.AlignmentFlag.AlignVCenter)


def run_controls(rerun, cancel) -> tuple[QComboBox, QComboBox, "BusyBar"]:
    """The map chooser, the currency chooser and the busy bar a page that re-runs an analysis
    shows in its header: choosing re-runs, Cancel stops the run."""
    from core.cli import SEGMENT_MAPS  # one list of segmentations (core.cli stays light)

    map_combo, currency_combo = QComboBox(), QComboBox()
    for map_id in SEGMENT_MAPS:
        map_combo.addItem("", map_id)
    currency_combo.setMinimumWidth(80)
    map_combo.currentIndexChanged.connect(rerun)
    currency_combo.currentIndexChanged.connect(rerun)
    busy = BusyBar()
    busy.cancel_button.clicked.connect(cancel)
    return map_combo, currency_combo, busy


def select_data(combo: QComboBox, value: object) -> None:
    """Choose the item of `combo` holding `value`, sending no signal (none holds it: no change)."""
    index = combo.findData(value)
    if index >= 0:
        combo.blockSignals(True)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)


def fill_currencies(combo: QComboBox, label: QLabel, currencies: list[str], current: str | None) -> None:
    """The currency chooser of a page lists `currencies` (current one selected, no signal sent);
    it is shown only when there is a choice."""
    combo.blockSignals(True)
    combo.clear()
    for currency in currencies:
        combo.addItem(currency, currency)
    if current is not None and combo.findData(current) >= 0:
        combo.setCurrentIndex(combo.findData(current))
    combo.blockSignals(False)
    several = len(currencies) > 1
    combo.setVisible(several)
    label.setVisible(several)


def error_text(key: str, error: BaseException | None) -> str:
    """The catalog text `key` with the error's message in the current language."""
    problem = getattr(error, "problem", None)
    message = problem.message(language()) if problem is not None else (str(error) or type(error).__name__)
    return t(key, error=message)


class BackgroundRun:
    """The run plumbing of a page that computes its result in one Job at a time (Customers &
    Segments, Targeting): start with progress, Cancel, and what a failure or a cancel leaves on
    screen (the previous result, the controls set back to it).

    The page has `busy` (a BusyBar), `result`, `error`, `_job` and `_pending`, and provides
    `_succeeded(result)`, `_restore_controls()`, `_show_state()`, `_run_finished(outcome)` and
    `running_text()`.

    A result may also come from another job: right after an import the window segments and plans
    in one job of its own (`await_result`), and hands each page its part (`take_result`) as if the
    page had run it, so showing the page computes nothing again. `runs` counts the page's own runs.
    """

    runs = 0  # the page's own runs started (a result taken from another job is not one)
    _awaited = None  # the other job computing this page's result with its current settings

    def _start_run(self, job, slot: str):
        self._awaited = None  # the page's own run supersedes what another job was computing
        self.runs += 1
        self._job = (job.on_progress(self.busy.show_progress).on_success(self._succeeded)
                     .on_failure(self._failed).on_cancelled(self._cancelled))
        self._job.finished.connect(self._finished)
        self._show_state()
        return self._job.start(self, slot)

    def await_result(self, job) -> None:
        """`job` (not the page's) computes the page's result with its current settings: no run is
        due meanwhile, the busy line shows it and Cancel stops it."""
        self._awaited = job
        self._pending = False
        self.error = None
        self.busy.start(self.running_text())
        self._show_state()

    def take_result(self, job, result) -> bool:
        """The result `job` computed; taken as the page's own run's unless the page ran since."""
        if self._awaited is not job:
            return False
        self._awaited = None
        self._succeeded(result)
        self._finished("success")
        return True

    def result_not_coming(self, job, outcome: str, error: BaseException | None = None) -> None:
        """`job` failed or was cancelled: as if the page's own run had."""
        if self._awaited is not job:
            return
        self._awaited = None
        if outcome == "failure":
            self._failed(error)
        else:
            self._cancelled()
        self._finished(outcome)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.busy.cancelling()
        elif self._awaited is not None:
            self._awaited.cancel()
            self.busy.cancelling()

    def is_running(self) -> bool:
        return ((self._job is not None and self._job.is_running())
                or (self._awaited is not None and self._awaited.is_running()))

    def _failed(self, error: BaseException) -> None:
        self.error = error
        self._restore_controls()
        self._show_state()

    def _cancelled(self) -> None:
        self._restore_controls()
        self._pending = self.result is None and self.error is None  # nothing shown: run when shown again

    def _finished(self, outcome: str) -> None:
        if outcome == "stale":
            return  # a newer run owns the progress line
        self.busy.hide()
        self._job = None
        self._show_state()
        self._run_finished(outcome)


class WheelGuard(QObject):
    """Spin boxes, date edits and combo boxes take the mouse wheel only when they have the focus
    (a click or Tab gives it), as desktop apps do: a wheel turned to scroll a page passing over
    one scrolls the page instead of changing its value (issue 16: a screening weight went 10 → 0
    and the plan ran again while the seller scrolled). One guard for the whole application, so
    every such control of every page and dialog, built now or later, behaves the same: each gets
    Qt.StrongFocus when it is polished (the wheel alone never focuses it), and a wheel event over
    one without the focus is ignored, which hands it on to the parent (the page's scroll area)."""

    GUARDED = (QAbstractSpinBox, QComboBox)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the application passes here: the cheap test first (event.type() builds
        # a Python enum, which for all events cost 70 ms of each main window's construction).
        if not isinstance(watched, self.GUARDED):
            return False
        kind = event.type()
        if kind == QEvent.Type.Wheel and not watched.hasFocus():
            event.ignore()
            return True
        if kind == QEvent.Type.Polish:
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def guard_wheel(app: QApplication) -> WheelGuard:
    """Install the one WheelGuard on `app` (once; later calls return it)."""
    guard = app.findChild(WheelGuard, "wheelGuard")
    if guard is None:
        guard = WheelGuard(app)
        guard.setObjectName("wheelGuard")
        app.installEventFilter(guard)
    return guard


def button_row(*left: QWidget, right: tuple[QWidget, ...]) -> QHBoxLayout:
    """A dialog's button line: `left` (e.g. Reset, Clear) at the left edge, `right` (Cancel, OK)
    at the right."""
    row = QHBoxLayout()
    row.setSpacing(8)
    for widget in left:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in right:
        row.addWidget(widget)
    return row
