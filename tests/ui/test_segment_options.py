"""Segment options (the Options… dialog of the Segments page): own RFM thresholds, validation that
keeps OK off with the reason shown, tier shares adding up to 100 %, exchange rates merging the
currencies, the caption and its way back, the options reaching the Targeting plan, screenshots."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from core.i18n import t
from tests.ui.helpers import outcome, wait_run
from ui.segment_options import SegmentOptions, parse_cuts


@pytest.fixture
def window(demo_window):
    return demo_window


@pytest.fixture
def page(segmented_page):
    return segmented_page


def r_scores(page) -> dict[str, tuple[int, int]]:
    """Customer key -> (recency in days, R score as shown)."""
    model = page.customer_model
    return {model.data(model.index(row, 0)): (int(model.data(model.index(row, 5)).replace(",", "")),
                                              int(model.data(model.index(row, 2))))
            for row in range(model.rowCount())}


def test_parse_cuts():
    assert parse_cuts("30, 90，180") == ([30.0, 90.0, 180.0], "")
    assert parse_cuts("30") == (None, "ui.options.error_count")
    assert parse_cuts("1, 2, 3, 4, 5") == (None, "ui.options.error_count")
    assert parse_cuts("90, 30") == (None, "ui.options.error_order")
    assert parse_cuts("30, 30") == (None, "ui.options.error_order")
    assert parse_cuts("30, abc") == (None, "ui.options.error_numbers")
    assert parse_cuts("-5, 30") == (None, "ui.options.error_numbers")


def test_own_recency_thresholds_change_the_r_scores_shown(qtbot, page):
    before = r_scores(page)
    assert page.result.thresholds["r"]["method"] == "quantile"
    assert not page.options_caption.isVisible()
    dialog = page.open_options()
    assert dialog.date_edit.date().toPython() == dt.date(2026, 11, 2)  # the data's default
    assert not dialog.cut_edits["r"].isEnabled()
    dialog.cut_checks["r"].setChecked(True)
    assert dialog.cut_edits["r"].isEnabled()
    qtbot.keyClicks(dialog.cut_edits["r"], "30, 90, 180, 365")
    assert dialog.ok_button.isEnabled() and dialog.status.text() == "Ready."
    assert wait_run(qtbot, page, dialog.ok_button.click) == "success"
    assert page.result.thresholds["r"] == {"method": "custom", "cuts": [30, 90, 180, 365], "bins": 5,
                                           "distinct_scores": 5}
    after = r_scores(page)
    assert after != before
    expected = {key: 5 if days <= 30 else 4 if days <= 90 else 3 if days <= 180 else 2 if days <= 365 else 1
                for key, (days, _score) in after.items()}
    assert {key: score for key, (_days, score) in after.items()} == expected
    assert page.options_caption.isVisible()
    assert page.options_caption.text.text() == "Options: Own thresholds: R ≤ 30/90/180/365 days"
    # The way back: the caption's link segments with the defaults again.
    assert wait_run(qtbot, page, page.options_caption.reset_button.click) == "success"
    assert page.options.is_default() and not page.options_caption.isVisible()
    assert r_scores(page) == before


def test_invalid_thresholds_keep_ok_disabled_with_the_reason(qtbot, page):
    dialog = page.open_options()
    dialog.cut_checks["r"].setChecked(True)
    for text, reason in (("", "R: give 2 to 4 thresholds."),
                         ("30", "R: give 2 to 4 thresholds."),
                         ("90, 30", "R: the thresholds must go up, each larger than the one before."),
                         ("30, ninety", "R: type numbers separated by commas (no negative numbers)."),
                         ("1, 2, 3, 4, 5", "R: give 2 to 4 thresholds.")):
        dialog.cut_edits["r"].setText(text)
        assert not dialog.ok_button.isEnabled(), text
        assert dialog.status.text() == reason and dialog.status.property("state") == "error"
    dialog.cut_checks["f"].setChecked(True)
    dialog.cut_edits["f"].setText("2, 1")
    assert dialog.status.text().splitlines() == [
        "R: give 2 to 4 thresholds.", "F: the thresholds must go up, each larger than the one before."]
    dialog.cut_checks["r"].setChecked(False)  # an axis not ticked is not checked
    dialog.cut_edits["f"].setText("1, 2, 4")
    assert dialog.ok_button.isEnabled()
    dialog.high_low_edits["m"].setText("0")
    assert not dialog.ok_button.isEnabled()
    assert dialog.status.text() == "High / low M: type a number above 0, or leave it blank."
    # Cancel leaves everything as it was: no run, no options.
    dialog.cancel_button.click()
    assert not page.is_running() and page.options.is_default()


def test_tier_shares_must_add_up_to_100(qtbot, page):
    page.set_map("value")
    qtbot.waitUntil(lambda: not page.is_running() and page.result.map_id == "value", timeout=60000)
    dialog = page.open_options()
    assert [spin.value() for spin in dialog.share_spins] == [20, 30, 50]
    assert dialog.shares_sum.text() == "Together 100 %"
    dialog.share_spins[0].setValue(10)
    assert not dialog.ok_button.isEnabled()
    assert dialog.shares_sum.text() == "Together 90 %" and dialog.shares_sum.property("state") == "error"
    assert dialog.status.text() == "The tier shares add up to 90 %; they must add up to 100 %."
    dialog.share_spins[2].setValue(60)
    assert dialog.ok_button.isEnabled() and dialog.shares_sum.text() == "Together 100 %"
    assert wait_run(qtbot, page, dialog.ok_button.click) == "success"
    assert page.result.thresholds["value_tiers"]["shares"] == [0.1, 0.3, 0.6]
    assert page.options_caption.text.text() == "Options: tiers 10 / 30 / 60 %"


def test_rates_merge_the_cny_customers_into_usd(qtbot, page, window):
    assert page.result.currency == "USD" and page.result.currencies == ["CNY", "USD"]
    usd_only = len(page.result.customers.keys)
    dialog = page.open_options()
    assert dialog.rates_box.isVisibleTo(dialog) and dialog.base_combo.currentData() == "USD"
    assert not dialog.rate_edits["USD"].isVisibleTo(dialog) and dialog.rate_edits["CNY"].isVisibleTo(dialog)
    assert dialog.rate_labels["CNY"].text() == "1 CNY =" and dialog.rate_units["CNY"].text() == "USD"
    assert dialog.options().rates == {}  # empty: the currencies stay apart
    dialog.rate_edits["CNY"].setText("0.14")
    assert dialog.ok_button.isEnabled()
    assert wait_run(qtbot, page, dialog.ok_button.click) == "success"
    seg = page.result.segmentation
    assert seg.rates == {"CNY": 0.14} and page.result.currency == "USD"
    merged = len(page.result.customers.keys)
    paid = window.book.orders[(window.book.orders["status"] == "paid") & (window.book.orders["customer_key"] != "")]
    assert merged > usd_only and merged == paid["customer_key"].nunique() == 3822
    assert page.options_caption.text.text() == "Options: all in USD (1 CNY = 0.14 USD)"
    # The Targeting plan uses the same options.
    assert window.targeting_page._segment_options == {"rates": {"CNY": 0.14}, "base": "USD"}


def test_options_reach_the_targeting_plan(qtbot, page, window):
    targeting = window.targeting_page
    assert outcome(qtbot, targeting.plan_finished, lambda: (targeting.set_book(window.book),
                                                             window.show_page("targeting"))) == "success"
    assert targeting.result.scope["customers"] == 2417
    options = SegmentOptions(rates={"CNY": 0.14}, base="USD")
    assert outcome(qtbot, targeting.plan_finished, lambda: page.set_options(options)) == "success"
    assert targeting.result.scope["customers"] == 3822
    assert targeting.result.segment_options == {"rates": {"CNY": 0.14}, "base": "USD"}
    qtbot.waitUntil(lambda: not page.is_running(), timeout=60000)


def test_dialog_in_chinese_and_ok_changes_nothing_when_nothing_changed(qtbot, page):
    page.window().switch_language("zh_CN")
    assert page.options_button.text() == "选项…"
    dialog = page.open_options()
    assert dialog.title.text() == "分群选项" and dialog.ok_button.text() == "确定"
    dialog.share_spins[1].setValue(40)
    assert dialog.status.text() == "分层比例合计 110 %，必须正好是 100 %。"
    dialog.reset_all()
    assert dialog.ok_button.isEnabled() and dialog.options().is_default()
    dialog.cancel_button.click()
    page.window().switch_language("en")


def _combined(parts: list[QImage]) -> QImage:
    """The screenshots side by side on a light background, tops aligned."""
    gap = 24
    width = sum(p.width() for p in parts) + gap * (len(parts) + 1)
    height = max(p.height() for p in parts) + 2 * gap
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#eef1f5"))
    painter = QPainter(image)
    x = gap
    for part in parts:
        painter.drawImage(x, gap, part)
        x += part.width() + gap
    painter.end()
    return image


def test_screenshots_of_the_options_dialog_and_the_focus_row(qtbot, page, window, shots_dir):
    targeting = window.targeting_page
    assert outcome(qtbot, targeting.plan_finished, lambda: (targeting.set_book(window.book),
                                                             window.show_page("targeting"))) == "success"
    categories = [c["name"] for c in targeting.result.scope["categories"]][:2]
    assert outcome(qtbot, targeting.plan_finished, lambda: targeting.set_focus(categories, [])) == "success"
    own = SegmentOptions(cuts={"r": [30, 90, 180, 365]})
    assert wait_run(qtbot, page, lambda: page.set_options(own)) == "success"
    saved = []
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        window.show_page("segments")
        page_shot = shots_dir / f"segments-options-{lang}.png"
        assert window.grab().save(str(page_shot))
        saved.append(page_shot)
        window.show_page("targeting")
        dialog = page.open_options()
        dialog.cut_checks["r"].setChecked(True)
        dialog.cut_edits["r"].setText("30, 90, 180, 365")
        dialog.cut_checks["f"].setChecked(True)
        dialog.cut_edits["f"].setText("3, 2")  # a wrong entry: the reason shows, OK is off
        dialog.rate_edits["CNY"].setText("0.14")
        qtbot.waitExposed(dialog)
        assert not dialog.ok_button.isEnabled()
        shot_dialog = dialog.grab().toImage()
        dialog.cancel_button.click()
        targeting.scroll.verticalScrollBar().setValue(0)
        shot_focus = targeting.scope_panel.grab().toImage()
        assert t("ui.focus.title") == targeting.focus_row.title.text()
        name = shots_dir / f"options-{lang}.png"
        assert _combined([shot_dialog, shot_focus]).save(str(name))
        saved.append(name)
    window.switch_language("en")
    assert all(p.stat().st_size > 10_000 for p in saved)
    assert page.options == own and not page.options_caption.isHidden()
    assert Qt.CheckState.Checked == targeting.focus_row.categories.item(0).checkState()
