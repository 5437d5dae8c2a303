"""Plain helpers the UI tests share (fixtures are in conftest.py): a small Shopify export to write,
and waiting for a background run's "finished" signal."""
from pathlib import Path

import ui.main_window as main_window

SHOPIFY_HEADER = ("Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem quantity,"
                  "Lineitem name,Lineitem price,Billing Name,Billing Country,Refunded Amount")
GOOD_ROWS = [
    "#1001,ann@example.com,paid,2024-03-01 10:00:00 +0000,USD,42.50,2024-03-01 09:58:00 +0000,1,Mug,42.50,Ann Lee,US,0",
    "#1002,bob@example.com,refunded,2024-03-02 11:00:00 +0000,USD,20.00,2024-03-02 10:58:00 +0000,2,Cup,10.00,Bob Ray,US,20.00",
    "#1003,,pending,,USD,15.00,2024-03-05 08:00:00 +0000,1,Tea,15.00,,US,0",
    "#1004,cy@example.com,paid,2024-03-09 10:00:00 +0000,USD,30.00,2024-03-09 09:00:00 +0000,1,Pot,30.00,Cy Dee,US,5.00",
]
BAD_MONEY_ROW = ("#1005,dee@example.com,paid,2024-03-10 10:00:00 +0000,USD,abc,"
                 "2024-03-10 09:00:00 +0000,1,Mug,42.50,Dee Fox,US,0")


def write_export(folder: Path, name: str, rows: list[str]) -> str:
    path = folder / name
    path.write_text("\n".join([SHOPIFY_HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def outcome(qtbot, finished, action, timeout=60000) -> str:
    """Do `action` and wait for the `finished` signal of the run it starts: "success",
    "failure" or "cancelled"."""
    with qtbot.waitSignal(finished, timeout=timeout) as blocker:
        action()
    return blocker.args[0]


def import_and_wait(qtbot, window, paths, timeout=60000) -> str:
    return outcome(qtbot, window.import_finished, lambda: window.open_files(paths), timeout)


def import_and_analyse(qtbot, window, paths, timeout=120000) -> str:
    """Open `paths` and wait for the segmentation and plan that follow the import."""
    return outcome(qtbot, window.analysis_finished, lambda: window.open_files(paths), timeout)


def wait_run(qtbot, page, action, timeout=60000) -> str:
    """Do `action` and wait for the Segments page's run it starts."""
    return outcome(qtbot, page.segmentation_finished, action, timeout)


def wait_plan(qtbot, page, action, timeout=60000) -> str:
    """Do `action` and wait for the Targeting page's plan it starts."""
    return outcome(qtbot, page.plan_finished, action, timeout)


class Dialogs:
    """Stands in for QFileDialog.getSaveFileName and QMessageBox: records what was asked and
    answers with `answer` (a path, or "" for Cancel) and the filter the user picked."""

    def __init__(self, monkeypatch):
        self.answer: str = ""
        self.filter: str | None = None  # None: the filter the window offered first
        self.asked: list[tuple] = []
        self.errors: list[str] = []
        self.questions: list[str] = []
        dialogs = self

        def get_save_file_name(parent, caption, directory, filters, selected=""):
            dialogs.asked.append((caption, directory, filters, selected))
            return dialogs.answer, dialogs.filter if dialogs.filter is not None else selected

        def warning(parent, title, text, *args):
            dialogs.errors.append(text)

        def question(parent, title, text, *args):
            dialogs.questions.append(text)
            return main_window.QMessageBox.StandardButton.Yes

        monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
        monkeypatch.setattr(main_window.QMessageBox, "warning", staticmethod(warning))
        monkeypatch.setattr(main_window.QMessageBox, "question", staticmethod(question))
