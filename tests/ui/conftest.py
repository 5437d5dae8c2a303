"""UI test setup: every test must leave no pool thread running, and starts in English."""
import gc

import pytest
from PySide6.QtCore import QThreadPool

from core.i18n import set_language
from ui.worker import collect_garbage_on_gui_thread


@pytest.fixture(autouse=True, scope="session")
def garbage_collected_on_gui_thread(qapp):
    """As in the app: cycles holding Qt objects are never collected on a pool thread."""
    collect_garbage_on_gui_thread(qapp)
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    set_language("en")
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(5000), "a background job was still running 5 s after the test"
    assert pool.activeThreadCount() == 0
    gc.collect()  # on the GUI thread, while no job runs
    set_language("en")
