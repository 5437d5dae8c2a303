"""The targeting plan on the demo data: the five steps, explained recommendations, and the CLI contract."""
import json
from pathlib import Path

import pandas as pd
import pytest

from core.importing import import_files
from core.targeting.plan import make_plan, plan_json
from tests.test_cli import DEMO, run


@pytest.fixture(scope="module")
def demo_plan(demo_book):
    return make_plan(demo_book, "rfm11")


def test_demo_plan_is_sensible_and_explained(demo_plan):
    plan = demo_plan
    table = plan.scorecard.table
    assert "champions" in plan.targets  # the best customers are always worth targeting
    assert not table.loc[plan.targets, "eliminated"].any()
    assert table.loc["lost", "eliminated"] and plan.scorecard.reasons["lost"]
    assert plan.scope["core_categories"][0] == "Watches"  # 55 % of the USD shop's sales
    for choice in (plan.pattern, plan.approach):
        assert choice.reasons and choice.alternatives
        assert all(r[0] and r[1] and "{" not in r[0] + r[1] for r in choice.reasons)
    assert plan.pattern.id == "product_specialization" and plan.approach.id == "differentiated"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_plan_json_has_every_part_in_both_languages(demo_plan, lang):
    data = plan_json(demo_plan, lang)
    for key in ("scope", "scorecard", "pattern", "approach", "personas", "strategies"):
        assert key in data
    assert data["pattern"]["name"] in ("single_segment", "selective_specialization",
                                       "product_specialization", "market_specialization", "full_coverage")
    assert data["approach"]["name"] in ("undifferentiated", "differentiated", "concentrated")
    row = data["scorecard"][0]
    assert set(row["scores"]) == {"size", "growth", "profitability", "loyalty", "reach", "fit"}
    assert {"total", "eliminated", "reason"} <= set(row)
    assert [p["segment"] for p in data["personas"]] == data["targets"]
    assert {s["segment"] for s in data["strategies"]} == {s["id"] for s in data["segments"]}
    for strategy in data["strategies"]:
        assert {a["mix"] for a in strategy["actions"]} == {"product", "price", "promotion", "channel"}
    text = json.dumps(data, ensure_ascii=False)
    assert "NaN" not in text and "{" not in "".join(a["text"] for s in data["strategies"] for a in s["actions"])
    if lang == "zh_CN":
        assert data["pattern"]["title"] == "产品专业化" and "客户" in data["strategies"][0]["goal"]


def test_weights_change_the_ranking(demo_plan, demo_book):
    book = demo_book
    loyal_first = make_plan(book, "rfm11", weights={"size": 0, "growth": 0, "profitability": 0,
                                                    "loyalty": 100, "reach": 0, "fit": 0})
    assert loyal_first.scorecard.table["total"].idxmax() in ("champions", "loyal", "cant_lose")
    assert not loyal_first.scorecard.table["total"].equals(demo_plan.scorecard.table["total"])


def test_plan_cli_json_contract():
    result = run("plan", *DEMO, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"scope", "scorecard", "pattern", "approach", "personas", "strategies"} <= set(data)
    assert {"name", "reasons", "alternatives"} <= set(data["pattern"])
    assert {"name", "reasons"} <= set(data["approach"])
    zh = run("plan", *DEMO, "--lang", "zh")  # the contract puts --lang after the files
    assert "目标市场模式" in zh.stdout and "1. 市场范围" in zh.stdout


def test_margin_overall_or_per_category_counts_in_profitability(demo_plan, demo_book):
    book = demo_book
    overall = make_plan(book, "rfm11", margin=0.4)
    table = overall.scorecard.table
    assert table["margin_per_customer"].to_numpy() == pytest.approx(
        (table["net_sales"] / table["customers"] * 0.4).to_numpy(), rel=1e-3)
    # Watches at a thin margin: the watch-heavy Champions lose margin against the others.
    thin = make_plan(book, "rfm11", margin={"Watches": 0.05, "Bags": 0.6, "Home": 0.6, "Apparel": 0.6})
    per_sales = thin.scorecard.table["margin_per_customer"] / thin.scorecard.table["sales_per_customer"]
    assert per_sales["champions"] < per_sales["loyal"]


