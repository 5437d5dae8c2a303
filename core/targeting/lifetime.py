"""Churn risk and lifetime value per segment, for the targeting texts: who is still worth winning back."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from core.model import OrderBook, among, kept
from core.segments import Segmentation
from core.segments.features import paid_orders

FIT_ON = 20_000  # customers the models learn from in a large shop: a plan re-runs on every edit
COLUMNS = ("clv_weeks", "winnable_threshold", "winnable_customers", "winnable_value", "repeat_p_alive",
           "expected_value")


def horizon_weeks() -> float:
    """The weeks ahead the texts speak of (resources/targeting/common.toml, [lifetime])."""
    from core.targeting.texts import load

    return float(load("common.toml").get("lifetime", {}).get("horizon_weeks", 26))


def customer_lifetime_table(seg: Segmentation, book: OrderBook, weeks: float):
    """core.clv.customer_lifetime on the segmented customers' paid orders before the analysis
    date, in the segmentation's currency (converted with its rates when it has them). Fitted once
    per book, currency (or rates), analysis date and horizon: a segmentation's map and options do
    not change who its customers are, and a plan re-runs on every edit."""
    key = json.dumps([seg.currency, seg.rates, seg.analysis_date.isoformat(), weeks], sort_keys=True)
    return book.memo(f"lifetime:{key}", lambda b: _fitted(seg, b, weeks))


def _fitted(seg: Segmentation, book: OrderBook, weeks: float):
    from core.clv import customer_lifetime

    orders = paid_orders(book, seg.currency if not seg.rates else None, seg.rates,
                         seg.currency if seg.rates else None, discounts=False)
    orders = kept(orders, (orders["placed_at"] < pd.Timestamp(seg.analysis_date, tz="UTC")).to_numpy()
                  & among(orders["customer_key"], seg.customers.index))
    purchases = pd.DataFrame({"customer": orders["customer_key"], "date": orders["placed_at"], "value": orders["net"]})
    del orders  # the columns the models do not read go now, not after them
    return customer_lifetime(purchases, seg.analysis_date - dt.timedelta(days=1), weeks, fit_on=FIT_ON)


def lifetime_facts(seg: Segmentation, book: OrderBook) -> pd.DataFrame:
    """Per segment (display order): the customers still worth winning back — repeat buyers whose
    probability of still being a customer is at least core.trends.WINNABLE — and what they are
    expected to spend over the horizon, the mean P(alive) of its repeat buyers (the model calls
    every one-time buyer alive, so they would only blur it) and its expected value. The
    models are fitted once for the whole shop. When they cannot be trusted (too little history)
    every fact is missing, so no text states a guess."""
    from core.trends import WINNABLE

    weeks = horizon_weeks()
    out = pd.DataFrame(index=pd.Index(seg.order, name="segment"), columns=list(COLUMNS), dtype=float)
    if seg.customers.empty:
        return out
    result = customer_lifetime_table(seg, book, weeks)
    if not result.trusted:
        return out
    table = result.customers.join(seg.customers["segment"], how="inner")
    winnable = table[(table["repeat_purchases"] > 0) & (table["p_alive"] >= WINNABLE)]
    by_segment = table.groupby("segment")
    out["clv_weeks"] = weeks
    out["winnable_threshold"] = WINNABLE
    out["winnable_customers"] = winnable.groupby("segment").size().reindex(out.index).fillna(0).astype(float)
    out["winnable_value"] = winnable.groupby("segment")["expected_value"].sum().reindex(out.index).fillna(0.0).round(2)
    repeaters = table[table["repeat_purchases"] > 0]
    out["repeat_p_alive"] = repeaters.groupby("segment")["p_alive"].mean().reindex(out.index).round(4)
    out["expected_value"] = by_segment["expected_value"].sum().reindex(out.index).round(2)
    present = by_segment.size().reindex(out.index).fillna(0) > 0
    out.loc[~present.to_numpy()] = np.nan  # an empty segment has no figures
    return out
