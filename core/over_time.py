"""The over-time results as JSON-ready objects: cohorts, segment migration, lifetime value, forecast."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.i18n import t
from core.model import OrderBook
from core.segments.features import main_currency

PERIODS = {"month": "M", "quarter": "Q"}
MEASURES = ("net_sales", "units")
INTERVAL = 0.8  # the forecast interval: 8 months in 10 should fall inside it


def number(value, digits: int = 4):
    """JSON has no NaN or numpy types: a missing figure is null."""
    if value is None or (isinstance(value, (float, np.floating)) and not np.isfinite(value)):
        return None
    return round(float(value), digits)


def _currency(book: OrderBook, currency: str | None) -> str:
    found = currency or main_currency(book)
    if found is None:
        from core.errors import InputError, Problem

        raise InputError(Problem.make("", None, None, "over_time.no_paid_orders"))
    return found


# --- cohorts ----------------------------------------------------------------------------------

def cohorts_json(book: OrderBook, currency: str | None = None, period: str = "month") -> dict:
    """Per cohort (month or quarter of the first paid order): its customers, the share of them
    buying in each later period (null: not lived through yet) and their net sales per period."""
    from core.trends import cohorts

    currency = _currency(book, currency)
    table = cohorts(book, currency, PERIODS[period])
    retention, revenue = table["retention"], table["revenue"]
    return {"currency": currency, "period": period,
            "cohorts": [{"cohort": str(c), "customers": int(table["customers"][c]),
                         "retention": [number(v) for v in retention.loc[c]],
                         "net_sales": [number(v, 2) for v in revenue.loc[c]]} for c in retention.index]}


# --- migration --------------------------------------------------------------------------------

def migration_json(book: OrderBook, map_id: str = "rfm11", before: dt.date | None = None,
                   after: dt.date | None = None, days: int = 90, currency: str | None = None) -> dict:
    """Segments at two analysis dates (default: the day after the last order and `days` before):
    customers and their net sales per (segment before, segment after), and the movers."""
    from core.trends import NOT_YET, migration

    if before and after and before >= after:
        raise ValueError(t("over_time.dates_order", before=before.isoformat(), after=after.isoformat()))
    moved = migration(book, map_id, later=after, earlier=before, days=days, currency=_currency(book, currency))
    if moved.before.analysis_date >= moved.after.analysis_date:
        raise ValueError(t("over_time.dates_order", before=moved.before.analysis_date.isoformat(),
                           after=moved.after.analysis_date.isoformat()))
    labels = {**moved.before.labels, **moved.after.labels}
    return {"currency": moved.after.currency, "map": moved.after.map_id,
            "before": moved.before.analysis_date.isoformat(), "after": moved.after.analysis_date.isoformat(),
            "names": {sid: {"name": label.name, "name_zh": label.name_zh} for sid, label in labels.items()},
            "rows": list(moved.matrix.index), "columns": list(moved.matrix.columns),
            "customers": moved.matrix.to_numpy().astype(int).tolist(),
            "net_sales": moved.money.round(2).to_numpy().tolist(),
            "movers": {k: len(v) for k, v in moved.movers.items()}, "not_yet": NOT_YET}


# --- lifetime value and churn risk ------------------------------------------------------------

def lifetime_table(book: OrderBook, currency: str, end: dt.date, horizon_weeks: float = 26.0,
                   fit_on: int | None = None):
    """core.clv.customer_lifetime on the shop's paid orders up to `end` (inclusive), and the purchases."""
    from core.clv import customer_lifetime, customer_purchases

    purchases = customer_purchases(book, currency)
    return customer_lifetime(purchases, end, horizon_weeks, fit_on=fit_on), purchases


def win_back(table: pd.DataFrame, winnable: float) -> pd.DataFrame:
    """Who to win back first: repeat buyers still likely to be customers (P(alive) at least
    `winnable`: below it a win-back rarely pays), by what the shop stands to lose, (1 − P(alive))
    × their net sales so far. One-time buyers are not here: the model calls them alive by design."""
    rows = table[(table["repeat_purchases"] > 0) & (table["p_alive"] >= winnable)]
    return rows.assign(priority=(1 - rows["p_alive"]) * rows["net_sales"]).sort_values(
        "priority", ascending=False, kind="stable")


