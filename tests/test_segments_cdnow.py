"""RFM on real purchases (CDNOW sample, 2,357 customers) against an independent pandas computation."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.importing import import_files
from core.segments import segment, segment_table
from tests.conftest import ROOT

CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"  # see SOURCES.md there
pytestmark = pytest.mark.skipif(not CDNOW.exists(), reason="tests/data/cdnow/CDNOW_sample.txt is missing")


def raw_purchases() -> pd.DataFrame:
    return pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={0: str, 1: str, 2: str},
                       names=["customer", "index", "date", "cds", "dollars"])


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    """The sample written as a plain transaction table (one order per purchase record)."""
    raw = raw_purchases()
    export = pd.DataFrame({"Order ID": [f"CD{i:05d}" for i in range(len(raw))],
                           "CustomerID": raw["customer"],
                           "Order Date": pd.to_datetime(raw["date"]).dt.strftime("%Y-%m-%d"),
                           "Quantity": raw["cds"], "Order Total": raw["dollars"].map("{:.2f}".format),
                           "Currency": "USD"})
    path = tmp_path_factory.mktemp("cdnow") / "cdnow_transactions.csv"
    export.to_csv(path, index=False)
    book = import_files([path])
    assert book.problems == []
    return raw, book


def test_frequency_and_monetary_match_an_independent_computation(cdnow):
    raw, book = cdnow
    result = segment(book, "rfm11")
    expected = raw.groupby("customer").agg(frequency=("dollars", "size"), monetary=("dollars", "sum"))
    expected.index = "other:" + expected.index
    got = result.customers[["frequency", "monetary"]]
    assert len(got) == 2357 == len(expected)
    pd.testing.assert_series_equal(got["frequency"].sort_index(), expected["frequency"].sort_index(),
                                   check_names=False, check_dtype=False)
    assert (got["monetary"].sort_index() - expected["monetary"].sort_index()).abs().max() < 0.006
    last = pd.to_datetime(raw.groupby("customer")["date"].max())
    assert result.analysis_date == dt.date(1998, 7, 1)  # the day after the last purchase
    recency = (pd.Timestamp("1998-07-01") - last).dt.days
    recency.index = "other:" + recency.index
    assert (result.customers["recency"].sort_index() == recency.sort_index()).all()


def test_cut_points_match_numpy_quantiles(cdnow):
    raw, book = cdnow
    result = segment(book, "rfm11")
    per_customer = raw.groupby("customer").agg(frequency=("dollars", "size"), monetary=("dollars", "sum"),
                                               last=("date", "max"))
    recency = (pd.Timestamp("1998-07-01") - pd.to_datetime(per_customer["last"])).dt.days
    for axis, values in (("r", recency), ("f", per_customer["frequency"]), ("m", per_customer["monetary"])):
        expected = [float(np.quantile(values, k / 5, method="inverted_cdf")) for k in range(1, 5)]
        assert result.thresholds[axis]["cuts"] == pytest.approx(expected, abs=0.006), axis


def test_scores_and_segment_counts_are_stable(cdnow):
    _, book = cdnow
    result = segment(book, "rfm11")
    assert result.thresholds["f"]["cuts"] == [1.0, 1.0, 2.0, 4.0]
    assert result.thresholds["f"]["distinct_scores"] == 4  # 51 % bought once: a note says so
    counts = segment_table(result, book)["customers"].to_dict()
    # CDNOW's customers all first bought in early 1997, so no one is "new" or "promising".
    assert counts == {
        "champions": 801, "loyal": 171, "potential": 38, "need_attention": 260,
        "about_to_sleep": 363, "at_risk": 159, "cant_lose": 15, "hibernating": 383, "lost": 167}
    assert sum(counts.values()) == 2357
