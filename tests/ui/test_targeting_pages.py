"""Targeting, Personas and Strategy pages: one plan of the demo data built in the background, the
scorecard re-ranked by a weight, cancel, the pattern drawn on the matrix, persona cards, actions by
marketing mix, live language switch, navigation and screenshots."""
import threading

import pytest
from PySide6.QtCore import Qt

import ui.targeting_page as targeting_page

from core.i18n import t
from tests.ui.helpers import wait_plan


@pytest.fixture
def window(demo_window):
    return demo_window


@pytest.fixture
def page(planned_page):
    return planned_page


def totals(page) -> dict[str, str]:
    model = page.scorecard_model
    total = 1 + len(page.result.criteria)
    return dict(zip(model.column(0), model.column(total)))


def test_pages_say_what_to_do_before_files_are_imported(window):
    for key in ("targeting", "personas", "strategy"):
        window.show_page(key)
    assert window.targeting_page.result is None
    text = "Open order exports first: the targeting plan is built from their customers."
    assert window.targeting_page.empty.text() == text
    assert window.personas_page.empty.text() == text and window.strategy_page.empty.text() == text
    assert not window.targeting_page.map_combo.isEnabled()


def test_scorecard_of_the_demo_plan_shows_eleven_segments_and_the_pattern(page):
    result = page.result
    assert result.map_id == "rfm11" and page.map_combo.currentData() == "rfm11"
    model = page.scorecard_model
    assert model.rowCount() == 11
    names = model.column(0)
    assert names[0] == "Champions" and names[-1] == "Lost"
    headers = model.headers
    assert headers[1:7] == ["Size", "Growth", "Profitability", "Loyalty", "Reachability", "Fit with the shop"]
    marks = model.column(len(headers) - 2)
    targets = [name for name, mark in zip(names, marks) if mark == "✓ target"]
    assert targets == [result.name(s) for s in result.order if s in result.targets] and targets
    # a knocked-out segment says why, and is never a target
    reasons = model.column(len(headers) - 1)
    out = [i for i, mark in enumerate(marks) if mark == "✗ out"]
    assert out and all(reasons[i] for i in out)
    assert {result.scorecard[i]["id"] for i in out}.isdisjoint(result.targets)
    # weights start from the screening rules
    assert {c: s.value() for c, s in page._weight_spins.items()} == {
        c: round(w) for c, w in result.plan.scorecard.weights.items()}
    # the five steps and the recommendation are on the page
    assert page.scope_values["core_categories"].text().startswith("Watches")
    assert page.needs_model.rowCount() == 11
    assert page.segments_title.text() == "3 · Segments named: 11"
    assert page.depth_model.rowCount() == len(result.targets)
    assert result.pattern.name[0] in page.pattern_panel.name.text()
    assert result.approach.name[0] in page.approach_panel.name.text()
    assert page.pattern_panel.alternatives.text().startswith("2. ")
    assert page.summary.isVisible() and result.pattern.name[0] in page.summary.text()


def test_pattern_is_drawn_on_the_segment_by_category_matrix(page):
    result = page.result
    data = page.matrix.data
    assert data.rows == [result.name(s) for s in result.targets]
    assert len(data.columns) == len(result.matrix_columns) > 0
    values = result.matrix_values
    top_column = max(range(len(data.columns)), key=lambda c: sum(row[c] for row in values))
    if result.pattern.id == "product_specialization":  # the demo's pattern: the top category's column
        assert data.highlight == {(r, top_column) for r in range(len(data.rows))}
    assert data.highlight
    import numpy as np
    for pattern, expected in (("single_segment", 1), ("market_specialization", len(data.columns)),
                              ("full_coverage", len(data.rows) * len(data.columns)),
                              ("selective_specialization", len(data.rows))):
        assert len(targeting_page.matrix_highlight(pattern, np.array(values))) == expected


