"""Exchange rates: a book converted into one reporting currency (checked against an independent
computation on the demo's USD + CNY exports), rate files with days, and `plan`/`report --rates`
naming the rates they converted with."""
import csv
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.currency import Conversion, conversion_note, convert_book, paid_currencies, rate_text, rebased
from core.errors import InputError
from core.resources import RESOURCES
from core.segment_options import parse_rate, read_conversion
from tests.conftest import run_main

DEMO = sorted(str(p) for p in (RESOURCES / "demo").glob("*.csv"))
RATE = Conversion("USD", {"CNY": 0.1381}, {"CNY": "2026-11-30"})


@pytest.fixture(scope="module")
def book(demo_book):
    return demo_book


@pytest.fixture
def rates_file(tmp_path):
    path = tmp_path / "rates.toml"
    path.write_text('base = "USD"\n[rates]\nCNY = 0.1381\n[dates]\nCNY = 2026-11-30\n', encoding="utf-8")
    return path


def shopify_net_sales() -> float:
    """Independent: the demo Shopify export's net sales with the csv module (paid = not
    pending/voided/refunded; net = Total − Refunded Amount, once per order)."""
    total, seen = 0.0, set()
    path = next(p for p in DEMO if "orders_export" in p)
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] in seen or not row["Total"]:
                continue
            seen.add(row["Name"])
            if row["Financial Status"] in ("paid", "partially_refunded"):
                total += float(row["Total"]) - float(row["Refunded Amount"] or 0)
    return total


def test_a_converted_book_holds_one_currency_and_every_amount_times_its_rate(book):
    converted = convert_book(book, RATE)
    assert set(converted.orders["currency"]) == {"USD"} and converted.conversion == RATE
    assert book.conversion is None and set(book.orders["currency"]) == {"USD", "CNY"}  # the input is kept
    cny = (book.orders["currency"] == "CNY").to_numpy()
    for column in ("order_total", "refunded", "shipping", "discount"):
        was, now = book.orders[column].to_numpy(), converted.orders[column].to_numpy()
        assert now[cny] == pytest.approx(was[cny] * 0.1381, nan_ok=True)
        assert now[~cny] == pytest.approx(was[~cny], nan_ok=True)
    # Lines follow their order's currency.
    order_currency = book.orders.set_index(["platform", "order_id"])["currency"]
    line_currency = order_currency.reindex(pd.MultiIndex.from_frame(book.lines[["platform", "order_id"]])).to_numpy()
    factor = pd.Series(line_currency).map({"CNY": 0.1381, "USD": 1.0}).to_numpy()
    assert converted.lines["line_total"].to_numpy() == pytest.approx(book.lines["line_total"].to_numpy() * factor,
                                                                     nan_ok=True)
    paid = converted.orders[converted.orders["status"] == "paid"]
    net = (paid["order_total"] - paid["refunded"].fillna(0)).sum()
    taobao = book.orders[(book.orders["status"] == "paid") & cny]
    expected = shopify_net_sales() + (taobao["order_total"] - taobao["refunded"].fillna(0)).sum() * 0.1381
    assert net == pytest.approx(expected, abs=0.005)
    assert paid_currencies(book) == ["USD", "CNY"]


def test_a_missing_rate_is_named(book):
    with pytest.raises(InputError) as error:
        convert_book(book, Conversion("EUR", {"USD": 0.92}))
    assert "CNY" in error.value.problem.message() and "EUR" in error.value.problem.message()


def test_rates_read_typed_rebased_and_named(rates_file, tmp_path):
    assert read_conversion(rates_file) == RATE
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "USD"\n[rates]\nCNY = 0.1381\n[dates]\nCNY = "30/11/2026"\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_conversion(bad)
    assert "30/11/2026" in error.value.problem.message() and "YYYY-MM-DD" in error.value.problem.message()
    assert parse_rate(" 0,1381 ", "CNY", "USD") == 0.1381 and parse_rate("7.24", "USD", "CNY") == 7.24
    for text in ("", "abc", "0", "-1", "1,2,3", "nan", "inf"):
        with pytest.raises(InputError):
            parse_rate(text, "CNY", "USD")
    two = Conversion("USD", {"CNY": 0.14, "EUR": 1.08}, {"CNY": "2026-11-30", "EUR": "2026-12-01"})
    in_eur = rebased(two, "EUR")
    assert in_eur.rates["USD"] == pytest.approx(1 / 1.08) and in_eur.rates["CNY"] == pytest.approx(0.14 / 1.08)
    assert in_eur.dates == {"USD": "2026-12-01", "CNY": "2026-12-01"}
    assert rebased(two, "JPY").rates == {}
    assert [rate_text(v) for v in (7.1, 0.1381, 0.0000412, 25400.0)] == ["7.1", "0.1381", "0.0000412", "25400"]
    assert conversion_note(RATE) == "All amounts in USD, converted at your rates: 1 CNY = 0.1381 USD (2026-11-30)."
    assert conversion_note(RATE, "zh") == "所有金额均按您输入的汇率换算为 USD：1 CNY = 0.1381 USD（2026-11-30）。"
    assert Conversion.from_json(RATE.as_json()) == RATE
    assert Conversion.from_json({"base": "USD", "rates": {"CNY": "x"}}) is None
    assert Conversion.from_json(None) is None


