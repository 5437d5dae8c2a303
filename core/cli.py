"""Headless commands (`python main.py <command>`): the same core functions the GUI runs."""
from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

from core.errors import InputError, Problem
from core.i18n import language, set_language, t

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
    from core.importing.mapping import load_mapping

    mapping = None
    mapping_file = getattr(args, "import_map", None) or (args.map if _map_is_a_mapping_file(args) else None)
    if mapping_file:
        try:
            mapping = load_mapping(mapping_file)
        except InputError as error:
            print(error.problem.message(), file=sys.stderr)
            sys.exit(EXIT_NO_FILE)
    return read_exports(args.files, mapping, _file_currency(args))


def _map_is_a_mapping_file(args) -> bool:
    """`import` and `customers` read a column-mapping file from --map; the others a segment map."""
    return args.run in (cmd_import, cmd_customers)


def _file_currency(args) -> str | None:
    """--file-currency, else the analysis --currency: a seller who asks for MYR means the files
    that do not name their currency are in MYR (a code that is not one stays for segment to refuse)."""
    if getattr(args, "file_currency", None):
        return args.file_currency
    try:
        return currency_code(args.currency) if getattr(args, "currency", None) else None
    except argparse.ArgumentTypeError:
        return None


def read_exports(files, mapping=None, file_currency: str | None = None):
    """Import the files for a command; says on stderr which files do not give the currency of
    their money (`import --json` keeps stdout to its one JSON object)."""
    from core.importing import import_files

    book = import_files(files, mapping=mapping, progress=TerminalProgress(),
                        currencies={"*": file_currency} if file_currency else None)
    for info in book.files:
        if info.no_currency:
            print(t("cli.no_currency", file=info.path, count=info.no_currency), file=sys.stderr)
    return book


def currency_code(text: str) -> str:
    """An ISO 4217 code as typed (`myr`, ` PHP `) in capitals; anything else is refused."""
    code = text.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise argparse.ArgumentTypeError(t("cli.bad_currency_code", value=text))
    return code


def add_import_options(sub) -> None:
    """What every command that reads exports accepts about the files themselves."""
    sub.add_argument("--file-currency", dest="file_currency", type=currency_code, metavar="CODE",
                     help=t("cli.help_file_currency"))


def _load_for_analysis(args):
    """The book for commands that go on to analyse it; problems go to stderr. None if no file
    could be read."""
    book = _load(args)
    for problem in book.problems:
        print(problem.message(), file=sys.stderr)
    return book if book.files else None


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
    from core.platforms import platform_name, report_name

    out = [t("cli.files_read", count=len(s["files"]))]
    for f in s["files"]:
        out.append("  " + t("cli.file_line", **{**f, "platform": platform_name(f["platform"]),
                                               "report": report_name(f["platform"], f["report"])}))
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
    from core.exports import write_table
    from core.summary import customers

    book = _load_for_analysis(args)
    if book is None:
        return EXIT_NO_FILE
    write_table(customers(book), args.csv)
    return EXIT_OK


