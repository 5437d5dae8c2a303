"""SegmentDesk core: pure-Python analysis of marketplace order exports (never imports Qt)."""
import os

# Our numeric work is small (clusters are fitted on at most 20,000 customers), so BLAS thread pools
# cost more than they give, and their spinning threads compete with the GUI thread (and with each
# other when two analyses run). Set before numpy loads them. Not OMP_NUM_THREADS: Arrow sizes its
# own pool by it, and the CSV reader needs every core; clustering limits OpenMP itself.
for _pool in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")
