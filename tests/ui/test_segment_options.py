"""Segment options (the Thresholds, tiers and rates… dialog of the Segments page): own RFM thresholds
starting from the cut points in use, validation by the command line's checks that keeps OK off
with the reason shown, tier shares adding up to 100 %, exchange rates typed or read from a rate
table file merging the currencies, the caption and its way back, the options reaching the
Targeting plan, every page's choices surviving a restart, screenshots."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from core import segment_options as checks
from core.errors import InputError
from core.i18n import t
from core.resources import RESOURCES
from tests.test_segment_options import BAD_CUTS
from tests.ui.conftest import open_window
from tests.ui.helpers import import_and_analyse, outcome, wait_plan, wait_run
from ui.segment_options import SegmentOptions, SegmentOptionsDialog

DEMO = sorted(str(p) for p in (RESOURCES / "demo").glob("*.csv"))


@pytest.fixture
def window(demo_window):
    return demo_window


@pytest.fixture
def page(segmented_page):
    return segmented_page


def r_scores(page) -> dict[str, tuple[int, int]]:
    """Customer key -> (recency in days, R score as shown)."""
    model = page.customer_model
    return {model.data(model.index(row, 0)): (int(model.data(model.index(row, model.RECENCY)).replace(",", "")),
                                              int(model.data(model.index(row, model.RFM))[0]))
            for row in range(model.rowCount())}


def test_the_dialog_refuses_what_the_command_line_refuses_with_the_same_words(qtbot, page):
    """Every bad axis entry of the core's table (tests/test_segment_options.py), typed in its box."""
    dialog = page.open_options()
    for text, _message_id, _params in BAD_CUTS:
        axis, _, numbers = text.partition("=")
        if axis not in checks.AXES or not numbers:
            continue  # "x=…", "r": the command line's own syntax, no box to type it in
        dialog.cut_checks[axis].setChecked(True)
        dialog.cut_edits[axis].setText(numbers)
        with pytest.raises(InputError) as cli:
            checks.parse_cuts(text)
        assert not dialog.ok_button.isEnabled(), text
        assert dialog.status.text() == cli.value.problem.message("en"), text
        dialog.cut_checks[axis].setChecked(False)
    assert dialog.ok_button.isEnabled()
    dialog.cancel_button.click()


def test_the_cut_points_in_use_are_shown_and_a_ticked_axis_starts_from_them(qtbot, page):
    used = page.result.thresholds
    assert used["r"] == {"method": "quantile", "cuts": [102.0, 303.0, 379.0, 583.0], "bins": 5,
                         "distinct_scores": 5}
    assert page.cuts_row.isVisible() and "102 / 303 / 379 / 583" in page.cuts.text()
    assert page.cuts_button.text() == "Set your own…" and page.options_button.text() == "Thresholds, tiers and rates…"
    page.cuts_button.click()  # the link beside the cut points opens the dialog
    dialog = next(d for d in page.findChildren(SegmentOptionsDialog) if d.isVisible())
    assert dialog.cut_now["r"].text() == "now 102 / 303 / 379 / 583 (quantiles)"
    assert dialog.cut_now["f"].text().startswith("now 1 / ")
    dialog.cut_checks["r"].setChecked(True)
    assert dialog.cut_edits["r"].text() == "102, 303, 379, 583"  # edit from what is in use
    dialog.cut_edits["r"].setText("30, 90, 180, 365")
    assert wait_run(qtbot, page, dialog.ok_button.click) == "success"
    dialog = page.open_options()
    assert dialog.cut_now["r"].text() == "now 30 / 90 / 180 / 365 (yours)"
    dialog.cancel_button.click()


def test_own_recency_thresholds_change_the_r_scores_shown(qtbot, page):
    before = r_scores(page)
    assert page.result.thresholds["r"]["method"] == "quantile"
    assert not page.options_caption.isVisible()
    dialog = page.open_options()
    assert dialog.date_edit.date().toPython() == dt.date(2026, 11, 2)  # the data's default
    assert not dialog.cut_edits["r"].isEnabled()
    dialog.cut_checks["r"].setChecked(True)
    assert dialog.cut_edits["r"].isEnabled()
    dialog.cut_edits["r"].clear()  # ticked, it held the quantiles in use
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
    assert dialog.status.text() == "High / low M: the limit must be a number above 0 (without one, the mean is used)."
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
    assert page.options_button.text() == "阈值、分层与汇率…"
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


