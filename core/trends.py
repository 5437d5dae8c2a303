"""Customers over time: cohorts and retention, segment migration between two dates, demand forecast."""
from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.model import OrderBook, first_present, net_sales
from core.segments import Segmentation, segment
from core.segments.features import main_currency, paid_orders

NOT_YET = "not_yet"  # the "segment before" of customers who had not bought yet
WINNABLE = 0.1  # below this probability of still being a customer, a win-back is unlikely to pay
MIN_FORECAST_MONTHS = 12  # below this, no model is fitted: only the trend is shown
SEASONAL_MONTHS = 24  # two full years let the model learn the season


# --- cohorts ----------------------------------------------------------------------------------

MONTHLY_COHORTS_UP_TO = 12  # a longer history reads better by quarter first (a month per column is too wide)


def cohort_period(book: OrderBook, currency: str | None = None) -> str:
    """The grouping a seller sees first: by month ("M") when the paid orders span at most
    MONTHLY_COHORTS_UP_TO months, else by quarter ("Q")."""
    placed = paid_orders(book, currency or main_currency(book), discounts=False)["placed_at"]
    if placed.empty:
        return "M"
    first, last = placed.min(), placed.max()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return "M" if months <= MONTHLY_COHORTS_UP_TO else "Q"


def cohorts(book: OrderBook, currency: str | None = None, period: str = "M") -> dict[str, pd.DataFrame]:
    """Customers grouped by the month ("M") or quarter ("Q") of their first paid order.

    Returns `customers` (cohort size), `retention` (share of the cohort with a paid order in each
    period after the first, period 0 = the first) and `revenue` (their net sales per period),
    as cohort × period-offset tables."""
    orders = paid_orders(book, currency or main_currency(book))
    when = orders["placed_at"].dt.tz_localize(None).dt.to_period(period)
    orders = orders.assign(period=when)
    first = orders.groupby("customer_key")["period"].transform("min")
    orders = orders.assign(cohort=first, offset=(when - first).map(lambda d: d.n))
    active = orders.groupby(["cohort", "offset"])["customer_key"].nunique().unstack(fill_value=0)
    size = active[0] if 0 in active else pd.Series(dtype=int)
    revenue = orders.groupby(["cohort", "offset"])["net"].sum().unstack(fill_value=0.0).round(2)
    # Periods a cohort has not lived through (completely) yet are unknown, not 0 %.
    last = _last_complete_month(orders["placed_at"]) if period == "M" else when.max()
    age = pd.Series([(last - c).n for c in active.index], index=active.index)
    unseen = np.greater.outer(active.columns.to_numpy(), age.to_numpy()).T
    future = np.greater.outer(revenue.columns.to_numpy(),
                              np.array([(when.max() - c).n for c in revenue.index])).T
    return {"customers": size, "retention": active.div(size, axis=0).round(4).mask(unseen),
            "revenue": revenue.mask(future)}  # money of a month still running is real money


# --- segment migration ------------------------------------------------------------------------

@dataclass
class Migration:
    """Segments at two dates: who moved where, with counts and money, and the named movers."""

    before: Segmentation
    after: Segmentation
    matrix: pd.DataFrame  # customers: rows = segment before (or NOT_YET), columns = segment after
    money: pd.DataFrame  # the same cells with the customers' net sales at the later date
    movers: dict[str, pd.Index] = field(default_factory=dict)  # up, slipped, won, lost


