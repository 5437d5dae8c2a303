"""Headless over-time commands: `cohorts`, `migration`, `clv` and `forecast` (JSON or readable text)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from core.errors import InputError
from core.i18n import language, t

EXIT_OK, EXIT_ERROR = 0, 2
COMMANDS = ("cohorts", "migration", "clv", "forecast")
MAX_OFFSETS = 12  # periods after the first shown in the text table (JSON has them all)
MAX_FLOWS = 20


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("over_time.bad_date", text=text)) from None


def _weeks(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 520:
        raise argparse.ArgumentTypeError(t("over_time.bad_weeks", text=text))
    return value


def _build(args, build):
    """Read the exports and build the result: (None, exit status) when no file could be read or
    the data or a parameter does not allow it (the message goes to stderr), else (result, 0)."""
    from core.cli import _load_for_analysis

    book = _load_for_analysis(args)
    if book is None:
        return None, EXIT_ERROR
    try:
        return build(book), EXIT_OK
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
    except ValueError as error:  # a parameter outside its range: the message names it
        print(error, file=sys.stderr)
    return None, EXIT_ERROR


def _print_json(data: dict) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def _run(args, build, formatter) -> int:
    data, status = _build(args, build)
    if data is not None:
        _print_json(data) if args.json else print(formatter(data))
    return status


def _money(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _pct(value) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if language().startswith("zh") else f"{value:.0%}".replace("%", " %")


def _segment_name(names: dict, sid) -> str:
    if sid is None:
        return "—"
    if sid == "not_yet":
        return t("over_time.not_yet")
    entry = names.get(sid)
    if not entry:
        return str(sid)
    return entry["name_zh"] if language().startswith("zh") else entry["name"]


# --- cohorts ----------------------------------------------------------------------------------

def cmd_cohorts(args) -> int:
    from core.over_time import cohorts_json

    return _run(args, lambda book: cohorts_json(book, args.currency, args.period), format_cohorts)


def format_cohorts(d: dict) -> str:
    """Retention per cohort as a table for a terminal."""
    out = [t(f"over_time.cohorts_title_{d['period']}", currency=d["currency"])]
    width = max((len(c["retention"]) for c in d["cohorts"]), default=1)
    shown = min(width - 1, MAX_OFFSETS)
    out.append(f"  {t('over_time.cohort'):<10} {t('over_time.customers'):>9}  "
               + " ".join(f"{'+' + str(i):>5}" for i in range(1, shown + 1)))
    for c in d["cohorts"]:
        cells = " ".join(f"{_pct(v):>5}" for v in c["retention"][1:shown + 1])
        out.append(f"  {c['cohort']:<10} {c['customers']:>9,}  {cells}")
    if width - 1 > shown:
        out.append("  " + t("over_time.more_periods", count=width - 1 - shown))
    return "\n".join(out)


# --- migration --------------------------------------------------------------------------------

def cmd_migration(args) -> int:
    from core.over_time import migration_json

    return _run(args, lambda book: migration_json(book, args.map, args.before, args.after, args.days,
                                                  args.currency), format_migration)


def format_migration(d: dict) -> str:
    """Who moved between which segments, the biggest flows first."""
    out = [t("over_time.migration_title", map=d["map"], currency=d["currency"], before=d["before"], after=d["after"]),
           "  " + t("over_time.movers", **d["movers"])]
    flows = []
    for i, row in enumerate(d["rows"]):
        for j, column in enumerate(d["columns"]):
            count = d["customers"][i][j]
            if count:
                flows.append((count, d["net_sales"][i][j], row, column))
    flows.sort(key=lambda f: (-f[0], -f[1]))
    out.append(t("over_time.flows_header"))
    for count, money, row, column in flows[:MAX_FLOWS]:
        key = "over_time.stayed_line" if row == column else "over_time.flow_line"
        out.append("  " + t(key, before=_segment_name(d["names"], row), after=_segment_name(d["names"], column),
                            customers=f"{count:,}", net_sales=_money(money)))
    if len(flows) > MAX_FLOWS:
        out.append("  " + t("over_time.more_flows", count=len(flows) - MAX_FLOWS))
    return "\n".join(out)


# --- lifetime value ---------------------------------------------------------------------------

def cmd_clv(args) -> int:
    from pathlib import Path

    from core.exports import same_file
    from core.over_time import clv_json

    if args.csv == "-" and args.json:  # stdout holds one thing
        print(t("over_time.csv_and_json"), file=sys.stderr)
        return EXIT_ERROR
    if args.csv and args.csv != "-" and any(same_file(Path(args.csv), Path(f)) for f in args.files):
        print(t("export.is_input", path=args.csv), file=sys.stderr)
        return EXIT_ERROR
    result, status = _build(args, lambda book: clv_json(book, args.currency, args.calibration_end,
                                                        args.horizon, args.map))
    if result is None:
        return status
    data, table = result
    if args.csv:
        try:
            _write_customers(table, args.csv)
        except OSError as error:
            print(t("over_time.csv_failed", path=args.csv, error=error.strerror or error), file=sys.stderr)
            return EXIT_ERROR
    if args.json:
        _print_json(data)
    elif args.csv != "-":
        print(format_clv(data))
    return EXIT_OK


CUSTOMER_COLUMNS = ("customer_key", "segment", "repeat_purchases", "weeks_to_last", "weeks_observed", "net_sales",
                    "p_alive", "expected_purchases", "expected_spend", "expected_value")


def _write_customers(table, target: str) -> None:
    from core.exports import write_table

    rows = table.rename_axis("customer_key").reset_index()[list(CUSTOMER_COLUMNS)].round(
        {"weeks_to_last": 3, "weeks_observed": 3, "net_sales": 2, "p_alive": 4, "expected_purchases": 4,
         "expected_spend": 2, "expected_value": 2})
    write_table(rows, target)


def format_clv(d: dict) -> str:
    """The fitted model, the figures over the horizon and who to win back first, for a terminal."""
    out = [t("over_time.clv_title", currency=d["currency"], model=t("over_time.model_" + d["model"].replace("+", "_")),
             start=d["calibration"]["start"] or "—", end=d["calibration"]["end"],
             weeks=f"{d['calibration']['weeks'] or 0:.1f}")]
    out.append("  " + t("over_time.clv_customers", customers=f"{d['customers']:,}",
                        repeaters=f"{d['repeat_customers']:,}"))
    if d["trusted"]:
        p = d["params"]
        out.append("  " + t("over_time.clv_params", r=f"{p['r']:.3f}", alpha=f"{p['alpha']:.3f}", a=f"{p['a']:.3f}",
                            b=f"{p['b']:.3f}", ll=f"{d['log_likelihood']:,.1f}", fitted=f"{d['fitted_on']:,}"))
        if d["gamma_gamma"]:
            g = d["gamma_gamma"]
            out.append("  " + t("over_time.clv_spend_params", p=f"{g['p']:.3f}", q=f"{g['q']:.3f}", v=f"{g['v']:,.2f}"))
    s = d["summary"]
    out.append("  " + t("over_time.clv_ahead", weeks=f"{d['horizon_weeks']:g}",
                        purchases=f"{s['expected_purchases'] or 0:,.0f}", value=_money(s["expected_value"]),
                        currency=d["currency"]))
    if d["trusted"]:
        out.append("  " + t("over_time.clv_alive", alive=_pct(s["mean_p_alive"])))
        out.append("  " + t("over_time.clv_winnable", threshold=_pct(s["winnable_threshold"]),
                            customers=f"{s['winnable_customers']:,}", value=_money(s["winnable_value"]),
                            currency=d["currency"]))
    if d["holdout"]:
        h = d["holdout"]
        out.append("  " + t("over_time.clv_holdout", weeks=f"{h['weeks']:.1f}", actual=f"{h['actual_purchases']:,}",
                            expected=f"{h['expected_purchases']:,.0f}"))
    out.extend("  " + note for note in d["notes"])
    if d["win_back_first"]:
        out.append(t("over_time.win_back_header"))
        for row in d["win_back_first"][:10]:
            segment = _segment_name(d["names"], row["segment"])
            out.append("    " + t("cli.win_back_line", customer=row["customer_key"], segment=segment,
                                  alive=_pct(row["p_alive"]), spent=_money(row["net_sales"]),
                                  expected=_money(row["expected_value"])))
    return "\n".join(out)


# --- forecast ---------------------------------------------------------------------------------

def cmd_forecast(args) -> int:
    from core.over_time import forecast_json

    return _run(args, lambda book: forecast_json(book, args.currency, args.horizon, args.measure), format_forecast)


def series_name(name: str) -> str:
    return t("over_time.whole_shop") if name == "all" else name


def format_forecast(d: dict) -> str:
    """Per series the forecast months with their interval and the back-tested errors."""
    unit = d["currency"] if d["measure"] == "net_sales" else t("over_time.units")
    out = [t(f"over_time.forecast_title_{d['measure']}", unit=unit, interval=_pct(d["interval"]))]
    if not d["series"]:
        out.append("  " + t("over_time.no_series"))
    for f in d["series"]:
        out.append("  " + t("over_time.series_header", name=series_name(f["series"])))
        if f["forecast"]:
            out.append("    " + ", ".join(f"{p['month']} {_money(p['mean'])} ({_money(p['lower'])}–{_money(p['upper'])})"
                                         for p in f["forecast"]))
            out.append("    " + t("over_time.baseline_line", months=", ".join(
                f"{m} {_money(v)}" for m, v in f["baseline"].items())))
            error, base = f["backtest"].get("model_mape"), f["backtest"].get("baseline_mape")
            if error is not None and base is not None:
                out.append("    " + t("over_time.backtest_line", months=f["backtest"]["months"], model=_pct(error),
                                      baseline=_pct(base)))
        out.extend("    " + note for note in f["notes"])
    return "\n".join(out)


# --- the parser -------------------------------------------------------------------------------

def add_commands(command, analysis_command) -> None:
    """Register the four commands; `analysis_command(command, name, help)` adds files, --map,
    --import-map and --currency (core.cli)."""
    cohorts = analysis_command(command, "cohorts", t("over_time.help_cohorts"))
    cohorts.add_argument("--period", choices=("month", "quarter"), default="month", help=t("over_time.help_period"))
    cohorts.add_argument("--json", action="store_true", help=t("cli.help_json"))
    cohorts.set_defaults(run=cmd_cohorts)
    migration = analysis_command(command, "migration", t("over_time.help_migration"))
    migration.add_argument("--before", type=_date, help=t("over_time.help_before"))
    migration.add_argument("--after", type=_date, help=t("over_time.help_after"))
    migration.add_argument("--days", type=int, default=90, help=t("cli.help_migration_days"))
    migration.add_argument("--json", action="store_true", help=t("cli.help_json"))
    migration.set_defaults(run=cmd_migration)
    clv = analysis_command(command, "clv", t("over_time.help_clv"))
    clv.add_argument("--calibration-end", dest="calibration_end", type=_date, help=t("over_time.help_calibration_end"))
    clv.add_argument("--horizon", type=_weeks, default=26.0, help=t("over_time.help_clv_horizon"))
    clv.add_argument("--csv", help=t("over_time.help_clv_csv"))
    clv.add_argument("--json", action="store_true", help=t("cli.help_json"))
    clv.set_defaults(run=cmd_clv)
    forecast = analysis_command(command, "forecast", t("over_time.help_forecast"))
    forecast.add_argument("--horizon", type=int, default=6, choices=range(3, 7), metavar="3-6",
                          help=t("over_time.help_forecast_horizon"))
    forecast.add_argument("--measure", choices=("net_sales", "units"), default="net_sales",
                          help=t("over_time.help_measure"))
    forecast.add_argument("--json", action="store_true", help=t("cli.help_json"))
    forecast.set_defaults(run=cmd_forecast)
