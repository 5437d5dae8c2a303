"""The import's figures on the demo exports equal an independent computation with the csv module.

The reference below is written from the definitions in core.model, without pandas or pyarrow,
so a bug in the engine cannot hide in both.
"""
import csv
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from core.importing import import_files
from core.summary import customers, import_summary
from tests.conftest import ROOT

DEMO = ROOT / "resources" / "demo"
SHOPIFY_STATUS = {"paid": "paid", "partially_refunded": "paid", "partially_paid": "paid",
                  "refunded": "refunded", "voided": "cancelled", "expired": "cancelled",
                  "pending": "pending", "authorized": "pending"}
TAOBAO_STATUS = {"交易成功": "paid", "买家已付款，等待卖家发货": "paid", "卖家已发货，等待买家确认": "paid",
                 "等待买家付款": "pending", "交易关闭": "cancelled"}


def money(text: str) -> Decimal:
    return Decimal(text.strip() or "0")


def masked(text: str) -> bool:
    return "**" in text or text.startswith(("##", "$$"))


def shopify_reference(path):
    orders = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            order = orders.setdefault(row["Name"], {})
            for key, value in row.items():
                if value.strip() and key not in order:
                    order[key] = value.strip()
    out = []
    for name, o in orders.items():
        email = o.get("Email", "").lower()
        phone = re.sub(r"\D", "", o.get("Phone") or o.get("Billing Phone") or o.get("Shipping Phone") or "")
        person = (o.get("Billing Name") or o.get("Shipping Name") or "").lower()
        zipcode = (o.get("Billing Zip") or o.get("Shipping Zip") or "").lstrip("'").upper().replace(" ", "")
        key = (email if "@" in email else "") or (f"tel:{phone}" if len(phone) >= 7 else "") or (
            f"name:{' '.join(person.split())}|{zipcode}" if person and zipcode else "")
        status = SHOPIFY_STATUS[o["Financial Status"]]
        total, refunded = money(o.get("Total", "0")), money(o.get("Refunded Amount", "0"))
        if status == "refunded" and not o.get("Refunded Amount"):
            refunded = total
        out.append({"key": key, "status": status, "currency": o["Currency"], "total": total,
                    "refunded": refunded, "day": o["Created at"][:10]})
    return out


def taobao_reference(path):
    out = []
    with path.open(encoding="gb18030", newline="") as f:
        for row in csv.DictReader(f):
            nick = row["买家会员名"].strip()
            phone = re.sub(r"\D", "", row["联系手机"] or row["联系电话"] or "")
            key = (f"taobao:{nick.lower()}" if nick and not masked(nick) else "") or (
                f"tel:{phone}" if len(phone) >= 7 and not masked(row["联系手机"] or row["联系电话"]) else "")
            status = "refunded" if "退款" in row["订单关闭原因"] else TAOBAO_STATUS[row["订单状态"]]
            total = money(row["买家实际支付金额"])
            refunded = money(row.get("退款金额", "") or "0") or (total if status == "refunded" else Decimal(0))
            out.append({"key": key, "status": status, "currency": "CNY", "total": total,
                        "refunded": refunded, "day": row["订单创建时间"][:10]})
    return out


@pytest.fixture(scope="module")
def demo():
    shopify = DEMO / "shopify_orders_export.csv"
    taobao = next(DEMO.glob("ExportOrderList*.csv"))
    reference = shopify_reference(shopify) + taobao_reference(taobao)
    book = import_files(sorted(DEMO.glob("*.csv")))
    return reference, book


def test_demo_imports_without_problems(demo):
    _, book = demo
    assert book.problems == []
    assert {f.profile for f in book.files} == {"shopify_orders", "taobao_orders", "taobao_items",
                                              "shopify_products"}


def test_order_counts_and_statuses_match(demo):
    reference, book = demo
    summary = import_summary(book)
    assert summary["orders"] == len(reference)
    assert summary["orders_by_status"] == {s: Counter(o["status"] for o in reference)[s]
                                           for s in ("paid", "pending", "cancelled", "refunded")}


def test_net_sales_and_refunds_match_to_the_cent(demo):
    reference, book = demo
    net, refunds = defaultdict(Decimal), defaultdict(Decimal)
    for o in reference:
        if o["status"] == "paid":
            net[o["currency"]] += o["total"] - o["refunded"]
        if o["status"] in ("paid", "refunded"):
            refunds[o["currency"]] += o["refunded"]
    summary = import_summary(book)
    assert summary["net_sales"] == {c: float(v) for c, v in net.items()}
    assert summary["refunds"] == {c: float(v) for c, v in refunds.items()}


