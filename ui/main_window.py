"""The main window: open or drop order exports, watch the import, read its summary and problems."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QButtonGroup, QFileDialog, QFrame, QHBoxLayout, QMainWindow,
    QMenu, QMessageBox, QProgressBar, QPushButton, QSizePolicy, QStackedWidget, QStyle, QToolButton, QVBoxLayout, QWidget,
)

from core.i18n import LANGUAGES, language, set_language, t
from ui import settings, theme
from ui.overview_page import EmptyPage, SummaryPage, plural
from ui.campaigns_page import CampaignsPage, draft_from_plan
from ui.personas_page import PersonasPage
from ui.report_page import ReportPage
from ui.saving import (
    ListRequest, default_list_suffix, default_paper, export_list_job, input_paths, is_input, list_filters,
    render_report_job, suggested_list, suggested_pdf, with_suffix,
)
from ui.segments_page import SegmentsPage
from ui.strategy_page import StrategyPage
from ui.targeting_page import TargetingPage
from ui.trends_page import TrendsPage
from ui.widgets import BusyBar, error_text, guard_wheel, link_row, text_label
from ui.worker import Job, shutdown

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls")


UNKNOWN_LAYOUT = "import.unknown_layout"  # the problem a column mapping fixes
# The pages of the left-side navigation, in order; Ctrl+1… switch to them. A new page adds its key
# here, a `ui.nav.<key>` text and its widget in MainWindow._build_central.
MIN_WIDTH = 1200  # the smallest window every page is drawn for (a 1280- or 1366-wide laptop fits it)
NAV_PAGES = ("overview", "segments", "targeting", "personas", "strategy", "campaigns", "trends", "report")


# Work that runs on the pool thread. These functions get paths and plain data, never widgets;
# pandas and the importer are imported here, not at start-up, so the first window shows fast.
def load_book(paths: list[str], progress, currencies: dict[str, str] | None = None) -> Any:
    """`currencies`: the seller's currency per file layout whose files do not say theirs."""
    from core.importing import import_files
    return import_files(paths, progress=progress, currencies=currencies)


def load_mapped_book(paths: list[str], mappings: dict[str, Any], progress,
                     currencies: dict[str, str] | None = None) -> Any:
    """Files with a column mapping of their own are read with it, the others as usual; one book."""
    from core.importing import import_files
    from core.jobs import sub

    plain = [p for p in paths if p not in mappings]
    books, done = [], 0
    if plain:
        books.append(load_book(plain, sub(progress, 0.0, len(plain) / len(paths)), currencies))
        done = len(plain)
    for path in (p for p in paths if p in mappings):
        step = sub(progress, done / len(paths), (done + 1) / len(paths))
        books.append(import_files([path], mapping=mappings[path], progress=step, currencies=currencies))
        done += 1
    progress.check_cancelled()
    return merge_books(books, paths)


def merge_books(books: list[Any], paths: list[str]) -> Any:
    """One OrderBook from several imports: files in the order opened, an order seen twice once,
    customer keys computed over all orders (a buyer in two files is one customer)."""
    from core.importing import identity
    from core.model import OrderBook, compact, concat

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
        merged.orders = (concat([b.orders for b in filled])
                         .drop_duplicates(["platform", "order_id"], keep="first")
                         .reset_index(drop=True))
        lines = [b.lines for b in filled if len(b.lines)]
        if lines:
            merged.lines = concat(lines)
    merged.orders["customer_key"] = identity.customer_keys(merged.orders)
    merged.orders, merged.lines = compact(merged.orders), compact(merged.lines)  # the new keys too
    return merged


def summarize(book: Any, lang: str) -> dict:
    """The import summary of `import --json`, plus the Overview's monthly net sales and the file
    layouts whose currency the seller is asked for."""
    from core.summary import import_summary, monthly_net_sales, unknown_currencies

    return {**import_summary(book, lang), "monthly": monthly_net_sales(book),
            "unknown_currencies": unknown_currencies(book)}


