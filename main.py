"""SegmentDesk entry point: `main.py` opens the app, `main.py FILE…` opens it on files, `main.py <command>` runs headless."""
import sys


def main(argv: list[str]) -> int:
    from core.cli import COMMANDS

    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--lang")):
        from core.cli import main as cli_main

        return cli_main(argv)
    from ui.app import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
