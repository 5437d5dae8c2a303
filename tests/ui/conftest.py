"""UI test setup: every test must leave no pool thread running, and starts in English."""
import pytest
from PySide6.QtCore import QThreadPool

from core.i18n import set_language


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    set_language("en")
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(5000), "a background job was still running 5 s after the test"
    assert pool.activeThreadCount() == 0
    set_language("en")