def migration(book: OrderBook, map_id: str = "rfm11", later: dt.date | None = None,
              earlier: dt.date | None = None, days: int = 90, **options) -> Migration:
    """RFM segments now and `days` earlier (or at two given dates). A move up or down follows the
    map's order (best segment first; a newcomer's first segment counts as a move up); won =
    customers with no segment at the earlier date; lost =
    customers who ended in the map's last segment from a better one."""
    after = segment(book, map_id, analysis_date=later, **options)
    earlier = earlier or after.analysis_date - dt.timedelta(days=days)
    before = segment(book, map_id, analysis_date=earlier, **{**options, "currency": after.currency})
    was = before.customers["segment"].reindex(after.customers.index).fillna(NOT_YET)
    now = after.customers["segment"]
    matrix = pd.crosstab(was, now).reindex(index=[NOT_YET, *before.order], columns=after.order, fill_value=0)
    money = after.customers["monetary"].groupby([was, now]).sum().unstack(fill_value=0.0)
    money = money.reindex(index=matrix.index, columns=matrix.columns, fill_value=0.0).round(2)
    rank = {s: i for i, s in enumerate(after.order)}
    rank.update({s: i for i, s in enumerate(before.order) if s not in rank})
    old_rank = was.map(rank).fillna(len(rank))  # not yet a customer ranks below every segment
    new_rank = now.map(rank)
    worst = after.order[-1]
    movers = {
        "up": now.index[(old_rank > new_rank).to_numpy()],
        "slipped": now.index[(old_rank < new_rank).to_numpy()],
        "won": now.index[(was == NOT_YET).to_numpy()],
        "lost": now.index[((now == worst) & (was != worst) & (was != NOT_YET)).to_numpy()],
    }
    return Migration(before, after, matrix, money, movers)


# --- demand forecast --------------------------------------------------------------------------

@dataclass
class Forecast:
    """Monthly history and the forecast of one series (a category or the whole shop)."""

    name: str
    history: pd.Series  # month -> value
    forecast: pd.DataFrame  # month -> mean, lower, upper (model); empty when too little history
    baseline: pd.Series  # the naive seasonal forecast (the same month a year before, else last)
    backtest: dict  # mean absolute percentage error of the model and the baseline on held-out months
    method: str  # "ets_seasonal", "ets", "trend" (too little history)
    notes: list[tuple[str, dict]] = field(default_factory=list)


def monthly_series(book: OrderBook, currency: str, measure: str = "net_sales") -> dict[str, pd.Series]:
    """Monthly net sales (or units) of the shop and of each category, over complete months, from
    every paid order in `currency` (demand counts guests' orders too). The shop's net sales are its
    orders' (order total − refunds, as everywhere), so a table without line items has them too; a
    category's are its lines' totals, and units come from the lines."""
    orders = book.orders.loc[(book.orders["status"] == "paid") & (book.orders["currency"] == currency)
                             & book.orders["placed_at"].notna(),
                             ["platform", "order_id", "placed_at", "status", "order_total", "refunded"]]
    lines = book.lines.merge(orders[["platform", "order_id", "placed_at"]], on=["platform", "order_id"], how="inner")
    lines = lines.assign(item=first_present(lines["category"], lines["product_name"], lines["sku"], "?"))
    dated = orders["placed_at"] if measure == "net_sales" else lines["placed_at"]
    if dated.empty:
        return {}
    last_complete = _last_complete_month(dated)
    month = lines["placed_at"].dt.tz_localize(None).dt.to_period("M")
    value = lines["line_total"] if measure == "net_sales" else lines["quantity"]
    frame = pd.DataFrame({"month": month, "item": lines["item"], "value": value})
    frame = frame[frame["month"] <= last_complete]
    shop = pd.DataFrame({"month": orders["placed_at"].dt.tz_localize(None).dt.to_period("M"),
                         "value": net_sales(orders)}) if measure == "net_sales" else frame
    shop = shop[shop["month"] <= last_complete]
    if shop.empty:
        return {}
    months = pd.period_range(shop["month"].min(), last_complete, freq="M")
    series = {"all": shop.groupby("month")["value"].sum().reindex(months, fill_value=0.0)}
    for item, part in frame.groupby("item"):
        series[str(item)] = part.groupby("month")["value"].sum().reindex(months, fill_value=0.0)
    return series


def _last_complete_month(placed_at: pd.Series) -> pd.Period:
    """A month counts only when the data reaches its last day: a half month would read as a drop."""
    last = placed_at.max().tz_localize(None)
    complete = (last + pd.Timedelta(days=1)).month != last.month
    return last.to_period("M") if complete else last.to_period("M") - 1


def naive_seasonal(history: pd.Series, horizon: int) -> pd.Series:
    """The same month one year earlier (or the last month, with less than a year of history)."""
    future = pd.period_range(history.index[-1] + 1, periods=horizon, freq="M")
    if len(history) >= 12:
        values = [history.iloc[len(history) - 12 + (i % 12)] for i in range(horizon)]
    else:
        values = [history.iloc[-1]] * horizon
    return pd.Series(values, index=future)


