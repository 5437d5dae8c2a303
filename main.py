"""SegmentDesk entry point: `main.py` opens the app, `main.py FILE…` opens it on files, `main.py <command>` runs headless."""
import os
import sys
import time

STARTED = time.perf_counter()  # --smoke reports the time to first window from here


def main(argv: list[str]) -> int:
    kind = route(argv)
    if kind == "report":  # rendered with Qt, so it lives in ui/report (core never imports Qt)
        from ui.report.cli import main as report_main

        lead = 2 if argv[:1] == ["--lang"] else 0
        return report_main(argv[lead + 1:] + argv[:lead])
    if kind == "command":
        from core.cli import main as cli_main

        return cli_main(argv)
    from ui.app import run

    return run(argv, started=STARTED)


def route(argv: list[str]) -> str:
    """"report", "command" (one of core's headless commands) or "app"; --lang may come first."""
    from core.cli import COMMANDS

    lead = 2 if argv[:1] == ["--lang"] else 0
    if argv[lead:lead + 1] == ["report"]:
        return "report"
    return "command" if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--lang")) else "app"


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except BrokenPipeError:  # whoever read the output (`| head`) stopped reading: nothing to report
        os._exit(1)
    if route(sys.argv[1:]) == "command":
        # A command's process ends without freeing its tables one by one: the system takes its
        # memory back at once (0.3 s of a 1M-line plan). Core writes every file it saves whole
        # before returning; only the standard streams are left to flush.
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(int(code or 0))
    sys.exit(code)