def test_changing_a_weight_reruns_in_the_background_and_reranks(qtbot, page):
    before = totals(page)
    first = page.result

    def set_loyalty_to_zero():
        page.set_weight("loyalty", 0)
        assert page._weight_timer.isActive()  # debounced: nothing runs yet

    assert wait_plan(qtbot, page, set_loyalty_to_zero) == "success"
    assert page.result is not first
    assert page.result.weights["loyalty"] == 0
    after = totals(page)
    assert after != before
    assert page._weight_spins["loyalty"].value() == 0
    # Reset brings the rules' weights and the first totals back
    assert wait_plan(qtbot, page, page.reset_button.click) == "success"
    assert page._weight_spins["loyalty"].value() == round(first.weights["loyalty"])
    assert totals(page) == before


def scorecard_rows(page) -> dict[str, tuple[str, str]]:
    """Segment id -> (result mark, knock-out reason) as the scorecard shows them."""
    model = page.scorecard_model
    marks, reasons = model.column(model.columnCount() - 2), model.column(model.columnCount() - 1)
    return {row["id"]: (marks[i], reasons[i]) for i, row in enumerate(page.result.scorecard)}


def test_knockout_rules_start_from_the_data_file(page):
    rules = page.knockouts
    assert list(rules.checks) == ["too_few", "shrinking_and_small", "gone", "refunds"]
    assert all(check.isChecked() for check in rules.checks.values())
    assert rules.checks["gone"].text() == "Long gone one-time buyers"
    assert rules.title.text() == "Knock-out rules" and page.reset_button.text() == "Reset"
    boxes = rules.limit_boxes
    assert boxes["too_few", "customers"].value() == 10 and boxes["too_few", "customers"].suffix() == ""
    assert boxes["gone", "days"].value() == 540
    assert boxes["gone", "repeat"].value() == 5 and boxes["gone", "repeat"].suffix() == " %"
    assert boxes["shrinking_and_small", "share"].value() == 3 and boxes["refunds", "refund_rate"].value() == 25
    assert rules.settings() is None and page.result.knockouts is None
    assert scorecard_rows(page)["lost"][0] == "✗ out"


def test_switching_a_knockout_rule_off_brings_a_segment_back(qtbot, page):
    lost = scorecard_rows(page)["lost"]
    assert lost[0] == "✗ out" and "most of them are gone" in lost[1]

    def switch_gone_off():
        page.set_knockout("gone", False)
        assert page._weight_timer.isActive()  # debounced like the weights
        assert not page.knockouts.limit_boxes["gone", "days"].isEnabled()

    assert wait_plan(qtbot, page, switch_gone_off) == "success"
    assert page.result.knockouts == {"gone": False}
    assert not page.result.scorecard[page.result.order.index("lost")]["eliminated"]
    assert scorecard_rows(page)["lost"] == ("", "")
    assert not page.knockouts.checks["gone"].isChecked()


def test_a_stricter_limit_knocks_out_a_segment_with_its_reason_and_reset_restores(qtbot, page):
    before = totals(page), scorecard_rows(page)
    assert not page.result.scorecard[page.result.order.index("new")]["eliminated"]
    assert wait_plan(qtbot, page, lambda: page.set_knockout_limit("too_few", "customers", 100)) == "success"
    assert page.result.knockouts == {"too_few": {"customers": 100}}
    mark, reason = scorecard_rows(page)["new"]
    assert mark == "✗ out" and reason.startswith("only 79 customers: too few")
    assert "new" not in page.result.targets
    # Reset brings back the rules of the data file (and the weights)
    page.set_weight("loyalty", 0)
    assert wait_plan(qtbot, page, page.reset_button.click) == "success"
    assert page.result.knockouts is None and page.knockouts.settings() is None
    assert page.knockouts.limit_boxes["too_few", "customers"].value() == 10
    assert (totals(page), scorecard_rows(page)) == before


def test_knockout_rules_in_chinese(page):
    page.window().switch_language("zh_CN")
    assert page.knockouts.title.text() == "淘汰规则" and page.reset_button.text() == "恢复默认"
    assert page.knockouts.checks["gone"].text() == "久未回购的一次性买家"
    assert page.knockouts.limit_labels["gone", "repeat"].text() == "且复购率低于"


