"""SegmentDesk entry point: `main.py` opens the app, `main.py FILE…` opens it on files, `main.py <command>` runs headless."""
import sys
import time

STARTED = time.perf_counter()  # --smoke reports the time to first window from here


def main(argv: list[str]) -> int:
    from core.cli import COMMANDS

    # `report` renders with Qt, so it lives in ui/report (core never imports Qt); --lang may come first.
    lead = 2 if argv[:1] == ["--lang"] else 0
    if argv[lead:lead + 1] == ["report"]:
        from ui.report.cli import main as report_main

        return report_main(argv[lead + 1:] + argv[:lead])
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--lang")):
        from core.cli import main as cli_main

        return cli_main(argv)
    from ui.app import run

    return run(argv, started=STARTED)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
