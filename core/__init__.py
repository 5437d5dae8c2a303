"""SegmentDesk core: pure-Python analysis of marketplace order exports (never imports Qt)."""
import os

# Our numeric work is small (clusters are fitted on at most 20,000 customers), so BLAS and OpenMP
# thread pools cost more than they give, and their spinning threads compete with the GUI thread
# (and with each other when two analyses run). Set before numpy or scikit-learn load them.
for _pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")
