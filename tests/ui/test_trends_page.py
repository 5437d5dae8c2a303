"""Trends page: cohorts, segment migration, lifetime value and the demand forecast from the demo data,
each run in the background; dates and options re-run, cancel keeps what was shown, live 中文; the
lifetime value and "previously" columns of the Customers & Segments page; screenshots."""
import datetime as dt
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import ui.trends_page as trends_page
from tests.ui.helpers import import_and_wait, wait_run, write_export


@pytest.fixture
def window(demo_window):
    return demo_window


def wait_section(qtbot, page, key, action, timeout=60000) -> str:
    """Do `action` and wait for the run of tab `key` it starts: its outcome."""
    with qtbot.waitSignal(page.run_finished, timeout=timeout,
                          check_params_cb=lambda outcome, section: section == key) as blocker:
        action()
    return blocker.args[0]


@pytest.fixture
def page(qtbot, window, demo_book):
    """The Trends page on screen with the demo book, its Cohorts tab worked out."""
    page = window.trends_page

    def show():
        page.set_book(demo_book)  # not on screen yet: it runs once it is shown
        window.show_page("trends")

    assert wait_section(qtbot, page, "cohorts", show) == "success"
    return page


def show_tab(qtbot, page, key):
    """Switch to tab `key`, waiting for its run if it has none yet."""
    if page.sections[key].result is None:
        assert wait_section(qtbot, page, key, lambda: page.show_section(key)) == "success"
    else:
        page.show_section(key)
    return page.sections[key]


def column_texts(model, column):
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


# Core helpers -------------------------------------------------------------------------------------
def test_earlier_counts_are_the_migrations_earlier_segments(demo_book):
    from core.segments import segment
    from core.trends import earlier_counts, migration

    seg = segment(demo_book, "rfm11")
    counts = earlier_counts(demo_book, seg, 90)
    moved = migration(demo_book, "rfm11", days=90)
    assert counts.to_dict() == moved.matrix.drop(index="not_yet").sum(axis=1).reindex(seg.order).to_dict()
    assert earlier_counts(demo_book, segment(demo_book, "clusters")) is None  # clusters have no "before"


# The page -----------------------------------------------------------------------------------------
def test_page_is_empty_until_files_are_imported(window):
    window.show_page("trends")
    page = window.trends_page
    assert page.book is None and page.content.currentWidget() is page.empty
    assert page.empty.text().startswith("Open order exports first")
    assert not page.is_running()


def test_cohort_cells_are_core_cohorts_with_unknown_months_blank(qtbot, page, demo_book):
    from core.trends import cohorts

    table = cohorts(demo_book, "USD")
    retention, sizes = table["retention"], table["customers"]
    section, model = page.cohorts, page.cohorts.model
    assert wait_section(qtbot, page, "cohorts", lambda: section.period_combo.setCurrentIndex(0)) == "success"
    assert section.result.period == "M"
    assert model.rowCount() == len(retention) and page.content.currentWidget() is page.tabs
    row = 4  # the fifth cohort, one month after its first
    assert model.data(model.index(row, model.SIZE)) == f"{sizes.iloc[row]:,}"
    assert model.value(row, 3) == pytest.approx(retention.iloc[row, 1])
    assert model.data(model.index(row, 3)) == f"{retention.iloc[row, 1] * 100:.0f} %"
    last = len(retention) - 1
    assert np.isnan(retention.iloc[last, 5]) and model.data(model.index(last, 2 + 5)) == ""  # unknown, not 0 %
    assert model.headerData(row, Qt.Orientation.Vertical) == f"{'Mar'} 2025"  # cohort 2025-03
    caption = section.caption.text()
    assert caption.startswith("Of the ") and "bought again the next month" in caption
    known = retention[1].dropna()
    latest = known.index[-1]
    assert f"{sizes[latest]:,} customers who first bought in" in caption
    # net sales instead of shares: no re-run, the same table
    section.show_combo.setCurrentIndex(1)
    assert model.data(model.index(0, 2)) == f"{table['revenue'].iloc[0, 0]:,.0f}"
    assert not page.is_running()


