"""Several files make one customer base: overlaps are not double-counted, identities are shared."""
import csv

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.importing import import_files
from core.importing.engine import ROLE_RANK, FilePart, merge
from core.model import FileInfo, empty_lines, empty_orders
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


def reference_merge(parts):
    """The merge rules written plainly, order by order: rows ranked by report role then file, the
    first value each column has per (platform, order_id), lines from the first file with lines."""
    rows = []
    for number, part in enumerate(parts):
        for i, record in enumerate(part.orders.to_dict("records")):
            if part.refund_known is not None and not part.refund_known[i]:
                record["refunded"] = None
            rows.append((ROLE_RANK[part.role], number, record))
    rows.sort(key=lambda r: (r[0], r[1]))
    merged: dict = {}
    for _rank, _number, record in rows:
        first = merged.setdefault((record["platform"], record["order_id"]), dict(record))
        for name, value in record.items():
            if pd.isna(first[name]):
                first[name] = value
    owner, lines = {}, []
    for number, part in enumerate(parts):
        for record in part.lines.to_dict("records"):
            if owner.setdefault((record["platform"], record["order_id"]), number) == number:
                lines.append(record)
    for order in merged.values():
        order["refunded"] = 0.0 if pd.isna(order["refunded"]) else order["refunded"]
        if order["status"] == "paid" and order["refunded"] >= order["order_total"] > 0:
            order["status"] = "refunded"  # settle_full_refunds
        if pd.isna(order["item_count"]):
            counts = [line["quantity"] for line in lines
                      if (line["platform"], line["order_id"]) == (order["platform"], order["order_id"])]
            order["item_count"] = sum(counts) if counts else np.nan
    return list(merged.values()), lines


@st.composite
def file_parts(draw):
    parts = []
    for number in range(draw(st.integers(2, 4))):
        ids = draw(st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=5, unique=True))
        role = draw(st.sampled_from(sorted(ROLE_RANK)))
        orders = empty_orders().reindex(range(len(ids)))
        orders["platform"], orders["order_id"], orders["status"] = "shopify", ids, "paid"
        orders["order_total"] = [draw(st.sampled_from([10.0, 25.0])) for _ in ids]
        orders["refunded"] = [draw(st.sampled_from([0.0, 5.0, 25.0, np.nan])) for _ in ids]
        orders["item_count"] = [draw(st.sampled_from([1.0, np.nan])) for _ in ids]
        orders["email"] = [draw(st.sampled_from([f"{i}{number}@x.com", None])) for i in ids]
        orders["source_file"] = f"file{number}.csv"
        line_ids = [i for i in ids if draw(st.booleans())]
        lines = empty_lines().reindex(range(len(line_ids)))
        lines["platform"], lines["order_id"], lines["quantity"] = "shopify", line_ids, float(number + 1)
        known = np.array([draw(st.booleans()) for _ in ids]) if draw(st.booleans()) else None
        info = FileInfo(f"file{number}.csv", "shopify", role, "utf-8", len(ids))
        parts.append(FilePart(info, role, orders, lines, refund_known=known))
    return parts


@settings(max_examples=25, deadline=None)  # each example runs the pandas merge: ~0.1 s
@given(file_parts())
def test_merge_follows_its_rules_order_by_order(parts):
    want_orders, want_lines = reference_merge(parts)
    orders, lines = merge(list(parts))
    assert len(orders) == len(want_orders) and len(lines) == len(want_lines)
    for got, want in zip(orders.to_dict("records"), want_orders):
        for name in ("order_id", "status", "order_total", "refunded", "item_count", "email", "source_file"):
            assert (pd.isna(got[name]) and pd.isna(want[name])) or got[name] == want[name], (name, got, want)
    assert [(r["order_id"], r["quantity"]) for r in lines.to_dict("records")] == \
        [(r["order_id"], r["quantity"]) for r in want_lines]
