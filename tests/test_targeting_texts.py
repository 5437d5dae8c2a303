"""Targeting texts: safe conditions, formatting, complete strategies and personas from facts only."""
import math
import tomllib

import pytest

from core.targeting.facts import segment_facts
from core.targeting.personas import personas
from core.targeting.strategies import MIXES, map_segments, strategies
from core.targeting.texts import (TARGETING, TemplateError, conditions_in, fill, format_value, friendly,
                                  holds, load, money, month, parse_condition, percent, placeholders, weekday)
from tests.conftest import ROOT

MAPS = ("rfm11", "rfgrid", "cn8", "value")
LANGS = ("en", "zh_CN")
DATA_FILES = sorted(TARGETING.rglob("*.toml"))


def demo(book, map_id: str, currency: str | None = None):
    """The demo book (the session's demo_book) segmented, and its facts (built once per map)."""
    from core.segments import segment

    def build(book):
        seg = segment(book, map_id, currency=currency)
        return seg, segment_facts(seg, book)

    return book.memo(f"test_targeting_texts:{map_id}:{currency}", build)


DEMO_RUNS = [(m, None) for m in MAPS + ("clusters", "affinity")] + [("value", "CNY")]


# --- conditions --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, facts, expected", [
    ("repeat_rate >= 0.5 and median_recency > 90", {"repeat_rate": 0.6, "median_recency": 140}, True),
    ("repeat_rate >= 0.5 and median_recency > 90", {"repeat_rate": 0.4, "median_recency": 140}, False),
    ("price_level == 'premium'", {"price_level": "premium"}, True),
    ('price_level != "budget"', {"price_level": "budget"}, False),
    ("a < 1 or b == 'x'", {"a": 2, "b": "x"}, True),
    ("a < 1 or b == 'x' and c > 0", {"a": 2, "b": "x", "c": 0}, False),  # and binds tighter
    ("(a < 1 or b == 'x') and c > 0", {"a": 0, "b": "y", "c": 1}, True),
    ("aov > -5", {"aov": 0}, True),
])
def test_conditions(text, facts, expected):
    assert parse_condition(text)(facts) is expected


@pytest.mark.parametrize("text, facts", [
    ("repeat_rate >= 0.5", {"repeat_rate": math.nan}),  # NaN fact
    ("unknown_fact > 1", {"aov": 3}),  # unknown name
    ("unknown_fact != 'x'", {}),
    ("price_level == 'premium'", {"price_level": None}),
    ("aov > 'premium'", {"aov": 3}),  # number against text
])
def test_missing_or_unknown_facts_make_a_condition_false(text, facts):
    assert parse_condition(text)(facts) is False


@pytest.mark.parametrize("text", ["repeat_rate >=", "a = 1", "a > 1 and", "(a > 1", "a > b", "> 1",
                                  "a > 1 b < 2", "import os", "a > 1; b", "__import__('os') == 1"])
def test_invalid_conditions_name_the_file_and_the_text(text):
    with pytest.raises(TemplateError) as error:
        parse_condition(text, "resources/targeting/x.toml")
    assert "resources/targeting/x.toml" in str(error.value) and repr(text) in str(error.value)


def test_no_condition_always_holds():
    assert holds("", {}) and holds(None, {})


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_condition_of_every_data_file_parses(path):
    with path.open("rb") as f:
        for when in conditions_in(tomllib.load(f)):
            parse_condition(when, str(path))


# --- formatting --------------------------------------------------------------------------------

def test_money():
    assert money(186.4, "USD") == "US$186"
    assert money(186, "CNY", "zh_CN") == "¥186"
    assert money(186.2, "EUR") == "EUR 186"
    assert money(32.83, "USD") == "US$32.83"
    assert money(20, "USD") == "US$20"
    assert money(522884.55, "CNY") == "¥522,885"


def test_percent_months_weekdays():
    assert percent(0.3712) == "37 %" and percent(0.3712, "zh_CN") == "37%"
    assert percent(0.0043) == "0.4 %" and percent(0.14, signed=True) == "+14 %"
    assert month(12) == "December" and month(12, "zh_CN") == "12月"
    assert weekday(0) == "Monday" and weekday(6, "zh_CN") == "周日"
    assert format_value("median_recency", {"median_recency": 140.0}) == "140 days"
    assert format_value("customers", {"customers": 1234}) == "1,234"
    assert format_value("top_platform", {"top_platform": "Douyin"}, "zh_CN") == "抖店"


def test_friendly_coupon_is_about_a_tenth_of_the_order():
    for aov in (9.5, 32.83, 71, 154, 193.66, 535.8, 2400):
        assert 0.08 <= friendly(0.12 * aov) / aov <= 0.16, aov


def test_a_missing_fact_skips_the_template():
    assert fill("{customers} buyers, average {aov}", {"customers": 3, "aov": math.nan, "currency": "USD"}) is None
    assert fill("{customers} buyers", {"customers": 3}) == "3 buyers"


# --- data files --------------------------------------------------------------------------------