def test_two_years_of_orders_open_by_quarter_and_months_rerun_in_the_background(qtbot, page, demo_book):
    from core.trends import cohorts

    section = page.cohorts  # the demo spans 25 months: by quarter, until the seller chooses months
    quarters = cohorts(demo_book, "USD", period="Q")
    assert section.result.period == "Q" and section.period_combo.currentData() == "Q"
    assert section.model.rowCount() == len(quarters["retention"])
    assert section.model.headerData(0, Qt.Orientation.Vertical) == "Q4 2024"
    assert "next quarter" in section.caption.text()
    assert not section.table.horizontalScrollBar().isVisible()
    assert wait_section(qtbot, page, "cohorts", lambda: section.period_combo.setCurrentIndex(0)) == "success"
    assert section.result.period == "M" and section.model.rowCount() == len(cohorts(demo_book, "USD")["retention"])
    assert page.saved_settings()["period"] == "M"  # the seller's choice is kept for these files


def test_migration_defaults_to_the_last_90_days_and_reruns_on_new_dates(qtbot, page, demo_book):
    from core.trends import migration

    section = show_tab(qtbot, page, "migration")
    result = section.result
    assert result.later == dt.date(2026, 11, 2) and result.earlier == dt.date(2026, 8, 4)
    assert section.from_edit.date().toString("yyyy-MM-dd") == "2026-08-04"
    core = migration(demo_book, "rfm11", days=90)
    assert result.counts == core.matrix.to_numpy().tolist()
    assert {k: len(m.keys) for k, m in result.movers.items()} == {k: len(v) for k, v in core.movers.items()}
    assert section.movers_model.rowCount() == len(core.movers["up"])
    assert section.movers_bar.tabText(0) == f"Moved up ({len(core.movers['up']):,})"
    assert "moved to a better segment" in section.summary.text()

    earlier, later = dt.date(2026, 3, 1), dt.date(2026, 9, 1)
    assert wait_section(qtbot, page, "migration", lambda: section.set_dates(earlier, later)) == "success"
    assert (section.result.earlier, section.result.later) == (earlier, later)
    again = migration(demo_book, "rfm11", later=later, earlier=earlier)
    assert section.result.counts == again.matrix.to_numpy().tolist()
    assert "2026-03-01" in section.summary.text()

    # a first date after the second says so and runs nothing
    section.set_dates(later, earlier)
    assert not page.is_running() and section.date_problem.text() == "The first date must be before the second."
    assert wait_section(qtbot, page, "migration", section.reset_dates) == "success"
    assert section.result.earlier == dt.date(2026, 8, 4)

    # another map re-runs the tab on screen
    assert wait_section(qtbot, page, "migration", lambda: page.set_map("cn8")) == "success"
    assert section.result.map_id == "cn8" and section.result.columns[0] == "important_value"


def test_cancel_keeps_the_previous_results(qtbot, page, monkeypatch):
    section = show_tab(qtbot, page, "migration")
    before = section.result
    texts = column_texts(section.movers_model, 0)
    started = threading.Event()

    def slow_run(book, map_id, currency, later, earlier, progress):
        started.set()
        for step in range(10000):
            progress.check_cancelled()
            progress.report(step / 10000, "ui.trends.step_migration")
            threading.Event().wait(0.002)
        raise AssertionError("cancel was not honoured")

    monkeypatch.setattr(trends_page, "run_migration", slow_run)

    def start_and_cancel():
        section.set_dates(dt.date(2026, 1, 1), dt.date(2026, 6, 1))
        assert started.wait(5)
        qtbot.waitUntil(lambda: page.busy.bar.value() > 0, timeout=5000)
        assert page.busy.isVisible() and page.busy.text.text() == "Segmenting at both dates…"
        qtbot.mouseClick(page.busy.cancel_button, Qt.MouseButton.LeftButton)

    assert wait_section(qtbot, page, "migration", start_and_cancel, timeout=20000) == "cancelled"
    assert section.result is before and column_texts(section.movers_model, 0) == texts
    assert section.from_edit.date().toString("yyyy-MM-dd") == "2026-08-04"  # the dates on screen again
    assert not page.busy.isVisible() and not page.is_running()


