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
