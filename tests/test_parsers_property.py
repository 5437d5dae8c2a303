"""Property-based tests: money and dates survive format → parse, and arbitrary bytes never crash."""
import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.importing import import_files
from core.importing.parse import decide_decimal, parse_dates, parse_money
from core.importing.profiles import all_profiles

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)
SYMBOLS = ["", "$", "US $", "£", "€", "¥", "RM", "R$", "₫", "元"]


def group(integer: int, sep: str) -> str:
    return f"{integer:,}".replace(",", sep)


def write_money(value: Decimal, decimal: str, thousands: bool, symbol: str, suffix: bool,
                accounting: bool) -> str:
    sign, magnitude = ("-" if value < 0 else ""), abs(value)
    integer, cents = divmod(int(magnitude * 100), 100)
    sep = "." if decimal == "," else ","
    text = f"{group(integer, sep) if thousands else integer}{decimal}{cents:02d}"
    if sign and accounting:
        text = f"({text})"
    elif sign:
        text = "-" + text
    return f"{text} {symbol}".strip() if suffix else f"{symbol}{text}"


@given(st.lists(amounts, min_size=1, max_size=20), st.sampled_from([".", ","]), st.booleans(),
       st.sampled_from(SYMBOLS), st.booleans(), st.booleans())
def test_money_format_then_parse_gives_the_value_back(values, decimal, thousands, symbol, suffix,
                                                      accounting):
    cells = pa.array([write_money(v, decimal, thousands, symbol, suffix, accounting) for v in values])
    parsed, bad = parse_money(cells, decimal)
    assert not any(bad.to_pylist())
    assert parsed.to_pylist() == pytest.approx([float(v) for v in values], abs=1e-6)


@given(st.lists(amounts.filter(lambda v: v % 1 != 0), min_size=1, max_size=20),
       st.sampled_from([".", ","]), st.booleans())
def test_decimal_mark_is_decided_per_file(values, decimal, thousands):
    cells = pa.array([write_money(v, decimal, thousands, "€", True, False) for v in values])
    assert decide_decimal([cells]) == decimal


@given(st.lists(st.text(max_size=12), min_size=1, max_size=10), st.sampled_from([".", ","]))
def test_any_text_as_money_is_a_number_or_flagged(cells, decimal):
    parsed, bad = parse_money(pa.array(cells, pa.string()), decimal)
    for value, is_bad in zip(parsed.to_pylist(), bad.to_pylist()):
        # Never silent: a cell is either a number or reported, never both and never neither.
        assert (value is None) == is_bad


ALL_FORMATS = sorted({f for p in all_profiles() for f in p.date_formats})
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2035, 12, 31))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moments=st.lists(moments, min_size=1, max_size=10), offset=offsets)
def test_dates_format_then_parse_give_the_moment_back(fmt, moments, offset):
    zone = dt.timezone(dt.timedelta(minutes=offset)) if "%z" in fmt else dt.timezone.utc
    moments = [m.replace(microsecond=0, tzinfo=zone) for m in moments]
    # A day above 12 makes the file unambiguous, as in any real export of more than a few days.
    moments.append(dt.datetime(2024, 5, 28, 13, 45, 0, tzinfo=zone))
    cells = pa.array([m.strftime(fmt) for m in moments])
    parsed, bad, _ = parse_dates(cells, (fmt,) + tuple(f for f in ALL_FORMATS if f != fmt))
    assert not any(bad.to_pylist())
    expected = [dt.datetime.strptime(m.strftime(fmt), fmt) for m in moments]
    expected = [(e if e.tzinfo else e.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
                for e in expected]
    assert parsed.to_pylist() == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".txt", ".xlsx", ".tsv"]))
def test_arbitrary_bytes_give_problems_never_an_exception(tmp_path, data, suffix):
    path = tmp_path / f"export{suffix}"
    path.write_bytes(data)
    book = import_files([path])
    assert book.files or book.problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]),
                                      max_size=8), min_size=19, max_size=19), max_size=6))
def test_arbitrary_cells_under_a_real_header_never_crash(tmp_path, rows):
    import csv
    header = ["Name", "Email", "Financial Status", "Paid at", "Currency", "Subtotal", "Shipping",
              "Taxes", "Total", "Discount Amount", "Created at", "Lineitem quantity",
              "Lineitem name", "Lineitem price", "Lineitem sku", "Billing Name", "Billing Zip",
              "Billing Country", "Refunded Amount"]
    path = tmp_path / "orders_export_1.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header] + rows)
    book = import_files([path])
    assert len(book.orders) <= len(rows)


