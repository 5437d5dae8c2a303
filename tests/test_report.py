"""The printable strategy summary (ui/report): a valid PDF with every section in order, the plan's
figures in its text, fonts embedded, A4 and Letter, English and 简体中文, and the CLI door."""
import re
import shutil
import subprocess
import unicodedata

import pytest

from tests.conftest import ROOT, run_main

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed (make system-deps)")

DEMO = sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv"))


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def _text(path) -> str:
    """The PDF's text with all whitespace removed (pdftotext wraps and spaces CJK freely)."""
    text = re.sub("[\ufb00-\ufb06]", lambda m: unicodedata.normalize("NFKC", m.group()),  # ﬁ → fi
                  _run("pdftotext", str(path), "-"))
    return re.sub(r"\s+", "", text)


def _contains(text: str, expected: str) -> int:
    """Where `expected` starts in `text`, or -1. A Han character may come out of the PDF as the
    radical sharing its glyph in the font (客户 as 客⼾: Qt maps each glyph back to its first code
    point), so each one also matches a radical."""
    pattern = "".join(f"(?:{c}|[\u2e80-\u2fdf])" if "\u4e00" <= c <= "\u9fff" else re.escape(c)
                      for c in _squash(expected))
    found = re.search(pattern, text)
    return found.start() if found else -1


