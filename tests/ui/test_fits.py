"""Nothing cut off at the smallest window (issue 16): every page's content fits its width without
a sideways scroll, the page controls wrap instead of squeezing, and the Segments table shows every
column and whole segment names, in English and Chinese."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QBoxLayout, QScrollArea, QStyleOptionHeader

from core.resources import RESOURCES
from tests.ui.helpers import import_and_analyse
from ui.main_window import MIN_WIDTH
from ui.widgets import ARROW_ROOM

DEMO = sorted(str(p) for p in (RESOURCES / "demo").glob("*.csv"))
ETSY = sorted(str(p) for p in (RESOURCES.parent / "tests" / "data" / "exports" / "etsy_us_pair").glob("*.csv"))


def scroll_bodies(page):
    return [area for area in page.findChildren(QScrollArea) if area.objectName() == "pageScroll"]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("files", [DEMO, ETSY], ids=["demo", "etsy"])
def test_the_smallest_window_shows_each_page_and_the_segment_table_whole(qtbot, window, lang, files, shots_dir):
    window.switch_language(lang)
    window.resize(MIN_WIDTH, 700)
    assert window.width() == MIN_WIDTH
    assert import_and_analyse(qtbot, window, files) == "success"
    for key in ("overview", "segments", "targeting"):
        window.show_page(key)
        QApplication.processEvents()
        page = window.section_widgets[key]
        assert page.minimumSizeHint().width() <= page.width(), key  # the controls wrap, not squeeze
        for area in scroll_bodies(page):
            assert area.widget().minimumSizeHint().width() <= area.viewport().width(), key
        window.grab().save(str(shots_dir / f"fits_{key}_{lang}_{len(files)}.png"))
    window.show_page("segments")
    QApplication.processEvents()
    table = window.segments_page.segment_table
    columns = table.model().columnCount()
    # The columns are fitted again once the page's layout has settled (a scroll bar came or went).
    qtbot.waitUntil(lambda: sum(table.columnWidth(c) for c in range(columns)) <= table.viewport().width())
    assert not table.horizontalScrollBar().isVisible()
    assert table.columnWidth(0) >= table.sizeHintForColumn(0)  # names are never elided
    # The customer list goes under the map, at the page's width, and shows every column.
    page, customers = window.segments_page, window.segments_page.customer_table
    assert page.middle.direction() == QBoxLayout.Direction.TopToBottom
    columns = customers.model().columnCount()
    qtbot.waitUntil(lambda: sum(customers.columnWidth(c) for c in range(columns)) <= customers.viewport().width())
    # A sorted right-aligned heading ends before the sort arrow.
    header, net_sales = customers.horizontalHeader(), customers.model().NET_SALES
    header.setSortIndicator(net_sales, Qt.SortOrder.DescendingOrder)

    def heading() -> str:
        option = QStyleOptionHeader()
        header.initStyleOptionForIndex(option, net_sales)
        return option.text

    qtbot.waitUntil(lambda: heading().endswith(ARROW_ROOM))
    assert sum(customers.columnWidth(c) for c in range(columns)) <= customers.viewport().width()
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # the names: left-aligned, no room needed
    assert not heading().endswith(ARROW_ROOM)
    # The cohort table (two years of the demo: by quarter) shows every period.
    trends = window.trends_page
    with qtbot.waitSignal(trends.run_finished, timeout=60000,
                          check_params_cb=lambda outcome, section: section == "cohorts"):
        window.show_page("trends")
    cohorts = trends.cohorts.table
    QApplication.processEvents()
    assert cohorts.horizontalHeader().length() <= cohorts.viewport().width()
    window.grab().save(str(shots_dir / f"fits_trends_{lang}_{len(files)}.png"))


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_welcome_screen_shows_every_platform_whole(qtbot, window, lang, shots_dir):
    window.switch_language(lang)
    window.resize(MIN_WIDTH, 700)
    QApplication.processEvents()
    from ui.overview_page import EmptyPage

    empty = window.findChild(EmptyPage)
    chips = empty.chips
    assert [c.text() for c in chips] and all(c.width() >= c.sizeHint().width() for c in chips)
    bottom = max(c.geometry().bottom() for c in chips)
    assert bottom < empty.formats.geometry().top()  # the last line of chips stays above the formats
    window.grab().save(str(shots_dir / f"fits_welcome_{lang}.png"))