def _texts(tree, path=""):
    """(where, text, text_zh) for every English/Chinese pair in a data file."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if isinstance(value, str) and f"{key}_zh" in tree:
                yield f"{path}.{key}", value, tree[f"{key}_zh"]
            elif isinstance(value, (dict, list)):
                yield from _texts(value, f"{path}.{key}")
    elif isinstance(tree, list):
        for i, item in enumerate(tree):
            yield from _texts(item, f"{path}[{i}]")


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_each_text_and_its_chinese_use_the_same_placeholders(path):
    with path.open("rb") as f:
        for where, text, text_zh in _texts(tomllib.load(f)):
            assert placeholders(text) == placeholders(text_zh), f"{path.name} {where}"


@pytest.mark.parametrize("map_id", MAPS)
def test_every_segment_of_every_map_has_a_goal_and_every_mix(map_id):
    with (ROOT / "resources" / "segments" / f"{map_id}.toml").open("rb") as f:
        ids = tomllib.load(f)["order"]
    segments = map_segments(map_id)
    for sid in ids:
        spec = segments[sid]
        assert spec["goal"].strip() and spec["goal_zh"].strip(), sid
        for mix in MIXES:
            # an action without a condition, so the mix is always covered
            assert any(a["mix"] == mix and not a.get("when") and a["text"] and a["text_zh"]
                       for a in spec["actions"]), (map_id, sid, mix)


# --- generated texts on the demo ---------------------------------------------------------------

def _clean(text: str) -> bool:
    return "{" not in text and "}" not in text and "nan" not in text.lower().split() and "NaN" not in text


@pytest.mark.parametrize("map_id, currency", DEMO_RUNS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_demo_segment_gets_a_strategy_and_a_persona(map_id, currency, lang, demo_book):
    seg, facts = demo(demo_book, map_id, currency)
    plans, people = strategies(seg, facts, lang), personas(seg, facts, lang)
    assert list(plans) == list(seg.labels) == list(people)
    for sid, plan in plans.items():
        assert plan.goal and _clean(plan.goal), (sid, plan.goal)
        assert [a.mix for a in plan.actions] == sorted((a.mix for a in plan.actions), key=MIXES.index)
        assert {a.mix for a in plan.actions} == set(MIXES), sid
        for action in plan.actions:
            assert _clean(action.text), action.text
        person = people[sid]
        assert 4 <= len(person.statements) <= 7, sid
        for text in [person.name, person.portrait, *person.statements, *person.figures.values()]:
            assert text and _clean(text), text
        if lang == "zh_CN":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in plan.goal + person.portrait)


@pytest.mark.parametrize("lang", LANGS)
def test_persona_numbers_are_the_facts(lang, demo_book):
    seg, facts = demo(demo_book, "rfm11")
    for sid, person in personas(seg, facts, lang).items():
        row = facts.loc[sid]
        text = " ".join(person.statements)
        assert f"{row['customers']:,}" in text
        assert money(row["aov"], row["currency"], lang) in text
        assert percent(row["repeat_rate"], lang) in text
        assert format_value("median_recency", row, lang) in text
        assert person.figures[next(iter(person.figures))] == f"{row['customers']:,}"


def test_strategy_numbers_are_the_facts(demo_book):
    seg, facts = demo(demo_book, "value", "CNY")
    high = strategies(seg, facts, "zh_CN")["high"]
    assert f"{facts.loc['high', 'customers']}" in high.goal
    assert percent(facts.loc["high", "share_net_sales"], "zh_CN") in high.goal
    assert any("淘宝" in a.text for a in high.actions if a.mix == "channel")
    medium = strategies(seg, facts, "en")["medium"]
    assert any(money(facts.loc["medium", "aov"], "CNY") in a.text for a in medium.actions if a.mix == "price")


# --- country names: one table, whatever the export wrote (issue 16) -----------------------------

def test_country_name_comes_from_the_one_country_table():
    from core.countries import country_name

    assert country_name("US") == "United States" and country_name("United States", "zh_CN") == "美国"
    assert country_name("美国") == "United States" and country_name("us", in_text=True) == "the US"
    assert country_name("Việt Nam", "zh_CN") == "越南" and country_name("FR", in_text=True) == "France"
    assert country_name("Atlantis", "zh_CN") == "Atlantis" and country_name("?") == "?"  # as written
    assert format_value("top_country", {"top_country": "United Kingdom"}) == "the UK"
    assert format_value("top_country", {"top_country": "GB"}, "zh_CN") == "英国"


def test_countries_written_as_names_are_shown_in_chinese_on_every_page_and_in_the_report(tmp_path):
    """An export that writes "United States" and "France" (Etsy, TikTok Shop) shows 美国 and 法国 in
    中文 — the plan's needs, the persona, the terminal plan and the printed summary — and the
    same English name as a code would ("United States", in a sentence "the US")."""
    import html
    import re

    from core.cli import format_plan
    from core.i18n import set_language
    from core.targeting.plan import plan_json
    from tests.test_targeting_patterns import plan_for
    from ui.report.content import build_content

    plan = plan_for(tmp_path, [
        {"customers": 40, "orders": 3, "recent": 60, "mix": {"Watches": 1}, "price": 120, "country": "United States"},
        {"customers": 30, "orders": 1, "recent": 200, "mix": {"Bags": 1}, "price": 40, "country": "France"}],
        map_id="value")
    for lang, us, fr in (("en", "United States", "France"), ("zh_CN", "美国", "法国")):
        data = plan_json(plan, lang)
        assert {need["top_country"] for need in data["needs"]} <= {us, fr} and us in {n["top_country"] for n in data["needs"]}
        portraits = " ".join(p["portrait"] + " ".join(p["statements"]) for p in data["personas"])
        pools = load("personas.toml")["first_names"]  # first names of the country, found by its name
        assert all(p["name"].split(",")[0].split(" · ")[0] in pools["US"] + pools["FR"] for p in data["personas"])
        set_language(lang)
        try:
            terminal = format_plan(data)
        finally:
            set_language("en")
        assert f"{us} " in terminal
        cover = re.sub(r"<[^>]+>", "\n", html.unescape(build_content(plan, lang).html))
        assert re.search(rf"{us} \d+\s?%", cover) and re.search(rf"{fr} \d+\s?%", cover)
        if lang == "zh_CN":
            assert "United States" not in cover + terminal + str(data["needs"]) + portraits
