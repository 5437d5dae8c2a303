"""Interest tags: rules as data, evidence for every tag, never fewer purchases than a rule asks,
counts checked against a plain per-order computation, editable tables with clear messages."""
import collections
import functools
import json
import re

import pandas as pd
import pytest

from core.importing import import_files
from core.model import OrderBook, empty_lines, empty_orders
from core.segments import segment
from core.tags import (NONE, TagRule, TagTableError, TagTables, bundled_tables, customer_tags,
                       keyword_pattern, load_tables, price_ratio, reset_tables, save_tables,
                       tag_mix, user_tables_path, validate)
from tests.conftest import ROOT, run_main

DEMO = sorted((ROOT / "resources" / "demo").glob("*.csv"))


@pytest.fixture(scope="module")
def demo_tags(demo_book):
    return customer_tags(demo_book, bundled_tables())


def book_of(orders: list[dict], lines: list[dict]) -> OrderBook:
    """A book from a few hand-written orders and lines (canonical columns, the rest empty)."""
    base = {"platform": "Shopify", "status": "paid", "currency": "USD",
            "placed_at": pd.Timestamp("2025-03-01", tz="UTC")}
    o = pd.DataFrame([{**base, **row} for row in orders])
    o["placed_at"] = pd.to_datetime(o["placed_at"], utc=True)
    o = pd.concat([empty_orders(), o], ignore_index=True)
    li = pd.concat([empty_lines(), pd.DataFrame([{"platform": "Shopify", "quantity": 1.0, **row} for row in lines])],
                   ignore_index=True)
    return OrderBook(orders=o[empty_orders().columns], lines=li[empty_lines().columns])


# --- the bundled tables ----------------------------------------------------------------------------

def test_bundled_tables_are_valid_and_in_both_languages():
    tables = bundled_tables()
    assert tables.ids == ["eco", "fashion", "value", "gift", "premium", "family"]
    for rule in tables.rules:
        assert rule.name and rule.name_zh and rule.description and rule.description_zh
        assert re.search(r"[\u4e00-\u9fff]", rule.name_zh), rule.id
        assert rule.min_purchases >= 1
    assert tables.name("eco", "zh_CN") == "环保" and tables.name(NONE, "zh") == "兴趣不明显"


def test_keywords_match_whole_english_words_and_chinese_anywhere():
    pattern = re.compile(keyword_pattern(["eco", "kid", "gift set", "儿童"]), re.IGNORECASE)
    assert pattern.search("Eco-friendly Bottle") and pattern.search("KIDS Cap")
    assert pattern.search("Gift  Set for her").group(1).lower() == "gift  set"
    assert not pattern.search("Economy Pack") and not pattern.search("Kidney beans")
    assert pattern.search("儿童中性笔套装 6支装")


# --- numbers: never fewer purchases than a rule asks, counts from an independent computation ------

def test_a_tag_is_never_given_on_fewer_purchases_than_its_rule_asks(demo_tags):
    shares = demo_tags.shares()
    for rule in demo_tags.tables.rules:
        given = demo_tags.assigned[rule.id]
        assert given.any(), f"the demo gives no {rule.id} tag"
        assert (demo_tags.counts.loc[given, rule.id] >= rule.min_purchases).all(), rule.id
        assert (shares.loc[given, rule.id] >= rule.min_share - 1e-9).all(), rule.id
        # and everyone who reaches both limits gets the tag
        reach = (demo_tags.counts[rule.id] >= rule.min_purchases) & (shares[rule.id] >= rule.min_share - 1e-9)
        assert (reach == given).all(), rule.id