def test_margin_reruns_the_plan(qtbot, page):
    assert wait_plan(qtbot, page, lambda: page.margin_spin.setValue(30)) == "success"
    assert page.result.margin == pytest.approx(0.3)


def test_cancel_keeps_the_previous_plan(qtbot, page, monkeypatch):
    before = page.result
    rows_before = totals(page)
    started = threading.Event()

    def slow_plan(book, map_id, weights, margin, currency, progress):
        started.set()
        for step in range(10000):
            progress.check_cancelled()
            progress.report(step / 10000, "progress.screening")
            threading.Event().wait(0.002)
        raise AssertionError("cancel was not honoured")

    monkeypatch.setattr(targeting_page, "build_plan", slow_plan)
    with qtbot.waitSignal(page.plan_finished, timeout=20000) as finished:
        page.set_weight("size", 0)  # runs once the debounce has passed
        qtbot.waitUntil(started.is_set, timeout=5000)
        qtbot.waitUntil(lambda: page.progress_bar.value() > 0, timeout=5000)
        assert page.busy.isVisible()
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["cancelled"]
    assert page.result is before and totals(page) == rows_before
    assert page._weight_spins["size"].value() == round(before.weights["size"])  # controls show the plan again
    assert not page.busy.isVisible() and not page.is_running()


def test_personas_page_shows_one_card_per_target(qtbot, page):
    window = page.window()
    window.show_page("personas")
    personas = window.personas_page
    result = page.result
    assert personas.result is result
    assert list(personas.cards) == result.targets
    card = personas.cards[result.targets[0]]
    persona = result.personas["en"][result.targets[0]]
    assert card.name.text() == persona.name and card.segment_chip.text() == "Champions"
    assert card.statements.text().count("•") == len(persona.statements)
    assert all(chart.bars for chart in card.charts.values())
    customers = result.plan.seg.customers
    assert sum(bar.value for bar in card.charts["frequency"].bars) == (customers["segment"] == "champions").sum()


def test_personas_page_says_why_when_no_segment_is_a_target(page):
    import dataclasses

    personas = page.window().personas_page
    personas.set_result(dataclasses.replace(page.result, targets=[]))
    assert personas.cards == {} and personas.content.currentWidget() is personas.empty
    assert personas.empty.text() == t("ui.personas.no_targets")


def test_strategy_page_shows_four_mixes_for_a_target(qtbot, page):
    window = page.window()
    window.show_page("strategy")
    strategy = window.strategy_page
    result = page.result
    assert strategy.ordered_segments()[: len(result.targets)] == result.targets
    assert strategy.segment == result.targets[0]
    assert strategy.visible_mixes() == ["product", "price", "promotion", "channel"]
    assert strategy.mix_sections["product"].title.text().startswith("Product (")
    assert strategy.goal.text() == result.strategies["en"][result.targets[0]].goal
    assert "Product specialization" in strategy.headline.text()
    other = strategy.ordered_segments()[-1]
    strategy.show_segment(other)
    assert strategy.segment == other and strategy.segment_title.text().startswith(result.name(other))


def test_language_switch_shows_the_pattern_and_texts_in_chinese(page):
    window = page.window()
    result = page.result
    window.switch_language("zh_CN")
    zh_name = result.pattern.name[1]
    assert zh_name in page.pattern_panel.name.text() and result.pattern.name[0] not in page.pattern_panel.name.text()
    assert page.scorecard_model.column(0)[0] == "冠军客户"
    assert zh_name in page.summary.text() and page.summary.text().startswith("目标市场：冠军客户")
    assert page.scorecard_model.headers[1] == "规模"
    assert page.title.text() == "目标市场" and window.nav_buttons["targeting"].text() == "目标市场"
    card = window.personas_page.cards[result.targets[0]]
    persona = result.personas["zh_CN"][result.targets[0]]
    assert card.name.text() == persona.name
    # the English figures are gone from the card, not left drawn behind the Chinese ones
    from PySide6.QtWidgets import QLabel
    shown = [label.text() for label in card.findChildren(QLabel, "figureValue")
             if label.isVisibleTo(card)]
    assert shown == list(persona.figures.values())
    assert window.strategy_page.mix_sections["price"].title.text().startswith("价格")
    assert zh_name in window.strategy_page.headline.text()
    window.switch_language("en")
    assert result.pattern.name[0] in page.pattern_panel.name.text()


