"""Charts of the Trends page drawn with QPainter: the demand forecast and the segment migration matrix."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ui.charts import GRID, MUTED, TEXT, CellGrid, _font
from ui.report.charts import nice_max, short_number
from ui.theme import ACCENT

HISTORY = QColor("#1e3a8a")
FORECAST = QColor(ACCENT)
BASELINE = QColor("#d97706")
UP = QColor("#059669")
DOWN = QColor("#dc2626")


@dataclass
class ForecastChartData:
    """One series: `labels` name every month (history first, then the forecast months); `mean`,
    `lower`, `upper` and `baseline` cover the forecast months (mean and band may be empty)."""

    labels: list[str]
    history: list[float]
    mean: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    legend: dict[str, str] = field(default_factory=dict)  # history, forecast, interval, baseline -> text
    tips: list[str] = field(default_factory=list)  # per month, for hovering
    empty_text: str = ""


class ForecastChart(QWidget):
    """History as a solid line, the forecast dashed inside its shaded prediction interval, the
    naive seasonal baseline as a dotted line with dots; a legend above, months below."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.data: ForecastChartData | None = None
        self._slots: list[QRectF] = []
        self.setMouseTracking(True)
        self.setMinimumSize(420, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, data: ForecastChartData | None) -> None:
        self.data = data
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, 360)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        data = self.data
        self._slots = []
        font = _font(self, -1)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        if data is None or not data.history:
            painter.setPen(MUTED)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, data.empty_text if data else "")
            return
        line = metrics.height()
        legend_bottom = self._paint_legend(painter, metrics)
        values = data.history + data.mean + data.upper + data.baseline
        # About four round steps up to just above the highest value: no half-empty plot.
        peak = max(max(values, default=0.0), 1e-9)
        step = nice_max(peak / 4)
        ticks = [step * i for i in range(math.ceil(peak * 1.02 / step) + 1)]
        top = ticks[-1]
        left = max(metrics.horizontalAdvance(short_number(v)) for v in ticks) + 12
        plot = QRectF(left, legend_bottom + line * 0.8, self.width() - left - 16,
                      self.height() - legend_bottom - line * 0.8 - line - 10)
        if plot.height() < 40 or plot.width() < 60:
            return
        count = len(data.labels)
        step = plot.width() / max(count - 1, 1)

        def x(i: int) -> float:
            return plot.left() + i * step

        def y(v: float) -> float:
            return plot.bottom() - plot.height() * max(v, 0.0) / top

        # Grid and y axis
        for value in ticks:
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(plot.left(), y(value)), QPointF(plot.right(), y(value)))
            painter.setPen(MUTED)
            painter.drawText(QRectF(0, y(value) - line / 2, left - 6, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, short_number(value))
        history = len(data.history)
        if data.mean:  # the future half is shaded lightly, so "from here on it is a forecast" reads at once
            future = QRectF(x(history - 1), plot.top(), plot.right() - x(history - 1), plot.height())
            painter.fillRect(future, QColor("#f8fafc"))
            painter.setPen(QPen(GRID, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x(history - 1), plot.top()), QPointF(x(history - 1), plot.bottom()))
        # Interval band, starting at the last known month
        if data.upper and data.lower:
            band = QPolygonF([QPointF(x(history - 1), y(data.history[-1]))]
                             + [QPointF(x(history + i), y(v)) for i, v in enumerate(data.upper)]
                             + [QPointF(x(history + i), y(v)) for i, v in reversed(list(enumerate(data.lower)))])
            fill = QColor(FORECAST)
            fill.setAlphaF(0.16)
            path = QPainterPath()
            path.addPolygon(band)
            painter.fillPath(path, fill)
        # History
        painter.setPen(QPen(HISTORY, 2.2))
        points = [QPointF(x(i), y(v)) for i, v in enumerate(data.history)]
        for a, b in zip(points, points[1:]):
            painter.drawLine(a, b)
        if len(points) == 1:
            painter.drawEllipse(points[0], 2.5, 2.5)
        # Baseline: dots joined by a dotted line
        if data.baseline:
            base = [QPointF(x(history + i), y(v)) for i, v in enumerate(data.baseline)]
            painter.setPen(QPen(BASELINE, 1.6, Qt.PenStyle.DotLine))
            for a, b in zip(base, base[1:]):
                painter.drawLine(a, b)
            painter.setPen(QPen(BASELINE, 1.2))
            painter.setBrush(QColor("#ffffff"))
            for p in base:
                painter.drawEllipse(p, 3.0, 3.0)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        # Forecast, joined to the last known month
        if data.mean:
            painter.setPen(QPen(FORECAST, 2.2, Qt.PenStyle.DashLine))
            ahead = [points[-1]] + [QPointF(x(history + i), y(v)) for i, v in enumerate(data.mean)]
            for a, b in zip(ahead, ahead[1:]):
                painter.drawLine(a, b)
        # Axis and month labels, thinned so that they never overlap; the last one always shows
        painter.setPen(QPen(MUTED, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        widest = max(metrics.horizontalAdvance(label) for label in data.labels) + 12
        every = max(1, math.ceil(widest / max(step, 1)))
        free_until = self.width() + 1.0
        for i in range(count - 1, -1, -every):
            left_edge = min(max(0.0, x(i) - widest / 2), self.width() - widest)
            if left_edge + widest > free_until:
                continue
            painter.drawText(QRectF(left_edge, plot.bottom() + 4, widest, line),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, data.labels[i])
            free_until = left_edge
        self._slots = [QRectF(x(i) - step / 2, plot.top(), step, plot.height()) for i in range(count)]

    def _paint_legend(self, painter: QPainter, metrics: QFontMetrics) -> float:
        """The legend in one line (two when narrow); returns its bottom."""
        data = self.data
        entries = [(key, text) for key, text in data.legend.items()
                   if text and (key == "history" or (key in ("forecast", "interval") and data.mean)
                                or (key == "baseline" and data.baseline))]
        line = metrics.height()
        x, y = 4.0, 2.0
        for key, text in entries:
            width = 26 + metrics.horizontalAdvance(text) + 18
            if x + width > self.width() and x > 4:
                x, y = 4.0, y + line + 4
            sample = QRectF(x, y + line / 2 - 5, 20, 10)
            if key == "interval":
                fill = QColor(FORECAST)
                fill.setAlphaF(0.16)
                painter.fillRect(sample, fill)
            else:
                colour, style, width_px = {"history": (HISTORY, Qt.PenStyle.SolidLine, 2.2),
                                           "forecast": (FORECAST, Qt.PenStyle.DashLine, 2.2),
                                           "baseline": (BASELINE, Qt.PenStyle.DotLine, 1.6)}[key]
                painter.setPen(QPen(colour, width_px, style))
                painter.drawLine(QPointF(sample.left(), sample.center().y()), QPointF(sample.right(), sample.center().y()))
                if key == "baseline":
                    painter.setPen(QPen(BASELINE, 1.2))
                    painter.setBrush(QColor("#ffffff"))
                    painter.drawEllipse(sample.center(), 3.0, 3.0)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(TEXT)
            painter.drawText(QRectF(x + 26, y, width - 26, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text)
            x += width
        return y + line

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.data is not None and self.data.tips:
            for i, rect in enumerate(self._slots):
                if rect.contains(event.position()) and i < len(self.data.tips):
                    QToolTip.showText(event.globalPosition().toPoint(), self.data.tips[i], self)
                    return
        QToolTip.hideText()


@dataclass
class MigrationData:
    """Rows: segment at the earlier date (first row: not yet a customer); columns: segment at the
    later date. `direction` per cell: 1 moved up, 0 stayed, −1 slipped."""

    rows: list[str]
    columns: list[str]
    counts: list[list[int]]
    texts: list[list[str]]  # what each cell says (count, then money on a second line)
    direction: list[list[int]]
    tips: list[list[str]] = field(default_factory=list)
    corner: str = ""  # above the row names: "from ↓ / to →"


class MigrationMatrix(CellGrid):
    """The from → to matrix: cells shaded by their number of customers, green for a move up, red
    for a slip, blue for staying; column names wrap onto up to three lines."""

    ROW_HEIGHT = 40

    def set_data(self, data: MigrationData | None) -> None:
        self.data = data
        self._fit_height()
        self.update()

    def _fit_height(self) -> None:
        # A fixed height, not just a hint: inside a scrolling page the layout would squeeze a hint.
        height = self.sizeHint().height()
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def _label_width(self) -> float:
        metrics = QFontMetrics(_font(self, -1))
        names = [*(self.data.rows if self.data else []), self.data.corner if self.data else ""]
        widest = max((metrics.horizontalAdvance(n) for n in names), default=0) + 14
        return min(widest, self.width() * 0.24)

    def _column_width(self) -> float:
        return max(30.0, super()._column_width())

    def _header_height(self) -> int:
        metrics = QFontMetrics(_font(self, -1, bold=True))
        if self.data is None:
            return metrics.height() + 8
        width = int(self._column_width()) - 6
        lines = max((metrics.boundingRect(0, 0, max(width, 10), 1000, Qt.TextFlag.TextWordWrap, name).height()
                     for name in self.data.columns), default=metrics.height())
        return min(lines, metrics.height() * 3) + 10

    def sizeHint(self) -> QSize:
        rows = len(self.data.rows) if self.data else 0
        return QSize(760, self._header_height() + max(rows, 1) * self.ROW_HEIGHT + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(420, self.sizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()  # wrapped column names may need another line at this width

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._compute_rects()
        data = self.data
        if data is None or not self._cells:
            return
        left, top = self._label_width(), self._header_height()
        header_font, row_font = _font(self, -1, bold=True), _font(self, -1)
        count_font, money_font = _font(self, -1, bold=True), _font(self, -2)
        painter.setFont(header_font)
        painter.setPen(TEXT)
        for c, name in enumerate(data.columns):
            rect = self._cells[(0, c)]
            painter.drawText(QRectF(rect.left() + 3, 0, rect.width() - 6, top - 6),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap,
                             name)
        painter.setFont(row_font)
        metrics = QFontMetrics(row_font)
        painter.setPen(MUTED)
        painter.drawText(QRectF(0, 0, left - 8, top - 6), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                         metrics.elidedText(data.corner, Qt.TextElideMode.ElideRight, int(left - 8)))
        painter.setPen(TEXT)
        for r, name in enumerate(data.rows):
            rect = self._cells[(r, 0)]
            painter.drawText(QRectF(0, rect.top(), left - 8, rect.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(left - 8)))
        peak = max((max(row) for row in data.counts), default=0) or 1
        for (r, c), rect in self._cells.items():
            count = data.counts[r][c]
            painter.fillRect(rect, QColor("#ffffff"))
            if count:
                colour = QColor({1: UP, -1: DOWN}.get(data.direction[r][c], FORECAST))
                strength = math.sqrt(count / peak)
                colour.setAlphaF(0.08 + 0.8 * strength)
                painter.fillRect(rect, colour)
            painter.setPen(QPen(GRID, 1))
            painter.drawRect(rect)
            if not count:
                continue
            dark = math.sqrt(count / peak) > 0.55
            lines = data.texts[r][c].split("\n")
            half = rect.height() / 2
            painter.setPen(QColor("#ffffff") if dark else TEXT)
            painter.setFont(count_font)
            if len(lines) == 1:
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, lines[0])
                continue
            painter.drawText(QRectF(rect.left(), rect.top() + 2, rect.width(), half - 1),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, lines[0])
            painter.setFont(money_font)
            painter.setPen(QColor("#eef2ff") if dark else MUTED)
            small = QFontMetrics(money_font)
            painter.drawText(QRectF(rect.left() + 1, rect.top() + half, rect.width() - 2, half - 2),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             small.elidedText(lines[1], Qt.TextElideMode.ElideRight, int(rect.width() - 4)))
