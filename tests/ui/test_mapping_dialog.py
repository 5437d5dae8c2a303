"""Column mapping: the dialog for a file no profile knows, the window's "Map columns…" path, the
saved profile, and the status bar following the language."""
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from core.i18n import t
from core.importing import import_files
from core.summary import import_summary
from ui.mapping_dialog import ColumnMappingDialog

from tests.ui.helpers import GOOD_ROWS, import_and_wait, write_export

GERMAN = ["Bestellnummer;Datum;Kunde;Betrag", "A1;03.02.2025;x@y.de;1.234,50",
          "A2;04.02.2025;z@y.de;12,00"]


@pytest.fixture
def german_file(tmp_path):
    path = tmp_path / "de.csv"
    path.write_text("\n".join(GERMAN) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A config folder of this test's own: a profile saved here is gone for the next test."""
    from core.importing.profiles import all_profiles

    folder = tmp_path / "config"
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(folder))
    yield folder
    all_profiles.cache_clear()


def wait_ready(qtbot, dialog: ColumnMappingDialog) -> ColumnMappingDialog:
    """The dialog reads its file on a pool thread; the result arrives through the event loop,
    so checking first and then waiting cannot miss the signal."""
    if dialog.suggestion is None and not dialog.read_error:
        with qtbot.waitSignal(dialog.ready, timeout=20000):
            pass
    return dialog


@pytest.fixture
def dialog(qtbot, german_file):
    dlg = ColumnMappingDialog(german_file)
    qtbot.addWidget(dlg)
    dlg.show()
    return wait_ready(qtbot, dlg)


def chosen(dialog) -> dict[str, str]:
    return {column: combo.currentData() for column, combo in zip(dialog.suggestion.header, dialog.combos)}


def map_german(dialog, currency="EUR", decimal=","):
    dialog.choose("Bestellnummer", "order_id")
    dialog.choose("Datum", "placed_at")
    dialog.choose("Kunde", "email")
    dialog.choose("Betrag", "order_total")
    dialog.currency_edit.setText(currency)
    dialog.decimal_combo.setCurrentIndex(dialog.decimal_combo.findData(decimal))


# The dialog on its own --------------------------------------------------------------------------
def test_dialog_reads_the_file_in_the_background_and_prefills_the_suggestion(dialog):
    suggestion = dialog.suggestion
    assert suggestion.header == ["Bestellnummer", "Datum", "Kunde", "Betrag"]
    # every column shows what core proposes (which depends on the bundled profiles' vocabulary)
    assert chosen(dialog) == {c: suggestion.columns.get(c, "") for c in suggestion.header}
    assert dialog.title.text() == "Which column holds what in de.csv?"
    if suggestion.closest is None:
        assert dialog.closest.text() == t("ui.mapping.closest_none")
    else:  # e.g. "Looks closest to: eBay – Bestellbericht"
        assert dialog.closest.text() == (
            f"Looks closest to: {suggestion.closest.platform} – {suggestion.closest.report}")
    assert dialog.table.rowCount() == 4
    assert dialog.table.item(3, 0).text() == "Betrag"
    assert dialog.table.item(3, 1).text() == "1.234,50 · 12,00"  # sample values from the file
    assert dialog.shop_edit.text() == "de"  # the file stem


def test_dialog_prefills_a_given_suggestion_and_names_the_closest_report(qtbot, german_file):
    from core.importing.mapping import MappingSuggestion
    from core.importing.profiles import all_profiles

    known = next(p for p in all_profiles() if not p.fallback)
    suggestion = MappingSuggestion(Path(german_file), ["Bestellnummer", "Datum", "Kunde", "Betrag"],
                                   [["A1", "03.02.2025", None, "1.234,50"], ["A2", "", "z@y.de", "12,00"]],
                                   {"Bestellnummer": "order_id", "Kunde": "email"}, known)
    dlg = ColumnMappingDialog(german_file, suggestion=suggestion)
    qtbot.addWidget(dlg)
    assert chosen(dlg) == {"Bestellnummer": "order_id", "Datum": "", "Kunde": "email", "Betrag": ""}
    assert dlg.combos[0].currentText() == "Order number (required)"
    assert dlg.combos[1].currentText() == "(not used)"
    assert dlg.combos[2].currentText() == "Buyer email"
    assert dlg.closest.text() == f"Looks closest to: {known.platform} – {known.report}"
    assert [dlg.table.item(r, 1).text() for r in range(4)] == [
        "A1 · A2", "03.02.2025", "z@y.de", "1.234,50 · 12,00"]  # empty cells are no samples
    assert dlg.status.text() == "Choose the column for: Order date"


