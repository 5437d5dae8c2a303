"""Hashed audience lists: normalisation as the ad platforms document it, hashes equal to published
examples, relay/masked identities skipped and counted, atomic saves that never overwrite unasked."""
import hashlib

import pandas as pd
import pytest

from core.audience import hashed_audience, normalise_emails, normalise_phones, sha256, write_hashed_audience
from core.exports import ExportError
from core.importing import import_files
from core.model import OrderBook, empty_lines, empty_orders
from core.segments import segment
from tests.conftest import ROOT, run_main

DEMO = sorted((ROOT / "resources" / "demo").glob("*.csv"))


# --- known values -----------------------------------------------------------------------------------

def test_hashes_equal_the_published_examples():
    # SHA-256 of "test@example.com", as published in many ad-platform guides.
    assert sha256(["test@example.com"]) == ["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"]
    # Meta's customer-information examples: John_Smith@gmail.com and the US number (650)555-1212.
    email, _ = normalise_emails(pd.Series(["  John_Smith@gmail.com "]))
    assert sha256(email) == ["62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"]
    phone, _ = normalise_phones(pd.Series(["(650)555-1212"]), pd.Series(["US"]), plus=False)
    assert phone.tolist() == ["16505551212"]
    assert sha256(phone) == ["e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"]
    assert sha256([None, "é"]) == [None, hashlib.sha256("é".encode()).hexdigest()]


@pytest.mark.parametrize("raw, expected, why", [
    (" Test@Example.COM ", "test@example.com", None),
    ("first.last+shop@gmail.com", "first.last+shop@gmail.com", None),  # dots and +tags kept
    ("k7x2mq9vd4rb1np@marketplace.amazon.com", None, "relay"),
    ("abc@marketplace.amazon.co.uk", None, "relay"),
    ("x1y2@privaterelay.appleid.com", None, "relay"),
    ("j***n@example.com", None, "masked"),
    ("n/a", None, "invalid"),
    ("", None, "no_contact"),
    (None, None, "no_contact"),
])
def test_email_normalisation(raw, expected, why):
    email, reason = normalise_emails(pd.Series([raw], dtype="str"))
    assert (None if pd.isna(email.iloc[0]) else email.iloc[0]) == expected
    assert (None if pd.isna(reason.iloc[0]) else reason.iloc[0]) == why


@pytest.mark.parametrize("raw, country, expected, why", [
    ("+1 (650) 555-1212", "", "+16505551212", None),
    ("650-555-1212", "US", "+16505551212", None),
    ("1 650 555 1212", "United States", "+16505551212", None),
    ("(802) 555-0134", "United States", "+18025550134", None),
    ("07700 900123", "GB", "+447700900123", None),
    ("0044 7700 900123", "", "+447700900123", None),
    ("+33 6 12 34 56 78", "FR", "+33612345678", None),
    ("06 12 34 56 78", "France", "+33612345678", None),
    ("13812345678", "CN", "+8613812345678", None),
    ("8613812345678", "中国", "+8613812345678", None),
    ("339 123 4567", "IT", "+393391234567", None),  # Italy keeps no trunk 0: national
    ("0170 1234567", "DE", "+491701234567", None),
    ("650-555-1212", "", None, "no_country_code"),
    ("650-555-1212", "Atlantis", None, "no_country_code"),
    ("138****5721", "CN", None, "masked"),
    ("(+1)415*****82", "US", None, "masked"),
    ("$$90B1C3000277AE$$", "CN", None, "masked"),
    ("+1 503-555-0147 ext. 21843", "US", None, "relay"),  # Amazon's proxy number
    ("13800000000-1234", "CN", None, "relay"),  # a 虚拟号 with its extension
    ("12345", "US", None, "invalid"),
    ("+1234", "", None, "invalid"),
    (None, "US", None, "no_contact"),
])
def test_phone_normalisation_to_e164(raw, country, expected, why):
    phone, reason = normalise_phones(pd.Series([raw], dtype="str"), pd.Series([country], dtype="str"))
    assert (None if pd.isna(phone.iloc[0]) else phone.iloc[0]) == expected
    assert (None if pd.isna(reason.iloc[0]) else reason.iloc[0]) == why


# --- the list --------------------------------------------------------------------------------------