def test_a_failed_rerun_keeps_the_result_and_says_why(qtbot, page, monkeypatch):
    section = show_tab(qtbot, page, "forecast")
    before = section.result

    def broken(book, currency, measure, horizon, progress):
        raise ValueError("no months")

    monkeypatch.setattr(trends_page, "run_forecast", broken)
    assert wait_section(qtbot, page, "forecast", lambda: section.horizon_combo.setCurrentIndex(0)) == "failure"
    assert section.result is before and section.chart.data.history == before.series[0].history
    assert section.problem.isVisible() and "no months" in section.problem.text()
    assert section.horizon_combo.currentData() == 6  # the controls say what is shown
    assert page.error is not None


def test_a_cancelled_first_run_says_stopped_and_runs_when_shown_again(qtbot, window, demo_book, monkeypatch):
    page = window.trends_page
    real = trends_page.run_cohorts
    started = threading.Event()

    def slow_run(book, currency, period, progress):
        started.set()
        while True:
            progress.check_cancelled()
            threading.Event().wait(0.002)

    monkeypatch.setattr(trends_page, "run_cohorts", slow_run)

    def start_and_cancel():
        page.set_book(demo_book)
        window.show_page("trends")
        assert started.wait(5)
        page.cancel()

    assert wait_section(qtbot, page, "cohorts", start_and_cancel) == "cancelled"
    assert page.cohorts.result is None and page.cohorts.empty.text().startswith("Stopped.")
    monkeypatch.setattr(trends_page, "run_cohorts", real)
    assert wait_section(qtbot, page, "forecast", lambda: page.show_section("forecast")) == "success"
    assert wait_section(qtbot, page, "cohorts", lambda: page.show_section("cohorts")) == "success"
    assert page.cohorts.model.rowCount() > 0


def test_lifetime_value_lists_who_to_win_back_first(qtbot, page, demo_book):
    section = show_tab(qtbot, page, "lifetime")
    result, model = section.result, section.model
    assert result.trusted and result.weeks == 26
    assert model.rowCount() == len(result.keys) == demo_book.orders.query(
        "status == 'paid' and customer_key != '' and currency == 'USD'")["customer_key"].nunique()
    assert column_texts(model, model.WIN_BACK)[:3] == ["1", "2", "3"]  # win back first
    first = model.entry(0)
    assert result.p_alive[first] >= 0.1 and result.orders[first] >= 2
    # the rank is (1 − P(alive)) × net sales among repeat buyers still 10 % likely to be active
    ranked = [model.entry(row) for row in range(int(np.nansum(~np.isnan(result.win_back))))]
    priority = (1 - result.p_alive[ranked]) * result.monetary[ranked]
    assert list(priority) == sorted(priority, reverse=True) and (result.p_alive[ranked] >= 0.1).all()
    assert np.isnan(result.win_back[(result.orders == 1)]).all()  # one-time buyers are not win-back cases
    assert model.data(model.index(0, model.P_ALIVE)).endswith(" %")
    assert "Over the next 26 weeks" in section.summary.text() and not section.notes.isVisible()
    section.order_combo.setCurrentIndex(1)  # highest expected value first
    values = [result.value[model.entry(row)] for row in range(20)]
    assert values == sorted(values, reverse=True)
    assert wait_section(qtbot, page, "lifetime", lambda: section.horizon_combo.setCurrentIndex(2)) == "success"
    assert section.result.weeks == 52 and "over the next 52 weeks" in section.title.text()
    assert np.nansum(section.result.value) > np.nansum(result.value)