def test_needs_state_demographics_only_where_exports_have_them(demo_plan, tmp_path):
    assert all("gender" not in need for need in plan_json(demo_plan)["needs"])
    path = tmp_path / "shop.csv"
    rows = [f"{i},2025-0{1 + i % 6}-0{1 + i % 8},c{i % 40}@x.com,{20 + i % 50},EUR,{'FM'[i % 2]},{20 + i % 40}"
            for i in range(400)]
    path.write_text("Order ID,Order Date,Email,Order Total,Currency,Gender,Age\n" + "\n".join(rows) + "\n")
    data = plan_json(make_plan(import_files([path]), "value"))
    assert all(need["gender"] in ("F", "M") and need["age_band"] for need in data["needs"])


def test_knockout_limits_are_editable_and_rules_can_be_switched_off(demo_plan, demo_book):
    book = demo_book
    assert demo_plan.scorecard.table.loc["lost", "eliminated"]
    stricter = make_plan(book, "rfm11", knockouts={"too_few": {"customers": 100}, "gone": False})
    table = stricter.scorecard.table
    assert not table.loc["lost", "eliminated"]  # "gone" is off
    assert table.loc["new", "eliminated"] and "79 customers" in stricter.scorecard.reasons["new"][0][0]
    with pytest.raises(ValueError, match="has no limit"):
        make_plan(book, "rfm11", knockouts={"too_few": {"buyers": 3}})


# --- small shops: never an empty plan ---------------------------------------------------------

SHOPS = Path(__file__).parent / "data" / "shops"
SMALL = {  # fixture -> (target, the reason's numbers, the group's customers)
    "one_customer": ("all_customers", "1 customer: too few to split into segments; concentrate on your 1 customer", 1),
    "five_customers": ("repeat_buyers", "5 customers: too few to split into segments; concentrate on the "
                                        "2 repeat buyers, 74 % of sales", 2),
}


