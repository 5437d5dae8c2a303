"""Segment options: the analysis choices the command line has (analysis date, own RFM thresholds,
cn8 high/low limits, value tier shares, exchange rates), as one small dialog of the Segments page.

`SegmentOptions` is what the user chose (plain values, nothing chosen = the data's defaults);
`kwargs()` is the form `core.segments.segment` and `make_plan` take. `SegmentOptionsDialog` edits
a copy and says why OK is off while an entry is wrong; `OptionsCaption` is the one line under
the page's controls that tells which options are in force, with a way back to the defaults.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSpinBox, QVBoxLayout, QWidget,
)

from core.i18n import t
from ui import theme
from ui.widgets import text_label

AXES = ("r", "f", "m")
DEFAULT_SHARES = (0.2, 0.3, 0.5)
MIN_CUTS, MAX_CUTS = 2, 4
_SPLIT = re.compile(r"[,，、;；]")


def number_text(value: float) -> str:
    """12 → "12", 12.5 → "12.5" (no thousands separators: the text goes back into a line edit)."""
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"


def parse_cuts(text: str) -> tuple[list[float] | None, str]:
    """The thresholds typed into one axis box: (ascending numbers, "") or (None, the catalog key
    of what is wrong). Commas (also the Chinese ones) separate the numbers."""
    parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None, "ui.options.error_numbers"
    if any(v != v or v < 0 or v in (float("inf"),) for v in values):
        return None, "ui.options.error_numbers"
    if not MIN_CUTS <= len(values) <= MAX_CUTS:
        return None, "ui.options.error_count"
    if any(b <= a for a, b in zip(values, values[1:])):
        return None, "ui.options.error_order"
    return values, ""


def parse_number(text: str) -> float | None:
    """A number box: None when blank or not a positive number."""
    try:
        value = float(text.strip().replace(",", ""))
    except ValueError:
        return None
    return value if value > 0 and value == value and value != float("inf") else None


@dataclass
class SegmentOptions:
    """The seller's analysis options; every empty field means "the data's default"."""

    analysis_date: dt.date | None = None
    cuts: dict[str, list[float]] = field(default_factory=dict)  # axis -> thresholds
    high_low: dict[str, float] = field(default_factory=dict)  # cn8 axis -> limit
    shares: tuple[float, float, float] | None = None  # value tiers, adding up to 1
    base: str | None = None  # with `rates`: every currency converted to this one
    rates: dict[str, float] = field(default_factory=dict)  # currency -> value of one unit in `base`

    def is_default(self) -> bool:
        return not self.kwargs()

    def kwargs(self) -> dict:
        """The keyword arguments of `core.segments.segment` (only those the user set)."""
        out: dict = {}
        if self.analysis_date is not None:
            out["analysis_date"] = self.analysis_date
        if self.cuts:
            out["custom_cuts"] = {axis: list(values) for axis, values in self.cuts.items()}
        if self.high_low:
            out["high_low"] = dict(self.high_low)
        if self.shares is not None and tuple(self.shares) != DEFAULT_SHARES:
            out["shares"] = tuple(self.shares)
        if self.rates and self.base:
            out["rates"], out["base"] = dict(self.rates), self.base
        return out

    def caption(self, currency: str = "") -> str:
        """One line saying which options are in force ("" when none is)."""
        parts = []
        if self.analysis_date is not None:
            parts.append(t("ui.options.caption_date", date=self.analysis_date.isoformat()))
        if self.cuts:
            axes = []
            for axis in AXES:
                if axis in self.cuts:
                    values = "/".join(number_text(v) for v in self.cuts[axis])
                    axes.append(t(f"ui.options.caption_cuts_{axis}", cuts=values,
                                  currency=self.base if self.rates else currency))
            parts.append(t("ui.options.caption_cuts", axes=t("ui.segments.cuts_separator").join(axes)))
        if self.high_low:
            limits = [t(f"ui.options.caption_high_low_{axis}", value=number_text(self.high_low[axis]))
                      for axis in AXES if axis in self.high_low]
            parts.append(t("ui.options.caption_high_low", limits=t("ui.segments.cuts_separator").join(limits)))
        if "shares" in self.kwargs():
            parts.append(t("ui.options.caption_shares",
                           shares=" / ".join(f"{round(s * 100)}" for s in self.shares)))
        if self.rates and self.base:
            rates = t("ui.segments.cuts_separator").join(
                t("ui.options.caption_rate", currency=c, rate=number_text(r), base=self.base)
                for c, r in sorted(self.rates.items()))
            parts.append(t("ui.options.caption_rates", base=self.base, rates=rates))
        return t("ui.options.caption_separator").join(parts)