def test_customers_and_unidentified_match(demo):
    reference, book = demo
    summary = import_summary(book)
    assert summary["customers"] == len({o["key"] for o in reference if o["key"]})
    assert summary["unidentified_orders"] == sum(1 for o in reference if not o["key"])


def test_customer_table_adds_up(demo):
    reference, book = demo
    table = customers(book)
    paid = Counter(o["key"] for o in reference if o["key"] and o["status"] == "paid")
    assert dict(zip(table["customer_key"], table["paid_orders"])) == {
        k: paid.get(k, 0) for k in table["customer_key"]}
    by_currency = table.groupby("currency")["net_sales"].sum().round(2).to_dict()
    identified = defaultdict(Decimal)
    for o in reference:
        if o["key"] and o["status"] == "paid":
            identified[o["currency"]] += o["total"] - o["refunded"]
    assert by_currency == pytest.approx({c: float(v) for c, v in identified.items()})


# ---------------------------------------------------------------------------------------------
# Partial refunds of exports with one row per sub-order, SKU or unit (issue 14.2), computed from
# the rule itself with the csv module and openpyxl: an order is refunded only when every line is;
# otherwise it stays paid and its refund is what its lines gave back.

EXPORTS = ROOT / "tests" / "data" / "exports"
RANK = ("paid", "pending", "refunded", "cancelled")  # an order takes its best line


def _rows(path, encoding):
    with path.open(encoding=encoding, newline="") as f:
        return [{k: (v or "").strip().strip("\t").strip() for k, v in row.items()}
                for row in csv.DictReader(f)]


def _sheet(path):
    from openpyxl import load_workbook

    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    return [{h: ("" if v is None else str(v)) for h, v in zip(rows[0], row)} for row in rows[1:]]


def _grouped(rows, key):
    orders = defaultdict(list)
    for row in rows:
        orders[row[key]].append(row)
    return orders.values()


def _net(orders):
    """orders: (currency, status, total, refunded) → net sales and refunds per currency."""
    net, refunds = defaultdict(Decimal), defaultdict(Decimal)
    for currency, status, total, refunded in orders:
        if status == "paid":
            net[currency] += total - refunded
        if status in ("paid", "refunded"):
            refunds[currency] += refunded
    return net, refunds


def douyin_reference(case):
    status_of = {"已完成": "paid", "已发货": "paid", "待发货": "paid", "已关闭": "cancelled"}
    out = []
    for subs in _grouped(_rows(next(case.glob("*.csv")), "utf-8-sig"), "主订单编号"):
        line = ["refunded" if s["售后状态"] == "退款成功" else status_of[s["订单状态"]] for s in subs]
        status = min(line, key=RANK.index)
        total = money(subs[0]["订单应付金额"])
        back = sum((money(s["商品金额"]) * int(s["商品数量"]) for s, st in zip(subs, line)
                    if st == "refunded"), Decimal(0))
        out.append(("CNY", status, total, total if status == "refunded" else back))
    return out


def taobao_items_reference(case):
    status_of = {"交易成功": "paid", "卖家已发货，等待买家确认": "paid", "等待买家付款": "pending",
                 "交易关闭": "cancelled"}
    items = defaultdict(Decimal)
    for row in _rows(next(case.glob("ExportOrderDetailList*.csv")), "gb18030"):
        if row["退款状态"] == "退款成功":
            items[row["订单编号"]] += money(row["退款金额"])
    out = []
    for row in _rows(next(case.glob("ExportOrderList*.csv")), "gb18030"):
        status = "refunded" if "退款" in row["订单关闭原因"] else status_of[row["订单状态"]]
        total = money(row["买家实际支付金额"])
        out.append(("CNY", status, total, total if status == "refunded" else items[row["订单编号"]]))
    return out


def tiktok_reference(case, currency):
    status_of = {"Completed": "paid", "Delivered": "paid", "Shipped": "paid", "To ship": "paid",
                 "Cancelled": "cancelled", "Unpaid": "pending"}
    out = []
    for skus in _grouped(_rows(next(case.glob("*.csv")), "utf-8-sig"), "Order ID"):
        status = status_of[skus[0]["Order Status"]]
        if status == "paid" and all(int(s["Sku Quantity of return"]) >= int(s["Quantity"]) for s in skus):
            status = "refunded"
        out.append((currency, status, money(skus[0]["Order Amount"]), money(skus[0]["Order Refund Amount"])))
    return out


