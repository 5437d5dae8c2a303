"""Report: the strategy summary as it will print, page by page, drawn in the background, with
Print… and Save as PDF… beside it (the same renderer as the PDF and the printer)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from core.i18n import language, t
from ui.saving import default_paper
from ui.targeting_page import PlanPage
from ui.widgets import BusyBar, error_text, page_header, page_scaffold, page_scroll, text_label
from ui.worker import Job, shutdown

PAPERS = ("a4", "letter")


def render_pages(plan: Any, lang: str, paper: str, book: Any, scale: float, progress) -> list:
    """Pool thread: the report's pages as QImages (never widgets or pixmaps here)."""
    from ui.report.render import render_images

    progress.report(0.05, "progress.report_pages")
    return render_images(plan, lang, paper, book, scale, progress)


class ReportPage(PlanPage):
    """The printed summary previewed; re-drawn when the plan, the language or the paper changes."""

    print_requested = Signal()
    pdf_requested = Signal()
    pages_shown = Signal(str)  # a drawing's outcome: "success", "failure" or "cancelled"

    def __init__(self):
        super().__init__()
        self.book: Any = None
        self.error: BaseException | None = None
        self._job: Job | None = None
        self._drawn: tuple | None = None  # (plan, language, paper) of the pages on screen
        self._running: tuple | None = None  # the same of the drawing under way
        self.title = text_label("pageTitle")
        self.paper_label = QLabel()
        self.paper_combo = QComboBox()
        for paper in PAPERS:
            self.paper_combo.addItem("", paper)
        self.paper_combo.setCurrentIndex(PAPERS.index(default_paper()))
        self.paper_combo.currentIndexChanged.connect(lambda _i: self.redraw())
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_requested)
        self.pdf_button = QPushButton()
        self.pdf_button.setObjectName("primary")
        self.pdf_button.clicked.connect(self.pdf_requested)
        self.busy = BusyBar()
        self.busy.cancel_button.clicked.connect(self.cancel)
        header = page_header(self.title, (self.paper_label, self.paper_combo), right=self.busy)
        header.addWidget(self.print_button)
        header.addWidget(self.pdf_button)
        self.note = text_label("pageSubtitle", wrap=True)
        self.sheets = QWidget()
        self.sheets.setObjectName("reportSheets")
        self.sheet_layout = QVBoxLayout(self.sheets)
        self.sheet_layout.setSpacing(18)
        self.sheet_layout.setContentsMargins(12, 12, 12, 24)
        self.page_labels: list[QLabel] = []
        self._images: list = []  # the drawn pages (QImage), scaled to the width on resize
        self._scale = 1.0
        self.empty, self.content = page_scaffold(self, header, self.note, shown=page_scroll(self.sheets))
        self._show_state()

    # Plan and book ----------------------------------------------------------------------------
    def set_book(self, book: Any) -> None:
        self.book = book

    def set_result(self, result) -> None:
        self.result = result
        if result is None:
            self.cancel()
            self._clear()
        self.redraw()

    def saved_settings(self) -> dict:
        """What re-opening the same files brings back (see ui.settings): the paper size."""
        return {"paper": self.paper_combo.currentData()}

    def restore_settings(self, saved: dict) -> None:
        """The saved paper size, without drawing (the next plan is drawn on it)."""
        if saved.get("paper") in PAPERS:
            self.paper_combo.blockSignals(True)
            self.paper_combo.setCurrentIndex(PAPERS.index(saved["paper"]))
            self.paper_combo.blockSignals(False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.redraw()

    def retranslate(self) -> None:
        self.title.setText(t("ui.report_page.title"))
        self.paper_label.setText(t("ui.report_page.paper"))
        for i, paper in enumerate(PAPERS):
            self.paper_combo.setItemText(i, t(f"ui.report_page.paper_{paper}"))
        self.print_button.setText(t("ui.menu.print"))
        self.print_button.setToolTip(t("ui.menu.print_tip"))
        self.pdf_button.setText(t("ui.menu.save_pdf"))
        self.pdf_button.setToolTip(t("ui.menu.save_pdf_tip"))
        self.busy.cancel_button.setText(t("ui.progress.cancel"))
        self.redraw()  # the report is written in the language of the moment
        self._show_state()

    # Drawing ----------------------------------------------------------------------------------
    def wanted(self) -> tuple | None:
        if self.result is None:
            return None
        return (id(self.result.plan), language(), self.paper_combo.currentData())

    def redraw(self) -> Job | None:
        """Draw the pages again if what they show changed; only while the page is on screen."""
        wanted = self.wanted()
        if wanted is None or not self.isVisible() or wanted == self._drawn:
            self._show_state()
            return None
        if self._job is not None and self._job.is_running() and self._running == wanted:
            return self._job
        _plan, lang, paper = wanted
        self._running = wanted
        self.error = None
        self.busy.start(t("ui.report_page.drawing"))
        scale = max(1.0, min(self.devicePixelRatioF(), 2.0))
        self._job = (Job(render_pages, self.result.plan, lang, paper, self.book, scale)
                     .on_progress(self.busy.show_progress)
                     .on_success(lambda images: self._show_pages(images, wanted, scale))
                     .on_failure(self._failed))
        self._job.finished.connect(self._finished)
        self._show_state()
        return self._job.start(self, "report")

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
        self.busy.hide()

    def is_running(self) -> bool:
        return self._job is not None and self._job.is_running()

    def _show_pages(self, images: list, wanted: tuple, scale: float) -> None:
        self._clear()
        self._images, self._scale = images, scale
        for index, _image in enumerate(images):
            sheet = QLabel()
            sheet.setObjectName("reportSheet")
            sheet.setToolTip(t("ui.report_page.page_tip", page=index + 1, pages=len(images)))
            self.sheet_layout.addWidget(sheet, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(sheet)
        self._drawn = wanted
        self._fit_pages()
        self.note.setText(t("ui.report_page.note", pages=len(images)))

    def _fit_pages(self) -> None:
        """Each sheet as wide as the page fits (never wider than drawn): no sideways scrolling."""
        if not self.page_labels:
            return
        room = max(200, self.content.width() - 60)
        for sheet, image in zip(self.page_labels, self._images):
            pixmap = QPixmap.fromImage(image)
            natural = image.width() / self._scale
            if natural > room:
                pixmap = pixmap.scaledToWidth(round(room * self._scale), Qt.TransformationMode.SmoothTransformation)
            pixmap.setDevicePixelRatio(self._scale)
            sheet.setPixmap(pixmap)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_pages()

    def _clear(self) -> None:
        for sheet in self.page_labels:
            self.sheet_layout.removeWidget(sheet)
            sheet.deleteLater()
        self.page_labels = []
        self._images = []
        self._drawn = None

    def _failed(self, error: BaseException) -> None:
        self.error = error

    def _finished(self, outcome: str) -> None:
        if outcome == "stale":
            return
        self.busy.hide()
        self._job = None
        self._show_state()
        self.pages_shown.emit(outcome)

    def _show_state(self) -> None:
        if self.error is not None:
            self.empty.setText(error_text("ui.report_page.failed", self.error))
            self.content.setCurrentIndex(0)
        elif self.page_labels:
            self.content.setCurrentIndex(1)
        else:
            self.empty.setText(t("ui.report_page.drawing") if self.result is not None else self.status)
            self.content.setCurrentIndex(0)
        has_plan = self.result is not None
        for widget in (self.print_button, self.pdf_button, self.paper_combo):
            widget.setEnabled(has_plan)

    def closeEvent(self, event) -> None:
        shutdown(self, 10000)
        super().closeEvent(event)
