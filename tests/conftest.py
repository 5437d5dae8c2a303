"""Test setup shared by every test: headless Qt, a private settings folder, the repo on sys.path."""
import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest

# Before anything imports Qt: no display in CI, and never the developer's own settings.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["SEGMENTDESK_CONFIG_DIR"] = tempfile.mkdtemp(prefix="segmentdesk-test-config-")
os.environ["SEGMENTDESK_LANG"] = "en"

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
import core  # noqa: E402,F401  BLAS on one thread, as in the app, before numpy loads

DATA = ROOT / "tests" / "data"


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite the expected outputs of the import fixtures (review the diff!)")


def run_main(*args, lang="en", process=False, env=None) -> subprocess.CompletedProcess:
    """`python main.py ARGS` as a finished process (returncode, stdout, stderr). It runs in this
    process (an interpreter start and its imports cost seconds each) unless `process`; `env`
    adds environment variables (SEGMENTDESK_CONFIG_DIR…) for the run. Back in English after."""
    import contextlib
    import io

    import main as entry
    from core.i18n import set_language

    extra = {"SEGMENTDESK_LANG": lang, **(env or {})}
    if process:
        return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=180,
                              env={**os.environ, **extra})
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    out, err = io.StringIO(), io.StringIO()
    set_language(lang)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = entry.main([str(a) for a in args])
            except SystemExit as stop:
                status = stop.code
    finally:
        set_language("en")
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """run_main in this process as (exit status, stdout, stderr)."""
    result = run_main(*argv)
    return result.returncode, result.stdout, result.stderr


@cache
def imported_demo():
    """The demo exports, imported once per test process: tests read it and never change it (the
    tables derived from it, OrderBook.memo, are then built once as well)."""
    from core.importing import import_files

    return import_files(sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv")))


@pytest.fixture(scope="session")
def demo_book():
    """The demo book (imported_demo)."""
    return imported_demo()
