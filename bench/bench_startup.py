"""Start-up benchmark: time from process start to the first window on screen, SegmentDesk
(`main.py --smoke`, no files) against a bare PySide6 window shown the same way on this machine.

Both are timed from outside (spawn → the "first window" line on stdout), so interpreter start-up
and imports count for both; runs alternate, the median of --runs is reported with peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

BARE = """
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1240, 760)
window.show()
def shown():
    print("first window", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def time_to_window(command: list[str], env: dict) -> tuple[float, int]:
    """Seconds from spawn to the line starting "first window", and the child's peak RSS in MB."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    elapsed = None
    for line in child.stdout:
        if elapsed is None and line.startswith("first window"):
            elapsed = time.perf_counter() - started
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if elapsed is None or child.returncode != 0:
        raise RuntimeError(f"{command} exited {child.returncode} without showing a window")
    return elapsed, round(usage.ru_maxrss / 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "SEGMENTDESK_CONFIG_DIR": tempfile.mkdtemp(prefix="segmentdesk-bench-")}
    ours_cmd = [sys.executable, "main.py", "--smoke"]
    bare_cmd = [sys.executable, "-c", BARE]
    time_to_window(ours_cmd, env)  # warm the file cache for both
    time_to_window(bare_cmd, env)
    ours, bare, ours_rss, bare_rss = [], [], [], []
    for _ in range(args.runs):
        seconds, rss = time_to_window(bare_cmd, env)
        bare.append(seconds)
        bare_rss.append(rss)
        seconds, rss = time_to_window(ours_cmd, env)
        ours.append(seconds)
        ours_rss.append(rss)
    result = {
        "what": "spawn → first window shown (offscreen), median of runs",
        "runs": args.runs,
        "segmentdesk_s": round(statistics.median(ours), 3),
        "bare_pyside6_s": round(statistics.median(bare), 3),
        "ratio": round(statistics.median(ours) / statistics.median(bare), 2),
        "segmentdesk_peak_rss_mb": max(ours_rss),
        "bare_peak_rss_mb": max(bare_rss),
        "all_segmentdesk_s": [round(s, 3) for s in ours],
        "all_bare_s": [round(s, 3) for s in bare],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "startup.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
