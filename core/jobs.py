"""Progress reporting, cancellation and side-by-side work for long core work, shared by the CLI
and the GUI worker."""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Protocol

# From this many rows a table's work is worth a second thread: below it, starting threads costs
# more than they give (the import's columns and the plan's independent parts).
PARALLEL_FROM_ROWS = 20_000
# Up to this many rows the plan's independent parts run side by side. Beyond, memory comes first:
# each part holds its own copy of the paid orders while it runs, and two at once took ten million
# lines from 3.9 to 4.1 GB (bench/bench_scale.py).
ALONGSIDE_UP_TO_ROWS = 5_000_000


class Cancelled(Exception):
    """Raised inside core work when the user asked to stop."""


class Progress(Protocol):
    def report(self, fraction: float, message_id: str = "", **fmt: object) -> None:
        """Tell how far the work is (0..1) and what it does now (a catalog id)."""

    def check_cancelled(self) -> None:
        """Raise Cancelled if the user asked to stop."""


class NullProgress:
    """Progress that reports nowhere and is never cancelled."""

    def report(self, fraction: float, message_id: str = "", **fmt: object) -> None:
        pass

    def check_cancelled(self) -> None:
        pass


class CancelToken:
    """Progress that records the latest report and stops when its event is set (threads share it)."""

    def __init__(self, on_report=None):
        self.event = threading.Event()
        self.latest: tuple[float, str, dict] = (0.0, "", {})
        self._on_report = on_report

    def cancel(self) -> None:
        self.event.set()

    def report(self, fraction: float, message_id: str = "", **fmt: object) -> None:
        self.latest = (max(0.0, min(1.0, fraction)), message_id, fmt)
        if self._on_report is not None:
            self._on_report(*self.latest)

    def check_cancelled(self) -> None:
        if self.event.is_set():
            raise Cancelled()


class _SubProgress:
    def __init__(self, parent: Progress, start: float, end: float):
        self.parent, self.start, self.end = parent, start, end

    def report(self, fraction: float, message_id: str = "", **fmt: object) -> None:
        self.parent.report(self.start + (self.end - self.start) * fraction, message_id, **fmt)

    def check_cancelled(self) -> None:
        self.parent.check_cancelled()


def sub(progress: Progress, start: float, end: float) -> Progress:
    """A view of `progress` that maps 0..1 onto start..end, for one phase of a longer job."""
    return _SubProgress(progress, start, end)


NULL_PROGRESS = NullProgress()


@contextmanager
def alongside(rows: int):
    """A `start(work, *args)` that returns a Future of `work(*args)`: run in one more thread when
    the table has PARALLEL_FROM_ROWS to ALONGSIDE_UP_TO_ROWS `rows` (pandas, numpy and scipy
    release the GIL in their loops, so a second core does real work), at once in this thread
    otherwise. The block ends when every started work has; work not yet started is dropped when
    the block raises (a cancelled plan does not go on fitting in the background)."""
    if not PARALLEL_FROM_ROWS <= rows <= ALONGSIDE_UP_TO_ROWS:
        yield _now
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alongside")
    try:
        yield pool.submit
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _now(work, *args) -> Future:
    future: Future = Future()
    try:
        future.set_result(work(*args))
    except Exception as error:  # noqa: BLE001  raised again where the caller asks for the result
        future.set_exception(error)
    return future