def _brute_force_counts(book: OrderBook, rule: TagRule) -> dict[str, int]:
    """Supporting paid orders per customer, order by order in plain Python."""
    paid = book.orders[book.orders["status"] == "paid"]
    all_lines = book.lines.merge(paid[["platform", "order_id", "currency"]], on=["platform", "order_id"])
    medians = {}
    for (currency, category), group in all_lines.groupby(
            [all_lines["currency"].astype("str"), all_lines["category"].astype("str").fillna("\0")]):
        medians[(currency, category)] = group["unit_price"].median()
    words = tuple(w.lower() for w in rule.keywords + rule.keywords_zh)
    notes = tuple(w.lower() for w in rule.note_keywords + rule.note_keywords_zh)
    cats = {c.casefold() for c in rule.categories}

    @functools.cache  # product names repeat: each is looked at once per rule
    def has_word(text, vocabulary):
        text = str(text).lower()
        for word in vocabulary:
            if re.search(r"[\u4e00-\u9fff]", word):
                if word in text:
                    return True
            elif re.search(rf"(?<![^\W\d_]){re.escape(word)}(e?s)?(?![^\W\d_])", text):
                return True
        return False

    lines_of = collections.defaultdict(list)
    for line in all_lines.itertuples():
        lines_of[(line.platform, line.order_id)].append(line)
    counts: dict[str, int] = {}
    for order in paid.itertuples():
        if not order.customer_key:
            continue
        support = False
        if rule.discount and (pd.notna(order.discount_code) or (pd.notna(order.discount) and order.discount > 0)):
            support = True
        if notes and pd.notna(order.note) and has_word(order.note, notes):
            support = True
        for line in lines_of[(order.platform, order.order_id)]:
            if words and pd.notna(line.product_name) and has_word(line.product_name, words):
                support = True
            if cats and pd.notna(line.category) and line.category.strip().casefold() in cats:
                support = True
            median = medians.get((line.currency, line.category if pd.notna(line.category) else "\0"))
            limits = (rule.price_ratio_min, rule.price_ratio_max)
            if limits != (None, None) and pd.notna(line.unit_price) and median:
                ratio = line.unit_price / median
                if (limits[0] is None or ratio >= limits[0]) and (limits[1] is None or ratio <= limits[1]):
                    support = True
        if support:
            counts[order.customer_key] = counts.get(order.customer_key, 0) + 1
    return counts


@pytest.mark.parametrize("tag", ["eco", "fashion", "value", "gift", "premium", "family"])
def test_supporting_purchases_match_a_plain_per_order_count(demo_book, demo_tags, tag):
    expected = _brute_force_counts(demo_book, demo_tags.tables.rule(tag))
    got = demo_tags.counts[tag]
    assert {k: int(v) for k, v in got[got > 0].items()} == expected


def test_every_given_tag_has_its_evidence_and_no_other_tag_has_any(demo_tags):
    evidence = demo_tags.evidence
    given = demo_tags.assigned.stack()
    given = set(given[given].index)
    assert set(zip(evidence["customer_key"], evidence["tag"])) == given
    assert set(evidence["source"]) <= {"keyword", "category", "price", "discount", "note"}
    assert (evidence["purchases"] >= 1).all()
    # the evidence of one piece never exceeds the tag's supporting purchases
    per = evidence.groupby(["customer_key", "tag"])["purchases"].max()
    counts = demo_tags.counts.stack()
    assert (per <= counts.reindex(per.index)).all()


def test_the_demo_shows_each_kind_of_evidence(demo_tags):
    evidence = demo_tags.evidence
    assert {"keyword", "category", "price", "discount", "note"} <= set(evidence["source"])
    gift_notes = evidence[(evidence["tag"] == "gift") & (evidence["source"] == "note")]
    assert {"gift", "birthday", "礼物"} & set(gift_notes["detail"])
    family = evidence[evidence["tag"] == "family"]
    assert set(family["matched"]) <= {"kids", "儿童"} and len(family)


def test_describe_gives_names_and_evidence_in_both_languages(demo_tags):
    key = demo_tags.evidence["customer_key"].iloc[0]
    en, zh = demo_tags.describe(key, "en"), demo_tags.describe(key, "zh_CN")
    assert [d["tag"] for d in en] == demo_tags.tags_of(key) == [d["tag"] for d in zh]
    assert all(d["evidence"] for d in en) and en[0]["name"] != zh[0]["name"]
    assert "×" in en[0]["evidence"][0]


def test_primary_tag_is_one_of_the_customers_tags(demo_tags):
    primary = demo_tags.primary()
    tagged = demo_tags.assigned.any(axis=1)
    assert (primary[~tagged] == NONE).all()
    for key in primary[tagged].index[:300]:
        assert primary[key] in demo_tags.tags_of(key)


# --- hand-made cases ------------------------------------------------------------------------------

