"""The targeting plan: the five steps from market scope to the chosen targets, the pattern, the
approach, personas and strategies, all from one OrderBook."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from core.countries import country_name
from core.jobs import NULL_PROGRESS, Progress, alongside, sub
from core.model import OrderBook, arguments_key, first_present
from core.segments import Segmentation, breakdown, demographics, segment
from core.segments.products import paid_lines
from core.targeting import texts
from core.targeting.facts import price_bands, segment_facts
from core.targeting.fallback import Fallback, fallback, why
from core.targeting.pattern import Choice, category_matrix, recommend, signals
from core.targeting.screening import (Scorecard, core_items, core_shares, margin_per_customer,
                                      scorecard)
from core.targeting.screening import rules as screening_rules


@dataclass
class Plan:
    """Everything the Targeting, Personas and Strategy pages and the printed summary show."""

    seg: Segmentation
    facts: pd.DataFrame
    scope: dict
    scorecard: Scorecard
    targets: list[str]
    in_depth: pd.DataFrame
    matrix: pd.DataFrame  # net sales per target segment × category
    signals: dict
    pattern: Choice
    approach: Choice
    focus: dict
    demographics: dict  # segment -> {gender, age_band} where the exports state them
    crosssell: object = None  # core.crosssell.CrossSell: co-purchase offers per segment
    fallback: Fallback | None = None  # the one group targeted when screening had nothing to offer
    conversion: object = None  # core.currency.Conversion: the rates the book was converted with
    # Without rates, the shop's other currencies, each planned as its own shop (with_other_shops).
    others: list = field(default_factory=list)

    # The targets' segmentation and facts: the map's, or the fallback group's (its own small
    # segmentation of the group and the other customers). in_depth and matrix are of these.
    @property
    def target_seg(self) -> Segmentation:
        return self.fallback.seg if self.fallback else self.seg

    @property
    def target_facts(self) -> pd.DataFrame:
        return self.fallback.facts if self.fallback else self.facts

    def label(self, segment_id: str):
        """The SegmentLabel of a segment of the map or of the fallback group (None if neither)."""
        return self.seg.labels.get(segment_id) or self.target_seg.labels.get(segment_id)

    def personas(self, lang: str = "en") -> dict:
        """Target id -> Persona, in target order, with their cross-sell offers."""
        from core.targeting.personas import personas

        crosssell = self.fallback.crosssell if self.fallback else self.crosssell
        cards = personas(self.target_seg, self.target_facts, lang, crosssell)
        return {sid: cards[sid] for sid in self.targets if sid in cards}

    def strategies(self, lang: str = "en") -> dict:
        """Segment id -> Strategy for every segment of the map, the fallback group first."""
        from core.targeting.strategies import strategies

        out = {}
        if self.fallback:
            group = strategies(self.fallback.seg, self.fallback.facts, lang, self.fallback.crosssell)
            out.update({sid: group[sid] for sid in self.targets})
        out.update(strategies(self.seg, self.facts, lang, self.crosssell))
        return out


def market_scope(book: OrderBook, seg: Segmentation, focus_categories=None, focus_markets=None) -> dict:
    """Step 1: what the shop sells, at which prices, where and on which platforms (in the
    segmented currency), with its core categories and markets (80 % of net sales) or the
    seller's own focus."""
    share = screening_rules()["core"]["share"]
    lines = paid_lines(book)
    lines = lines.loc[lines["currency"] == seg.currency, ["item", "line_total", "unit_price", "sku", "product_name"]]
    orders = book.orders.loc[(book.orders["status"] == "paid") & (book.orders["currency"] == seg.currency),
                             ["order_total", "refunded", "country", "placed_at", "platform"]]  # not every column
    net = orders["order_total"].fillna(0) - orders["refunded"].fillna(0)

    def shares(values: pd.Series, weights: pd.Series) -> pd.Series:
        totals = weights.groupby(first_present(values, "?")).sum().sort_values(ascending=False)
        return (totals / totals.sum()).round(4) if totals.sum() else totals

    categories = shares(lines["item"], lines["line_total"])
    countries = shares(orders["country"], net)
    low, high = price_bands(book, seg.currency)
    unit = lines["unit_price"].to_numpy()  # a code per line, not a word: budget 0, mid 1, premium 2
    level = pd.Categorical.from_codes(1 - (unit < low) + (unit > high), ["budget", "mid", "premium"])
    price = shares(pd.Series(level, index=lines.index), lines["line_total"])
    months = max(1.0, (orders["placed_at"].max() - orders["placed_at"].min()).days / 30.44) if len(orders) else 1.0
    return {
        "currency": seg.currency,
        "categories": [{"name": k, "share": float(v)} for k, v in categories.items()],
        "core_categories": list(focus_categories) if focus_categories else core_items(categories, share),
        "price_levels": {"budget_below": round(low, 2), "premium_above": round(high, 2),
                         "shares": {k: float(price.get(k, 0.0)) for k in ("budget", "mid", "premium")}},
        "countries": [{"code": k, "share": float(v)} for k, v in countries.items()],
        "core_markets": list(focus_markets) if focus_markets else core_items(countries[countries.index != "?"], share),
        "platforms": [{"name": k, "share": float(v)} for k, v in shares(orders["platform"], net).items()],
        "orders_per_month": int(round(len(orders) / months)),
        "products": int(first_present(lines["sku"], lines["product_name"]).nunique()),
        "customers": int(len(seg.customers)),
        "focus_given": bool(focus_categories or focus_markets),
    }


