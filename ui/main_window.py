"""The main window: open or drop order exports, watch the import, read its summary and problems."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QButtonGroup, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel, QMainWindow,
    QMenu, QMessageBox, QProgressBar, QPushButton, QSizePolicy, QStackedWidget, QStyle, QTableWidget,
    QTableWidgetItem, QToolButton, QVBoxLayout, QWidget,
)

from core.i18n import LANGUAGES, language, set_language, t
from core.resources import RESOURCES
from ui import theme
from ui.personas_page import PersonasPage
from ui.saving import (
    ListRequest, default_list_suffix, default_paper, export_list_job, input_paths, is_input, list_filters,
    render_report_job, suggested_list, suggested_pdf, with_suffix,
)
from ui.segments_page import SegmentsPage
from ui.strategy_page import StrategyPage
from ui.targeting_page import TargetingPage
from ui.widgets import BusyBar, error_text, text_label, tidy_table
from ui.worker import Job, shutdown

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls")
# Long messages wrap onto several lines; past this many rows measuring them gets slow, so they elide.
WRAP_PROBLEMS_UP_TO = 300
STATUSES = ("paid", "pending", "cancelled", "refunded")  # the canonical order of core.model
# The theme pads table items by 8px left and right; a cell widget is narrowed by as much.
CELL_PADDING = 16


UNKNOWN_LAYOUT = "import.unknown_layout"  # the problem a column mapping fixes
# The pages of the left-side navigation, in order; Ctrl+1… switch to them. A new page adds its key
# here, a `ui.nav.<key>` text and its widget in MainWindow._build_central.
NAV_PAGES = ("overview", "segments", "targeting", "personas", "strategy")


# Work that runs on the pool thread. These functions get paths and plain data, never widgets;
# pandas and the importer are imported here, not at start-up, so the first window shows fast.
def load_book(paths: list[str], progress) -> Any:
    from core.importing import import_files
    return import_files(paths, progress=progress)


def load_mapped_book(paths: list[str], mappings: dict[str, Any], progress) -> Any:
    """Files with a column mapping of their own are read with it, the others as usual; one book."""
    from core.importing import import_files
    from core.jobs import sub

    plain = [p for p in paths if p not in mappings]
    books, done = [], 0
    if plain:
        books.append(load_book(plain, sub(progress, 0.0, len(plain) / len(paths))))
        done = len(plain)
    for path in (p for p in paths if p in mappings):
        step = sub(progress, done / len(paths), (done + 1) / len(paths))
        books.append(import_files([path], mapping=mappings[path], progress=step))
        done += 1
    progress.check_cancelled()
    return merge_books(books, paths)


def merge_books(books: list[Any], paths: list[str]) -> Any:
    """One OrderBook from several imports: files in the order opened, an order seen twice once,
    customer keys computed over all orders (a buyer in two files is one customer)."""
    import pandas as pd

    from core.importing import identity
    from core.model import OrderBook

    filled = [b for b in books if len(b.orders)]
    merged = OrderBook()
    rank = {str(Path(p)): i for i, p in enumerate(paths)}
    merged.files = sorted((f for b in books for f in b.files),
                          key=lambda f: rank.get(str(Path(f.path)), len(rank)))
    merged.problems = sorted((p for b in books for p in b.problems),
                             key=lambda p: rank.get(str(Path(p.file)), len(rank)))
    if len(filled) == 1:
        merged.orders, merged.lines = filled[0].orders.copy(), filled[0].lines.copy()
    elif filled:
        merged.orders = (pd.concat([b.orders for b in filled], ignore_index=True)
                         .drop_duplicates(["platform", "order_id"], keep="first")
                         .reset_index(drop=True))
        lines = [b.lines for b in filled if len(b.lines)]
        if lines:
            merged.lines = pd.concat(lines, ignore_index=True)
    merged.orders["customer_key"] = identity.customer_keys(merged.orders)
    return merged


def summarize(book: Any, lang: str) -> dict:
    from core.summary import import_summary
    return import_summary(book, lang)


def import_and_summarize(paths: list[str], lang: str, progress,
                         mappings: dict[str, Any] | None = None) -> tuple[Any, dict]:
    book = load_mapped_book(paths, mappings, progress) if mappings else load_book(paths, progress)
    progress.check_cancelled()
    return book, summarize(book, lang)


def mappable_files(book: Any) -> set[str]:
    """The files of an import that no profile knew: a column mapping can still read them."""
    return {p.file for p in book.problems if p.message_id == UNKNOWN_LAYOUT} if book else set()


@dataclass(frozen=True)
class Text:
    """A catalog text kept as key and parameters, so it can be rendered again in another language.
    A parameter may be a Text itself; `count` picks the `_one` / `_other` form."""

    key: str
    params: dict = field(default_factory=dict)
    count: int | None = None

    def render(self) -> str:
        params = {k: v.render() if isinstance(v, Text) else v for k, v in self.params.items()}
        if self.count is not None:
            return plural(self.key, self.count, **params)
        return t(self.key, **params)


@dataclass(frozen=True)
class SavedText(Text):
    """The status line of a saved customer list (its SavedList message, notes included), rendered
    again in the language of the moment."""

    saved: Any = None

    def render(self) -> str:
        return " ".join(self.saved.message(language()).splitlines())


def supported_platforms() -> list[str]:
    """Platform names of the bundled import profiles (read with tomllib: no pandas at start-up)."""
    names: list[str] = []
    for path in sorted((RESOURCES / "profiles").glob("*.toml")):
        try:
            with path.open("rb") as f:
                name = tomllib.load(f).get("platform")
        except (OSError, tomllib.TOMLDecodeError):
            continue  # the importer reports broken profiles; the empty page just leaves it out
        if name and name not in names:
            names.append(name)
    return names


def plural(key: str, count: int, **params: object) -> str:
    """`key_one` or `key_other` by count, so English says "1 file" and "2 files"."""
    return t(f"{key}_{'one' if count == 1 else 'other'}", count=f"{count:,}", **params)


def money_lines(amounts: dict[str, float]) -> list[str]:
    """One line per currency, largest first; currencies are never added together, zeros are noise."""
    ordered = sorted(((c, a) for c, a in amounts.items() if round(a, 2) != 0),
                     key=lambda item: -abs(item[1]))
    return [f"{currency} {amount:,.2f}" for currency, amount in ordered]


def exports_filter() -> str:
    """The file dialogs' filter: the exports SegmentDesk reads, or any file."""
    patterns = " ".join(f"*{suffix}" for suffix in EXPORT_SUFFIXES)
    return ";;".join([t("ui.dialog.filter_exports", patterns=patterns), t("ui.dialog.filter_all")])


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
    """A white card with a caption, a large value and a detail line."""

    def __init__(self):
        super().__init__()
        self.setObjectName("card")
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

    def show_values(self, title: str, value_lines: list[str], detail: str) -> None:
        self.title.setText(title.upper() if title.isascii() else title)
        # Several currencies do not fit the large type: fall back to a smaller size.
        self.value.setObjectName("cardValue" if len(value_lines) <= 1 else "cardValueSmall")
        self.value.style().unpolish(self.value)
        self.value.style().polish(self.value)
        self.value.setText("\n".join(value_lines))
        self.detail.setText(detail)


