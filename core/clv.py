"""Customer lifetime value and churn risk: BG/NBD for purchases and P(alive), Gamma-Gamma for spend.

Both models are the published ones, fitted by maximum likelihood with scipy:
BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers" the easy way; Gamma-Gamma: Fader,
Hardie & Lee (2005), "RFM and CLV: using iso-value curves", and Fader & Hardie (2013), "The
Gamma-Gamma model of monetary value". Time is measured in weeks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from core.model import OrderBook

WEEK = 7.0
MIN_CUSTOMERS = 50  # fewer customers cannot pin four parameters down
MIN_REPEAT_CUSTOMERS = 20  # Gamma-Gamma learns only from customers who came back
MIN_HISTORY_WEEKS = 12


@dataclass
class RepeatData:
    """Per customer: x repeat purchases (distinct purchase days after the first), t_x the week of
    the last purchase and T the weeks observed, both counted from the first purchase; and the mean
    value of the repeat purchases."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    index: pd.Index


def repeat_data(purchases: pd.DataFrame, end: dt.date) -> RepeatData:
    """From purchases (customer, date, value) up to `end`: same-day purchases are one purchase,
    as in the literature; a customer's first purchase is not a repeat and its value is not used."""
    end_ts = pd.Timestamp(end)
    date = pd.to_datetime(purchases["date"])
    if str(getattr(date.dt, "tz", None) or "UTC") != "UTC":
        date = date.dt.tz_localize(None)  # the day as written in its own zone
    # Each purchase's day from its integer instant (UTC or naive): no copies of millions of times.
    instant = date.to_numpy(dtype="datetime64[ns]")
    all_days = instant.astype("datetime64[D]").astype(np.int64)
    keep = ~np.isnat(instant) & (all_days <= (end_ts.normalize() - pd.Timestamp(0)).days)
    # Customer-days as one integer each (customer code × days + day): grouping ten million orders
    # by a text key and a date held 800 MB while it ran; integers a fraction of that.
    customer, keys = pd.factorize(purchases["customer"][keep], sort=True)
    day = all_days[keep]
    known = customer >= 0  # as groupby, purchases without a customer count for no one
    customer, day, keep = customer[known], day[known], np.flatnonzero(keep)[known]
    if not len(day):
        return RepeatData(*(np.zeros(0) for _ in range(4)), index=pd.Index(keys[:0], name="customer"))
    first_day = int(day.min())
    span = int(day.max()) - first_day + 1
    value = pd.Series(purchases["value"].to_numpy()[keep])
    by_day = value.groupby(customer.astype(np.int64) * span + (day - first_day), sort=True).sum()
    pair = by_day.index.to_numpy()  # sorted: by customer, then day
    who, when = pair // span, pair % span
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])  # each customer's first day
    ends = np.r_[starts[1:], len(who)] - 1
    repeats = ends - starts
    first_value = by_day.to_numpy()[starts]
    total = pd.Series(by_day.to_numpy()).groupby(who, sort=True).sum().to_numpy()  # pandas' sums, to the bit
    with np.errstate(divide="ignore", invalid="ignore"):
        repeat_value = np.where(repeats > 0, (total - first_value) / repeats, 0.0)
    first, last = when[starts], when[ends]
    return RepeatData(x=repeats.astype(float), t_x=(last - first) / WEEK,
                      T=((end_ts - pd.Timestamp(first_day, unit="D")).days - first) / WEEK,
                      monetary=repeat_value, index=pd.Index(keys.take(who[starts]), name="customer"))


def bgnbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Each customer's log-likelihood under BG/NBD with params (r, alpha, a, b)."""
    r, alpha, a, b = params
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


BOUND = 15.0  # log-parameters stay within e^±15: wide enough for any shop, finite for the optimiser


def _fit(negative_ll, start: np.ndarray) -> tuple[np.ndarray, bool, float]:
    """Maximise over log-parameters (all parameters are positive): L-BFGS-B, which needs about a
    third of Nelder-Mead's evaluations, and Nelder-Mead when it fails. Returns the parameters,
    whether the fit is usable (converged, finite, not stuck at a bound) and the log-likelihood."""
    def objective(p):
        value = negative_ll(np.exp(p))
        return float(value) if np.isfinite(value) else 1e300  # a wall, not a NaN, for the line search

    with np.errstate(all="ignore"):
        result = optimize.minimize(objective, np.log(start), method="L-BFGS-B",
                                   bounds=[(-BOUND, BOUND)] * len(start),
                                   options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8})
        if not result.success or result.fun >= 1e300:
            # 2,000 steps: a fit that needs more walks toward infinite parameters (spend that
            # hardly varies), which the bound check refuses anyway (8,000 took 4 s to get there).
            result = optimize.minimize(objective, np.log(start), method="Nelder-Mead",
                                       options={"maxiter": 2000, "xatol": 1e-9, "fatol": 1e-10})
    ok = bool(result.success and result.fun < 1e300 and np.all(np.abs(result.x) < BOUND - 0.1))
    return np.exp(result.x), ok, -float(result.fun)