def test_plan_with_rates_covers_every_customer_and_names_the_rates(book, rates_file):
    done = run_main("plan", *DEMO, "--rates", rates_file, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["currency"] == "USD" and data["conversion"] == RATE.as_json()
    converted = convert_book(book, RATE)
    customers = sum(s["customers"] for s in data["segments"])
    orders = converted.orders
    before = pd.Timestamp(data["analysis_date"], tz="UTC")
    identified = orders[(orders["status"] == "paid") & (orders["customer_key"] != "") & (orders["placed_at"] < before)]
    assert customers == identified["customer_key"].nunique()
    assert sum(s["net_sales"] for s in data["segments"]) == pytest.approx(
        (identified["order_total"] - identified["refunded"].fillna(0)).sum(), abs=0.05)
    plain = json.loads(run_main("plan", *DEMO, "--json").stdout)
    assert plain["conversion"] is None and sum(s["customers"] for s in plain["segments"]) < customers
    text = run_main("plan", *DEMO, "--rates", rates_file, lang="zh_CN").stdout
    assert conversion_note(RATE, "zh") in text


def test_a_bad_rates_file_is_refused_before_reading_the_exports(tmp_path):
    bad = tmp_path / "rates.toml"
    bad.write_text('base = "USD"\n[rates]\nCNY = -1\n', encoding="utf-8")
    for command in ("plan", "report"):
        extra = ["-o", str(tmp_path / "x.pdf")] if command == "report" else []
        done = run_main(command, *DEMO, "--rates", bad, *extra)
        assert done.returncode == 2 and "CNY" in done.stderr and "-1" in done.stderr
        assert not (tmp_path / "x.pdf").exists()


def test_derived_tables_are_built_once_per_book_and_never_shared_with_a_converted_one(book):
    from core.segments.products import paid_lines

    first = paid_lines(book)
    assert paid_lines(book) is first  # built once: a plan asks about a dozen times
    converted = convert_book(book, RATE)
    lines = paid_lines(converted)
    assert lines is not first and set(lines["currency"]) == {"USD"}
    assert lines["line_total"].sum() < first["line_total"].sum()  # CNY lines are now in USD
    from dataclasses import replace

    fewer = replace(book, orders=book.orders.iloc[:100])
    assert len(paid_lines(fewer)) < len(first)  # other orders: built again


@pytest.mark.parametrize("dtype", ["str", "category"])
def test_the_main_currency_of_a_tie_is_the_one_seen_first_whether_text_or_codes(dtype):
    from core.model import OrderBook
    from core.segments.features import main_currency

    orders = pd.DataFrame({"status": ["paid"] * 4, "customer_key": ["a", "b", "c", "d"],
                           "currency": ["USD", "USD", "EUR", "EUR"]}).astype(dtype)
    book = OrderBook()
    book.orders = orders
    assert main_currency(book) == "USD"
    repeat = pd.DataFrame({"status": ["paid"] * 5, "customer_key": ["a", "a", "a", "b", "c"],
                           "currency": ["EUR", "EUR", "EUR", "USD", "USD"]}).astype(dtype)
    assert main_currency(OrderBook(orders=repeat)) == "USD"  # customers count, not their orders


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["paid", "paid", "refunded", "pending"]),
                          st.sampled_from(["a", "b", "c", "", None]),
                          st.sampled_from(["USD", "EUR", "CNY", None])), max_size=30),
       st.sampled_from(["str", "category"]))
def test_paid_currencies_rank_by_distinct_customers_as_dropping_duplicate_rows_does(rows, dtype):
    # Marked in a table of currencies × customers instead of dropping duplicate rows; the same
    # ranking, ties in code order, unidentified orders one customer, no currency not counted.
    from core.model import OrderBook

    orders = pd.DataFrame(rows, columns=["status", "customer_key", "currency"]).astype(
        {"customer_key": dtype, "currency": dtype, "status": "str"})
    paid = orders.loc[orders["status"] == "paid", ["currency", "customer_key"]]
    counts = paid.drop_duplicates().groupby("currency", observed=True).size()
    expected = [str(c) for c in counts.sort_values(ascending=False, kind="stable").index]
    book = OrderBook(orders=orders)
    assert paid_currencies(book) == expected
    assert paid_currencies(book) == expected  # worked out once, handed out as a new list
