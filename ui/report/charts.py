"""Small vector charts for the printed report, drawn with QPainter (so they stay vectors in a PDF
and use the same CJK-capable font as the text).

Every chart works in report units (1 unit = 1/96 inch, the layout resolution of the report) and
paints itself into the rectangle it is given; fonts are sized in those units (pixel sizes), so
the painter's scale to the real device (PDF or printer) applies to text and lines alike."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

UNITS_PER_PT = 96 / 72
INK = QColor("#111827")
MUTED = QColor("#4b5563")
GRID = QColor("#e5e7eb")
ACCENT = QColor("#2563eb")
SECOND = QColor("#94a3b8")
PALETTE = ("#2563eb", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#dc2626",
           "#4f46e5", "#ca8a04", "#0d9488", "#9333ea")


def chart_font(families: list[str], pt: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(families)
    font.setPixelSize(max(1, round(pt * UNITS_PER_PT)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def nice_max(value: float) -> float:
    """The round number just above `value` (for an axis top)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def short_number(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    # One style for every label of a chart: whole numbers from 10 on ("30", "140", never "139.9"
    # beside "30" or "902.0"), one decimal below 10 only when it says something ("4.5", "3").
    if abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:.1f}".removesuffix(".0")


@dataclass
class Chart:
    """Base: a title above the plot area; subclasses paint the plot."""

    title: str
    width: float  # report units
    height: float
    families: list[str] = field(default_factory=list)

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        title_font = chart_font(self.families, 8.5, bold=True)
        painter.setFont(title_font)
        painter.setPen(INK)
        metrics = QFontMetricsF(title_font)
        title_rect = QRectF(rect.left(), rect.top(), rect.width(), metrics.height() * 2.2)
        used = painter.boundingRect(title_rect, Qt.TextFlag.TextWordWrap, self.title)
        painter.drawText(title_rect, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft, self.title)
        top = rect.top() + min(used.height(), title_rect.height()) + 4
        self.plot(painter, QRectF(rect.left(), top, rect.width(), rect.bottom() - top))
        painter.restore()

    def plot(self, painter: QPainter, area: QRectF) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def small(self, pt: float = 7.0, bold: bool = False) -> QFont:
        return chart_font(self.families, pt, bold)


