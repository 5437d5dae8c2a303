"""The desktop product around the pages: Overview dashboard links, loaded files (add, remove),
recent files, settings restored when the same files are opened again, the Report page."""
from pathlib import Path

from PySide6.QtCore import Qt

from core.i18n import language
from core.resources import RESOURCES
from tests.ui.conftest import open_window
from tests.ui.helpers import import_and_analyse, import_and_wait, outcome, wait_plan, wait_run
from ui import settings

DEMO = sorted(str(p) for p in (RESOURCES / "demo").glob("*.csv"))
SHOPIFY = [p for p in DEMO if Path(p).name.startswith(("shopify", "products"))]
TAOBAO = [p for p in DEMO if Path(p).name.startswith("Export")]


def test_overview_cards_fill_after_the_import_without_visiting_a_page(qtbot, window):
    assert import_and_analyse(qtbot, window, DEMO) == "success"
    assert window.current_page() == "overview" and not window.banner.isVisible()
    page = window.summary_page
    chart, months = page.month_chart.chart, window.summary["monthly"]["months"][-24:]
    assert months and chart.title.endswith("(USD)")
    assert [bar.value for bar in chart.bars] == [amount for _month, amount in months]
    assert chart.highlight == len(months) - 1  # the latest month stands out
    segments, targeting = window.segments_page, window.targeting_page
    top = max(segments.result.table, key=lambda row: row["net_sales"])
    assert page.segments_card.value.text() == top["name"] == "Champions"
    plan = targeting.result
    assert page.target_card.value.text() == plan.pattern.name[0] == "Product specialization"
    assert page.target_card.detail.text() == (
        "Differentiated marketing · 4 targets\n"
        "Why: 4 segments pass the screening; Watches makes 61 % of the target segments' sales.")
    # Every page takes the result computed after the import: showing them computes nothing again.
    assert segments.runs == 0 and targeting.runs == 0
    for key in ("segments", "targeting", "personas", "strategy"):
        window.show_page(key)
        assert not segments.is_running() and not targeting.is_running(), key
    assert segments.runs == 0 and targeting.runs == 0
    assert window.personas_page.result is plan and window.strategy_page.result is plan
    assert targeting.has_current_plan()
    # Each card opens its page.
    window.show_page("overview")
    qtbot.mouseClick(page.segments_card, Qt.MouseButton.LeftButton)
    assert window.current_page() == "segments"
    window.show_page("overview")
    page.target_card.setFocus()
    qtbot.keyClick(page.target_card, Qt.Key.Key_Return)
    assert window.current_page() == "targeting"
    # A choice changed on a page runs that page again, as before.
    assert wait_run(qtbot, segments, lambda: segments.set_bins(4)) == "success"
    assert segments.runs == 1 and segments.result.bins == 4
    qtbot.waitUntil(lambda: not segments.is_following_up(), timeout=60000)


def test_a_five_customer_shop_gets_its_fallback_plan_on_the_overview(qtbot, window):
    shop = str(RESOURCES.parent / "tests" / "data" / "shops" / "five_customers.csv")
    assert import_and_analyse(qtbot, window, [shop]) == "success"
    page = window.summary_page
    assert page.target_card.value.text() == "Single-segment concentration"
    assert page.target_card.detail.text() == (
        "Concentrated marketing · 1 target\n"
        "Why: 5 customers: too few to split into segments; concentrate on the 2 repeat buyers, 74 % of sales.")
    assert page.segments_card.value.text() != "…"
    window.switch_language("zh_CN")
    assert page.target_card.value.text() == "单一市场集中化"
    assert "理由：只有 5 位客户" in page.target_card.detail.text()
    qtbot.waitUntil(lambda: not window.segments_page.is_following_up(), timeout=60000)


def test_cancelling_the_analysis_leaves_the_cards_waiting_and_the_pages_run_when_shown(qtbot, window):
    def cancel_at_once(outcome_):
        if outcome_ == "success":
            window.banner.cancel_button.click()  # the banner now shows the analysis

    window.import_finished.connect(cancel_at_once)
    assert import_and_analyse(qtbot, window, DEMO) == "cancelled"
    window.import_finished.disconnect(cancel_at_once)
    page, segments = window.summary_page, window.segments_page
    assert not window.banner.isVisible() and page.segments_card.value.text() == "…"
    assert segments.result is None and not segments.is_running()
    assert wait_run(qtbot, segments, lambda: window.show_page("segments")) == "success"
    assert segments.runs == 1 and page.segments_card.value.text() == "Champions"
    qtbot.waitUntil(lambda: not segments.is_following_up(), timeout=60000)


def test_monthly_net_sales_add_up_to_the_summary_in_the_main_currency(qtbot, window):
    assert import_and_wait(qtbot, window, DEMO) == "success"
    monthly = window.summary["monthly"]
    assert round(sum(amount for _month, amount in monthly["months"]), 2) == window.summary["net_sales"]["USD"]


def test_added_files_merge_and_a_removed_file_is_left_out(qtbot, window):
    assert import_and_wait(qtbot, window, SHOPIFY) == "success"
    alone = window.summary["customers"]
    assert window.summary_page.files_table.isColumnHidden(5) is False  # two files: both removable
    assert outcome(qtbot, window.import_finished, lambda: window.add_files(TAOBAO)) == "success"
    assert len(window.summary["files"]) == 4 and window.summary["customers"] > alone
    assert "+ 3 more" in window.context_line.text()
    order_file = next(p for p in TAOBAO if "OrderList" in p)
    detail_file = next(p for p in TAOBAO if "DetailList" in p)
    assert outcome(qtbot, window.import_finished, lambda: window.remove_file(order_file)) == "success"
    assert outcome(qtbot, window.import_finished, lambda: window.remove_file(detail_file)) == "success"
    assert window.summary["customers"] == alone and len(window.summary["files"]) == 2


