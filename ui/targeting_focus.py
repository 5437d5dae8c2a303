"""The seller's own focus on the Targeting page: the categories and countries to concentrate on
(a row in step 1, two lists of ticks taken from the plan's scope), and a margin per category (a
small table behind "Margin per category…" next to the overall margin). Both only collect
choices; the page feeds them to `make_plan` through its debounced re-run."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDoubleSpinBox, QHBoxLayout, QHeaderView, QListView, QListWidget,
    QListWidgetItem, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from core.i18n import t
from ui import theme
from ui.widgets import button_row, cancel_ok, text_label, tidy_table


class TickList(QListWidget):
    """A wrapping list of checkable entries (a multi-select that stays on screen)."""

    edited = Signal()

    def __init__(self):
        super().__init__()
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(2)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFixedHeight(62)
        self.itemChanged.connect(lambda _item: self.edited.emit())

    MAX_LINES = 4  # more lines of entries scroll inside the list

    def fit_height(self) -> None:
        """As tall as its lines of entries at its width (up to MAX_LINES): no line half shown."""
        if not self.count():
            return
        line = self.visualItemRect(self.item(0)).height() + 2 * self.spacing()
        tops = {self.visualItemRect(self.item(i)).top() for i in range(self.count())}
        lines = min(max(len(tops), 1), self.MAX_LINES)
        height = lines * line + 2 * self.frameWidth() + 2
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self.fit_height)  # after the entries have wrapped to the new width

    def set_entries(self, entries: list[tuple[str, str]], checked: list[str]) -> None:
        """`entries` are (value, text shown); `checked` the values ticked. No signal is sent."""
        self.blockSignals(True)
        self.clear()
        for value, text in entries:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)
        QTimer.singleShot(0, self.fit_height)

    def values(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())]

    def checked(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, values: list[str]) -> None:
        """Tick exactly `values` (as the user would; one `edited` signal)."""
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in values
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self.edited.emit()


class FocusRow(QWidget):
    """Step 1's "Focus" row: categories and countries to concentrate on. Nothing ticked: the
    core categories and markets (80 % of net sales) as before."""

    edited = Signal()

    def __init__(self):
        super().__init__()
        self.title = text_label("fieldCaption")
        self.hint = text_label("cutsCaption", wrap=True)
        self.categories_label, self.markets_label = text_label("fieldCaption"), text_label("fieldCaption")
        self.categories, self.markets = TickList(), TickList()
        self.categories.edited.connect(self.edited)
        self.markets.edited.connect(self.edited)
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("linkButton")
        self.clear_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clear_button.clicked.connect(self.clear)
        lists = QHBoxLayout()
        lists.setSpacing(10)
        for label, tick_list in ((self.categories_label, self.categories), (self.markets_label, self.markets)):
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(label)
            column.addWidget(tick_list)
            column.addStretch(1)  # a shorter list stays under its caption when the other is taller
            lists.addLayout(column, 1)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.title)
        top.addWidget(self.hint, 1)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(lists)

    def show_scope(self, scope: dict, focus: dict, country_names: dict[str, str]) -> None:
        """The choices of the plan's scope, the plan's focus ticked (no signal)."""
        self.categories.set_entries([(c["name"], c["name"]) for c in scope.get("categories", [])
                                     if c["name"] not in ("?", "")], focus.get("categories") or [])
        self.markets.set_entries([(c["code"], country_names.get(c["code"], c["code"]))
                                  for c in scope.get("countries", []) if c["code"] not in ("?", "")],
                                 focus.get("markets") or [])
        self.clear_button.setVisible(bool(focus.get("categories") or focus.get("markets")))

    def focus(self) -> dict:
        return {"categories": self.categories.checked(), "markets": self.markets.checked()}

    def clear(self) -> None:
        for tick_list in (self.categories, self.markets):
            tick_list.blockSignals(True)
            tick_list.set_checked([])
            tick_list.blockSignals(False)
        self.edited.emit()

    def retranslate(self) -> None:
        self.title.setText(t("ui.focus.title"))
        self.hint.setText(t("ui.focus.hint"))
        self.categories_label.setText(t("ui.focus.categories"))
        self.markets_label.setText(t("ui.focus.markets"))
        self.clear_button.setText(t("ui.focus.clear"))


class CategoryMarginsDialog(QDialog):
    """Category → % margin. A category left at the overall margin needs no entry of its own;
    `margins()` gives every category's margin (0–1) once accepted, or None for "no margins per
    category" (Clear)."""

    def __init__(self, categories: list[str], margins: dict[str, float] | None, overall: float | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("marginsDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.categories = list(categories)
        self.overall = overall
        self._cleared = False
        self.title = text_label("pageTitle", wrap=True)
        self.intro = text_label("dialogText", wrap=True)
        self.table = QTableWidget(len(self.categories), 2)
        tidy_table(self.table, row_height=32)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(1, 120)
        self.spins: dict[str, QDoubleSpinBox] = {}
        default = round((overall or 0) * 100)
        for row, category in enumerate(self.categories):
            self.table.setItem(row, 0, QTableWidgetItem(category))
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 95.0)
            spin.setDecimals(0)
            spin.setSingleStep(5.0)
            spin.setSuffix(" %")
            value = (margins or {}).get(category)
            spin.setValue(round(value * 100) if value is not None else default)
            self.table.setCellWidget(row, 1, spin)
            self.spins[category] = spin
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear)
        self.cancel_button, self.ok_button = cancel_ok(self)
        buttons = button_row(self.clear_button, right=(self.cancel_button, self.ok_button))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(460, min(640, 200 + 32 * len(self.categories)))
        self.retranslate()

    def set_margin(self, category: str, percent: float) -> None:
        self.spins[category].setValue(percent)

    def clear(self) -> None:
        """No margins per category: the overall margin counts for everything."""
        self._cleared = True
        self.accept()

    def margins(self) -> dict[str, float] | None:
        if self._cleared:
            return None
        return {category: spin.value() / 100 for category, spin in self.spins.items()}

    def retranslate(self) -> None:
        self.setWindowTitle(t("ui.focus.margins_window_title"))
        self.title.setText(t("ui.focus.margins_title"))
        overall = f"{round(self.overall * 100)}" if self.overall else "0"
        self.intro.setText(t("ui.focus.margins_intro", overall=overall))
        self.table.setHorizontalHeaderLabels([t("ui.focus.margins_col_category"), t("ui.focus.margins_col_margin")])
        self.clear_button.setText(t("ui.focus.margins_clear"))
        self.cancel_button.setText(t("ui.options.cancel"))
        self.ok_button.setText(t("ui.options.ok"))