class ImportBanner(QFrame):
    """Shown while importing: the current step, a progress bar and Cancel."""

    def __init__(self):
        super().__init__()
        self.setObjectName("banner")
        self.step = text_label("bannerText")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton()
        text_column = QVBoxLayout()
        text_column.setSpacing(6)
        text_column.addWidget(self.step)
        text_column.addWidget(self.bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 12, 10)
        layout.setSpacing(16)
        layout.addLayout(text_column, 1)
        layout.addWidget(self.cancel_button)

    def show_progress(self, fraction: float, text: str) -> None:
        self.bar.setValue(round(fraction * 1000))
        if text:
            self.step.setText(text)


class EmptyPage(QWidget):
    """What a new window shows: where to start and which exports SegmentDesk reads."""

    def __init__(self, on_open):
        super().__init__()
        self.drop_zone = QFrame()
        self.drop_zone.setObjectName("dropZone")
        # A fixed width lets the wrapped labels compute their height (no clipped last line).
        self.drop_zone.setFixedWidth(720)
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

        chips = QHBoxLayout()
        chips.setSpacing(8)
        chips.addStretch(1)
        for name in supported_platforms():
            chip = QLabel(name)
            chip.setObjectName("chip")
            chips.addWidget(chip)
        chips.addStretch(1)

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

    def set_dragging(self, dragging: bool) -> None:
        self.drop_zone.setProperty("dragging", dragging)
        self.drop_zone.style().unpolish(self.drop_zone)
        self.drop_zone.style().polish(self.drop_zone)