def cmd_segment(args) -> int:
    import datetime as dt

    from core import segment_options as options
    from core.exports import write_table
    from core.segments import note_message, segment, segment_table

    try:  # checked before reading the exports, as the Segments page checks them
        cuts, high_low = options.parse_cuts(args.cuts), options.parse_high_low(args.split)
        shares = options.parse_shares(args.shares)
        rates, base = options.read_rates(args.rates) if args.rates else (None, None)
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        return EXIT_NO_FILE
    book = _load_for_analysis(args)
    if book is None:
        return EXIT_NO_FILE
    try:
        seg = segment(book, args.map, bins=args.bins,
                      analysis_date=dt.date.fromisoformat(args.date) if args.date else None,
                      custom_cuts=cuts, high_low=high_low, shares=shares,
                      currency=args.currency, rates=rates, base=base, k=args.k,
                      with_clusters=bool(args.csv), progress=TerminalProgress())
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        return EXIT_NO_FILE
    except ValueError as error:  # a parameter outside its range: the message names it
        print(error, file=sys.stderr)
        return EXIT_NO_FILE
    for note in seg.notes:
        print(note_message(note), file=sys.stderr)
    table = segment_table(seg, book, args.period)
    if args.csv:
        write_table(seg.customers.reset_index()[list(SEGMENT_CSV_COLUMNS)], args.csv)
    if args.json:
        json.dump(segment_json(seg, table), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.csv != "-":
        print(format_segments(seg, table))
    return EXIT_OK


SEGMENT_CSV_COLUMNS = ("customer_key", "recency", "frequency", "monetary", "r", "f", "m", "segment",
                       "cluster")


def _number(value):
    """JSON has no NaN: an undefined figure (no orders, no base period) is null."""
    if value is None or value != value:
        return None
    return round(float(value), 4)


def segment_json(seg, table) -> dict:
    """The `segment --json` contract."""
    growth_keys = ("period_days", "customers_recent", "customers_previous", "customers_change",
                   "net_sales_recent", "net_sales_previous", "net_sales_change")
    out = {
        "analysis_date": seg.analysis_date.isoformat(),
        "map": seg.map_id,
        "thresholds": seg.thresholds,
        "segments": [{
            "name": row["name"], "name_zh": row["name_zh"], "customers": int(row["customers"]),
            "net_sales": _number(row["net_sales"]), "orders": int(row["orders"]),
            "aov": _number(row["aov"]), "median_recency": _number(row["median_recency"]),
            "median_frequency": _number(row["median_frequency"]),
            "median_monetary": _number(row["median_monetary"]),
            "growth": {k: (int(row[k]) if k.startswith(("customers_r", "customers_p", "period"))
                           else _number(row[k])) for k in growth_keys},
        } for _, row in table.iterrows()],
    }
    if seg.clusters is not None and seg.map_id == "clusters":
        out["silhouette_by_k"] = {str(k): v for k, v in seg.clusters.silhouette_by_k.items()}
    return out


def format_segments(seg, table) -> str:
    """The segments as a readable table for a terminal."""
    lines = [t("cli.segments_header", map=seg.map_id, date=seg.analysis_date.isoformat(),
               currency=seg.currency, customers=len(seg.customers))]
    zh = language().startswith("zh")
    for segment_id, row in table.iterrows():
        lines.append(t("cli.segment_line", name=row["name_zh"] if zh else row["name"],
                       customers=int(row["customers"]), share=f"{row['share_customers']:.0%}",
                       net_sales=f"{row['net_sales']:,.2f}", sales_share=f"{row['share_net_sales']:.0%}",
                       aov=f"{row['aov']:,.2f}"))
    for axis, cuts in seg.thresholds.items():
        lines.append(t("cli.threshold_line", axis=axis, cuts=json.dumps(cuts, ensure_ascii=False)))
    return "\n".join(lines)


def read_conversion(path: str | None):
    """The --rates file as a core.currency.Conversion (None without one); InputError if bad."""
    from core.segment_options import read_conversion as read

    return read(path) if path else None


def converted(book, conversion):
    """`book` in the conversion's currency (as it is without one); InputError if a rate is missing.
    What comes out names the rates (the plan's text and JSON, the report's pages)."""
    from core.currency import convert_book

    return book if conversion is None else convert_book(book, conversion)


def cmd_plan(args) -> int:
    from core.targeting.plan import make_plan, plan_json

    try:
        conversion = read_conversion(args.rates)
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        return EXIT_NO_FILE
    book = _load_for_analysis(args)
    if book is None:
        return EXIT_NO_FILE
    try:
        book = converted(book, conversion)
        plan = make_plan(book, args.map, weights=_weights(args.weights), margin=args.margin,
                         focus_categories=_list(args.focus_categories),
                         focus_markets=_list(args.focus_markets), currency=args.currency,
                         progress=TerminalProgress())
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        return EXIT_NO_FILE
    data = plan_json(plan, language())
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(format_plan(data))
    return EXIT_OK


def _margin(text: str):
    """`0.4` (one margin for everything) or `Watches=0.35,Bags=0.5` (a margin per category)."""
    if "=" not in text:
        return float(text)
    return {name.strip(): float(value) for name, value in (part.split("=", 1) for part in text.split(","))}


def _list(text: str | None) -> list[str] | None:
    return [x.strip() for x in text.split(",") if x.strip()] if text else None


def _weights(text: str | None) -> dict | None:
    """`size=30,growth=10` → {"size": 30.0, "growth": 10.0}."""
    if not text:
        return None
    pairs = [part.split("=", 1) for part in text.split(",")]
    return {name.strip(): float(value) for name, value in pairs}


def _percent(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def format_plan(d: dict) -> str:
    """The plan as the five steps a marketer follows, for a terminal."""
    from core.countries import country_name

    out = [t("cli.plan_title", date=d["analysis_date"], map=d["map"], currency=d["currency"])]
    if d.get("conversion"):
        from core.currency import Conversion, conversion_note

        out.append(conversion_note(Conversion.from_json(d["conversion"]), language()))
    scope = d["scope"]
    out.append(t("cli.step1"))
    listed = lambda items: ", ".join(items) or "—"  # noqa: E731 - orders without products or countries
    out.append("  " + t("cli.scope_categories", items=listed(
        f"{c['name']} {c['share']:.0%}" for c in scope["categories"][:6]), core=listed(scope["core_categories"])))
    country = functools.partial(country_name, lang=language())  # the name, whatever the export wrote
    out.append("  " + t("cli.scope_markets", items=listed(
        f"{country(c['code'])} {c['share']:.0%}" for c in scope["countries"][:6]),
        core=listed(country(c) for c in scope["core_markets"])))
    levels = scope["price_levels"]
    band = lambda value: "—" if value is None or value != value else value  # noqa: E731 - no unit prices: NaN
    out.append("  " + t("cli.scope_prices", low=band(levels["budget_below"]), high=band(levels["premium_above"]),
                        **{k: f"{v:.0%}" for k, v in levels["shares"].items()}))
    out.append(t("cli.step2"))
    for need, segment in zip(d["needs"], d["segments"]):
        out.append("  " + t("cli.need_line", name=segment["name_zh"] if language().startswith("zh") else segment["name"],
                            **{k: (v if v is not None else "—") for k, v in need.items() if k != "segment"}))
    out.append(t("cli.step3", count=len(d["segments"])))
    out.append(t("cli.step4"))
    for row in d["scorecard"]:
        mark = "✓" if row["target"] else ("✗" if row["eliminated"] else " ")
        out.append(f"  {mark} {row['name']}: {row['total']:.0f}" + (f" — {row['reason']}" if row["reason"] else ""))
    if d.get("fallback"):  # too small to screen, or nothing passed: the one group the plan serves
        group = d["fallback"]
        reason = group["reason"][:1].upper() + group["reason"][1:]
        out.append("  " + t("cli.fallback_line", name=group["name_zh" if language().startswith("zh") else "name"],
                            reason=reason + ("。" if language().startswith("zh") else ".")))
    out.append(t("cli.step5"))
    for row in d["in_depth"]:
        out.append("  " + t("cli.depth_line", segment=row["segment"], customers=row["customers"],
                            repeat=_percent(row["repeat_rate"]), discount=_percent(row["discount_share"]),
                            refund=_percent(row["refund_rate"]), top20=_percent(row["top20_spend_share"])))
    for key in ("pattern", "approach"):
        choice = d[key]
        out.append(t(f"cli.{key}_line", title=choice["title"], score=f"{choice['score']:.0%}"))
        out.extend("  • " + reason for reason in choice["reasons"])
        out.append("  " + t("cli.alternatives", items="; ".join(
            f"{a['title']} {a['score']:.0%}" for a in choice["alternatives"])))
    out.append(t("cli.personas"))
    for persona in d["personas"]:
        out.append(f"  {persona['name']}: {persona['portrait']}")
    out.append(t("cli.strategies"))
    for strategy in d["strategies"]:
        if strategy["segment"] in d["targets"]:
            out.append(f"  [{strategy['segment']}] {strategy['goal']}")
            out.extend(f"    - ({action['mix']}) {action['text']}" for action in strategy["actions"])
    return "\n".join(out)


def cmd_export(args) -> int:
    """The customers of the chosen segments (or all) as a CSV or XLSX list (hashed: core.cli_audiences)."""
    if getattr(args, "hashed", False):
        from core.cli_audiences import cmd_export_hashed

        return cmd_export_hashed(args)
    from core.cli_audiences import asked_segments
    from core.exports import check_target, customer_list, write_customer_list
    from core.segments import note_message, segment

    try:
        check_target(args.output, args.force, args.files)  # before the (long) reading
        book = _load_for_analysis(args)
        if book is None:
            return EXIT_NO_FILE
        seg = segment(book, args.map, currency=args.currency, progress=TerminalProgress())
        for note in seg.notes:
            print(note_message(note), file=sys.stderr)
        ids = asked_segments(seg, None if args.all else args.segment)
        saved = write_customer_list(customer_list(book, seg, ids, lang=language()), args.output,
                                    force=args.force, protect=args.files)
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        if error.problem.message_id == "export.exists":
            print(t("export.force_hint"), file=sys.stderr)
        return EXIT_NO_FILE
    except ValueError as error:
        print(error, file=sys.stderr)
        return EXIT_NO_FILE
    print(saved.message())
    return EXIT_OK


def cmd_trends(args) -> int:
    from core.trends import trends_json

    book = _load_for_analysis(args)
    if book is None:
        return EXIT_NO_FILE
    try:
        data = trends_json(book, args.map, horizon=args.horizon, days=args.days,
                           clv_weeks=args.clv_weeks, currency=args.currency)
    except (InputError, ValueError) as error:
        print(error.problem.message() if isinstance(error, InputError) else error, file=sys.stderr)
        return EXIT_NO_FILE
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(format_trends(data))
    return EXIT_OK


def format_trends(d: dict) -> str:
    """Cohorts, migration, lifetime value and the forecast for a terminal."""
    out = [t("cli.trends_title", currency=d["currency"])]
    retention = d["cohorts"]["retention"]
    out.append(t("cli.cohorts_header"))
    for cohort, row in list(retention.items())[-12:]:
        out.append(f"  {cohort} ({d['cohorts']['customers'][cohort]:>5}): " + " ".join(
            "   —" if v is None else f"{v:4.0%}" for v in row[:7]))
    m = d["migration"]
    out.append(t("cli.migration_line", before=m["before"], after=m["after"], **m["movers"]))
    clv = d["clv"]
    out.append(t("cli.clv_line", weeks=round(clv["horizon_weeks"]), value=f"{clv['expected_value'] or 0:,.0f}",
                 trusted=t("cli.yes") if clv["trusted"] else t("cli.no")))
    out.extend("  " + note for note in clv["notes"])
    for row in clv["win_back_first"][:10]:
        out.append("  " + t("cli.win_back_line", customer=row["customer_key"], segment=row["segment"],
                            alive=_percent(row["p_alive"]), spent=f"{row['net_sales']:,.0f}",
                            expected=f"{row['expected_value']:,.0f}"))
    out.append(t("cli.forecast_header"))
    for f in d["forecast"]:
        if f["forecast"]:
            months = ", ".join(f"{p['month']} {p['mean']:,.0f} ({p['lower']:,.0f}–{p['upper']:,.0f})"
                               for p in f["forecast"])
            error = f["backtest"].get("model_mape")
            base = f["backtest"].get("baseline_mape")
            out.append(f"  {f['series']}: {months}" + (
                "  " + t("cli.backtest", model=f"{error:.0%}", baseline=f"{base:.0%}") if error is not None and base is not None else ""))
        else:
            out.extend(f"  {note}" for note in f["notes"])
    return "\n".join(out)


def cmd_demo(args) -> int:
    from pathlib import Path

    from core.demo import generate_demo

    for path in generate_demo(Path(args.out_dir), seed=args.seed):
        print(path)
    return EXIT_OK


# The segmentations (core.segments.SEGMENTERS, repeated here so that `main.py` starts without pandas).
SEGMENT_MAPS = ("rfm11", "rfgrid", "cn8", "value", "clusters", "affinity", "tags")


def _analysis_command(command, name: str, help_text: str):
    """A command that reads exports and segments them: files, --map, --import-map, --currency
    (segment in this currency), --file-currency (the currency of files that do not say theirs)."""
    sub = command(name, help=help_text)
    sub.add_argument("files", nargs="+")
    sub.add_argument("--map", dest="map", default="rfm11", choices=SEGMENT_MAPS, help=t("cli.help_segment_map"))
    sub.add_argument("--import-map", dest="import_map", help=t("cli.help_map"))
    sub.add_argument("--currency", help=t("cli.help_currency"))
    add_import_options(sub)
    return sub


class CatalogHelp(argparse.HelpFormatter):
    """Help texts come from the string catalog, where "%" is a percent sign ("80 % of sales"),
    never an argparse placeholder."""

    def _get_help_string(self, action: argparse.Action) -> str:
        return (action.help or "").replace("%", "%%")


def language_option() -> argparse.ArgumentParser:
    """--lang, accepted before the command and after it (`plan FILE… --lang zh`)."""
    lang = argparse.ArgumentParser(prog="segmentdesk", add_help=False)
    lang.add_argument("--lang", choices=["en", "zh_CN", "zh"], default=argparse.SUPPRESS,
                      help=t("cli.help_lang"))
    return lang


def parser() -> argparse.ArgumentParser:
    lang = language_option()
    p = argparse.ArgumentParser(prog="segmentdesk", description=t("cli.description"), parents=[lang],
                                formatter_class=CatalogHelp)
    commands = p.add_subparsers(dest="command", required=True)
    command = functools.partial(commands.add_parser, parents=[lang], formatter_class=CatalogHelp)
    imp = command("import", help=t("cli.help_import"))
    imp.add_argument("files", nargs="+")
    imp.add_argument("--map", help=t("cli.help_map"))
    imp.add_argument("--json", action="store_true", help=t("cli.help_json"))
    add_import_options(imp)
    imp.set_defaults(run=cmd_import)
    cus = command("customers", help=t("cli.help_customers"))
    cus.add_argument("files", nargs="+")
    cus.add_argument("--map", help=t("cli.help_map"))
    cus.add_argument("--csv", required=True, help=t("cli.help_csv"))
    add_import_options(cus)
    cus.set_defaults(run=cmd_customers)
    seg = _analysis_command(command, "segment", t("cli.help_segment"))
    seg.add_argument("--bins", type=int, default=5, choices=[3, 4, 5], help=t("cli.help_bins"))
    seg.add_argument("--date", help=t("cli.help_date"))
    seg.add_argument("--cuts", help=t("cli.help_cuts"))
    seg.add_argument("--split", help=t("cli.help_split"))
    seg.add_argument("--shares", help=t("cli.help_shares"))
    seg.add_argument("--period", type=int, default=90, help=t("cli.help_period"))
    seg.add_argument("--rates", help=t("cli.help_rates"))
    seg.add_argument("--k", type=int, choices=range(2, 13), metavar="K", help=t("cli.help_k"))
    seg.add_argument("--json", action="store_true", help=t("cli.help_json"))
    seg.add_argument("--csv", help=t("cli.help_segment_csv"))
    seg.set_defaults(run=cmd_segment)
    plan = _analysis_command(command, "plan", t("cli.help_plan"))
    plan.add_argument("--weights", help=t("cli.help_weights"))
    plan.add_argument("--margin", type=_margin, help=t("cli.help_margin"))
    plan.add_argument("--focus-categories", help=t("cli.help_focus_categories"))
    plan.add_argument("--focus-markets", help=t("cli.help_focus_markets"))
    plan.add_argument("--rates", help=t("cli.help_rates"))
    plan.add_argument("--json", action="store_true", help=t("cli.help_json"))
    plan.set_defaults(run=cmd_plan)
    export = _analysis_command(command, "export", t("export.help_command"))
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--segment", action="append", metavar="NAME", help=t("export.help_segment"))
    which.add_argument("--all", action="store_true", help=t("export.help_all"))
    export.add_argument("-o", "--output", required=True, metavar="OUT", help=t("export.help_output"))
    export.add_argument("--force", action="store_true", help=t("export.help_force"))
    export.set_defaults(run=cmd_export)
    from core.cli_audiences import add_commands, add_export_options  # tags, crosssell, --hashed

    add_export_options(export)
    add_commands(command, _analysis_command)
    trends = _analysis_command(command, "trends", t("cli.help_trends"))
    trends.add_argument("--horizon", type=int, default=6, help=t("cli.help_horizon"))
    trends.add_argument("--days", type=int, default=90, help=t("cli.help_migration_days"))
    trends.add_argument("--clv-weeks", dest="clv_weeks", type=float, default=26.0, help=t("cli.help_clv_weeks"))
    trends.add_argument("--json", action="store_true", help=t("cli.help_json"))
    trends.set_defaults(run=cmd_trends)
    from core.cli_over_time import add_commands as add_over_time  # cohorts, migration, clv, forecast

    add_over_time(command, _analysis_command)
    from core.cli_campaigns import add_commands as add_campaigns  # campaign new|list|show|results

    add_campaigns(command, _analysis_command)
    command("report", help=t("cli.help_report"))  # listed here; main.py hands it to ui/report
    demo = command("demo", help=t("cli.help_demo"))
    demo.add_argument("out_dir")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(run=cmd_demo)
    return p


COMMANDS = ("import", "customers", "segment", "plan", "export", "trends", "cohorts", "migration", "clv",
            "forecast", "demo", "tags", "crosssell", "campaign")


def main(argv: list[str]) -> int:
    chosen, _rest = language_option().parse_known_args(argv)  # first: --help is written in it
    if getattr(chosen, "lang", None):
        set_language("zh_CN" if chosen.lang == "zh" else chosen.lang)
    args = parser().parse_args(argv)
    target = getattr(args, "csv", None)
    if getattr(args, "map", None) == "clusters" and not _map_is_a_mapping_file(args):
        from core.segments.clusters import load_library_in_background

        load_library_in_background()
    try:
        if target and target != "-":
            _never_over_an_input(Path(target), getattr(args, "files", ()))
        return args.run(args)
    except OSError as error:  # a --csv save the disk or the folder refused
        if not target or error.filename is None:
            raise
        from core.exports import save_error

        print(save_error(target, error).problem.message(), file=sys.stderr)
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
    return EXIT_NO_FILE


def _never_over_an_input(target: Path, files) -> None:
    """A --csv file is written over whatever is there (as `> file` would be), but never over one
    of the exports being read."""
    from core.exports import ExportError, same_file

    if any(same_file(target, Path(f)) for f in files):
        raise ExportError(Problem.make(str(target), None, None, "export.is_input", path=str(target)))