@dataclass
class PairedBars(Chart):
    """Per row two horizontal bars (e.g. share of customers vs share of net sales), in percent."""

    labels: list[str] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    second: list[float] = field(default_factory=list)
    legend: tuple[str, str] = ("", "")

    def plot(self, painter: QPainter, area: QRectF) -> None:
        font = self.small(7.5)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        line = metrics.height()
        # legend
        x = area.left()
        for colour, text in ((SECOND, self.legend[0]), (ACCENT, self.legend[1])):
            painter.fillRect(QRectF(x, area.top() + line * 0.25, line * 0.6, line * 0.6), colour)
            painter.setPen(MUTED)
            painter.drawText(QPointF(x + line * 0.8, area.top() + metrics.ascent()), text)
            x += line * 0.8 + metrics.horizontalAdvance(text) + line
        top = area.top() + line * 1.5
        label_width = min(area.width() * 0.34, max((metrics.horizontalAdvance(t) for t in self.labels),
                                                   default=0) + 8)
        value_width = metrics.horizontalAdvance("100 %") + 6
        bar_left = area.left() + label_width
        bar_width = max(10.0, area.width() - label_width - value_width)
        row = (area.bottom() - top) / max(1, len(self.labels))
        top_value = max([*self.first, *self.second, 0.01])
        for i, label in enumerate(self.labels):
            y = top + i * row
            painter.setPen(INK)
            painter.drawText(QRectF(area.left(), y, label_width - 6, row), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width - 6))
            bar = row * 0.32
            for j, (values, colour) in enumerate(((self.first, SECOND), (self.second, ACCENT))):
                value = values[i]
                by = y + row * 0.5 - bar - 1 + j * (bar + 2)
                length = bar_width * value / top_value
                painter.fillRect(QRectF(bar_left, by, max(0.5, length), bar), colour)
                painter.setPen(MUTED)
                painter.drawText(QRectF(bar_left + length + 3, by - line, value_width + 20, bar + 2 * line),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{value:.0%}")
        painter.setPen(QPen(GRID, 0.8))
        painter.drawLine(QPointF(bar_left, top), QPointF(bar_left, area.bottom()))


@dataclass
class Heatmap(Chart):
    """Customers per cell of an R × F (or R × FM) grid, each cell labelled with its segment."""

    counts: list[list[int]] = field(default_factory=list)  # rows top (R=5) to bottom (R=1), columns 1..5
    segments: list[list[str]] = field(default_factory=list)  # segment id per cell
    names: dict[str, str] = field(default_factory=dict)  # segment id -> display name
    row_title: str = ""
    column_title: str = ""

    def plot(self, painter: QPainter, area: QRectF) -> None:
        label_font = self.small(7)
        metrics = QFontMetricsF(label_font)
        line = metrics.height()
        rows, columns = len(self.counts), len(self.counts[0]) if self.counts else 0
        if not rows or not columns:
            return
        left = area.left() + line * 2.4  # rotated row title + score numbers
        bottom = area.bottom() - line * 2.4  # score numbers + column title
        size = min((area.right() - left) / columns, (bottom - area.top()) / rows)
        grid = QRectF(left, area.top(), size * columns, size * rows)
        peak = max(max(row) for row in self.counts) or 1
        colours = {sid: QColor(PALETTE[i % len(PALETTE)]) for i, sid in enumerate(self.names)}
        labelled: set[str] = set()
        for r in range(rows):
            for c in range(columns):
                cell = QRectF(grid.left() + c * size, grid.top() + r * size, size, size)
                sid = self.segments[r][c]
                base = colours.get(sid, SECOND)
                fill = QColor(base)
                fill.setAlphaF(0.10 + 0.55 * (self.counts[r][c] / peak))
                painter.fillRect(cell, QColor("white"))
                painter.fillRect(cell, fill)
                painter.setPen(QPen(QColor("white"), 1.5))
                painter.drawRect(cell)
                painter.setPen(INK)
                painter.setFont(self.small(9, bold=True))
                count_rect = QRectF(cell.left(), cell.top() + 2, cell.width(), cell.height() * 0.45)
                painter.drawText(count_rect, Qt.AlignmentFlag.AlignCenter, f"{self.counts[r][c]:,}")
                if sid not in labelled and sid in self.names:
                    labelled.add(sid)
                    painter.setFont(self.small(6))
                    painter.drawText(QRectF(cell.left() + 2, cell.top() + cell.height() * 0.45, cell.width() - 4,
                                            cell.height() * 0.55 - 2),
                                     Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                                     | Qt.TextFlag.TextWordWrap, self.names[sid])
        # segment borders: thicker lines between cells of different segments
        painter.setPen(QPen(INK, 1.2))
        for r in range(rows):
            for c in range(columns):
                x, y = grid.left() + c * size, grid.top() + r * size
                if c + 1 < columns and self.segments[r][c] != self.segments[r][c + 1]:
                    painter.drawLine(QPointF(x + size, y), QPointF(x + size, y + size))
                if r + 1 < rows and self.segments[r][c] != self.segments[r + 1][c]:
                    painter.drawLine(QPointF(x, y + size), QPointF(x + size, y + size))
        painter.setPen(QPen(INK, 1.2))
        painter.drawRect(grid)
        painter.setFont(label_font)
        painter.setPen(MUTED)
        for r in range(rows):
            painter.drawText(QRectF(left - line * 1.2, grid.top() + r * size, line, size),
                             Qt.AlignmentFlag.AlignCenter, str(rows - r))
        for c in range(columns):
            painter.drawText(QRectF(grid.left() + c * size, grid.bottom() + 2, size, line),
                             Qt.AlignmentFlag.AlignCenter, str(c + 1))
        painter.drawText(QRectF(grid.left(), grid.bottom() + line + 4, grid.width(), line * 1.2),
                         Qt.AlignmentFlag.AlignCenter, self.column_title)
        painter.save()
        painter.translate(area.left() + line * 0.1, grid.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-grid.height() / 2, 0, grid.height(), line * 1.2), Qt.AlignmentFlag.AlignCenter,
                         self.row_title)
        painter.restore()


