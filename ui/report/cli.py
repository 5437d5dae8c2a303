"""`python main.py report FILE… -o summary.pdf`: the strategy summary as a PDF, rendered headless.

Lives in ui/ because the renderer is Qt; core/cli.py stays free of Qt."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli import SEGMENT_MAPS, add_import_options
from core.errors import InputError
from core.i18n import language, set_language, t

EXIT_OK, EXIT_ERROR = 0, 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="segmentdesk report", description=t("report.cli.description"))
    p.add_argument("files", nargs="+")
    p.add_argument("-o", "--output", required=True, help=t("report.cli.help_output"))
    p.add_argument("--lang", choices=["en", "zh_CN", "zh"], help=t("cli.help_lang"))
    p.add_argument("--map", default="rfm11", choices=SEGMENT_MAPS, help=t("cli.help_segment_map"))
    p.add_argument("--paper", default="a4", choices=["a4", "letter"], type=str.lower, help=t("report.cli.help_paper"))
    p.add_argument("--force", action="store_true", help=t("report.cli.help_force"))
    p.add_argument("--rates", help=t("cli.help_rates"))
    add_import_options(p)
    return p


def _refusal(output: Path, files: list[str], force: bool) -> str | None:
    """Why the output may not be written, or None."""
    target = output.resolve()
    if any(Path(f).resolve() == target for f in files):
        return t("report.cli.is_input", path=output)
    if output.suffix.lower() != ".pdf":
        return t("report.cli.not_pdf", path=output)
    if not output.parent.is_dir():
        return t("report.cli.no_folder", path=output)
    if output.exists() and not force:
        return t("report.cli.exists", path=output)
    return None


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.lang:
        set_language("zh_CN" if args.lang == "zh" else args.lang)
    output = Path(args.output)
    refusal = _refusal(output, args.files, args.force)
    if refusal:
        print(refusal, file=sys.stderr)
        return EXIT_ERROR
    from core.cli import TerminalProgress, converted, read_conversion, read_exports
    from core.targeting.plan import make_plan, with_other_shops

    try:
        conversion = read_conversion(args.rates)
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        return EXIT_ERROR
    book = read_exports(args.files, file_currency=args.file_currency)
    for problem in book.problems:
        print(problem.message(), file=sys.stderr)
    if not book.files:
        print(t("report.cli.no_files"), file=sys.stderr)
        return EXIT_ERROR
    try:
        book = converted(book, conversion)
        plan = with_other_shops(make_plan(book, args.map, progress=TerminalProgress()), book)
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        return EXIT_ERROR
    from ui.report.render import ensure_app, render_pdf

    ensure_app()
    try:
        pages = render_pdf(plan, output, language(), args.paper, book=book)
    except OSError as error:
        print(t("report.cli.failed", path=output, error=error), file=sys.stderr)
        return EXIT_ERROR
    print(t("report.cli.written", path=output, pages=pages))
    return EXIT_OK
