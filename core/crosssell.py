"""Cross-sell per segment: co-purchase rules (support, confidence, lift) over a sparse customer × item matrix."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from scipy import sparse

from core.i18n import catalog_lang, format_text, t
from core.model import OrderBook, among
from core.resources import RESOURCES
from core.segments import Segmentation
from core.segments.products import segment_lines

SETTINGS = RESOURCES / "targeting" / "crosssell.toml"
LEVELS = ("product", "category")


@cache
def settings() -> dict:
    """Thresholds and texts of resources/targeting/crosssell.toml."""
    with SETTINGS.open("rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class Rule:
    """Customers of a segment who bought `antecedent` also bought `consequent`."""

    antecedent: str
    consequent: str
    customers_with_antecedent: int
    customers_with_consequent: int
    customers_with_both: int
    support: float  # both / the segment's customers with items
    confidence: float  # both / with antecedent
    lift: float  # confidence / (with consequent / the segment's customers with items)
    audience: int  # with antecedent, without consequent: the customers to offer it to

    def as_json(self) -> dict:
        return {"antecedent": self.antecedent, "consequent": self.consequent,
                "support": round(self.support, 4), "confidence": round(self.confidence, 4),
                "lift": round(self.lift, 4), "customers_with_antecedent": self.customers_with_antecedent,
                "customers_with_consequent": self.customers_with_consequent,
                "customers_with_both": self.customers_with_both, "audience": self.audience}


@dataclass(frozen=True)
class Favourite:
    """An item the segment's best customers buy far more often than its other customers."""

    item: str
    best_share: float  # share of the best customers who bought it
    others_share: float  # share of the other customers who bought it
    audience: int  # other customers who have not bought it

    def as_json(self) -> dict:
        return {"item": self.item, "best_share": round(self.best_share, 4),
                "others_share": round(self.others_share, 4), "audience": self.audience}


@dataclass
class SegmentCrossSell:
    """Rules and favourites of one segment, the item level used, and notes when data is thin."""

    segment: str
    customers: int  # in the segment
    customers_with_items: int  # of them, with order lines at this level: the base of support and lift
    multi_item_customers: int  # of them, with two or more different items
    level: str | None  # "product", "category", or None when there was not enough to look at
    rules: list[Rule] = field(default_factory=list)
    favourites: list[Favourite] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)
    matrix: sparse.csr_matrix | None = field(default=None, repr=False)  # customers × items, 0/1
    keys: pd.Index | None = field(default=None, repr=False)  # the matrix rows' customer keys
    items: pd.Index | None = field(default=None, repr=False)  # the matrix columns' item names
    best: np.ndarray | None = field(default=None, repr=False)  # True for the best customers' rows

    def audience(self, rule: Rule | Favourite) -> pd.Index:
        """Customer keys to offer the rule's consequent (or the favourite item) to: those who have
        the antecedent but not the consequent (or, for a favourite, the non-best who lack it)."""
        if self.matrix is None:
            return pd.Index([], name="customer_key", dtype="str")
        column = {item: i for i, item in enumerate(self.items)}
        if isinstance(rule, Rule):
            has = self.matrix[:, column[rule.antecedent]].toarray().ravel() > 0
            lacks = self.matrix[:, column[rule.consequent]].toarray().ravel() == 0
            return self.keys[has & lacks]
        lacks = self.matrix[:, column[rule.item]].toarray().ravel() == 0
        return self.keys[lacks & ~self.best]


@dataclass
class CrossSell:
    """Cross-sell of every segment asked for, in display order."""

    seg: Segmentation
    segments: dict[str, SegmentCrossSell]

    def recommendations(self, segment_id: str, lang: str = "en", limit: int | None = None) -> list[str]:
        """The segment's rules and favourites as concrete offers, best first, in `lang`."""
        result = self.segments.get(segment_id)
        if result is None:
            return []
        name = _segment_name(self.seg, segment_id, lang)
        out = [rule_text(rule, name, lang) for rule in result.rules]
        out += [favourite_text(f, name, lang) for f in result.favourites]
        return out[:limit] if limit else out

    def as_json(self, lang: str = "en") -> dict:
        """The `crosssell --json` contract."""
        return {
            "analysis_date": self.seg.analysis_date.isoformat(), "map": self.seg.map_id,
            "currency": self.seg.currency,
            "segments": [{
                "segment": sid, "name": self.seg.labels[sid].name, "name_zh": self.seg.labels[sid].name_zh,
                "customers": r.customers, "customers_with_items": r.customers_with_items,
                "multi_item_customers": r.multi_item_customers, "level": r.level,
                "rules": [rule.as_json() for rule in r.rules],
                "favourites": [f.as_json() for f in r.favourites],
                "recommendations": self.recommendations(sid, lang),
                "notes": [t(message_id, lang=catalog_lang(lang), **params) for message_id, params in r.notes],
            } for sid, r in self.segments.items()],
        }


