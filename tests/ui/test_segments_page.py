"""Customers & Segments page: segmenting the demo data in the background, switching maps, the
heatmap and search filters, cancel, live language switch, navigation and screenshots."""
import threading

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

import ui.segments_page as segments_page

from tests.ui.helpers import wait_run


@pytest.fixture
def window(demo_window):
    return demo_window


@pytest.fixture
def page(segmented_page):
    return segmented_page


def column_texts(model, column):
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_page_is_empty_until_files_are_imported(window):
    window.show_page("segments")
    page = window.segments_page
    assert page.result is None and page.content.currentWidget() is page.empty
    assert page.empty.text() == "Open order exports first: their customers are segmented here."
    assert not page.map_combo.isEnabled()


def test_rfm11_shows_eleven_segments_with_notes_and_cut_points(page):
    result = page.result
    assert result.map_id == "rfm11" and result.currency == "USD"
    assert page.segment_model.rowCount() == 11
    names = column_texts(page.segment_model, 0)
    assert names[0] == "Champions" and names[-1] == "Lost"
    customers = result.segmentation.customers
    assert sum(int(row["customers"]) for row in result.table) == len(customers)
    assert page.customer_model.rowCount() == len(customers)
    assert page.customers_title.text() == f"Customers: {len(customers):,}"
    # notes: the left-out currency and the frequency score that cannot use all five scores
    assert page.notes.isVisible()
    assert "CNY" in page.notes.text() and "Score f: only 3 of 5 scores are used" in page.notes.text()
    assert page.cuts.text().startswith("Cut points: R ≤ 102 / 303 / 379 / 583 days; F > 1 / 3 orders; M > 43.95")
    assert page.heatmap_panel.isVisible() and not page.clusters_panel.isVisible()
    # the growth column reads +12 % / −30 % / —
    growth = column_texts(page.segment_model, page.segment_model.GROWTH)
    assert all(g == "—" or g[0] in "+−±" and g.endswith(" %") for g in growth)
    # the currency choice appears because the demo has two
    assert page.currency_combo.isVisible() and page.currency_combo.count() == 2


def test_switching_the_map_reruns_in_the_background_and_keeps_the_old_table_meanwhile(qtbot, page):
    before = column_texts(page.segment_model, 0)

    def switch():
        page.set_map("value")
        assert page.is_running() and page.busy.isVisible()
        assert column_texts(page.segment_model, 0) == before  # the old result stays until the new one

    assert wait_run(qtbot, page, switch) == "success"
    assert not page.busy.isVisible()
    assert page.result.map_id == "value"
    assert column_texts(page.segment_model, 0) == [
        "High-value customers", "Medium-value customers", "Low-value customers"]
    assert not page.heatmap_panel.isVisible()  # no grid for value tiers
    assert "Tiers: top 20 % spent ≥" in page.cuts.text()

    assert wait_run(qtbot, page, lambda: page.set_map("cn8")) == "success"
    assert page.segment_model.rowCount() == 8
    assert "High / low at the average" in page.cuts.text()

    assert wait_run(qtbot, page, lambda: page.set_bins(3)) == "success"
    assert page.result.bins == 3 and page.result.thresholds["r"]["bins"] == 3


