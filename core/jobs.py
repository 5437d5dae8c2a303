"""Progress reporting and cancellation for long core work, shared by the CLI and the GUI worker."""
from __future__ import annotations

import threading
from typing import Protocol


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
