"""Headless commands (`python main.py <command>`): the same core functions the GUI runs."""
from __future__ import annotations

import argparse
import json
import sys

from core.errors import InputError
from core.i18n import set_language, t

EXIT_OK, EXIT_NO_FILE = 0, 2


class TerminalProgress:
    """Progress for a terminal: one line per step on stderr, only when stderr is a terminal."""

    def __init__(self):
        self.last = ""

    def report(self, fraction, message_id="", **fmt):
        if message_id and sys.stderr.isatty():
            text = f"[{fraction:4.0%}] {t(message_id, **fmt)}"
            if text != self.last:
                print(text, file=sys.stderr)
                self.last = text

    def check_cancelled(self):
        pass


def _load(args):
    from core.importing import import_files
    from core.importing.mapping import load_mapping

    mapping = None
    if getattr(args, "map", None):
        try:
            mapping = load_mapping(args.map)
        except InputError as error:
            print(error.problem.message(), file=sys.stderr)
            sys.exit(EXIT_NO_FILE)
    return import_files(args.files, mapping=mapping, progress=TerminalProgress())


def cmd_import(args) -> int:
    from core.summary import import_summary

    book = _load(args)
    summary = import_summary(book)
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(format_summary(summary))
    return EXIT_OK if book.files else EXIT_NO_FILE


def format_summary(s: dict) -> str:
    """The import facts as a readable text (the JSON contract, for people)."""
    out = [t("cli.files_read", count=len(s["files"]))]
    for f in s["files"]:
        out.append("  " + t("cli.file_line", **f))
    out.append(t("cli.orders_line", orders=s["orders"], **s["orders_by_status"]))
    out.append(t("cli.customers_line", customers=s["customers"], unidentified=s["unidentified_orders"]))
    for currency, value in s["net_sales"].items():
        out.append(t("cli.net_sales_line", currency=currency, value=f"{value:,.2f}",
                     refunds=f"{s['refunds'].get(currency, 0.0):,.2f}"))
    if s["first_order"]:
        out.append(t("cli.period_line", first=s["first_order"], last=s["last_order"]))
    if s["problems"]:
        out.append(t("cli.problems_header", count=len(s["problems"])))
        out.extend("  " + p["message"] for p in s["problems"])
    return "\n".join(out)


def cmd_customers(args) -> int:
    from core.summary import customers
    from core.safe_write import write_csv

    book = _load(args)
    for problem in book.problems:
        print(problem.message(), file=sys.stderr)
    table = customers(book)
    if args.csv == "-":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        write_csv(table, args.csv)
    return EXIT_OK if book.files else EXIT_NO_FILE


def cmd_demo(args) -> int:
    from pathlib import Path

    from core.demo import generate_demo

    for path in generate_demo(Path(args.out_dir), seed=args.seed):
        print(path)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="segmentdesk", description=t("cli.description"))
    p.add_argument("--lang", choices=["en", "zh_CN", "zh"], help=t("cli.help_lang"))
    commands = p.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help=t("cli.help_import"))
    imp.add_argument("files", nargs="+")
    imp.add_argument("--map", help=t("cli.help_map"))
    imp.add_argument("--json", action="store_true", help=t("cli.help_json"))
    imp.set_defaults(run=cmd_import)
    cus = commands.add_parser("customers", help=t("cli.help_customers"))
    cus.add_argument("files", nargs="+")
    cus.add_argument("--map", help=t("cli.help_map"))
    cus.add_argument("--csv", required=True, help=t("cli.help_csv"))
    cus.set_defaults(run=cmd_customers)
    demo = commands.add_parser("demo", help=t("cli.help_demo"))
    demo.add_argument("out_dir")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(run=cmd_demo)
    return p


COMMANDS = ("import", "customers", "demo")


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.lang:
        set_language("zh_CN" if args.lang == "zh" else args.lang)
    return args.run(args)
