"""Breakdowns per segment add up to the segment figures; demographics appear only where data has them."""
import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.importing import import_files
from core.segments import BREAKDOWNS, breakdown, demographics, segment, segment_table


@pytest.fixture(scope="module")
def demo(demo_book):
    return demo_book, segment(demo_book, "rfm11")


@pytest.mark.parametrize("by", [b for b in BREAKDOWNS if b not in ("item", "gender", "age_band")])
def test_order_breakdowns_add_up_to_each_segment(demo, by):
    book, seg = demo
    table = breakdown(seg, book, by)
    totals = table.groupby(level="segment")["net_sales"].sum()
    expected = segment_table(seg, book)["net_sales"]
    assert totals.reindex(expected.index).to_numpy() == pytest.approx(expected.to_numpy(), abs=0.05)
    shares = table.groupby(level="segment")["share_of_segment"].sum()
    assert shares.to_numpy() == pytest.approx(1.0, abs=0.01)


def test_items_and_top(demo):
    book, seg = demo
    items = breakdown(seg, book, "item", top=3)
    assert items.groupby(level="segment").size().max() <= 3
    assert (items["net_sales"] > 0).all()


def test_demographics_only_where_the_data_states_them(demo, tmp_path):
    book, _ = demo
    assert demographics(book) == []
    path = tmp_path / "shop.csv"
    path.write_text("Order ID,Order Date,Email,Order Total,Currency,Gender,Age\n"
                    "1,2025-01-02,a@x.com,20,EUR,F,34\n2,2025-01-03,b@x.com,30,EUR,M,61\n"
                    "3,2025-01-04,c@x.com,10,EUR,,\n", encoding="utf-8")
    small = import_files([path])
    assert demographics(small) == ["gender", "age_band"]
    seg = segment(small, "value")
    ages = breakdown(seg, small, "age_band").reset_index()
    assert set(ages["age_band"]) == {"25–34", "55–64", "?"}
    genders = breakdown(seg, small, "gender").reset_index()
    assert genders.set_index("gender")["net_sales"].to_dict() == {"M": 30.0, "F": 20.0, "?": 10.0}


def test_unknown_breakdown_is_refused(demo):
    book, seg = demo
    with pytest.raises(ValueError, match="breakdown must be one of"):
        breakdown(seg, book, "zodiac")


def test_item_breakdown_counts_what_the_segmentation_counted(tmp_path):
    path = tmp_path / "orders_export_1.csv"
    path.write_text(
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"
        "#1,a@x.com,paid,USD,20.00,2025-01-02 10:00:00 +0000,1,Mug,20.00\n"
        "#2,a@x.com,paid,EUR,30.00,2025-01-03 10:00:00 +0000,1,Vase,30.00\n"
        "#3,a@x.com,paid,USD,40.00,2025-03-01 10:00:00 +0000,1,Lamp,40.00\n", encoding="utf-8")
    book = import_files([path])
    import datetime as dt
    seg = segment(book, "value", currency="USD", analysis_date=dt.date(2025, 2, 1))
    items = breakdown(seg, book, "item").reset_index()
    assert items["item"].tolist() == ["Mug"]  # no EUR line, nothing after the analysis date
    months = breakdown(seg, book, "month").reset_index()
    assert months["month"].tolist() == sorted(months["month"].tolist())


def test_tables_of_a_segmentation_are_built_once_and_follow_the_segmentation(demo_book):
    """A plan asks a dozen times for the lines and orders of one segmentation (OrderBook.memo_of);
    another segmentation gets its own, equal to building them afresh."""
    from core.segments.products import _segment_lines, segment_lines
    from core.segments.summary import _customer_orders, _segment_orders

    rfm, value = segment(demo_book, "rfm11"), segment(demo_book, "value")
    first = segment_lines(rfm, demo_book)
    assert segment_lines(rfm, demo_book) is first
    other = segment_lines(value, demo_book)
    assert other is not first and set(other["segment"]) <= set(value.labels)
    assert other.equals(_segment_lines(value, demo_book))  # values and dtypes, as built afresh
    orders = _customer_orders(rfm, demo_book)
    assert _customer_orders(rfm, demo_book) is orders
    assert orders.equals(_segment_orders(rfm, demo_book))


def test_month_keys_count_each_paid_order_in_its_calendar_month(demo):
    # Months are codes into the span of the orders: the keys must read as strftime("%Y-%m") does.
    import collections

    import pandas as pd

    book, seg = demo
    orders = book.orders
    paid = orders[(orders["status"] == "paid") & (orders["currency"] == seg.currency)
                  & (orders["placed_at"] < pd.Timestamp(seg.analysis_date, tz="UTC"))]
    segment_of = seg.customers["segment"]
    paid = paid[paid["customer_key"].astype(str).isin(segment_of.index)]
    expected = collections.Counter(zip(segment_of.loc[paid["customer_key"].astype(str)],
                                       (when.strftime("%Y-%m") for when in paid["placed_at"])))
    counted = breakdown(seg, book, "month")["orders"]
    assert {key: int(n) for key, n in counted.items()} == dict(expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1900, 1, 1),
                                                  max_value=dt.datetime(2100, 1, 1))), min_size=1, max_size=20))
def test_month_weekday_and_hour_are_pandas_own_utc_fields(times):
    # The time breakdowns read each order's UTC instant as an integer (summary._time_keys); they
    # must say what pandas' .dt fields say, before 1970 and with missing times too.
    from core.segments.summary import _time_keys

    when = pd.Series(pd.to_datetime(times, utc=True), dtype="datetime64[ns, UTC]")
    for by, field in (("weekday", "day_of_week"), ("hour", "hour")):
        pd.testing.assert_series_equal(_time_keys(when, by), getattr(when.dt, field), check_names=False)
    months = when.dt.strftime("%Y-%m")
    assert _time_keys(when, "month").astype(object).where(when.notna(), None).tolist() == \
        months.astype(object).where(when.notna(), None).tolist()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.one_of(st.none(), st.sampled_from(["US", "DE", "?", 3]))),
                min_size=1, max_size=60),
       st.lists(st.sampled_from(["champions", "at_risk", "new"]), min_size=10, max_size=10),
       st.booleans())
def test_distinct_customers_per_segment_and_value_are_pandas_nunique(rows, segment_of, table_too_large):
    # Breakdowns count a (value, customer) pair once in a table of values × customers; every
    # customer is in one segment. Missing values belong to no group, as in pandas.
    from core.segments import summary

    frame = pd.DataFrame({"customer": [c for c, _ in rows], "key": [k for _, k in rows]})
    frame["segment"] = pd.Categorical([segment_of[c] for c in frame["customer"]],
                                      categories=["at_risk", "champions", "new", "unused"])
    if table_too_large:
        summary_limit, summary.MAX_PAIR_TABLE = summary.MAX_PAIR_TABLE, 0
    try:
        groups = frame.groupby(["segment", "key"]).size().index
        got = summary._distinct_customers(frame, "key", groups)
    finally:
        if table_too_large:
            summary.MAX_PAIR_TABLE = summary_limit
    expected = frame.groupby(["segment", "key"])["customer"].nunique()
    assert got.equals(expected) and got.index.equals(expected.index)
