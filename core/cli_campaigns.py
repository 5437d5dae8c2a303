"""Headless campaign commands: `campaign new|list|show|results` (registered by core.cli)."""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import sys

from core.errors import InputError
from core.i18n import language, t

EXIT_OK, EXIT_ERROR = 0, 2
MIXES = ("goal", "product", "price", "promotion", "channel")
MAX_MOVES = 12  # segment moves the text shows (JSON has them all)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("over_time.bad_date", text=text)) from None


def _share(text: str) -> float:
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(t("campaigns.bad_share", share=text))
    return value


def _window(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 365:
        raise argparse.ArgumentTypeError(t("campaigns.bad_window", window=text, max=365))
    return value


def _action(text: str) -> dict:
    mix, _, what = text.partition(":")
    if mix.strip().lower() not in MIXES or not what.strip():
        mix, what = "promotion", text
    return {"segment": "", "mix": mix.strip().lower(), "text": what.strip()}


def add_commands(command, analysis_command) -> None:
    """`campaign` and its four actions; `analysis_command(command, name, help)` adds files, --map,
    --import-map and --currency (core.cli)."""
    campaign = command("campaign", help=t("campaigns.cli.help"))
    parents = getattr(command, "keywords", {}).get("parents", [])
    actions = campaign.add_subparsers(dest="campaign_command", required=True, metavar="new|list|show|results")
    action = functools.partial(actions.add_parser, parents=parents)
    new = analysis_command(action, "new", t("campaigns.cli.help_new"))
    new.add_argument("--segment", action="append", required=True, metavar="NAME", help=t("campaigns.cli.help_segment"))
    new.add_argument("--name", required=True, help=t("campaigns.cli.help_name"))
    new.add_argument("--start", type=_date, help=t("campaigns.cli.help_start"))
    new.add_argument("--control", type=_share, default=0.1, metavar="SHARE", help=t("campaigns.cli.help_control"))
    new.add_argument("--seed", type=int, help=t("campaigns.cli.help_seed"))
    new.add_argument("--action", type=_action, action="append", metavar="MIX:TEXT", help=t("campaigns.cli.help_action"))
    new.add_argument("-o", "--output", metavar="OUT", help=t("campaigns.cli.help_output"))
    new.add_argument("--force", action="store_true", help=t("export.help_force"))
    from core.cli_audiences import add_export_options

    add_export_options(new)  # --hashed, --platform
    new.add_argument("--json", action="store_true", help=t("cli.help_json"))
    new.set_defaults(run=cmd_new)
    listing = action("list", help=t("campaigns.cli.help_list"))
    listing.add_argument("--json", action="store_true", help=t("cli.help_json"))
    listing.set_defaults(run=cmd_list)
    show = action("show", help=t("campaigns.cli.help_show"))
    show.add_argument("campaign", help=t("campaigns.cli.help_ref"))
    show.add_argument("--json", action="store_true", help=t("cli.help_json"))
    show.set_defaults(run=cmd_show)
    results = action("results", help=t("campaigns.cli.help_results"))
    results.add_argument("campaign", help=t("campaigns.cli.help_ref"))
    results.add_argument("files", nargs="+")
    results.add_argument("--import-map", dest="import_map", help=t("cli.help_map"))
    from core.cli import add_import_options

    add_import_options(results)  # --file-currency
    results.add_argument("--window", type=_window, default=30, metavar="DAYS", help=t("campaigns.cli.help_window"))
    results.add_argument("--csv", metavar="OUT", help=t("campaigns.cli.help_results_csv"))
    results.add_argument("--json", action="store_true", help=t("cli.help_json"))
    results.set_defaults(run=cmd_results)


def _dump(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def _fail(error: Exception) -> int:
    print(error.problem.message() if isinstance(error, InputError) else error, file=sys.stderr)
    if isinstance(error, InputError) and error.problem.message_id == "export.exists":
        print(t("export.force_hint"), file=sys.stderr)
    return EXIT_ERROR


# --- new ------------------------------------------------------------------------------------------

def cmd_new(args) -> int:
    """Plan the campaign, save it, and write its contact list (without the control group) if asked."""
    from core.campaigns import balance, campaign_json, new_campaign, save_campaign, strategy_actions
    from core.cli_audiences import _segmented, check_output

    try:
        if args.output:
            check_output(args.output, args)
        found, status = _segmented(args)
        if found is None:
            return status
        book, seg, ids = found
        facts = None
        if not args.action or (args.output and not args.hashed):  # the strategy texts need them
            from core.targeting.facts import segment_facts

            facts = segment_facts(seg, book)
        actions = args.action or strategy_actions(seg, facts, ids, language())
        campaign = new_campaign(seg, ids, args.name, args.start, actions, args.control, args.seed,
                                [f.path for f in book.files])
        path = save_campaign(campaign)
        exported = _export(args, book, seg, campaign, facts) if args.output else None
    except (InputError, ValueError) as error:
        return _fail(error)
    if args.json:
        _dump({**campaign_json(campaign), "balance": balance(campaign), "export": exported})
        return EXIT_OK
    print(t("campaigns.cli.saved", name=campaign.name, path=str(path)))
    print(_members_line(campaign))
    if not campaign.size("control"):
        print(t("campaigns.cli.no_control_note"))
    print(format_balance(balance(campaign), campaign.currency))
    if exported:
        print(exported["message"])
        if exported["missing"]:
            print(t("campaigns.cli.list_missing", count=exported["missing"]))
    return EXIT_OK


def _members_line(campaign) -> str:
    return t("campaigns.cli.members", members=len(campaign.members), segments=campaign.segments_text(language()),
             campaign=f"{campaign.size('campaign'):,}", control=f"{campaign.size('control'):,}", seed=campaign.seed)


def _export(args, book, seg, campaign, facts) -> dict:
    """The campaign group's contact list: a customer list (CSV/XLSX) or a hashed audience list."""
    from core.campaigns import campaign_segmentation

    group, missing = campaign_segmentation(campaign, seg)
    if args.hashed:
        from core.audience import hashed_audience, write_hashed_audience

        audience = hashed_audience(book, group, None, args.platform)
        path = write_hashed_audience(audience, args.output, force=args.force, protect=args.files)
        return {"path": str(path), "rows": audience.written, "format": "hashed", "platform": args.platform,
                "missing": missing, "message": audience.message(path)}
    from core.campaigns import contact_list
    from core.exports import write_customer_list

    saved = write_customer_list(contact_list(campaign, book, seg, language(), facts), args.output, force=args.force,
                                protect=args.files)
    return {"path": str(saved.path), "rows": saved.rows, "format": saved.format, "platform": None,
            "missing": missing, "message": saved.message()}


def format_balance(groups: dict, currency: str) -> str:
    """Both groups' figures at the start side by side (tiers included)."""
    from core.campaigns import GROUPS, tier_name

    shown = [g for g in GROUPS if groups.get(g)]
    rows = [("", [t(f"campaigns.group.{g}") for g in shown])]
    for key, name in (("customers", "balance_customers"), ("median_recency", "balance_recency"),
                      ("median_frequency", "balance_frequency"), ("median_monetary", "balance_monetary"),
                      ("net_sales_per_customer", "balance_per_customer")):
        rows.append((t(f"campaigns.cli.{name}", currency=currency), [_figure(groups[g][key]) for g in shown]))
    for tier in next(iter(groups[g]["tiers"] for g in shown)):
        rows.append((tier_name(tier, language()), [f"{groups[g]['tiers'][tier]:,}" for g in shown]))
    width = max(len(label) for label, _ in rows) + 2
    out = [t("campaigns.cli.balance_title")]
    out += ["  " + label.ljust(width) + "".join(v.rjust(16) for v in values) for label, values in rows]
    return "\n".join(out)


def _figure(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# --- list and show --------------------------------------------------------------------------------

def cmd_list(args) -> int:
    from core.campaigns import campaign_json, campaigns_dir, list_campaigns

    campaigns, problems = list_campaigns()
    folder = str(campaigns_dir())
    if args.json:
        _dump({"folder": folder, "campaigns": [campaign_json(c) for c in campaigns],
               "problems": [{"file": p.file, "message": p.message()} for p in problems]})
        return EXIT_OK
    if campaigns:
        print(t("campaigns.cli.list_header", count=len(campaigns), folder=folder))
        for c in campaigns:
            print("  " + t("campaigns.cli.list_line", id=c.id, name=c.name, start=c.start.isoformat(),
                           segments=c.segments_text(language()), campaign=f"{c.size('campaign'):,}",
                           control=f"{c.size('control'):,}"))
    else:
        print(t("campaigns.cli.list_empty", folder=folder))
    for problem in problems:
        print(t("campaigns.cli.problem_line", message=problem.message()), file=sys.stderr)
    return EXIT_OK


def cmd_show(args) -> int:
    from core.campaigns import CampaignError, balance, campaign_json, find_campaign

    try:
        campaign = find_campaign(args.campaign)
    except CampaignError as error:
        return _fail(error)
    if args.json:
        _dump({**campaign_json(campaign), "balance": balance(campaign)})
        return EXIT_OK
    print(t("campaigns.cli.show_title", name=campaign.name, id=campaign.id))
    print(t("campaigns.cli.show_plan", start=campaign.start.isoformat(), map=campaign.map_id,
            segments=campaign.segments_text(language()), currency=campaign.currency or "—",
            date=campaign.analysis_date.isoformat(), seed=campaign.seed))
    print(_members_line(campaign))
    if campaign.actions:
        print(t("campaigns.cli.show_actions"))
        for a in campaign.actions:
            print(f"  - ({a.get('mix', '')}) {a['text']}")
    print(format_balance(balance(campaign), campaign.currency))
    return EXIT_OK


# --- results --------------------------------------------------------------------------------------

def cmd_results(args) -> int:
    from core.campaigns import campaign_results, find_campaign, results_json
    from core.cli import TerminalProgress, _load_for_analysis

    if args.csv == "-" and args.json:
        print(t("campaigns.cli.csv_and_json"), file=sys.stderr)
        return EXIT_ERROR
    try:
        campaign = find_campaign(args.campaign)
        book = _load_for_analysis(args)
        if book is None:
            return EXIT_ERROR
        res = campaign_results(campaign, book, args.window, progress=TerminalProgress())
        if args.csv:
            from core.exports import write_table

            write_table(res.outcomes.reset_index(), args.csv)
    except (InputError, ValueError) as error:
        return _fail(error)
    except OSError as error:
        print(t("over_time.csv_failed", path=args.csv, error=error.strerror or error), file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        _dump(results_json(res, language()))
    elif args.csv != "-":
        print(format_results(res))
    return EXIT_OK


def format_results(res) -> str:
    """The results for a terminal: both groups side by side, the uplift, the verdict, the notes
    and the largest segment moves."""
    from core.campaigns import GROUPS, _points, note_text, segment_now_name, signed_money, verdict

    c = res.campaign
    lang = language()
    out = [t("campaigns.cli.results_title", name=c.name, start=c.start.isoformat(), end=res.end.isoformat(),
             window=res.window)]
    shown = [g for g in GROUPS if res.groups.get(g) is not None]
    if res.covered_days:
        points = t("campaigns.cli.points")

        def uplift(key, money=False):
            u = res.uplift.get(key)
            if u is None:
                return ""
            if money:
                return f"{signed_money(u.estimate)} ({signed_money(u.low)} … {signed_money(u.high)})"
            if key == "repeat_share":
                return f"{_points(u.estimate)} {points} ({_points(u.low)} … {_points(u.high)})"
            return f"{u.estimate:+.3f} ({u.low:+.3f} … {u.high:+.3f})".replace("-", "−")

        def value(g, attr, kind):
            v = getattr(res.groups[g], attr)
            if v is None:
                return "—"
            return {"share": f"{v:.1%}", "count": f"{v:,}", "money": f"{v:,.2f}", "ratio": f"{v:.3f}"}[kind]

        rows = [("", [t(f"campaigns.group.{g}") for g in shown], t("campaigns.column.uplift"))]
        for key, attr, kind, up in (("customers", "customers", "count", None),
                                    ("repeat_share", "repeat_share", "share", "repeat_share"),
                                    ("orders_per_customer", "orders_per_customer", "ratio", "orders_per_customer"),
                                    ("net_per_customer", "net_per_customer", "money", "net_per_customer"),
                                    ("aov", "aov", "money", None), ("absent", "absent", "count", None)):
            rows.append((t(f"campaigns.measure.{key}", currency=c.currency), [value(g, attr, kind) for g in shown],
                         uplift(up, money=kind == "money") if up else ""))
        width = max(len(label) for label, _, _ in rows) + 2
        out += ["  " + label.ljust(width) + "".join(v.rjust(16) for v in values) + "   " + up
                for label, values, up in rows]
    out.append(verdict(res, lang))
    out += ["  " + note_text(n, lang) for n in res.notes]
    if res.migration is not None and len(res.migration):
        moved = res.migration[res.migration["segment"] != res.migration["segment_now"]]
        if len(moved):
            out.append(t("campaigns.cli.migration_title"))
            for _, row in moved.head(MAX_MOVES).iterrows():
                out.append("  " + t("campaigns.cli.migration_line", before=c.segment_name(row["segment"], lang),
                                    after=segment_now_name(res, row["segment_now"], lang),
                                    campaign=f"{row['campaign']:,}", control=f"{row['control']:,}"))
            if len(moved) > MAX_MOVES:
                out.append("  " + t("campaigns.cli.migration_more", count=len(moved) - MAX_MOVES))
    return "\n".join(out)
