"""The currency a file does not name (issue 14.4): its market from its own values (country, phone
dial codes and mobile shapes, market codes), else the seller's answer, never a silent XXX."""
import json

import openpyxl
import pytest

from core.countries import countries, currency_of, phone_country
from core.importing import import_files
from core.importing.profiles import all_profiles
from core.summary import import_summary, unknown_currencies
from tests.conftest import DATA, ROOT
from tests.conftest import run_main as run

EXPORTS = DATA / "exports"
LAZADA_PH = next((EXPORTS / "lazada_ph_no_country_xlsx").glob("*.xlsx"))
SHOPEE_MY = next((EXPORTS / "shopee_my_no_country_xlsx").glob("*.xlsx"))
MINIMAL = EXPORTS / "generic_transactions_minimal" / "transactions.csv"
SEA = ("MY", "SG", "PH", "TH", "ID", "VN")


@pytest.mark.parametrize("text, country", [
    ("+63 918 222 3333", "PH"), ("63 917 555 4444", "PH"), ("09171234567", "PH"), ("0928 111 2222", "PH"),
    ("0063 917 555 4444", "PH"), ("63*******567", "PH"), ("60*******231", "MY"), ("60123456789", "MY"),
    ("012-345 6789", "MY"), ("+60 17-220 4418", "MY"), ("+65 9123 4567", "SG"), ("+66 81 234 5678", "TH"),
    ("+62 812-3456-7890", "ID"), ("+84 912 345 678", "VN"),
    # no evidence: masked without a dial code, shapes several markets write, ciphertext, empty
    ("******4521", None), ("0912345678", None), ("$$5C20A10102E7BB$$", None), ("", None), (None, None),
    ("+1 415 555 0123", None),  # a dial code outside the platform's markets
])
def test_a_phone_names_its_country_only_when_it_can(text, country):
    assert phone_country(text, SEA) == country


def test_every_market_of_every_profile_has_a_currency():
    for profile in all_profiles():
        for code in profile.markets:
            assert currency_of(code), (profile.id, code)
    assert all(len(spec["currency"]) == 3 for spec in countries().values())


def test_lazada_ph_and_shopee_my_without_country_are_never_xxx():
    for path, currency in ((LAZADA_PH, "PHP"), (SHOPEE_MY, "MYR")):
        book = import_files([path])
        assert set(book.orders["currency"]) == {currency}
        assert book.files[0].no_currency == 0 and unknown_currencies(book) == []


def _lazada_copy(tmp_path, drop=(), blank=()):
    workbook = openpyxl.load_workbook(LAZADA_PH)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    for name in blank:
        for row in sheet.iter_rows(min_row=2):
            row[header.index(name)].value = None
    for name in drop:
        sheet.delete_cols(header.index(name) + 1)
        header.remove(name)
    path = tmp_path / "Lazada_OrderItems.xlsx"
    workbook.save(path)
    return path


def test_each_kind_of_evidence_alone_tells_the_market(tmp_path):
    # Phones alone (no market code in the SKUs) and SKUs alone (no phones) both say PH.
    phones_only = _lazada_copy(tmp_path, blank=("lazadaSku",))
    assert set(import_files([phones_only]).orders["currency"]) == {"PHP"}
    skus_only = _lazada_copy(tmp_path, blank=("shippingPhone", "billingPhone"))
    assert set(import_files([skus_only]).orders["currency"]) == {"PHP"}


def test_a_file_with_no_evidence_asks_and_takes_the_answer_for_its_layout_only(tmp_path):
    path = _lazada_copy(tmp_path, blank=("lazadaSku", "shippingPhone", "billingPhone"))
    book = import_files([path, MINIMAL])
    assert set(book.orders["currency"]) == {"XXX"}
    assert [(q["profile"], q["orders"]) for q in unknown_currencies(book)] == [
        ("lazada_orders", 5), ("generic_transactions", 6)]
    answered = import_files([path, MINIMAL], currencies={"lazada_orders": "PHP"})
    assert dict(answered.orders.groupby("platform")["currency"].unique().map(list)) == {
        "Lazada": ["PHP"], "Other": ["XXX"]}
    everywhere = import_files([path, MINIMAL], currencies={"*": "EUR"})
    assert set(everywhere.orders["currency"]) == {"EUR"} and unknown_currencies(everywhere) == []