def test_ctrl_3_4_5_switch_to_the_targeting_pages(qtbot, window):
    window.activateWindow()
    for key, name in ((Qt.Key.Key_3, "targeting"), (Qt.Key.Key_4, "personas"), (Qt.Key.Key_5, "strategy")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == name and window.nav_buttons[name].isChecked()


def test_personas_page_alone_asks_for_the_plan(qtbot, window, demo_book):
    page = window.targeting_page
    page.set_book(demo_book)
    assert window.personas_page.empty.text() == "Building the targeting plan…"
    assert wait_plan(qtbot, page, lambda: window.show_page("personas")) == "success"
    assert list(window.personas_page.cards) == page.result.targets


def test_screenshots_in_english_and_chinese(qtbot, page, shots_dir):
    shots = shots_dir
    window = page.window()
    saved = []
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        for key in ("targeting", "personas", "strategy"):
            window.show_page(key)
            image = window.grab()
            assert image.width() >= 1000 and image.height() >= 600
            name = shots / f"{key}-{lang}.png"
            assert image.save(str(name))
            saved.append(name)
    window.switch_language("en")
    assert all(p.stat().st_size > 10_000 for p in saved)


def test_a_small_shop_gets_its_one_target_on_all_three_pages(qtbot, window, shots_dir):
    """Five customers: no segment can be screened, so the plan concentrates on the repeat buyers
    and the Targeting, Personas and Strategy pages show them and say why, in English and 中文."""
    from pathlib import Path

    from core.importing import import_files

    book = import_files([str(Path(__file__).parents[1] / "data" / "shops" / "five_customers.csv")])
    page = window.targeting_page

    def show():
        page.set_book(book)
        window.show_page("targeting")

    assert wait_plan(qtbot, page, show) == "success"
    result = page.result
    assert result.targets == ["repeat_buyers"] and result.fallback["why"] == "small"
    reason = "5 customers: too few to split into segments; concentrate on the 2 repeat buyers, 74 % of sales"
    assert page.fallback_note.isVisibleTo(page) and reason in page.fallback_note.text()
    # the group is not a screened segment
    assert page.screening_title.text() == "4 · Screening: no segment passes; the target is one group: Repeat buyers"
    assert page.summary.text().startswith("Targets: Repeat buyers")
    assert page.depth_model.column(0) == ["Repeat buyers"] and page.depth_model.column(1) == ["2"]
    assert reason in page.pattern_panel.reasons.text()
    window.show_page("personas")
    personas = window.personas_page
    assert list(personas.cards) == ["repeat_buyers"]
    card = personas.cards["repeat_buyers"]
    assert card.segment_chip.text() == "Repeat buyers" and reason in personas.subtitle.text()
    assert sum(bar.value for bar in card.charts["frequency"].bars) == 2  # the group's own customers
    window.show_page("strategy")
    strategy = window.strategy_page
    assert strategy.ordered_segments()[0] == "repeat_buyers" and strategy.segment == "repeat_buyers"
    assert strategy.segment_title.text() == "Repeat buyers · 2 customers" and reason in strategy.segment_note.text()
    assert strategy.visible_mixes() == ["product", "price", "promotion", "channel"]
    assert "review" in strategy.mix_sections["promotion"].actions_text.text()
    window.switch_language("zh_CN")
    assert "只有 5 位客户" in page.fallback_note.text() and page.summary.text().startswith("目标市场：回头客")
    assert personas.cards["repeat_buyers"].segment_chip.text() == "回头客"
    assert strategy.segment_title.text() == "回头客 · 2 位客户"
    for key in ("targeting", "personas", "strategy"):
        window.show_page(key)
        assert window.grab().save(str(shots_dir / f"small-shop-{key}-zh_CN.png"))
    window.switch_language("en")


def page_texts(widget) -> list[str]:
    """Every text a page shows: visible labels, buttons and combo boxes, list and table cells with
    their headers, and tooltips."""
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLabel

    out = []
    for label in widget.findChildren(QLabel):
        if label.isVisibleTo(widget):
            out += [label.text(), label.toolTip()]
    for control in [*widget.findChildren(QAbstractButton), *widget.findChildren(QComboBox)]:
        if control.isVisibleTo(widget):
            out += [control.currentText() if isinstance(control, QComboBox) else control.text(), control.toolTip()]
    for view in widget.findChildren(QAbstractItemView):
        model = view.model()
        if model is None or not view.isVisibleTo(widget):
            continue
        columns = model.columnCount(QModelIndex()) if hasattr(model, "headers") else 1
        out += [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(columns)]
        for row in range(model.rowCount(QModelIndex()) if hasattr(model, "headers") else model.rowCount()):
            for column in range(columns):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(model.index(row, column), role)
                    out += [value] if isinstance(value, str) else []
    return [text for text in out if text]


def planned_shop(qtbot, window, name):
    """(book, Targeting page) once the page has planned one of tests.seller_texts' shops."""
    from tests.seller_texts import shop

    book, _ = shop(name)
    page = window.targeting_page

    def show():
        page.set_book(book)
        window.show_page("targeting")

    assert wait_plan(qtbot, page, show) == "success"
    return book, page


@pytest.mark.parametrize("name", ["one_customer", "five_customers", "demo"])
def test_the_pages_show_no_raw_template_text(qtbot, window, name):
    """The template test on screen (issue 16): the Targeting, Personas and Strategy pages (every
    segment of the Strategy list) of a 1-customer shop, a 5-customer shop and the demo, in English
    and 中文, show no `{placeholder}`, nan, double space or empty list item."""
    from tests.seller_texts import LANGS, flaws

    planned_shop(qtbot, window, name)
    strategy = window.strategy_page
    for lang in LANGS:
        window.switch_language(lang)
        shown = []
        for key in ("targeting", "personas"):
            window.show_page(key)
            shown += page_texts(getattr(window, f"{key}_page"))
        window.show_page("strategy")
        for row in range(strategy.segment_list.count()):
            strategy.segment_list.setCurrentRow(row)
            shown += page_texts(strategy)
        assert len(shown) > 100
        assert [flaw for text in shown for flaw in flaws(text)] == [], (name, lang)
    window.switch_language("en")


@pytest.mark.parametrize("name", ["one_customer", "five_customers", "demo"])
def test_banner_pages_and_report_agree_on_the_targets_and_the_recommendation(qtbot, window, name):
    """One source of truth (issue 16): the plan's targets, fallback group, pattern and approach are
    what the Targeting page's banner, scorecard, steps and recommendation, the Strategy page's
    list marks and labels, the Personas page's cards and the printed summary all say, in EN and 中文."""
    import html
    import re

    from tests.seller_texts import LANGS
    from ui.report.content import build_content

    book, page = planned_shop(qtbot, window, name)
    result = page.result
    plan = result.plan
    targets, group = plan.targets, plan.fallback
    assert targets == result.targets and targets  # never an empty plan while there is a paid order
    assert (group is None) == (name == "demo") and (result.fallback is None) == (group is None)
    if group is not None:  # concentrating on one group is a single-segment, concentrated plan
        assert targets == [group.group] and (plan.pattern.id, plan.approach.id) == ("single_segment", "concentrated")
    strategy, personas = window.strategy_page, window.personas_page
    for lang in LANGS:
        window.switch_language(lang)
        zh = lang == "zh_CN"
        names = [result.name(s) for s in targets]
        # the banner
        assert page.summary.text() == t("ui.targeting.summary", targets=t("ui.targeting.list_separator").join(names),
                                        pattern=plan.pattern.name[zh], pattern_score=targeting_page.percent(plan.pattern.score),
                                        approach=plan.approach.name[zh],
                                        approach_score=targeting_page.percent(plan.approach.score))
        # the Targeting page: screening marks and title, the fallback note, the targets in depth, the choices
        model = page.scorecard_model
        marks = dict(zip((row["id"] for row in result.scorecard), model.column(model.columnCount() - 2)))
        screened = [s for s in result.order if s in targets and group is None]
        assert [s for s, mark in marks.items() if mark == t("ui.targeting.mark_target")] == screened
        assert page.screening_title.text() == (
            t("ui.targeting.step_screening_fallback", group=names[0]) if group is not None
            else t("ui.targeting.step_screening", targets=len(targets)))
        assert page.fallback_note.isVisibleTo(page) == (group is not None)
        assert page.depth_model.column(0) == names and page.matrix.data.rows == names
        assert page.pattern_panel.name.text().startswith(plan.pattern.name[zh])
        assert page.approach_panel.name.text().startswith(plan.approach.name[zh])
        # the Strategy page: "✓" and "The target…"/"A target segment." exactly for the targets
        window.show_page("strategy")
        listed = {}
        for row in range(strategy.segment_list.count()):
            strategy.segment_list.setCurrentRow(row)
            item = strategy.segment_list.item(row)
            listed[item.data(Qt.ItemDataRole.UserRole)] = (item.text().split(" ")[0], strategy.segment_note.text())
        assert list(listed)[:len(targets)] == targets
        for segment, (mark, note) in listed.items():
            if segment in targets:
                assert mark == t("ui.strategy.target_mark")
                assert note == (t("ui.strategy.is_fallback_target", reason=targeting_page.fallback_reason(result))
                                if group is not None else t("ui.strategy.is_target"))
            else:
                assert (mark, note) == (t("ui.strategy.other_mark"), t("ui.strategy.not_target"))
        # the Personas page: a card per target
        window.show_page("personas")
        assert list(personas.cards) == targets
        # the printed summary of the same plan
        report = build_content(plan, lang, book)
        text = html.unescape(report.html)
        heading = t("report.section.target", lang=lang, number=0, name="").split("0")[0]  # "Target segment "
        assert [s for s in report.sections if s.startswith(heading)] == [
            t("report.section.target", lang=lang, number=i, name=n) for i, n in enumerate(names, start=1)]
        assert len(re.findall(r'class="target">', report.html)) == len(screened)  # "Target" in the scorecard
        assert (t("report.screening.fallback_title", lang=lang, group=names[0]) in text) == (group is not None)
        for choice in (plan.pattern, plan.approach):
            assert t("report.pattern.recommended", lang=lang, title=choice.name[zh]) in text
            for alternative in choice.alternatives:  # For it / Against it as the plan says
                for line in alternative["reasons"] + alternative["missing"]:
                    assert html.escape(line[zh]).replace(" %", "\u00a0%") in report.html
    window.switch_language("en")


def _wheel(widget, notches: int):
    """A mouse-wheel turn of `notches` (negative: towards the user) over the middle of `widget`;
    returns the event, accepted or not."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    middle = QPointF(widget.rect().center())
    event = QWheelEvent(middle, QPointF(widget.mapToGlobal(middle.toPoint())), QPoint(), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def test_the_wheel_over_an_unfocused_spin_box_scrolls_past_it(qtbot, page):
    """Traps (issue 16): the wheel turned over a screening weight the seller did not click leaves
    its value and the screening alone and goes on to the page's scroll area; once clicked (focused),
    the wheel changes it. Every spin box and combo box of the page takes the focus only by click or Tab."""
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

    controls = page.findChildren(QAbstractSpinBox) + page.findChildren(QComboBox)
    assert len(controls) > 10
    assert {control.focusPolicy() for control in controls} == {Qt.FocusPolicy.StrongFocus}
    window = page.window()
    window.activateWindow()
    spin = page._weight_spins["reach"]
    page.scroll.setFocus()
    qtbot.waitUntil(lambda: page.scroll.hasFocus())
    result, totals_before, value = page.result, totals(page), spin.value()
    with qtbot.assertNotEmitted(page.plan_state):
        event = _wheel(spin, -3)
    assert not event.isAccepted()  # handed on: a real wheel scrolls the page instead
    assert spin.value() == value and not page._weight_timer.isActive()
    assert page.result is result and totals(page) == totals_before and not page.is_running()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    _wheel(spin, -1)
    assert spin.value() == value - 1 and page._weight_timer.isActive()  # focused: the wheel is its own
    page._weight_timer.stop()  # no new plan needed for this test


def test_the_map_combo_says_which_map_a_small_shop_is_shown(qtbot, window):
    """Stale labels (issue 16): with 5 customers RFM 11 would leave segments nearly empty, so the
    Segments, Targeting and Trends pages show value tiers, and their Map combo says so rather than
    "RFM 11 segments"; in 中文 too, and back to the plain name once the map shown is the one chosen."""
    from tests.seller_texts import shop
    from tests.ui.helpers import wait_run

    book, _ = shop("five_customers")
    targeting, segments, trends = window.targeting_page, window.segments_page, window.trends_page

    def show_targeting():
        targeting.set_book(book)
        window.show_page("targeting")

    assert wait_plan(qtbot, targeting, show_targeting) == "success"
    assert targeting.result.map_id == "value" and targeting.map_combo.currentData() == "rfm11"
    instead = "Value tiers (instead of RFM 11 segments)"
    assert targeting.map_combo.currentText() == instead

    def show_segments():
        segments.set_book(book)
        window.show_page("segments")

    assert wait_run(qtbot, segments, show_segments) == "success"
    assert segments.result.map_id == "value" and segments.map_combo.currentText() == instead
    trends.set_book(book)
    with qtbot.waitSignal(trends.run_finished, timeout=60000,
                          check_params_cb=lambda outcome, key: key == "migration"):
        window.show_page("trends")
        trends.show_section("migration")
    assert trends.sections["migration"].result.map_id == "value" and trends.map_combo.currentText() == instead
    window.switch_language("zh_CN")
    for page in (targeting, segments, trends):
        assert page.map_combo.currentText() == "客户价值分层（代替RFM 十一类）"
        assert page.map_combo.width() >= page.map_combo.sizeHint().width()  # never cut
    window.switch_language("en")
    assert wait_plan(qtbot, targeting, lambda: targeting.map_combo.setCurrentIndex(
        targeting.map_combo.findData("value"))) == "success"
    assert targeting.map_combo.currentText() == "Value tiers"
    assert targeting.map_combo.itemText(targeting.map_combo.findData("rfm11")) == "RFM 11 segments"


def test_countries_are_named_in_the_language_of_the_window(qtbot, window):
    """Chinese all the way (issue 16): one country table names every country the Targeting page's
    scope, focus and needs, the Segments chart and the persona chart show — "CN 100 %" on one page
    and "China" on another, or United States in 中文, are gone."""
    from tests.seller_texts import shop
    from tests.ui.helpers import wait_run

    book, _ = shop("five_customers")  # Shopify writes US, CA, GB
    targeting, segments, personas = window.targeting_page, window.segments_page, window.personas_page

    def show_targeting():
        targeting.set_book(book)
        window.show_page("targeting")

    def show_segments():
        segments.set_book(book)
        window.show_page("segments")

    assert wait_plan(qtbot, targeting, show_targeting) == "success"
    assert wait_run(qtbot, segments, show_segments) == "success"
    for lang, names in (("en", ("United States", "Canada", "United Kingdom")), ("zh_CN", ("美国", "加拿大", "英国"))):
        window.switch_language(lang)
        window.show_page("targeting")
        scope = targeting.scope_values["countries"].text()
        assert [name in scope for name in names] == [True] * 3 and "US" not in scope.replace("USD", "")
        assert targeting.scope_values["core_markets"].text() == names[0]
        focus = targeting.focus_row.markets
        assert [focus.item(i).text() for i in range(focus.count())] == list(names)
        assert all(any(cell.startswith(name) for name in names) for cell in targeting.needs_model.column(1))
        window.show_page("segments")
        assert {bar.label for bar in segments.countries_chart.bars} <= set(names)
        window.show_page("personas")
        card = next(iter(personas.cards.values()))
        assert {bar.label for bar in card.charts["country"].bars} <= set(names)
    window.switch_language("en")
