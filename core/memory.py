"""How the process takes and gives back memory: glibc's policy by the size of the book, and
handing freed memory back to the operating system between big steps."""
from __future__ import annotations

import sys

# glibc (numpy's and pandas' memory) serves an array under its mmap threshold from its heap and
# keeps it for the next one when freed; a larger array gets its own pages, returned when freed
# and faulted in again, page by page, by the next. Up to FAST_UP_TO_BYTES of exports, arrays of
# up to MMAP_THRESHOLD_FAST are reused: a 1M-line import spent 0.3 s less in the kernel (about
# 0.15 s sooner, 80 MB more at its peak). Beyond, memory comes first: ten million lines peaked
# at 4.0 GB with arrays of up to 32 MB reused, and at 3.8 GB with every array of 1 MB or more in
# its own pages.
FAST_UP_TO_BYTES = 2 << 30
MMAP_THRESHOLD_FAST, TRIM_THRESHOLD_FAST = 16 << 20, 32 << 20  # the heap keeps up to 32 MB unused
MMAP_THRESHOLD_SMALL, TRIM_THRESHOLD_SMALL = 1 << 20, 128 << 10  # glibc's trim default
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def thresholds(input_bytes: int) -> tuple[int, int]:
    """glibc's mmap and trim thresholds for a book read from `input_bytes` of exports."""
    if input_bytes <= FAST_UP_TO_BYTES:
        return MMAP_THRESHOLD_FAST, TRIM_THRESHOLD_FAST
    return MMAP_THRESHOLD_SMALL, TRIM_THRESHOLD_SMALL


def _glibc(function: str):
    """glibc's `function`, or None on other systems and C libraries (musl: its own policy)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return getattr(ctypes.CDLL("libc.so.6"), function)
    except (OSError, AttributeError):
        return None


def allocate_for(input_bytes: int) -> None:
    """Set the process's allocation policy for a book read from `input_bytes` of exports (glibc;
    other C libraries keep their own)."""
    mallopt = _glibc("mallopt")
    if mallopt is not None:
        mmap, trim = thresholds(input_bytes)
        mallopt(_M_MMAP_THRESHOLD, mmap)
        mallopt(_M_TRIM_THRESHOLD, trim)


def release_memory() -> None:
    """Return freed memory to the system between big steps. Arrow's pool keeps what it freed for
    reuse, and glibc keeps the freed pages of numpy arrays: after importing 3,000,000 lines the
    process held 1.9 GB for a 1.0-GB book, and 1.3 GB after this (40 ms)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    malloc_trim = _glibc("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)
