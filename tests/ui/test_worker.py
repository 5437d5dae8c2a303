"""The background Job: results on the GUI thread, failures, cancel halfway, stale results dropped."""
import threading

import pytest
from PySide6.QtCore import QObject, QThread

from core.jobs import Cancelled
from ui.worker import Job, shutdown


@pytest.fixture
def owner():
    return QObject()


def add(a, b, progress):
    progress.report(0.5, "")
    return a + b


def explode(progress):
    raise ValueError("broken file")


def slow_loop(steps, started, progress):
    """Pretend to read a large file: many small chunks, each a cancel point."""
    started.set()
    for step in range(steps):
        progress.check_cancelled()
        progress.report(step / steps, "")
        threading.Event().wait(0.005)
    return "all done"


def test_success_is_delivered_on_the_gui_thread(qtbot, owner):
    results, threads = [], []
    job = Job(add, 2, b=3).on_success(lambda r: (results.append(r), threads.append(QThread.currentThread())))
    with qtbot.waitSignal(job.finished, timeout=5000) as finished:
        job.start(owner)
    assert finished.args == ["success"]
    assert results == [5]
    assert threads == [owner.thread()]


def test_failure_delivers_the_exception_and_not_success(qtbot, owner):
    errors, results = [], []
    job = Job(explode).on_success(results.append).on_failure(errors.append)
    with qtbot.waitSignal(job.finished, timeout=5000) as finished:
        job.start(owner)
    assert finished.args == ["failure"]
    assert results == []
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "broken file"


def test_cancel_halfway_keeps_previous_results(qtbot, owner):
    shown = ["previous result"]
    cancelled, failures = [], []
    started = threading.Event()
    job = (Job(slow_loop, 2000, started).on_success(lambda r: shown.__setitem__(0, r))
           .on_failure(failures.append).on_cancelled(lambda: cancelled.append(True)))
    with qtbot.waitSignal(job.finished, timeout=10000) as finished:
        job.start(owner)
        assert started.wait(5)
        job.cancel()
    assert finished.args == ["cancelled"]
    assert shown == ["previous result"]
    assert failures == [] and cancelled == [True]


def test_progress_reaches_the_gui_throttled(qtbot, owner):
    reports = []
    started = threading.Event()
    job = Job(slow_loop, 100, started).on_progress(lambda f, text: reports.append(f))
    with qtbot.waitSignal(job.finished, timeout=10000):
        job.start(owner)
    # ~0.5 s of work at ~10 pushes a second: a few reports, never one per step, always increasing
    assert 1 <= len(reports) < 50
    assert reports == sorted(reports)


def test_a_new_job_for_the_same_slot_cancels_and_drops_the_old_one(qtbot, owner):
    results = []
    started = threading.Event()
    old = Job(slow_loop, 2000, started).on_success(results.append)
    old.start(owner, "import")
    assert started.wait(5)
    new = Job(add, 1, 1).on_success(results.append)
    with qtbot.waitSignals([old.finished, new.finished], timeout=10000):
        new.start(owner, "import")
    assert results == [2]
    assert old.outcome == "stale" and new.outcome == "success"


def test_jobs_in_different_slots_both_deliver(qtbot, owner):
    results = []
    a = Job(add, 1, 1).on_success(results.append)
    b = Job(add, 2, 2).on_success(results.append)
    with qtbot.waitSignals([a.finished, b.finished], timeout=5000):
        a.start(owner, "one")
        b.start(owner, "two")
    assert sorted(results) == [2, 4]


def test_fn_that_raises_cancelled_itself_counts_as_cancelled(qtbot, owner):
    def give_up(progress):
        raise Cancelled()

    calls = []
    job = Job(give_up).on_success(calls.append).on_failure(calls.append)
    with qtbot.waitSignal(job.finished, timeout=5000) as finished:
        job.start(owner)
    assert finished.args == ["cancelled"] and calls == []


def test_shutdown_stops_a_running_job_before_returning(qtbot, owner):
    started = threading.Event()
    job = Job(slow_loop, 100000, started)
    with qtbot.waitSignal(job.finished, timeout=10000):
        job.start(owner)
        assert started.wait(5)
        assert shutdown(owner, 5000)
        assert job.wait(0)
