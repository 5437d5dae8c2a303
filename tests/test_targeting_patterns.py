"""Each target-market pattern and marketing approach is chosen by the shop it fits: constructed
shops (orders written as a plain transaction table) must each select their pattern."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.importing import import_files
from core.targeting.pattern import recommend
from core.targeting.plan import make_plan

END = dt.date(2026, 6, 30)
CATEGORIES = ("Watches", "Bags", "Home", "Apparel", "Stationery")


def write_shop(path, groups, seed=0, products_per_category=3):
    """groups: list of dicts with customers, orders (per customer), recent (max days ago of the
    last order), mix (category -> weight), price (unit price). One line per order."""
    rng = np.random.default_rng(seed)
    rows, order_no = [], 0
    for g, group in enumerate(groups):
        names, weights = zip(*group["mix"].items())
        weights = np.array(weights, dtype=float) / sum(weights)
        for c in range(group["customers"]):
            email = f"g{g}c{c}@example.com"
            for _ in range(group["orders"]):
                order_no += 1
                days = int(rng.integers(group.get("recent_min", 1), group["recent"] + 1))
                category = names[rng.choice(len(names), p=weights)]
                product = f"{category} item {rng.integers(products_per_category) + 1}"
                price = group["price"] * (0.8 + 0.4 * rng.random())
                rows.append({"Order ID": f"O{order_no:06d}", "Order Date": (END - dt.timedelta(days=days)).isoformat(),
                             "Email": email, "Product Name": product, "Category": category, "Quantity": 1,
                             "Unit Price": f"{price:.2f}", "Order Total": f"{price:.2f}", "Currency": "USD",
                             "Country": group.get("country", "US")})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def plan_for(tmp_path, groups, map_id="affinity", **kw):
    book = import_files([write_shop(tmp_path / "shop.csv", groups, **kw)])
    assert book.problems == []
    return make_plan(book, map_id)


def test_small_shop_concentrates_on_one_segment(tmp_path):
    plan = plan_for(tmp_path, [
        {"customers": 30, "orders": 3, "recent": 60, "mix": {"Watches": 9, "Bags": 1}, "price": 200},
        {"customers": 25, "orders": 1, "recent": 300, "mix": {"Bags": 1}, "price": 40}])
    assert plan.scope["orders_per_month"] < 150
    assert plan.pattern.id == "single_segment" and plan.approach.id == "concentrated"
    assert any("small shop" in reason[0] for reason in plan.pattern.reasons)


def test_one_product_line_for_several_segments(tmp_path):
    # Three value groups, all buying mostly watches: one product line, several markets.
    groups = [{"customers": 400, "orders": o, "recent": r, "mix": {"Watches": 8, "Bags": 1, "Home": 1},
               "price": p} for o, r, p in ((6, 60, 300), (3, 200, 180), (2, 120, 120))]
    plan = plan_for(tmp_path, groups, map_id="value")
    assert plan.pattern.id == "product_specialization", plan.pattern.alternatives
    assert plan.signals["top_category"] == "Watches"


def test_one_segment_buying_everything(tmp_path):
    groups = [{"customers": 500, "orders": 8, "recent": 40, "price": 150,
               "mix": {"Watches": 3, "Bags": 3, "Home": 3, "Apparel": 3}},
              {"customers": 300, "orders": 2, "recent": 100, "price": 30, "mix": {"Stationery": 1}},
              {"customers": 300, "orders": 1, "recent": 150, "price": 20, "mix": {"Stationery": 1}}]
    plan = plan_for(tmp_path, groups, map_id="value")
    assert plan.pattern.id == "market_specialization", (plan.signals, plan.pattern.alternatives)


def test_different_segments_for_different_lines(tmp_path):
    groups = [{"customers": 300, "orders": 3, "recent": 60, "price": 120, "mix": {"Watches": 1}},
              {"customers": 300, "orders": 4, "recent": 60, "price": 80, "mix": {"Bags": 1}},
              {"customers": 300, "orders": 6, "recent": 60, "price": 50, "mix": {"Home": 1}}]
    plan = plan_for(tmp_path, groups, products_per_category=8)
    assert plan.pattern.id == "selective_specialization", (plan.signals, plan.pattern.alternatives)
    assert plan.approach.id == "differentiated"


def test_big_shop_serving_everyone_with_everything(tmp_path):
    mix = dict.fromkeys(CATEGORIES, 1)
    groups = [{"customers": 1500, "orders": o, "recent": r, "price": p, "mix": mix}
              for o, r, p in ((10, 30, 60), (6, 90, 55), (4, 200, 50), (3, 300, 45))]
    plan = plan_for(tmp_path, groups, map_id="value", products_per_category=15)
    assert plan.scope["orders_per_month"] >= 1000 and plan.signals["skus"] >= 50
    assert plan.pattern.id == "full_coverage", (plan.signals, plan.pattern.alternatives)


def test_alike_segments_with_a_standard_range_get_one_offer(tmp_path):
    mix = {"Watches": 1}
    groups = [{"customers": 400, "orders": 4, "recent": 60, "price": 100, "mix": mix},
              {"customers": 400, "orders": 4, "recent": 70, "price": 105, "mix": mix}]
    plan = plan_for(tmp_path, groups, map_id="value", products_per_category=2)
    assert plan.signals["distinctness"] < 0.35 and plan.signals["standardised"] >= 0.6
    assert plan.approach.id == "undifferentiated", (plan.signals, plan.approach.alternatives)


@pytest.mark.parametrize("pattern,signals", [
    ("single_segment", {"targets": 1, "orders_per_month": 80, "skus": 10, "top_segment_share": 1.0,
                        "top_category_share": 0.7}),
    ("product_specialization", {"targets": 3, "top_category_share": 0.7, "top_category_lead_in": 1.0,
                                "orders_per_month": 400, "skus": 40, "top_segment_share": 0.4}),
    ("market_specialization", {"targets": 2, "top_segment_share": 0.8, "top_segment_breadth": 4,
                               "categories": 4, "orders_per_month": 400, "skus": 40, "top_category_share": 0.3}),
    ("selective_specialization", {"targets": 3, "distinct_leads": 3, "lead_strength": 0.8, "top_category_lead_in": 0.33,
                                  "top_segment_share": 0.4, "orders_per_month": 400, "skus": 40}),
    ("full_coverage", {"targets": 4, "coverage": 0.9, "orders_per_month": 2000, "skus": 200,
                       "top_segment_share": 0.3, "top_category_lead_in": 0.25, "top_category_share": 0.3}),
])
def test_each_pattern_rule_set_selects_its_pattern(pattern, signals):
    base = {"categories": 4, "top_category": "Watches", "lead_count": 1, "top_segment": "A",
            "top_segment_breadth": 1, "distinct_leads": 1, "coverage": 0.3, "distinctness": 0.5,
            "standardised": 0.3, "min_aov": 50.0, "max_aov": 150.0, "currency": "USD", "lead_strength": 0.3,
            "top_category_share": 0.3, "top_category_lead_in": 0.3, "fallback": 0}
    chosen, _ = recommend({**base, **signals})
    assert chosen.id == pattern
    assert chosen.reasons and all("{" not in r[0] + r[1] for r in chosen.reasons)
    assert [a["score"] for a in chosen.alternatives] == sorted((a["score"] for a in chosen.alternatives), reverse=True)


def test_a_plan_that_falls_back_to_one_group_concentrates_and_says_why():
    """A small shop's one group buying across many categories is still single-segment
    concentration (seed theory for limited resources), not market specialization; the reason
    comes first, and market specialization says why not."""
    signals = {"targets": 1, "categories": 4, "top_category": "Watches", "top_category_share": 0.3,
               "top_category_lead_in": 1.0, "lead_count": 1, "top_segment": "Repeat buyers", "top_segment_share": 1.0,
               "top_segment_breadth": 4, "distinct_leads": 1, "lead_strength": 0.3, "coverage": 1.0, "distinctness": 0.0,
               "standardised": 1.0, "orders_per_month": 3, "skus": 4, "customers": 5, "min_aov": 50.0, "max_aov": 50.0,
               "currency": "USD", "fallback": 1, "fallback_customers": 2,
               "fallback_reason": "5 customers: too few to split into segments; concentrate on the 2 repeat buyers",
               "fallback_reason_zh": "只有 5 位客户"}
    pattern, approach = recommend(signals)
    assert pattern.id == "single_segment" and approach.id == "concentrated"
    assert pattern.reasons[0] == (signals["fallback_reason"], signals["fallback_reason_zh"])
    market = next(a for a in pattern.alternatives if a["id"] == "market_specialization")
    assert market["score"] == 0 and "2 customers" in market["missing"][0][0]
    normal, _ = recommend({**signals, "fallback": 0, "targets": 1})  # the gate is silent when open
    assert normal.id == "market_specialization"
    assert all("{" not in r[0] for r in normal.reasons)


# --- For it / Against it: each line states what the numbers say (issue 16) ---------------------

def _statements(signals: dict) -> tuple[set, set]:
    """Every line patterns.toml can show for these signals that is true, and every one that is false:
    a condition's `reason` is true when it holds, its `against` when it does not."""
    from core.targeting import texts

    zh = {**signals, **{k[:-3]: v for k, v in signals.items() if k.endswith("_zh")}}
    true, false = set(), set()
    data = texts.load("patterns.toml")
    for option in data["patterns"] + data["approaches"]:
        for condition in option["conditions"]:
            holds = texts.holds(condition["when"], signals)
            for key, is_true in (("reason", holds), ("against", not holds)):
                if key in condition:
                    said = (texts.fill(condition[key], signals, "en"), texts.fill(condition[f"{key}_zh"], zh, "zh_CN"))
                    (true if is_true else false).add(said)
    return true, false


