"""Step 4, screening: an attractiveness scorecard per segment, knock-out rules, and the targets."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.model import OrderBook, mapped
from core.segments import Segmentation, breakdown
from core.segments.products import segment_lines
from core.targeting import texts

NEUTRAL = 50.0  # a missing value (no margin given, no previous period) scores as the average


@dataclass
class Scorecard:
    """Per segment: metric values, criterion scores 0–100, weighted total, knock-outs, targets."""

    table: pd.DataFrame  # index segment id; metrics, score_<criterion>, total, rank, eliminated, target
    reasons: dict[str, list[tuple[str, str]]]  # segment id -> knock-out reasons (en, zh)
    weights: dict[str, float]


def rules() -> dict:
    return texts.load("screening.toml")


def core_items(shares: pd.Series, share: float) -> list[str]:
    """The largest items that together make up `share` of the total (at least one)."""
    ordered = shares.sort_values(ascending=False)
    cumulative = ordered.cumsum() / ordered.sum()
    return list(ordered.index[: int((cumulative < share).sum()) + 1])


def core_shares(seg: Segmentation, book: OrderBook, focus_categories=None, focus_markets=None
                ) -> pd.DataFrame:
    """Per segment: the share of its spend in the shop's core categories and core markets."""
    share = rules()["core"]["share"]
    out = pd.DataFrame(index=pd.Index(seg.order, name="segment"))
    for by, column, focus in (("item", "core_category_share", focus_categories),
                              ("country", "core_market_share", focus_markets)):
        table = breakdown(seg, book, by).reset_index()
        core = list(focus) if focus else core_items(table.groupby(by)["net_sales"].sum(), share)
        inside = table[table[by].isin(core)].groupby("segment")["net_sales"].sum()
        out[column] = (inside / table.groupby("segment")["net_sales"].sum()).reindex(out.index).fillna(0.0)
    return out


def metric_scores(values: pd.Series, higher: bool, scale: str, weights: pd.Series) -> pd.Series:
    """0–100 per segment for one metric, on the scale named in screening.toml (50 = as good as
    the shop's average customer); missing values score 50."""
    values = values.astype(float)
    if scale == "fair_share":
        score = 50 * values * len(values)
    elif scale == "share":
        score = 100 * (values if higher else 1 - values)
    elif scale == "change":
        score = 50 + 50 * values
    elif scale == "vs_shop":
        present = values.notna() & weights.notna()
        shop = float(np.average(values[present], weights=weights[present])) if present.any() else np.nan
        ratio = values / shop if higher else shop / values.where(values > 0, np.nan)
        score = 50 * ratio if shop and shop == shop else pd.Series(np.nan, index=values.index)
    else:
        raise ValueError(f"screening.toml: unknown scale {scale!r}")
    return score.clip(0, 100).fillna(NEUTRAL).round(1)


def margin_per_customer(seg: Segmentation, book: OrderBook, margin) -> pd.Series | None:
    """Gross margin per customer of each segment: net sales × the seller's overall margin (a
    number 0–1), or, with a margin per category ({category: 0–1}), each category's line totals ×
    its margin (categories without one count at the mean of the given margins)."""
    if margin is None:
        return None
    customers = seg.customers.groupby("segment").size()
    if not isinstance(margin, dict):
        return seg.customers.groupby("segment")["monetary"].sum() * float(margin) / customers
    lines = segment_lines(seg, book)
    rate = mapped(lines["item"], margin).fillna(float(np.mean(list(margin.values()))))
    return (lines["line_total"] * rate).groupby(lines["segment"]).sum() / customers


def knockout_rules(overrides: dict | None = None) -> list[dict]:
    """The knock-out rules of screening.toml with the seller's limits: `overrides` maps a rule
    id to {limit: value} (partial is fine) or to False to switch the rule off. Each rule's `when`
    comes back with its limits filled in, ready to evaluate."""
    rules_out = []
    for rule in rules()["knockouts"]:
        change = (overrides or {}).get(rule["id"], {})
        if change is False:
            continue
        unknown = set(change or {}) - set(rule.get("limits", {}))
        if unknown:
            raise ValueError(f"knock-out rule {rule['id']!r} has no limit {sorted(unknown)}; "
                             f"its limits are {sorted(rule.get('limits', {}))}")
        limits = {**rule.get("limits", {}), **(change or {})}
        rules_out.append({**rule, "limits": limits, "when": rule["when"].format(**limits)})
    return rules_out


def scorecard(facts: pd.DataFrame, extra: pd.DataFrame, weights: dict[str, float] | None = None,
              knockouts: dict | None = None) -> Scorecard:
    """Score every segment on the criteria of screening.toml and apply its knock-out rules
    (with the limits in `knockouts`, see `knockout_rules`).

    `extra` holds per segment core_category_share, core_market_share and, when the seller gave a
    margin, margin_per_customer (see `margin_per_customer`).
    """
    spec = rules()
    table = facts.join(extra)
    table["sales_per_customer"] = (table["net_sales"] / table["customers"]).round(2)
    if "margin_per_customer" not in table:
        table["margin_per_customer"] = np.nan
    table["net_sales_decline"] = -table["net_sales_change"]
    weights = {name: float((weights or {}).get(name, c["weight"])) for name, c in spec["criteria"].items()}
    for name, criterion in spec["criteria"].items():
        parts = [metric_scores(table[metric], direction == "higher", scale, table["customers"])
                 for metric, direction, scale in criterion["metrics"]]
        table[f"score_{name}"] = pd.concat(parts, axis=1).mean(axis=1).round(1)
    total_weight = sum(weights.values()) or 1.0
    table["total"] = sum(table[f"score_{n}"] * w for n, w in weights.items()).div(total_weight).round(1)
    reasons: dict[str, list[tuple[str, str]]] = {}
    rows = texts.fact_rows(table)
    for segment_id, row in rows.items():
        for rule in knockout_rules(knockouts):
            if texts.holds(rule["when"], row, "screening.toml"):
                reasons.setdefault(segment_id, []).append(
                    (texts.fill(rule["reason"], row, "en") or rule["id"],
                     texts.fill(rule["reason_zh"], row, "zh_CN") or rule["id"]))
    table["eliminated"] = [sid in reasons for sid in table.index]
    table["rank"] = table["total"].rank(method="first", ascending=False).astype(int)
    limits = spec["targets"]
    passing = table[~table["eliminated"] & (table["total"] >= limits["min_total"])]
    chosen = passing.sort_values("total", ascending=False, kind="stable").index[: limits["max_targets"]]
    if len(chosen) == 0:  # never leave the seller without a target: take the best that passes
        survivors = table[~table["eliminated"]].sort_values("total", ascending=False, kind="stable")
        chosen = survivors.index[:1]
    table["target"] = table.index.isin(chosen)
    return Scorecard(table, reasons, weights)