def in_depth(seg: Segmentation, book: OrderBook, facts: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    """Step 5 for each target: size, trend, response (repeat rate after the first order, discount
    use, refunds) and how concentrated their spend is (top 20 % of customers, top category)."""
    rows = facts.loc[targets, ["customers", "share_customers", "net_sales", "share_net_sales",
                               "net_sales_change", "customers_change", "repeat_rate", "discount_share",
                               "refund_rate", "top_item", "top_item_share"]].copy()
    spend = seg.customers.groupby("segment")["monetary"]
    rows["top20_spend_share"] = spend.apply(
        lambda m: float(m.nlargest(max(1, int(np.ceil(len(m) * 0.2)))).sum() / m.sum()) if m.sum() else 0.0
    ).reindex(targets).round(4)
    return rows


def make_plan(book: OrderBook, map_id: str = "rfm11", weights: dict | None = None,
              margin: float | dict | None = None, focus_categories=None, focus_markets=None,
              currency: str | None = None, knockouts: dict | None = None,
              progress: Progress = NULL_PROGRESS, **segment_options) -> Plan:
    """The five steps and the recommendations for the customers segmented by `map_id`. Built once
    per book, arguments and tag tables in force (OrderBook.memo_recent): callers must not change it."""
    from core.tags import tables_version

    key = arguments_key(map_id, weights, margin, focus_categories, focus_markets, currency, knockouts,
                        segment_options, tables_version())
    return book.memo_recent("plan", key, lambda b: _make_plan(
        b, map_id, weights, margin, focus_categories, focus_markets, currency, knockouts, progress,
        segment_options))


def _make_plan(book, map_id, weights, margin, focus_categories, focus_markets, currency, knockouts,
               progress, segment_options) -> Plan:
    seg = segment(book, map_id, currency=currency, progress=sub(progress, 0.0, 0.5), **segment_options)
    progress.check_cancelled()
    facts = segment_facts(seg, book, progress=sub(progress, 0.5, 0.7))
    progress.check_cancelled()
    progress.report(0.7, "progress.screening")
    from core.crosssell import crosssell

    with alongside(len(book.lines)) as start:
        offers = start(crosssell, book, seg)  # reads the segment's lines, built by the facts above
        return _screened_plan(book, seg, facts, weights, margin, focus_categories, focus_markets,
                              knockouts, progress, offers)


def _screened_plan(book, seg, facts, weights, margin, focus_categories, focus_markets, knockouts,
                   progress, offers) -> Plan:
    extra = core_shares(seg, book, focus_categories, focus_markets)
    margins = margin_per_customer(seg, book, margin)
    if margins is not None:
        extra["margin_per_customer"] = margins.reindex(extra.index).round(2)
    card = scorecard(facts, extra, weights, knockouts)
    targets = list(card.table.index[card.table["target"]])
    # Never an empty plan: too small to screen, or nothing passed, concentrates on one group.
    kind = why(len(seg.customers), targets)
    group = fallback(seg, book, kind) if kind else None
    target_seg, target_facts = (group.seg, group.facts) if group else (seg, facts)
    if group:
        card.table["target"] = False
        targets = [group.group]
    progress.check_cancelled()
    progress.report(0.8, "progress.pattern")
    values = signals(target_seg, book, target_facts, targets)
    top = values.get("top_segment")
    values["top_segment_id"] = top
    values["top_segment"] = target_seg.labels[top].name if top in target_seg.labels else None
    values["top_segment_zh"] = target_seg.labels[top].name_zh if top in target_seg.labels else None
    values["fallback"] = 1 if group else 0
    if group:
        values["fallback_reason"], values["fallback_reason_zh"] = group.reason
        values["fallback_customers"] = int(group.facts.loc[group.group, "customers"])
    pattern, approach = recommend(values)
    plan = Plan(seg, facts, market_scope(book, seg, focus_categories, focus_markets), card, targets,
                in_depth(target_seg, book, target_facts, targets), category_matrix(target_seg, book, targets),
                values, pattern, approach, {"categories": focus_categories, "markets": focus_markets},
                demographic_needs(seg, book), offers.result(), group, book.conversion)
    progress.report(1.0, "progress.done")
    return plan


def with_other_shops(plan: Plan, book: OrderBook, progress: Progress = NULL_PROGRESS) -> Plan:
    """`plan` with a plan of its own for each other currency its book's customers paid in (same
    map and weights), so a shop selling in several currencies without exchange rates is shown
    whole, one shop per currency, and none is left out. A converted book has one currency."""
    from core.currency import paid_currencies
    from core.errors import InputError

    others = [c for c in paid_currencies(book) if c != plan.seg.currency] if book.conversion is None else []
    plans = []
    for number, currency in enumerate(others):
        progress.check_cancelled()
        try:
            plans.append(make_plan(book, plan.seg.requested_map, weights=plan.scorecard.weights,
                                   currency=currency,
                                   progress=sub(progress, number / len(others), (number + 1) / len(others))))
        except InputError:  # only unidentified customers paid in it: nothing to plan
            continue
    return replace(plan, others=plans)


def needs(plan: Plan, lang: str = "en") -> list[dict]:
    """Step 2, per segment: where they are, what they buy, at which price level, when, how often."""
    out = []
    for segment_id, row in texts.fact_rows(plan.facts).items():
        need = {"segment": segment_id,
                **{key: texts.format_value(key, row, lang) for key in (
                    "top_country", "top_country_share", "top_region", "top_item", "top_item_share",
                    "price_level", "peak_month", "peak_weekday", "median_frequency", "top_platform")}}
        if need["top_country"] is not None:  # a table cell: the country's name, not a sentence's "the US"
            need["top_country"] = country_name(row["top_country"], lang)
        need.update(plan.demographics.get(segment_id, {}))
        out.append(need)
    return out


def demographic_needs(seg: Segmentation, book: OrderBook) -> dict[str, dict]:
    """Per segment, the most common gender and age band, only where the exports state them."""
    out: dict[str, dict] = {}
    for by in demographics(book):
        table = breakdown(seg, book, by).reset_index()
        table = table[table[by].astype(str) != "?"].sort_values("customers", ascending=False)
        for segment_id, rows in table.groupby("segment"):
            out.setdefault(segment_id, {})[by] = str(rows.iloc[0][by])
    return out




def _number(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else (
        round(float(value), 4) if isinstance(value, (float, np.floating)) else value)


def _choice_json(choice: Choice, lang: str) -> dict:
    zh = texts.is_zh(lang)
    return {"name": choice.id, "title": choice.name[zh], "description": choice.description[zh],
            "score": choice.score, "reasons": [r[zh] for r in choice.reasons],
            "alternatives": [{"name": a["id"], "title": a["name_zh" if zh else "name"], "score": a["score"],
                              "reasons": [r[zh] for r in a["reasons"]],
                              "missing": [r[zh] for r in a["missing"]]} for a in choice.alternatives]}


def fallback_json(plan: Plan, lang: str = "en") -> dict | None:
    """The group a plan concentrates on when screening had nothing to offer: id, names, why
    ("small" or "knocked_out"), the reason in numbers, its customers and net sales."""
    group = plan.fallback
    if group is None:
        return None
    row = group.facts.loc[group.group]
    return {"segment": group.group, "name": group.label.name, "name_zh": group.label.name_zh,
            "description": group.label.text(lang)[1], "why": group.why,
            "reason": group.reason[texts.is_zh(lang)], "customers": int(row["customers"]),
            "net_sales": _number(row["net_sales"]), "share_net_sales": _number(row["share_net_sales"])}


def plan_json(plan: Plan, lang: str = "en") -> dict:
    """The `plan --json` contract: scope, needs, segments, scorecard, in_depth, pattern, approach,
    personas, strategies (texts in `lang`); `fallback` names the group the plan concentrates on
    when the shop is too small to screen or every segment was knocked out (else null);
    `conversion` the rates every amount was converted into `currency` with (else null)."""
    zh = texts.is_zh(lang)
    table = plan.scorecard.table
    criteria = list(plan.scorecard.weights)
    labels = plan.seg.labels
    return {
        "analysis_date": plan.seg.analysis_date.isoformat(),
        "map": plan.seg.map_id,
        "currency": plan.seg.currency,
        "scope": plan.scope,
        "needs": needs(plan, lang),
        "segments": [{"id": sid, "name": labels[sid].name, "name_zh": labels[sid].name_zh,
                      "description": labels[sid].text(lang)[1],
                      "customers": int(plan.facts.loc[sid, "customers"]),
                      "net_sales": _number(plan.facts.loc[sid, "net_sales"])} for sid in plan.seg.order],
        "scorecard": [{"segment": sid, "name": labels[sid].text(lang)[0],
                       "scores": {c: _number(table.loc[sid, f"score_{c}"]) for c in criteria},
                       "total": _number(table.loc[sid, "total"]), "rank": int(table.loc[sid, "rank"]),
                       "eliminated": bool(table.loc[sid, "eliminated"]),
                       "reason": "; ".join(r[zh] for r in plan.scorecard.reasons.get(sid, [])) or None,
                       "target": bool(table.loc[sid, "target"])} for sid in plan.seg.order],
        "weights": plan.scorecard.weights,
        "targets": plan.targets,
        "in_depth": [{"segment": sid, **{k: _number(v) for k, v in row.items()}}
                     for sid, row in plan.in_depth.iterrows()],
        "matrix": {"segments": list(plan.matrix.index), "categories": [str(c) for c in plan.matrix.columns],
                   "net_sales": plan.matrix.round(2).to_numpy().tolist()},
        "pattern": _choice_json(plan.pattern, lang),
        "approach": _choice_json(plan.approach, lang),
        "personas": [{"segment": sid, "name": p.name, "portrait": p.portrait, "statements": p.statements,
                      "figures": {k: _number(v) for k, v in p.figures.items()},
                      "tags": [{"tag": tag, "name": name, "share": share} for tag, name, share in p.tags],
                      "cross_sell": p.cross_sell}
                     for sid, p in plan.personas(lang).items()],
        "strategies": [{"segment": sid, "goal": s.goal,
                        "actions": [{"mix": a.mix, "text": a.text} for a in s.actions]}
                       for sid, s in plan.strategies(lang).items()],
        "crosssell": plan.crosssell.as_json(lang)["segments"] if plan.crosssell is not None else [],
        "fallback": fallback_json(plan, lang),
        "conversion": plan.conversion.as_json() if plan.conversion is not None else None,
    }


__all__ = ["Plan", "make_plan", "with_other_shops", "market_scope", "in_depth", "needs", "plan_json", "fallback_json"]
