"""The one group a plan concentrates on when screening by segment has nothing to offer: a shop too
small to split, or one whose every segment was knocked out (resources/targeting/screening.toml,
[fallback]). The group is made a segment of its own small segmentation (the group and the other
customers), so its facts, persona and strategy come from the same code as any segment's."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from core.model import OrderBook
from core.segments import Segmentation
from core.segments.maps import SegmentLabel
from core.targeting import texts

MAP_ID = "small_shop"  # the strategies of the groups: resources/targeting/strategies/small_shop.toml
SOURCE = "resources/targeting/screening.toml"


@dataclass
class Fallback:
    """The group, why the plan falls back to it (in numbers), and its segmentation and facts."""

    group: str  # a group id of screening.toml [fallback] (repeat_buyers, top_spenders, all_customers)
    why: str  # "small" (too few customers to screen) or "knocked_out" (no segment passed)
    reason: tuple[str, str]  # (en, zh): "5 customers: too few to split into segments; concentrate on …"
    seg: Segmentation  # map_id "small_shop": the group and, unless it is everyone, the other customers
    facts: pd.DataFrame  # core.targeting.facts.segment_facts of `seg`
    crosssell: object = None  # core.crosssell.CrossSell of `seg`

    @property
    def label(self) -> SegmentLabel:
        return self.seg.labels[self.group]


def rules() -> dict:
    return texts.load("screening.toml")["fallback"]


def why(customers: int, targets: list[str]) -> str | None:
    """"small" below the size where screening means something, "knocked_out" when no segment
    is a target, else None (the plan keeps its screened targets)."""
    if customers < rules()["below_customers"]:
        return "small"
    return None if targets else "knocked_out"


def customer_facts(customers: pd.DataFrame) -> pd.DataFrame:
    """What a group's `select` may test, per customer: frequency, monetary, recency (as segmented)
    and value_rank, the customer's place by net sales as a share of all customers (best = 1/n)."""
    out = customers[["frequency", "monetary", "recency"]].astype(float)
    out["value_rank"] = out["monetary"].rank(ascending=False, method="min") / max(len(out), 1)
    return out


def choose_group(customers: pd.DataFrame) -> tuple[dict, pd.Index]:
    """The first group of screening.toml with at least `min_customers` customers, and its
    customer keys; the last group (no `select`) holds everyone."""
    groups = rules()["groups"]
    facts = customer_facts(customers)
    rows = facts.to_dict("index")
    for group in groups:
        if "select" not in group:
            return group, customers.index
        condition = texts.parse_condition(group["select"], SOURCE)
        members = pd.Index([key for key, row in rows.items() if condition(row)], name=customers.index.name)
        if len(members) >= group.get("min_customers", 1):
            return group, members
    raise ValueError(f"{SOURCE}: the last [[fallback.groups]] must have no `select`")


def _label(spec: dict) -> SegmentLabel:
    return SegmentLabel(spec["id"], spec["name"], spec["name_zh"], spec["description"], spec["description_zh"])


def group_segmentation(seg: Segmentation, group: dict, members: pd.Index) -> Segmentation:
    """`seg` with its customers in two segments: the group and the others (one when it is everyone)."""
    rest = rules()["rest"]
    customers = seg.customers.copy()
    inside = customers.index.isin(members)
    customers["segment"] = [group["id"] if x else rest["id"] for x in inside]
    labels = {group["id"]: _label(group)}
    if not inside.all():
        labels[rest["id"]] = _label(rest)
    return dataclasses.replace(seg, map_id=MAP_ID, customers=customers, labels=labels, clusters=None)


def reason(kind: str, group: dict, row: dict, shop: dict) -> tuple[str, str]:
    """Why the plan concentrates on the group, in numbers, in English and Chinese."""
    spec = rules()
    values = {**row, **shop}
    out = []
    for lang in ("en", "zh_CN"):
        first = texts.fill(spec[texts.text_key(kind, lang)], values, lang) or ""
        focus = texts.fill(group[texts.text_key("focus", lang)], values, lang) or ""
        out.append(("；" if texts.is_zh(lang) else "; ").join(x for x in (first, focus) if x))
    return out[0], out[1]


def fallback(seg: Segmentation, book: OrderBook, kind: str, with_crosssell: bool = True) -> Fallback:
    """The group the plan concentrates on, with its facts, for `kind` ("small" or "knocked_out")."""
    from core.targeting.facts import segment_facts

    group, members = choose_group(seg.customers)
    group_seg = group_segmentation(seg, group, members)
    facts = segment_facts(group_seg, book)
    row = texts.fact_rows(facts)[group["id"]]
    shop = {"shop_customers": len(seg.customers), "segments": len(seg.order), "currency": seg.currency}
    offers = None
    if with_crosssell:
        from core.crosssell import crosssell

        offers = crosssell(book, group_seg, [group["id"]])
    return Fallback(group["id"], kind, reason(kind, group, row, shop), group_seg, facts, offers)


__all__ = ["Fallback", "MAP_ID", "fallback", "why", "choose_group", "customer_facts"]