def test_the_answer_never_overrides_what_a_file_says():
    book = import_files([LAZADA_PH, EXPORTS / "shopify_multi_item_refunds" / "orders_export_1.csv"],
                        currencies={"*": "EUR"})
    assert "EUR" not in set(book.orders["currency"])


def test_mixed_markets_give_no_market(tmp_path):
    workbook = openpyxl.load_workbook(SHOPEE_MY)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    phones = ["60123456789", "+63 918 222 3333", "+63 917 555 4444", "+63 917 111 2222", "+65 9123 4567", ""]
    for row, phone in zip(sheet.iter_rows(min_row=2), phones):
        row[header.index("Phone Number")].value = phone
    path = tmp_path / "Order.all.xlsx"
    workbook.save(path)
    assert set(import_files([path]).orders["currency"]) == {"XXX"}  # no market has 80 % of the phones


def test_cli_file_currency_names_the_money_of_files_that_do_not():
    asked = run("import", str(MINIMAL), "--json")
    assert json.loads(asked.stdout)["net_sales"] == {"XXX": 232.5}
    assert "--file-currency" in asked.stderr and "6 orders" in asked.stderr
    answered = run("import", str(MINIMAL), "--json", "--file-currency", "eur")
    assert json.loads(answered.stdout)["net_sales"] == {"EUR": 232.5}
    assert "--file-currency" not in answered.stderr
    cohorts = run("cohorts", str(MINIMAL), "--json", "--file-currency", "EUR")
    assert json.loads(cohorts.stdout)["currency"] == "EUR"
    refused = run("import", str(MINIMAL), "--file-currency", "euro")
    assert refused.returncode == 2 and "not a currency code" in refused.stderr
    # The analysis currency a seller asks for is the currency of files that do not name one.
    segmented = run("segment", str(MINIMAL), "--map", "value", "--currency", "EUR", "--json")
    assert segmented.returncode == 0, segmented.stderr
    assert "--file-currency" not in segmented.stderr  # no file was left without a currency
    customers = run("customers", str(MINIMAL), "--csv", "-", "--file-currency", "EUR").stdout
    assert sum(s["net_sales"] for s in json.loads(segmented.stdout)["segments"]) == pytest.approx(
        sum(float(line.split(",")[-2]) for line in customers.splitlines()[1:]))


def test_summary_json_contract_is_unchanged_by_the_question():
    assert list(import_summary(import_files([MINIMAL]))) == [
        "files", "orders", "orders_by_status", "customers", "unidentified_orders", "net_sales", "refunds",
        "first_order", "last_order", "problems"]


def test_every_command_that_imports_takes_file_currency():
    import argparse

    from core.cli import parser
    from ui.report.cli import parser as report_parser

    def subparsers(p):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                yield from action.choices.items()

    def reads_files(p):
        return any(a.dest == "files" for a in p._actions)

    checked = []
    for name, sub in subparsers(parser()):
        for inner_name, inner in [(name, sub), *((f"{name} {n}", s) for n, s in subparsers(sub))]:
            if reads_files(inner):
                assert any("--file-currency" in a.option_strings for a in inner._actions), inner_name
                checked.append(inner_name)
    assert {"import", "customers", "segment", "plan", "export", "tags", "crosssell", "cohorts", "migration",
            "clv", "forecast", "trends", "campaign new"} <= set(checked)
    assert any("--file-currency" in a.option_strings for a in report_parser()._actions)