def _pages(path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo plan rendered once per language (A4) and once on Letter."""
    from ui.report.render import ensure_app, render_pdf

    from core.importing import import_files
    from core.targeting.plan import make_plan, plan_json

    ensure_app()
    book = import_files(DEMO)
    plan = make_plan(book)
    folder = tmp_path_factory.mktemp("report")
    out = {"plan": plan, "book": book}
    for lang in ("en", "zh_CN"):
        path = folder / f"summary-{lang}.pdf"
        out[lang] = {"path": path, "pages": render_pdf(plan, path, lang, "a4", book=book),
                     "json": plan_json(plan, lang), "text": None}
        out[lang]["text"] = _text(path)
    out["letter"] = folder / "summary-letter.pdf"
    render_pdf(plan, out["letter"], "en", "letter")  # without the book: figures from the plan alone
    return out


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_pdf_is_valid_with_a_sane_page_count(demo, lang):
    path = demo[lang]["path"]
    assert path.read_bytes().startswith(b"%PDF-")
    assert _pages(path) == demo[lang]["pages"]
    assert 8 <= demo[lang]["pages"] <= 30


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_sections_appear_in_order(demo, lang):
    from core.i18n import t

    data = demo[lang]["json"]
    names = {s["id"]: (s["name_zh"] if lang == "zh_CN" else s["name"]) for s in data["segments"]}
    titles = [t("report.title", lang=lang), t("report.section.key_figures", lang=lang),
              t("report.section.segments", lang=lang), t("report.section.screening", lang=lang),
              t("report.section.pattern", lang=lang)]
    titles += [t("report.section.target", lang=lang, number=i, name=names[sid])
               for i, sid in enumerate(data["targets"], start=1)]
    titles.append(t("report.forecast.title", lang=lang))
    titles.append(t("report.section.appendix", lang=lang))
    text, at = demo[lang]["text"], 0
    for title in titles:
        found = _contains(text[at:], title)
        assert found >= 0, f"{title!r} missing or out of order"
        at += found + 1


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_text_carries_the_plans_figures(demo, lang):
    data, text = demo[lang]["json"], demo[lang]["text"]
    assert f"{data['scope']['customers']:,}" in text
    assert _contains(text, data["pattern"]["title"]) >= 0
    assert _contains(text, data["approach"]["title"]) >= 0
    assert len(data["personas"]) == len(data["targets"]) > 0
    for persona in data["personas"]:
        assert _contains(text, persona["name"]) >= 0
    for row in data["scorecard"]:
        if row["eliminated"]:
            assert _contains(text, row["reason"]) >= 0


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_forecast_section_carries_the_forecast_figures(demo, lang):
    """Each forecast month of the whole shop with its mean, interval and naive seasonal value, the
    back-tested errors of every series, and the top categories by name."""
    from core.targeting.texts import money, percent
    from core.trends import demand_forecast

    text = demo[lang]["text"]
    at = _contains(text, {"en": "Demand forecast", "zh_CN": "需求预测"}[lang])
    assert at >= 0
    section = text[at:]
    forecasts = demand_forecast(demo["book"], "USD", 6, "net_sales", 4)
    shop = forecasts[0]
    assert shop.method == "ets_seasonal" and len(shop.forecast) == 6
    for month, row in shop.forecast.iterrows():
        figures = [str(month), money(row["mean"], "USD", lang),
                   f"{money(row['lower'], 'USD', lang)}–{money(row['upper'], 'USD', lang)}",
                   money(shop.baseline[month], "USD", lang)]
        assert all(figure in section for figure in figures), (month, figures)
    for f in forecasts:
        assert _contains(section, f.name if f.name != "all" else {"en": "Whole shop", "zh_CN": "全店"}[lang]) >= 0
        for error in (f.backtest["model_mape"], f.backtest["baseline_mape"]):
            assert _squash(percent(error, lang)) in section, (f.name, error)


def test_forecast_section_says_when_history_is_too_short(tmp_path):
    """Eight months of orders: no forecast, the plain reason and the straight-line trend instead."""
    import numpy as np
    import pandas as pd

    from core.importing import import_files
    from core.targeting.plan import make_plan
    from ui.report.content import build_content

    rng = np.random.default_rng(3)
    days = pd.Timestamp("2026-02-01") + pd.to_timedelta(rng.integers(0, 242, 600), unit="D")
    pd.DataFrame({"order_id": range(600), "customer_id": [f"c{i}" for i in rng.integers(0, 250, 600)],
                  "order_date": days.strftime("%Y-%m-%d"), "amount": rng.gamma(3, 12, 600).round(2)}
                 ).to_csv(tmp_path / "short.csv", index=False)
    book = import_files([tmp_path / "short.csv"])
    content = build_content(make_plan(book, "value"), "en", book)
    assert "Demand forecast" in content.sections
    assert "only 8 months of history, too few for a forecast (it needs 12). The straight-line trend is" in content.html
    assert "trend only: too little history" in content.html


def test_chinese_report_is_in_chinese(demo):
    text = demo["zh_CN"]["text"]
    assert demo["zh_CN"]["json"]["pattern"]["name"] == "product_specialization"
    assert _contains(text, "产品专业化") >= 0
    assert _contains(text, "附录") >= 0 and _contains(text, "客户细分") >= 0
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 1000


@pytest.mark.parametrize("lang,first", [("en", "Page1of{n}"), ("zh_CN", "第1页，共{n}页")])
def test_every_page_is_numbered(demo, lang, first):
    n = demo[lang]["pages"]
    text = demo[lang]["text"]
    assert _contains(text, first.format(n=n)) >= 0
    assert _contains(text, first.replace("1", str(n), 1).format(n=n)) >= 0


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_fonts_are_embedded_and_cover_chinese(demo, lang):
    rows = _run("pdffonts", str(demo[lang]["path"])).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    for row in rows:
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), f"not embedded: {row}"
    if lang == "zh_CN":  # an English report may need no Chinese glyph at all
        assert any("CJK" in row or "Han" in row or "YaHei" in row or "PingFang" in row for row in rows)


def test_no_pictures_only_vectors(demo):
    listing = _run("pdfimages", "-list", str(demo["en"]["path"])).splitlines()[2:]
    assert listing == []


def test_paper_sizes(demo):
    assert "595 x 842 pts (A4)" in _run("pdfinfo", str(demo["en"]["path"]))
    assert "612 x 792 pts (letter)" in _run("pdfinfo", str(demo["letter"]))
    assert 8 <= _pages(demo["letter"]) <= 30


def test_printer_door_prints_the_same_report(demo, tmp_path):
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QPrinter

    from ui.report.render import paint_to_printer

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    pages = paint_to_printer(printer, demo["plan"], "en")
    assert pages == _pages(tmp_path / "printed.pdf") >= 8
    text = _text(tmp_path / "printed.pdf")
    assert _contains(text, demo["en"]["json"]["pattern"]["title"]) >= 0


def _cli(*args):
    """`main.py report ARGS`, run in this process (the `qapp` fixture gives it its Qt application)."""
    return run_main("report", *args)


def test_cli_writes_refuses_to_overwrite_and_never_writes_an_input(tmp_path, qapp):
    out = tmp_path / "summary.pdf"
    done = _cli(*DEMO, "-o", str(out), "--lang", "zh", "--paper", "letter", "--map", "rfgrid")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-") and "letter" in _run("pdfinfo", str(out))
    before = out.read_bytes()
    refused = _cli(*DEMO, "-o", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert out.read_bytes() == before
    from tests.ui.helpers import GOOD_ROWS, write_export

    small = write_export(tmp_path, "orders_export.csv", GOOD_ROWS)  # a second summary of the demo costs seconds
    forced = _cli(small, "-o", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_bytes() != before and out.read_bytes().startswith(b"%PDF-")
    copy = tmp_path / "orders.csv"
    copy.write_bytes((ROOT / "resources" / "demo" / "shopify_orders_export.csv").read_bytes())
    same = _cli(str(copy), "-o", str(copy), "--force")
    assert same.returncode == 2 and copy.read_bytes().startswith(b"Name")
    assert _cli(*DEMO, "-o", str(tmp_path / "missing" / "x.pdf")).returncode == 2


def test_orders_without_a_country_are_named_not_stated_on_the_cover(tmp_path, qapp):
    """Core keys unknown values as "?"; the printed cover says so in words."""
    from tests.ui.helpers import write_export

    export = write_export(tmp_path, "orders_export.csv", [
        "#1,a@example.com,paid,2024-03-01 10:00:00 +0000,USD,9.50,2024-03-01 09:00:00 +0000,1,Mug,9.50,Ann,,0",
        "#2,b@example.com,paid,2024-03-02 10:00:00 +0000,USD,12.00,2024-03-02 09:00:00 +0000,1,Cup,12.00,Bo,,0"])
    pdf = tmp_path / "s.pdf"
    result = _cli(export, "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "not stated 100" in text and "? 100" not in text


def test_chart_value_labels_share_one_style():
    from ui.report.charts import short_number

    labels = [short_number(v) for v in (30, 139.9, 902.04, 4.5, 3.0, 0.04, 1000, 1234, 25_400, 2_500_000, -12.6)]
    assert labels == ["30", "140", "902", "4.5", "3", "0", "1k", "1.2k", "25k", "2.5M", "-13"]


def test_no_heading_is_left_alone_at_the_foot_of_a_page(demo):
    """Each heading starts on the page of what it introduces (ui.report.render.keep_headings_with_next)."""
    from PySide6.QtGui import QTextFormat

    from ui.report.render import layout

    for lang in ("en", "zh_CN"):
        doc = layout(demo["plan"], lang, "a4", demo["book"]).doc
        page, blocks = doc.pageSize().height(), doc.documentLayout()
        block = doc.begin()
        while block.isValid():
            following = block.next()
            fmt = block.blockFormat()
            starts_a_page = fmt.pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
            if fmt.headingLevel() and not starts_a_page and block.text().strip() and following.isValid():
                here, there = blocks.blockBoundingRect(block), blocks.blockBoundingRect(following)
                assert int(here.top() // page) == int((there.top() + min(there.height(), 40)) // page), (
                    lang, block.text())
            block = following


def test_a_target_section_that_spills_starts_its_second_page_at_its_strategy(demo):
    """No target page ends with a few stray lines on the next: the section breaks at Strategy."""
    from ui.report.content import SPILL_BREAK
    from ui.report.render import _anchors, _starts_page, layout

    for lang in ("en", "zh_CN"):
        doc = layout(demo["plan"], lang, "a4", demo["book"]).doc
        page, blocks = doc.pageSize().height(), doc.documentLayout()
        marked, block = 0, doc.begin()
        while block.isValid():
            if SPILL_BREAK in _anchors(block):
                marked += 1
                if _starts_page(block):  # broken there: the strategy fills a good part of its page
                    section_end = block
                    while section_end.next().isValid() and not _starts_page(section_end.next()):
                        section_end = section_end.next()
                    bottom = blocks.blockBoundingRect(section_end).bottom()
                    assert bottom % page > page * 0.3, (lang, block.text())
            block = block.next()
        assert marked >= len(demo["plan"].targets)  # each target, and the forecast and appendix