class OptionsCaption(QWidget):
    """The line under a page's controls: the options in force and "Back to defaults"; hidden
    while every option is the default."""

    reset_requested = Signal()

    def __init__(self):
        super().__init__()
        self.text = text_label("cutsCaption", wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("linkButton")
        self.reset_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.reset_button.clicked.connect(self.reset_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_options(self, options: SegmentOptions, currency: str = "") -> None:
        text = options.caption(currency)
        self.text.setText(t("ui.options.caption", options=text) if text else "")
        self.reset_button.setText(t("ui.options.back_to_defaults"))
        self.setVisible(bool(text))


def _number_edit(width: int = 120) -> QLineEdit:
    edit = QLineEdit()
    validator = QDoubleValidator(0.0, 1e12, 6)
    validator.setNotation(QDoubleValidator.Notation.StandardNotation)
    edit.setValidator(validator)
    edit.setFixedWidth(width)
    return edit


class SegmentOptionsDialog(QDialog):
    """Edit a copy of `options`: OK (enabled only while every entry is valid) gives `options()`;
    Cancel changes nothing. `default_date` is the data's analysis date (the day after its last
    order), `currencies` the currencies its paid orders are in, `main` the main one."""

    validity_changed = Signal(bool)

    def __init__(self, options: SegmentOptions, default_date: dt.date, currencies: list[str],
                 main: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("optionsDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.default_date = default_date
        self.currencies = list(currencies)
        self.main = main if main in self.currencies else (self.currencies[0] if self.currencies else "")
        self.error = ""
        self._build()
        self.retranslate()
        self.show_options(options)

    # Building --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = text_label("pageTitle", wrap=True)
        self.intro = text_label("dialogText", wrap=True)

        # Analysis date
        self.date_title = text_label("sectionTitle")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMinimumWidth(130)
        self.date_edit.dateChanged.connect(self._update_state)
        self.date_default_button = QPushButton()
        self.date_default_button.setObjectName("linkButton")
        self.date_default_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.date_default_button.clicked.connect(self.reset_date)
        self.date_note = text_label("dialogNote", wrap=True)
        date_row = QHBoxLayout()
        date_row.setSpacing(8)
        date_row.addWidget(self.date_edit)
        date_row.addWidget(self.date_default_button)
        date_row.addWidget(self.date_note, 1)

        # Own RFM thresholds
        self.cuts_title = text_label("sectionTitle")
        self.cuts_caption = text_label("dialogNote", wrap=True)
        self.cut_checks: dict[str, QCheckBox] = {}
        self.cut_edits: dict[str, QLineEdit] = {}
        self.cut_units: dict[str, QLabel] = {}
        cuts_grid = QGridLayout()
        cuts_grid.setHorizontalSpacing(10)
        cuts_grid.setVerticalSpacing(4)
        for row, axis in enumerate(AXES):
            check, edit, unit = QCheckBox(), QLineEdit(), text_label("dialogNote")
            edit.setMinimumWidth(200)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._update_state)
            edit.textChanged.connect(self._update_state)
            edit.setEnabled(False)
            cuts_grid.addWidget(check, row, 0)
            cuts_grid.addWidget(edit, row, 1)
            cuts_grid.addWidget(unit, row, 2)
            self.cut_checks[axis], self.cut_edits[axis], self.cut_units[axis] = check, edit, unit
        cuts_grid.setColumnStretch(2, 1)

        # cn8 high / low
        self.high_low_title = text_label("sectionTitle")
        self.high_low_caption = text_label("dialogNote", wrap=True)
        self.high_low_labels: dict[str, QLabel] = {}
        self.high_low_edits: dict[str, QLineEdit] = {}
        high_low_row = QGridLayout()  # each label above its box: long labels never cut
        high_low_row.setHorizontalSpacing(16)
        high_low_row.setVerticalSpacing(2)
        for column, axis in enumerate(AXES):
            label, edit = text_label("fieldCaption"), _number_edit(150)
            edit.textChanged.connect(self._update_state)
            high_low_row.addWidget(label, 0, column)
            high_low_row.addWidget(edit, 1, column)
            self.high_low_labels[axis], self.high_low_edits[axis] = label, edit
        high_low_row.setColumnStretch(len(AXES), 1)

        # Value tier shares
        self.shares_title = text_label("sectionTitle")
        self.share_labels: list[QLabel] = []
        self.share_spins: list[QSpinBox] = []
        shares_row = QHBoxLayout()
        shares_row.setSpacing(8)
        for _ in range(3):
            label, spin = text_label("fieldCaption"), QSpinBox()
            spin.setRange(1, 98)
            spin.setSuffix(" %")
            spin.setMinimumWidth(80)
            spin.valueChanged.connect(self._update_state)
            shares_row.addWidget(label)
            shares_row.addWidget(spin)
            shares_row.addSpacing(8)
            self.share_labels.append(label)
            self.share_spins.append(spin)
        self.shares_sum = text_label("mappingStatus")
        shares_row.addWidget(self.shares_sum)
        shares_row.addStretch(1)

        # Exchange rates (only when the data has several currencies)
        self.rates_title = text_label("sectionTitle")
        self.rates_caption = text_label("dialogNote", wrap=True)
        self.base_label = text_label("fieldCaption")
        self.base_combo = QComboBox()
        for currency in self.currencies:
            self.base_combo.addItem(currency, currency)
        self.base_combo.currentIndexChanged.connect(self._base_changed)
        base_row = QHBoxLayout()
        base_row.setSpacing(8)
        base_row.addWidget(self.base_label)
        base_row.addWidget(self.base_combo)
        base_row.addStretch(1)
        self.rates_grid = QGridLayout()
        self.rates_grid.setHorizontalSpacing(8)
        self.rates_grid.setVerticalSpacing(4)
        self.rate_labels: dict[str, QLabel] = {}
        self.rate_edits: dict[str, QLineEdit] = {}
        self.rate_units: dict[str, QLabel] = {}
        for row, currency in enumerate(self.currencies):
            label, edit, unit = text_label("fieldCaption"), _number_edit(140), text_label("fieldCaption")
            edit.textChanged.connect(self._update_state)
            self.rates_grid.addWidget(label, row, 0)
            self.rates_grid.addWidget(edit, row, 1)
            self.rates_grid.addWidget(unit, row, 2)
            self.rate_labels[currency], self.rate_edits[currency], self.rate_units[currency] = label, edit, unit
        self.rates_grid.setColumnStretch(3, 1)
        self.rates_box = QWidget()
        rates_layout = QVBoxLayout(self.rates_box)
        rates_layout.setContentsMargins(0, 0, 0, 0)
        rates_layout.setSpacing(6)
        rates_layout.addWidget(self.rates_title)
        rates_layout.addWidget(self.rates_caption)
        rates_layout.addLayout(base_row)
        rates_layout.addLayout(self.rates_grid)
        self.rates_box.setVisible(len(self.currencies) > 1)

        # Status and buttons
        self.status = text_label("mappingStatus", wrap=True)
        self.defaults_button = QPushButton()
        self.defaults_button.clicked.connect(self.reset_all)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton()
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept_if_valid)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        for part in (self.date_title, date_row, self.cuts_title, self.cuts_caption, cuts_grid,
                     self.high_low_title, self.high_low_caption, high_low_row, self.shares_title, shares_row,
                     self.rates_box):
            if isinstance(part, QWidget):
                if part in (self.date_title, self.cuts_title, self.high_low_title, self.shares_title):
                    layout.addSpacing(8)
                layout.addWidget(part)
            else:
                layout.addLayout(part)
        layout.addStretch(1)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        self.rates_box.setContentsMargins(0, 8, 0, 0)
        self.setMinimumWidth(720)
        self.fit_height()

    # Showing ---------------------------------------------------------------------------------
    def fit_height(self) -> None:
        """Tall enough for every wrapped caption at the current width (never squeezed)."""
        width = max(self.width(), self.minimumWidth())
        needed = self.layout().totalHeightForWidth(width) if self.layout().hasHeightForWidth() else 0
        self.setMinimumHeight(max(needed, self.layout().totalMinimumSize().height()))
        self.resize(width, self.minimumHeight())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit_height()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.layout().hasHeightForWidth():
            self.setMinimumHeight(self.layout().totalHeightForWidth(self.width()))

    def show_options(self, options: SegmentOptions) -> None:
        self.date_edit.setDate(_qdate(options.analysis_date or self.default_date))
        for axis in AXES:
            values = options.cuts.get(axis)
            self.cut_checks[axis].setChecked(values is not None)
            self.cut_edits[axis].setText(", ".join(number_text(v) for v in values) if values else "")
        for axis in AXES:
            value = options.high_low.get(axis)
            self.high_low_edits[axis].setText(number_text(value) if value is not None else "")
        for spin, share in zip(self.share_spins, options.shares or DEFAULT_SHARES):
            spin.setValue(round(share * 100))
        if self.currencies:
            base = options.base if options.base in self.currencies else self.main
            self.base_combo.setCurrentIndex(self.base_combo.findData(base))
        for currency, edit in self.rate_edits.items():
            value = options.rates.get(currency)
            edit.setText(number_text(value) if value is not None else "")
        self._base_changed()

    def reset_date(self) -> None:
        self.date_edit.setDate(_qdate(self.default_date))

    def reset_all(self) -> None:
        self.show_options(SegmentOptions())

    def _base_changed(self, *_args) -> None:
        base = self.base_combo.currentData()
        for row, currency in enumerate(self.currencies):
            shown = currency != base
            for widget in (self.rate_labels[currency], self.rate_edits[currency], self.rate_units[currency]):
                widget.setVisible(shown)
        self.retranslate_rates()
        self._update_state()

    # Reading ---------------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """What keeps OK disabled, as texts in the current language (none: OK is enabled)."""
        out = []
        for axis in AXES:
            if self.cut_checks[axis].isChecked():
                _values, key = parse_cuts(self.cut_edits[axis].text())
                if key:
                    out.append(t(key, axis=axis.upper(), low=MIN_CUTS, high=MAX_CUTS))
        for axis in AXES:
            text = self.high_low_edits[axis].text().strip()
            if text and parse_number(text) is None:
                out.append(t("ui.options.error_high_low", axis=axis.upper()))
        total = self.shares_total()
        if total != 100:
            out.append(t("ui.options.error_shares", total=total))
        filled = {c: self.rate_edits[c].text().strip() for c in self.other_currencies()}
        if any(filled.values()):
            missing = [c for c, text in filled.items() if not text]
            bad = [c for c, text in filled.items() if text and parse_number(text) is None]
            if missing:
                out.append(t("ui.options.error_rates_missing", currencies=", ".join(missing)))
            if bad:
                out.append(t("ui.options.error_rates_bad", currencies=", ".join(bad)))
        return out

    def is_valid(self) -> bool:
        return not self.problems()

    def shares_total(self) -> int:
        return sum(spin.value() for spin in self.share_spins)

    def other_currencies(self) -> list[str]:
        base = self.base_combo.currentData()
        return [c for c in self.currencies if c != base] if len(self.currencies) > 1 else []

    def options(self) -> SegmentOptions:
        """What the dialog shows, as options (only meaningful while `is_valid()`)."""
        date = self.date_edit.date().toPython()
        cuts = {}
        for axis in AXES:
            if self.cut_checks[axis].isChecked():
                values, _key = parse_cuts(self.cut_edits[axis].text())
                if values:
                    cuts[axis] = values
        high_low = {axis: value for axis in AXES
                    if (value := parse_number(self.high_low_edits[axis].text())) is not None}
        shares = tuple(spin.value() / 100 for spin in self.share_spins)
        rates = {c: value for c in self.other_currencies()
                 if (value := parse_number(self.rate_edits[c].text())) is not None}
        complete = bool(rates) and len(rates) == len(self.other_currencies())
        return SegmentOptions(
            analysis_date=None if date == self.default_date else date, cuts=cuts, high_low=high_low,
            shares=None if shares == DEFAULT_SHARES else shares,
            base=self.base_combo.currentData() if complete else None, rates=rates if complete else {})

    def accept_if_valid(self) -> None:
        if self.is_valid():
            self.accept()

    def _update_state(self, *_args) -> None:
        problems = self.problems()
        if problems:
            state, text = "error", "\n".join(problems)
        else:
            state, text = "ready", t("ui.options.ready")
        self.status.setText(text)
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        total = self.shares_total()
        self.shares_sum.setText(t("ui.options.shares_sum", total=total))
        self.shares_sum.setProperty("state", "ready" if total == 100 else "error")
        self.shares_sum.style().unpolish(self.shares_sum)
        self.shares_sum.style().polish(self.shares_sum)
        at_default = self.date_edit.date().toPython() == self.default_date
        self.date_default_button.setEnabled(not at_default)
        was, now = self.ok_button.isEnabled(), not problems
        self.ok_button.setEnabled(now)
        if was != now:
            self.validity_changed.emit(now)

    # Language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(t("ui.options.window_title"))
        self.title.setText(t("ui.options.title"))
        self.intro.setText(t("ui.options.intro"))
        self.date_title.setText(t("ui.options.date_title"))
        self.date_default_button.setText(t("ui.options.date_default"))
        self.date_note.setText(t("ui.options.date_note", date=self.default_date.isoformat()))
        self.cuts_title.setText(t("ui.options.cuts_title"))
        self.cuts_caption.setText(t("ui.options.cuts_caption", low=MIN_CUTS, high=MAX_CUTS))
        for axis in AXES:
            self.cut_checks[axis].setText(t(f"ui.options.cuts_check_{axis}"))
            self.cut_edits[axis].setPlaceholderText(t(f"ui.options.cuts_example_{axis}"))
            self.cut_units[axis].setText(t(f"ui.options.cuts_unit_{axis}", currency=self.main))
        self.high_low_title.setText(t("ui.options.high_low_title"))
        self.high_low_caption.setText(t("ui.options.high_low_caption"))
        for axis in AXES:
            self.high_low_labels[axis].setText(t(f"ui.options.high_low_{axis}", currency=self.main))
            self.high_low_edits[axis].setPlaceholderText(t("ui.options.mean"))
        self.shares_title.setText(t("ui.options.shares_title"))
        for i, label in enumerate(self.share_labels):
            label.setText(t(f"ui.options.share_{i}"))
        self.rates_title.setText(t("ui.options.rates_title"))
        self.rates_caption.setText(t("ui.options.rates_caption"))
        self.base_label.setText(t("ui.options.base"))
        self.retranslate_rates()
        self.defaults_button.setText(t("ui.options.all_defaults"))
        self.cancel_button.setText(t("ui.options.cancel"))
        self.ok_button.setText(t("ui.options.ok"))
        self._update_state()

    def retranslate_rates(self) -> None:
        base = self.base_combo.currentData() or ""
        for currency in self.currencies:
            self.rate_labels[currency].setText(t("ui.options.rate_label", currency=currency))
            self.rate_units[currency].setText(base)
            self.rate_edits[currency].setPlaceholderText(t("ui.options.rate_placeholder"))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
