"""RFM scores: higher is better on every axis, ties share a score, cut points are reported."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.segments.rfm import rfm_scores, score_axis


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=300),
       st.sampled_from([3, 4, 5]), st.booleans())
def test_equal_values_equal_scores_and_order_is_kept(values, bins, higher):
    series = pd.Series(values, dtype=float)
    scores, cuts = score_axis(series, bins, higher)
    frame = pd.DataFrame({"v": values, "s": scores})
    assert (frame.groupby("v")["s"].nunique() == 1).all()  # ties never split by file order
    ordered = frame.sort_values("v")["s"].to_numpy()
    assert (np.diff(ordered) >= 0).all() if higher else (np.diff(ordered) <= 0).all()
    assert scores.min() >= 1 and scores.max() <= bins
    assert cuts.distinct_scores == len(np.unique(scores))
    assert bool(cuts.notes) == (cuts.distinct_scores < bins)


def test_spread_values_use_every_score_evenly():
    scores, cuts = score_axis(pd.Series(np.arange(100.0)), 5, True)
    assert np.bincount(scores)[1:].tolist() == [20] * 5 and cuts.cuts == [19, 39, 59, 79]


def test_custom_thresholds_read_as_within_days_and_more_than():
    recency, _ = score_axis(pd.Series([5.0, 30, 31, 90, 400]), 5, False, cuts=[30, 90, 180, 365])
    assert recency.tolist() == [5, 5, 4, 4, 1]
    frequency, info = score_axis(pd.Series([1.0, 2, 3, 6]), 5, True, cuts=[1, 2, 5, 10])
    assert frequency.tolist() == [1, 2, 3, 4] and info.method == "custom"


def test_best_customer_scores_high_on_every_axis():
    features = pd.DataFrame({"recency": [1, 50, 300], "frequency": [9, 3, 1], "monetary": [900.0, 90, 9]})
    scores, cuts = rfm_scores(features, bins=3)
    assert scores.iloc[0].tolist() == [3, 3, 3] and scores.iloc[2].tolist() == [1, 1, 1]
    assert set(cuts) == {"r", "f", "m"}


def test_bins_are_checked():
    with pytest.raises(ValueError, match="bins must be one of"):
        rfm_scores(pd.DataFrame({"recency": [1], "frequency": [1], "monetary": [1.0]}), bins=7)