def _distinct(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns and how often each occurs: the likelihood of a shop's
    many one-time buyers of the same week is computed once (an exact saving, not a sample)."""
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts


def fit_bgnbd(data: RepeatData) -> tuple[dict, bool]:
    params, ok, _ = fit_bgnbd_ll(data)
    return params, ok


def fit_bgnbd_ll(data: RepeatData) -> tuple[dict, bool, float]:
    """BG/NBD by maximum likelihood: (params, usable, log-likelihood of the data)."""
    (x, t_x, T), weight = _distinct(data.x, data.t_x, data.T)
    params, ok, ll = _fit(lambda p: -(weight * bgnbd_log_likelihood(p, x, t_x, T)).sum(),
                          np.array([0.5, 5.0, 0.5, 2.0]))
    return dict(zip(("r", "alpha", "a", "b"), params)), ok, ll


def p_alive(params: dict, x, t_x, T) -> np.ndarray:
    """The probability that each customer is still a customer (has not dropped out)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x = np.asarray(x, dtype=float)
    ratio = a / np.maximum(b + x - 1, 1e-300) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return np.where(x > 0, 1.0 / (1.0 + ratio), 1.0)


def expected_purchases(params: dict, t: float, x, t_x, T) -> np.ndarray:
    """Expected purchases of each customer in the next `t` weeks (conditional expectation)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x = np.asarray(x, dtype=float)
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    denominator = 1 + np.where(x > 0, a / np.maximum(b + x - 1, 1e-300), 0.0) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return numerator / denominator


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Each repeat customer's log-likelihood of their mean spend m over x purchases, params (p, q, v)."""
    p, q, v = params
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray) -> tuple[dict, bool]:
    """Gamma-Gamma by maximum likelihood on repeat buyers' mean spend. Spend is scaled to its
    median for the fit (v scales with the money, p and q do not), so yen and dong fit like dollars."""
    scale = float(np.median(m)) if len(m) and np.median(m) > 0 else 1.0
    params, ok, _ = _fit(lambda p: -gamma_gamma_log_likelihood(p, x, m / scale).sum(), np.array([1.0, 2.0, 1.0]))
    p, q, v = params
    return {"p": p, "q": q, "v": v * scale}, ok and len(m) > 0


def expected_spend(params: dict, x, m) -> np.ndarray:
    """Expected value of a customer's future purchase, shrunk from their own mean toward the
    population mean by how many purchases it rests on."""
    p, q, v = params["p"], params["q"], params["v"]
    x = np.asarray(x, dtype=float)
    return (v + m * x) * p / (p * x + q - 1)


@dataclass
class CLVResult:
    """Per customer: P(alive), expected purchases and value over the horizon (or the simple
    fallback figures), the fitted parameters, and plain notes on what can be trusted."""

    customers: pd.DataFrame
    horizon_weeks: float
    bgnbd: dict | None
    gamma_gamma: dict | None
    notes: list[tuple[str, dict]] = field(default_factory=list)
    trusted: bool = True
    log_likelihood: float | None = None  # of the BG/NBD fit, over the customers it was fitted on
    fitted_on: int = 0  # customers the models learned from (a sample of a large shop)


def customer_purchases(book: OrderBook, currency: str) -> pd.DataFrame:
    """Paid orders of identified customers in one currency as (customer, date, value)."""
    from core.segments.features import paid_orders

    orders = paid_orders(book, currency, discounts=False)
    return pd.DataFrame({"customer": orders["customer_key"], "date": orders["placed_at"], "value": orders["net"]})


def _subset(data: RepeatData, keep: np.ndarray) -> RepeatData:
    return RepeatData(data.x[keep], data.t_x[keep], data.T[keep], data.monetary[keep], data.index[keep])


