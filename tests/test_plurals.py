"""English plurals are right in every text the plan writes: plan JSON (scope, needs, scorecard
reasons, pattern and approach, personas, strategies, cross-sell), the terminal plan and the printed
summary, for the demo and for a shop with a single customer."""
import html
import re
from pathlib import Path

import pytest

from core.cli import format_plan
from core.importing import import_files
from core.targeting.plan import make_plan, plan_json
from tests.test_cli import DEMO

SHOPS = Path(__file__).parent / "data" / "shops"
WRONG = re.compile(r"(?<![\d.,])1 (customers|orders|purchases)\b")


def strings(tree):
    if isinstance(tree, dict):
        for value in tree.values():
            yield from strings(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from strings(value)
    elif isinstance(tree, str):
        yield tree


def generated_texts(files: list[str]) -> list[str]:
    from ui.report.content import build_content

    book = import_files(files)
    plan = make_plan(book, "rfm11")
    data = plan_json(plan, "en")
    report = build_content(plan, "en", book)
    text = re.sub(r"<[^>]+>", "\n", html.unescape(report.html))
    charts = [value for chart in report.charts.values() for value in vars(chart).values() if isinstance(value, str)]
    return [*strings(data), *format_plan(data).splitlines(), *text.splitlines(), *charts]


def test_the_pattern_finds_wrong_plurals_only():
    assert WRONG.search("only 1 customers: too few") and WRONG.search("(1 orders a month")
    assert not any(WRONG.search(t) for t in ("1 customer", "21 customers", "1,201 orders", "0.1 purchases"))


@pytest.mark.parametrize("shop", ["demo", "one_customer"])
def test_no_wrong_plural_in_any_generated_text(shop):
    texts = generated_texts(DEMO if shop == "demo" else [str(SHOPS / f"{shop}.csv")])
    assert len(texts) > 300
    assert [t for t in texts if WRONG.search(t)] == []
    if shop == "one_customer":  # the singular forms are really there
        joined = "\n".join(texts)
        assert "1 customer:" in joined and "1 order a month" in joined