def test_import_is_disabled_until_order_number_and_date_are_mapped(dialog):
    for column in dialog.suggestion.header:
        dialog.choose(column, None)
    assert not dialog.import_button.isEnabled() and not dialog.save_button.isEnabled()
    dialog.choose("Bestellnummer", "order_id")
    assert dialog.status.text() == "Choose the column for: Order date"
    dialog.choose("Bestellnummer", None)
    assert dialog.status.text() == "Choose the column for: Order number, Order date"
    dialog.choose("Datum", "placed_at")
    assert not dialog.import_button.isEnabled()
    assert dialog.status.text() == "Choose the column for: Order number"
    dialog.choose("Bestellnummer", "order_id")
    assert dialog.import_button.isEnabled() and dialog.save_button.isEnabled()
    assert dialog.status.text() == t("ui.mapping.ready")
    # the currency is optional, but if given it is a three-letter code, upper-cased as typed
    dialog.currency_edit.setText("eu")
    assert dialog.currency_edit.text() == "EU" and not dialog.import_button.isEnabled()
    assert dialog.status.text() == t("ui.mapping.bad_currency")
    dialog.currency_edit.setText("eur")
    assert dialog.currency() == "EUR" and dialog.import_button.isEnabled()


def test_choosing_a_field_used_elsewhere_moves_it(dialog):
    dialog.choose("Bestellnummer", "order_id")
    dialog.combos[2].setCurrentIndex(dialog.combos[2].findData("order_id"))  # as the user would
    assert chosen(dialog)["Kunde"] == "order_id"
    assert chosen(dialog)["Bestellnummer"] == ""
    assert list(dialog.columns().values()).count("order_id") == 1
    assert dialog.note.isVisible() and "Bestellnummer" in dialog.note.text()
    dialog.choose("Datum", "placed_at")  # any other choice: the note has done its job
    assert not dialog.note.isVisible()


def test_dialog_follows_the_language(dialog):
    from core.i18n import set_language

    dialog.choose("Bestellnummer", "order_id")
    dialog.choose("Datum", None)
    set_language("zh_CN")
    dialog.retranslate()
    assert dialog.import_button.text() == "导入"
    assert dialog.combos[0].currentText() == "订单号（必选）"
    assert dialog.combos[1].currentText() == "（不使用）"
    assert dialog.status.text() == "请选择以下内容对应的列：下单时间"
    assert chosen(dialog)["Bestellnummer"] == "order_id"  # the choices stay


def test_a_file_that_cannot_be_read_says_so(qtbot, tmp_path):
    dlg = ColumnMappingDialog(str(tmp_path / "gone.csv"))
    qtbot.addWidget(dlg)
    wait_ready(qtbot, dlg)
    assert dlg.suggestion is None and dlg.read_error
    assert "gone.csv" in dlg.status.text()
    assert not dlg.import_button.isEnabled()


def test_save_as_profile_writes_a_profile_that_a_plain_import_then_uses(dialog, config_dir, german_file):
    before = import_files([german_file])
    assert [p.message_id for p in before.problems] == ["import.unknown_layout"]
    map_german(dialog)
    dialog.shop_edit.setText("Mein Shop")
    with_accept = []
    dialog.accepted.connect(lambda: with_accept.append(True))
    dialog.save_button.click()
    assert with_accept == [True]
    assert dialog.saved_path is not None and dialog.saved_path.exists()
    assert dialog.saved_path.parent == config_dir / "profiles"
    book = import_files([german_file])
    assert book.problems == []
    summary = import_summary(book)
    assert summary["orders"] == 2 and summary["customers"] == 2
    assert summary["net_sales"] == {"EUR": 1246.5}
    assert summary["files"][0]["platform"] == "Mein Shop"


# In the window ----------------------------------------------------------------------------------
def problem_files(window) -> list[str]:
    table = window.summary_page.problems_table
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def open_mapping_from_problems(qtbot, window) -> ColumnMappingDialog:
    page = window.summary_page
    assert list(page.map_buttons) == [0] and page.map_buttons[0].isVisible()
    qtbot.mouseClick(page.map_buttons[0], Qt.MouseButton.LeftButton)
    assert window.mapping_dialog is not None and window.mapping_dialog.isVisible()
    return wait_ready(qtbot, window.mapping_dialog)


