"""Small charts drawn with QPainter: bar charts and the R × F segment heatmap.

They take plain Python data (lists, tuples), never DataFrames: the numbers are computed on a
pool thread, these widgets only paint them. Text is drawn with the widget font, which carries
the CJK fallback families of ui.theme, so Chinese labels render without extra set-up.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from core.i18n import format_text
from ui.theme import ACCENT
from ui.widgets import two_lines

TEXT = QColor("#111827")
MUTED = QColor("#6b7280")
GRID = QColor("#e5e7eb")
BAR = QColor(ACCENT)
BAR_SOFT = QColor("#93b4f5")


def _font(widget: QWidget, point_delta: float = 0.0, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    if point_delta:
        font.setPointSizeF(max(6.0, font.pointSizeF() + point_delta))
    font.setBold(bold)
    return font


@dataclass
class Bar:
    label: str
    value: float
    text: str = ""  # the value as shown; empty: no value text
    tooltip: str = ""


class BarChart(QWidget):
    """A titled bar chart: horizontal (a label per row) or vertical (a label per column,
    thinned out so that labels never overlap). `highlight` is drawn in the accent colour,
    the others softer when a highlight is set."""

    def __init__(self, vertical: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.vertical = vertical
        self.title = ""
        self.empty_text = ""
        self.bars: list[Bar] = []
        self.highlight: int | None = None
        self._bar_rects: list[QRectF] = []
        self.setMouseTracking(True)
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, title: str, bars: list[Bar], empty_text: str = "",
                 highlight: int | None = None) -> None:
        self.title, self.bars, self.empty_text, self.highlight = title, list(bars), empty_text, highlight
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 200)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        title_font = _font(self, 0, bold=True)
        painter.setFont(title_font)
        painter.setPen(TEXT)
        title_height = QFontMetrics(title_font).height()
        title_rect = QRectF(2, 0, self.width() - 4, title_height)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(title_font).elidedText(self.title, Qt.TextElideMode.ElideRight,
                                                             int(title_rect.width())))
        area = QRectF(2, title_height + 6, self.width() - 4, self.height() - title_height - 8)
        painter.setFont(_font(self, -1))
        self._bar_rects = []
        if not self.bars or area.height() < 20:
            painter.setPen(MUTED)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        if self.vertical:
            self._paint_vertical(painter, area)
        else:
            self._paint_horizontal(painter, area)

    def _colour(self, index: int) -> QColor:
        if self.highlight is None or index == self.highlight:
            return BAR
        return BAR_SOFT

    def _paint_horizontal(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        row_height = min(22.0, area.height() / len(self.bars))
        label_width = min(area.width() * 0.5, max(metrics.horizontalAdvance(b.label) for b in self.bars) + 16)
        value_width = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 8
        bar_space = max(10.0, area.width() - label_width - value_width)
        top = max((b.value for b in self.bars), default=0) or 1
        for i, bar in enumerate(self.bars):
            y = area.top() + i * row_height
            label_rect = QRectF(area.left(), y, label_width - 8, row_height)
            painter.setPen(TEXT)
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_rect.width())))
            length = max(1.0, bar_space * max(bar.value, 0) / top)
            rect = QRectF(area.left() + label_width, y + row_height * 0.18, length, row_height * 0.64)
            painter.fillRect(rect, self._colour(i))
            self._bar_rects.append(QRectF(area.left(), y, area.width(), row_height))
            painter.setPen(MUTED)
            painter.drawText(QRectF(rect.right() + 4, y, value_width, row_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, bar.text)

    def _paint_vertical(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        label_height = metrics.height() + 4
        value_height = metrics.height() + 2
        plot = QRectF(area.left(), area.top() + value_height, area.width(),
                      area.height() - label_height - value_height)
        count = len(self.bars)
        slot = plot.width() / count
        top = max((b.value for b in self.bars), default=0) or 1
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        widest = max(metrics.horizontalAdvance(b.label) for b in self.bars) + 8
        step = max(1, math.ceil(widest / slot))  # every step-th label fits without overlap
        free_until = area.right() + 1  # labels are placed from the right end; none overlaps the next
        values_fit = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 2 <= slot
        for i, bar in enumerate(self.bars):
            x = plot.left() + i * slot
            height = plot.height() * max(bar.value, 0) / top
            rect = QRectF(x + slot * 0.15, plot.bottom() - height, max(1.0, slot * 0.7), height)
            painter.fillRect(rect, self._colour(i))
            self._bar_rects.append(QRectF(x, plot.top(), slot, plot.height() + label_height))
            if bar.text and (values_fit or i == self.highlight):
                painter.setPen(TEXT if i == self.highlight else MUTED)
                # Over its bar, but never past either end of the chart (the latest month is last).
                width = metrics.horizontalAdvance(bar.text) + 4
                left = min(max(area.left(), x + slot / 2 - width / 2), area.right() - width)
                text_rect = QRectF(left, rect.top() - value_height, width, value_height)
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, bar.text)
        for i in range(count - 1, -1, -step):  # the latest label (the right end) always shows
            x = plot.left() + i * slot
            left = min(max(area.left(), x + slot / 2 - widest / 2), area.right() - widest)
            if left + widest > free_until:
                continue
            painter.setPen(MUTED)
            painter.drawText(QRectF(left, plot.bottom() + 2, widest, label_height),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self.bars[i].label)
            free_until = left

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        for rect, bar in zip(self._bar_rects, self.bars):
            if rect.contains(event.position()):
                tip = bar.tooltip or f"{bar.label}: {bar.text}"
                QToolTip.showText(event.globalPosition().toPoint(), tip, self)
                return
        QToolTip.hideText()


@dataclass
class HeatmapData:
    """A 5 × 5 grid, row 0 is score 5 of the row axis (top), column 0 score 1 of the column axis."""

    counts: list[list[int]]
    segments: list[list[str]]  # segment id per cell
    names: dict[str, str] = field(default_factory=dict)  # segment id -> display name
    totals: dict[str, int] = field(default_factory=dict)  # segment id -> customers
    order: list[str] = field(default_factory=list)  # legend order
    row_axis: str = "R"
    column_axis: str = "F"


class SegmentHeatmap(QWidget):
    """Cells coloured by their number of customers, labelled with it, outlined by segment.

    Each segment has a number (its place in the legend) shown in the corner of its cells; hover
    names the segment; a click on a cell emits `cell_clicked(r, c)` with the 1…5 scores, a click
    on a legend entry `segment_clicked(id)`.
    """

    cell_clicked = Signal(int, int)
    segment_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.data: HeatmapData | None = None
        self.selected_cell: tuple[int, int] | None = None
        self.selected_segment: str | None = None
        self.tooltip_format = "{segment}\n{row} {r} · {column} {c}: {count}"
        self._cells: dict[tuple[int, int], QRectF] = {}
        self._legend: dict[str, QRectF] = {}
        self.setMouseTracking(True)
        self.setMinimumSize(380, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, data: HeatmapData | None) -> None:
        self.data = data
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 280)

    def cell_rect(self, r: int, c: int) -> QRectF:
        """Where the cell of scores (r, c) is drawn (for tests and hit testing)."""
        return self._cells[(r, c)]

    def legend_rect(self, segment: str) -> QRectF:
        return self._legend[segment]

    def _layout(self) -> tuple[QRectF, QRectF]:
        metrics = QFontMetrics(_font(self, -1))
        axis = metrics.height() + 6
        legend_width = min(max(180.0, self.width() * 0.42), 260.0)
        side = max(20.0, min((self.width() - legend_width - 2 * axis - 20) / 5, (self.height() - 2 * axis - 4) / 5))
        grid = QRectF(2 * axis + 4, 2, side * 5, side * 5)
        legend = QRectF(grid.right() + 14, 2, self.width() - grid.right() - 16, self.height() - 4)
        return grid, legend

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._compute_rects()

    def _compute_rects(self) -> None:
        if self.data is None:
            self._cells, self._legend = {}, {}
            return
        grid, legend = self._layout()
        side = grid.width() / 5
        self._cells = {(5 - i, j + 1): QRectF(grid.left() + j * side, grid.top() + i * side, side, side)
                       for i in range(5) for j in range(5)}
        row_height = min(22.0, legend.height() / max(len(self.data.order), 1))
        self._legend = {seg: QRectF(legend.left(), legend.top() + i * row_height, legend.width(), row_height)
                        for i, seg in enumerate(self.data.order)}

    def paintEvent(self, _event) -> None:
        if self.data is None:
            return
        self._compute_rects()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        data = self.data
        peak = max((max(row) for row in data.counts), default=0) or 1
        number = {seg: i + 1 for i, seg in enumerate(data.order)}
        count_font, small_font, badge_font = _font(self, 0, bold=True), _font(self, -2), _font(self, -3)
        for (r, c), rect in self._cells.items():
            count = data.counts[5 - r][c - 1]
            strength = math.sqrt(count / peak) if count else 0.0
            fill = QColor(ACCENT)
            fill.setAlphaF(0.06 + 0.84 * strength if count else 0.0)
            painter.fillRect(rect, QColor("#ffffff"))
            painter.fillRect(rect, fill)
            painter.setPen(QPen(GRID, 1))
            painter.drawRect(rect)
            painter.setFont(count_font)
            painter.setPen(QColor("#ffffff") if strength > 0.55 else TEXT)
            badge_height = QFontMetrics(badge_font).height()
            painter.drawText(rect.adjusted(0, badge_height * 0.6, 0, 0), Qt.AlignmentFlag.AlignCenter, f"{count:,}")
            seg = data.segments[5 - r][c - 1]
            painter.setFont(badge_font)
            painter.setPen(QColor("#e0e7ff") if strength > 0.55 else MUTED)
            painter.drawText(rect.adjusted(3, 1, -2, -2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             str(number.get(seg, "")))
        # Segment outlines: a thick line wherever two neighbouring cells belong to different segments.
        painter.setPen(QPen(TEXT, 2.2))
        grid, _legend = self._layout()
        side = grid.width() / 5
        for i in range(5):
            for j in range(5):
                x, y = grid.left() + j * side, grid.top() + i * side
                if j < 4 and data.segments[i][j] != data.segments[i][j + 1]:
                    painter.drawLine(QPointF(x + side, y), QPointF(x + side, y + side))
                if i < 4 and data.segments[i][j] != data.segments[i + 1][j]:
                    painter.drawLine(QPointF(x, y + side), QPointF(x + side, y + side))
        painter.drawRect(grid)
        selected = self.selected_cell
        for (r, c), rect in self._cells.items():
            seg = data.segments[5 - r][c - 1]
            if (r, c) == selected or (selected is None and seg == self.selected_segment):
                painter.setPen(QPen(QColor("#f59e0b"), 3))
                painter.drawRect(rect.adjusted(2, 2, -2, -2))
        # Axes: scores and the axis names.
        painter.setFont(small_font)
        painter.setPen(MUTED)
        for k in range(1, 6):
            rect = self._cells[(k, 1)]
            painter.drawText(QRectF(grid.left() - 16, rect.top(), 14, rect.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(k))
        label_height = QFontMetrics(small_font).height() + 2
        for k in range(1, 6):
            rect = self._cells[(1, k)]
            painter.drawText(QRectF(rect.left(), grid.bottom() + 2, rect.width(), label_height),
                             Qt.AlignmentFlag.AlignCenter, str(k))
        painter.setFont(_font(self, -1, bold=True))
        painter.setPen(TEXT)
        painter.drawText(QRectF(grid.left(), grid.bottom() + 2 + label_height, grid.width(), label_height + 2),
                         Qt.AlignmentFlag.AlignCenter, data.column_axis)
        painter.save()
        painter.translate(9, grid.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-grid.height() / 2, -8, grid.height(), 16), Qt.AlignmentFlag.AlignCenter,
                         data.row_axis)
        painter.restore()
        self._paint_legend(painter, number)

    def _paint_legend(self, painter: QPainter, number: dict[str, int]) -> None:
        data = self.data
        font = _font(self, -1)
        metrics = QFontMetrics(font)
        for seg, rect in self._legend.items():
            chosen = seg == self.selected_segment
            painter.setFont(_font(self, -1, bold=chosen))
            painter.setPen(MUTED)
            painter.drawText(QRectF(rect.left(), rect.top(), 22, rect.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{number[seg]}")
            count = f"{data.totals.get(seg, 0):,}"
            count_width = metrics.horizontalAdvance(count) + 4
            painter.setPen(TEXT)
            name_rect = QRectF(rect.left() + 30, rect.top(), rect.width() - 34 - count_width, rect.height())
            painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(data.names.get(seg, seg), Qt.TextElideMode.ElideRight,
                                                int(name_rect.width())))
            painter.setPen(MUTED)
            painter.drawText(QRectF(rect.right() - count_width, rect.top(), count_width, rect.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count)

    def _hit(self, position: QPointF) -> tuple[str, object] | None:
        for cell, rect in self._cells.items():
            if rect.contains(position):
                return "cell", cell
        for seg, rect in self._legend.items():
            if rect.contains(position):
                return "segment", seg
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self._hit(event.position()) if self.data else None
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)
        if hit is None:
            QToolTip.hideText()
            return
        kind, what = hit
        if kind == "cell":
            r, c = what
            seg = self.data.segments[5 - r][c - 1]
            tip = format_text(self.tooltip_format, dict(
                segment=self.data.names.get(seg, seg), row=self.data.row_axis, column=self.data.column_axis,
                r=r, c=c, count=f"{self.data.counts[5 - r][c - 1]:,}"))
        else:
            tip = self.data.names.get(what, what)
        QToolTip.showText(event.globalPosition().toPoint(), tip, self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.data is None:
            return
        hit = self._hit(event.position())
        if hit is None:
            return
        kind, what = hit
        if kind == "cell":
            self.cell_clicked.emit(*what)
        else:
            self.segment_clicked.emit(what)


@dataclass
class MatrixData:
    """A table of shaded cells: rows (e.g. target segments) × columns (e.g. categories).

    `shades` are 0–1 (the cell's share of its row), `texts` what each cell says, `highlight` the
    (row, column) cells outlined (what a target-market pattern covers)."""

    rows: list[str]
    columns: list[str]
    texts: list[list[str]]
    shades: list[list[float]]
    tips: list[list[str]] = field(default_factory=list)
    highlight: set[tuple[int, int]] = field(default_factory=set)
    empty_text: str = ""
    muted: set[int] = field(default_factory=set)  # columns shaded grey (e.g. "none of these")


HIGHLIGHT = QColor("#f59e0b")


class CellGrid(QWidget):
    """A grid of cells: row names on the left, column names on top; hovering a cell shows its
    tooltip (`data.tips`). Subclasses size the names and header and paint the cells."""

    ROW_HEIGHT = 34

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.data = None  # the subclass's data: rows, columns, tips and what it paints
        self._cells: dict[tuple[int, int], QRectF] = {}
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def _label_width(self) -> float:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def _header_height(self) -> int:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def _column_width(self) -> float:
        columns = len(self.data.columns) if self.data and self.data.columns else 1
        return (self.width() - self._label_width() - 4) / columns

    def cell_rect(self, row: int, column: int) -> QRectF:
        """Where cell (row, column) is drawn (for tests and hit testing)."""
        self._compute_rects()
        return self._cells[(row, column)]

    def _compute_rects(self) -> None:
        self._cells = {}
        data = self.data
        if data is None or not data.rows or not data.columns:
            return
        left, top, width = self._label_width(), self._header_height(), self._column_width()
        for r in range(len(data.rows)):
            for c in range(len(data.columns)):
                self._cells[(r, c)] = QRectF(left + c * width, top + r * self.ROW_HEIGHT, width, self.ROW_HEIGHT)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.data is not None and self.data.tips:
            for (r, c), rect in self._cells.items():
                if rect.contains(event.position()):
                    QToolTip.showText(event.globalPosition().toPoint(), self.data.tips[r][c], self)
                    return
        QToolTip.hideText()


class MatrixHeatmap(CellGrid):
    """Row names on the left, column names on top, one shaded cell per row and column; the
    highlighted cells get a thick amber outline. Hover shows the cell's tooltip."""

    def set_data(self, data: MatrixData | None) -> None:
        self.data = data
        self.updateGeometry()
        self.update()

    def _header_lines(self) -> list[list[str]]:
        """Each column's name on one line, or on two (all of them) when one does not fit its column."""
        if self.data is None or not self.data.columns:
            return []
        metrics, room = QFontMetrics(_font(self, -1, bold=True)), self._column_width() - 4
        if all(metrics.horizontalAdvance(name) <= room for name in self.data.columns):
            return [[name] for name in self.data.columns]
        return [two_lines(name).split("\n") for name in self.data.columns]

    def _header_height(self) -> int:
        lines = max((len(lines) for lines in self._header_lines()), default=1)
        return QFontMetrics(_font(self, -1, bold=True)).height() * lines + 10

    def sizeHint(self) -> QSize:
        rows = len(self.data.rows) if self.data else 0
        return QSize(560, self._header_height() + max(rows, 1) * self.ROW_HEIGHT + 6)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.updateGeometry()  # the column names may need one line more, or one less

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        top = self._header_height()
        if self.data is not None and event.position().y() < top:  # a column's name: in full
            for (r, c), rect in self._cells.items():
                if r == 0 and rect.left() <= event.position().x() < rect.right():
                    QToolTip.showText(event.globalPosition().toPoint(), self.data.columns[c], self)
                    return
        super().mouseMoveEvent(event)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, self.sizeHint().height())

    def _label_width(self) -> float:
        metrics = QFontMetrics(_font(self, 0))
        widest = max((metrics.horizontalAdvance(name) for name in self.data.rows), default=0) + 16
        return min(widest, self.width() * 0.3)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        data = self.data
        self._compute_rects()
        if data is None or not self._cells:
            painter.setPen(MUTED)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, data.empty_text if data else "")
            return
        left, top = self._label_width(), self._header_height()
        header_font, row_font, cell_font = _font(self, -1, bold=True), _font(self, 0), _font(self, -1)
        painter.setFont(header_font)
        painter.setPen(TEXT)
        metrics = QFontMetrics(header_font)
        for c, lines in enumerate(self._header_lines()):
            rect = self._cells[(0, c)]
            box = QRectF(rect.left() + 2, 0, rect.width() - 4, top - 4)
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                             "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(box.width()))
                                       for line in lines))
        painter.setFont(row_font)
        row_metrics = QFontMetrics(row_font)
        for r, name in enumerate(data.rows):
            rect = self._cells[(r, 0)]
            box = QRectF(0, rect.top(), left - 10, rect.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             row_metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(box.width())))
        painter.setFont(cell_font)
        for (r, c), rect in self._cells.items():
            shade = max(0.0, min(1.0, data.shades[r][c]))
            strength = math.sqrt(shade)
            fill = QColor(MUTED if c in data.muted else ACCENT)
            fill.setAlphaF((0.05 + 0.85 * strength) * (0.6 if c in data.muted else 1.0) if shade > 0 else 0.0)
            painter.fillRect(rect, QColor("#ffffff"))
            painter.fillRect(rect, fill)
            painter.setPen(QPen(GRID, 1))
            painter.drawRect(rect)
            painter.setPen(QColor("#ffffff") if strength > 0.6 and c not in data.muted else TEXT)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, data.texts[r][c])
        painter.setPen(QPen(HIGHLIGHT, 3))
        for cell in data.highlight:
            if cell in self._cells:
                painter.drawRect(self._cells[cell].adjusted(2, 2, -2, -2))