def test_a_rate_table_file_is_read_as_the_command_line_reads_it(qtbot, page, window, tmp_path, monkeypatch):
    import ui.segment_options

    chosen = {"path": ""}
    monkeypatch.setattr(ui.segment_options.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (chosen["path"], "")))
    bad = tmp_path / "rates.toml"
    bad.write_text('base = "USD"\n[rates]\nCNY = -1\n', encoding="utf-8")
    good = tmp_path / "fx.toml"
    good.write_text('base = "USD"\n[rates]\nCNY = 0.14\nEUR = 1.08\n', encoding="utf-8")
    dialog = page.open_options()
    assert dialog.rates_file_button.isVisibleTo(dialog) and dialog.rates_file_button.text() == "Rate table file…"
    chosen["path"] = str(bad)
    dialog.rates_file_button.click()
    with pytest.raises(InputError) as cli:
        checks.read_rates(bad)
    refused = cli.value.problem.message("en")
    assert refused.startswith("rates.toml: the rate of “CNY” must be a number above 0")
    assert dialog.rates_file_note.text() == refused and refused in dialog.status.text().splitlines()
    assert not dialog.ok_button.isEnabled() and dialog.rate_edits["CNY"].text() == ""
    chosen["path"] = str(good)
    dialog.rates_file_button.click()
    assert dialog.base_combo.currentData() == "USD" and dialog.rate_edits["CNY"].text() == "0.14"
    assert dialog.rates_file_note.text() == "Rates read from fx.toml." and dialog.ok_button.isEnabled()
    assert wait_run(qtbot, page, dialog.ok_button.click) == "success"
    assert page.result.segmentation.rates == {"CNY": 0.14} and len(page.result.customers.keys) == 3822
    assert page.options.rates_file == str(good)
    assert page.options_caption.text.text() == "Options: all in USD (1 CNY = 0.14 USD, from fx.toml)"
    # A rate typed by hand afterwards: the rates are no longer the file's.
    dialog = page.open_options()
    assert dialog.rates_file_note.text() == "Rates read from fx.toml."
    qtbot.keyClicks(dialog.rate_edits["CNY"], "5")
    assert dialog.options().rates == {"CNY": 0.145} and dialog.options().rates_file is None
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not page.is_following_up(), timeout=60000)


def test_every_pages_choices_survive_a_restart(qtbot):
    from ui.campaigns_page import WINDOWS
    from ui.report_page import PAPERS
    from ui.trends_page import HORIZON_WEEKS

    window = open_window(qtbot, 768)
    assert import_and_analyse(qtbot, window, DEMO) == "success"
    segments, targeting = window.segments_page, window.targeting_page
    window.show_page("segments")
    options = SegmentOptions(cuts={"r": [30.0, 90.0, 180.0, 365.0]}, shares=(0.1, 0.3, 0.6))
    with qtbot.waitSignal(targeting.plan_finished, timeout=120000):  # the plan follows the options
        assert wait_run(qtbot, segments, lambda: segments.set_options(options)) == "success"
    cny = segments.currency_combo.findData("CNY")
    assert wait_run(qtbot, segments, lambda: segments.currency_combo.setCurrentIndex(cny)) == "success"
    window.show_page("targeting")
    assert wait_plan(qtbot, targeting, lambda: targeting.currency_combo.setCurrentIndex(
        targeting.currency_combo.findData("CNY"))) == "success"
    assert wait_plan(qtbot, targeting, lambda: targeting.set_category_margins({"Watches": 0.35})) == "success"
    window.trends_page.show_section("lifetime")
    window.trends_page.lifetime.horizon_combo.setCurrentIndex(HORIZON_WEEKS.index(52))
    window.campaigns_page.window_combo.setCurrentIndex(WINDOWS.index(60))
    window.report_page.paper_combo.setCurrentIndex(PAPERS.index("letter"))
    qtbot.waitUntil(lambda: not segments.is_following_up(), timeout=60000)
    window.close()  # keeps the choices of the files on screen

    again = open_window(qtbot, 768)
    assert import_and_analyse(qtbot, again, list(reversed(DEMO))) == "success"  # any order: same set
    segments, targeting = again.segments_page, again.targeting_page
    assert segments.options == options and segments.options_caption.isVisibleTo(segments)
    assert segments.result.currency == "CNY" and segments.result.thresholds["r"]["method"] == "custom"
    assert segments.result.segmentation.requested_map == "rfm11"
    assert targeting.result.currency == "CNY" and targeting.result.category_margins == {"Watches": 0.35}
    assert targeting.result.segment_options == options.kwargs()
    assert segments.runs == 0 and targeting.runs == 0  # all made by the one analysis after the import
    assert again.trends_page.tabs.currentIndex() == 2
    assert again.trends_page.lifetime.horizon_combo.currentData() == 52
    assert again.campaigns_page.window_days() == 60
    assert again.report_page.paper_combo.currentData() == "letter"
    qtbot.waitUntil(lambda: not segments.is_following_up(), timeout=60000)
