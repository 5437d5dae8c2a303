"""Start the desktop app: one QApplication, the main window, and the files it was opened with."""
from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ui import theme


def run(files: list[str]) -> int:
    """Show the window, import `files` right away (a double-click on an export), run the event loop."""
    QApplication.setApplicationName("SegmentDesk")
    QApplication.setOrganizationName("SegmentDesk")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.install(app)
    from ui.worker import collect_garbage_on_gui_thread

    collect_garbage_on_gui_thread(app)

    from ui.main_window import MainWindow  # after the QApplication: widgets need it

    window = MainWindow()
    window.show()
    if files:
        # Let the window paint first; the import (and pandas) starts once the loop runs.
        QTimer.singleShot(0, lambda: window.open_files(list(files)))
    return app.exec()


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
