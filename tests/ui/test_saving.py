"""Saving from the window: File → Save as PDF… (the plan built on demand, rendered in a Job),
the "Export list…" buttons of the Customers & Segments page and File → Export customer list…:
the rows written, overwriting a confirmed file, refusing an input file, and screenshots."""
import errno
import os
import stat
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtGui import QPainter

from core.i18n import t
from core.resources import RESOURCES
from tests.ui.helpers import import_and_wait, outcome
from ui.main_window import summarize

DEMO = sorted(str(p) for p in (RESOURCES / "demo").glob("*.csv"))


@pytest.fixture
def loaded(demo_window, demo_book):
    """The window holding the demo book as after an import (pages given the book, actions on)."""
    demo_window._import_succeeded((demo_book, summarize(demo_book, "en")))
    return demo_window


@pytest.fixture
def segments(qtbot, loaded):
    """The Customers & Segments page on screen with the demo book segmented (rfm11)."""
    page = loaded.segments_page
    if page.result is None:
        assert outcome(qtbot, page.segmentation_finished, lambda: loaded.show_page("segments")) == "success"
    return page


def save(qtbot, window, action, timeout=120000) -> str:
    """Do `action` and wait for the save it starts (after the plan, if one is built first)."""
    return outcome(qtbot, window.save_finished, action, timeout)


def sheet_rows(path: Path) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_saving_is_disabled_before_an_import_and_enabled_after(qtbot, window):
    actions = (window.export_action, window.pdf_action, window.print_action)
    assert [a.shortcut().toString() for a in actions] == ["Ctrl+E", "Ctrl+Shift+S", "Ctrl+P"]
    assert not any(a.isEnabled() for a in actions)
    page = window.segments_page
    assert not page.export_segments_button.isEnabled() and not page.export_customers_button.isEnabled()
    assert import_and_wait(qtbot, window, DEMO) == "success"
    assert all(a.isEnabled() for a in actions)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_save_as_pdf_builds_the_plan_and_writes_a_pdf(qtbot, loaded, dialogs, tmp_path, lang):
    loaded.switch_language(lang)
    target = tmp_path / "strategy.pdf"
    dialogs.answer = str(target)
    assert loaded.targeting_page.result is None  # no plan yet: Save as PDF asks for one
    assert save(qtbot, loaded, loaded.pdf_action.trigger) == "success"
    caption, suggested, filters, _ = dialogs.asked[0]
    assert caption == t("ui.dialog.save_pdf_title")
    assert Path(suggested).name.startswith("SegmentDesk-strategy-") and suggested.endswith(".pdf")
    assert target.read_bytes().startswith(b"%PDF")
    assert str(target) in loaded.statusBar().currentMessage()
    assert not loaded.save_busy.isVisible() and dialogs.errors == []


def test_print_builds_the_plan_then_opens_the_preview_on_the_gui_thread(qtbot, loaded, monkeypatch):
    import threading

    import ui.report.render as render

    calls = []
    monkeypatch.setattr(render, "print_report", lambda plan, lang, parent, book, preview=True: calls.append(
        (plan, lang, parent, book, preview, threading.current_thread() is threading.main_thread())))
    loaded.switch_language("zh_CN")
    with qtbot.waitSignal(loaded.targeting_page.plan_finished, timeout=60000):
        loaded.print_action.trigger()
    result = loaded.targeting_page.result
    assert calls == [(result.plan, "zh_CN", loaded, loaded.book, True, True)]


def test_save_as_pdf_over_an_existing_file_replaces_it(qtbot, loaded, dialogs, tmp_path):
    target = tmp_path / "old.pdf"
    target.write_bytes(b"not a pdf")
    dialogs.answer = str(target)
    assert save(qtbot, loaded, loaded.pdf_action.trigger) == "success"
    assert target.read_bytes().startswith(b"%PDF")


def _stale(path: Path, data: bytes) -> Path:
    """A temporary file a killed save left an hour ago."""
    path.write_bytes(data)
    then = time.time() - 3600
    os.utime(path, (then, then))
    return path


def test_save_as_pdf_cleans_a_killed_save_keeps_the_mode_and_remembers_the_folder(qtbot, loaded, dialogs,
                                                                                 tmp_path):
    from ui import settings

    target = tmp_path / "old.pdf"
    target.write_bytes(b"not a pdf")
    target.chmod(0o640)
    _stale(tmp_path / ".old.pdf.k1ll3d00.tmp", b"%PDF-1.4 half a report on Ann Lee")
    dialogs.answer = str(target)
    assert save(qtbot, loaded, loaded.pdf_action.trigger) == "success"
    assert [p.name for p in tmp_path.iterdir()] == ["old.pdf"] and target.read_bytes().startswith(b"%PDF")
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert settings.save_folders()[0] == str(tmp_path.resolve())