@pytest.mark.parametrize("shop", ["one_customer", "five_customers", "forty_customers"])
def test_plan_json_of_a_small_shop_has_a_pattern_a_target_a_persona_and_a_strategy(shop):
    result = run("plan", str(SHOPS / f"{shop}.csv"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["pattern"]["name"] and data["pattern"]["reasons"] and data["approach"]["reasons"]
    assert data["targets"], "never an empty plan while there is a paid order"
    assert [p["segment"] for p in data["personas"]] == data["targets"]
    strategies = {s["segment"]: s for s in data["strategies"]}
    for target in data["targets"]:
        assert strategies[target]["goal"]
        assert {a["mix"] for a in strategies[target]["actions"]} == {"product", "price", "promotion", "channel"}
    assert all(any(ch.isdigit() for ch in r) for r in data["pattern"]["reasons"][:1]), "reasons in numbers"
    assert [d["segment"] for d in data["in_depth"]] == data["targets"] == data["matrix"]["segments"]
    if shop in SMALL:
        target, reason, customers = SMALL[shop]
        assert data["targets"] == [target]
        assert data["pattern"]["name"] == "single_segment" and data["approach"]["name"] == "concentrated"
        assert data["pattern"]["reasons"][0].startswith(reason)
        assert data["fallback"] == {**data["fallback"], "segment": target, "why": "small", "customers": customers}
        assert not any(row["target"] for row in data["scorecard"])  # the map's segments are still scored
    else:  # 40 customers: screening applies, the knock-outs too
        assert data["fallback"] is None
        assert any(row["eliminated"] for row in data["scorecard"])
        assert set(data["targets"]) == {row["segment"] for row in data["scorecard"] if row["target"]}


def test_the_small_shop_plan_in_chinese():
    plan = make_plan(import_files([str(SHOPS / "five_customers.csv")]), "rfm11")
    data = plan_json(plan, "zh_CN")
    assert data["pattern"]["title"] == "单一市场集中化"
    assert data["pattern"]["reasons"][0] == "只有 5 位客户，太少，不宜再细分；集中服务 2 位回头客，他们贡献了 74% 的销售额"
    assert data["fallback"]["name_zh"] == "回头客" and "回头客" in data["strategies"][0]["goal"]
    assert "2 位" in data["personas"][0]["statements"][0]


def test_repeat_buyers_else_the_top_spenders_else_everyone():
    """The group is data (screening.toml [fallback]): the first with enough customers."""
    from core.targeting.fallback import choose_group

    def customers(frequencies, spend):
        return pd.DataFrame({"frequency": frequencies, "monetary": spend, "recency": [10.0] * len(spend)},
                            index=pd.Index([f"c{i}" for i in range(len(spend))], name="customer_key"))

    group, members = choose_group(customers([2, 3, 1, 1, 1], [90, 80, 10, 20, 30]))
    assert group["id"] == "repeat_buyers" and list(members) == ["c0", "c1"]
    group, members = choose_group(customers([1] * 10, [100, 90, 5, 5, 5, 5, 5, 5, 5, 5]))
    assert group["id"] == "top_spenders" and list(members) == ["c0", "c1"]  # the top fifth
    group, members = choose_group(customers([2, 1, 1], [50, 40, 30]))  # 1 repeat buyer, top fifth of 3 is 1
    assert group["id"] == "all_customers" and len(members) == 3


def test_a_mid_size_shop_whose_every_segment_is_knocked_out_falls_back_and_says_so():
    book = import_files([str(SHOPS / "forty_customers.csv")])
    plan = make_plan(book, "rfm11", knockouts={"too_few": {"customers": 100}})
    assert plan.scorecard.table["eliminated"].all()
    data = plan_json(plan)
    assert data["fallback"]["why"] == "knocked_out" and data["targets"] == ["repeat_buyers"]
    repeaters = int((plan.seg.customers["frequency"] >= 2).sum())
    share = plan.seg.customers.loc[plan.seg.customers["frequency"] >= 2, "monetary"].sum() / \
        plan.seg.customers["monetary"].sum()
    assert data["fallback"]["customers"] == repeaters == 12
    segments = len(plan.seg.order)
    assert data["fallback"]["reason"] == (f"all {segments} segments were knocked out in the screening; concentrate "
                                          f"on the {repeaters} repeat buyers, {round(share * 100)} % of sales")
    assert data["pattern"]["name"] == "single_segment" and data["pattern"]["reasons"][0] == data["fallback"]["reason"]
    assert data["personas"][0]["segment"] == "repeat_buyers"
    # the group's figures are its own customers'
    depth = data["in_depth"][0]
    assert depth["customers"] == repeaters and depth["share_net_sales"] == pytest.approx(share, abs=1e-4)


def test_a_plan_and_its_segmentation_are_built_once_per_book_arguments_and_tag_tables(tmp_path, monkeypatch):
    """A page asking again, or a seller switching back, gets the plan already built; other
    arguments or edited tag tables give a new one (other orders are another book, or another
    OrderBook.memo)."""
    from core.model import MEMO_RECENT
    from core.segments import segment
    from core.tags import load_tables, save_tables

    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path))
    book = import_files(DEMO)  # its own book: what is kept is kept per book
    first = make_plan(book, "value")
    assert make_plan(book, "value") is first
    assert segment(book, "value") is first.seg  # the segmentation the plan was built on
    assert make_plan(book, "value", weights={"size": 1.0}) is not first
    assert make_plan(book, "value", knockouts={"min_customers": False}) is not first
    assert make_plan(book, "value") is first  # still among the last MEMO_RECENT
    for map_id in ("rfm11", "cn8", "rfgrid", "affinity")[:MEMO_RECENT]:
        make_plan(book, map_id)
    assert make_plan(book, "value") is not first  # only the last ones are kept

    kept = make_plan(book, "value")
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert make_plan(book, "value") is kept  # no tables of the seller's own here either: the same plan
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path))
    tables = load_tables().as_dict()
    top = kept.facts["top_tag"].dropna().iloc[0]
    save_tables({"tags": [rule for rule in tables["tags"] if rule["id"] != top]})
    edited = make_plan(book, "value")
    assert edited is not kept and top not in set(edited.facts["top_tag"].dropna())
    assert segment(book, "value") is edited.seg


