"""Lay the report out page by page and paint it onto a PDF writer or a printer.

The text flows in a QTextDocument laid out at 96 units per inch on a page-sized body; charts
sit in the flow as transparent <img src="chart:ID"> placeholders that reserve their space (a
Python QTextObjectInterface cannot be registered with PySide6), and are painted over them with
QPainter, so they stay vectors. Each page is painted by clipping the document to
that page's slice, with a running header and "Page n of N" in the margins. No widgets: this
runs headless (offscreen) as well as behind the Print… and Save as PDF… commands."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (QAbstractTextDocumentLayout, QColor, QFont, QFontDatabase, QGuiApplication,
                           QImage, QPageLayout, QPageSize, QPagedPaintDevice, QPainter, QPdfWriter, QPen,
                           QTextCursor, QTextDocument, QTextFormat)

from core.i18n import t
from core.safe_write import atomic_path
from ui.fonts import register_bundled_fonts
from ui.report.charts import UNITS_PER_PT, chart_font
from ui.report.content import CSS, SPILL_BREAK, Content, build_content, norm_lang

UNITS_PER_INCH = 96
UNITS_PER_MM = UNITS_PER_INCH / 25.4
PAPERS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
# A Latin face first, then a Simplified-Chinese one for every glyph the Latin face lacks (listing
# the SC face explicitly keeps Han characters off the Japanese face of the same family). The Latin
# face comes first because Qt's PDF text map loses the digits of the Noto CJK faces: a PDF made with
# them alone shows every number but cannot be searched or copied for one.
LATIN_FONTS = ("DejaVu Sans", "Segoe UI", "Helvetica Neue", "Arial", "Liberation Sans", "Noto Sans")
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC",
             "Hiragino Sans GB", "WenQuanYi Micro Hei")
CHART_SCHEME = "chart:"
MARGINS_MM = (17.0, 20.0, 17.0, 17.0)  # left, top, right, bottom (header and footer sit inside)


def ensure_app() -> QGuiApplication:
    """The running Qt application, or a new headless one (offscreen when there is no display).
    A QApplication, not a bare QGuiApplication, so that the window or a dialog may still open in
    the same process later; the report itself never creates a widget."""
    app = QGuiApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and os.name == "posix" \
                and not os.environ.get("QT_QPA_PLATFORM") and not _is_macos():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication

        app = QApplication([])
    return app


def _is_macos() -> bool:
    import sys

    return sys.platform == "darwin"


def font_families(lang: str = "en") -> list[str]:
    """Installed report faces, the Latin one first, then the CJK one; never empty. The Latin face
    draws what both have (quotes, digits) in both languages: digits drawn with the CJK face come
    out of Qt's PDF without their text (a copied or searched figure is lost)."""
    register_bundled_fonts()  # the bundle's faces where the system lacks them (frozen app)
    installed = set(QFontDatabase.families())
    families = [next((f for f in group if f in installed), None) for group in (LATIN_FONTS, CJK_FONTS)]
    families = [f for f in families if f]
    return families or [QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()]


@dataclass(frozen=True)
class Geometry:
    """A page and its body in report units."""

    page: QSizeF
    margins: tuple[float, float, float, float]

    @classmethod
    def for_paper(cls, paper: str | QPageSize) -> "Geometry":
        size = paper if isinstance(paper, QPageSize) else QPageSize(PAPERS[paper.lower()])
        points = size.sizePoints()
        return cls(QSizeF(points.width() * UNITS_PER_PT, points.height() * UNITS_PER_PT),
                   tuple(m * UNITS_PER_MM for m in MARGINS_MM))

    @property
    def body(self) -> QSizeF:
        left, top, right, bottom = self.margins
        return QSizeF(self.page.width() - left - right, self.page.height() - top - bottom)