def test_a_failing_pdf_save_leaves_the_previous_file_and_no_temp_file(qtbot, loaded, dialogs, tmp_path,
                                                                      monkeypatch):
    import ui.report.render as render

    def paint(result, painter, device):  # the disk fills up halfway through the pages
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(render, "paint", paint)
    target = tmp_path / "old.pdf"
    target.write_bytes(b"previous")
    dialogs.answer = str(target)
    assert save(qtbot, loaded, loaded.pdf_action.trigger) == "failure"
    assert [p.name for p in tmp_path.iterdir()] == ["old.pdf"] and target.read_bytes() == b"previous"
    assert len(dialogs.errors) == 1 and str(target) in dialogs.errors[0]


def test_the_start_cleans_the_folders_saved_to(tmp_path):
    from ui import settings
    from ui.saving import clean_stale_saves

    settings.add_save_folder(tmp_path)
    stale = _stale(tmp_path / ".customers.xlsx.a1b2c3d4.tmp", b"PK customer data")
    fresh = tmp_path / ".customers.csv.e5f6a7b8.tmp"  # a save running in another window: kept
    fresh.write_bytes(b"customer data")
    clean_stale_saves()
    assert not stale.exists() and fresh.exists()


def test_save_as_pdf_never_writes_over_an_input_file(qtbot, loaded, dialogs, tmp_path):
    victim = tmp_path / "orders.pdf"
    victim.write_bytes(b"an input")
    loaded._paths = [str(victim)]
    dialogs.answer = str(victim)
    loaded.targeting_page.set_book(loaded.book)
    with qtbot.waitSignal(loaded.targeting_page.plan_finished, timeout=60000):
        loaded.pdf_action.trigger()
    assert dialogs.errors == [t("report.cli.is_input", path=victim)]
    assert victim.read_bytes() == b"an input" and loaded._save_job is None


def test_exporting_the_champions_segment_writes_exactly_its_customers(qtbot, segments, dialogs, tmp_path):
    window = segments.window()
    row = segments.segment_model.row_of("champions")
    segments.segment_table.clicked.emit(segments.segment_model.index(row, 0))  # as a click: select + filter
    assert segments.selected_segments() == ["champions"]
    champions = next(r["customers"] for r in segments.result.table if r["id"] == "champions")
    target = tmp_path / "champions.xlsx"
    dialogs.answer = str(target)
    assert save(qtbot, window, segments.export_segments_button.click) == "success"
    _caption, suggested, filters, selected = dialogs.asked[0]
    assert Path(suggested).name.startswith("SegmentDesk-champions-") and suggested.endswith(".xlsx")
    assert selected == t("ui.dialog.filter_xlsx") and t("ui.dialog.filter_csv") in filters
    rows = sheet_rows(target)
    assert rows[0][0] == t("export.column.customer_key")
    assert len(rows) - 1 == champions > 0
    segment_column = rows[0].index(t("export.column.segment"))
    assert {r[segment_column] for r in rows[1:]} == {segments.result.labels["champions"].name}
    assert window.statusBar().currentMessage().startswith(f"Saved {champions:,} customers")


def test_several_selected_segments_or_none_export_their_customers(qtbot, segments, dialogs, tmp_path):
    from PySide6.QtCore import QItemSelectionModel

    window = segments.window()
    segments.clear_filter()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for seg in ("champions", "at_risk"):  # as Ctrl+click does
        segments.segment_table.selectionModel().select(
            segments.segment_model.index(segments.segment_model.row_of(seg), 0), flags)
    assert segments.selected_segments() == ["champions", "at_risk"]
    counts = {r["id"]: r["customers"] for r in segments.result.table}
    target = tmp_path / "two.xlsx"
    dialogs.answer = str(target)
    assert save(qtbot, window, segments.export_segments_button.click) == "success"
    assert len(sheet_rows(target)) - 1 == counts["champions"] + counts["at_risk"]
    segments.segment_table.clearSelection()  # none selected: every customer
    dialogs.answer = str(tmp_path / "all.xlsx")
    assert save(qtbot, window, segments.export_segments_button.click) == "success"
    assert len(sheet_rows(tmp_path / "all.xlsx")) - 1 == len(segments.result.customers.keys)


