"""core/ never imports Qt: every core module is imported in a fresh interpreter and checked."""
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


def test_numeric_thread_pools_have_one_thread_in_the_app_and_in_the_tests():
    """core sets BLAS and OpenMP to one thread before they load: on small problems their pools cost
    more than they give (the demo's plans ran 1.2-1.7x slower with them)."""
    code = ("import core, sklearn.cluster, threadpoolctl\n"
            "print(sorted({p['num_threads'] for p in threadpoolctl.threadpool_info()}))\n")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[1]"
    import sklearn.cluster  # noqa: F401  loads OpenMP in this test process too
    import threadpoolctl

    assert {p["num_threads"] for p in threadpoolctl.threadpool_info()} == {1}