def _ets(history: pd.Series, horizon: int, interval: float):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    seasonal = len(history) >= SEASONAL_MONTHS
    values = pd.Series(history.astype(float).to_numpy())  # a plain index: statsmodels labels by it
    # Initial states from the first years (heuristic) rather than fitted with the smoothing
    # parameters: forecasts differ by about 1 %, the fit is some 30 times faster.
    model = ETSModel(values, error="add", trend="add", damped_trend=True,
                     seasonal="add" if seasonal else None, seasonal_periods=12 if seasonal else None,
                     initialization_method="heuristic")
    with warnings.catch_warnings():  # convergence chatter of the optimiser is not the user's business
        warnings.simplefilter("ignore")
        fit = model.fit(disp=False)
        frame = fit.get_prediction(start=len(values), end=len(values) + horizon - 1).summary_frame(alpha=1 - interval)
    future = pd.period_range(history.index[-1] + 1, periods=horizon, freq="M")
    out = pd.DataFrame({"mean": frame["mean"].to_numpy(), "lower": frame["pi_lower"].to_numpy(),
                        "upper": frame["pi_upper"].to_numpy()}, index=future)
    return out.clip(lower=0.0), "ets_seasonal" if seasonal else "ets"


def _mape(actual: pd.Series, predicted: pd.Series) -> float | None:
    mask = actual.to_numpy() != 0
    if not mask.any():
        return None
    return float(np.mean(np.abs((actual.to_numpy()[mask] - predicted.to_numpy()[mask]) / actual.to_numpy()[mask])))


def forecast_series(name: str, history: pd.Series, horizon: int = 6, interval: float = 0.8) -> Forecast:
    """Exponential smoothing (seasonal with two years of history, damped trend otherwise), the
    naive seasonal baseline beside it, and both back-tested on the last `horizon` months."""
    if not 3 <= horizon <= 12:
        raise ValueError(f"horizon must be 3 to 12 months, got {horizon}")
    baseline = naive_seasonal(history, horizon)
    if len(history) < MIN_FORECAST_MONTHS:
        slope = np.polyfit(np.arange(len(history)), history.to_numpy(dtype=float), 1)[0] if len(history) > 1 else 0.0
        return Forecast(name, history, pd.DataFrame(columns=["mean", "lower", "upper"]), baseline, {},
                        "trend", [("trends.too_little_history", {"series": name, "months": len(history),
                                                                 "needed": MIN_FORECAST_MONTHS,
                                                                 "slope": round(float(slope), 2)})])
    forecast, method = _ets(history, horizon, interval)
    backtest = {}
    train, test = history.iloc[:-horizon], history.iloc[-horizon:]
    if len(train) >= MIN_FORECAST_MONTHS:
        model_past, _ = _ets(train, horizon, interval)
        backtest = {"months": horizon, "model_mape": _mape(test, model_past["mean"]),
                    "baseline_mape": _mape(test, naive_seasonal(train, horizon))}
    return Forecast(name, history, forecast, baseline, backtest, method)


def demand_forecast(book: OrderBook, currency: str | None = None, horizon: int = 6,
                    measure: str = "net_sales", top: int = 8) -> list[Forecast]:
    """The forecast of the whole shop and of its `top` categories by net sales."""
    return forecast_each(book, currency, horizon, measure, top)


# --- one headless report of all of it ---------------------------------------------------------

def _number(value):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return round(float(value), 4)


