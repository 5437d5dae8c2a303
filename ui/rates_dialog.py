"""Exchange rates… : the reporting currency and, for each other currency of the files, what one
unit is worth in it and the day the rate was taken. Nothing is fetched: the seller types the
rates (pre-filled with the last ones entered) and every page and the report name them."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from core.currency import Conversion, rate_text, rebased
from core.errors import InputError
from core.i18n import t
from core.segment_options import parse_rate
from ui import theme
from ui.widgets import button_row, cancel_ok, text_label, tidy_table


class RatesDialog(QDialog):
    """One row per currency other than the reporting one; OK only when every rate reads as a
    number above 0. `conversion()` is the answer once accepted; None after "Keep apart"."""

    def __init__(self, currencies: list[str], current: Conversion | None, last: Conversion | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ratesDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.currencies = list(currencies)
        self.known = current or last  # what pre-fills the rows, in whatever base it was entered
        self._apart = False
        self.title = text_label("pageTitle", wrap=True)
        self.intro = text_label("dialogText", wrap=True)
        self.base_label = QLabel()
        self.base_combo = QComboBox()
        self.base_combo.addItems(self.currencies)
        start = current.base if current and current.base in self.currencies else self.currencies[0]
        self.base_combo.setCurrentText(start)
        base_row = QHBoxLayout()
        base_row.addWidget(self.base_label)
        base_row.addWidget(self.base_combo)
        base_row.addStretch(1)
        self.table = QTableWidget(0, 3)
        tidy_table(self.table, row_height=34)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        # The date box is a cell widget, which ResizeToContents does not measure.
        self.table.setColumnWidth(2, QDateEdit().sizeHint().width() + 36)
        self.edits: dict[str, QLineEdit] = {}
        self.dates: dict[str, QDateEdit] = {}
        self._rows_base = start
        self.error = text_label("errorText", wrap=True)
        self.error.hide()
        self.apart_button = QPushButton()
        self.apart_button.clicked.connect(self.keep_apart)
        self.apart_button.setVisible(current is not None)
        self.cancel_button, self.ok_button = cancel_ok(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(base_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(button_row(self.apart_button, right=(self.cancel_button, self.ok_button)))
        self.base_combo.currentTextChanged.connect(self._fill_rows)
        self._fill_rows()
        self.resize(560, min(560, 260 + 34 * len(self.currencies)))
        self.retranslate()

    # Rows ------------------------------------------------------------------------------------
    def base(self) -> str:
        return self.base_combo.currentText()

    def _fill_rows(self) -> None:
        """One row per other currency, pre-filled with the known rates re-expressed in the base."""
        typed = self._typed()
        if typed is not None and typed.base != self.base():  # the base changed: carry what was typed over
            self.known, typed = typed, None
        known = rebased(self.known, self.base()) if self.known else None
        others = [c for c in self.currencies if c != self.base()]
        self.table.setRowCount(len(others))
        self.edits, self.dates = {}, {}
        for row, currency in enumerate(others):
            item = QTableWidgetItem(currency)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, 0, item)
            edit = QLineEdit()
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            edit.textChanged.connect(self._check)
            day = QDateEdit()
            day.setCalendarPopup(True)
            day.setDisplayFormat("yyyy-MM-dd")
            day.setMaximumDate(QDate.currentDate())
            day.setDate(QDate.currentDate())
            if known and currency in known.rates:
                edit.setText(rate_text(known.rates[currency]))
                if currency in known.dates:
                    day.setDate(QDate.fromString(known.dates[currency], "yyyy-MM-dd"))
            self.table.setCellWidget(row, 1, edit)
            self.table.setCellWidget(row, 2, day)
            self.edits[currency], self.dates[currency] = edit, day
        self._rows_base = self.base()
        self._retranslate_rows()
        self._check()

    def _typed(self) -> Conversion | None:
        """The rates typed so far (the readable ones), in the base the rows were made for."""
        rates, days = {}, {}
        for currency, edit in self.edits.items():
            try:
                rates[currency] = parse_rate(edit.text(), currency, self._rows_base)
            except InputError:
                continue
            days[currency] = self.dates[currency].date().toString("yyyy-MM-dd")
        return Conversion(self._rows_base, rates, days) if rates else None

    def set_rate(self, currency: str, text: str, day: str | None = None) -> None:
        self.edits[currency].setText(text)
        if day:
            self.dates[currency].setDate(QDate.fromString(day, "yyyy-MM-dd"))

    def _problems(self) -> list[str]:
        out = []
        for currency, edit in self.edits.items():
            try:
                parse_rate(edit.text(), currency, self.base())
            except InputError as error:
                out.append(error.problem.message())
        return out

    def _check(self) -> None:
        problems = self._problems()
        typed = [e for e in self.edits.values() if e.text().strip()]
        # An empty row is not an error yet, only not done; a typed wrong value says why.
        shown = [p for p, e in zip(problems, self.edits.values()) if e.text().strip()] if problems else []
        self.error.setText("\n".join(shown))
        self.error.setVisible(bool(shown))
        self.ok_button.setEnabled(not problems and len(typed) == len(self.edits))

    # Answers ---------------------------------------------------------------------------------
    def keep_apart(self) -> None:
        """No conversion: each currency stays its own shop."""
        self._apart = True
        self.accept()

    def conversion(self) -> Conversion | None:
        if self._apart or self._problems():
            return None
        return Conversion(self.base(),
                          {c: parse_rate(e.text(), c, self.base()) for c, e in self.edits.items()},
                          {c: d.date().toString("yyyy-MM-dd") for c, d in self.dates.items()})

    def retranslate(self) -> None:
        self.setWindowTitle(t("ui.rates.window_title"))
        self.title.setText(t("ui.rates.title"))
        self.intro.setText(t("ui.rates.intro", currencies=", ".join(self.currencies)))
        self.base_label.setText(t("ui.rates.base"))
        self.apart_button.setText(t("ui.rates.keep_apart"))
        self.cancel_button.setText(t("ui.options.cancel"))
        self.ok_button.setText(t("ui.rates.use"))
        self._retranslate_rows()

    def _retranslate_rows(self) -> None:
        self.table.setHorizontalHeaderLabels([t("ui.rates.col_currency"),
                                              t("ui.rates.col_rate", base=self.base()), t("ui.rates.col_date")])
        for currency, edit in self.edits.items():
            edit.setPlaceholderText(t("ui.rates.placeholder", currency=currency, base=self.base()))
            edit.setToolTip(t("ui.rates.rate_tip", currency=currency, base=self.base()))
