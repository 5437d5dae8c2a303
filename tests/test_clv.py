"""BG/NBD and Gamma-Gamma reproduce the published CDNOW parameters; the known traps are guarded."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.clv import customer_lifetime, expected_purchases, fit_bgnbd, fit_gamma_gamma, p_alive, repeat_data
from tests.conftest import ROOT

CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"  # see SOURCES.md there
CALIBRATION_END = dt.date(1997, 9, 30)  # the usual 39-week calibration period


@pytest.fixture(scope="module")
def cdnow():
    if not CDNOW.exists():
        pytest.skip("tests/data/cdnow/CDNOW_sample.txt is missing")
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={0: str},
                      names=["customer", "index", "date", "cds", "dollars"])
    return pd.DataFrame({"customer": raw["customer"], "date": pd.to_datetime(raw["date"].astype(str)),
                         "value": raw["dollars"]})


def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow):
    data = repeat_data(cdnow, CALIBRATION_END)
    assert len(data.x) == 2357 and data.x.sum() == 2457 and data.T.max() == pytest.approx(38.857, abs=1e-3)
    params, ok = fit_bgnbd(data)
    assert ok
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():  # two significant digits, and in fact three
        assert params[name] == pytest.approx(value, rel=5e-3), name


def test_gamma_gamma_reproduces_the_published_spend_model(cdnow):
    data = repeat_data(cdnow, CALIBRATION_END)
    repeaters = data.x > 0
    params, ok = fit_gamma_gamma(data.x[repeaters], data.monetary[repeaters])
    assert ok and repeaters.sum() == 946
    for name, value in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert params[name] == pytest.approx(value, rel=5e-3), name


def test_predictions_behave(cdnow):
    result = customer_lifetime(cdnow, CALIBRATION_END, horizon_weeks=39)
    table = result.customers
    assert result.trusted and result.notes == []
    assert table["p_alive"].between(0, 1).all() and (table.loc[table["repeat_purchases"] == 0, "p_alive"] == 1).all()
    # The holdout weeks 40–78: the model's total is within 15 % of what the customers really did.
    holdout = cdnow[cdnow["date"] > pd.Timestamp(CALIBRATION_END)]
    actual = holdout.groupby(["customer", "date"]).size().groupby(level=0).size().sum()
    assert table["expected_purchases"].sum() == pytest.approx(actual, rel=0.15)
    # A frequent buyer who stopped long ago is less likely alive than one who just bought.
    params = result.bgnbd
    assert p_alive(params, 10, 5.0, 38.0) < p_alive(params, 10, 37.0, 38.0)
    assert expected_purchases(params, 10, 10, 5.0, 38.0) < expected_purchases(params, 10, 10, 37.0, 38.0)


def test_too_little_history_falls_back_and_says_so():
    purchases = pd.DataFrame({"customer": ["a", "a", "b"], "date": pd.to_datetime(["2025-01-01", "2025-01-20", "2025-01-05"]),
                              "value": [10.0, 12.0, 8.0]})
    result = customer_lifetime(purchases, dt.date(2025, 2, 1))
    assert not result.trusted and result.notes[0][0] == "clv.not_trusted"
    assert result.customers["p_alive"].isna().all() and (result.customers["expected_value"] > 0).all()


def test_repeat_purchases_worth_nothing_after_refunds_are_left_out(cdnow):
    broken = cdnow.copy()
    repeat_rows = broken.duplicated("customer")
    broken.loc[repeat_rows & (broken.index % 7 == 0), "value"] = 0.0
    result = customer_lifetime(broken, CALIBRATION_END)
    assert result.trusted and any(note[0] == "clv.no_value_repeats" for note in result.notes)
    assert np.isfinite(result.customers["expected_spend"]).all()


def test_a_large_shop_is_fitted_on_a_sample_and_every_customer_predicted(cdnow):
    full = customer_lifetime(cdnow, CALIBRATION_END, horizon_weeks=39)
    sampled = customer_lifetime(cdnow, CALIBRATION_END, horizon_weeks=39, fit_on=1500)
    assert sampled.trusted and sampled.fitted_on == 1500 and full.fitted_on == 2357
    assert ("clv.fitted_on_sample", {"sample": 1500, "customers": 2357}) in sampled.notes
    assert sampled.customers.index.equals(full.customers.index) and sampled.customers["p_alive"].notna().all()
    assert sampled.customers["expected_purchases"].sum() == pytest.approx(full.customers["expected_purchases"].sum(), rel=0.15)
    assert full.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_calibration_before_any_purchase_is_a_note_not_a_crash(cdnow):
    result = customer_lifetime(cdnow, dt.date(1996, 12, 31))
    assert not result.trusted and result.customers.empty and result.notes[0][0] == "clv.no_purchases"


def test_a_purchase_counts_on_its_day_in_utc_naive_or_its_own_zone():
    # repeat_data reads each day from the integer instant: UTC and naive times give the same
    # data, a time in another zone counts on the day written there, a missing time not at all.
    naive = pd.DataFrame({"customer": ["a", "a", "a", "b", "b", "c"],
                          "date": pd.to_datetime(["2026-01-01 23:30", "2026-01-01 08:00", "2026-02-03 10:00",
                                                  "2026-01-05 00:00", "2026-03-01 12:00", None]),
                          "value": [10.0, 5.0, 20.0, 7.0, 9.0, 4.0]})
    utc = naive.assign(date=naive["date"].dt.tz_localize("UTC"))
    tokyo = naive.assign(date=naive["date"].dt.tz_localize("Asia/Tokyo"))
    end = dt.date(2026, 2, 28)  # b's second purchase is after it
    plain = repeat_data(naive, end)
    for other in (repeat_data(utc, end), repeat_data(tokyo, end)):
        for field in ("x", "t_x", "T", "monetary"):
            assert np.array_equal(getattr(other, field), getattr(plain, field)), field
        assert list(other.index) == list(plain.index)
    assert list(plain.index) == ["a", "b"] and plain.x.tolist() == [1.0, 0.0]  # a's two on Jan 1 are one