def test_clicking_a_heatmap_cell_lists_exactly_the_customers_with_those_scores(qtbot, page):
    customers = page.result.segmentation.customers
    assert page.result.heatmap.column_axis == "FM"  # rfm11 is drawn R × FM
    rect = page.heatmap.cell_rect(5, 5)
    qtbot.mouseClick(page.heatmap, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    fm = (customers["f"].astype(int) + customers["m"].astype(int) + 1) // 2
    expected = customers.index[(customers["r"] == 5) & (fm == 5)]
    assert sorted(page.customer_model.visible_keys()) == sorted(expected)
    assert set(customers.loc[expected, "segment"]) == {"champions"}
    assert page.heatmap.data.counts[0][4] == len(expected)
    assert page.filter_text.isVisible() and "Champions" in page.filter_text.text()
    assert page.breakdown_title.text() == "Where they buy · Champions"

    # a segment row filters to the whole segment; "Show all" lists everybody again
    row = column_texts(page.segment_model, 0).index("At risk")
    cell = page.segment_table.visualRect(page.segment_model.index(row, 0)).center()
    qtbot.mouseClick(page.segment_table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert len(page.customer_model.visible_keys()) == int((customers["segment"] == "at_risk").sum())
    assert set(column_texts(page.customer_model, 1)) == {"At risk"}
    qtbot.mouseClick(page.clear_filter_button, Qt.MouseButton.LeftButton)
    assert page.customer_model.rowCount() == len(customers)


def test_search_filters_by_customer_key_and_name(qtbot, page):
    total = page.customer_model.rowCount()
    page.search.setText("GMAIL.com")
    qtbot.waitUntil(lambda: page.customer_model.rowCount() < total, timeout=3000)
    keys = page.customer_model.visible_keys()
    assert keys and all("gmail.com" in key for key in keys)
    data = page.result.customers
    name = next(n for n in data.names if n)
    page.search.setText(name)
    qtbot.waitUntil(lambda: page.customer_model.rowCount() != len(keys), timeout=3000)
    expected = {str(k) for k, n in zip(data.keys, data.names) if name.lower() in f"{k} {n}".lower()}
    assert set(page.customer_model.visible_keys()) == expected
    page.search.clear()
    qtbot.waitUntil(lambda: page.customer_model.rowCount() == total, timeout=3000)


def test_customer_table_sorts_by_net_sales(page):
    model = page.customer_model
    model.sort(model.NET_SALES, Qt.SortOrder.DescendingOrder)
    top = page.result.segmentation.customers["monetary"].max()
    assert model.data(model.index(0, model.NET_SALES)) == f"{top:,.2f}"
    model.sort(model.NET_SALES, Qt.SortOrder.AscendingOrder)
    low = page.result.segmentation.customers["monetary"].min()
    assert model.data(model.index(0, model.NET_SALES)) == f"{low:,.2f}"


def test_the_rfm_column_reads_the_three_scores_and_sorts_by_r_then_f_then_m(page):
    model = page.customer_model
    customers = page.result.segmentation.customers  # by customer key
    shown = dict(zip(model.visible_keys(), column_texts(model, model.RFM)))
    expected = {key: f"{row.r}{row.f}{row.m}" for key, row in customers[["r", "f", "m"]].astype(int).iterrows()}
    assert shown == expected
    model.sort(model.RFM, Qt.SortOrder.DescendingOrder)
    codes = column_texts(model, model.RFM)
    assert codes == sorted(codes, reverse=True) and codes[0] == max(expected.values())


def test_cancel_halfway_keeps_the_previous_result(qtbot, page, monkeypatch):
    before = page.result
    rows_before = column_texts(page.segment_model, 0)
    started = threading.Event()

    def slow_run(book, map_id, bins, currency, progress):
        started.set()
        for step in range(10000):
            progress.check_cancelled()
            progress.report(step / 10000, "progress.clustering", k=3)
            threading.Event().wait(0.002)
        raise AssertionError("cancel was not honoured")

    monkeypatch.setattr(segments_page, "run_segmentation", slow_run)
    with qtbot.waitSignal(page.segmentation_finished, timeout=20000) as finished:
        page.set_map("clusters")
        assert started.wait(5)
        qtbot.waitUntil(lambda: page.progress_bar.value() > 0, timeout=5000)
        assert "Trying 3 clusters" in page.progress_text.text()
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["cancelled"]
    assert page.result is before and column_texts(page.segment_model, 0) == rows_before
    assert page.map_combo.currentData() == "rfm11"  # the controls show what is on screen again
    assert not page.busy.isVisible() and not page.is_running()
    # the autouse fixture checks that no pool thread is left running


def test_language_switch_renders_segment_names_and_notes_in_chinese(page):
    window = page.window()
    labels = page.result.labels
    window.switch_language("zh_CN")
    names = column_texts(page.segment_model, 0)
    assert names[0] == labels["champions"].name_zh == "冠军客户"
    assert set(column_texts(page.customer_model, 1)) <= {label.name_zh for label in labels.values()}
    assert page.heatmap.data.names["lost"] == labels["lost"].name_zh
    assert "评分" in page.notes.text() and "Score" not in page.notes.text()
    assert page.cuts.text().startswith("分界点：R ≤ 102")
    assert page.title.text() == "客户与分群" and window.nav_buttons["segments"].text() == "客户与分群"
    assert page.map_combo.currentText() == "RFM 十一类"
    window.switch_language("en")
    assert column_texts(page.segment_model, 0)[0] == "Champions"


def test_clusters_show_the_silhouette_per_k_and_profiles(qtbot, page):
    assert wait_run(qtbot, page, lambda: page.set_map("clusters")) == "success"
    result = page.result
    assert result.map_id == "clusters" and result.k in result.silhouette
    assert page.clusters_panel.isVisible() and not page.heatmap_panel.isVisible()
    chart = page.silhouette_chart
    assert [bar.label for bar in chart.bars] == [str(k) for k in sorted(result.silhouette)]
    assert chart.bars[chart.highlight].label == str(result.k)
    assert page.profiles_model.rowCount() == result.k == page.segment_model.rowCount()


def test_ctrl_1_and_ctrl_2_switch_pages(qtbot, window):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "segments" and window.nav_buttons["segments"].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "overview" and window.sections.currentWidget() is window.pages
    qtbot.keyRelease(window, Qt.Key.Key_Control)  # the platform would think Ctrl is still held


def test_screenshots_in_english_and_chinese(qtbot, page, shots_dir):
    shots = shots_dir
    window = page.window()
    saved = []
    for map_id in ("rfm11", "clusters"):
        if page.result.map_id != map_id:
            assert wait_run(qtbot, page, lambda: page.set_map(map_id)) == "success"
        for lang in ("en", "zh_CN"):
            window.switch_language(lang)
            image = window.grab()
            assert image.width() >= 1000 and image.height() >= 600
            name = shots / f"segments-{map_id}-{lang}.png"
            assert image.save(str(name))
            saved.append(name)
    window.switch_language("en")
    assert all(p.stat().st_size > 10_000 for p in saved)


def test_customer_names_are_text_and_empty_where_none_is_known(demo_book):
    # The book holds names as categories: a customer without one must read "", not raise.
    from ui.segments_page import customer_names

    orders = demo_book.orders
    named = orders.loc[orders["customer_name"].notna() & (orders["customer_key"] != ""), ["customer_key", "customer_name"]]
    key, name = named.iloc[0]
    assert customer_names(demo_book, [str(key), "nobody@example.com"]).tolist() == [str(name), ""]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aAbB@.1 _-zé文😀")), max_size=5), max_size=40))
def test_text_rank_is_the_stable_code_point_order(values):
    # Ranked by Arrow; the same order as numpy's stable sort of the text (code points).
    import numpy as np

    values = np.array(values, dtype=object)
    expected = np.argsort(np.argsort(values.astype(str), kind="stable"), kind="stable") if len(values) else []
    assert segments_page.text_rank(values).tolist() == list(expected)


def test_every_customers_name_is_the_first_one_their_orders_give(demo_book):
    # Found by position through the segmentation's lookup: the same as grouping the orders by
    # customer and taking the first name, for every customer of the demo.
    from core.segments import segment
    from ui.segments_page import customer_names

    keys = segment(demo_book, "rfm11").customers.index
    orders = demo_book.orders
    named = orders.loc[orders["customer_key"] != "", ["customer_key", "customer_name"]].dropna()
    expected = named.groupby("customer_key", observed=True)["customer_name"].first().astype("str")
    assert customer_names(demo_book, keys).tolist() == expected.reindex(keys).fillna("").tolist()
    assert sum(name != "" for name in customer_names(demo_book, keys)) > len(keys) / 2
    # A customer named differently on later orders keeps the first name; a key no order has, "".
    from core.model import OrderBook

    orders = pd.DataFrame({"customer_key": ["b", "a", "a", "", "b"],
                           "customer_name": [None, "Ann Lee", "Anna Lee", "Guest", "Bo"]}).astype("category")
    assert customer_names(OrderBook(orders=orders), pd.Index(["a", "b", "c"])).tolist() == ["Ann Lee", "Bo", ""]
