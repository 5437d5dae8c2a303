"""The template test (issue 16): every template of every rule under resources/targeting/ (patterns,
approaches and their reasons, knock-out and fallback reasons, personas, strategies, common actions)
rendered with the facts of a 1-customer shop, a 5-customer shop and the demo, and everything the
plan writes from them (plan JSON with cross-sell texts, the terminal plan, the printed summary)
in English and 中文: no raw `{placeholder}`, no nan, no double space, no empty list item."""
import html
import math
import re
import tomllib
from functools import cache

import pytest

from core.targeting import texts
from core.targeting.pattern import recommend
from core.targeting.texts import TARGETING, fill, placeholders
from tests.seller_texts import LANGS, SHOPS, flaws, shop, strings

DATA_FILES = sorted(p for p in TARGETING.rglob("*.toml") if p.name != "crosssell.toml")  # cross-sell: below


def test_the_check_finds_what_a_seller_must_not_see():
    bad = ["they differ (distinctness {distinctness})", "budget below nan", "Targets:  · Pattern: x",
           "a, , b", "Targets:  · ", "order values from  to US$5", "Categories: ; core:", "价格：、高价", "（）"]
    assert [text for text in bad if not flaws(text)] == []
    good = ["•  5 customers: too few to split", "✓  Champions", "Targets: Repeat buyers · Pattern: x (71 %)",
            "目标市场：回头客、忠实客户", "None of the files could be read.", "US$66.95"]
    assert [text for text in good if flaws(text)] == []


def _templates(tree, where=""):
    """(where, English, Chinese) for every text pair with a placeholder in a data file."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if isinstance(value, str) and isinstance(tree.get(f"{key}_zh"), str):
                if placeholders(value) | placeholders(tree[f"{key}_zh"]):
                    yield f"{where}.{key}", value, tree[f"{key}_zh"]
            elif isinstance(value, (dict, list)):
                yield from _templates(value, f"{where}.{key}")
    elif isinstance(tree, list):
        for i, item in enumerate(tree):
            yield from _templates(item, f"{where}[{i}]")


@cache  # asked once per template of the file: the same facts every time
def _fact_sets(name: str, relative: str) -> list[tuple[str, dict]]:
    """(whose, facts in English, facts in Chinese) that a data file's templates are filled with
    (read, never changed)."""
    _, plan = shop(name)
    if relative == "patterns.toml":  # the plan's signals; in Chinese `x_zh` stands for `x`
        zh = {key[:-3]: value for key, value in plan.signals.items() if key.endswith("_zh")}
        return [("signals", plan.signals, {**plan.signals, **zh})]
    shop_values = {"shop_customers": len(plan.seg.customers), "segments": len(plan.seg.order),
                   "currency": plan.seg.currency, "first": "Emma", "descriptor": "the regular"}
    rows = list(texts.fact_rows(plan.scorecard.table).items())  # the map's segments, with screening figures
    if plan.fallback is not None:
        rows += texts.fact_rows(plan.fallback.facts).items()
    return [(sid, {**shop_values, **row}, {**shop_values, **row}) for sid, row in rows]


@pytest.fixture(scope="module")
def rendered() -> dict:
    """(file, where) -> how many times the template rendered, over every shop, fact set and language;
    fails on the first flawed text."""
    counts = {}
    for path in DATA_FILES:
        relative = path.relative_to(TARGETING).as_posix()
        with path.open("rb") as f:
            pairs = list(_templates(tomllib.load(f)))
        for where, english, chinese in pairs:
            counts[(relative, where)] = 0
            for name in SHOPS:
                for whose, facts_en, facts_zh in _fact_sets(name, relative):
                    for lang, template, facts in (("en", english, facts_en), ("zh_CN", chinese, facts_zh)):
                        text = fill(template, facts, lang)  # None: a fact is missing, the text is left out
                        if text is None:
                            continue
                        assert not flaws(text), (relative, where, name, whose, lang, text)
                        counts[(relative, where)] += 1
    return counts


def test_every_template_renders_clean_with_every_shops_facts(rendered):
    assert len(rendered) > 150


def test_every_template_renders_for_some_shop(rendered):
    """A template no shop can fill names a fact that does not exist: it would never be shown."""
    assert [key for key, count in rendered.items() if count == 0] == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", SHOPS)
def test_everything_the_plan_writes_is_clean(name, lang):
    from core.cli import format_plan
    from core.i18n import set_language
    from core.targeting.plan import plan_json
    from ui.report.content import build_content

    book, plan = shop(name)
    data = plan_json(plan, lang)
    set_language(lang)  # the terminal plan speaks the language set for the command line
    try:
        terminal = format_plan(data)
    finally:
        set_language("en")
    report = build_content(plan, lang, book)
    page_text = re.sub(r"<[^>]+>", "\n", html.unescape(report.html))
    charts = [text for chart in report.charts.values() for text in strings(vars(chart))]
    written = [*strings(data), *terminal.splitlines(), *page_text.splitlines(), *charts]
    assert len(written) > 100
    assert [flaw for text in written for flaw in flaws(text)] == []
    for choice in (data["pattern"], data["approach"]):  # every reason is stated, none dropped
        assert choice["reasons"] and all(a["reasons"] or a["missing"] for a in choice["alternatives"])


def test_a_reason_whose_numbers_are_missing_is_left_out_never_shown_raw():
    signals = {"targets": 2, "categories": 3, "top_category": "Watches", "top_category_share": 0.6,
               "top_category_lead_in": 1.0, "lead_count": 2, "top_segment": "Champions", "top_segment_share": 0.7,
               "top_segment_breadth": 1, "distinct_leads": 1, "lead_strength": 0.5, "coverage": 0.5,
               "distinctness": 0.5, "standardised": 0.4, "orders_per_month": 300, "skus": 30, "customers": 500,
               "min_aov": math.nan, "max_aov": math.nan, "currency": "USD", "fallback": 0}
    for choice in recommend(signals):
        lines = [r for r in choice.reasons] + [r for a in choice.alternatives for r in a["reasons"] + a["missing"]]
        assert lines and all(text and not flaws(text) for line in lines for text in line)