@pytest.mark.parametrize("cells,decimal,expected,bad", [
    (["1,5", "2.50"], ".", [None, 2.5], [True, False]),      # never read 1,5 as 15
    (["1.234", "1.234,5"], ",", [1234.0, 1234.5], [False, False]),
    (["1.23", "7,5"], ",", [None, 7.5], [True, False]),      # a lone decimal point in a comma file
    (["116,99 €", "US $1,433.66"], ",", [116.99, None], [False, True]),
    (["(12.50)", "12.50-", "RM 3"], ".", [-12.5, -12.5, 3.0], [False, False, False]),
])
def test_ambiguous_separators_are_reported_not_guessed(cells, decimal, expected, bad):
    parsed, flagged = parse_money(pa.array(cells), decimal)
    assert parsed.to_pylist() == expected and flagged.to_pylist() == bad


@pytest.mark.parametrize("cell", ["1e400", "9" * 40, "-1e308", "12345678901234567", "inf", "NaN"])
def test_amounts_no_shop_has_are_bad_cells_not_money(cell):
    numbers, bad = parse_money(pa.array(["12.50", cell], pa.string()), ".")
    assert numbers.to_pylist() == [12.5, None] and bad.to_pylist() == [False, True]


@pytest.mark.parametrize("cell", ["12/31/99", "01/02/0025", "03/04/20255"])
def test_dates_no_order_was_placed_on_are_bad_cells(cell):
    stamps, bad, _ = parse_dates(pa.array(["03/14/2025", cell], pa.string()), ("%m/%d/%Y",))
    assert stamps[0].as_py().year == 2025 and stamps[1].as_py() is None
    assert bad.to_pylist() == [False, True]


CELL_TEXT = st.text(alphabet=st.sampled_from(list("ab1#-@.x ='\t\n\r") + ["\u00a0", "\u3000", "é", "文"]),
                    max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), CELL_TEXT), max_size=12), st.integers(min_value=0, max_value=3))
def test_cleaning_skips_only_columns_it_would_not_change(cells, cut):
    # clean_text looks at each cell's first and last byte and skips trimming when no cell can
    # start or end with a blank, an armour or a non-ASCII character
    # (parse._may_need_cleaning); slices included.
    from core.importing import parse

    values = pa.array(cells, pa.string()).slice(min(cut, len(cells)))
    fast = parse.clean_text(values)
    always = parse._may_need_cleaning
    try:
        parse._may_need_cleaning = lambda v: True
        assert fast.equals(parse.clean_text(values))
    finally:
        parse._may_need_cleaning = always


def test_cleaning_is_skipped_for_plain_columns_only():
    # The skip must happen (it is most of a large file's cleaning), and only where nothing changes.
    from core.importing.parse import _may_need_cleaning

    assert not _may_need_cleaning(pa.array(["#1001", "a@b.com", None, "12.50"]))
    assert not _may_need_cleaning(pa.array([None, None], pa.string()))
    assert not _may_need_cleaning(pa.array(["2024-11-01 00:01:45 -0400", "Henry García", "a\tb"]))
    assert not _may_need_cleaning(pa.array([" 12", "plain"]).slice(1))
    for cell in (" 12", "12 ", "=\"007\"", "'0012", "x\u00a0", "\u3000x", "文", "\n"):
        assert _may_need_cleaning(pa.array(["plain", cell])), cell


@given(st.lists(st.tuples(st.integers(0, 6), st.one_of(st.none(), st.text(max_size=3))), max_size=40),
       st.integers(1, 4))
def test_first_value_per_order_is_each_orders_earliest_filled_row(rows, columns):
    """Groups.first_valid shares its index between columns filled on the same rows; every column
    still gets, per order, its own value of the order's earliest row where it is filled."""
    from core.importing.engine import Groups

    keys = [f"#{order}" for order, _ in rows]
    groups = Groups(pa.array(keys, pa.string()))
    # Columns 0 and 1 are filled on the same rows (one shared index), the others on their own.
    table = [[value if n < 2 or value is None else value + str(n) for _, value in rows]
             for n in range(columns)]
    table += [[value if (at + n) % 3 else None for at, value in enumerate(column)]
              for n, column in enumerate(table)]
    for column in table:
        expected = {}
        for key, value in zip(keys, column):
            if value is not None:
                expected.setdefault(key, value)
        got = groups.first_valid(pa.array(column, pa.string())).to_pylist()
        assert got == [expected.get(key) for key in groups.keys.to_pylist()]