def _shop():
    orders = [
        {"order_id": "1", "customer_key": "a@x.com", "note": "Happy Birthday Sam!"},
        {"order_id": "2", "customer_key": "a@x.com", "discount_code": "SAVE10", "discount": 2.0},
        {"order_id": "3", "customer_key": "b@x.com"},
        {"order_id": "4", "customer_key": "b@x.com"},
        {"order_id": "5", "customer_key": "b@x.com"},
        {"order_id": "6", "customer_key": "c@x.com"},
        {"order_id": "7", "customer_key": ""},  # unidentified: counted in the price medians only
    ]
    lines = [
        {"order_id": "1", "product_name": "Organic Tee", "category": "Apparel", "unit_price": 20.0},
        {"order_id": "2", "product_name": "Organic Tee", "category": "Apparel", "unit_price": 20.0},
        {"order_id": "3", "product_name": "Economy Mug", "category": "Home", "unit_price": 10.0},
        {"order_id": "4", "product_name": "Gold Watch", "category": "Watches", "unit_price": 300.0},
        {"order_id": "5", "product_name": "Gold Watch", "category": "Watches", "unit_price": 300.0},
        {"order_id": "6", "product_name": "Organic Tee", "category": "Apparel", "unit_price": 20.0},
        {"order_id": "7", "product_name": "Steel Watch", "category": "Watches", "unit_price": 100.0},
        {"order_id": "7", "product_name": "Steel Watch", "category": "Watches", "unit_price": 100.0},
    ]
    return book_of(orders, lines)


def test_hand_made_shop_gets_exactly_the_tags_its_purchases_support():
    tags = customer_tags(_shop(), bundled_tables())
    assert tags.tags_of("a@x.com") == ["eco", "fashion", "gift"]  # 2 organic orders; 1 birthday note
    assert "value" not in tags.tags_of("a@x.com")  # one discounted order of two, min 2
    assert tags.tags_of("c@x.com") == []  # one organic order: fewer than the 2 eco asks for
    # Watches median over all paid lines (300, 300, 100, 100) is 200: 300 is 1.5× → premium
    assert tags.tags_of("b@x.com") == ["premium"]
    assert "eco" not in tags.tags_of("b@x.com")  # "Economy" is not "eco"
    assert set(tags.customers) == {"a@x.com", "b@x.com", "c@x.com"}
    assert tags.base.loc["b@x.com", "orders"] == 3
    assert tags.primary()["c@x.com"] == NONE
    gift = tags.evidence[(tags.evidence["customer_key"] == "a@x.com") & (tags.evidence["tag"] == "gift")]
    assert list(gift["source"]) == ["note"] and list(gift["detail"]) == ["birthday"]


def test_price_ratio_is_against_the_category_median_per_currency():
    lines = pd.DataFrame({"currency": ["USD", "USD", "USD", "CNY"], "category": ["A", "A", None, "A"],
                          "unit_price": [10.0, 30.0, 5.0, 100.0]})
    assert price_ratio(lines).tolist() == [0.5, 1.5, 1.0, 1.0]


def test_min_share_keeps_one_odd_order_from_labelling_a_regular():
    orders = [{"order_id": str(i), "customer_key": "r@x.com"} for i in range(10)]
    lines = [{"order_id": str(i), "product_name": "Organic Tee" if i < 2 else "Mug", "unit_price": 10.0}
             for i in range(10)]
    rule = TagRule("eco", "Eco", "环保", keywords=("organic",), min_purchases=2, min_share=0.3)
    tags = customer_tags(book_of(orders, lines), TagTables((rule,)))
    assert tags.counts.loc["r@x.com", "eco"] == 2 and not tags.assigned.loc["r@x.com", "eco"]


def test_lines_as_the_unit_count_lines():
    orders = [{"order_id": "1", "customer_key": "l@x.com"}]
    lines = [{"order_id": "1", "product_name": name, "unit_price": 5.0}
             for name in ("Baby Socks", "Baby Hat", "Mug")]
    rule = TagRule("family", "Family", "家庭", keywords=("baby",), unit="lines", min_purchases=2)
    tags = customer_tags(book_of(orders, lines), TagTables((rule,)))
    assert tags.counts.loc["l@x.com", "family"] == 2 and tags.assigned.loc["l@x.com", "family"]
    one_order = TagRule("family", "Family", "家庭", keywords=("baby",), min_purchases=2)
    assert not customer_tags(book_of(orders, lines), TagTables((one_order,))).assigned.loc["l@x.com", "family"]


