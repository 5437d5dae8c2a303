"""The Campaigns page: the list, a campaign measured in the book on screen (verdict, both groups,
chart, segment moves, balance) in English and Chinese, Create campaign…, the contact lists without
the control group, Export results…, Delete, and broken files said, not crashed on. Screenshots go
to $SEGMENTDESK_SHOTS_DIR (look at them)."""
import datetime as dt

import pandas as pd
import pytest

from core import campaigns as C
from core.i18n import set_language
from core.segments import segment
from tests.test_campaigns import START, book_of, history, later_orders
from tests.ui.helpers import outcome
from ui.campaigns_page import CampaignDraft, CampaignsPage


@pytest.fixture(scope="module")
def shop():
    frame = history(1500, seed=8)
    book = book_of(frame)
    return frame, book, segment(book, "value")


def saved_campaign(seg, share=0.3, segments=("high", "medium"), name="Spring win-back"):
    campaign = C.new_campaign(seg, list(segments), name, START,
                              [{"segment": "high", "mix": "promotion", "text": "A thank-you voucher of 10 %"}],
                              control_share=share, seed=21)
    C.save_campaign(campaign)
    return campaign


def open_page(qtbot, width=1100, height=1500) -> CampaignsPage:
    page = CampaignsPage()
    qtbot.addWidget(page)
    page.resize(width, height)
    page.show()
    qtbot.waitExposed(page)
    return page


def measured(qtbot, page, book) -> str:
    return outcome(qtbot, page.results_finished, lambda: page.set_book(book))


def test_a_campaign_measured_in_both_languages(qtbot, window, shop, shots_dir):
    frame, _book, seg = shop
    campaign = saved_campaign(seg)
    later = book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.32, "control": 0.18}, days=24)]))
    page = window.campaigns_page
    page.reload()
    window.show_page("campaigns")
    assert page.campaign_list.count() == 1 and page.current.id == campaign.id
    assert page.verdict.text().startswith("Open the exports")  # no book yet: what to open
    assert measured(qtbot, page, later) == "success"
    assert page.verdict.text().startswith("Worth it: +") and "Counted over 24 of the 30 days" in page.verdict.text()
    assert page.figures.rowCount() == 7 and page.figures.columnCount() == 4
    assert page.figures.item(2, 3).text().endswith(")") and "points" in page.figures.item(2, 3).text()
    assert set(page.chart.data.series) == {"campaign", "control"} and len(page.chart.data.dates) == 24
    assert page.balance.rowCount() == 7 and page.moves.rowCount() > 0  # the low tier, empty, left out
    qtbot.wait(50)  # the wrapped texts take their height
    window.grab().save(str(shots_dir / "campaigns-en.png"))
    page.detail_scroll.verticalScrollBar().setValue(page.detail_scroll.verticalScrollBar().maximum())
    window.grab().save(str(shots_dir / "campaigns-en-bottom.png"))
    window.switch_language("zh_CN")
    page.detail_scroll.verticalScrollBar().setValue(0)
    assert page.verdict.text().startswith("值得：复购率提升 +") and page.title.text() == "营销活动"
    assert page.figures.horizontalHeaderItem(1).text() == "活动组"
    qtbot.wait(50)
    window.grab().save(str(shots_dir / "campaigns-zh_CN.png"))
    # Another window: counted again, over 7 days.
    assert outcome(qtbot, page.results_finished, lambda: page.window_combo.setCurrentIndex(0)) == "success"
    assert page.results.window == 7 and "7 天中的 7 天" in page.verdict.text()


def test_create_export_lists_results_and_delete(qtbot, shop, dialogs, tmp_path):
    frame, book, seg = shop
    page = open_page(qtbot)
    assert page.content.currentWidget() is page.empty and "Create campaign" in page.empty.text()
    draft = CampaignDraft(seg, "high", "High-value customers",
                          [{"segment": "high", "mix": "goal", "text": "Keep them"},
                           {"segment": "high", "mix": "price", "text": "Free shipping"}], ["orders.csv"])
    dialog = page.ask_new(draft)
    assert "300 customers of High-value customers" in dialog.intro.text()
    dialog.name_edit.setText("VIP thanks")
    dialog.share_spin.setValue(20)
    dialog.seed_edit.setText("99")
    dialog.action_boxes[1][0].setChecked(False)
    with qtbot.waitSignal(page.created, timeout=20000) as created:
        dialog.ok_button.click()
    campaign = created.args[0]
    assert (campaign.name, campaign.seed, campaign.size("control")) == ("VIP thanks", 99, 60)
    assert campaign.actions == [{"segment": "high", "mix": "goal", "text": "Keep them"}]
    assert campaign.path.exists() and page.current.id == campaign.id
    assert "60 are held back" in page.note_label.text()

    page.set_book(book)
    qtbot.waitUntil(lambda: not page.is_running(), timeout=20000)
    with qtbot.waitSignal(page.export_requested, timeout=20000) as asked:
        page.export_contacts()
    request = asked.args[0]
    assert set(request.keys) == set(campaign.keys("campaign")) and request.rows == 240
    assert set(request.keys).isdisjoint(campaign.keys("control"))
    with qtbot.waitSignal(page.audience_requested, timeout=20000) as asked:
        page.export_contacts(hashed=True)
    assert set(asked.args[0].seg.customers.index) == set(campaign.keys("campaign"))

    later = book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.3, "control": 0.3})]))
    assert measured(qtbot, page, later) == "success"
    dialogs.answer = str(tmp_path / "results.xlsx")
    assert outcome(qtbot, page.work_finished, page.export_results) == "success"
    assert "Results saved to" in page.note_label.text()
    saved = pd.read_excel(tmp_path / "results.xlsx", engine="openpyxl")
    assert list(saved.columns[:3]) == ["Measure", "Campaign group", "Control group"]
    assert saved.iloc[0, 1] == 240 and saved.iloc[0, 2] == 60

    assert page.delete_current() and dialogs.questions and "VIP thanks" in dialogs.questions[-1]
    assert not campaign.path.exists() and page.campaign_list.count() == 0
    assert page.content.currentWidget() is page.empty


