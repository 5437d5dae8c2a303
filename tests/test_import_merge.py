"""Several files make one customer base: overlaps are not double-counted, identities are shared."""
import csv

from core.importing import import_files
from core.summary import import_summary
from tests.conftest import ROOT

DEMO_SHOPIFY = ROOT / "resources" / "demo" / "shopify_orders_export.csv"
DEMO_TAOBAO = sorted((ROOT / "resources" / "demo").glob("Export*.csv"))


def split_by_orders(source, first, second, overlap=300):
    """Two exports of one shop whose periods overlap: every order of the overlap is in both."""
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    names = list(dict.fromkeys(r[0] for r in body))
    cut = len(names) // 2
    early, late = set(names[: cut + overlap]), set(names[cut - overlap:])
    for path, keep in ((first, early), (second, late)):
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header] + [r for r in body if r[0] in keep])


def test_overlapping_exports_count_each_order_once(tmp_path):
    first, second = tmp_path / "orders_export_1.csv", tmp_path / "orders_export_2.csv"
    split_by_orders(DEMO_SHOPIFY, first, second)
    whole = import_summary(import_files([DEMO_SHOPIFY]))
    merged_book = import_files([first, second])
    merged = import_summary(merged_book)
    for key in ("orders", "orders_by_status", "customers", "unidentified_orders", "net_sales",
                "refunds", "first_order", "last_order"):
        assert merged[key] == whole[key], key
    assert len(merged_book.lines) == len(import_files([DEMO_SHOPIFY]).lines)


def test_the_same_file_twice_changes_nothing():
    once = import_summary(import_files(DEMO_TAOBAO))
    twice = import_summary(import_files(DEMO_TAOBAO + DEMO_TAOBAO))
    assert {k: v for k, v in twice.items() if k != "files"} == {k: v for k, v in once.items() if k != "files"}


def test_same_email_on_two_platforms_is_one_customer(tmp_path):
    shopify = tmp_path / "orders_export_1.csv"
    shopify.write_text(
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"
        "#1,Mia@Example.com,paid,USD,20.00,2025-01-02 10:00:00 +0000,1,Mug,20.00\n", encoding="utf-8")
    woo = tmp_path / "generic.csv"
    woo.write_text("Order ID,Order Date,Email,Order Total,Currency\n"
                   "W-9,2025-02-03,mia@example.com ,35.50,USD\n", encoding="utf-8")
    book = import_files([shopify, woo])
    summary = import_summary(book)
    assert summary["orders"] == 2 and summary["customers"] == 1
    assert summary["net_sales"] == {"USD": 55.5}
    assert set(book.orders["customer_key"]) == {"mia@example.com"}


def test_currencies_are_never_added(tmp_path):
    path = tmp_path / "orders_export_1.csv"
    path.write_text(
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"
        "#1,a@x.com,paid,USD,20.00,2025-01-02 10:00:00 +0000,1,Mug,20.00\n"
        "#2,a@x.com,paid,EUR,30.00,2025-01-03 10:00:00 +0000,1,Mug,30.00\n", encoding="utf-8")
    summary = import_summary(import_files([path]))
    assert summary["net_sales"] == {"EUR": 30.0, "USD": 20.0}