def _book():
    rows = [  # customer_key, email, phone, country
        ("a@x.com", " A@X.com", "+1 650 555 1212", "US"),  # both
        ("tel:6505550000", None, "650-555-0000", None),  # phone without country: skipped
        ("amazon:k7", "k7@marketplace.amazon.com", "+1 503-555-0147 ext. 21843", "US"),  # relay only
        ("taobao:小王", None, "138****5721", "CN"),  # masked only
        ("ebay:bob", None, None, "US"),  # no contact
        ("c@x.com", "c@x.com", "555-01", "US"),  # email written, phone left out (invalid)
        ("d@x.com", "d@x.com", None, "GB"),
    ]
    orders = pd.DataFrame([{"platform": "Shopify", "order_id": str(i), "customer_key": k, "email": e, "phone": p,
                            "country": c, "status": "paid", "currency": "USD", "order_total": 10.0 * (i + 1),
                            "refunded": 0.0, "placed_at": pd.Timestamp("2025-01-02", tz="UTC")}
                           for i, (k, e, p, c) in enumerate(rows)])
    orders = pd.concat([empty_orders(), orders], ignore_index=True)[empty_orders().columns]
    return OrderBook(orders=orders, lines=empty_lines())


def test_list_counts_written_and_skipped_customers_by_reason():
    book = _book()
    seg = segment(book, "value")
    audience = hashed_audience(book, seg, None, "google")
    assert audience.customers == 7 and audience.written == 3
    assert audience.skipped == {"relay": 1, "masked": 1, "no_country_code": 1, "invalid": 0, "no_contact": 1}
    assert audience.left_out["phone:invalid"] == 1
    assert list(audience.frame.columns) == ["Email", "Phone"]
    hashes = set(audience.frame["Email"].dropna())
    assert hashlib.sha256(b"a@x.com").hexdigest() in hashes
    assert hashlib.sha256(b"+16505551212").hexdigest() in set(audience.frame["Phone"].dropna())
    meta = hashed_audience(book, seg, None, "meta")
    assert list(meta.frame.columns) == ["email", "phone"]
    assert hashlib.sha256(b"16505551212").hexdigest() in set(meta.frame["phone"].dropna())
    text = audience.message("out.csv")
    assert "3 of 7" in text and "never leave your computer" in text and "relay" in text
    assert "从不" in audience.message("out.csv", "zh_CN") or "不会" in audience.message("out.csv", "zh_CN")


def test_no_raw_contact_is_written(tmp_path):
    book = _book()
    audience = hashed_audience(book, segment(book, "value"))
    path = write_hashed_audience(audience, tmp_path / "aud.csv")
    text = path.read_text("utf-8")
    assert "@" not in text and "650" not in text and not text.startswith("\ufeff")
    rows = pd.read_csv(path, dtype=str)
    cells = [v for v in rows.to_numpy().ravel() if isinstance(v, str)]
    assert cells and all(len(v) == 64 and set(v) <= set("0123456789abcdef") for v in cells)


def test_saving_is_atomic_and_never_overwrites_unasked(tmp_path):
    book = _book()
    audience = hashed_audience(book, segment(book, "value"))
    target = tmp_path / "aud.csv"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportError) as error:
        write_hashed_audience(audience, target)
    assert error.value.problem.message_id == "export.exists" and target.read_text("utf-8") == "keep me"
    write_hashed_audience(audience, target, force=True)
    assert target.read_text("utf-8").startswith("Email,Phone")
    assert [p.name for p in tmp_path.iterdir()] == ["aud.csv"]  # no temporary file left behind
    with pytest.raises(ExportError) as error:
        write_hashed_audience(audience, tmp_path / "aud.xlsx")
    assert error.value.problem.message_id == "audience.csv_only"
    with pytest.raises(ExportError) as error:
        write_hashed_audience(audience, target, force=True, protect=[target])
    assert error.value.problem.message_id == "export.is_input"


def test_demo_segment_export_from_the_command_line(tmp_path):
    out = tmp_path / "champions.csv"
    files = [str(p) for p in DEMO]
    result = run_main("export", *files, "--segment", "champions", "--hashed", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "never leave your computer" in result.stdout
    book = import_files(DEMO)
    seg = segment(book, "rfm11")
    champions = seg.customers.index[seg.customers["segment"] == "champions"]
    rows = pd.read_csv(out, dtype=str)
    assert list(rows.columns) == ["Email", "Phone"] and len(rows) <= len(champions)
    emails = book.orders.loc[book.orders["customer_key"].isin(champions), "email"].dropna().str.strip().str.lower()
    assert set(rows["Email"].dropna()) <= {hashlib.sha256(e.encode()).hexdigest() for e in emails}
    again = run_main("export", *files, "--segment", "champions", "--hashed", "-o", out)
    assert again.returncode == 2 and "--force" in again.stderr
    zh = run_main("--lang", "zh_CN", "export", *files, "--all", "--hashed", "--platform", "meta",
                  "--currency", "CNY", "-o", tmp_path / "cny.csv")
    assert zh.returncode == 0, zh.stderr
    assert "哈希" in zh.stdout and (tmp_path / "cny.csv").read_text("utf-8").startswith("email,phone")