def test_forecast_shows_history_forecast_band_and_baseline_with_its_backtest(qtbot, page):
    section = show_tab(qtbot, page, "forecast")
    result = section.result
    names = [section.series_combo.itemData(i) for i in range(section.series_combo.count())]
    assert names[0] == "all" and {"Watches", "Bags"} <= set(names)
    assert section.series_combo.currentText() == "Whole shop"
    data = section.chart.data
    shop = result.series[0]
    assert data.history == shop.history and len(data.mean) == len(data.baseline) == 6
    assert all(lo <= m <= hi for lo, m, hi in zip(data.lower, data.mean, data.upper))
    assert data.labels[-1] == "Apr 2027" and len(data.labels) == len(shop.history) + 6
    assert "same month last year" in section.verdict.text()
    section.set_series("Watches")
    assert section.chart.data.history == result.series[names.index("Watches")].history
    assert section.title.text().startswith("Watches")
    assert wait_section(qtbot, page, "forecast", lambda: section.measure_combo.setCurrentIndex(1)) == "success"
    assert section.result.measure == "units" and section.series_combo.currentData() == "Watches"
    assert "units per month" in section.title.text()


def test_too_little_history_says_so(qtbot, page):
    from ui.trends_page import SeriesForecast

    section = show_tab(qtbot, page, "forecast")
    short = SeriesForecast("all", [(2026, m) for m in range(1, 6)], [10.0, 12, 14, 15, 18], [(2026, 6)], [], [], [],
                           [18.0], {}, "trend", [("trends.too_little_history",
                                                  {"series": "all", "months": 5, "needed": 12, "slope": 1.9})])
    assert section.verdict_text(short) == ("Too little history for a forecast: 5 complete months, a forecast needs 12. "
                                           "So far the trend is +1.90 a month.")


def test_switching_to_chinese_retranslates_every_tab(qtbot, page):
    window = page.window()
    for key in ("migration", "lifetime", "forecast"):
        show_tab(qtbot, page, key)
    window.switch_language("zh_CN")
    assert page.title.text() == "趋势" and window.nav_buttons["trends"].text() == "趋势"
    assert [page.tabs.tabText(i) for i in range(4)] == ["同期群", "分群迁移", "终身价值与流失风险", "需求预测"]
    assert page.cohorts.caption.text().startswith("在") and "年" in page.cohorts.model.headerData(
        0, Qt.Orientation.Vertical)
    assert page.migration.matrix.data.rows[0] == "尚未成为客户" and page.migration.matrix.data.columns[0] == "冠军客户"
    assert page.migration.movers_bar.tabText(0).startswith("上升")
    assert page.lifetime.model.headerData(page.lifetime.model.P_ALIVE, Qt.Orientation.Horizontal) == "仍活跃概率"
    assert page.forecast.series_combo.currentText() == "整个店铺" and page.forecast.chart.data.legend["baseline"] == "去年同月"
    assert not page.is_running()  # texts only: nothing re-ran
    window.switch_language("en")
    assert page.tabs.tabText(0) == "Cohorts"


def small_shop_rows() -> list[str]:
    """Twelve customers over six complete months of 2024: too little for a forecast or a lifetime model."""
    rows, number = [], 1000
    for customer in range(12):
        for month in range(1 + customer % 3, 7, 2 + customer % 2):
            number += 1
            day = f"2024-{month:02d}-{5 + customer:02d} 10:00:00 +0000"
            rows.append(f"#{number},c{customer}@example.com,paid,{day},USD,{20 + customer}.00,{day},1,Mug,"
                        f"{20 + customer}.00,Buyer {customer},US,0")
    last = "2024-06-30 18:00:00 +0000"
    rows.append(f"#{number + 1},c0@example.com,paid,{last},USD,30.00,{last},1,Mug,30.00,Buyer 0,US,0")
    return rows


def test_a_small_shop_gets_too_little_history_and_the_trust_note(qtbot, window, tmp_path, shots_dir):
    path = write_export(tmp_path, "orders_export_1.csv", small_shop_rows())
    assert import_and_wait(qtbot, window, [path]) == "success"
    page = window.trends_page
    assert wait_section(qtbot, page, "cohorts", lambda: window.show_page("trends")) == "success"
    forecast = show_tab(qtbot, page, "forecast")
    assert forecast.result.series[0].method == "trend"
    assert forecast.verdict.text().startswith("Too little history for a forecast: 6 complete months")
    assert forecast.chart.data.mean == [] and forecast.chart.data.legend["baseline"] == "Last month repeated"
    QApplication.processEvents()
    assert window.grab().save(str(shots_dir / "trends-small-forecast-en.png"))
    lifetime = show_tab(qtbot, page, "lifetime")
    assert not lifetime.result.trusted and lifetime.notes.isVisible()
    assert "need more history" in lifetime.notes.text()
    assert lifetime.result.map_id == "value" and "Value tiers" in lifetime.notes.text()  # the smaller map said
    assert set(column_texts(lifetime.model, lifetime.model.P_ALIVE)) == {"—"}
    assert set(column_texts(lifetime.model, lifetime.model.WIN_BACK)) == {"—"}
    window.switch_language("zh_CN")
    QApplication.processEvents()
    assert window.grab().save(str(shots_dir / "trends-small-lifetime-zh_CN.png"))
    assert "历史" in lifetime.notes.text()
    window.switch_language("en")


