"""Cross-sell: support, confidence and lift checked against a brute-force count with Python sets,
a hand-made shop, clear notes for thin data, offers in the strategy, the command's JSON."""
import itertools
import json

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from core.crosssell import crosssell, pair_rules, product_names, settings
from core.model import OrderBook, empty_lines, empty_orders
from core.segments import segment
from core.segments.products import segment_lines
from tests.conftest import ROOT, run_cli

DEMO = sorted((ROOT / "resources" / "demo").glob("*.csv"))


@pytest.fixture(scope="module")
def demo_seg(demo_book):
    return segment(demo_book, "rfm11")


@pytest.fixture(scope="module")
def demo_cross(demo_book, demo_seg):
    return crosssell(demo_book, demo_seg)


def _brute_force(baskets: dict[str, set], limits: dict) -> dict[tuple[str, str], dict]:
    """Every rule A → B by counting customers' item sets one pair at a time."""
    n = len(baskets)
    buyers: dict[str, int] = {}
    for items in baskets.values():
        for item in items:
            buyers[item] = buyers.get(item, 0) + 1
    out = {}
    for a, b in itertools.permutations(sorted(buyers), 2):
        both = sum(1 for items in baskets.values() if a in items and b in items)
        if both < limits["min_pair_customers"]:
            continue
        support, confidence = both / n, both / buyers[a]
        lift = confidence / (buyers[b] / n)
        audience = buyers[a] - both
        if (support >= limits["min_support"] and confidence >= limits["min_confidence"]
                and lift >= limits["min_lift"] and audience >= limits["min_audience"]):
            out[(a, b)] = {"support": support, "confidence": confidence, "lift": lift, "both": both,
                           "with_a": buyers[a], "audience": audience}
    return out


@pytest.mark.parametrize("sid", ["champions", "loyal", "at_risk", "need_attention"])
def test_rules_match_a_brute_force_count_on_the_demo(demo_book, demo_seg, demo_cross, sid):
    result = demo_cross.segments[sid]
    assert result.level == "product" and result.rules
    lines = segment_lines(demo_seg, demo_book)
    lines = lines[lines["segment"] == sid]
    names = product_names(lines["product_name"].fillna(lines["sku"]))
    # Products bought by fewer customers than the limit are left out, as the module documents.
    pairs = pd.DataFrame({"customer": lines["customer_key"], "item": names}).dropna().drop_duplicates()
    counts = pairs.groupby("item")["customer"].nunique()
    kept = set(counts.index[counts >= settings()["thresholds"]["min_item_customers"]])
    baskets = {key: set() for key in pairs["customer"].unique()}
    for row in pairs.itertuples():
        if row.item in kept:
            baskets[row.customer].add(row.item)
    expected = _brute_force(baskets, settings()["thresholds"])
    assert len(baskets) == result.customers_with_items
    assert result.multi_item_customers == sum(1 for items in baskets.values() if len(items) >= 2)
    for rule in result.rules:
        want = expected[(rule.antecedent, rule.consequent)]
        assert rule.support == pytest.approx(want["support"])
        assert rule.confidence == pytest.approx(want["confidence"])
        assert rule.lift == pytest.approx(want["lift"])
        assert (rule.customers_with_both, rule.customers_with_antecedent, rule.audience) == (
            want["both"], want["with_a"], want["audience"])
    # the rules kept are the best of all that pass, by expected takers (audience × confidence)
    best = sorted(expected.values(), key=lambda r: -r["audience"] * r["confidence"])
    cut = best[min(len(best), settings()["thresholds"]["max_rules"]) - 1]["audience"] * \
        best[min(len(best), settings()["thresholds"]["max_rules"]) - 1]["confidence"]
    assert all(r.audience * r.confidence >= cut - 1e-9 for r in result.rules)
    assert len(result.rules) == min(len(expected), settings()["thresholds"]["max_rules"])


def test_audience_keys_are_the_customers_with_a_but_not_b(demo_book, demo_seg, demo_cross):
    result = demo_cross.segments["champions"]
    rule = result.rules[0]
    lines = segment_lines(demo_seg, demo_book)
    lines = lines[lines["segment"] == "champions"].assign(
        item=lambda f: product_names(f["product_name"].fillna(f["sku"])))
    has_a = set(lines.loc[lines["item"] == rule.antecedent, "customer_key"])
    has_b = set(lines.loc[lines["item"] == rule.consequent, "customer_key"])
    keys = result.audience(rule)
    assert set(keys) == has_a - has_b and len(keys) == rule.audience
    assert set(demo_seg.customers.loc[keys, "segment"]) == {"champions"}