class SummaryPage(QWidget):
    """The import summary: totals as cards, then the files read and the problems met.

    A file no profile knew gets a "Map columns…" button in its problem row (double-clicking the
    row does the same): `map_requested` carries the file's full path.
    """

    map_requested = Signal(str)

    def __init__(self):
        super().__init__()
        self.summary: dict | None = None
        self.mappable: set[str] = set()
        self.map_buttons: dict[int, QPushButton] = {}  # problem row -> its "Map columns…" button
        self.title = text_label("pageTitle")
        self.subtitle = text_label("pageSubtitle")
        self.orders_card, self.customers_card = MetricCard(), MetricCard()
        self.sales_card, self.refunds_card = MetricCard(), MetricCard()
        # The row of cards is as tall as its tallest card, never more: spare height belongs to
        # the problems table. Inside the row, every card fills the same height.
        cards_row = QWidget()
        cards_row.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        cards = QHBoxLayout(cards_row)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.setSpacing(12)
        for card in (self.orders_card, self.customers_card, self.sales_card, self.refunds_card):
            cards.addWidget(card)

        self.files_title = text_label("sectionTitle")
        self.files_table = _read_only_table(5)
        self.files_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            self.files_table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(4)
        layout.addWidget(cards_row)
        layout.addSpacing(8)
        layout.addWidget(self.files_title)
        layout.addWidget(self.files_table)
        layout.addSpacing(8)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.no_problems)
        layout.addWidget(self.problems_table, 1)
        layout.addStretch(0)

    def retranslate(self) -> None:
        self.title.setText(t("ui.summary.title"))
        self.files_title.setText(t("ui.files.heading"))
        self.files_table.setHorizontalHeaderLabels(
            [t(f"ui.files.{key}") for key in ("file", "platform", "report", "encoding", "rows")])
        self.problems_table.setHorizontalHeaderLabels(
            [t(f"ui.problems.{key}") for key in ("file", "row", "column", "message", "action")])
        self.no_problems.setText(t("ui.problems.none"))
        if self.summary is not None:
            self.show_summary(self.summary)

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
        self.sales_card.show_values(
            t("ui.summary.net_sales"), money_lines(summary["net_sales"]) or [t("ui.summary.no_money")],
            t("ui.summary.net_sales_detail"))
        self.refunds_card.show_values(
            t("ui.summary.refunds"), money_lines(summary["refunds"]) or [t("ui.summary.no_money")],
            t("ui.summary.refunds_detail"))

        self.files_table.setRowCount(len(files))
        for row, info in enumerate(files):
            path = str(info["path"])
            self.files_table.setItem(row, 0, _cell(Path(path).name, tooltip=path))
            self.files_table.setItem(row, 1, _cell(info["platform"]))
            self.files_table.setItem(row, 2, _cell(info["report"]))
            self.files_table.setItem(row, 3, _cell(info["encoding"]))
            self.files_table.setItem(row, 4, _cell(f"{info['rows']:,}", align_right=True))
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