def test_a_broken_file_is_said_and_the_others_still_work(qtbot, shop):
    _frame, _book, seg = shop
    campaign = saved_campaign(seg)
    (campaign.path.parent / "hand-edited.json").write_text('{"format": "segmentdesk-campaign", "format_version": 9}',
                                                           encoding="utf-8")
    page = open_page(qtbot)
    assert page.campaign_list.count() == 1
    assert page.problems_label.isVisible() and "newer SegmentDesk" in page.problems_label.text()


def test_no_control_group_and_no_later_data(qtbot, shop):
    frame, book, seg = shop
    saved_campaign(seg, share=0.0, segments=("high",), name="Everyone")
    page = open_page(qtbot)
    assert "no control group" in page.groups_text.text()
    assert measured(qtbot, page, book) == "success"  # the data ends before the start
    assert page.verdict.text().startswith("No orders from 2025-03-01 on") and not page.figures.isVisible()
    assert page.balance.columnCount() == 2  # the campaign group alone


def test_the_window_has_a_campaigns_page(qtbot, window):
    window.show_page("campaigns")
    assert window.current_page() == "campaigns" and window.nav_buttons["campaigns"].text() == "Campaigns"
    assert window._campaign_requested("champions") is None  # no plan yet: nothing to plan from
    window.switch_language("zh_CN")
    assert window.nav_buttons["campaigns"].text() == "营销活动"
    assert window.campaigns_page.title.text() == "营销活动"


def test_create_campaign_buttons_on_strategy_and_personas(qtbot, shop):
    from ui.personas_page import PersonasPage
    from ui.strategy_page import StrategyPage

    strategy = StrategyPage()
    qtbot.addWidget(strategy)
    assert strategy.campaign_button.text() == "Create campaign…"
    strategy.segment = "champions"
    with qtbot.waitSignal(strategy.campaign_requested) as asked:
        strategy.campaign_button.click()
    assert asked.args == ["champions"]
    assert PersonasPage.campaign_requested is not None
    assert dt.date.today()  # the dialog's default start


def test_the_printed_summary_has_a_campaigns_section(shop):
    """The report's campaigns section (ui/report/content.py), built alone: a plan is not needed
    for it and takes long to make."""
    from ui.report.content import _Builder

    frame, _book, seg = shop
    campaign = saved_campaign(seg)
    later = book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.32, "control": 0.18})]))

    def section(lang, book):
        builder = _Builder.__new__(_Builder)
        builder.lang, builder.zh, builder.book = lang, lang == "zh_CN", book
        builder.parts, builder.sections, builder.charts = [], [], {}
        builder.campaigns()
        return builder.sections, "".join(builder.parts)

    titles, html = section("en", later)
    assert titles == ["Campaigns"] and "Spring win-back" in html and "Worth it: +" in html
    assert "525 / 225" in html and " pts (" in html
    titles, html = section("zh_CN", None)
    assert titles == ["营销活动"] and "没有打开可用于衡量的导出数据" in html
    C.delete_campaign(campaign)
    assert section("en", later) == ([], "")  # no campaign: no section


def test_cancel_keeps_what_was_on_screen_and_hidden_pages_wait(qtbot, shop):
    frame, _book, seg = shop
    campaign = saved_campaign(seg)
    later = book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.32, "control": 0.18})]))
    page = open_page(qtbot)
    assert outcome(qtbot, page.results_finished, lambda: (page.set_book(later), page.cancel())) == "cancelled"
    assert page.results is None and page.verdict.text().startswith("Stopped.")
    assert measured(qtbot, page, later) == "success"
    before = page.results
    assert outcome(qtbot, page.results_finished,
                   lambda: (page.window_combo.setCurrentIndex(0), page.cancel())) == "cancelled"
    assert page.results is before and page.results_title.text() == "Results over 30 days"  # still the old ones
    page.hide()
    page.set_book(later)  # hidden: nothing runs until the page is shown
    assert not page.is_running() and page._pending
    with qtbot.waitSignal(page.results_finished, timeout=20000) as done:
        page.show()
    assert done.args == ["success"] and page.results.window == 7