@dataclass
class Histogram(Chart):
    """Counts per bin (vertical bars), with the bin edges under the axis."""

    counts: list[int] = field(default_factory=list)
    edges: list[float] = field(default_factory=list)  # len(counts) + 1
    y_label: str = ""

    def plot(self, painter: QPainter, area: QRectF) -> None:
        font = self.small(6.5)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        line = metrics.height()
        top_value = nice_max(max(self.counts, default=0))
        left = area.left() + metrics.horizontalAdvance(short_number(top_value)) + 6
        plot = QRectF(left, area.top() + line * 0.6, area.right() - left - 14, area.height() - line * 2.0)
        _axes(painter, plot, top_value, metrics, self.y_label)
        n = max(1, len(self.counts))
        width = plot.width() / n
        for i, count in enumerate(self.counts):
            h = plot.height() * count / top_value
            painter.fillRect(QRectF(plot.left() + i * width + 0.5, plot.bottom() - h, width - 1, h), ACCENT)
        painter.setPen(MUTED)
        step = max(1, math.ceil(len(self.edges) / 5))
        for i in range(0, len(self.edges), step):
            x = plot.left() + i * width
            text = short_number(self.edges[i])
            painter.drawText(QRectF(x - 30, plot.bottom() + 2, 60, line), Qt.AlignmentFlag.AlignHCenter, text)


@dataclass
class HorizontalBars(Chart):
    """One bar per label with its formatted value at the end (e.g. net sales by category)."""

    labels: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def plot(self, painter: QPainter, area: QRectF) -> None:
        font = self.small(7)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        label_width = min(area.width() * 0.38, max((metrics.horizontalAdvance(t) for t in self.labels),
                                                   default=0) + 6)
        text_width = max((metrics.horizontalAdvance(t) for t in self.texts), default=0) + 6
        bar_left = area.left() + label_width
        bar_width = max(10.0, area.width() - label_width - text_width)
        row = min(metrics.height() * 1.6, area.height() / max(1, len(self.labels)))
        peak = max([*self.values, 0]) or 1
        for i, label in enumerate(self.labels):
            y = area.top() + i * row
            painter.setPen(INK)
            painter.drawText(QRectF(area.left(), y, label_width - 6, row),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width - 6))
            length = bar_width * max(0.0, self.values[i]) / peak
            painter.fillRect(QRectF(bar_left, y + row * 0.2, max(0.5, length), row * 0.6), ACCENT)
            painter.setPen(MUTED)
            painter.drawText(QRectF(bar_left + length + 3, y, text_width + 4, row),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.texts[i])