class MainWindow(QMainWindow):
    """SegmentDesk's window; `open_files` is what a double-click on an export ends up calling."""

    import_finished = Signal(str)  # the job's outcome: "success", "failure" or "cancelled"
    save_finished = Signal(str)  # a PDF or customer list save: "success", "failure", "cancelled", "stale"

    def __init__(self):
        super().__init__()
        theme.install(QApplication.instance())
        self.setStyleSheet(theme.STYLESHEET)
        self.setAcceptDrops(True)
        self.book: Any = None  # the last successful import; replaced only by the next success
        self.summary: dict | None = None
        self.last_error = ""
        self._job: Job | None = None
        self._paths: list[str] = []
        self._mappings: dict[str, Any] = {}  # path -> the column mapping (Profile) it is read with
        self.mapping_dialog = None  # the open ColumnMappingDialog, if any
        self._status = Text("ui.status.ready")
        self._status_after_import: Text | None = None
        self._import_language = language()
        self._save_job: Job | None = None
        self._after_plan: Any = None  # what to do with the plan being built for Print / Save as PDF
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_central()
        self.retranslate()
        self._fit_to_screen()

    # Building --------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.open_action = QAction(self)
        self.open_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_files)
        self.map_action = QAction(self)
        self.map_action.triggered.connect(self.choose_file_to_map)
        # Saving: enabled once there is a book (the plan is built on demand if there is none yet).
        self.export_action = QAction(self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.export_all_customers)
        self.pdf_action = QAction(self)
        self.pdf_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.pdf_action.triggered.connect(self.save_pdf)
        self.print_action = QAction(self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(self.print_report)
        self.save_actions = (self.export_action, self.pdf_action, self.print_action)
        for action in self.save_actions:
            action.setEnabled(False)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.nav_actions: dict[str, QAction] = {}
        for number, key in enumerate(NAV_PAGES, start=1):
            action = QAction(self, checkable=True)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, key=key: self.show_page(key))
            self.addAction(action)  # the shortcut works whichever widget has the focus
            self.nav_actions[key] = action
        self.nav_group = QActionGroup(self)
        for action in self.nav_actions.values():
            self.nav_group.addAction(action)
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, native_name in LANGUAGES.items():
            # Each language is named in itself, so a user lost in the other one can find theirs.
            action = QAction(native_name, self, checkable=True)
            action.setChecked(code == language())
            action.triggered.connect(lambda _checked=False, code=code: self.switch_language(code))
            self.language_group.addAction(action)
            self.language_actions[code] = action

    def _build_menus_and_toolbar(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addAction(self.open_action)
        self.file_menu.addAction(self.map_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.export_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.pdf_action)
        self.file_menu.addAction(self.print_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = self.menuBar().addMenu("")
        self.view_menu.addActions(list(self.nav_actions.values()))
        self.language_menu = self.menuBar().addMenu("")
        self.language_menu.addActions(self.language_group.actions())

        self.toolbar = self.addToolBar("")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.open_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.language_button = QToolButton()
        self.language_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.language_button.setMenu(QMenu(self.language_button))
        self.language_button.menu().addActions(self.language_group.actions())
        self.toolbar.addWidget(self.language_button)

    def _build_central(self) -> None:
        self.banner = ImportBanner()
        self.banner.cancel_button.clicked.connect(self.cancel_import)
        self.banner.hide()
        self.error_banner = text_label("errorBanner", wrap=True)
        self.error_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_banner.hide()
        self.empty_page = EmptyPage(self.choose_files)
        self.summary_page = SummaryPage()
        self.summary_page.map_requested.connect(self.map_columns)
        self.pages = QStackedWidget()  # the Overview: where to start, then the import summary
        self.pages.addWidget(self.empty_page)
        self.pages.addWidget(self.summary_page)
        self.segments_page = SegmentsPage()
        # One plan for the three targeting pages: the Targeting page computes it, the others show it.
        self.targeting_page = TargetingPage()
        self.personas_page = PersonasPage()
        self.strategy_page = StrategyPage()
        for page in (self.personas_page, self.strategy_page):
            self.targeting_page.plan_changed.connect(page.set_result)
            page.plan_wanted.connect(self.targeting_page.ensure_plan)
        self.targeting_page.plan_state.connect(self._show_plan_state)
        self.segments_page.options_changed.connect(self.targeting_page.set_segment_options)
        self.targeting_page.plan_finished.connect(self._plan_finished_for_report)
        self.segments_page.export_requested.connect(self.export_customers)
        # Saving in the background shows its step, a bar and Cancel at the right of the status bar.
        self.save_busy = BusyBar()
        self.save_busy.cancel_button.clicked.connect(self.cancel_save)
        self.statusBar().addPermanentWidget(self.save_busy)

        self.sections = QStackedWidget()  # one widget per entry of NAV_PAGES
        self.section_widgets: dict[str, QWidget] = {
            "overview": self.pages, "segments": self.segments_page, "targeting": self.targeting_page,
            "personas": self.personas_page, "strategy": self.strategy_page}
        self.sidebar = QFrame()
        self.sidebar.setObjectName("sidebar")
        self.nav_buttons: dict[str, QToolButton] = {}
        self.nav_button_group = QButtonGroup(self)
        self.nav_button_group.setExclusive(True)
        side = QVBoxLayout(self.sidebar)
        side.setContentsMargins(8, 12, 8, 12)
        side.setSpacing(4)
        for key in NAV_PAGES:
            self.sections.addWidget(self.section_widgets[key])
            button = QToolButton()
            button.setObjectName("navButton")
            button.setCheckable(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, key=key: self.show_page(key))
            self.nav_button_group.addButton(button)
            self.nav_buttons[key] = button
            side.addWidget(button)
        side.addStretch(1)

        central = QWidget()
        central.setObjectName("page")
        outer = QHBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.sidebar)
        main = QVBoxLayout()
        main.setContentsMargins(0, 0, 0, 0)
        main.setSpacing(0)
        notices = QVBoxLayout()
        notices.setContentsMargins(24, 12, 24, 0)
        notices.addWidget(self.banner)
        notices.addWidget(self.error_banner)
        main.addLayout(notices)
        main.addWidget(self.sections, 1)
        outer.addLayout(main, 1)
        self.setCentralWidget(central)
        self.show_page("overview")

    def show_page(self, key: str) -> None:
        """Switch the navigation to page `key` (one of NAV_PAGES)."""
        self.sections.setCurrentWidget(self.section_widgets[key])
        self.nav_buttons[key].setChecked(True)
        self.nav_actions[key].setChecked(True)

    def current_page(self) -> str:
        widget = self.sections.currentWidget()
        return next(key for key, page in self.section_widgets.items() if page is widget)

    def _fit_to_screen(self) -> None:
        self.setMinimumSize(820, 560)
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1240, 760
        if screen is not None:  # a 1366×768 laptop gets nearly the whole screen, not more
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 40)
        self.resize(max(width, 820), max(height, 560))

    # Language --------------------------------------------------------------------------------
    def switch_language(self, code: str) -> None:
        set_language(code)
        self.language_actions[code].setChecked(True)
        if self.book is not None:
            try:  # problem messages and any other text the summary renders follow the language
                self.summary = summarize(self.book, code)
            except Exception:  # noqa: BLE001 - keep the old summary rather than lose the window
                pass
            self.summary_page.summary = self.summary
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text from the catalog in the current language."""
        self.setWindowTitle(t("ui.app.title"))
        self.file_menu.setTitle(t("ui.menu.file"))
        self.language_menu.setTitle(t("ui.menu.language"))
        self.open_action.setText(t("ui.menu.open"))
        self.open_action.setToolTip(t("ui.menu.open_tip"))
        self.open_action.setStatusTip(t("ui.menu.open_tip"))
        self.map_action.setText(t("ui.menu.import_mapping"))
        self.map_action.setToolTip(t("ui.menu.import_mapping_tip"))
        self.map_action.setStatusTip(t("ui.menu.import_mapping_tip"))
        self.quit_action.setText(t("ui.menu.quit"))
        for action, key in ((self.export_action, "export_list"), (self.pdf_action, "save_pdf"),
                            (self.print_action, "print")):
            action.setText(t(f"ui.menu.{key}"))
            action.setToolTip(t(f"ui.menu.{key}_tip"))
            action.setStatusTip(t(f"ui.menu.{key}_tip"))
        self.save_busy.cancel_button.setText(t("ui.progress.cancel"))
        self.view_menu.setTitle(t("ui.menu.view"))
        for key in NAV_PAGES:
            name = t(f"ui.nav.{key}")
            shortcut = self.nav_actions[key].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            self.nav_actions[key].setText(name)
            self.nav_buttons[key].setText(name)
            self.nav_buttons[key].setToolTip(t("ui.nav.page_tip", page=name.replace("&&", "&"),
                                               shortcut=shortcut))
        # As wide as its longest entry in this language, never elided.
        self.sidebar.setFixedWidth(max(b.sizeHint().width() for b in self.nav_buttons.values()) + 24)
        self.language_button.setText(LANGUAGES[language()])
        self.language_button.setToolTip(t("ui.menu.language_tip"))
        self.toolbar.setWindowTitle(t("ui.app.title"))
        self.banner.cancel_button.setText(t("ui.progress.cancel"))
        if self.last_error:
            self.error_banner.setText(t("ui.error.heading", error=self.last_error))
        self.empty_page.retranslate()
        self.summary_page.retranslate()
        self.segments_page.retranslate()
        self.targeting_page.retranslate()
        self.personas_page.retranslate()
        self.strategy_page.retranslate()
        self._show_plan_state()
        self._show_status()

    def _show_plan_state(self) -> None:
        """The Personas and Strategy pages say what the plan they wait for is doing."""
        text = self.targeting_page.status_text()
        self.personas_page.set_status(text)
        self.strategy_page.set_status(text)

    def set_status(self, key: str, count: int | None = None, **params: object) -> None:
        """Show a status bar message that follows later language switches."""
        self._status = Text(key, params, count)
        self._show_status()

    def _show_status(self) -> None:
        self.statusBar().showMessage(self._status.render())

    # Opening files ---------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, t("ui.dialog.open_title"), "", exports_filter())
        if paths:
            self.open_files(paths)

    def open_files(self, paths: list[str]) -> Job:
        """Import `paths` in the background; a running import is cancelled and replaced.

        A file mapped with the column mapping dialog earlier is read with its mapping again.
        """
        self._paths = [str(p) for p in paths]
        self._status_after_import = None
        self._mappings = {p: m for p, m in self._mappings.items() if p in self._paths}
        self._import_language = language()
        self.error_banner.hide()
        self.banner.show_progress(0.0, t("ui.progress.starting"))
        self.banner.cancel_button.setEnabled(True)
        self.banner.show()
        self.set_status("ui.status.importing", len(self._paths))
        mappings = {"mappings": dict(self._mappings)} if self._mappings else {}
        self._job = (
            Job(import_and_summarize, self._paths, self._import_language, **mappings)
            .on_progress(self.banner.show_progress)
            .on_success(self._import_succeeded)
            .on_failure(self._import_failed)
            .on_cancelled(self._import_cancelled)
        )
        self._job.finished.connect(self._job_finished)
        return self._job.start(self, "import")

    def cancel_import(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.banner.cancel_button.setEnabled(False)
            self.banner.step.setText(t("ui.progress.cancelling"))

    def is_importing(self) -> bool:
        return self._job is not None and self._job.is_running()

    def _import_succeeded(self, result: tuple[Any, dict]) -> None:
        self.book, self.summary = result
        self.last_error = ""
        if self._import_language != language():  # the user switched language while importing
            self.summary = summarize(self.book, language())
        self.summary_page.show_summary(self.summary, mappable_files(self.book))
        self.segments_page.set_book(self.book)
        self.targeting_page.set_book(self.book)
        self._after_plan = None  # a report asked for with the previous book is not made
        for action in self.save_actions:
            action.setEnabled(True)
        self.pages.setCurrentWidget(self.summary_page)
        self.set_status(
            "ui.status.loaded", files=Text("ui.summary.files", count=len(self.summary["files"])),
            orders=f"{self.summary['orders']:,}", customers=f"{self.summary['customers']:,}")
        if self._status_after_import is not None:
            self._status, self._status_after_import = self._status_after_import, None
            self._show_status()

    def _import_failed(self, error: BaseException) -> None:
        self.last_error = str(error) or type(error).__name__
        self.error_banner.setText(t("ui.error.heading", error=self.last_error))
        self.error_banner.show()
        self.set_status("ui.status.failed", error=self.last_error)

    def _import_cancelled(self) -> None:
        self.set_status("ui.status.cancelled")

    def _job_finished(self, outcome: str) -> None:
        if outcome == "stale":
            return  # a newer import owns the banner and the status bar
        self.banner.hide()
        self._job = None
        self.import_finished.emit(outcome)

    # Column mapping --------------------------------------------------------------------------
    def choose_file_to_map(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, t("ui.dialog.map_title"), "", exports_filter())
        if path:
            self.map_columns(path)

    def map_columns(self, path: str):
        """Open the column mapping dialog for `path` (window-modal, not blocking); on Import the
        current files are imported again with `path` read through the mapping."""
        from ui.mapping_dialog import ColumnMappingDialog  # pandas-backed: not at start-up

        if self.mapping_dialog is not None:
            self.mapping_dialog.close()
        dialog = ColumnMappingDialog(path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._mapping_accepted(dialog))
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        self.mapping_dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog) -> None:
        if self.mapping_dialog is dialog:
            self.mapping_dialog = None

    def _mapping_accepted(self, dialog) -> None:
        path = str(dialog.path)
        # A file already open is read again together with the others; a new one on its own.
        paths = self._paths if path in self._paths else [path]
        if dialog.saved_path is not None:
            self._mappings.pop(path, None)  # the saved profile now recognises the file by itself
            self.open_files(paths)
            # Said once the import is done, instead of the usual counts (the summary shows them).
            self._status_after_import = Text("ui.status.mapping_saved", {"name": dialog.shop_name()})
        else:
            self._mappings[path] = dialog.profile()
            self.open_files(paths)

    # Drag and drop ---------------------------------------------------------------------------
    @staticmethod
    def _dropped_paths(event) -> list[str]:
        return [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
            self.empty_page.set_dragging(True)

    def dragLeaveEvent(self, event) -> None:
        self.empty_page.set_dragging(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.empty_page.set_dragging(False)
        paths = [p for p in self._dropped_paths(event) if Path(p).suffix.lower() in EXPORT_SUFFIXES]
        if not paths:
            self.set_status("ui.status.nothing_to_open")
            return
        event.acceptProposedAction()
        self.open_files(paths)

    # The report: Print… and Save as PDF… -----------------------------------------------------
    def _with_plan(self, then) -> None:
        """Call `then(result)` with the Targeting page's plan; if there is none yet (or a newer one
        is being made), the page builds it in the background and `then` runs when it is done."""
        page = self.targeting_page
        if self.book is None:
            return
        if page.has_current_plan():
            then(page.result)
            return
        self._after_plan = then
        if not page.is_running():
            page.rerun()
        self.set_status("ui.status.planning")

    def _plan_finished_for_report(self, outcome: str) -> None:
        then, self._after_plan = self._after_plan, None
        if then is None:
            return
        page = self.targeting_page
        if outcome == "success" and page.result is not None:
            then(page.result)
        elif outcome == "failure":
            self.set_status("ui.status.ready")
            self.show_error(error_text("ui.targeting.failed", page.error))
        else:
            self.set_status("ui.status.plan_cancelled")

    def print_report(self) -> None:
        self._with_plan(self._print)

    def _print(self, result) -> None:
        from ui.report.render import print_report

        # On the GUI thread: a QPrinter and the preview dialog are painted there, by Qt's rules
        # (the PDF is written in a Job; only the printer path cannot be).
        print_report(result.plan, language(), self, self.targeting_page.book, preview=True)

    def save_pdf(self) -> None:
        self._with_plan(self._save_pdf)

    def _save_pdf(self, result) -> Job | None:
        self.set_status("ui.status.ready")
        path, _ = QFileDialog.getSaveFileName(self, t("ui.dialog.save_pdf_title"), str(suggested_pdf()),
                                              t("ui.dialog.filter_pdf"))
        if not path:
            return None
        target = Path(path) if Path(path).suffix.lower() == ".pdf" else Path(path + ".pdf")
        if target != Path(path) and target.exists() and not self._confirm_overwrite(target):
            return None
        # An existing file was confirmed by the dialog: it is replaced (atomically) below.
        if is_input(target, input_paths(self.book, self._paths)):
            self.show_error(t("report.cli.is_input", path=target))
            return None
        self.set_status("ui.status.saving_pdf", path=str(target))
        self.save_busy.start(t("ui.progress.starting"))
        self.save_busy.cancel_button.hide()  # one painting call: nothing to stop halfway
        job = (Job(render_report_job, result.plan, str(target), language(), default_paper(),
                   self.targeting_page.book)
               .on_progress(self.save_busy.show_progress)
               .on_success(lambda done: self.set_status("ui.status.pdf_saved", path=done[0],
                                                        pages=done[1]))
               .on_failure(self._save_failed)
               .on_cancelled(lambda: self.set_status("ui.status.save_cancelled")))
        return self._start_save(job)

    # Customer lists --------------------------------------------------------------------------
    def export_all_customers(self) -> Job | None:
        """File → Export customer list…: every customer, with the segments on screen (or the
        Customers & Segments page's map when it has not segmented yet)."""
        if self.book is None:
            return None
        page = self.segments_page
        if page.result is not None:
            return self.export_customers(ListRequest(None, None, len(page.result.customers.keys),
                                                     seg=page.result.segmentation, settings=page._shown))
        customers = int((self.summary or {}).get("customers", 0))
        return self.export_customers(ListRequest(None, None, customers, settings=page.settings()))

    def export_customers(self, request) -> Job | None:
        """Ask where to save the list of `request` (CSV or Excel), then build and save it in a Job."""
        from core.exports import ExportError, FORMATS, check_target

        if self.book is None:
            return None
        default = default_list_suffix(request.rows)
        filters = list_filters()
        path, chosen = QFileDialog.getSaveFileName(
            self, t("ui.dialog.export_title"), str(suggested_list(request.name, default)),
            ";;".join(filters.values()), filters[default])
        if not path:
            return None
        target, added = with_suffix(path, chosen, default, FORMATS)
        if added and target.exists() and not self._confirm_overwrite(target):
            return None
        protect = input_paths(self.book, self._paths)
        try:  # the dialog confirmed an existing file: force; an input file is refused all the same
            check_target(target, force=True, protect=protect)
        except ExportError as error:
            self.show_error(error.problem.message(language()))
            return None
        self.set_status("ui.status.exporting", path=str(target))
        self.save_busy.start(t("ui.progress.starting"))
        self.save_busy.cancel_button.show()
        job = (Job(export_list_job, self.book, request, str(target), language(), protect)
               .on_progress(self.save_busy.show_progress)
               .on_success(self._list_saved)
               .on_failure(self._save_failed)
               .on_cancelled(lambda: self.set_status("ui.status.save_cancelled")))
        return self._start_save(job)

    def _list_saved(self, saved) -> None:
        self._status = SavedText("export.saved", saved=saved)
        self._show_status()

    # Saving, shared --------------------------------------------------------------------------
    def _start_save(self, job: Job) -> Job:
        self._save_job = job
        job.finished.connect(self._save_finished)
        return job.start(self, "save")

    def _save_finished(self, outcome: str) -> None:
        self.save_finished.emit(outcome)
        if outcome == "stale":
            return
        self.save_busy.hide()
        self._save_job = None

    def cancel_save(self) -> None:
        if self._save_job is not None:
            self._save_job.cancel()
            self.save_busy.cancelling()

    def _save_failed(self, error: BaseException) -> None:
        self.set_status("ui.status.save_failed")
        problem = getattr(error, "problem", None)
        self.show_error(problem.message(language()) if problem is not None
                        else (str(error) or type(error).__name__))

    def _confirm_overwrite(self, target: Path) -> bool:
        """For a name the dialog did not see (its suffix was added here): ask as the dialog would."""
        answer = QMessageBox.question(self, t("ui.export.overwrite_title"),
                                      t("ui.export.overwrite_text", name=target.name))
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, text: str) -> None:
        QMessageBox.warning(self, t("ui.export.error_title"), text)

    # Closing ---------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        # No import thread may outlive the window: cancel it and wait for its last chunk.
        shutdown(self, 10000)
        shutdown(self.segments_page, 10000)
        shutdown(self.targeting_page, 10000)
        super().closeEvent(event)