# Customers & Segments: lifetime value and "previously" --------------------------------------------
def test_customer_table_gets_lifetime_value_and_segments_their_count_90_days_ago(qtbot, window, demo_book,
                                                                                  shots_dir):
    from core.segments import segment
    from core.trends import earlier_counts

    page = window.segments_page
    with qtbot.waitSignal(page.follow_up_finished, timeout=60000) as follow_up:
        def show():
            page.set_book(demo_book)
            window.show_page("segments")
        assert wait_run(qtbot, page, show) == "success"
        model = page.customer_model
        # The header's text (a narrow table shows it on two lines: "Value\n26 wk").
        assert model.headerData(model.CLV, Qt.Orientation.Horizontal).replace("\n", " ") == "Value 26 wk"
        if page.result.customers.clv is None:  # shown before it is known: a dash
            assert set(column_texts(model, model.CLV)) == {"—"}
    assert follow_up.args == ["success"]
    assert model.headerData(model.P_ALIVE, Qt.Orientation.Horizontal).replace("\n", " ") == "Still active"
    values = column_texts(model, model.CLV)
    assert "—" not in values and all(v.replace(",", "").replace(".", "").isdigit() for v in values)
    assert all(p.endswith(" %") for p in column_texts(model, model.P_ALIVE))
    model.sort(model.CLV, Qt.SortOrder.DescendingOrder)
    top = np.nanmax(page.result.customers.clv)
    assert model.data(model.index(0, model.CLV)) == f"{top:,.2f}"

    segments = page.segment_model
    counts = earlier_counts(demo_book, segment(demo_book, "rfm11"), 90)
    row = column_texts(segments, 0).index("Champions")
    now = int(page.result.table[segments.entry(row)]["customers"])
    change = now - counts["champions"]
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    assert segments.data(segments.index(row, segments.PREVIOUS)) == f"{counts['champions']:,} ({sign}{abs(change):,})"
    assert segments.headerData(segments.PREVIOUS, Qt.Orientation.Horizontal).replace("\n", " ") == "90 days ago"
    QApplication.processEvents()
    assert window.grab().save(str(shots_dir / "segments-lifetime-en.png"))
    assert page.customer_panel.grab().save(str(shots_dir / "segments-lifetime-customers-en.png"))
    window.switch_language("zh_CN")
    assert segments.headerData(segments.PREVIOUS, Qt.Orientation.Horizontal) == "90 天前"
    assert model.headerData(model.CLV, Qt.Orientation.Horizontal) == "26 周价值"
    QApplication.processEvents()
    assert window.grab().save(str(shots_dir / "segments-lifetime-zh_CN.png"))
    assert page.customer_panel.grab().save(str(shots_dir / "segments-lifetime-customers-zh_CN.png"))
    window.switch_language("en")


# Screenshots --------------------------------------------------------------------------------------
def test_screenshots_of_every_tab_in_english_and_chinese(qtbot, page, shots_dir):
    window = page.window()
    saved = []
    for key in trends_page.SECTIONS:
        show_tab(qtbot, page, key)
        for lang in ("en", "zh_CN"):
            window.switch_language(lang)
            QApplication.processEvents()  # the layouts follow the new texts before the grab
            name = shots_dir / f"trends-{key}-{lang}.png"
            assert window.grab().save(str(name))
            saved.append(name)
        window.switch_language("en")
    assert all(p.stat().st_size > 10_000 for p in saved)