def import_and_summarize(paths: list[str], lang: str, progress,
                         mappings: dict[str, Any] | None = None,
                         currencies: dict[str, str] | None = None) -> tuple[Any, dict]:
    book = (load_mapped_book(paths, mappings, progress, currencies) if mappings
            else load_book(paths, progress, currencies))
    progress.check_cancelled()
    return book, summarize(book, lang)


def analyse_book(book: Any, segments_call: tuple[tuple, dict] | None, plan_call: tuple[tuple, dict] | None,
                 progress) -> tuple[Any, Any]:
    """Segment and plan a book just imported, with the Segments and Targeting pages' choices
    (`run_call()` of each; None: not wanted): their results, or for the plan the error that
    stopped it (the segments are shown all the same). Runs on a pool thread."""
    from core.jobs import Cancelled, sub
    from ui.segments_page import run_segmentation
    from ui.targeting_page import build_plan

    split = 0.3 if segments_call and plan_call else 1.0 if segments_call else 0.0
    segments = plan = None
    if segments_call is not None:
        args, kwargs = segments_call
        segments = run_segmentation(book, *args, progress=sub(progress, 0.0, split), **kwargs)
    if plan_call is not None:
        args, kwargs = plan_call
        try:
            plan = build_plan(book, *args, progress=sub(progress, split, 1.0), **kwargs)
        except Cancelled:
            raise
        except Exception as error:  # noqa: BLE001 - the Targeting page shows why, the segments stay
            plan = error
    return segments, plan


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


@dataclass(frozen=True)
class AudienceText(Text):
    """The status line of a saved hashed audience list (written and skipped), in the language of
    the moment."""

    saved: Any = None

    def render(self) -> str:
        return self.saved.messages.get(language()) or next(iter(self.saved.messages.values()), "")


def exports_filter() -> str:
    """The file dialogs' filter: the exports SegmentDesk reads, or any file."""
    patterns = " ".join(f"*{suffix}" for suffix in EXPORT_SUFFIXES)
    return ";;".join([t("ui.dialog.filter_exports", patterns=patterns), t("ui.dialog.filter_all")])


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


