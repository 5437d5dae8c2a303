"""Target-market pattern (one of five) and marketing approach (one of three), chosen by data rules."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.model import OrderBook, first_present
from core.segments import Segmentation
from core.segments.products import paid_lines, segment_lines
from core.targeting import texts
from core.targeting.screening import core_items, rules as screening_rules

MIN_CELL_SHARE = 0.05  # a segment "buys" a category when it makes at least this of its spend
BREADTH_SHARE = 0.10


@dataclass
class Choice:
    """The recommended option, why (the conditions that held, with numbers), and the alternatives."""

    id: str
    name: tuple[str, str]  # (en, zh)
    description: tuple[str, str]
    score: float
    reasons: list[tuple[str, str]]  # conditions that held
    alternatives: list[dict]  # the others, best first: id, name, score, reasons (for it), missing (against it)


def category_matrix(seg: Segmentation, book: OrderBook, segments: list[str]) -> pd.DataFrame:
    """Net sales (line totals) per segment (rows) and category (columns), for the given segments;
    the category is the product's category, else the product itself."""
    sums = book.memo_of(seg, "item_sums", lambda b: segment_lines(seg, b).groupby(
        ["segment", "item"])["line_total"].sum())  # every segment's, once; then the ones asked for
    chosen = sums[sums.index.get_level_values("segment").isin(segments)]
    return chosen.unstack(fill_value=0.0).reindex(segments).fillna(0.0)


def signals(seg: Segmentation, book: OrderBook, facts: pd.DataFrame, targets: list[str]) -> dict:
    """The numbers the pattern and approach rules look at (documented in patterns.toml)."""
    everyone = category_matrix(seg, book, seg.order)
    core = core_items(everyone.sum(), screening_rules()["core"]["share"])
    matrix = category_matrix(seg, book, targets)
    totals = matrix.sum(axis=1)
    shares = matrix.div(totals.where(totals > 0, 1.0), axis=0)
    by_category = matrix.sum().sort_values(ascending=False)
    top_category = str(by_category.index[0]) if len(by_category) and by_category.sum() else None
    leads = shares.idxmax(axis=1) if len(shares.columns) else pd.Series(dtype=str)
    top_segment = totals.idxmax() if len(totals) else None
    orders = book.orders.loc[(book.orders["status"] == "paid") & (book.orders["currency"] == seg.currency),
                             ["placed_at"]]
    months = max(1.0, (orders["placed_at"].max() - orders["placed_at"].min()).days / 30.44) if len(orders) else 1.0
    lines = paid_lines(book)
    lines = lines.loc[lines["currency"] == seg.currency, ["sku", "product_name", "line_total"]]
    product = first_present(lines["sku"], lines["product_name"])
    best = lines.groupby(product)["line_total"].sum().sort_values(ascending=False)
    target_facts = facts.loc[targets]
    return {
        "targets": len(targets),
        "categories": len(core),
        "top_category": top_category,
        "top_category_share": float(by_category.iloc[0] / by_category.sum()) if by_category.sum() else 0.0,
        "top_category_lead_in": float((leads == top_category).mean()) if len(leads) else 0.0,
        "lead_count": int((leads == top_category).sum()),
        "top_segment": top_segment,
        "top_segment_share": float(totals.max() / totals.sum()) if totals.sum() else 0.0,
        "top_segment_breadth": int((shares.loc[top_segment] >= BREADTH_SHARE).sum()) if top_segment else 0,
        "distinct_leads": int(leads.nunique()),
        "lead_strength": float(shares.max(axis=1).mean()) if len(shares.columns) else 0.0,
        "coverage": float((shares.reindex(columns=core, fill_value=0.0) >= MIN_CELL_SHARE).to_numpy().mean())
        if len(core) and len(shares) else 0.0,
        "distinctness": distinctness(target_facts, shares),
        "standardised": float(best.iloc[:10].sum() / best.sum()) if best.sum() else 0.0,
        "orders_per_month": int(round(len(orders) / months)),
        "skus": int(product.nunique()),
        "customers": len(seg.customers),
        "min_aov": float(target_facts["aov"].min()),
        "max_aov": float(target_facts["aov"].max()),
        "currency": seg.currency,
    }


