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

from core.model import OrderBook, net_sales

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
    days = purchases.assign(date=pd.to_datetime(purchases["date"]).dt.tz_localize(None).dt.normalize())
    days = days[days["date"] <= end_ts].groupby(["customer", "date"], sort=True)["value"].sum().reset_index()
    grouped = days.groupby("customer", sort=True)
    first, last = grouped["date"].min(), grouped["date"].max()
    count = grouped.size()
    first_value = grouped["value"].first()
    repeat_value = (grouped["value"].sum() - first_value) / (count - 1).where(count > 1)
    return RepeatData(x=(count - 1).to_numpy(dtype=float),
                      t_x=((last - first).dt.days / WEEK).to_numpy(),
                      T=((end_ts - first).dt.days / WEEK).to_numpy(),
                      monetary=repeat_value.fillna(0.0).to_numpy(), index=count.index)


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


def _fit(negative_ll, start: np.ndarray) -> tuple[np.ndarray, bool]:
    """Maximise over log-parameters (all parameters are positive)."""
    result = optimize.minimize(lambda p: negative_ll(np.exp(p)), np.log(start), method="Nelder-Mead",
                               options={"maxiter": 8000, "xatol": 1e-9, "fatol": 1e-10})
    return np.exp(result.x), bool(result.success and np.isfinite(result.fun))


def fit_bgnbd(data: RepeatData) -> tuple[dict, bool]:
    params, ok = _fit(lambda p: -bgnbd_log_likelihood(p, data.x, data.t_x, data.T).sum(),
                      np.array([0.5, 5.0, 0.5, 2.0]))
    return dict(zip(("r", "alpha", "a", "b"), params)), ok


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
    params, ok = _fit(lambda p: -gamma_gamma_log_likelihood(p, x, m).sum(), np.array([1.0, 1.0, 1.0]))
    return dict(zip(("p", "q", "v"), params)), ok


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


def customer_purchases(book: OrderBook, currency: str) -> pd.DataFrame:
    """Paid orders of identified customers in one currency as (customer, date, value)."""
    orders = book.orders[(book.orders["status"] == "paid") & (book.orders["customer_key"] != "")
                         & (book.orders["currency"] == currency)]
    return pd.DataFrame({"customer": orders["customer_key"], "date": orders["placed_at"],
                         "value": net_sales(orders)})


def customer_lifetime(purchases: pd.DataFrame, end: dt.date, horizon_weeks: float = 26.0) -> CLVResult:
    """Fit both models on the purchases up to `end` and predict the next `horizon_weeks`.

    The traps are guarded: one-time buyers count (x = 0), repeat purchases worth nothing or less
    after refunds are left out of the spend model, and with too few customers, too few repeat
    buyers or too short a history the result says the model cannot be trusted and gives the simple
    figures instead (the customer's own purchase rate and average order)."""
    data = repeat_data(purchases, end)
    notes: list[tuple[str, dict]] = []
    history = float(data.T.max()) if len(data.T) else 0.0
    trusted = len(data.x) >= MIN_CUSTOMERS and (data.x > 0).sum() >= MIN_REPEAT_CUSTOMERS and history >= MIN_HISTORY_WEEKS
    out = pd.DataFrame({"repeat_purchases": data.x, "weeks_to_last": data.t_x, "weeks_observed": data.T,
                        "repeat_value": data.monetary}, index=data.index)
    bg = gg = None
    if trusted:
        bg, ok = fit_bgnbd(data)
        trusted = ok and bg["a"] > 1e-6 and bg["b"] > 1e-6
    if trusted:
        out["p_alive"] = p_alive(bg, data.x, data.t_x, data.T)
        out["expected_purchases"] = expected_purchases(bg, horizon_weeks, data.x, data.t_x, data.T)
        usable = (data.x > 0) & (data.monetary > 0)
        if (data.x > 0).sum() > usable.sum():
            notes.append(("clv.no_value_repeats", {"count": int((data.x > 0).sum() - usable.sum())}))
        gg, ok = fit_gamma_gamma(data.x[usable], data.monetary[usable])
        if ok and gg["q"] > 1:
            population = gg["p"] * gg["v"] / (gg["q"] - 1)
            spend = np.where(usable, expected_spend(gg, data.x, data.monetary), population)
        else:  # the spend model failed: the average repeat spend of everyone stands in
            gg = None
            notes.append(("clv.spend_model_failed", {}))
            spend = np.full(len(data.x), data.monetary[usable].mean() if usable.any() else 0.0)
        out["expected_spend"] = spend
    else:
        notes.append(("clv.not_trusted", {"customers": len(data.x), "repeaters": int((data.x > 0).sum()),
                                          "weeks": round(history), "min_customers": MIN_CUSTOMERS,
                                          "min_repeaters": MIN_REPEAT_CUSTOMERS, "min_weeks": MIN_HISTORY_WEEKS}))
        # Simple figures: the customer's own weekly rate since the first purchase and average order.
        per_customer = purchases.groupby("customer")["value"].agg(["sum", "size"]).reindex(data.index)
        out["p_alive"] = np.nan
        out["expected_purchases"] = (data.x + 1) / np.maximum(data.T, 1.0) * horizon_weeks
        out["expected_spend"] = (per_customer["sum"] / per_customer["size"]).to_numpy()
    out["expected_value"] = out["expected_purchases"] * out["expected_spend"]
    return CLVResult(out, horizon_weeks, bg, gg, notes, trusted)