def trends_json(book: OrderBook, map_id: str = "rfm11", horizon: int = 6, days: int = 90,
                clv_weeks: float = 26.0, currency: str | None = None, top: int = 20) -> dict:
    """Cohorts, segment migration, lifetime value and churn risk, and the demand forecast as one
    JSON-ready object (the `trends` command)."""
    from core.clv import customer_lifetime, customer_purchases
    from core.i18n import t

    currency = currency or main_currency(book)
    table = cohorts(book, currency)
    moved = migration(book, map_id, days=days, currency=currency)
    end = moved.after.analysis_date - dt.timedelta(days=1)
    clv = customer_lifetime(customer_purchases(book, currency), end, clv_weeks)
    clv_table = clv.customers.join(moved.after.customers[["segment", "monetary"]], how="left")
    # Win back first: repeat buyers who spent the most and are slipping but not yet gone.
    winnable = clv_table[(clv_table["repeat_purchases"] > 0) & (clv_table["p_alive"] >= WINNABLE)]
    at_risk = winnable.assign(priority=(1 - winnable["p_alive"]) * winnable["monetary"]).sort_values(
        "priority", ascending=False).head(top)
    forecasts = demand_forecast(book, currency, horizon)
    return {
        "currency": currency,
        "cohorts": {"period": "month", "customers": {str(k): int(v) for k, v in table["customers"].items()},
                    "retention": {str(k): [_number(x) for x in row] for k, row in table["retention"].iterrows()}},
        "migration": {"map": moved.after.map_id, "before": moved.before.analysis_date.isoformat(),
                      "after": moved.after.analysis_date.isoformat(),
                      "rows": list(moved.matrix.index), "columns": list(moved.matrix.columns),
                      "customers": moved.matrix.to_numpy().tolist(),
                      "net_sales": moved.money.to_numpy().tolist(),
                      "movers": {k: len(v) for k, v in moved.movers.items()}},
        "clv": {"trusted": bool(clv.trusted), "horizon_weeks": float(clv.horizon_weeks),
                "bgnbd": {k: _number(v) for k, v in (clv.bgnbd or {}).items()},
                "gamma_gamma": {k: _number(v) for k, v in (clv.gamma_gamma or {}).items()},
                "notes": [t(m, **p) for m, p in clv.notes],
                "expected_value": _number(clv.customers["expected_value"].sum()),
                "win_back_first": [{"customer_key": key, "segment": row["segment"],
                                    "p_alive": _number(row["p_alive"]), "net_sales": _number(row["monetary"]),
                                    "expected_value": _number(row["expected_value"])}
                                   for key, row in at_risk.iterrows()]},
        "forecast": [{"series": f.name, "method": f.method,
                      "history": {str(k): _number(v) for k, v in f.history.items()},
                      "forecast": [{"month": str(m), "mean": _number(r["mean"]), "lower": _number(r["lower"]),
                                    "upper": _number(r["upper"])} for m, r in f.forecast.iterrows()],
                      "baseline": {str(k): _number(v) for k, v in f.baseline.items()},
                      "backtest": {k: _number(v) if not isinstance(v, int) else v for k, v in f.backtest.items()},
                      "notes": [t(m, **p) for m, p in f.notes]} for f in forecasts],
    }


# --- helpers of the desktop app's Trends page and customer table -------------------------------

def earlier_counts(book: OrderBook, seg: Segmentation, days: int = 90, **options) -> pd.Series | None:
    """Customers per segment of `seg` `days` before its analysis date, segmented the same way
    (map, scores, currency, `options`); 0 for a segment nobody was in. None when the earlier data
    gets a different map (a smaller shop then) or the map has no stable meaning over time (clusters)."""
    from core.errors import InputError

    if seg.map_id == "clusters":
        return None
    options = {k: v for k, v in options.items() if k not in ("analysis_date", "currency")}
    if not options.get("rates"):
        options["currency"] = seg.currency
    try:
        before = segment(book, seg.map_id, bins=seg.bins,
                         analysis_date=seg.analysis_date - dt.timedelta(days=days), **options)
    except InputError:  # nobody had paid yet
        return pd.Series(0, index=seg.order, dtype=int)
    if before.map_id != seg.map_id:
        return None
    return before.customers["segment"].value_counts().reindex(seg.order, fill_value=0).astype(int)


def forecast_each(book: OrderBook, currency: str | None = None, horizon: int = 6, measure: str = "net_sales",
                  top: int = 8, progress=None) -> list[Forecast]:
    """`demand_forecast`, one series at a time: `progress` (core.jobs.Progress) hears how far it is
    (no step text: the caller names the work) and may cancel between series."""
    series = monthly_series(book, currency or main_currency(book), measure)
    ranked = sorted((k for k in series if k != "all"), key=lambda k: -series[k].sum())[:top]
    names = ["all", *ranked] if series else []
    out = []
    for i, name in enumerate(names):
        if progress is not None:
            progress.check_cancelled()
            progress.report(i / len(names))
        out.append(forecast_series(name, series[name], horizon))
    return out