class MainWindow(QMainWindow):
    """SegmentDesk's window; `open_files` is what a double-click on an export ends up calling."""

    import_finished = Signal(str)  # the job's outcome: "success", "failure" or "cancelled"
    # The segmentation and plan started right after an import: "success", "failure" or "cancelled".
    analysis_finished = Signal(str)
    save_finished = Signal(str)  # a PDF or customer list save: "success", "failure", "cancelled", "stale"

    def __init__(self):
        super().__init__()
        theme.install(QApplication.instance())
        guard_wheel(QApplication.instance())  # spin boxes and combos: the wheel only once focused
        self.setStyleSheet(theme.STYLESHEET)
        self.setAcceptDrops(True)
        self.book: Any = None  # the book every page analyses: the import, converted with the rates if given
        self.imported_book: Any = None  # the last successful import as read; replaced only by the next success
        self.conversion: Any = None  # core.currency.Conversion the seller entered for these files
        self._paid_currencies: list[str] = []  # of the imported book (core.currency.paid_currencies)
        self.summary: dict | None = None
        self.last_error = ""
        self._job: Job | None = None
        self._analysis: Job | None = None  # segmenting and planning the book just imported
        self._paths: list[str] = []  # the files of the import under way (or of the last one)
        self._book_paths: list[str] = []  # the files of the book on screen
        self._mappings: dict[str, Any] = {}  # path -> the column mapping (Profile) it is read with
        self.mapping_dialog = None  # the open ColumnMappingDialog, if any
        self._status = Text("ui.status.ready")
        self._status_after_import: Text | None = None
        self._import_language = language()
        self._save_job: Job | None = None
        self._audience_platform = "google"  # the ad platform chosen last
        self._after_plan: Any = None  # what to do with the plan being built for Print / Save as PDF
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_central()
        self.retranslate()
        self._fit_to_screen()
        geometry = settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)

    # Building --------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.open_action = QAction(self)
        self.open_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_files)
        self.add_action = QAction(self)
        self.add_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.add_action.triggered.connect(self.choose_files_to_add)
        self.add_action.setEnabled(False)
        self.map_action = QAction(self)
        self.map_action.triggered.connect(self.choose_file_to_map)
        self.rates_action = QAction(self)  # one reporting currency for a shop selling in several
        self.rates_action.triggered.connect(self.ask_rates)
        self.rates_action.setEnabled(False)
        self.clear_recent_action = QAction(self)
        self.clear_recent_action.triggered.connect(self.clear_recent)
        # Saving: enabled once there is a book (the plan is built on demand if there is none yet).
        self.export_action = QAction(self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.export_all_customers)
        self.audience_action = QAction(self)  # a hashed audience list for ad platforms
        self.audience_action.triggered.connect(self.export_all_audience)
        self.pdf_action = QAction(self)
        self.pdf_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.pdf_action.triggered.connect(self.save_pdf)
        self.print_action = QAction(self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(self.print_report)
        self.save_actions = (self.export_action, self.audience_action, self.pdf_action, self.print_action)
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
        self.file_menu.addAction(self.add_action)
        self.recent_menu = self.file_menu.addMenu("")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.file_menu.addAction(self.map_action)
        self.file_menu.addAction(self.rates_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.export_action)
        self.file_menu.addAction(self.audience_action)
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
        self.trends_page = TrendsPage()
        self.report_page = ReportPage()
        # Campaigns: created from a target (Strategy page, persona card), measured in the book on screen.
        self.campaigns_page = CampaignsPage()
        self.strategy_page.campaign_requested.connect(self._campaign_requested)
        self.personas_page.campaign_requested.connect(self._campaign_requested)
        self.campaigns_page.created.connect(lambda _campaign: self.show_page("campaigns"))
        self.campaigns_page.export_requested.connect(self.export_customers)
        self.campaigns_page.audience_requested.connect(self.export_audience)
        self.report_page.print_requested.connect(self.print_report)
        self.report_page.pdf_requested.connect(self.save_pdf)
        self.summary_page.page_requested.connect(self.show_page)
        self.summary_page.add_files_requested.connect(self.choose_files_to_add)
        self.summary_page.remove_file_requested.connect(self.remove_file)
        self.summary_page.currency_chosen.connect(self.use_file_currency)
        self.segments_page.segmentation_finished.connect(self._segments_done)
        self.targeting_page.plan_changed.connect(self.summary_page.show_plan)
        self.targeting_page.plan_finished.connect(lambda outcome: self._remember_settings())
        for page in (self.personas_page, self.strategy_page, self.report_page):
            self.targeting_page.plan_changed.connect(page.set_result)
            page.plan_wanted.connect(self.targeting_page.ensure_plan)
        self.targeting_page.plan_state.connect(self._show_plan_state)
        self.segments_page.options_changed.connect(self.targeting_page.set_segment_options)
        self.targeting_page.plan_finished.connect(self._plan_finished_for_report)
        self.segments_page.export_requested.connect(self.export_customers)
        self.segments_page.audience_requested.connect(self.export_audience)
        self.segments_page.tags_changed.connect(self._tags_changed)
        # Saving in the background shows its step, a bar and Cancel at the right of the status bar.
        self.save_busy = BusyBar()
        self.save_busy.cancel_button.clicked.connect(self.cancel_save)
        self.statusBar().addPermanentWidget(self.save_busy)

        self.sections = QStackedWidget()  # one widget per entry of NAV_PAGES
        self.section_widgets: dict[str, QWidget] = {
            "overview": self.pages, "segments": self.segments_page, "targeting": self.targeting_page,
            "personas": self.personas_page, "strategy": self.strategy_page, "trends": self.trends_page,
            "report": self.report_page, "campaigns": self.campaigns_page}
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
        self.context_line = text_label("contextLine")  # the files and period analysed, on every page
        self.context_line.hide()
        notices.addWidget(self.context_line)
        # Several currencies: the rates every figure was converted with, or that each is its own shop.
        self.currency_line = text_label("contextLine")  # one line (a wrapped label here sizes badly)
        self.currency_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.currency_line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.currency_row, self.rates_button = link_row(self.currency_line, self.ask_rates)
        self.currency_row.hide()
        notices.addWidget(self.currency_row)
        notices.addWidget(self.banner)
        notices.addWidget(self.error_banner)
        main.addLayout(notices)
        main.addWidget(self.sections, 1)
        outer.addLayout(main, 1)
        self.setCentralWidget(central)
        self.show_page("overview")

    def show_page(self, key: str) -> None:
        """Switch the navigation to page `key` (one of NAV_PAGES; an unknown key shows the
        Customers & Segments page, where every figure of the Overview comes from)."""
        key = key if key in self.section_widgets else "segments"
        self.sections.setCurrentWidget(self.section_widgets[key])
        self.nav_buttons[key].setChecked(True)
        self.nav_actions[key].setChecked(True)

    def current_page(self) -> str:
        widget = self.sections.currentWidget()
        return next(key for key, page in self.section_widgets.items() if page is widget)

    def _fit_to_screen(self) -> None:
        # Narrower, the pages' control lines and the Overview's cards no longer fit their text.
        self.setMinimumSize(MIN_WIDTH, 560)
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1240, 760
        if screen is not None:  # a 1366×768 laptop gets nearly the whole screen, not more
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 40)
        self.resize(max(width, MIN_WIDTH), max(height, 560))

    # Language --------------------------------------------------------------------------------
    def switch_language(self, code: str) -> None:
        from ui.app import use_qt_translation

        set_language(code)
        settings.set_language(code)
        use_qt_translation(code)
        theme.use_language_font(QApplication.instance(), code)
        # Widgets the style sheet gives a size or weight keep the face of their last polish: setting
        # the sheet again polishes them again (clearing it first doubled the cost, 0.2 s a switch).
        self.setStyleSheet(theme.STYLESHEET)
        self.language_actions[code].setChecked(True)
        if self.imported_book is not None:
            try:  # problem messages and any other text the summary renders follow the language
                self.summary = summarize(self.imported_book, code)
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
        self.add_action.setText(t("ui.overview.add_files"))
        self.add_action.setToolTip(t("ui.overview.add_files_tip"))
        self.add_action.setStatusTip(t("ui.overview.add_files_tip"))
        self.recent_menu.setTitle(t("ui.overview.recent"))
        self.clear_recent_action.setText(t("ui.overview.recent_clear"))
        self.map_action.setText(t("ui.menu.import_mapping"))
        self.map_action.setToolTip(t("ui.menu.import_mapping_tip"))
        self.map_action.setStatusTip(t("ui.menu.import_mapping_tip"))
        self.rates_action.setText(t("ui.rates.action"))
        self.quit_action.setText(t("ui.menu.quit"))
        for action, key in ((self.export_action, "export_list"), (self.pdf_action, "save_pdf"),
                            (self.print_action, "print")):
            action.setText(t(f"ui.menu.{key}"))
            action.setToolTip(t(f"ui.menu.{key}_tip"))
            action.setStatusTip(t(f"ui.menu.{key}_tip"))
        self.audience_action.setText(t("ui.audience.menu"))
        self.audience_action.setToolTip(t("ui.audience.menu_tip"))
        self.audience_action.setStatusTip(t("ui.audience.menu_tip"))
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
        self.campaigns_page.retranslate()
        self.trends_page.retranslate()
        self.report_page.retranslate()
        from ui.audience_dialog import AudienceDialog  # Qt only: an open one follows the language too

        for dialog in self.findChildren(AudienceDialog):
            dialog.retranslate()
        self._show_context()
        self._show_plan_state()
        self._show_status()

    def _show_plan_state(self) -> None:
        """The Personas and Strategy pages say what the plan they wait for is doing."""
        text = self.targeting_page.status_text()
        self.personas_page.set_status(text)
        self.strategy_page.set_status(text)
        self.report_page.set_status(text)

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
        self._remember_settings()  # of the files on screen, before they are replaced
        if self._analysis is not None:
            self._analysis.cancel()  # it analyses the book about to be replaced
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
            Job(import_and_summarize, self._paths, self._import_language, **mappings,
                currencies=settings.file_currencies())
            .on_progress(self.banner.show_progress)
            .on_success(self._import_succeeded)
            .on_failure(self._import_failed)
            .on_cancelled(self._import_cancelled)
        )
        self._job.finished.connect(self._job_finished)
        return self._job.start(self, "import")

    def use_file_currency(self, profiles: list[str], code: str) -> Job | None:
        """The seller named the currency of files that do not say theirs: remember it for their
        layouts and read the files on screen again with it."""
        for profile in profiles:
            settings.set_file_currency(profile, code)
        return self.open_files(self._book_paths) if self._book_paths else None

    def choose_files_to_add(self) -> None:
        """File → Add files…: more exports into the same customer base."""
        paths, _ = QFileDialog.getOpenFileNames(self, t("ui.overview.add_files"), "", exports_filter())
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> Job:
        """Import the files on screen together with `paths` (merged into one customer base)."""
        known = {Path(p).resolve() for p in self._book_paths}
        return self.open_files(self._book_paths + [p for p in paths if Path(p).resolve() not in known])

    def remove_file(self, path: str) -> Job | None:
        """Analyse the files on screen without `path`."""
        rest = [p for p in self._book_paths if Path(p).resolve() != Path(path).resolve()]
        if not rest or len(rest) == len(self._book_paths):
            return None
        return self.open_files(rest)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for entry in settings.recent_files():
            first = Path(entry[0]).name
            label = first if len(entry) == 1 else t("ui.overview.more_files", first=first, more=len(entry) - 1)
            missing = [p for p in entry if not Path(p).exists()]
            if missing:
                label = t("ui.overview.recent_missing", file=label)
            action = self.recent_menu.addAction(label.replace("&", "&&"))
            action.setToolTip("\n".join(entry))
            action.setEnabled(not missing)
            action.triggered.connect(lambda _checked=False, entry=entry: self.open_files(entry))
        if self.recent_menu.actions():
            self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.clear_recent_action)
        self.clear_recent_action.setEnabled(bool(settings.recent_files()))

    def clear_recent(self) -> None:
        settings.clear_recent()

    def _segments_done(self, outcome: str) -> None:
        if outcome == "success":
            self.summary_page.show_segments(self.segments_page.result)
            self._remember_settings()
        elif outcome == "failure" and self.segments_page.result is None:
            self.summary_page.show_segments_error(self.segments_page._error_text())

    def _remember_settings(self) -> None:
        """Keep what the seller chose for the files on screen, for the next time they open them."""
        if self.book is not None and self._book_paths:
            settings.remember_for(self._book_paths, {
                "segments": self.segments_page.saved_settings(),
                "targeting": self.targeting_page.saved_settings(), "trends": self.trends_page.saved_settings(),
                "campaigns": self.campaigns_page.saved_settings(), "report": self.report_page.saved_settings(),
                "language": language(),
                "conversion": self.conversion.as_json() if self.conversion is not None else None})

    def _show_context(self) -> None:
        """The line above every page: which files, which period."""
        if self.summary is None:
            self.context_line.hide()
            return
        names = [Path(str(f["path"])).name for f in self.summary["files"]] or [Path(p).name for p in self._book_paths]
        if not names:
            self.context_line.hide()
            return
        files = names[0] if len(names) == 1 else t("ui.overview.more_files", first=names[0], more=len(names) - 1)
        period = (t("ui.summary.period", first=self.summary["first_order"], last=self.summary["last_order"])
                  if self.summary.get("first_order") else t("ui.summary.no_orders"))
        self.context_line.setText(t("ui.overview.files_line", files=files, period=period))
        self.context_line.setToolTip("\n".join(str(f["path"]) for f in self.summary["files"]))
        self.context_line.show()
        self._show_currency_line()

    def _currencies(self) -> list[str]:
        """The currencies the imported files' customers paid in, most customers first (counted once
        per import: every page's currency line asks)."""
        return self._paid_currencies

    def _show_currency_line(self) -> None:
        """Under the files line, on every page: the rates in use, or that each currency is its own shop."""
        from core.currency import conversion_note

        currencies = self._currencies()
        several = len(currencies) > 1
        self.rates_action.setEnabled(several)
        self.currency_row.setVisible(several)
        if not several:
            return
        if self.conversion is not None:
            self.currency_line.setText(conversion_note(self.conversion, language()))
            self.rates_button.setText(t("ui.rates.change"))
        else:
            self.currency_line.setText(t("ui.rates.apart_line", currencies=", ".join(currencies)))
            self.rates_button.setText(t("ui.rates.enter"))
        self.currency_line.setToolTip(self.currency_line.text())  # the whole line, if a narrow window cuts it

    # Exchange rates ---------------------------------------------------------------------------
    def ask_rates(self):
        """Exchange rates… (window-modal, not blocking): on OK every page analyses all customers
        in the chosen currency; "Keep currencies apart" goes back to one shop per currency."""
        from core.currency import Conversion
        from ui.rates_dialog import RatesDialog

        currencies = self._currencies()
        if len(currencies) < 2:
            return None
        dialog = RatesDialog(currencies, self.conversion, Conversion.from_json(settings.last_rates()), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.use_conversion(dialog.conversion()))
        dialog.open()
        self.rates_dialog = dialog
        return dialog

    def use_conversion(self, conversion) -> None:
        """Analyse the import converted with `conversion` (None: each currency apart) on every page."""
        if self.imported_book is None:
            return
        self.conversion = conversion
        if conversion is not None:
            settings.set_last_rates(conversion.as_json())
        self._give_book()
        self._remember_settings()
        if conversion is not None:
            self.set_status("ui.rates.converted_status", base=conversion.base)
        else:
            self.set_status("ui.rates.apart_status")
        if self._job is None:
            self.analyse()

    def _give_book(self, mappable: set[str] | None = None) -> None:
        """Hand the analysed book (the import, converted when rates apply) to every page; the
        Overview shows the import's summary (`mappable`: its files to offer a mapping for)."""
        from core.currency import convert_book, missing_rates
        from core.model import net_sales

        imported = self.imported_book
        usable = self.conversion is not None and not missing_rates(self._currencies(), self.conversion.rates,
                                                                    self.conversion.base)
        if not usable:
            self.conversion = None
        self.book = convert_book(imported, self.conversion) if usable else imported
        self.summary_page.converted_total = (
            (self.conversion.base, float(net_sales(self.book.orders).sum())) if usable else None)
        if self.summary is not None:
            self.summary_page.show_summary(self.summary, mappable)
        self.report_page.set_book(self.book)
        self.summary_page.show_segments(None)
        self.segments_page.set_book(self.book)
        self.targeting_page.set_book(self.book)
        self.trends_page.set_book(self.book)
        self.campaigns_page.set_book(self.book, input_paths(self.book, self._book_paths))
        self._show_currency_line()

    def cancel_import(self) -> None:
        """The banner's Cancel: stops the import, or the analysis that follows it."""
        job = self._job if self._job is not None else self._analysis
        if job is not None:
            job.cancel()
            self.banner.cancel_button.setEnabled(False)
            self.banner.step.setText(t("ui.progress.cancelling"))

    def is_importing(self) -> bool:
        return self._job is not None and self._job.is_running()

    def _import_succeeded(self, result: tuple[Any, dict]) -> None:
        from core.currency import Conversion, paid_currencies

        self.imported_book, self.summary = result
        self._paid_currencies = paid_currencies(self.imported_book)
        self._book_paths = list(self._paths)
        self.last_error = ""
        saved = settings.settings_for(self._book_paths)  # these files were opened before
        self.conversion = Conversion.from_json(saved.get("conversion"))  # checked against the files below
        currencies = set(self.summary.get("net_sales", {}))  # a saved currency must still be there
        self.segments_page.restore_settings(saved.get("segments", {}), currencies)
        self.targeting_page.restore_settings(saved.get("targeting", {}), currencies)
        self.targeting_page.set_segment_options(self.segments_page.options.kwargs(), run=False)
        self.trends_page.restore_settings(saved.get("trends", {}), currencies)
        self.campaigns_page.restore_settings(saved.get("campaigns", {}))
        self.report_page.restore_settings(saved.get("report", {}))
        settings.add_recent(self._book_paths)
        self.add_action.setEnabled(True)
        if self._import_language != language():  # the user switched language while importing
            self.summary = summarize(self.imported_book, language())
        self._give_book(mappable_files(self.imported_book))
        self._after_plan = None  # a report asked for with the previous book is not made
        for action in self.save_actions:
            action.setEnabled(True)
        self.pages.setCurrentWidget(self.summary_page)
        if saved.get("language") in LANGUAGES and saved["language"] != language():
            self.switch_language(saved["language"])
        self._show_context()
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
        if outcome == "success":
            self.analyse()
        self.import_finished.emit(outcome)

    # Right after an import: segments and plan in one job --------------------------------------
    def analyse(self) -> Job | None:
        """Segment and plan the book on screen in one background job, with the choices of the
        Segments and Targeting pages, so the Overview's cards fill at once; each page takes its
        result as its own run's and computes nothing when shown (progress and Cancel: the banner)."""
        # A page on screen during the import has started its own run already.
        pages = [page for page in (self.segments_page, self.targeting_page) if not page.is_running()]
        if self.book is None or not pages:
            return None
        job = Job(analyse_book, self.book, *(page.run_call() if page in pages else None
                                             for page in (self.segments_page, self.targeting_page)))
        job.on_progress(self._analysis_progress)
        job.on_success(lambda results, job=job: self._analysed(job, *results))
        job.on_failure(lambda error, job=job: self._not_analysed(job, "failure", error))
        job.on_cancelled(lambda job=job: self._not_analysed(job, "cancelled"))
        job.finished.connect(self._analysis_finished)
        self._analysis = job
        for page in pages:
            page.await_result(job)
        self.banner.show_progress(0.0, t("ui.progress.analysing"))
        self.banner.cancel_button.setEnabled(True)
        self.banner.show()
        return job.start(self, "analysis")

    def _analysis_progress(self, fraction: float, text: str) -> None:
        self.banner.show_progress(fraction, text)
        for page in (self.segments_page, self.targeting_page):
            if page._awaited is self._analysis:
                page.busy.show_progress(fraction, text)

    def _analysed(self, job: Job, segments, plan) -> None:
        if segments is not None:
            self.segments_page.take_result(job, segments)
        if isinstance(plan, BaseException):
            self.targeting_page.result_not_coming(job, "failure", plan)
        elif plan is not None:
            self.targeting_page.take_result(job, plan)

    def _not_analysed(self, job: Job, outcome: str, error: BaseException | None = None) -> None:
        """Cancelled or failed: each page runs itself when shown (or says why it failed)."""
        for page in (self.segments_page, self.targeting_page):
            page.result_not_coming(job, outcome, error)
        if outcome == "cancelled" and self._job is None:  # not replaced by a new import
            self.set_status("ui.status.analysis_cancelled")

    def _analysis_finished(self, outcome: str) -> None:
        if outcome == "stale":
            return  # superseded: a newer import owns the banner
        self._analysis = None
        if self._job is None:  # not an import under way (it shows its own progress)
            self.banner.hide()
        self.analysis_finished.emit(outcome)

    def is_analysing(self) -> bool:
        return self._analysis is not None and self._analysis.is_running()

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
        # Dropped onto a window with files: they join them (another marketplace, another month).
        if self.book is not None:
            self.add_files(paths)
        else:
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
        settings.add_save_folder(target.parent)
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
        return None if self.book is None else self.export_customers(self._every_customer())

    def _every_customer(self) -> ListRequest:
        """Every customer, with the segments on screen (or the Customers & Segments page's map)."""
        page = self.segments_page
        if page.result is not None:
            return ListRequest(None, None, len(page.result.customers.keys), seg=page.result.segmentation,
                               settings=page._shown)
        return ListRequest(None, None, int((self.summary or {}).get("customers", 0)), settings=page.settings())

    def export_customers(self, request) -> Job | None:
        """Ask where to save the list of `request` (CSV or Excel), then build and save it in a Job."""
        from core.exports import FORMATS

        if self.book is None:
            return None
        default = default_list_suffix(request.rows)
        filters = list_filters()
        target = self._ask_list_target(t("ui.dialog.export_title"), suggested_list(request.name, default),
                                       filters, default, FORMATS)
        if target is None:
            return None
        self.set_status("ui.status.exporting", path=str(target))
        protect = input_paths(self.book, self._paths)
        return self._save_list(Job(export_list_job, self.book, request, str(target), language(), protect),
                               self._list_saved)

    def _ask_list_target(self, title: str, suggested: Path, filters: dict[str, str], default: str,
                         suffixes) -> Path | None:
        """The save dialog for a list: the path with its suffix, confirmed when it exists and
        never an input file (None: cancelled or refused, with the reason shown)."""
        from core.exports import ExportError, check_target

        path, chosen = QFileDialog.getSaveFileName(self, title, str(suggested), ";;".join(filters.values()),
                                                   filters[default])
        if not path:
            return None
        target, added = with_suffix(path, chosen, default, suffixes)
        if added and target.exists() and not self._confirm_overwrite(target):
            return None
        try:  # the dialog confirmed an existing file: force; an input file is refused all the same
            check_target(target, force=True, protect=input_paths(self.book, self._paths))
        except ExportError as error:
            self.show_error(error.problem.message(language()))
            return None
        settings.add_save_folder(target.parent)
        return target

    def _save_list(self, job: Job, on_saved) -> Job:
        """Run a list-writing job with the status bar's progress and Cancel."""
        self.save_busy.start(t("ui.progress.starting"))
        self.save_busy.cancel_button.show()
        job.on_progress(self.save_busy.show_progress).on_success(on_saved).on_failure(self._save_failed)
        job.on_cancelled(lambda: self.set_status("ui.status.save_cancelled"))
        return self._start_save(job)

    def _list_saved(self, saved) -> None:
        self._status = SavedText("export.saved", saved=saved)
        self._show_status()

    # Hashed audience lists for ad platforms --------------------------------------------------
    def export_all_audience(self):
        """File → Export for ads…: every customer (segments as on screen, or the page's map)."""
        return None if self.book is None else self.export_audience(self._every_customer())

    def export_audience(self, request):
        """Ask for the ad platform (window-modal dialog, returned for tests), then where to save."""
        from ui.audience_dialog import AudienceDialog

        if self.book is None:
            return None

        def who() -> str:
            if request.segments is None:
                return t("ui.audience.who_all", count=f"{request.rows:,}")
            labels = request.seg.labels if request.seg is not None else {}
            names = [labels[s].text(language())[0] if s in labels else s for s in request.segments]
            return t("ui.audience.who_segments", names=t("ui.audience.names_separator").join(names),
                     count=f"{request.rows:,}")

        dialog = AudienceDialog(who, self, self._audience_platform)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_audience(request, dialog.platform()))
        dialog.open()
        return dialog

    def _save_audience(self, request, platform: str) -> Job | None:
        """The save dialog (CSV only), then hash and write the list in a Job."""
        from ui.saving import hashed_audience_job

        self._audience_platform = platform
        target = self._ask_list_target(t("ui.audience.save_title"),
                                       suggested_list(f"{request.name}-{platform}-hashed", ".csv"),
                                       {".csv": t("ui.dialog.filter_csv")}, ".csv", (".csv",))
        if target is None:
            return None
        self.set_status("ui.audience.saving", path=str(target))
        protect = input_paths(self.book, self._paths)
        return self._save_list(Job(hashed_audience_job, self.book, request, platform, str(target), protect),
                               self._audience_saved)

    def _audience_saved(self, saved) -> None:
        self._status = AudienceText("", saved=saved)
        self._show_status()

    def _campaign_requested(self, segment: str):
        """Create campaign… on the Strategy page or a persona card: the dialog (returned for tests)."""
        return self.campaigns_page.ask_new(draft_from_plan(self.targeting_page.result, segment, self.book))

    def _tags_changed(self) -> None:
        """New tag tables: the plan's personas and facts read them, so a plan on screen is made again."""
        page = self.targeting_page
        if page.book is not None and (page.result is not None or page.is_running()):
            page.rerun()

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
        self._remember_settings()
        settings.set_geometry(self.saveGeometry())
        shutdown(self, 10000)
        shutdown(self.segments_page, 10000)
        shutdown(self.targeting_page, 10000)
        shutdown(self.trends_page, 10000)
        shutdown(self.campaigns_page, 10000)
        shutdown(self.report_page, 10000)
        super().closeEvent(event)
