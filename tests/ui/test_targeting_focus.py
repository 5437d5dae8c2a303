"""Targeting page: the seller's focus (categories, countries) and a margin per category feed the
plan through the debounced re-run; they change the fit and profitability scores."""
import pytest

from core.i18n import t

from tests.ui.helpers import wait_plan


@pytest.fixture
def window(demo_window):
    return demo_window


@pytest.fixture
def page(planned_page):
    return planned_page


def scores(page, criterion: str) -> dict[str, float]:
    return {row["id"]: row["scores"][criterion] for row in page.result.scorecard}


def test_focus_row_lists_the_scope_and_ticking_changes_the_fit_scores(qtbot, page):
    row = page.focus_row
    categories = [c["name"] for c in page.result.scope["categories"] if c["name"] != "?"]
    assert row.categories.values() == categories and row.categories.checked() == []
    assert row.markets.values() == [c["code"] for c in page.result.scope["countries"] if c["code"] != "?"]
    core = page.result.scope["core_categories"]
    before = scores(page, "fit")
    chosen = [c for c in categories if c not in core][-2:]  # small categories, away from the core
    assert wait_plan(qtbot, page, lambda: page.set_focus(chosen, [])) == "success"
    assert page.result.focus == {"categories": chosen, "markets": []}
    assert page.result.scope["core_categories"] == chosen and page.result.scope["focus_given"]
    assert scores(page, "fit") != before
    assert page.focus_row.categories.checked() == chosen
    assert page.scope_values["core_categories"].text() == t("ui.targeting.list_separator").join(chosen)
    # A country too, then Clear: back to the core categories and markets.
    market = page.focus_row.markets.values()[-1]
    assert wait_plan(qtbot, page, lambda: page.set_focus(chosen, [market])) == "success"
    assert page.result.scope["core_markets"] == [market]
    assert wait_plan(qtbot, page, page.focus_row.clear_button.click) == "success"
    assert page.result.focus == {"categories": [], "markets": []}
    assert page.result.scope["core_categories"] == core and scores(page, "fit") == before


def test_margin_per_category_changes_profitability(qtbot, page):
    assert wait_plan(qtbot, page, lambda: page.margin_spin.setValue(30)) == "success"
    overall = scores(page, "profitability")
    dialog = page.open_category_margins()
    categories = list(dialog.spins)
    assert categories and all(spin.value() == 30 for spin in dialog.spins.values())
    for category in categories:
        dialog.set_margin(category, 5)
    dialog.set_margin(categories[0], 90)
    assert wait_plan(qtbot, page, dialog.ok_button.click) == "success"
    assert page.result.category_margins[categories[0]] == pytest.approx(0.9)
    assert page.result.category_margins[categories[1]] == pytest.approx(0.05)
    assert scores(page, "profitability") != overall
    assert page.margins_button.text() == f"Margin per category ({len(categories)})…"
    # "Use the overall margin" goes back to one margin for everything.
    dialog = page.open_category_margins()
    assert dialog.spins[categories[0]].value() == 90
    assert wait_plan(qtbot, page, dialog.clear_button.click) == "success"
    assert page.result.category_margins is None and scores(page, "profitability") == overall
    assert page.margins_button.text() == "Margin per category…"


def test_cancelled_margin_table_changes_nothing(qtbot, page):
    dialog = page.open_category_margins()
    dialog.set_margin(list(dialog.spins)[0], 80)
    dialog.cancel_button.click()
    assert not page._weight_timer.isActive() and not page.is_running()
    assert page._category_margins is None


def test_segment_options_flow_into_the_plan(qtbot, page):
    before = page.result.customers
    options = {"custom_cuts": {"r": [30, 90, 180, 365]}}
    assert wait_plan(qtbot, page, lambda: page.set_segment_options(options)) == "success"
    assert page.result.segment_options == options
    assert page.result.plan.seg.thresholds["r"]["method"] == "custom"
    assert page.result.customers != before
