"""Run core work off the GUI thread: Job(fn).on_success(cb).start(owner), with throttled progress and cancel."""
from __future__ import annotations

import gc
import itertools
import logging
import threading
import time
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal

from core.i18n import t
from core.jobs import Cancelled, CancelToken

log = logging.getLogger(__name__)

_job_ids = itertools.count(1)
# Jobs whose thread may still run or whose result is still queued: keeps them alive until delivered.
_alive: set["Job"] = set()
_retiring: set["Job"] = set()
# The current job of each (owner, slot); a job that is no longer current has its result dropped.
_current: dict[tuple[int, str], "Job"] = {}

PUSH_INTERVAL_MS = 100  # progress reaches the GUI at most ~10 times a second
_EMIT_INTERVAL_S = 0.05  # and the worker posts to the GUI queue at most ~20 times a second


class Job(QObject):
    """One piece of background work with callbacks that run on the GUI thread.

    Be careful: `fn` runs on a pool thread. It must never touch widgets or any other Qt GUI
    object; give it plain data and let `on_success` put the result on screen. `fn` is called
    as `fn(*args, progress=token, **kwargs)` and should call `progress.check_cancelled()`
    between chunks of work so that cancel takes effect quickly.
    """

    finished = Signal(str)  # "success", "failure", "cancelled" or "stale", after the callbacks
    # From the pool thread, queued to the GUI thread. They carry no Python objects: the data
    # waits in an attribute the GUI slot reads, so no refcount is touched outside the GIL's rules.
    _reported = Signal()
    _done = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self.id = next(_job_ids)
        self._call = (fn, args, kwargs)
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._progress: Callable[[float, str], None] | None = None
        self._cancelled: Callable[[], None] | None = None
        self.token = CancelToken(on_report=self._report_from_worker)
        self._ran = threading.Event()
        self._last_emit = 0.0
        self._last_message: tuple[str, dict] | None = None
        self._from_worker: tuple[float, str, dict] | None = None
        self._result: tuple[str, Any] = ("stale", None)
        self._latest: tuple[float, str, dict] | None = None
        self._pushed: tuple[float, str, dict] | None = None
        self._owner: QObject | None = None
        self._key: tuple[int, str] | None = None
        self.outcome: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(PUSH_INTERVAL_MS)
        self._timer.timeout.connect(self._push_progress)
        self._reported.connect(self._store_progress, Qt.ConnectionType.QueuedConnection)
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # Builder ---------------------------------------------------------------------------------
    def on_success(self, callback: Callable[[Any], None]) -> "Job":
        self._success = callback
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> "Job":
        self._failure = callback
        return self

    def on_progress(self, callback: Callable[[float, str], None]) -> "Job":
        """`callback(fraction, text)` with the latest report, text already translated."""
        self._progress = callback
        return self

    def on_cancelled(self, callback: Callable[[], None]) -> "Job":
        self._cancelled = callback
        return self

    def start(self, owner: QObject, slot: str = "default") -> "Job":
        """Run on the global thread pool; a job already running for (owner, slot) is cancelled."""
        self._owner = owner
        self._key = (id(owner), slot)
        previous = _current.get(self._key)
        if previous is not None:
            previous.cancel()
        _current[self._key] = self
        _alive.add(self)
        if not getattr(owner, "_jobs_watch_destroyed", False):
            # A deleted owner must not receive results: cancel everything it started.
            owner_key = id(owner)
            owner.destroyed.connect(lambda *_: cancel_all(owner_key))
            owner._jobs_watch_destroyed = True
        self._timer.start()
        QThreadPool.globalInstance().start(self._run)
        return self

    # Control ---------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask fn to stop; its result, if it still comes, is dropped."""
        self.token.cancel()

    def is_running(self) -> bool:
        return self in _alive

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Block until fn has returned on its thread (the callbacks may still be queued)."""
        return self._ran.wait(timeout_ms / 1000)

    # Pool thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        fn, args, kwargs = self._call
        try:
            self.token.check_cancelled()
            result = fn(*args, progress=self.token, **kwargs)
        except Cancelled:
            outcome, payload = "cancelled", None
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the GUI thread
            outcome, payload = "failure", exc
        else:
            outcome, payload = "success", result
        self._result = (outcome, payload)
        # Posted before `wait()` returns: a window closing (and the app quitting) right after
        # waiting must not find this thread still inside a Qt call.
        self._done.emit()
        self._ran.set()

    def _report_from_worker(self, fraction: float, message_id: str, fmt: dict) -> None:
        # Post when the step changes or now and then, never once per row: the GUI queue stays short.
        now = time.monotonic()
        message = (message_id, fmt)
        if message != self._last_message or now - self._last_emit >= _EMIT_INTERVAL_S:
            self._last_message, self._last_emit = message, now
            self._from_worker = (fraction, message_id, dict(fmt))
            self._reported.emit()

    # GUI thread ------------------------------------------------------------------------------
    def _store_progress(self) -> None:
        self._latest = self._from_worker

    def _push_progress(self) -> None:
        if self._latest is None or self._latest == self._pushed or self._progress is None:
            return
        if self.token.event.is_set() or not self._owner_alive():
            return
        self._pushed = self._latest
        fraction, message_id, fmt = self._latest
        self._progress(fraction, t(message_id, **fmt) if message_id else "")

    def _owner_alive(self) -> bool:
        return self._owner is not None and shiboken6.isValid(self._owner)

    def _deliver(self) -> None:
        outcome, payload = self._result
        self._result = ("stale", None)  # the window keeps what it needs; the job keeps nothing
        self._timer.stop()
        _alive.discard(self)
        # Callbacks may drop the last reference to this job while Qt is still delivering the
        # event to it: keep it until the event loop comes round again.
        _retiring.add(self)
        QTimer.singleShot(0, _release_retired)
        is_current = _current.get(self._key) is self
        if is_current:
            del _current[self._key]
        if outcome == "success" and self.token.event.is_set():
            outcome = "cancelled"  # fn ignored the cancel: its result is as stale as any other
        if not is_current or not self._owner_alive():
            outcome = "stale"  # superseded by a newer job, or its window is gone: nobody to tell
        self.outcome = outcome
        try:
            if outcome == "success":
                self._push_final_progress()
                if self._success is not None:
                    self._success(payload)
            elif outcome == "failure":
                if self._failure is not None:
                    self._failure(payload)
                else:
                    log.error("background job failed", exc_info=payload)
            elif outcome == "cancelled" and self._cancelled is not None:
                self._cancelled()
        finally:
            self.finished.emit(outcome)

    def _push_final_progress(self) -> None:
        if self._latest is not None and self._latest != self._pushed:
            self._push_progress()


def _release_retired() -> None:
    _retiring.clear()


def cancel_all(owner: QObject | int) -> list[Job]:
    """Cancel every job started for `owner` (an object or its id); returns them."""
    owner_id = owner if isinstance(owner, int) else id(owner)
    jobs = [job for job in list(_alive) if job._key is not None and job._key[0] == owner_id]
    for job in jobs:
        job.cancel()
    return jobs


def shutdown(owner: QObject, timeout_ms: int = 5000) -> bool:
    """For closeEvent: cancel the owner's jobs and wait until no pool thread runs them."""
    jobs = cancel_all(owner)
    return all(job.wait(timeout_ms) for job in jobs)


class GuiThreadGarbageCollector(QObject):
    """Runs Python's cyclic garbage collection on the GUI thread only.

    Left alone, the collector runs in whichever thread happens to allocate, so a pool thread can
    end up destroying widgets and other Qt objects caught in reference cycles, which crashes Qt
    at a random place. Automatic collection is switched off and done here, from a timer.
    """

    def __init__(self, parent: QObject, interval_ms: int = 500):
        super().__init__(parent)
        gc.disable()
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start(interval_ms)

    def collect_if_due(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return


def collect_garbage_on_gui_thread(app: QObject) -> GuiThreadGarbageCollector:
    """Install the GUI-thread garbage collector once per application."""
    existing = app.findChild(GuiThreadGarbageCollector)
    return existing or GuiThreadGarbageCollector(app)