def test_unknown_file_gets_a_map_button_and_importing_with_the_mapping_merges_it(
        qtbot, window, german_file, tmp_path, config_dir):
    shopify = write_export(tmp_path, "orders_export_1.csv", GOOD_ROWS)
    assert import_and_wait(qtbot, window, [german_file, shopify]) == "success"
    assert problem_files(window) == ["de.csv"]
    assert not window.summary_page.problems_table.isColumnHidden(4)
    assert window.summary_page.map_buttons[0].text() == "Map columns…"

    dialog = open_mapping_from_problems(qtbot, window)
    assert Path(dialog.path) == Path(german_file)
    map_german(dialog)
    with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["success"]
    summary = window.summary
    assert [Path(f["path"]).name for f in summary["files"]] == ["de.csv", "orders_export_1.csv"]
    assert summary["net_sales"] == {"EUR": 1246.5, "USD": 67.5}
    assert summary["orders"] == 6 and summary["customers"] == 5
    assert summary["problems"] == []
    assert not window.summary_page.map_buttons
    assert window.summary_page.sales_card.value.text() == "EUR 1,246.50\nUSD 67.50"
    assert not list(config_dir.glob("profiles/*.toml"))  # "Import" saves nothing
    # opening the same files again keeps reading de.csv with its mapping
    assert import_and_wait(qtbot, window, [german_file, shopify]) == "success"
    assert window.summary["net_sales"] == {"EUR": 1246.5, "USD": 67.5}


def test_save_as_profile_from_the_window_reimports_with_the_saved_profile(
        qtbot, window, german_file, config_dir):
    assert import_and_wait(qtbot, window, [german_file]) == "success"
    dialog = open_mapping_from_problems(qtbot, window)
    map_german(dialog)
    with qtbot.waitSignal(window.import_finished, timeout=60000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window._mappings == {}  # recognised by the saved profile, not by a one-off mapping
    assert [p.name for p in (config_dir / "profiles").glob("*.toml")] == ["de.toml"]
    assert window.summary["net_sales"] == {"EUR": 1246.5} and window.summary["problems"] == []
    assert window.statusBar().currentMessage() == t("ui.status.mapping_saved", name="de")


def test_double_clicking_the_problem_row_opens_the_dialog_too(qtbot, window, german_file):
    assert import_and_wait(qtbot, window, [german_file]) == "success"
    window.summary_page.problems_table.cellDoubleClicked.emit(0, 3)
    assert window.mapping_dialog is not None
    wait_ready(qtbot, window.mapping_dialog)
    window.mapping_dialog.reject()


def test_cancel_keeps_the_import_as_it_was(qtbot, window, german_file):
    assert import_and_wait(qtbot, window, [german_file]) == "success"
    summary = window.summary
    dialog = open_mapping_from_problems(qtbot, window)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not window.is_importing() and window.summary is summary
    assert problem_files(window) == ["de.csv"]


def test_file_menu_imports_with_a_column_mapping(qtbot, window, german_file, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (german_file, "")))
    assert window.map_action in window.file_menu.actions()
    assert window.map_action.text() == "Import with a column &mapping…"
    window.map_action.trigger()
    dialog = wait_ready(qtbot, window.mapping_dialog)
    map_german(dialog)
    with qtbot.waitSignal(window.import_finished, timeout=60000):
        dialog.import_button.click()
    assert window.summary["orders"] == 2 and window.summary["net_sales"] == {"EUR": 1246.5}


def test_status_bar_follows_the_language(qtbot, window, tmp_path):
    good = write_export(tmp_path, "orders_export_1.csv", GOOD_ROWS)
    assert window.statusBar().currentMessage() == "Ready"
    window.switch_language("zh_CN")
    assert window.statusBar().currentMessage() == "就绪"
    window.switch_language("en")
    assert import_and_wait(qtbot, window, [good]) == "success"
    english = window.statusBar().currentMessage()
    assert english == "Imported 1 file: 4 orders from 3 customers"
    window.switch_language("zh_CN")
    assert window.statusBar().currentMessage() == "已导入 1 个文件：3 位客户的 4 个订单"
    window.switch_language("en")
    assert window.statusBar().currentMessage() == english


# Screenshots -------------------------------------------------------------------------------------
def test_screenshots_of_the_mapping_dialog_and_the_map_button(qtbot, window, german_file, shots_dir):
    from core.i18n import set_language

    shots = shots_dir
    assert import_and_wait(qtbot, window, [german_file]) == "success"
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        QApplication.processEvents()  # the hidden progress banner's space is laid out anew
        assert window.grab().save(str(shots / f"problems-map-{lang}.png"))
    window.switch_language("en")
    dialog = open_mapping_from_problems(qtbot, window)
    for lang in ("en", "zh_CN"):
        set_language(lang)
        dialog.retranslate()
        image = dialog.grab()
        assert image.width() >= 700 and image.height() >= 450
        assert image.save(str(shots / f"mapping-{lang}.png"))
    set_language("en")
    dialog.retranslate()
    map_german(dialog)
    dialog.choose("Kunde", "order_id")  # shows the "taken from" note
    for lang in ("en", "zh_CN"):
        set_language(lang)
        dialog.retranslate()
        assert dialog.grab().save(str(shots / f"mapping-filled-{lang}.png"))
    dialog.reject()
    names = {p.name for p in shots.iterdir()}
    assert {f"{kind}-{lang}.png" for kind in ("problems-map", "mapping", "mapping-filled")
            for lang in ("en", "zh_CN")} <= names
