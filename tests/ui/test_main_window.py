"""The main window: importing files in the background, cancel, problems, live language switch, screenshots."""
import threading

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

import ui.main_window as main_window
from core.i18n import t

from tests.ui.helpers import BAD_MONEY_ROW, GOOD_ROWS, import_and_wait, outcome, write_export


@pytest.fixture
def good_file(tmp_path):
    return write_export(tmp_path, "orders_export_1.csv", GOOD_ROWS)


@pytest.fixture
def broken_file(tmp_path):
    return write_export(tmp_path, "orders_export_broken.csv", [*GOOD_ROWS, BAD_MONEY_ROW])


def visible_texts(widget) -> str:
    """Every text a user can read in the window's labels, buttons, menus and table headers."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QTableWidget
    texts = [widget.windowTitle()]
    texts += [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]
    texts += [button.text() for button in widget.findChildren(QAbstractButton) if button.isVisible()]
    texts += [action.text() for action in widget.menuBar().actions()]
    for table in widget.findChildren(QTableWidget):
        if table.isVisible():
            texts += [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return "\n".join(texts)


def test_empty_state_invites_to_open_and_lists_platforms(window):
    assert window.pages.currentWidget() is window.empty_page
    assert window.empty_page.title.text() == "Open an order export or drop it here"
    assert "Shopify" in visible_texts(window)
    assert not window.banner.isVisible()


def test_importing_a_file_shows_its_summary(qtbot, window, good_file):
    assert import_and_wait(qtbot, window, [good_file]) == "success"
    page = window.summary_page
    assert window.pages.currentWidget() is page
    # The banner goes on with the segmentation and plan the cards wait for, then goes.
    assert window.banner.isVisible() and window.is_analysing()
    assert outcome(qtbot, window.analysis_finished, lambda: None) == "success"
    assert not window.banner.isVisible()
    assert page.files_table.rowCount() == 1
    assert page.files_table.item(0, 0).text() == "orders_export_1.csv"
    assert page.files_table.item(0, 1).text() == "Shopify"
    assert page.files_table.item(0, 4).text() == "4"
    assert page.orders_card.value.text() == "4"
    assert "Paid 2" in page.orders_card.detail.text()
    assert page.customers_card.value.text() == "3"
    assert "1 order without a customer identity" in page.customers_card.detail.text()
    assert page.sales_card.value.text() == "USD 67.50"  # 42.50 + (30.00 − 5.00 refunded)
    assert "2024-03-01" in page.subtitle.text() and "2024-03-09" in page.subtitle.text()
    assert page.no_problems.isVisible() and not page.problems_table.isVisible()


def test_a_broken_row_shows_up_in_the_problems_table(qtbot, window, broken_file):
    assert import_and_wait(qtbot, window, [broken_file]) == "success"
    page = window.summary_page
    assert page.problems_table.isVisible()
    assert page.problems_title.text() == "Problems (1)"
    assert page.problems_table.rowCount() == 1
    cells = [page.problems_table.item(0, c).text() for c in range(4)]
    assert cells[:3] == ["orders_export_broken.csv", "6", "Total"]
    assert "abc" in cells[3]


def test_a_file_that_is_no_export_is_reported_as_a_problem(qtbot, window, tmp_path, good_file):
    other = tmp_path / "notes.csv"
    other.write_text("hello,world\n1,2\n", encoding="utf-8")
    assert import_and_wait(qtbot, window, [str(other), good_file]) == "success"
    table = window.summary_page.problems_table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["notes.csv"]


def test_language_switch_retranslates_the_visible_window(qtbot, window, broken_file):
    assert import_and_wait(qtbot, window, [broken_file]) == "success"
    english = visible_texts(window)
    english_problem = window.summary_page.problems_table.item(0, 3).text()
    window.language_actions["zh_CN"].trigger()
    chinese = visible_texts(window)
    assert "导入概览" in chinese and "文件(&F)" in chinese and "问题（1）" in chinese
    for word in ("Import summary", "Problems", "Files", "ORDERS", "CUSTOMERS", "&File"):
        assert word in english and word not in chinese
    # the problem message is rendered again in the new language, the counts stay
    assert window.summary_page.problems_table.item(0, 3).text() != english_problem
    assert window.summary_page.orders_card.value.text() == "5"
    window.language_actions["en"].trigger()
    assert visible_texts(window) == english


def test_a_language_switch_changes_the_face_of_every_widget(window):
    """English text in the Latin face, Chinese in the CJK face, after any number of switches; the
    widgets the style sheet sizes (titles, captions) follow too, not only the window."""
    from PySide6.QtWidgets import QApplication

    from ui.theme import cjk_fallback_families

    cjk = set(cjk_fallback_families())

    def first_faces() -> set[str]:
        return {w.font().families()[0] for w in QApplication.allWidgets() if w.window() is window}

    window.switch_language("zh_CN")
    assert first_faces() <= cjk
    window.switch_language("en")
    assert not first_faces() & cjk
    assert window.findChild(type(window.empty_page.title), "emptyTitle").font().families()[0] not in cjk


def test_empty_state_switches_language_too(window):
    window.switch_language("zh_CN")
    assert window.empty_page.title.text() == t("ui.empty.title", lang="zh_CN")
    assert window.open_action.text() == "打开(&O)…"
    assert window.language_button.text() == "简体中文"


def test_cancel_halfway_keeps_the_previous_summary(qtbot, window, good_file, monkeypatch):
    assert import_and_wait(qtbot, window, [good_file]) == "success"
    book_before, summary_before = window.book, window.summary
    started = threading.Event()

    def slow_load(paths, progress, currencies=None):
        started.set()
        for step in range(10000):
            progress.check_cancelled()
            progress.report(step / 10000, "progress.reading_file", file="big.csv")
            threading.Event().wait(0.002)
        raise AssertionError("cancel was not honoured")

    monkeypatch.setattr(main_window, "load_book", slow_load)
    with qtbot.waitSignal(window.import_finished, timeout=20000) as finished:
        window.open_files(["big.csv"])
        assert started.wait(5)
        # the window keeps working during the import: the progress banner updates, and a
        # language switch is handled at once
        qtbot.waitUntil(lambda: window.banner.bar.value() > 0, timeout=5000)
        assert window.banner.isVisible() and "big.csv" in window.banner.step.text()
        window.switch_language("zh_CN")
        window.switch_language("en")
        qtbot.mouseClick(window.banner.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["cancelled"]
    assert window.book is book_before and window.summary == summary_before
    assert window.pages.currentWidget() is window.summary_page
    assert window.summary_page.files_table.item(0, 0).text() == "orders_export_1.csv"
    assert not window.banner.isVisible()
    assert window.statusBar().currentMessage() == t("ui.status.cancelled")


def test_a_failing_import_shows_an_error_and_keeps_the_old_data(qtbot, window, good_file, monkeypatch):
    assert import_and_wait(qtbot, window, [good_file]) == "success"
    before = window.summary

    def broken_load(paths, progress, currencies=None):
        raise OSError("disk on fire")

    monkeypatch.setattr(main_window, "load_book", broken_load)
    assert import_and_wait(qtbot, window, ["x.csv"]) == "failure"
    assert window.error_banner.isVisible() and "disk on fire" in window.error_banner.text()
    assert window.summary is before


def test_dropping_files_imports_them(qtbot, window, good_file, tmp_path):
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(good_file), QUrl.fromLocalFile(str(picture))])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.import_finished, timeout=60000):
        window.dropEvent(event)
    assert window.summary_page.files_table.rowCount() == 1


def test_closing_while_importing_leaves_no_thread(qtbot, window, monkeypatch):
    started = threading.Event()

    def endless_load(paths, progress, currencies=None):
        started.set()
        while True:
            progress.check_cancelled()
            threading.Event().wait(0.005)

    monkeypatch.setattr(main_window, "load_book", endless_load)
    window.open_files(["big.csv"])
    assert started.wait(5)
    window.close()
    # the autouse fixture then checks that the pool is empty


def test_screenshots_in_english_and_chinese(qtbot, window, good_file, broken_file, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        window.grab().save(str(shots / f"empty-{lang}.png"))
    window.switch_language("en")
    assert import_and_wait(qtbot, window, [good_file, broken_file]) == "success"
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        image = window.grab()
        assert image.width() >= 1000 and image.height() >= 600
        assert image.save(str(shots / f"summary-{lang}.png"))
    assert sorted(p.name for p in shots.iterdir()) == [
        "empty-en.png", "empty-zh_CN.png", "summary-en.png", "summary-zh_CN.png"]
