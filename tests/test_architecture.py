"""core/ never imports Qt: every core module is imported in a fresh interpreter and checked; and
the numeric thread pools are sized as core/__init__.py says."""
import os
import subprocess
import sys

from tests.conftest import ROOT

CORE_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "core").rglob("*.py"))
FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "matplotlib.backends.backend_qt")


def test_core_modules_found():
    assert "core.importing.engine" in CORE_MODULES


def test_core_never_imports_qt():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core imported Qt modules: {result.stdout.strip()}"


def test_ui_is_the_only_qt_layer():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "core").rglob("*.py")
                 if any(f"import {m}" in p.read_text("utf-8") or f"from {m}" in p.read_text("utf-8")
                        for m in FORBIDDEN)]
    assert offenders == []


def test_blas_runs_on_one_thread_and_arrow_on_every_core():
    """core sets BLAS to one thread before it loads, and clustering limits OpenMP: on small
    problems their pools cost more than they give (the demo's plans ran 1.2-1.7x slower with
    them). Arrow keeps every core: its CSV reader needs them (OMP_NUM_THREADS would take them)."""
    code = ("import os, core, sklearn.cluster, threadpoolctl, pyarrow\n"
            "print(sorted({p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas'}),"
            " pyarrow.cpu_count() == (os.cpu_count() or 1))\n")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[1] True"


def test_clustering_runs_openmp_on_one_thread(monkeypatch):
    import numpy as np
    import pandas as pd
    import threadpoolctl

    from core.segments import clusters

    seen = []
    real = clusters._cluster_customers

    def spy(*args):
        seen.extend(p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "openmp")
        return real(*args)

    monkeypatch.setattr(clusters, "_cluster_customers", spy)
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.gamma(2.0, 10.0, size=(60, len(clusters.BEHAVIOUR))),
                            columns=list(clusters.BEHAVIOUR), index=[f"c{i}" for i in range(60)])
    assert clusters.cluster_customers(features, k=3).k == 3
    assert seen and set(seen) == {1}


def test_ks_fitted_side_by_side_run_openmp_on_one_thread_and_give_the_same_clusters(monkeypatch):
    # For many customers every other k is fitted in a second thread (core.jobs.alongside); the
    # OpenMP limit is per thread, so it must hold there too, and the clusters must not change.
    import threading

    import numpy as np
    import pandas as pd
    import threadpoolctl
    from sklearn.cluster import KMeans

    from core import jobs
    from core.segments import clusters

    rng = np.random.default_rng(1)
    features = pd.DataFrame(rng.gamma(2.0, 10.0, size=(400, len(clusters.BEHAVIOUR))),
                            columns=list(clusters.BEHAVIOUR), index=[f"c{i}" for i in range(400)])
    in_turn = clusters.cluster_customers(features)
    seen, real_fit = [], KMeans.fit

    def spy(self, *args, **kwargs):
        seen.extend((threading.current_thread().name, p["num_threads"])
                    for p in threadpoolctl.threadpool_info() if p["user_api"] == "openmp")
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(KMeans, "fit", spy)
    monkeypatch.setattr(jobs, "PARALLEL_FROM_ROWS", 0)
    side_by_side = clusters.cluster_customers(features)
    assert {threads for _, threads in seen} == {1}
    assert any(name.startswith("alongside") for name, _ in seen)
    assert side_by_side.silhouette_by_k == in_turn.silhouette_by_k and side_by_side.k == in_turn.k
    assert side_by_side.labels.equals(in_turn.labels)