def test_reach_is_the_share_of_each_segments_customers_with_a_contact(demo_book):
    """facts' reach, against a count order by order in plain Python (any order of the customer with
    an email, a phone of 7+ digits, or a key that is an email or a phone)."""
    import re

    from core.segments import segment
    from core.targeting.facts import reachability

    seg = segment(demo_book, "rfm11")  # USD: some customers of most segments have no contact
    reachable = set()
    for key, email, phone in demo_book.orders[["customer_key", "email", "phone"]].itertuples(index=False):
        if isinstance(key, str) and ("@" in key or key.startswith("tel:") or isinstance(email, str)
                                     or (isinstance(phone, str) and re.search(r"\d{7}", phone))):
            reachable.add(key)
    shares = reachability(seg, demo_book)
    assert shares.min() < 1.0
    for segment_id, share in shares.items():
        members = seg.customers.index[seg.customers["segment"] == segment_id]
        assert share == round(sum(m in reachable for m in members) / len(members), 4), segment_id


def test_a_book_held_as_codes_plans_as_the_same_book_held_as_text(demo_plan, demo_book):
    # An import holds repeated text as categories (core.model.compact); books built by hand or
    # by older code hold plain text. Every figure and sentence must be the same either way.
    from core.model import OrderBook, REPEATED_TEXT

    coded = [c for c in REPEATED_TEXT if isinstance(demo_book.orders.get(c, pd.Series()).dtype, pd.CategoricalDtype)]
    assert {"customer_key", "platform", "status", "currency", "country"} <= set(coded)
    text = OrderBook(files=demo_book.files, problems=demo_book.problems,
                     orders=demo_book.orders.astype({c: "str" for c in coded}),
                     lines=demo_book.lines.astype({c: "str" for c in REPEATED_TEXT & set(demo_book.lines.columns)}))
    for lang in ("en", "zh_CN"):
        assert plan_json(make_plan(text), lang) == plan_json(demo_plan, lang)


def test_a_large_books_plan_worked_out_side_by_side_is_the_same_plan(demo_plan, demo_book, monkeypatch):
    # From jobs.PARALLEL_FROM_ROWS lines, the lifetime models, the tags and the cross-sell offers
    # are worked out in a second thread (core.jobs.alongside): not one figure or sentence changes,
    # and no thread is left behind.
    import dataclasses
    import threading

    from core import jobs

    from core.targeting import facts

    monkeypatch.setattr(jobs, "PARALLEL_FROM_ROWS", 0)
    where, real = [], facts.lifetime_facts
    monkeypatch.setattr(facts, "lifetime_facts",
                        lambda *a: where.append(threading.current_thread().name) or real(*a))
    fresh = dataclasses.replace(demo_book)  # a book of its own: nothing derived yet
    side_by_side = make_plan(fresh, "rfm11")
    assert where and where[0].startswith("alongside")  # it did run in the second thread
    for lang in ("en", "zh_CN"):
        assert plan_json(side_by_side, lang) == plan_json(demo_plan, lang)
    assert not [t for t in threading.enumerate() if t.name.startswith("alongside")]


def test_work_alongside_gives_its_result_or_its_error_where_it_is_asked_for(monkeypatch):
    import threading

    from core import jobs

    def fails():
        raise ValueError("bad")

    # In this thread (small), in a second one, in this thread again (memory first: very large).
    cases = ((0, False), (jobs.PARALLEL_FROM_ROWS, True), (jobs.ALONGSIDE_UP_TO_ROWS + 1, False))
    for rows, second_thread in cases:
        with jobs.alongside(rows) as start:
            done, failed, where = start(sum, [1, 2]), start(fails), start(threading.current_thread)
        assert done.result() == 3
        assert (where.result() is not threading.current_thread()) == second_thread, rows
        with pytest.raises(ValueError, match="bad"):
            failed.result()


def test_a_plan_says_what_it_does_step_by_step_in_order(demo_book):
    # A large book works each step out in turn (core.jobs.alongside, beyond its rows): the window
    # must show which, not one message for all of them; the fraction never goes back.
    from core.model import OrderBook

    class Recorder:
        def __init__(self):
            self.reports = []

        def report(self, fraction, message_id="", **fmt):
            self.reports.append((fraction, message_id))

        def check_cancelled(self):
            pass

    recorder = Recorder()
    make_plan(OrderBook(orders=demo_book.orders, lines=demo_book.lines), "rfm11", progress=recorder)
    fractions = [f for f, _ in recorder.reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    messages = [m for _, m in recorder.reports]
    steps = ["progress.customer_features", "progress.lifetime", "progress.tags", "progress.segment_facts",
             "progress.screening", "progress.pattern"]
    assert [m for m in messages if m in steps] == steps and messages[-1] == "progress.done", messages
