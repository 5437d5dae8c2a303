"""Column mappings: suggestions for unknown layouts, saved user mappings, and their limits."""
from core.importing import import_files
from core.importing.mapping import (check_mapping, load_mapping, mapping_text, save_user_mapping,
                                    suggest_mapping)
from tests.conftest import DATA

SHOPIFY = DATA / "exports" / "shopify_multi_item_refunds" / "orders_export_1.csv"


def german_export(tmp_path):
    path = tmp_path / "bestellungen.csv"
    path.write_text("Bestellnummer;Datum;Kunde;Betrag\nA1;03.02.2025;x@y.de;1.234,50\n"
                    "A2;04.02.2025;z@y.de;12,00\n", encoding="utf-8")
    return path


def test_suggestion_reads_header_and_samples(tmp_path):
    suggestion = suggest_mapping(german_export(tmp_path))
    assert suggestion.header == ["Bestellnummer", "Datum", "Kunde", "Betrag"]
    assert suggestion.rows[0] == ["A1", "03.02.2025", "x@y.de", "1.234,50"]
    assert len(set(suggestion.columns.values())) == len(suggestion.columns)  # a field at most once


def test_mapping_text_round_trips_through_the_map_format(tmp_path):
    columns = {"Bestellnummer": "order_id", "Datum": "placed_at", "Kunde": "email", "Betrag": "order_total"}
    assert check_mapping(columns) == [] and check_mapping({"Kunde": "email"}) == ["order_id", "placed_at"]
    path = tmp_path / "mein_shop.toml"
    path.write_text(mapping_text(columns, "Mein \"Shop\"", ["%d.%m.%Y"], ",", "EUR"), encoding="utf-8")
    profile = load_mapping(path)
    assert profile.platform == 'Mein "Shop"' and profile.decimal == "," and profile.currency == "EUR"
    book = import_files([german_export(tmp_path)], mapping=profile)
    assert book.problems == [] and book.orders["order_total"].tolist() == [1234.5, 12.0]


def test_saved_mapping_is_used_next_time_but_never_steals_a_known_export(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path / "config"))  # this test's own profiles
    export = german_export(tmp_path)
    assert import_files([export]).problems[0].message_id == "import.unknown_layout"
    save_user_mapping("Mein Shop", mapping_text(
        {"Bestellnummer": "order_id", "Datum": "placed_at", "Kunde": "email", "Betrag": "order_total"},
        "Mein Shop", decimal=",", currency="EUR"))
    # A careless mapping of a few Shopify names must not take Shopify exports over.
    save_user_mapping("careless", mapping_text(
        {"Name": "order_id", "Created at": "placed_at", "Email": "email", "Total": "order_total"}))
    book = import_files([export, SHOPIFY])
    assert book.problems == []
    assert [f.platform for f in book.files] == ["Mein Shop", "Shopify"]
    assert book.files[1].profile == "shopify_orders"