def keep_headings_with_next(doc: QTextDocument, passes: int = 8) -> int:
    """Move each heading left alone at the foot of a page to the top of the next one, with what
    it introduces (QTextDocument has no keep-with-next). Each move can shift the pages after it,
    so the check runs again until nothing moves. Returns how many headings were moved."""
    page = doc.pageSize().height()
    layout_ = doc.documentLayout()
    moved = 0
    for _ in range(passes):
        doc.pageCount()  # lay out (lazy)
        stranded = []
        block = doc.begin()
        while block.isValid():
            following = block.next()
            if (block.blockFormat().headingLevel() and not _starts_page(block) and following.isValid()
                    and block.text().strip()):
                rect, after = layout_.blockBoundingRect(block), layout_.blockBoundingRect(following)
                if after.top() > 0 and int(rect.top() // page) < int((after.top() + min(after.height(), 40)) // page):
                    stranded.append(block)
            block = following
        if not stranded:
            break
        _break_before(doc, stranded)
        moved += len(stranded)
    return moved


def _break_before(doc: QTextDocument, blocks: list) -> None:
    """Start a new page at each of `blocks`."""
    cursor = QTextCursor(doc)
    for block in blocks:
        fmt = block.blockFormat()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        cursor.setPosition(block.position())
        cursor.setBlockFormat(fmt)


def _starts_page(block) -> bool:
    return bool(block.blockFormat().pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)


def _anchors(block) -> set[str]:
    names: set[str] = set()
    fragments = block.begin()
    while not fragments.atEnd():
        names.update(fragments.fragment().charFormat().anchorNames())
        fragments += 1
    return names


def break_spills(doc: QTextDocument, most: float = 0.45) -> int:
    """A section that runs a few lines onto a second page (a target segment whose strategy does not
    quite fit) starts that page at its marked heading instead (content.SPILL_BREAK), so both pages
    are balanced and none holds only a stray paragraph. Returns how many sections were broken."""
    page = doc.pageSize().height()
    layout_ = doc.documentLayout()
    doc.pageCount()
    sections: list[list] = []  # blocks of each section, a section starting where a page must start
    block = doc.begin()
    while block.isValid():
        if _starts_page(block) or not sections:
            sections.append([])
        sections[-1].append(block)
        block = block.next()
    marked = []
    for blocks in sections:
        rects = [layout_.blockBoundingRect(b) for b in blocks]
        shown = [r for r, b in zip(rects, blocks) if r.height() > 0]
        if not shown:
            continue
        # A heading that starts a page can report its top a few units above that page: its middle counts.
        first, last = int(shown[0].center().y() // page), int((shown[-1].bottom() - 1) // page)
        spill = (shown[-1].bottom() - last * page) / page
        if last == first + 1 and spill < most:
            marked += [b for b in blocks if SPILL_BREAK in _anchors(b)][:1]
    _break_before(doc, marked)
    return len(marked)


def chart_places(doc: QTextDocument) -> list[tuple[str, QRectF]]:
    """Where each <img src="chart:ID"> ended up, in document coordinates (after pagination).
    The images themselves are transparent placeholders that reserve the space in the flow."""
    places = []
    doc.pageCount()  # lays the whole document out (layout is lazy)
    layout_ = doc.documentLayout()
    block = doc.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat() and fmt.toImageFormat().name().startswith(CHART_SCHEME):
                image = fmt.toImageFormat()
                text_layout = block.layout()
                offset = fragment.position() - block.position()
                line = text_layout.lineForTextPosition(offset)
                if not line.isValid():
                    raise RuntimeError(f"chart {image.name()} was not laid out")
                origin = layout_.blockBoundingRect(block).topLeft()
                x = origin.x() + line.cursorToX(offset)[0]
                y = origin.y() + line.y() + line.ascent() - image.height()
                places.append((image.name()[len(CHART_SCHEME):], QRectF(x, y, image.width(), image.height())))
            fragments += 1
        block = block.next()
    return places


@dataclass
class Layout:
    """A laid-out report: the document, its content and the page geometry."""

    doc: QTextDocument
    content: Content
    geometry: Geometry
    places: list[tuple[str, QRectF]]
    device: QImage  # the 96-dpi reference the text is measured on (kept alive with the document)
    lang: str = "en"

    @property
    def pages(self) -> int:
        return self.doc.pageCount()


def layout(plan, lang: str = "en", paper: str | QPageSize = "a4", book=None) -> Layout:
    """Build and paginate the report for `plan` on `paper` (a4, letter or a QPageSize)."""
    ensure_app()
    lang = norm_lang(lang)
    geometry = Geometry.for_paper(paper)
    families = font_families(lang)
    content = build_content(plan, lang, book, families, geometry.body.width())
    device = QImage(8, 8, QImage.Format.Format_ARGB32)
    dots_per_metre = round(UNITS_PER_INCH / 0.0254)
    device.setDotsPerMeterX(dots_per_metre)
    device.setDotsPerMeterY(dots_per_metre)
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    font = QFont()
    font.setFamilies(families)
    font.setPointSizeF(9)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    doc.setDefaultFont(font)
    doc.setUseDesignMetrics(True)
    doc.setDocumentMargin(0)
    doc.setDefaultStyleSheet(CSS)
    blank = QImage(1, 1, QImage.Format.Format_ARGB32)
    blank.fill(0)
    for key in content.charts:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(CHART_SCHEME + key), blank)
    doc.setHtml(content.html)
    doc.setPageSize(geometry.body)
    break_spills(doc)  # first: a heading moved by the next step would look like a section start
    keep_headings_with_next(doc)
    places = chart_places(doc)
    # The placeholders have reserved their space; without an image handler they paint nothing,
    # so the PDF holds no picture at all, only the vector charts painted over their places.
    doc.documentLayout().unregisterHandler(QTextFormat.ObjectTypes.ImageObject)
    return Layout(doc, content, geometry, places, device, lang)


def paint(result: Layout, painter: QPainter, device: QPagedPaintDevice) -> None:
    """Paint every page of `result` onto `device` (already begun by `painter`), a page per sheet."""
    scale = device.logicalDpiX() / UNITS_PER_INCH
    pages = result.pages
    for index in range(pages):
        if index:
            device.newPage()
        painter.save()
        painter.scale(scale, scale)
        _paint_page(result, painter, index, pages)
        painter.restore()


def _paint_page(result: Layout, painter: QPainter, index: int, pages: int) -> None:
    geometry, body = result.geometry, result.geometry.body
    left, top, right, bottom = geometry.margins
    families = font_families(result.lang)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    small = chart_font(families, 7.5)
    painter.setFont(small)
    painter.setPen(QColor("#4b5563"))
    width = geometry.page.width()
    if index:  # the cover has no running header
        header = QRectF(left, top * 0.42, width - left - right, top * 0.4)
        painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, result.content.header)
        painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, result.content.date)
        painter.setPen(QPen(QColor("#cbd5e1"), 0.75))
        line_y = header.bottom() + 3
        painter.drawLine(QPointF(header.left(), line_y), QPointF(header.right(), line_y))
        painter.setPen(QColor("#4b5563"))
    footer = QRectF(left, geometry.page.height() - bottom * 0.75, width - left - right, bottom * 0.4)
    painter.drawText(footer, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                     t("report.page", lang=result.lang, page=index + 1, pages=pages))
    painter.save()
    painter.translate(left, top - index * body.height())
    clip = QRectF(0, index * body.height(), body.width(), body.height())
    painter.setClipRect(clip)
    context = QAbstractTextDocumentLayout.PaintContext()
    context.clip = clip
    result.doc.documentLayout().draw(painter, context)
    for key, rect in result.places:
        if clip.intersects(rect) and key in result.content.charts:
            result.content.charts[key].paint(painter, rect)
    painter.restore()