def test_exports_without_products_discounts_or_notes_say_so():
    book = book_of([{"order_id": "1", "customer_key": "a@x.com"}], [])
    tags = customer_tags(book, bundled_tables())
    ids = [note[0] for note in tags.notes]
    assert "tags.note_no_products" in ids and "tags.note_no_discounts" in ids and "tags.note_no_notes" in ids
    assert tags.tags_of("a@x.com") == [] and tags.primary()["a@x.com"] == NONE


def test_until_leaves_later_orders_out():
    import datetime as dt
    book = _shop()
    tags = customer_tags(book, bundled_tables(), until=dt.date(2025, 1, 1))
    assert len(tags.customers) == 0 and tags.evidence.empty


# --- per segment ----------------------------------------------------------------------------------

def test_tag_mix_shares_per_segment(demo_book, demo_tags):
    seg = segment(demo_book, "rfm11")
    mix = tag_mix(demo_tags, seg)
    assert list(mix.index) == seg.order
    assert mix["customers"].sum() == len(seg.customers)
    for sid in seg.order[:4]:
        members = seg.customers.index[seg.customers["segment"] == sid]
        given = demo_tags.assigned.reindex(members, fill_value=False)
        for tag in demo_tags.tables.ids:
            assert mix.loc[sid, tag] == pytest.approx(given[tag].mean(), abs=5e-5)
        assert mix.loc[sid, NONE] == pytest.approx((~given.any(axis=1)).mean(), abs=5e-5)


def test_tags_segmentation_puts_each_customer_in_their_primary_tag(demo_book, demo_tags):
    seg = segment(demo_book, "tags")
    assert seg.map_id == "tags" and set(seg.labels) == set(seg.customers["segment"])
    primary = demo_tags.primary().reindex(seg.customers.index)
    assert (seg.customers["segment"] == primary).all()
    assert seg.labels[NONE].name == "No clear interest" and seg.labels["eco"].name_zh == "环保"
    assert list(seg.labels)[-1] == NONE


# --- editable tables ------------------------------------------------------------------------------

def _entry(**kw):
    return {"id": "eco", "name": "Eco", "name_zh": "环保", "keywords": ["organic"], **kw}


@pytest.mark.parametrize("entry, words", [
    ({"id": "eco", "name": "Eco", "keywords": ["organic"]}, ["tag eco", "name_zh"]),
    (_entry(min_purchases=0), ["min_purchases", "0"]),
    (_entry(min_share=1.5), ["min_share", "1.5"]),
    (_entry(colour="green"), ["colour"]),
    (_entry(keywords=[]), ["no evidence"]),
    (_entry(keywords=["organic", ""]), ["keywords"]),
    (_entry(id="Eco Tag"), ["id must be"]),
    (_entry(unit="baskets"), ["baskets"]),
    (_entry(price_ratio_min=-1), ["price_ratio_min"]),
])
def test_invalid_tables_name_the_file_the_tag_and_the_problem(entry, words):
    with pytest.raises(TagTableError) as error:
        validate({"tags": [entry]}, "/somewhere/tags.toml")
    message = str(error.value)
    assert message.startswith("tags.toml")
    for word in words:
        assert word in message


def test_duplicate_ids_and_every_problem_are_listed():
    with pytest.raises(TagTableError) as error:
        validate({"tags": [_entry(), _entry(min_purchases=0)]}, "tags.toml")
    assert len(error.value.problems) == 2 and "another tag" in error.value.problems[0]


def test_messages_in_chinese_too():
    from core.i18n import set_language, language
    before = language()
    set_language("zh_CN")
    try:
        with pytest.raises(TagTableError) as error:
            validate({"tags": [_entry(min_purchases=0)]}, "tags.toml")
        assert "整数" in str(error.value)
    finally:
        set_language(before)


