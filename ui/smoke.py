"""`main.py --smoke FILE…`: start the GUI, load the files, show every page once, time it, exit."""
from __future__ import annotations

import sys
import time

from PySide6.QtCore import QObject, QTimer

POLL_MS = 50  # how often the run looks whether a page is still busy (a smoke run, not a test)
TIMEOUT_S = 600.0


class SmokeRun(QObject):
    """Drives a MainWindow through the whole flow and quits the app with 0 (all fine) or 1."""

    def __init__(self, window, files: list[str], started: float, shots: str | None = None,
                 until_cards: bool = False):
        super().__init__(window)
        self.window, self.files, self.started, self.shots = window, files, started, shots
        self.until_cards = until_cards  # stop once the Overview's cards are filled (bench/bench_cards.py)
        self.first_window: float | None = None
        self.cards_filled: float | None = None
        self.pages: list[str] = []
        self.failures: list[str] = []
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._step)

    def start(self) -> None:
        """Called once the event loop runs: the window has been shown and painted."""
        self.first_window = time.perf_counter() - self.started
        print(f"first window: {self.first_window:.3f} s", flush=True)
        if not self.files:
            self._finish()
            return
        self.window.import_finished.connect(self._imported)
        self.window.analysis_finished.connect(self._analysed)
        self.window.open_files(self.files)

    def _analysed(self, outcome: str) -> None:
        """The segmentation and plan that follow the import: the Overview's cards are filled."""
        page = self.window.summary_page
        if outcome != "success" or page.segments_result is None or page.plan_result is None:
            self.failures.append(f"cards: {outcome}")
            if self.until_cards:
                self._finish()
            return
        self.cards_filled = time.perf_counter() - self.started
        print(f"cards filled: {self.cards_filled:.3f} s", flush=True)
        if self.until_cards:
            self._finish()

    def _imported(self, outcome: str) -> None:
        if outcome != "success":
            self.failures.append(f"import: {outcome} {self.window.last_error}")
            self._finish()
            return
        if self.until_cards:
            return  # the cards fill without any page shown
        from ui.main_window import NAV_PAGES

        self.pages = list(NAV_PAGES)
        self._show_next()

    def _show_next(self) -> None:
        key = self.pages[0]
        self.window.show_page(key)
        self.timer.start()

    def _busy(self) -> bool:
        pages = self.window.section_widgets.values()
        return any(getattr(page, "is_running", lambda: False)() for page in pages)

    def _step(self) -> None:
        if time.perf_counter() - self.started > TIMEOUT_S:
            self.failures.append(f"timeout on page {self.pages[0]}")
            self._finish()
            return
        if self._busy():
            return
        self.timer.stop()
        key = self.pages.pop(0)
        page = self.window.section_widgets[key]
        error = getattr(page, "error", None)
        if error is not None:
            self.failures.append(f"{key}: {error}")
        if self.shots:
            from pathlib import Path

            from PySide6.QtWidgets import QApplication

            Path(self.shots).mkdir(parents=True, exist_ok=True)
            QApplication.processEvents()  # the layout the page's last change asked for, as a user sees it
            self.window.grab().save(str(Path(self.shots) / f"smoke-{key}.png"))
        print(f"page {key}: {time.perf_counter() - self.started:.3f} s", flush=True)
        if self.pages:
            self._show_next()
        else:
            self._finish()

    def _finish(self) -> None:
        if self.timer is None:
            return  # finished already
        self.timer.stop()
        self.timer = None
        total = time.perf_counter() - self.started
        for failure in self.failures:
            print(f"FAILED {failure}", file=sys.stderr, flush=True)
        print(f"total: {total:.3f} s", flush=True)
        self.window.close()
        from PySide6.QtWidgets import QApplication

        QApplication.instance().exit(1 if self.failures else 0)