def clv_json(book: OrderBook, currency: str | None = None, calibration_end: dt.date | None = None,
             horizon_weeks: float = 26.0, map_id: str | None = "rfm11", top: int = 20,
             fit_on: int | None = None) -> tuple[dict, pd.DataFrame]:
    """BG/NBD + Gamma-Gamma fitted on the paid orders up to `calibration_end` (default: the last
    order): parameters, log-likelihood, expected purchases and value over `horizon_weeks`,
    P(alive), who to win back first and, when the data goes on after `calibration_end`, how the
    model did on those later weeks. Also returns the per-customer table."""
    from core.clv import holdout
    from core.trends import WINNABLE

    currency = _currency(book, currency)
    last = book.orders.loc[(book.orders["status"] == "paid") & (book.orders["currency"] == currency),
                           "placed_at"].max()
    end = calibration_end or (last.date() if pd.notna(last) else dt.date.today())
    result, purchases = lifetime_table(book, currency, end, horizon_weeks, fit_on)
    table = result.customers
    in_period = purchases[pd.to_datetime(purchases["date"]).dt.tz_localize(None).dt.normalize() <= pd.Timestamp(end)]
    table = table.assign(net_sales=in_period.groupby("customer")["value"].sum().reindex(table.index).fillna(0.0))
    segment_of, names = _segments_at(book, map_id, end, currency, table.index)
    table = table.assign(segment=segment_of)
    first = pd.to_datetime(in_period["date"]).min()
    bg, gg = result.bgnbd, result.gamma_gamma
    model = ("bg_nbd+gamma_gamma" if gg else "bg_nbd") if bg else "simple_rate"
    winners = win_back(table, WINNABLE) if result.trusted else table.iloc[0:0].assign(priority=0.0)
    summary = {
        "expected_purchases": number(table["expected_purchases"].sum(), 2),
        "expected_value": number(table["expected_value"].sum(), 2),
        "mean_p_alive": number(table["p_alive"].mean()) if result.trusted else None,
        "winnable_threshold": WINNABLE,
        "winnable_customers": int(len(winners)),
        "winnable_value": number(winners["expected_value"].sum(), 2),
    }
    data = {
        "model": model, "currency": currency, "trusted": bool(result.trusted),
        "calibration": {"start": first.date().isoformat() if pd.notna(first) else None, "end": end.isoformat(),
                        "weeks": number(table["weeks_observed"].max(), 3) if len(table) else None},
        "horizon_weeks": float(horizon_weeks),
        "customers": int(len(table)), "repeat_customers": int((table["repeat_purchases"] > 0).sum()),
        "fitted_on": int(result.fitted_on),
        "params": {k: number((bg or {}).get(k), 6) for k in ("r", "alpha", "a", "b")},
        "log_likelihood": number(result.log_likelihood, 3),
        "gamma_gamma": {k: number(v, 6) for k, v in gg.items()} if gg else None,
        "summary": summary,
        "holdout": holdout(purchases, result, end),
        "win_back_first": [{"customer_key": key, "segment": row["segment"], "p_alive": number(row["p_alive"]),
                            "net_sales": number(row["net_sales"], 2), "expected_value": number(row["expected_value"], 2)}
                           for key, row in winners.head(top).iterrows()],
        "names": names,
        "notes": [t(message, **params) for message, params in result.notes],
    }
    if data["holdout"]:
        data["holdout"]["expected_purchases"] = number(data["holdout"]["expected_purchases"], 2)
    return data, table


def _segments_at(book: OrderBook, map_id: str | None, end: dt.date, currency: str,
                 index: pd.Index) -> tuple[pd.Series, dict]:
    """Each customer's segment as of `end` (the analysis date is the day after) and the segments'
    names; None when the shop cannot be segmented then."""
    from core.errors import InputError
    from core.segments import segment

    nobody = pd.Series(None, index=index, dtype=object)
    if not map_id or not len(index):
        return nobody, {}
    try:
        seg = segment(book, map_id, analysis_date=end + dt.timedelta(days=1), currency=currency)
    except (InputError, ValueError):
        return nobody, {}
    names = {sid: {"name": label.name, "name_zh": label.name_zh} for sid, label in seg.labels.items()}
    found = seg.customers["segment"].reindex(index).astype(object)
    return found.where(found.notna(), None), names


# --- demand forecast --------------------------------------------------------------------------

def trend_per_month(history: pd.Series) -> float | None:
    """The straight-line change per month over the history (least squares), or None."""
    if len(history) < 2:
        return None
    return float(np.polyfit(np.arange(len(history)), history.to_numpy(dtype=float), 1)[0])


def forecast_json(book: OrderBook, currency: str | None = None, horizon: int = 6, measure: str = "net_sales",
                  top: int = 8) -> dict:
    """Monthly history and forecast (mean and interval) of the whole shop and its `top` categories,
    the naive seasonal baseline, and the back-tested errors of both."""
    from core.trends import demand_forecast

    if measure not in MEASURES:
        raise ValueError(t("over_time.bad_measure", measure=measure, choices=", ".join(MEASURES)))
    currency = _currency(book, currency)
    forecasts = demand_forecast(book, currency, horizon, measure, top)
    return {"currency": currency, "measure": measure, "horizon": horizon, "interval": INTERVAL,
            "series": [{"series": f.name, "method": f.method,
                        "history": {str(k): number(v, 2) for k, v in f.history.items()},
                        "forecast": [{"month": str(m), "mean": number(r["mean"], 2), "lower": number(r["lower"], 2),
                                      "upper": number(r["upper"], 2)} for m, r in f.forecast.iterrows()],
                        "baseline": {str(k): number(v, 2) for k, v in f.baseline.items()},
                        "backtest": {k: (v if isinstance(v, int) else number(v)) for k, v in f.backtest.items()},
                        "trend_per_month": number(trend_per_month(f.history), 2),
                        "notes": [t(m, **p) for m, p in f.notes]} for f in forecasts]}