def test_recent_files_reopen_the_same_set(qtbot, window):
    assert import_and_wait(qtbot, window, SHOPIFY) == "success"
    assert import_and_wait(qtbot, window, DEMO) == "success"
    recent = settings.recent_files()
    assert [sorted(entry) for entry in recent] == [sorted(str(Path(p).resolve()) for p in files)
                                                   for files in (DEMO, SHOPIFY)]
    window._fill_recent_menu()
    actions = [a for a in window.recent_menu.actions() if not a.isSeparator()]
    assert actions[0].text().endswith("+ 3 more") and actions[-1] is window.clear_recent_action
    assert outcome(qtbot, window.import_finished, actions[1].trigger) == "success"
    assert len(window.summary["files"]) == 2
    window.clear_recent()
    assert settings.recent_files() == []


def test_reopening_the_same_files_restores_the_last_settings(qtbot, window):
    assert import_and_wait(qtbot, window, DEMO) == "success"
    window.show_page("segments")
    segments = window.segments_page
    if segments.is_running():
        wait_run(qtbot, segments, lambda: None)
    assert wait_run(qtbot, segments, lambda: segments.set_map("cn8")) == "success"
    window.show_page("targeting")
    targeting = window.targeting_page
    if targeting.is_running():
        wait_plan(qtbot, targeting, lambda: None)
    assert wait_plan(qtbot, targeting, lambda: targeting.set_weight("size", 40)) == "success"
    window.switch_language("zh_CN")
    window.close()  # keeps the settings of the files on screen

    again = open_window(qtbot, 768)
    assert import_and_wait(qtbot, again, list(reversed(DEMO))) == "success"  # any order: same set
    assert again.segments_page.map_combo.currentData() == "cn8"
    assert again.targeting_page.saved_settings()["weights"]["size"] == 40
    assert language() == "zh_CN"  # the language these files were last read in


def test_report_page_draws_the_pages_and_follows_the_language(qtbot, window):
    assert import_and_wait(qtbot, window, DEMO) == "success"
    report = window.report_page
    with qtbot.waitSignal(report.pages_shown, timeout=120000) as shown:
        window.show_page("report")
    assert shown.args[0] == "success"
    english = len(report.page_labels)
    assert english >= 8 and report.print_button.isEnabled()
    assert all(label.pixmap().width() <= report.content.width() for label in report.page_labels)
    assert outcome(qtbot, report.pages_shown, lambda: window.switch_language("zh_CN"), 120000) == "success"
    assert report._drawn[1] == "zh_CN" and len(report.page_labels) >= 8


def test_a_file_without_currency_asks_once_and_the_answer_is_remembered(qtbot, window, tmp_path):
    # A plain transaction table names no currency and no market: its money was XXX everywhere.
    source = RESOURCES.parent / "tests" / "data" / "exports" / "generic_transactions_minimal" / "transactions.csv"
    export = tmp_path / "transactions.csv"
    export.write_bytes(source.read_bytes())
    assert import_and_wait(qtbot, window, [str(export)]) == "success"
    question = window.summary_page.currency_question
    assert question.isVisible() and "XXX" in question.text.text() and "6 orders" in question.text.text()
    assert not question.button.isEnabled()  # nothing is guessed
    question.combo.setCurrentIndex(question.combo.findText("EUR"))
    assert outcome(qtbot, window.import_finished, question.button.click) == "success"
    assert set(window.summary["net_sales"]) == {"EUR"} and not question.isVisible()
    assert settings.file_currencies() == {"generic_transactions": "EUR"}
    assert window.summary_page.month_chart.chart.title.endswith("(EUR)")
    # Opened again later: the layout's currency is known, nothing is asked.
    assert import_and_wait(qtbot, window, [str(export)]) == "success"
    assert set(window.summary["net_sales"]) == {"EUR"} and not question.isVisible()


def test_a_marketplace_file_that_shows_its_market_is_not_asked(qtbot, window):
    lazada = RESOURCES.parent / "tests" / "data" / "exports" / "lazada_ph_no_country_xlsx"
    assert import_and_wait(qtbot, window, [str(next(lazada.glob("*.xlsx")))]) == "success"
    assert set(window.summary["net_sales"]) == {"PHP"}
    assert not window.summary_page.currency_question.isVisible()


def test_screenshots_of_the_filled_cards_in_english_and_chinese(qtbot, window, shots_dir):
    """The Overview once the cards are filled, on the demo and on a 5-customer shop (its fallback
    plan), in both languages: no text cut in the cards, Chinese drawn in Chinese glyphs."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    shop = str(RESOURCES.parent / "tests" / "data" / "shops" / "five_customers.csv")
    page = window.summary_page
    for name, files in (("demo", DEMO), ("five-customers", [shop])):
        assert import_and_analyse(qtbot, window, files) == "success"
        for lang in ("en", "zh_CN"):
            window.switch_language(lang)
            QApplication.processEvents()  # the banner just went: lay the page out again
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the replaced row buttons
            for card in (page.segments_card, page.target_card):
                for label in (card.title, card.value, card.detail):  # as tall as the wrapped text needs
                    assert label.height() >= label.heightForWidth(label.width()), (name, lang, label.text())
            shot = shots_dir / f"overview-cards-{name}-{lang}.png"
            assert window.grab().save(str(shot)) and shot.stat().st_size > 10_000
        window.switch_language("en")
        qtbot.waitUntil(lambda: not window.segments_page.is_following_up(), timeout=60000)
