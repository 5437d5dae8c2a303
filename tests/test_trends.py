"""Cohorts, segment migration and the demand forecast on the demo data and on constructed series."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.trends import (
    MONTHLY_COHORTS_UP_TO, NOT_YET, cohort_period, cohorts, demand_forecast, forecast_series, migration,
    naive_seasonal,
)


@pytest.fixture(scope="module")
def book(demo_book):
    return demo_book


def test_cohorts_partition_the_customers(book):
    table = cohorts(book)
    paid = book.orders[(book.orders["status"] == "paid") & (book.orders["customer_key"] != "")
                       & (book.orders["currency"] == "USD")]
    assert table["customers"].sum() == paid["customer_key"].nunique()
    retention = table["retention"]
    assert (retention[0].dropna() == 1.0).all() and (retention.fillna(0) <= 1.0).all().all()
    assert retention.iloc[-1].isna().sum() > retention.iloc[0].isna().sum()  # young cohorts: unknown later months
    assert np.nansum(table["revenue"].to_numpy()) == pytest.approx((paid["order_total"] - paid["refunded"]).sum(), abs=0.05)
    quarters = cohorts(book, period="Q")
    assert quarters["customers"].sum() == table["customers"].sum()


def test_a_year_of_orders_opens_by_month_a_longer_history_by_quarter(book):
    import dataclasses

    assert cohort_period(book) == "Q"  # the demo: November 2024 to November 2026
    placed = book.orders["placed_at"]
    last = placed.max()

    def since(months_back: int):
        start = (last - pd.DateOffset(months=months_back)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return dataclasses.replace(book, orders=book.orders[placed >= start])

    assert cohort_period(since(MONTHLY_COHORTS_UP_TO - 1)) == "M"  # 12 calendar months
    assert cohort_period(since(MONTHLY_COHORTS_UP_TO)) == "Q"  # 13
    assert cohort_period(dataclasses.replace(book, orders=book.orders.iloc[:0])) == "M"  # nothing paid yet


def test_migration_accounts_for_every_customer(book):
    moved = migration(book, "rfm11", days=90)
    assert moved.before.analysis_date == moved.after.analysis_date - dt.timedelta(days=90)
    assert moved.matrix.to_numpy().sum() == len(moved.after.customers)
    assert moved.matrix.loc[NOT_YET].sum() == len(moved.movers["won"])
    groups = [set(moved.movers[k]) for k in ("up", "slipped")]
    assert not groups[0] & groups[1]
    assert set(moved.movers["lost"]) <= set(moved.movers["slipped"])
    assert moved.money.to_numpy().sum() == pytest.approx(moved.after.customers["monetary"].sum(), abs=0.5)


def test_forecast_learns_a_season_and_beats_the_naive_baseline_on_it():
    months = pd.period_range("2022-01", periods=36, freq="M")
    season = np.tile([80, 70, 90, 100, 110, 120, 100, 95, 105, 130, 180, 220], 3)
    values = pd.Series(season * np.linspace(1.0, 1.5, 36), index=months)
    result = forecast_series("all", values, horizon=6)
    assert result.method == "ets_seasonal" and len(result.forecast) == 6
    assert (result.forecast["lower"] <= result.forecast["mean"]).all() and (result.forecast["mean"] <= result.forecast["upper"]).all()
    assert result.backtest["model_mape"] < result.backtest["baseline_mape"]  # it learned the growth


def test_too_little_history_shows_the_trend_only():
    values = pd.Series([10.0, 12, 14, 15, 18], index=pd.period_range("2025-01", periods=5, freq="M"))
    result = forecast_series("Mugs", values, horizon=3)
    assert result.method == "trend" and result.forecast.empty and result.notes[0][0] == "trends.too_little_history"
    assert naive_seasonal(values, 3).tolist() == [18.0] * 3


def test_demo_forecast_covers_the_shop_and_its_categories(book):
    forecasts = demand_forecast(book, horizon=3)
    assert forecasts[0].name == "all" and {f.name for f in forecasts[1:]} >= {"Watches", "Bags"}
    assert all(f.history.index[-1] == pd.Period("2026-10", "M") for f in forecasts)  # complete months only
    with pytest.raises(ValueError, match="horizon"):
        forecast_series("all", forecasts[0].history, horizon=24)


def test_trends_json_is_complete_and_serialisable(book):
    import json

    from core.trends import trends_json
    data = trends_json(book, horizon=3, top=5)
    assert set(data) == {"currency", "cohorts", "migration", "clv", "forecast"}
    assert data["clv"]["trusted"] and len(data["clv"]["win_back_first"]) == 5
    first = data["clv"]["win_back_first"]
    assert all(0 <= c["p_alive"] <= 1 for c in first)
    assert sum(map(sum, data["migration"]["customers"])) == sum(data["cohorts"]["customers"].values())
    json.dumps(data)  # no NaN, no numpy types