def customer_lifetime(purchases: pd.DataFrame, end: dt.date, horizon_weeks: float = 26.0,
                      fit_on: int | None = None, seed: int = 7) -> CLVResult:
    """Fit both models on the purchases up to `end` and predict the next `horizon_weeks`.

    With `fit_on`, a large shop's models learn from a seeded sample of that many customers and
    predict every customer (the parameters of a 20,000-customer sample are as good for a
    strategy text, and the fit stays under a second).

    The traps are guarded: one-time buyers count (x = 0), repeat purchases worth nothing or less
    after refunds are left out of the spend model, and with too few customers, too few repeat
    buyers or too short a history the result says the model cannot be trusted and gives the simple
    figures instead (the customer's own purchase rate and average order, never below 0)."""
    data = repeat_data(purchases, end)
    notes: list[tuple[str, dict]] = []
    out = pd.DataFrame({"repeat_purchases": data.x, "weeks_to_last": data.t_x, "weeks_observed": data.T,
                        "repeat_value": data.monetary}, index=data.index)
    if not len(data.x):
        notes.append(("clv.no_purchases", {"date": pd.Timestamp(end).date().isoformat()}))
        for column in ("p_alive", "expected_purchases", "expected_spend", "expected_value"):
            out[column] = pd.Series(dtype=float)
        return CLVResult(out, horizon_weeks, None, None, notes, False)
    history = float(data.T.max())
    repeaters = int((data.x > 0).sum())
    enough = len(data.x) >= MIN_CUSTOMERS and repeaters >= MIN_REPEAT_CUSTOMERS and history >= MIN_HISTORY_WEEKS
    bg = gg = ll = None
    fitted = 0
    if enough:
        in_fit = np.ones(len(data.x), dtype=bool)
        if fit_on and len(data.x) > fit_on:
            in_fit[:] = False
            in_fit[np.random.default_rng(seed).choice(len(data.x), fit_on, replace=False)] = True
            notes.append(("clv.fitted_on_sample", {"sample": fit_on, "customers": len(data.x)}))
        bg, ok, ll = fit_bgnbd_ll(_subset(data, in_fit))
        fitted = int(in_fit.sum())
        if ok and bg["a"] > 1e-6 and bg["b"] > 1e-6:
            with np.errstate(all="ignore"):
                alive = p_alive(bg, data.x, data.t_x, data.T)
                purchases_ahead = expected_purchases(bg, horizon_weeks, data.x, data.t_x, data.T)
            ok = bool(np.isfinite(alive).all() and np.isfinite(purchases_ahead).all())
        if not ok:
            notes.append(("clv.fit_failed", {}))
            bg = ll = None
    if bg is not None:
        out["p_alive"] = alive
        out["expected_purchases"] = np.maximum(purchases_ahead, 0.0)
        usable = (data.x > 0) & (data.monetary > 0)
        if repeaters > usable.sum():
            notes.append(("clv.no_value_repeats", {"count": int(repeaters - usable.sum())}))
        fit_usable = usable & in_fit
        gg, ok = fit_gamma_gamma(data.x[fit_usable], data.monetary[fit_usable]) if fit_usable.sum() >= 2 else (None, False)
        if ok and gg["q"] > 1:
            population = gg["p"] * gg["v"] / (gg["q"] - 1)
            spend = np.where(usable, expected_spend(gg, data.x, data.monetary), population)
        else:  # the spend model failed: the average repeat spend of everyone stands in
            gg = None
            notes.append(("clv.spend_model_failed", {}))
            spend = np.full(len(data.x), data.monetary[usable].mean() if usable.any() else 0.0)
        out["expected_spend"] = spend
    else:
        if not enough:
            notes.append(("clv.not_trusted", {"customers": len(data.x), "repeaters": repeaters,
                                              "weeks": round(history), "min_customers": MIN_CUSTOMERS,
                                              "min_repeaters": MIN_REPEAT_CUSTOMERS, "min_weeks": MIN_HISTORY_WEEKS}))
        # Simple figures: the customer's own weekly rate since the first purchase (over at least
        # MIN_HISTORY_WEEKS: a buyer of last week is not a weekly buyer) and average order; refunds
        # can make that average 0 or less, and nobody is expected to spend less than 0.
        per_customer = purchases[pd.to_datetime(purchases["date"]).dt.tz_localize(None).dt.normalize()
                                 <= pd.Timestamp(end)].groupby("customer")["value"].agg(["sum", "size"])
        per_customer = per_customer.reindex(data.index)
        out["p_alive"] = np.nan
        out["expected_purchases"] = (data.x + 1) / np.maximum(data.T, MIN_HISTORY_WEEKS) * horizon_weeks
        out["expected_spend"] = (per_customer["sum"] / per_customer["size"]).clip(lower=0.0).to_numpy()
    out["expected_value"] = out["expected_purchases"] * out["expected_spend"]
    return CLVResult(out, horizon_weeks, bg, gg, notes, bg is not None, ll, fitted)


def holdout(purchases: pd.DataFrame, result: CLVResult, end: dt.date) -> dict | None:
    """How the model did on the purchases after `end` (when the data goes on): the calibration
    customers' repeat purchases (distinct days) in the weeks after `end` against the model's
    expectation for exactly that many weeks. None without a fitted model or later data."""
    if result.bgnbd is None:
        return None
    when = pd.to_datetime(purchases["date"]).dt.tz_localize(None).dt.normalize()
    later = purchases.assign(date=when)[(when > pd.Timestamp(end)) & purchases["customer"].isin(result.customers.index)]
    last = when.max()
    if later.empty or pd.isna(last):
        return None
    weeks = (last - pd.Timestamp(end)).days / WEEK
    table = result.customers
    expected = expected_purchases(result.bgnbd, weeks, table["repeat_purchases"], table["weeks_to_last"],
                                  table["weeks_observed"])
    return {"weeks": round(weeks, 2), "actual_purchases": int(len(later.drop_duplicates(["customer", "date"]))),
            "expected_purchases": float(np.sum(expected))}