def _segment_name(seg: Segmentation, segment_id: str, lang: str) -> str:
    label = seg.labels.get(segment_id)
    return segment_id if label is None else label.text(lang)[0]


def _number(value: float) -> str:
    return f"{value:.1f}"


def _percent(value: float, lang: str) -> str:
    from core.targeting.texts import percent

    return percent(value, lang)


def rule_text(rule: Rule, segment_name: str, lang: str = "en") -> str:
    """“Offer B to the 230 Loyal customers who bought A but not B yet (lift 3.1, …)”."""
    texts = settings()["texts"]
    template = texts["rule_zh" if catalog_lang(lang) == "zh_CN" else "rule"]
    return format_text(template, dict(antecedent=rule.antecedent, consequent=rule.consequent, segment=segment_name,
                                      audience=f"{rule.audience:,}", lift=_number(rule.lift),
                                      confidence=_percent(rule.confidence, lang)))


def favourite_text(favourite: Favourite, segment_name: str, lang: str = "en") -> str:
    texts = settings()["texts"]
    template = texts["favourite_zh" if catalog_lang(lang) == "zh_CN" else "favourite"]
    return format_text(template, dict(item=favourite.item, segment=segment_name, audience=f"{favourite.audience:,}",
                                      best_share=_percent(favourite.best_share, lang),
                                      others_share=_percent(favourite.others_share, lang)))


# --- items ----------------------------------------------------------------------------------------

_VARIANT = re.compile(r"^(?P<base>.+?)\s+-\s+(?P<variant>[^-]+)$")


def product_names(names: pd.Series) -> pd.Series:
    """Product names without their variant: Shopify writes "Canvas Tote Bag - Black"; the part
    after the last " - " is taken as a variant when the shop sells that base name in two or more
    variants or on its own."""
    # Worked out once per distinct name (a million lines hold a few thousand), then spread back.
    codes, distinct = pd.factorize(names)
    distinct = pd.Series(distinct, dtype=names.dtype)
    parts = distinct.str.extract(_VARIANT)
    base = parts["base"]
    variants = parts.dropna(subset=["base"]).groupby("base")["variant"].nunique()
    alone = set(distinct)
    family = set(variants.index[variants >= 2]) | (set(variants.index) & alone)
    named = base.where(base.isin(family), distinct)
    out = named.reindex(codes)  # -1, a line without a name, is not in the index: empty
    out.index = names.index
    return out


def _matrix(lines: pd.DataFrame, column: str) -> tuple[sparse.csr_matrix, pd.Index, pd.Index]:
    """0/1 customer × item matrix of who bought what (any number of times)."""
    lines = lines.dropna(subset=[column])
    rows, keys = pd.factorize(lines["customer_key"], sort=True)
    cols, items = pd.factorize(lines[column], sort=True)
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(keys), len(items)))
    matrix.data[:] = 1  # bought several times is bought
    return matrix, pd.Index(keys, name="customer_key", dtype="str"), pd.Index(items, dtype="str")


def pair_rules(matrix: sparse.csr_matrix, items: pd.Index, limits: dict) -> list[Rule]:
    """Every rule A → B over `matrix` passing the limits, best first: item pairs counted at once by
    the co-occurrence matrix XᵀX (diagonal: buyers of each item)."""
    n = matrix.shape[0]
    if n == 0 or matrix.shape[1] < 2:
        return []
    buyers = np.asarray(matrix.sum(axis=0)).ravel()
    both = (matrix.T @ matrix).tocoo()
    a, b, count = both.row, both.col, both.data
    keep = (a != b) & (count >= limits["min_pair_customers"])
    a, b, count = a[keep], b[keep], count[keep].astype(float)
    support = count / n
    confidence = count / buyers[a]
    lift = confidence / (buyers[b] / n)
    audience = buyers[a] - count
    keep = ((support >= limits["min_support"]) & (confidence >= limits["min_confidence"])
            & (lift >= limits["min_lift"]) & (audience >= limits["min_audience"]))
    a, b, count, support, confidence, lift, audience = (x[keep] for x in (a, b, count, support, confidence, lift, audience))
    # Best first: most expected takers (audience × confidence), then lift, then names (stable output).
    order = np.lexsort((items[b], items[a], -lift, -(audience * confidence)))[:limits["max_rules"]]
    return [Rule(str(items[a[i]]), str(items[b[i]]), int(buyers[a[i]]), int(buyers[b[i]]), int(count[i]),
                 float(support[i]), float(confidence[i]), float(lift[i]), int(audience[i])) for i in order]


