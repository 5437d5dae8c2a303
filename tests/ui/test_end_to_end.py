"""The whole flow a seller goes through, on the demo data, in English and in Chinese: open →
segments → change the map → targeting → change a weight → personas → strategy → export a list →
save the PDF → the report, with a screenshot of every page (look at them: SEGMENTDESK_SHOTS_DIR)."""
import csv
import subprocess
import unicodedata
from pathlib import Path

import pytest

from core.i18n import language
from core.resources import RESOURCES
from tests.ui.conftest import open_window
from tests.ui.helpers import import_and_wait, outcome, wait_plan, wait_run
from ui.main_window import NAV_PAGES

DEMO = sorted(str(p) for p in (RESOURCES / "demo").glob("*.csv"))


def settle(qtbot, page) -> None:
    """Wait for whatever the page started when it was shown."""
    qtbot.waitUntil(lambda: not getattr(page, "is_running", lambda: False)(), timeout=120000)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_whole_flow(qtbot, dialogs, shots_dir, tmp_path, lang):
    window = open_window(qtbot, 768)
    window.switch_language(lang)
    shot = lambda name: window.grab().save(str(shots_dir / f"e2e-{lang}-{name}.png"))  # noqa: E731

    assert import_and_wait(qtbot, window, DEMO) == "success"
    shot("1-overview")

    segments = window.segments_page
    window.show_page("segments")
    settle(qtbot, segments)
    assert wait_run(qtbot, segments, lambda: segments.set_map("cn8")) == "success"
    assert segments.result.map_id == "cn8"
    shot("2-segments-cn8")

    targeting = window.targeting_page
    window.show_page("targeting")
    settle(qtbot, targeting)
    before = targeting.result.scorecard
    assert wait_plan(qtbot, targeting, lambda: targeting.set_weight("profitability", 45)) == "success"
    assert targeting.result.weights["profitability"] == 45 and targeting.result.scorecard != before
    shot("3-targeting")

    for key in NAV_PAGES[3:]:  # personas, strategy, the pages after them, the report last
        window.show_page(key)
        settle(qtbot, window.section_widgets[key])
        if key == "report":
            qtbot.waitUntil(lambda: bool(window.report_page.page_labels), timeout=120000)
        shot(f"4-{key}")

    window.show_page("segments")
    dialogs.answer = str(tmp_path / "all customers.csv")
    assert outcome(qtbot, window.save_finished, window.export_all_customers, 120000) == "success"
    with open(dialogs.answer, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(segments.result.customers.keys)

    dialogs.answer = str(tmp_path / "summary.pdf")
    assert outcome(qtbot, window.save_finished, window.save_pdf, 120000) == "success"
    # NFKC: the CJK font maps some Han glyphs to look-alike radicals (⽬ for 目) in the text layer.
    text = unicodedata.normalize("NFKC", subprocess.run(["pdftotext", dialogs.answer, "-"],
                                                        capture_output=True, text=True).stdout)
    assert ("目标" in text) == (lang == "zh_CN") and "SegmentDesk" in text
    assert dialogs.errors == [] and language() == lang
    window.show_page("overview")
    shot("5-overview-after")
    assert window.summary_page.segments_card.value.text() not in ("", "…")
    assert Path(shots_dir / f"e2e-{lang}-5-overview-after.png").stat().st_size > 10_000
