"""Start the desktop app: one QApplication, the main window, and the files it was opened with."""
from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QLibraryInfo, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from ui import theme


_qt_translator: QTranslator | None = None


def use_qt_translation(code: str) -> None:
    """Qt's own dialogs (print preview, file dialogs, OK/Cancel) in the app's language."""
    global _qt_translator
    app = QApplication.instance()
    if app is None:
        return
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if code == "en":
        return
    translator = QTranslator(app)
    if translator.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        _qt_translator = translator


class FileOpenEvents(QObject):
    """macOS hands files double-clicked while the app runs (or at launch) over as FileOpen
    events, one per file: gathered for a moment, then added to the window's files."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.pending = window, []
        self.timer = QTimer(self, singleShot=True, interval=150)
        self.timer.timeout.connect(self._open)

    def eventFilter(self, _watched, event) -> bool:
        if event.type() == QEvent.Type.FileOpen and event.file():
            self.pending.append(event.file())
            self.timer.start()
            return True
        return False

    def _open(self) -> None:
        paths, self.pending = self.pending, []
        if self.window.book is not None:
            self.window.add_files(paths)
        else:
            self.window.open_files(paths)


def run(argv: list[str], started: float | None = None) -> int:
    """Show the window, import the files of `argv` right away (a double-click on an export), run
    the event loop. `--smoke FILE…` (optionally `--shots DIR`) runs the whole flow once and exits."""
    started = time.perf_counter() if started is None else started
    smoke = "--smoke" in argv
    until_cards = "--until-cards" in argv  # a smoke run that stops once the Overview's cards are filled
    files = [a for a in argv if a not in ("--smoke", "--until-cards")]
    shots = None
    if "--shots" in files:
        at = files.index("--shots")
        shots, files = (files[at + 1] if at + 1 < len(files) else None), files[:at] + files[at + 2:]
    if smoke and sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a smoke run needs no screen
    QApplication.setApplicationName("SegmentDesk")
    QApplication.setOrganizationName("SegmentDesk")
    QApplication.setDesktopFileName("segmentdesk")  # Wayland shows the icon of segmentdesk.desktop
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.install(app)
    app.setWindowIcon(theme.app_icon())
    from ui.worker import collect_garbage_on_gui_thread

    collect_garbage_on_gui_thread(app)

    from core.i18n import LANGUAGES, set_language
    from ui import settings

    saved = settings.language()  # the language the user last chose, unless the environment says
    if saved in LANGUAGES and not os.environ.get("SEGMENTDESK_LANG"):
        set_language(saved)
    from core.i18n import language

    use_qt_translation(language())
    theme.use_language_font(app, language())
    from ui.main_window import MainWindow  # after the QApplication: widgets need it

    window = MainWindow()
    window.show()
    from ui.saving import clean_stale_saves

    QTimer.singleShot(0, clean_stale_saves)  # after the first paint: it lists a few folders
    app.installEventFilter(FileOpenEvents(window))
    if smoke:
        from ui.smoke import SmokeRun

        runner = SmokeRun(window, files, started, shots, until_cards)
        QTimer.singleShot(0, runner.start)
    elif files:
        # Let the window paint first; the import (and pandas) starts once the loop runs.
        QTimer.singleShot(0, lambda: window.open_files(list(files)))
    return app.exec()


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