def shopee_reference(case, currency):
    status_of = {"Completed": "paid", "Shipping": "paid", "To ship": "paid", "Cancelled": "cancelled",
                 "Unpaid": "pending"}
    out = []
    for skus in _grouped(_sheet(next(case.glob("*.xlsx"))), "Order ID"):
        status = status_of[skus[0]["Order Status"]]
        back = sum((money(s["Returned quantity"]) * money(s["Deal Price"]) for s in skus), Decimal(0))
        total = money(skus[0]["Grand Total"])
        if status == "paid" and (all(money(s["Returned quantity"]) >= money(s["Quantity"]) for s in skus)
                                 or back >= total):
            status = "refunded"
        out.append((currency, status, total, back))
    return out


def lazada_reference(case, currency):
    status_of = {"delivered": "paid", "shipped": "paid", "ready_to_ship": "paid", "returned": "refunded",
                 "canceled": "cancelled", "unpaid": "pending"}
    out = []
    for units in _grouped(_sheet(next(case.glob("*.xlsx"))), "orderNumber"):
        kept = [u for u in units if u["status"] != "canceled"]  # a cancelled unit is no line
        status = min((status_of[u["status"]] for u in units), key=RANK.index)
        total = sum((money(u["paidPrice"]) + money(u["shippingFee"]) for u in kept), Decimal(0))
        back = sum((money(u["refundAmount"]) for u in kept), Decimal(0))
        out.append((currency, status, total, back))
    return out


PARTIAL_REFUNDS = {
    "douyin_sub_order_refunds": douyin_reference,
    "taobao_gbk_item_refunds": taobao_items_reference,
    "tiktok_uk_sku_returns": lambda case: tiktok_reference(case, "GBP"),
    "tiktok_us_orders": lambda case: tiktok_reference(case, "USD"),
    "shopee_sg_sku_returns_xlsx": lambda case: shopee_reference(case, "SGD"),
    "shopee_my_orders_xlsx": lambda case: shopee_reference(case, "MYR"),
    "lazada_my_item_rows_xlsx": lambda case: lazada_reference(case, "MYR"),
}


@pytest.mark.parametrize("name", sorted(PARTIAL_REFUNDS))
def test_partial_refunds_give_the_independent_net_sales(name):
    case = EXPORTS / name
    reference = PARTIAL_REFUNDS[name](case)
    assert any(s == "paid" and 0 < r < t for _, s, t, r in reference), "no partial refund in the fixture"
    net, refunds = _net(reference)
    summary = import_summary(import_files(sorted(p for p in case.iterdir() if p.suffix in (".csv", ".xlsx"))))
    assert summary["net_sales"] == {c: float(v) for c, v in net.items()}
    assert summary["refunds"] == {c: float(v) for c, v in refunds.items()}


def test_paid_lines_are_the_lines_of_paid_orders_of_known_customers(demo_book):
    """paid_lines and tag evidence find each line's order by position (core.model.line_orders);
    here by a dict of (platform, order id), line by line."""
    from core.model import line_orders
    from core.segments.products import paid_lines
    from core.tags import _paid_before

    orders, book_lines = demo_book.orders, demo_book.lines
    status, key, placed = (orders[c].tolist() for c in ("status", "customer_key", "placed_at"))
    row_of = {k: row for row, k in enumerate(zip(orders["platform"], orders["order_id"]))}
    want_rows = [row_of.get(k, -1) for k in zip(book_lines["platform"], book_lines["order_id"])]
    assert line_orders(demo_book).tolist() == want_rows
    paid = [(i, row) for i, row in enumerate(want_rows) if row >= 0 and status[row] == "paid" and key[row] != ""]
    lines = paid_lines(demo_book)
    assert len(paid) > 1000 and len(lines) == len(paid)
    skus = book_lines["sku"].fillna("").tolist()
    assert lines["sku"].fillna("").tolist() == [skus[i] for i, _ in paid]
    assert lines["customer_key"].tolist() == [key[row] for _, row in paid]
    assert lines["placed_at"].tolist() == [placed[row] for _, row in paid]
    tag_orders, tag_lines = _paid_before(demo_book, None)
    at = {row: n for n, row in enumerate(row for row in range(len(orders)) if status[row] == "paid")}
    want = [at[row] for row in want_rows if row in at]
    assert tag_lines["order"].tolist() == want and len(tag_orders) == len(at)
    currency = tag_orders["currency"].tolist()
    assert tag_lines["currency"].tolist() == [currency[n] for n in want]
