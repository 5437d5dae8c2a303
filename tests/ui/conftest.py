"""UI test setup: every test must leave no pool thread running, and starts in English. Shared
fixtures: the demo book, the main window (empty, or holding the demo book) and the folder
screenshots go to."""
import gc
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

from core.i18n import set_language
from tests.ui.helpers import Dialogs, wait_plan, wait_run
from ui.main_window import MainWindow
from ui.worker import collect_garbage_on_gui_thread


@pytest.fixture(autouse=True, scope="session")
def garbage_collected_on_gui_thread(qapp):
    """As in the app: cycles holding Qt objects are never collected on a pool thread."""
    collect_garbage_on_gui_thread(qapp)
    # What is loaded by now (modules, Qt's wrappers) lives all session: the full collection after
    # each test skips it (70 ms of every test's teardown before).
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()
    gc.enable()


@pytest.fixture(autouse=True)
def own_settings(tmp_path_factory, monkeypatch):
    """Each test its own settings (recent files, per-file choices, geometry): none leaks into the next."""
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    set_language("en")
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(5000), "a background job was still running 5 s after the test"
    assert pool.activeThreadCount() == 0
    gc.collect()  # on the GUI thread, while no job runs
    set_language("en")


def open_window(qtbot, height: int) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1366, height)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot):
    """A new main window on screen, nothing imported."""
    return open_window(qtbot, 728)


@pytest.fixture
def demo_window(qtbot, demo_book):
    """A main window of a 1366×768 screen holding the demo book (its pages not yet given it)."""
    win = open_window(qtbot, 768)
    win.book = demo_book
    return win


@pytest.fixture
def shots_dir(tmp_path) -> Path:
    """Where screenshots go: $SEGMENTDESK_SHOTS_DIR (to look at them), else a temporary folder."""
    shots = Path(os.environ.get("SEGMENTDESK_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    return shots


@pytest.fixture
def segmented_page(qtbot, demo_window, demo_book):
    """The Segments page on screen with the demo book segmented by rfm11 (5 scores)."""
    page = demo_window.segments_page

    def show():
        page.set_book(demo_book)  # not on screen yet: it segments once it is shown
        demo_window.show_page("segments")

    assert wait_run(qtbot, page, show) == "success"
    return page


@pytest.fixture
def planned_page(qtbot, demo_window, demo_book):
    """The Targeting page on screen with the plan of the demo book (rfm11, default weights)."""
    page = demo_window.targeting_page

    def show():
        page.set_book(demo_book)  # not on screen yet: it plans once it is shown
        demo_window.show_page("targeting")

    assert wait_plan(qtbot, page, show) == "success"
    return page


@pytest.fixture
def dialogs(monkeypatch):
    """File dialogs and message boxes answered by the test (see helpers.Dialogs)."""
    return Dialogs(monkeypatch)