@pytest.mark.parametrize("name", ["one_customer", "five_customers", "demo"])
def test_for_and_against_lines_state_what_is_true_and_never_contradict(name):
    from tests.seller_texts import shop

    _, plan = shop(name)
    true, false = _statements(plan.signals)
    for choice in (plan.pattern, plan.approach):
        assert choice.reasons and set(choice.reasons) <= true
        for alternative in choice.alternatives:
            shown = alternative["reasons"] + alternative["missing"]
            assert shown, alternative["id"]  # every alternative says why it scored what it did
            assert set(shown) <= true and not set(shown) & false, (alternative["id"], set(shown) & false)
            assert not set(alternative["reasons"]) & set(alternative["missing"])
            if alternative["score"] == 0 and not alternative["reasons"]:  # ruled out: only why
                assert len(alternative["missing"]) == 1
    lines = [line for choice in (plan.pattern, plan.approach) for line, _ in
             [*choice.reasons, *(r for a in choice.alternatives for r in a["reasons"] + a["missing"])]]
    if name != "demo":  # a few orders a month: nothing may say the shop has the scale for more
        assert not [line for line in lines if "has the scale" in line]
        assert plan.pattern.id == "single_segment" and plan.approach.id == "concentrated"


def test_an_alternative_ruled_out_says_only_why():
    signals = {"targets": 1, "categories": 4, "top_category": "Watches", "top_category_share": 0.7,
               "top_category_lead_in": 1.0, "lead_count": 1, "top_segment": "Champions", "top_segment_share": 1.0,
               "top_segment_breadth": 1, "distinct_leads": 1, "lead_strength": 0.7, "coverage": 1.0, "distinctness": 0.0,
               "standardised": 0.9, "orders_per_month": 40, "skus": 12, "customers": 300, "min_aov": 50.0,
               "max_aov": 50.0, "currency": "USD", "fallback": 0}
    pattern, approach = recommend(signals)
    undifferentiated = next(a for a in approach.alternatives if a["id"] == "undifferentiated")
    # not "they behave alike (distinctness 0)" for it: with one target there is no one to be alike
    assert undifferentiated["reasons"] == [] and undifferentiated["missing"] == [
        ("only 1 target: no wider market to address as one", "只有 1 个目标客群：没有更大的市场可以统一对待")]
    differentiated = next(a for a in approach.alternatives if a["id"] == "differentiated")
    assert [r[0] for r in differentiated["missing"]] == ["only 1 target: nothing to tell apart"]
    product = next(a for a in pattern.alternatives if a["id"] == "product_specialization")
    assert [r[0] for r in product["missing"]] == ["only 1 target: one product line for several segments needs at least 2"]