def distinctness(target_facts: pd.DataFrame, category_shares: pd.DataFrame) -> float:
    """0–1, how differently the targets behave: the spread (coefficient of variation, capped at 1)
    of their AOV, purchase frequency and recency, and how unlike their category mixes are."""
    if len(target_facts) < 2:
        return 0.0
    parts = []
    for column in ("aov", "median_frequency", "median_recency"):
        values = target_facts[column].astype(float)
        mean = values.mean()
        parts.append(min(1.0, float(values.std(ddof=0) / mean)) if mean else 0.0)
    mix = category_shares.to_numpy()
    norms = np.linalg.norm(mix, axis=1, keepdims=True)
    unit = mix / np.where(norms > 0, norms, 1.0)
    similarity = unit @ unit.T
    pairs = similarity[np.triu_indices(len(unit), k=1)]
    parts.append(float(1 - pairs.mean()) if len(pairs) else 0.0)
    return round(float(np.mean(parts)), 2)


def _said(condition: dict, key: str, names: dict) -> tuple[str, str] | None:
    """A condition's `reason` or `against` in (English, Chinese); None when the data file has none
    or a number it names is missing (never a half-filled template)."""
    if key not in condition:
        return None
    said = tuple(texts.fill(condition[k], names[lang], lang) for k, lang in ((key, "en"), (f"{key}_zh", "zh_CN")))
    return said if all(said) else None


def choose(options: list[dict], facts: dict, source: str) -> Choice:
    """Score every option by the weight of its conditions that hold; the best wins. Each condition
    that speaks says what is true: its `reason` when it holds (for the option), its `against` when
    it fails. A condition of weight 0 only speaks when it changes the outcome: a note (not
    required) is a reason when it holds, a gate (required) is a reason against when it fails. An
    option a required condition rules out gives only that. In Chinese a fact `x_zh` stands for `x`
    (names and sentences the signals carry in both languages)."""
    zh = {key[:-3]: value for key, value in facts.items() if key.endswith("_zh")}
    names = {"en": facts, "zh_CN": {**facts, **zh}}
    scored = []
    for position, option in enumerate(options):
        held, missing, got, total = [], [], 0.0, 0.0
        conditions = [(c, texts.holds(c["when"], facts, source)) for c in option["conditions"]]
        blocked = any(c.get("required") and not holds for c, holds in conditions)
        for condition, holds in conditions:
            total += condition["weight"]
            got += condition["weight"] if holds else 0.0
            if condition["weight"] == 0 and holds == bool(condition.get("required")):
                continue  # an open gate, or a note that does not apply
            if blocked and (holds or not condition.get("required")):
                continue  # ruled out: only why
            said = _said(condition, "reason" if holds else "against", names)
            if said:
                (held if holds else missing).append(said)
        score = 0.0 if blocked or not total else round(got / total, 2)
        scored.append((score, -position, option, held, missing))
    scored.sort(key=lambda s: s[:2], reverse=True)
    best = scored[0]
    option = best[2]
    return Choice(option["id"], (option["name"], option["name_zh"]),
                  (option["description"], option["description_zh"]), best[0], best[3],
                  [{"id": o["id"], "name": o["name"], "name_zh": o["name_zh"], "score": score,
                    "reasons": held, "missing": missing} for score, _, o, held, missing in scored[1:]])


def recommend(signal_values: dict) -> tuple[Choice, Choice]:
    """The target-market pattern and the marketing approach for these signals."""
    data = texts.load("patterns.toml")
    return (choose(data["patterns"], signal_values, "patterns.toml"),
            choose(data["approaches"], signal_values, "patterns.toml"))
