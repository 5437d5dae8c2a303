"""Segment the customers of an OrderBook with a named map, value tiers, clusters or product affinity."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.errors import InputError, Problem
from core.i18n import language, t
from core.jobs import NULL_PROGRESS, Progress, sub
from core.model import OrderBook, arguments_key
from core.segments.clusters import ClusterResult, cluster_customers
from core.segments.features import customer_features, default_analysis_date, main_currency
from core.segments.maps import (MAP_IDS, SegmentLabel, assign, high_low_limits, load_map,
                                 with_shares)
from core.segments.products import affinity_segments, category_mix
from core.segments.rfm import AxisCuts, rfm_scores

SEGMENTERS = MAP_IDS + ("clusters", "affinity", "tags")


@dataclass
class Segmentation:
    """Who is in which segment, how the scores were cut, and what the user should know about it."""

    analysis_date: dt.date
    map_id: str  # the map used (a small shop may get a smaller one than asked for)
    requested_map: str
    currency: str
    bins: int
    customers: pd.DataFrame  # per customer_key: features, r, f, m, segment, cluster
    labels: dict[str, SegmentLabel]  # segment id -> names, in display order
    thresholds: dict[str, dict]
    notes: list[tuple[str, dict]] = field(default_factory=list)
    clusters: ClusterResult | None = None
    rates: dict | None = None  # currency -> value in `currency`, when customers were converted

    @property
    def order(self) -> list[str]:
        return list(self.labels)


def segment(book: OrderBook, map_id: str = "rfm11", bins: int = 5,
            analysis_date: dt.date | None = None, custom_cuts: dict | None = None,
            high_low: dict | None = None, shares: tuple[float, ...] | None = None,
            currency: str | None = None, rates: dict | None = None, base: str | None = None,
            k: int | None = None, with_clusters: bool = False,
            progress: Progress = NULL_PROGRESS) -> Segmentation:
    """Segment the identified customers of `book` over their paid orders.

    Parameters
    ----------
    map_id : rfm11, rfgrid, cn8, value, clusters, affinity or tags (primary interest tag).
    bins : 3, 4 or 5 RFM scores per axis.
    analysis_date : recency is counted back from this day; default: the day after the last order.
    custom_cuts : {"r": [days…], "f": [orders…], "m": [amounts…]} instead of quantiles.
    high_low : for cn8, {"r": days, "f": orders, "m": amount} instead of the means.
    shares : for value tiers, e.g. (0.2, 0.3, 0.5).
    currency : segment the customers who paid in this currency (default: the main one), or
    rates, base : convert every currency to `base` with `rates` (value of one unit in `base`).
    k : number of clusters instead of choosing it by silhouette.
    with_clusters : also cluster when the map is not "clusters" (for the customer list).

    Raises InputError (message ids segments.*) when there is nothing to segment. Built once per
    book, arguments and tag tables in force (OrderBook.memo_recent): callers must not change it.
    """
    if map_id not in SEGMENTERS:
        raise ValueError(f"map must be one of {', '.join(SEGMENTERS)}, got {map_id!r}")
    from core.tags import tables_version

    key = arguments_key(map_id, bins, analysis_date, custom_cuts, high_low, shares, currency, rates,
                        base, k, with_clusters, tables_version())
    return book.memo_recent("segmentation", key, lambda b: _segment(
        b, map_id, bins, analysis_date, custom_cuts, high_low, shares, currency, rates, base, k,
        with_clusters, progress))


def _segment(book, map_id, bins, analysis_date, custom_cuts, high_low, shares, currency, rates, base,
             k, with_clusters, progress) -> Segmentation:
    notes: list[tuple[str, dict]] = []
    analysis_date = analysis_date or default_analysis_date(book)
    if rates:
        currency = base
    else:
        currency = currency or main_currency(book)
        others = sorted(set(book.orders.loc[book.orders["status"] == "paid", "currency"].unique()) - {currency})
        if others and currency:
            notes.append(("segments.other_currencies", {"currency": currency, "others": ", ".join(others)}))
    progress.report(0.05, "progress.customer_features")
    features = customer_features(book, analysis_date, currency, rates, base)
    if features.empty:
        raise InputError(Problem.make("", None, None, "segments.no_paid_orders",
                                      date=analysis_date.isoformat()))
    progress.check_cancelled()
    scores, cuts = rfm_scores(features, bins, custom_cuts)
    for axis_cuts in cuts.values():
        notes.extend(axis_cuts.notes)
    customers = features.join(scores)
    used = _fitting_map(map_id, len(customers), notes)
    clusters = None
    if used == "clusters" or with_clusters:
        clusters = cluster_customers(features, category_mix(book, features.index), k,
                                     sub(progress, 0.2, 0.95))
        customers["cluster"] = clusters.labels
    else:
        customers["cluster"] = ""
    thresholds = {axis: c.as_json() for axis, c in cuts.items()}
    if used == "clusters":
        customers["segment"] = clusters.labels
        labels = clusters.segment_labels
    elif used == "affinity":
        customers["segment"], labels = affinity_segments(book, features.index)
    elif used == "tags":
        from core.tags import tag_segments  # the tag tables are read only when asked for

        customers["segment"], labels = tag_segments(book, features.index, analysis_date)
    else:
        segment_map = load_map(used)
        if shares and segment_map.kind == "tiers":
            segment_map = with_shares(segment_map, shares)
        customers["segment"] = assign(segment_map, features, scores, {a: c.bins for a, c in cuts.items()},
                                      high_low, shares)
        present = set(customers["segment"].unique())
        labels = {s: segment_map.labels[s] for s in segment_map.order if s in present}
        thresholds.update(_map_thresholds(segment_map.kind, features, high_low, shares or segment_map.shares))
    progress.report(1.0, "progress.done")
    return Segmentation(analysis_date, used, map_id, currency or "", bins, customers, labels,
                        thresholds, notes, clusters, rates)


def _fitting_map(map_id: str, customers: int, notes: list) -> str:
    """A small shop gets a map with fewer segments (each map names its smaller one); never none."""
    if map_id not in MAP_IDS:
        return map_id
    used = map_id
    while load_map(used).smaller and customers < load_map(used).min_customers:
        used = load_map(used).smaller
    if used != map_id:
        notes.append(("segments.smaller_map", {"asked_map": map_id, "used_map": used, "customers": customers,
                                               "needed": load_map(map_id).min_customers}))
    return used


def note_message(note: tuple[str, dict], lang: str | None = None) -> str:
    """A note as text in `lang`; map ids in it become the map's name in that language."""
    message_id, params = note
    lang = lang or language()
    names = {key: load_map(params[key]).name_zh if lang.startswith("zh") else load_map(params[key]).name
             for key in ("asked_map", "used_map") if key in params}
    return t(message_id, lang=lang, **{**params, **names})


def _map_thresholds(kind: str, features: pd.DataFrame, high_low, shares) -> dict:
    if kind == "high_low":
        limits = high_low_limits(features, high_low)
        method = "custom" if high_low else "mean"
        return {f"{axis}_high_low": {"method": method, "limit": round(limit, 4)}
                for axis, limit in limits.items()}
    if kind == "tiers":
        ranked = features["monetary"].sort_values(ascending=False).to_numpy()
        bounds = np.cumsum(shares)[:-1]
        cuts = [float(ranked[min(len(ranked) - 1, int(np.ceil(b * len(ranked))) - 1)]) for b in bounds]
        return {"value_tiers": {"method": "rank_share", "shares": list(shares), "cuts": cuts}}
    return {}


__all__ = ["Segmentation", "segment", "SEGMENTERS", "AxisCuts", "note_message"]