def _pdf_writer(target: str, geometry_paper: str, result: Layout) -> QPdfWriter:
    writer = QPdfWriter(target)
    writer.setResolution(UNITS_PER_INCH)
    writer.setPageLayout(QPageLayout(QPageSize(PAPERS[geometry_paper]), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0)))
    writer.setTitle(result.content.title)
    writer.setCreator("SegmentDesk")
    return writer


def render_pdf(plan, path, lang: str = "en", paper: str = "a4", book=None) -> int:
    """Write the strategy summary of `plan` as a PDF at `path` (atomically: a failure leaves any
    previous file intact). `paper` is "a4" or "letter"; `book` (the OrderBook the plan was made
    from) adds per-currency figures and monthly trends. Returns the number of pages."""
    paper = paper.lower()
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")
    result = layout(plan, lang, paper, book)
    with atomic_path(Path(path)) as tmp:
        writer = _pdf_writer(str(tmp), paper, result)
        try:
            painter = QPainter()
            if not painter.begin(writer):
                raise OSError(f"cannot write {path}")
            try:
                paint(result, painter, writer)
            finally:
                painter.end()
        finally:
            del writer  # closes the file, also on a failure: Windows cannot remove an open file
    return result.pages


def paint_to_printer(printer, plan, lang: str = "en", book=None) -> int:
    """Lay the report out for the printer's paper and print it (the Print… door and its preview)."""
    printer.setFullPage(True)
    result = layout(plan, lang, printer.pageLayout().pageSize(), book)
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        paint(result, painter, printer)
    finally:
        painter.end()
    return result.pages


def print_report(plan, lang: str = "en", parent=None, book=None, preview: bool = True) -> bool:
    """The Print… door: a print preview (or the print dialog) for the strategy summary.
    Returns True when it was sent to a printer."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
    from PySide6.QtWidgets import QDialog

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(t("report.title", lang=norm_lang(lang)))
    if preview:
        dialog = QPrintPreviewDialog(printer, parent)
        dialog.paintRequested.connect(lambda target: paint_to_printer(target, plan, lang, book))
        return dialog.exec() == QDialog.DialogCode.Accepted
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    return paint_to_printer(printer, plan, lang, book) > 0


def render_images(plan, lang: str = "en", paper: str = "a4", book=None, scale: float = 1.0,
                  progress=None) -> list[QImage]:
    """The report's pages as images (the Report page's preview); QImage paints on any thread, so
    this runs in a Job. `scale` 1.0 is 96 dpi; `progress` (a core.jobs token) may cancel between pages."""
    result = layout(plan, lang, paper, book)
    size = result.geometry.page
    pages = []
    for index in range(result.pages):
        if progress is not None:
            progress.check_cancelled()
            progress.report(0.2 + 0.8 * index / max(result.pages, 1), "progress.report_pages")
        image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.scale(scale, scale)
        _paint_page(result, painter, index, result.pages)
        painter.end()
        pages.append(image)
    return pages
