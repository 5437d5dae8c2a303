"""Exchange rates… on the demo (Shopify in USD + Taobao in CNY): without rates each currency is its
own shop (named on every page, planned side by side); with rates every page, the plan and the
report cover all customers in the chosen currency and name the rates; rates are remembered."""
import pandas as pd
import pytest
from PySide6.QtWidgets import QApplication

from core.currency import Conversion, conversion_note
from core.i18n import t
from core.resources import RESOURCES
from tests.ui.helpers import import_and_analyse, outcome
from ui import settings
from ui.main_window import MainWindow

DEMO = sorted(str(p) for p in (RESOURCES / "demo").glob("*.csv"))
RATE = Conversion("USD", {"CNY": 0.1381}, {"CNY": "2026-11-30"})


def identified_customers(book, before) -> int:
    """Independent count: customers with a paid order placed before the analysis date."""
    orders = book.orders
    paid = orders[(orders["status"] == "paid") & (orders["customer_key"] != "")
                  & (orders["placed_at"] < pd.Timestamp(before, tz="UTC"))]
    return paid["customer_key"].nunique()


@pytest.fixture
def opened(qtbot, window):
    assert import_and_analyse(qtbot, window, DEMO) == "success"
    return window


def enter_rates(qtbot, window, rate="0,1381", day="2026-11-30"):
    dialog = window.ask_rates()
    dialog.set_rate("CNY", rate, day)
    assert dialog.ok_button.isEnabled()
    assert outcome(qtbot, window.analysis_finished, dialog.ok_button.click, 120000) == "success"
    return dialog


def test_without_rates_each_currency_is_its_own_shop(qtbot, opened):
    window = opened
    assert window.currency_row.isVisible() and window.rates_action.isEnabled()
    assert window.currency_line.text() == t("ui.rates.apart_line", currencies="USD, CNY")
    assert window.rates_button.text() == t("ui.rates.enter")
    result = window.targeting_page.result
    assert result.currency == "USD" and [o["currency"] for o in result.others] == ["CNY"]
    cny = result.plan.others[0]
    assert result.others[0]["customers"] == len(cny.seg.customers) > 0
    window.show_page("targeting")
    assert window.targeting_page.other_shops.isVisible()
    assert "CNY" in window.targeting_page.other_shops.text()


def test_rates_make_one_plan_of_every_customer_and_are_named(qtbot, opened, shots_dir):
    window = opened
    enter_rates(qtbot, window)
    seg = window.segments_page.result.segmentation
    plan = window.targeting_page.result.plan
    assert seg.currency == plan.seg.currency == "USD"
    assert plan.conversion == RATE and window.targeting_page.result.others == []
    # Every identified customer of both shops, not only the USD ones.
    imported = window.imported_book
    assert len(plan.seg.customers) == identified_customers(imported, plan.seg.analysis_date)
    usd_only = imported.orders[imported.orders["currency"] == "USD"]
    assert len(plan.seg.customers) > usd_only.loc[usd_only["customer_key"] != "", "customer_key"].nunique()
    # Net sales: USD as read plus CNY × rate, to the cent.
    summary = window.summary
    expected = summary["net_sales"]["USD"] + summary["net_sales"]["CNY"] * 0.1381
    paid = window.book.orders[window.book.orders["status"] == "paid"]
    assert round((paid["order_total"] - paid["refunded"].fillna(0)).sum(), 2) == pytest.approx(expected, abs=0.01)
    # Named on every page and remembered.
    assert window.currency_line.text() == conversion_note(RATE)
    assert "1 CNY = 0.1381 USD (2026-11-30)" in window.currency_line.text()
    assert window.rates_button.text() == t("ui.rates.change")
    assert settings.last_rates() == RATE.as_json()
    assert settings.settings_for(DEMO)["conversion"] == RATE.as_json()
    for page in ("overview", "segments", "targeting", "trends"):
        window.show_page(page)
        assert window.currency_row.isVisible()
        QApplication.processEvents()  # the layout the hidden progress banner leaves
        window.grab().save(str(shots_dir / f"rates_{page}_en.png"))
    from ui.report.content import build_content

    html = build_content(plan, "en", window.book).html
    assert "1 CNY = 0.1381 USD (2026-11-30)" in html


def test_reopening_the_files_uses_their_rates_and_keep_apart_undoes_them(qtbot, opened, window_factory):
    enter_rates(qtbot, opened)
    again = window_factory()
    assert import_and_analyse(qtbot, again, DEMO) == "success"
    assert again.conversion == RATE
    assert again.targeting_page.result.plan.conversion == RATE
    dialog = again.ask_rates()
    assert dialog.edits["CNY"].text() == "0.1381" and dialog.apart_button.isVisible()
    assert outcome(qtbot, again.analysis_finished, dialog.keep_apart, 120000) == "success"
    assert again.conversion is None and again.targeting_page.result.plan.conversion is None
    assert again.currency_line.text() == t("ui.rates.apart_line", currencies="USD, CNY")


def test_the_dialog_refuses_what_is_not_a_rate_and_rebases_known_rates(qtbot, opened, shots_dir):
    from core.segment_options import parse_rate

    dialog = opened.ask_rates()
    for text in ("abc", "0", "-3", "1.2.3"):
        dialog.set_rate("CNY", text)
        assert not dialog.ok_button.isEnabled() and dialog.error.isVisible()
        assert "CNY" in dialog.error.text() and text in dialog.error.text()
    dialog.set_rate("CNY", "")
    assert not dialog.ok_button.isEnabled() and not dialog.error.isVisible()  # empty: not done yet
    assert parse_rate("7,24", "USD", "CNY") == 7.24
    dialog.set_rate("CNY", "0.125", "2026-11-30")
    dialog.base_combo.setCurrentText("CNY")  # report in CNY: the USD rate follows from the typed one
    assert list(dialog.edits) == ["USD"] and dialog.edits["USD"].text() == "8"
    assert dialog.conversion() == Conversion("CNY", {"USD": 8.0}, {"USD": "2026-11-30"})
    dialog.grab().save(str(shots_dir / "rates_dialog_en.png"))
    dialog.reject()


@pytest.fixture
def window_factory(qtbot):
    def make():
        win = MainWindow()
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        qtbot.waitExposed(win)
        return win
    return make
