"""GUI responsiveness on a large book (issue 18): the window opens the seeded exports (ten 1M-line
files by default: 10,000,000 lines) as a double-click does, imports, segments and plans them in
its background worker, while a 20 ms timer on the GUI thread records how late each of its ticks
comes (the event loop's stalls) and the banner's progress updates are logged. Offscreen, with a
fresh config folder; the figures go to bench/out/responsiveness.json."""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.bench_import import OUT  # noqa: E402
from bench.bench_scale import DEFAULT_PARTS, PART_LINES, ensure_parts  # noqa: E402

TICK_MS = 20
STALL_MS = 250  # a tick this late is a stall a user would notice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", type=int, default=DEFAULT_PARTS, help="1M-line exports to open")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    paths = [str(p) for p in ensure_parts(args.parts, PART_LINES)]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["SEGMENTDESK_CONFIG_DIR"] = tempfile.mkdtemp(prefix="segmentdesk-bench-")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui import theme

    theme.install(app)
    from ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    ticks: list[float] = []
    progress: list[tuple[float, float, str]] = []
    shown = window.banner.show_progress

    def show_progress(fraction: float, text: str) -> None:
        progress.append((time.perf_counter(), fraction, text))
        shown(fraction, text)

    window.banner.show_progress = show_progress  # read when the jobs connect their progress
    timer = QTimer()
    timer.setInterval(TICK_MS)
    page = os.sysconf("SC_PAGE_SIZE")
    rss: dict[str, float] = {}  # the peak resident memory seen under each progress message
    stalls: list[tuple[float, str]] = []  # each tick later than STALL_MS, with the message shown

    def tick() -> None:
        now = time.perf_counter()
        if ticks and (now - ticks[-1]) * 1000 - TICK_MS > STALL_MS:
            stalls.append((round((now - ticks[-1]) * 1000 - TICK_MS), progress[-1][2] if progress else "start"))
        ticks.append(now)
        with open("/proc/self/statm") as f:
            resident = int(f.read().split()[1]) * page / 2**20
        phase = progress[-1][2] if progress else "start"
        rss[phase] = max(rss.get(phase, 0.0), resident)

    timer.timeout.connect(tick)
    outcome: dict[str, object] = {}
    loop = QEventLoop()
    started = time.perf_counter()

    def imported(result: str) -> None:
        outcome["import"] = result
        outcome["import_s"] = round(time.perf_counter() - started, 1)
        if result != "success":
            loop.quit()

    def analysed(result: str) -> None:
        outcome["analysis"] = result
        outcome["analysed_s"] = round(time.perf_counter() - started, 1)
        loop.quit()

    window.import_finished.connect(imported)
    window.analysis_finished.connect(analysed)
    QTimer.singleShot(args.timeout * 1000, loop.quit)
    timer.start()
    window.open_files(paths)
    loop.exec()
    timer.stop()
    late = [(b - a) * 1000 - TICK_MS for a, b in zip(ticks, ticks[1:])]
    waits = sorted(((round(b[0] - a[0], 1), a[2]) for a, b in zip(progress, progress[1:])), reverse=True)
    result = {
        "files": len(paths), "lines": len(paths) * PART_LINES, **outcome,
        "ticks": len(ticks), "tick_ms": TICK_MS,
        "late_median_ms": round(statistics.median(late), 1) if late else None,
        "late_p99_ms": round(sorted(late)[int(len(late) * 0.99)], 1) if late else None,
        "late_max_ms": round(max(late), 1) if late else None,
        f"stalls_over_{STALL_MS}_ms": len(stalls),
        "longest_stalls_during": sorted(stalls, reverse=True)[:5],
        "progress_updates": len(progress),
        "longest_without_progress_s": waits[0][0] if waits else None,
        "longest_without_progress_after": waits[:3],
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_peak_mb_by_progress": {phase: round(mb) for phase, mb in rss.items()},
    }
    print(json.dumps(result, indent=2))
    name = "responsiveness.json" if args.parts == DEFAULT_PARTS else f"responsiveness_{args.parts}.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    window.close()
    os._exit(0)  # the book's gigabytes: the system takes them back at once


if __name__ == "__main__":
    main()
