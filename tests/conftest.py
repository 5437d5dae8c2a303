"""Test setup shared by every test: headless Qt, a private settings folder, the repo on sys.path."""
import os
import sys
import tempfile
from pathlib import Path

# Before anything imports Qt: no display in CI, and never the developer's own settings.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["SEGMENTDESK_CONFIG_DIR"] = tempfile.mkdtemp(prefix="segmentdesk-test-config-")
os.environ["SEGMENTDESK_LANG"] = "en"

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data"


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite the expected outputs of the import fixtures (review the diff!)")


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """`python main.py …` run in this process (no interpreter start, no imports again):
    (exit status, stdout, stderr); argparse errors exit with 2. Back in English afterwards."""
    from core.cli import main
    from core.i18n import set_language

    try:
        status = main([str(a) for a in argv])
    except SystemExit as stop:
        status = stop.code
    finally:
        set_language("en")
    out = capsys.readouterr()
    return status, out.out, out.err
