"""Tests for the seeded demo exports and the fast Shopify benchmark writer."""
from __future__ import annotations

import pandas as pd
import pytest

from core.demo import (
    EXPORT_STAMP, SHOPIFY_HEADER, TAOBAO_DETAIL_HEADER, TAOBAO_ORDER_HEADER, generate_demo,
    write_shopify_export,
)

SCALE = 0.3  # ~750 Shopify and ~450 Taobao customers: enough for the planted shares, still fast
LINE_FIELDS = {c for c in SHOPIFY_HEADER if c.startswith("Lineitem ")} | {"Vendor"}
REPEATED = {"Name", "Email", "Created at", "Phone"} | LINE_FIELDS


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo(tmp_path_factory.mktemp("demo"), seed=7, scale=SCALE)


def _read_shopify(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def test_same_seed_same_bytes(demo, tmp_path):
    again = generate_demo(tmp_path, seed=7, scale=SCALE)
    assert [p.name for p in again] == [p.name for p in demo]
    for a, b in zip(demo, again):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_other_seed_other_data(demo, tmp_path):
    other = generate_demo(tmp_path, seed=8, scale=SCALE)
    assert other[0].read_bytes() != demo[0].read_bytes()


def test_file_names(demo):
    assert [p.name for p in demo] == [
        "shopify_orders_export.csv", f"ExportOrderList{EXPORT_STAMP}.csv",
        f"ExportOrderDetailList{EXPORT_STAMP}.csv", "products_export_1.csv"]


def test_products_export_gives_every_ordered_sku_a_type(demo):
    from core.importing import import_files

    book = import_files([demo[0], demo[3]])
    assert book.problems == [] and book.lines["category"].notna().all()
    assert set(book.lines["category"]) == {"Accessories", "Stationery", "Home", "Apparel", "Bags", "Watches"}


def test_shopify_header_and_bytes(demo):
    raw = demo[0].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert raw.split(b"\n", 1)[0].decode() == ",".join(SHOPIFY_HEADER)
    assert len(SHOPIFY_HEADER) == 79
    assert list(_read_shopify(demo[0]).columns) == list(SHOPIFY_HEADER)


def _check_shopify_layout(df: pd.DataFrame) -> pd.DataFrame:
    """Assert the first-row/continuation layout and the totals identity; return the first rows."""
    first = df["Name"] != df["Name"].shift()
    assert df["Name"].is_unique is False or first.all()
    assert (df.loc[first, "Id"] != "").all()
    rest = df[~first]
    for col in SHOPIFY_HEADER:
        if col not in REPEATED:
            assert (rest[col] == "").all(), col
    heads = df[first].set_index("Name")
    for col in ("Email", "Created at", "Phone"):
        assert (rest[col].to_numpy() == heads.loc[rest["Name"], col].to_numpy()).all(), col
    top = df[first]
    money = top[["Subtotal", "Discount Amount", "Shipping", "Taxes", "Total"]].astype(float)
    cents = (money * 100).round().astype(int)
    assert (cents["Subtotal"] - cents["Discount Amount"] + cents["Shipping"] + cents["Taxes"]
            == cents["Total"]).all()
    return top


def test_shopify_layout_and_totals(demo):
    df = _read_shopify(demo[0])
    top = _check_shopify_layout(df)
    assert df["Name"].iloc[0] == "#1001"
    assert top["Created at"].str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$").all()
    assert set(top["Created at"].str[-5:]) == {"-0400", "-0500"}  # DST changes the offset
    assert top["Billing Zip"].str.startswith("'").any()
    assert set(top["Financial Status"]) == {
        "paid", "partially_refunded", "refunded", "pending", "voided", "authorized"}
    refunded = top["Financial Status"].isin(["refunded", "partially_refunded"])
    assert (top.loc[refunded, "Refunded Amount"].astype(float) > 0).all()
    assert (top.loc[~refunded, "Refunded Amount"] == "0.00").all()
    assert (top.loc[top["Financial Status"] == "voided", "Cancelled at"] != "").all()
    assert (top["Currency"] == "USD").all()


def test_shopify_planted_structure(demo):
    df = _read_shopify(demo[0])
    top = df[df["Id"] != ""]
    n = len(top)
    guests = top["Email"] == ""
    assert 0.02 < guests.mean() < 0.12
    assert (guests & (top["Phone"] != "")).any() and (guests & (top["Phone"] == "")).any()
    key = top["Email"].where(~guests, top["Phone"])
    per_customer = key[key != ""].value_counts()
    assert 0.25 < (per_customer > 1).mean() < 0.55  # most buy once
    assert per_customer.max() >= 10 and (per_customer >= 10).mean() < 0.08  # a heavy tail
    assert 0.18 < (df.groupby("Name").size() > 1).mean() < 0.35
    status = top["Financial Status"].value_counts() / n
    assert 0.02 < status.get("refunded", 0) + status.get("partially_refunded", 0) < 0.07
    assert 0.015 < status["voided"] < 0.05
    assert top["Billing Country"].nunique() >= 8
    # AU grows and FR shrinks between the first and the second year.
    year2 = top["Created at"] >= "2025-11-01"
    au = [(top.loc[m, "Billing Country"] == "AU").mean() for m in (~year2, year2)]
    fr = [(top.loc[m, "Billing Country"] == "FR").mean() for m in (~year2, year2)]
    assert au[1] > au[0] and fr[1] < fr[0]
    # Nov/Dec are the peak months.
    month = top["Created at"].str[5:7].value_counts()
    assert month[["11", "12"]].min() > month.drop(["11", "12"]).max()


def test_taobao_pair(demo):
    order_raw, detail_raw = demo[1].read_bytes(), demo[2].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        order_raw.decode("utf-8")
    order_text, detail_text = order_raw.decode("gbk"), detail_raw.decode("gbk")
    assert order_text.split("\r\n", 1)[0] == ",".join(TAOBAO_ORDER_HEADER)
    assert detail_text.split("\r\n", 1)[0] == ",".join(TAOBAO_DETAIL_HEADER)
    orders = pd.read_csv(demo[1], dtype=str, keep_default_na=False, encoding="gbk")
    details = pd.read_csv(demo[2], dtype=str, keep_default_na=False, encoding="gbk")
    ids = orders["订单编号"].str.removeprefix('="').str.removesuffix('"')
    assert ids.str.fullmatch(r"\d{19}").all() and ids.is_unique
    assert orders["订单编号"].str.startswith('="').any()
    assert set(details["订单编号"]) == set(ids)
    money = orders[["买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "退款金额"]].astype(float)
    assert ((money["买家应付货款"] + money["买家应付邮费"] - money["总金额"]).abs() < 0.005).all()
    paid = orders["订单付款时间"] != ""
    assert (money.loc[paid, "买家实际支付金额"] == money.loc[paid, "总金额"]).all()
    refund = orders["订单关闭原因"] == "买家申请退款"
    assert refund.any() and (money.loc[refund, "退款金额"] == money.loc[refund, "买家实际支付金额"]).all()
    assert {"交易成功", "交易关闭"} <= set(orders["订单状态"])
    assert orders["收货地址"].str.split(" ").str[0].nunique() >= 15
    masked = orders["买家会员名"].str.contains("**", regex=False)
    assert 0.02 < masked.mean() < 0.09
    nicks = orders.loc[~masked, "买家会员名"].value_counts()
    assert 0.25 < (nicks > 1).mean() < 0.55
    assert 0.18 < (orders["宝贝种类"].astype(int) > 1).mean() < 0.35
    # 双11 is the busiest day of the year.
    by_day = orders["订单创建时间"].str[5:10].value_counts()
    assert by_day.index[0] == "11-11"


def test_write_shopify_export(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_shopify_export(a, 3000, seed=3)
    write_shopify_export(b, 3000, seed=3)
    assert a.read_bytes() == b.read_bytes()
    df = _read_shopify(a)
    assert list(df.columns) == list(SHOPIFY_HEADER) and len(df) == 3000
    assert len(a.read_bytes().splitlines()) == 3001  # no embedded newlines: rows == lines
    top = _check_shopify_layout(df)
    assert 0.15 < (df.groupby("Name").size() > 1).mean() < 0.35 and len(top) < 3000