@dataclass
class LineChart(Chart):
    """A value per period (e.g. net sales per month), first, middle and last period named."""

    labels: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    empty_text: str = ""

    def plot(self, painter: QPainter, area: QRectF) -> None:
        font = self.small(6.5)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        line = metrics.height()
        if not self.values:
            painter.setPen(MUTED)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
            return
        top_value = nice_max(max(self.values))
        left = area.left() + metrics.horizontalAdvance(short_number(top_value)) + 6
        plot = QRectF(left, area.top() + line * 0.6, area.right() - left - 8, area.height() - line * 2.0)
        _axes(painter, plot, top_value, metrics, "")
        n = len(self.values)
        step = plot.width() / max(1, n - 1)
        points = [QPointF(plot.left() + i * step if n > 1 else plot.center().x(),
                          plot.bottom() - plot.height() * v / top_value) for i, v in enumerate(self.values)]
        area_path = QPainterPath(QPointF(points[0].x(), plot.bottom()))
        for p in points:
            area_path.lineTo(p)
        area_path.lineTo(QPointF(points[-1].x(), plot.bottom()))
        fill = QColor(ACCENT)
        fill.setAlphaF(0.12)
        painter.fillPath(area_path, fill)
        painter.setPen(QPen(ACCENT, 1.4))
        for a, b in zip(points, points[1:]):
            painter.drawLine(a, b)
        painter.setPen(MUTED)
        for i in sorted({0, n // 2, n - 1}):
            x = points[i].x()
            where = (QRectF(x, plot.bottom() + 2, 80, line), Qt.AlignmentFlag.AlignLeft) if i == 0 and n > 1 else \
                (QRectF(x - 80, plot.bottom() + 2, 80, line), Qt.AlignmentFlag.AlignRight) if i == n - 1 and n > 1 \
                else (QRectF(x - 40, plot.bottom() + 2, 80, line), Qt.AlignmentFlag.AlignHCenter)
            painter.drawText(where[0], where[1], self.labels[i])


def _axes(painter: QPainter, plot: QRectF, top_value: float, metrics: QFontMetricsF, y_label: str) -> None:
    painter.setPen(QPen(GRID, 0.8))
    for fraction in (0.5, 1.0):
        y = plot.bottom() - plot.height() * fraction
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
    painter.setPen(QPen(MUTED, 0.8))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    for fraction in (0.0, 0.5, 1.0):
        y = plot.bottom() - plot.height() * fraction
        text = short_number(top_value * fraction)
        painter.drawText(QRectF(plot.left() - 60 - 4, y - metrics.height() / 2, 60, metrics.height()),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
    if y_label:
        painter.drawText(QRectF(plot.left() + 4, plot.top() - metrics.height() * 0.6, plot.width(),
                                metrics.height()), Qt.AlignmentFlag.AlignLeft, y_label)


@dataclass
class ChartRow(Chart):
    """Charts side by side, as one object in the text flow (a row never splits across pages)."""

    items: list[Chart] = field(default_factory=list)
    gap: float = 14.0

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        x = rect.left()
        for chart in self.items:
            chart.paint(painter, QRectF(x, rect.top(), chart.width, rect.height()))
            x += chart.width + self.gap


def nice_edges(top: float, bins: int = 10) -> list[float]:
    """Bin edges from 0 in round steps (1, 2, 2.5 or 5 × 10ⁿ) covering `top` in about `bins` bins."""
    step = nice_max(max(top, 1e-9) / bins)
    count = max(1, math.ceil(top / step))
    return [i * step for i in range(count + 1)]


FORECAST = QColor("#d97706")
BASELINE = QColor("#64748b")


@dataclass
class ForecastChart(Chart):
    """Monthly history (solid) running into the forecast (dashed) inside its interval (band), with
    the naive seasonal forecast (dotted) beside it; without a forecast, the straight-line trend
    through the history (dashed). Labels name the first month, the last actual one and the last
    forecast one."""

    months: list[str] = field(default_factory=list)  # history months, then the forecast months
    history: list[float] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)  # the forecast months; empty: too little history
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    trend: tuple[float, float] | None = None  # (value at the first month, change per month)
    legend: dict[str, str] = field(default_factory=dict)  # history, forecast, interval, baseline, trend
    empty_text: str = ""

    def _series(self) -> list[tuple[str, QPen]]:
        solid = QPen(ACCENT, 1.4)
        dashed = QPen(FORECAST, 1.4, Qt.PenStyle.DashLine)
        dotted = QPen(BASELINE, 1.4, Qt.PenStyle.DotLine)
        trend = QPen(MUTED, 1.1, Qt.PenStyle.DashLine)
        shown = [("history", solid)]
        if self.mean:
            shown += [("forecast", dashed), ("interval", QPen(Qt.PenStyle.NoPen))]
        if self.baseline:
            shown.append(("baseline", dotted))
        if self.trend is not None and not self.mean:
            shown.append(("trend", trend))
        return [(key, pen) for key, pen in shown if self.legend.get(key)]

    def plot(self, painter: QPainter, area: QRectF) -> None:
        font = self.small(6.5)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        line = metrics.height()
        if not self.history:
            painter.setPen(MUTED)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
            return
        # The legend, wrapped onto a second line when the chart is narrow.
        x, y = area.left(), area.top()
        band = QColor(FORECAST)
        band.setAlphaF(0.18)
        for key, pen in self._series():
            text = self.legend[key]
            width = line * 1.4 + metrics.horizontalAdvance(text) + line * 0.8
            if x + width > area.right() and x > area.left():
                x, y = area.left(), y + line * 1.1
            swatch = QRectF(x, y + line * 0.2, line * 1.1, line * 0.6)
            if key == "interval":
                painter.fillRect(swatch, band)
            else:
                painter.setPen(pen)
                painter.drawLine(QPointF(swatch.left(), swatch.center().y()), QPointF(swatch.right(), swatch.center().y()))
            painter.setPen(MUTED)
            painter.drawText(QPointF(x + line * 1.4, y + metrics.ascent()), text)
            x += width
        top = y + line * 1.4
        ahead = max(len(self.mean), len(self.baseline))
        values = [*self.history, *self.mean, *self.upper, *self.baseline]
        if self.trend is not None and not self.mean:
            start, slope = self.trend
            values += [start + slope * (len(self.history) - 1 + ahead)]
        top_value = nice_max(max(max(values), 0.0))
        left = area.left() + metrics.horizontalAdvance(short_number(top_value)) + 6
        plot = QRectF(left, top + line * 0.3, area.right() - left - 4, area.bottom() - top - line * 1.7)
        _axes(painter, plot, top_value, metrics, "")
        n = len(self.history) + ahead
        step = plot.width() / max(1, n - 1)

        def point(i: float, value: float) -> QPointF:
            return QPointF(plot.left() + i * step, plot.bottom() - plot.height() * max(value, 0.0) / top_value)

        last = len(self.history) - 1
        if ahead:  # where the forecast starts
            painter.setPen(QPen(GRID, 0.8, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(point(last, 0).x(), plot.top()), QPointF(point(last, 0).x(), plot.bottom()))
        if self.mean:
            path = QPainterPath(point(last, self.history[-1]))
            for i, value in enumerate(self.upper):
                path.lineTo(point(last + 1 + i, value))
            for i, value in reversed(list(enumerate(self.lower))):
                path.lineTo(point(last + 1 + i, value))
            path.closeSubpath()
            painter.fillPath(path, band)
        pens = dict(self._series())
        for key, series in (("baseline", self.baseline), ("forecast", self.mean)):
            if series and key in pens:
                painter.setPen(pens[key])
                points = [point(last, self.history[-1])] + [point(last + 1 + i, v) for i, v in enumerate(series)]
                for a, b in zip(points, points[1:]):
                    painter.drawLine(a, b)
        if "trend" in pens:
            start, slope = self.trend
            painter.setPen(pens["trend"])
            painter.drawLine(point(0, start), point(n - 1, start + slope * (n - 1)))
        painter.setPen(QPen(ACCENT, 1.4))
        points = [point(i, v) for i, v in enumerate(self.history)]
        for a, b in zip(points, points[1:]):
            painter.drawLine(a, b)
        painter.setPen(MUTED)
        marks = [(0, Qt.AlignmentFlag.AlignLeft), (last, Qt.AlignmentFlag.AlignHCenter if ahead else Qt.AlignmentFlag.AlignRight)]
        if ahead:
            marks.append((n - 1, Qt.AlignmentFlag.AlignRight))
        taken = []
        for i, align in marks:
            text = self.months[i] if i < len(self.months) else ""
            width = metrics.horizontalAdvance(text) + 4
            x = point(i, 0).x()
            box = QRectF(x, plot.bottom() + 2, width, line) if align == Qt.AlignmentFlag.AlignLeft else \
                QRectF(x - width, plot.bottom() + 2, width, line) if align == Qt.AlignmentFlag.AlignRight else \
                QRectF(x - width / 2, plot.bottom() + 2, width, line)
            if any(box.intersects(other) for other in taken):
                continue  # a short history: the labels would overlap
            taken.append(box)
            painter.drawText(box, align, text)