def test_a_click_filters_and_a_ctrl_click_adds_whatever_key_was_pressed_before(qtbot, segments):
    from PySide6.QtCore import Qt

    table, model = segments.segment_table, segments.segment_model
    window = segments.window()
    # A shortcut pressed earlier leaves the application's last known modifiers behind.
    qtbot.keyClick(window, Qt.Key.Key_F13, Qt.KeyboardModifier.ControlModifier)

    def click(seg, modifier=Qt.KeyboardModifier.NoModifier):
        rect = table.visualRect(model.index(model.row_of(seg), 0))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())

    table.clicked.emit(model.index(model.row_of("champions"), 0))  # a click without a mouse event
    assert segments.selected_segments() == ["champions"] and segments.filter_segment == "champions"
    click("lost")
    assert segments.selected_segments() == ["lost"] and segments.filter_segment == "lost"
    click("champions")
    click("at_risk", Qt.KeyboardModifier.ControlModifier)
    assert segments.selected_segments() == ["champions", "at_risk"] and segments.filter_segment == "champions"


def test_exporting_the_filtered_customer_table_writes_the_shown_rows(qtbot, segments, dialogs, tmp_path):
    window = segments.window()
    counts = segments.result.heatmap.counts
    cells = [(5 - i, j + 1) for i in range(5) for j in range(5)]
    r, c = max(cells, key=lambda rc: counts[5 - rc[0]][rc[1] - 1])  # the fullest cell
    segments.filter_by_cell(r, c)
    shown = segments.customer_model.visible_keys()
    assert 0 < len(shown) < len(segments.result.customers.keys)
    target = tmp_path / "cell"  # no suffix typed, CSV picked: the suffix is added
    dialogs.answer, dialogs.filter = str(target), t("ui.dialog.filter_csv")
    assert save(qtbot, window, segments.export_customers_button.click) == "success"
    written = target.with_name("cell.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0].strip('"') for line in written[1:]] == shown


def test_file_menu_exports_every_customer(qtbot, loaded, dialogs, tmp_path):
    target = tmp_path / "all.xlsx"
    dialogs.answer = str(target)
    assert loaded.segments_page.result is None  # not segmented yet: the job segments as the page would
    assert save(qtbot, loaded, loaded.export_action.trigger) == "success"
    from core.segments import segment

    # Every customer of the segmentation (of its currency, as the page shows them).
    assert len(sheet_rows(target)) - 1 == len(segment(loaded.book, "rfm11").customers)


def test_an_existing_file_is_overwritten_but_an_input_file_is_refused(qtbot, segments, dialogs, tmp_path):
    window = segments.window()
    segments.filter_by_segment("champions")
    existing = tmp_path / "old.xlsx"
    existing.write_bytes(b"an older list")
    dialogs.answer = str(existing)  # the dialog asked "Replace?" and the user said yes
    assert save(qtbot, window, segments.export_customers_button.click) == "success"
    assert len(sheet_rows(existing)) - 1 == segments.customer_model.rowCount()
    assert dialogs.errors == []

    source = window.book.files[0].path
    before = Path(source).read_bytes()
    dialogs.answer = str(source) if str(source).endswith((".csv", ".xlsx")) else str(source) + ".csv"
    segments.export_customers_button.click()
    assert len(dialogs.errors) == 1 and str(source) in dialogs.errors[0]
    assert dialogs.errors[0] == t("export.is_input", path=str(source))
    assert window._save_job is None and Path(source).read_bytes() == before


def test_cancelled_dialog_saves_nothing(qtbot, segments, dialogs, tmp_path):
    dialogs.answer = ""
    segments.export_segments_button.click()
    assert segments.window()._save_job is None and list(tmp_path.iterdir()) == []


def test_screenshots_of_the_file_menu_and_the_export_buttons(qtbot, segments, shots_dir):
    window = segments.window()
    segments.filter_by_segment("champions")
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        qtbot.wait(0)  # let the retranslated layout settle (no timing: one turn of the loop)
        image = window.grab().toImage()
        menu = window.file_menu
        bar = window.menuBar().actionGeometry(menu.menuAction())
        menu.popup(window.menuBar().mapToGlobal(bar.bottomLeft()))
        qtbot.waitExposed(menu)
        painter = QPainter(image)
        painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
        painter.end()
        menu.hide()
        assert image.save(str(shots_dir / f"exports-{lang}.png"))
    assert segments.export_customers_button.text() == t("ui.export.button")
