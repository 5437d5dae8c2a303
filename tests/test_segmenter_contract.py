"""One contract for every segmenter: deterministic, a complete partition, small and empty shops,
no mutation of the input, labels that come from the data tables."""
import pandas as pd
import pytest

from core.errors import InputError
from core.importing import import_files
from core.segments import SEGMENTERS, segment, segment_table
from core.segments.maps import MAP_IDS, load_map
from tests.conftest import ROOT

DEMO = sorted((ROOT / "resources" / "demo").glob("*.csv"))
HEADER = "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"


def shop(tmp_path, rows):
    path = tmp_path / "orders_export_1.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return import_files([path])


@pytest.mark.parametrize("map_id", SEGMENTERS)
def test_deterministic_and_complete_partition(demo_book, map_id):
    before = demo_book.orders.copy()
    first, second = segment(demo_book, map_id), segment(demo_book, map_id)
    pd.testing.assert_frame_equal(first.customers, second.customers)
    # The input is not touched: same values and dtypes (`equals`; assert_frame_equal took 1.5 s here).
    assert demo_book.orders.equals(before)
    paid = demo_book.orders[(demo_book.orders["status"] == "paid") & (demo_book.orders["customer_key"] != "")]
    expected = set(paid.loc[paid["currency"] == first.currency, "customer_key"])
    assert first.customers.index.is_unique and set(first.customers.index) == expected
    assert first.customers["segment"].notna().all()
    assert set(first.customers["segment"]) == set(first.labels)  # every label used, every segment labelled
    table = segment_table(first, demo_book)
    assert table["customers"].sum() == len(first.customers)
    assert table["net_sales"].sum() == pytest.approx(first.customers["monetary"].sum())


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_labels_come_from_the_map_file(demo_book, map_id):
    result = segment(demo_book, map_id)
    for segment_id, label in result.labels.items():
        assert label == load_map(result.map_id).labels[segment_id]


def test_cluster_labels_follow_the_naming_rules(demo_book):
    result = segment(demo_book, "clusters")
    assert result.clusters.k in result.clusters.silhouette_by_k
    assert result.clusters.k == max(result.clusters.silhouette_by_k, key=result.clusters.silhouette_by_k.get)
    for label in result.labels.values():
        assert "," in label.name and label.name_zh and "中位数" in label.description_zh


@pytest.mark.parametrize("map_id", SEGMENTERS)
def test_one_customer_is_segmented(tmp_path, map_id):
    book = shop(tmp_path, ["#1,a@x.com,paid,USD,20.00,2025-01-02 10:00:00 +0000,1,Mug,20.00\n"])
    result = segment(book, map_id)
    assert len(result.customers) == 1 and len(result.labels) == 1
    if map_id in MAP_IDS and map_id != "value":
        assert result.map_id == "value"  # a map with fewer segments, and a note says why
        assert any(note[0] == "segments.smaller_map" for note in result.notes)


@pytest.mark.parametrize("map_id", SEGMENTERS)
def test_no_paid_orders_is_a_clear_message(tmp_path, map_id):
    book = shop(tmp_path, ["#1,a@x.com,pending,USD,20.00,2025-01-02 10:00:00 +0000,1,Mug,20.00\n"])
    with pytest.raises(InputError) as error:
        segment(book, map_id)
    assert error.value.problem.message_id == "segments.no_paid_orders"
    assert "2025-01-03" in error.value.problem.message()


def test_currencies_are_segmented_apart_or_converted(demo_book):
    usd, cny = segment(demo_book, "value"), segment(demo_book, "value", currency="CNY")
    assert usd.currency == "USD" and cny.currency == "CNY"
    assert not set(usd.customers.index) & set(cny.customers.index)
    both = segment(demo_book, "value", rates={"CNY": 0.14}, base="USD")
    assert len(both.customers) == len(usd.customers) + len(cny.customers)
    assert both.customers["monetary"].sum() == pytest.approx(
        usd.customers["monetary"].sum() + 0.14 * cny.customers["monetary"].sum(),
        abs=0.005 * len(both.customers))  # each converted total is rounded to the cent


def test_missing_rate_is_a_clear_message(demo_book):
    with pytest.raises(InputError) as error:
        segment(demo_book, "value", rates={"EUR": 1.1}, base="USD")
    assert "CNY" in error.value.problem.message()


def test_analysis_date_moves_recency(demo_book):
    import datetime as dt
    early = segment(demo_book, "rfm11", analysis_date=dt.date(2026, 1, 1))
    assert early.analysis_date == dt.date(2026, 1, 1)
    assert early.customers["last_order"].max() < pd.Timestamp(2026, 1, 1)  # later orders are not counted
    assert (early.customers["recency"] >= 1).all()


def test_own_thresholds_with_fewer_scores_still_reach_the_best_segment(demo_book):
    result = segment(demo_book, "rfm11", custom_cuts={"r": [60, 365]})  # three R scores
    assert result.thresholds["r"]["bins"] == 3 and result.customers["r"].max() == 3
    best = result.customers[(result.customers["r"] == 3) & (result.customers["f"] == 5) & (result.customers["m"] == 5)]
    assert (best["segment"] == "champions").all() and len(best)