def test_save_load_and_reset_the_sellers_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path))
    assert not load_tables().user
    tables = bundled_tables()
    edited = {"tags": [rule.as_dict() for rule in tables.rules]}
    edited["tags"][0]["keywords"] = ["organic", "zero waste", "引号\"和\\斜杠"]
    edited["tags"][0]["min_purchases"] = 3
    path = save_tables(edited)
    assert path == user_tables_path() and path.parent == tmp_path
    loaded = load_tables()
    assert loaded.user and loaded.rules[0].min_purchases == 3
    assert loaded.rules[0].keywords == ("organic", "zero waste", "引号\"和\\斜杠")
    assert loaded.rules[1:] == tables.rules[1:]
    assert save_tables(loaded) == path and load_tables().rules == loaded.rules  # TagTables saves too
    reset_tables()
    assert not path.exists() and load_tables().rules == tables.rules


def test_invalid_tables_are_never_saved(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path))
    with pytest.raises(TagTableError):
        save_tables({"tags": [_entry(min_purchases=0)]})
    assert not user_tables_path().exists()


def test_a_broken_user_file_falls_back_with_a_note_or_raises_when_strict(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path))
    user_tables_path().write_text("[[tags]]\nid = 'eco'\nname = 'Eco'\n", encoding="utf-8")
    tables = load_tables()
    assert not tables.user and tables.rules == bundled_tables().rules
    assert "name_zh" in tables.notes[0] and str(user_tables_path()) in tables.notes[0]
    with pytest.raises(TagTableError):
        load_tables(strict=True)
    user_tables_path().write_text("[[tags]\n", encoding="utf-8")
    with pytest.raises(TagTableError) as error:
        load_tables(strict=True)
    assert "TOML" in str(error.value)


# --- headless -------------------------------------------------------------------------------------

def _run(*args, lang="en", config=None):
    return run_main(*args, lang=lang, env={"SEGMENTDESK_CONFIG_DIR": str(config)} if config else None)


def test_segment_map_tags_from_the_command_line():
    result = _run("segment", *map(str, DEMO), "--map", "tags", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["map"] == "tags"
    assert {"Eco-conscious", "Gift buyer", "No clear interest"} <= {s["name"] for s in data["segments"]}


def test_tags_command_json_csv_and_both_languages(tmp_path):
    out = tmp_path / "tags.csv"
    result = _run("tags", *map(str, DEMO), "--json", "--csv", str(out), "--map", "rfm11")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [t["id"] for t in data["tags"]] == bundled_tables().ids
    assert data["customers"] == data["tagged"] + data["no_tag"]
    assert data["mix"] and all("customers" in row for row in data["mix"])
    rows = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(rows.columns) == ["customer_key", "tags", "primary_tag", "evidence"]
    assert len(rows) == data["customers"]
    zh = _run("tags", *map(str, DEMO), "--lang", "zh_CN")
    assert zh.returncode == 0 and "环保" in zh.stdout and "兴趣标签" in zh.stdout


def test_tags_command_checks_a_tables_file(tmp_path):
    broken = tmp_path / "mine.toml"
    broken.write_text("[[tags]]\nid = 'eco'\nname = 'Eco'\nkeywords = ['organic']\n", encoding="utf-8")
    result = _run("tags", *map(str, DEMO), "--tables", str(broken))
    assert result.returncode == 2 and "mine.toml" in result.stderr and "name_zh" in result.stderr


def test_evidence_for_some_customers_is_theirs_from_the_whole_shop(demo_book, demo_tags):
    """Evidence is built on first use; for a list of customers (reindexed counts and tags) it is
    exactly those customers' rows of the whole shop's evidence, in the same order."""
    tagged = demo_tags.assigned.index[demo_tags.assigned.any(axis=1)]
    some = pd.Index(list(tagged[::3]) + ["nobody@example.com"], name="customer_key")
    theirs = customer_tags(demo_book, bundled_tables(), customers=some)
    assert theirs.build_evidence is not None  # not built until asked for
    want = demo_tags.evidence[demo_tags.evidence["customer_key"].isin(set(some))].reset_index(drop=True)
    assert len(want) > 10
    pd.testing.assert_frame_equal(theirs.evidence, want)
    assert theirs.build_evidence is None  # built once; what it needed is let go