def favourites(matrix: sparse.csr_matrix, items: pd.Index, best: np.ndarray, limits: dict) -> list[Favourite]:
    """Items the best customers bought far more often than the rest of the segment."""
    if best.sum() < limits["min_best_customers"] or (~best).sum() == 0:
        return []
    top = np.asarray(matrix[best].sum(axis=0)).ravel() / best.sum()
    rest_count = np.asarray(matrix[~best].sum(axis=0)).ravel()
    rest = rest_count / (~best).sum()
    keep = (top >= limits["min_best_share"]) & (top >= limits["min_ratio"] * rest)
    chosen = np.flatnonzero(keep)
    chosen = chosen[np.lexsort((items[chosen], -(top[chosen] - rest[chosen])))][:limits["max_items"]]
    return [Favourite(str(items[i]), float(top[i]), float(rest[i]), int((~best).sum() - rest_count[i]))
            for i in chosen]


# --- per segment ----------------------------------------------------------------------------------

def crosssell(book: OrderBook, seg: Segmentation, segments: list[str] | None = None,
              limits: dict | None = None) -> CrossSell:
    """Co-purchase rules and best customers' favourites for each segment (ids; None: all), over the
    lines the segmentation counted (paid, before the analysis date, in its currency).

    Products are the items (variants merged); a segment where no product pair passes the limits
    is tried with categories, when the lines have them. A segment with too few customers who bought
    two or more different items gets no rules and a note saying so."""
    limits = {**settings()["thresholds"], **(limits or {})}
    best_limits = {**settings()["best"], **(limits or {})}
    lines = segment_lines(seg, book)[["segment", "customer_key", "category", "product_name", "sku"]]
    lines = lines.assign(product=product_names(lines["product_name"].fillna(lines["sku"])))
    wanted = seg.order if segments is None else [s for s in seg.order if s in set(segments)]
    monetary = seg.customers["monetary"]
    out = {}
    for sid in wanted:
        members = seg.customers.index[seg.customers["segment"] == sid]
        out[sid] = _segment(sid, lines[lines["segment"] == sid], members, monetary, limits, best_limits)
    return CrossSell(seg, out)


def _segment(sid, lines, members, monetary, limits, best_limits) -> SegmentCrossSell:
    result = None
    cut = max(1, int(np.ceil(len(members) * best_limits["share"])))
    best_keys = monetary.reindex(members).sort_values(ascending=False, kind="stable").index[:cut]
    for level, column in (("product", "product"), ("category", "category")):
        if lines[column].notna().sum() == 0:
            continue
        matrix, keys, items = _matrix(lines, column)
        if level == "product":  # rarely bought products cannot show a pattern: leave them out
            buyers = np.asarray(matrix.sum(axis=0)).ravel()
            enough = buyers >= limits["min_item_customers"]
            matrix, items = matrix[:, enough], items[enough]
        multi = int((np.asarray(matrix.sum(axis=1)).ravel() >= 2).sum())
        rules = pair_rules(matrix, items, limits) if multi >= limits["min_multi_item_customers"] else []
        best = among(keys, best_keys)
        current = SegmentCrossSell(sid, len(members), matrix.shape[0], multi, level, rules,
                                   favourites(matrix, items, best, best_limits), [], matrix, keys, items, best)
        if result is None or (not result.rules and rules):
            result = current
        if rules:
            break
    if result is None:
        return SegmentCrossSell(sid, len(members), 0, 0, None, notes=[("crosssell.no_items", {})])
    if result.multi_item_customers < limits["min_multi_item_customers"]:
        result.notes.append(("crosssell.too_few_multi", {"count": result.multi_item_customers,
                                                         "needed": limits["min_multi_item_customers"]}))
    elif not result.rules:
        result.notes.append(("crosssell.no_pairs", {"lift": _number(limits["min_lift"]),
                                                    "customers": limits["min_pair_customers"]}))
    return result


__all__ = ["crosssell", "CrossSell", "SegmentCrossSell", "Rule", "Favourite", "pair_rules", "favourites",
           "product_names", "rule_text", "favourite_text", "settings"]