def test_a_small_hand_made_case():
    # 10 customers: A and B go together (4 of 5 A buyers have B); C is bought by everyone else.
    baskets = {f"c{i}": items for i, items in enumerate(
        [{"A", "B"}, {"A", "B"}, {"A", "B"}, {"A", "B"}, {"A", "C"}, {"C"}, {"C"}, {"C"}, {"B", "C"}, {"C"}])}
    keys = sorted(baskets)
    items = pd.Index(["A", "B", "C"])
    rows, cols = zip(*[(keys.index(k), items.get_loc(i)) for k in keys for i in baskets[k]])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(10, 3))
    limits = {"min_pair_customers": 1, "min_support": 0.0, "min_confidence": 0.0, "min_lift": 1.0,
              "min_audience": 1, "max_rules": 10}
    rules = {(r.antecedent, r.consequent): r for r in pair_rules(matrix, items, limits)}
    ab = rules[("A", "B")]
    # by hand: both 4, A 5, B 5, n 10 → support .4, confidence .8, lift .8 / .5 = 1.6, audience 1
    assert (ab.customers_with_both, ab.customers_with_antecedent, ab.customers_with_consequent) == (4, 5, 5)
    assert ab.support == pytest.approx(0.4) and ab.confidence == pytest.approx(0.8)
    assert ab.lift == pytest.approx(1.6) and ab.audience == 1
    assert ("A", "C") not in rules  # confidence .2 against C's .6: lift below 1


def _book(orders, lines):
    base = {"platform": "Shopify", "status": "paid", "currency": "USD"}
    o = pd.DataFrame([{**base, **row} for row in orders])
    o["placed_at"] = pd.to_datetime(o["placed_at"], utc=True)
    o = pd.concat([empty_orders(), o], ignore_index=True)[empty_orders().columns]
    li = pd.concat([empty_lines(), pd.DataFrame([{"platform": "Shopify", "quantity": 1.0, **row} for row in lines])],
                   ignore_index=True)[empty_lines().columns]
    return OrderBook(orders=o, lines=li)


def test_thin_data_gets_a_note_not_invented_rules():
    orders = [{"order_id": str(i), "customer_key": f"c{i}@x.com", "order_total": 10.0 + i, "refunded": 0.0,
               "placed_at": "2025-01-02"} for i in range(12)]
    lines = [{"order_id": str(i), "product_name": "Mug", "unit_price": 10.0, "line_total": 10.0} for i in range(12)]
    book = _book(orders, lines)
    result = crosssell(book, segment(book, "value"))
    for r in result.segments.values():
        assert r.rules == [] and r.notes[0][0] == "crosssell.too_few_multi"
    text = result.as_json("en")["segments"][0]["notes"][0]
    assert "Too few customers" in text and "30" in text
    assert "太少" in result.as_json("zh_CN")["segments"][0]["notes"][0]


def test_no_lines_at_all_is_a_note():
    orders = [{"order_id": "1", "customer_key": "a@x.com", "order_total": 10.0, "refunded": 0.0,
               "placed_at": "2025-01-02"}]
    book = _book(orders, [])
    result = crosssell(book, segment(book, "value"))
    only = next(iter(result.segments.values()))
    assert only.level is None and only.notes == [("crosssell.no_items", {})]


def test_variants_count_as_their_product():
    names = pd.Series(["Tote - Black", "Tote - Tan", "Mug", "Mug - Blue", "Pen - Set of 6", "Half-moon Lamp"])
    assert product_names(names).tolist() == ["Tote", "Tote", "Mug", "Mug", "Pen - Set of 6", "Half-moon Lamp"]


def test_offers_join_the_strategy_and_the_persona(demo_book, demo_seg, demo_cross):
    from core.targeting.facts import segment_facts
    from core.targeting.personas import personas
    from core.targeting.strategies import MIXES, strategies

    facts = segment_facts(demo_seg, demo_book)
    plans = strategies(demo_seg, facts, "en", demo_cross)
    champions = plans["champions"]
    offers = demo_cross.recommendations("champions", "en")
    assert offers[0] in [a.text for a in champions.actions if a.mix == "product"]
    assert [a.mix for a in champions.actions] == sorted((a.mix for a in champions.actions), key=MIXES.index)
    zh = strategies(demo_seg, facts, "zh_CN", demo_cross)["champions"]
    assert any("提升度" in a.text for a in zh.actions)
    people = personas(demo_seg, facts, "en", demo_cross)
    assert people["champions"].cross_sell == offers[:3]
    assert people["champions"].tags and all(0 < share <= 1 for _, _, share in people["champions"].tags)
    first = demo_cross.segments["champions"].rules[0]
    assert f"{first.audience:,}" in offers[0] and f"{first.lift:.1f}" in offers[0]


def test_crosssell_command_json_and_text(capsys):
    files = [str(p) for p in DEMO]
    status, out, err = run_cli(capsys, "crosssell", *files, "--segment", "champions", "--segment", "Lost",
                               "--json")
    assert status == 0, err
    data = json.loads(out)
    assert [s["segment"] for s in data["segments"]] == ["champions", "lost"]
    rule = data["segments"][0]["rules"][0]
    assert set(rule) >= {"antecedent", "consequent", "support", "confidence", "lift",
                         "customers_with_antecedent", "audience"}
    assert data["segments"][1]["notes"] and not data["segments"][1]["rules"]
    status, out, err = run_cli(capsys, "--lang", "zh_CN", "crosssell", *files, "--map", "value",
                               "--currency", "CNY")
    assert status == 0, err
    assert "交叉销售" in out and "提升度" in out
    status, _, err = run_cli(capsys, "crosssell", *files, "--segment", "nobody")
    assert status == 2 and "nobody" in err
