"""SegmentDesk core: pure-Python analysis of marketplace order exports (never imports Qt)."""
import os
import sys

# Our numeric work is small (clusters are fitted on at most 20,000 customers), so BLAS thread pools
# cost more than they give, and their spinning threads compete with the GUI thread (and with each
# other when two analyses run). Set before numpy loads them. Not OMP_NUM_THREADS: Arrow sizes its
# own pool by it, and the CSV reader needs every core; clustering limits OpenMP itself.
for _pool in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")

# Arrow's allocator: jemalloc where the wheel has it (Linux). With mimalloc, pyarrow's default
# there, a 1M-line import spent 6-8 s of system time faulting pages in and out (9.8 s in all
# against 5.0 s with jemalloc, and 90 MB more at its peak); a raw CSV read alike (4.5 s against
# 2.2 s). The Windows and macOS wheels keep their default. Read when Arrow first allocates.
if sys.platform.startswith("linux"):
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")

# glibc's allocation policy: fast for a book of ordinary size until an import says otherwise
# (core.memory). Set before numpy allocates.
from core.memory import allocate_for  # noqa: E402

allocate_for(0)
