"""Segment options: the analysis choices the command line has (analysis date, own RFM thresholds,
cn8 high/low limits, value tier shares, exchange rates typed or from a rate table file), as one
small dialog of the Segments page.

`SegmentOptions` is what the user chose (plain values, nothing chosen = the data's defaults);
`kwargs()` is the form `core.segments.segment` and `make_plan` take. `SegmentOptionsDialog` edits
a copy and says why OK is off while an entry is wrong — checked by core.segment_options, the
functions `segment --cuts/--split/--shares/--rates` use, so both refuse the same values with the
same words; `OptionsCaption` is the one line under the page's controls that tells which options
are in force, with a way back to the defaults.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from core import segment_options as checks
from core.errors import InputError
from core.i18n import language, t
from ui import theme
from ui.widgets import cancel_ok, text_label

AXES = checks.AXES
DEFAULT_SHARES = (0.2, 0.3, 0.5)
MIN_CUTS, MAX_CUTS = checks.MIN_CUTS, checks.MAX_CUTS


def number_text(value: float) -> str:
    """12 → "12", 12.5 → "12.5" (no thousands separators: the text goes back into a line edit)."""
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"


def refusal(error: InputError) -> str:
    """A check's refusal in the current language."""
    return error.problem.message(language())


def suggested_cuts(axis: str, used: dict | None) -> list[float] | None:
    """The cut points an axis is scored with now, as thresholds one may start editing from
    (distinct, ascending; None when they would not pass the check)."""
    if not used or axis not in used:
        return None
    try:
        return checks.check_cuts(axis, sorted(set(float(c) for c in used[axis]["cuts"])))
    except InputError:
        return None


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
    rates_file: str | None = None  # the rate table file `rates` were read from, if any

    def is_default(self) -> bool:
        return not self.kwargs()

    def as_json(self) -> dict:
        """The options as settings keep them (see ui.settings): plain JSON values."""
        return {"analysis_date": self.analysis_date.isoformat() if self.analysis_date else None,
                "cuts": {axis: list(values) for axis, values in self.cuts.items()},
                "high_low": dict(self.high_low), "shares": list(self.shares) if self.shares else None,
                "base": self.base, "rates": dict(self.rates), "rates_file": self.rates_file}

    @classmethod
    def from_json(cls, data: object) -> "SegmentOptions":
        """Options saved by `as_json`, each part checked as typed ones are; a part that does not
        pass (a hand-edited or damaged settings file) is left at its default, never a crash."""
        options = cls()
        if not isinstance(data, dict):
            return options
        try:
            options.analysis_date = dt.date.fromisoformat(data["analysis_date"]) if data.get("analysis_date") else None
        except (TypeError, ValueError):
            pass
        for axis, values in (data.get("cuts") or {}).items():
            try:
                options.cuts[axis] = checks.check_cuts(axis, list(values))
            except (InputError, TypeError):
                continue
        for axis, value in (data.get("high_low") or {}).items():
            try:
                if axis in AXES:
                    options.high_low[axis] = checks.check_high_low(axis, value)
            except InputError:
                continue
        try:
            options.shares = checks.check_shares(data["shares"]) if data.get("shares") else None
        except (InputError, TypeError):
            options.shares = None
        rates, base = data.get("rates"), data.get("base")
        if isinstance(rates, dict) and rates and isinstance(base, str) and len(base) == 3:
            clean = {str(c): float(r) for c, r in rates.items()
                     if isinstance(r, (int, float)) and not isinstance(r, bool) and r > 0}
            if len(clean) == len(rates):
                options.rates, options.base = clean, base
                options.rates_file = data.get("rates_file") if isinstance(data.get("rates_file"), str) else None
        return options

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
            if self.rates_file:
                rates = t("ui.options.caption_rates_file", rates=rates, file=Path(self.rates_file).name)
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
    order), `currencies` the currencies its paid orders are in, `main` the main one, `used` the
    cut points the segments on screen were scored with (shown beside each axis; ticking an axis
    starts from them)."""

    validity_changed = Signal(bool)

    def __init__(self, options: SegmentOptions, default_date: dt.date, currencies: list[str],
                 main: str = "", parent: QWidget | None = None, used: dict | None = None):
        super().__init__(parent)
        self.setObjectName("optionsDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.default_date = default_date
        self.currencies = list(currencies)
        self.main = main if main in self.currencies else (self.currencies[0] if self.currencies else "")
        self.used = used or {}
        self.error = ""
        self.rates_file: str | None = None  # the rate table file the rates shown came from
        self.rates_file_error = ""  # why the chosen rate table file cannot be used
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
        self.cut_now: dict[str, QLabel] = {}  # the cut points the segments on screen use
        cuts_grid = QGridLayout()
        cuts_grid.setHorizontalSpacing(10)
        cuts_grid.setVerticalSpacing(4)
        for row, axis in enumerate(AXES):
            check, edit, unit = QCheckBox(), QLineEdit(), text_label("dialogNote")
            now = text_label("dialogNote", wrap=True)  # money cut points are long: wrap, never cut
            edit.setMinimumWidth(200)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda on, axis=axis: self._axis_ticked(axis, on))
            edit.textChanged.connect(self._update_state)
            edit.setEnabled(False)
            cuts_grid.addWidget(check, row, 0)
            cuts_grid.addWidget(edit, row, 1)
            cuts_grid.addWidget(unit, row, 2)
            cuts_grid.addWidget(now, row, 3)
            self.cut_checks[axis], self.cut_edits[axis], self.cut_units[axis] = check, edit, unit
            self.cut_now[axis] = now
        cuts_grid.setColumnStretch(3, 1)

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
            edit.textEdited.connect(self._rate_typed)
            edit.textChanged.connect(self._update_state)
            self.rates_grid.addWidget(label, row, 0)
            self.rates_grid.addWidget(edit, row, 1)
            self.rates_grid.addWidget(unit, row, 2)
            self.rate_labels[currency], self.rate_edits[currency], self.rate_units[currency] = label, edit, unit
        self.rates_grid.setColumnStretch(3, 1)
        # A rate table file, as `segment --rates FILE` reads it: it fills the base and the rates.
        self.rates_file_button = QPushButton()
        self.rates_file_button.clicked.connect(lambda _checked=False: self.choose_rates_file())
        self.rates_file_note = text_label("dialogNote", wrap=True)
        rates_file_row = QHBoxLayout()
        rates_file_row.setSpacing(8)
        rates_file_row.addWidget(self.rates_file_button)
        rates_file_row.addWidget(self.rates_file_note, 1)
        self.rates_box = QWidget()
        rates_layout = QVBoxLayout(self.rates_box)
        rates_layout.setContentsMargins(0, 0, 0, 0)
        rates_layout.setSpacing(6)
        rates_layout.addWidget(self.rates_title)
        rates_layout.addWidget(self.rates_caption)
        rates_layout.addLayout(base_row)
        rates_layout.addLayout(self.rates_grid)
        rates_layout.addLayout(rates_file_row)
        self.rates_box.setVisible(len(self.currencies) > 1)

        # Status and buttons
        self.status = text_label("mappingStatus", wrap=True)
        self.defaults_button = QPushButton()
        self.defaults_button.clicked.connect(self.reset_all)
        self.cancel_button, self.ok_button = cancel_ok(self, self.accept_if_valid)
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
        self.rates_file, self.rates_file_error = (options.rates_file if options.rates else None), ""
        self._base_changed()

    def _axis_ticked(self, axis: str, on: bool) -> None:
        """Ticking an axis with an empty box starts from the cut points in use (edit from there)."""
        edit = self.cut_edits[axis]
        if on and not edit.text().strip():
            start = suggested_cuts(axis, self.used)
            if start:
                edit.setText(", ".join(number_text(v) for v in start))
        self._update_state()

    def choose_rates_file(self, path: str | None = None) -> bool:
        """Read a rate table file (asked for when `path` is None) as `segment --rates` does: its
        base and rates fill the boxes; a file that cannot be used says why and changes nothing."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, t("ui.options.rates_file_title"), "",
                                                  t("ui.options.rates_file_filter"))
            if not path:
                return False
        try:
            rates, base = checks.read_rates(path)
        except InputError as error:
            self.rates_file_error = refusal(error)
            self._show_rates_file()
            self._update_state()
            return False
        if self.base_combo.findData(base) < 0:  # converted into a currency the data does not hold
            self.base_combo.addItem(base, base)
        self.base_combo.setCurrentIndex(self.base_combo.findData(base))
        for currency, edit in self.rate_edits.items():
            value = rates.get(currency)
            edit.setText(number_text(value) if value is not None else "")
        self.rates_file, self.rates_file_error = str(path), ""
        self._base_changed()
        return True

    def _rate_typed(self, _text: str) -> None:
        """A rate typed by hand: the rates no longer are the file's."""
        self.rates_file = None

    def _show_rates_file(self) -> None:
        if self.rates_file_error:
            text = self.rates_file_error
        elif self.rates_file:
            text = t("ui.options.rates_file_used", file=Path(self.rates_file).name)
        else:
            text = t("ui.options.rates_file_note")
        self.rates_file_note.setText(text)
        self.rates_file_note.setProperty("state", "error" if self.rates_file_error else "")
        self.rates_file_note.style().unpolish(self.rates_file_note)
        self.rates_file_note.style().polish(self.rates_file_note)

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
        """What keeps OK disabled, as texts in the current language (none: OK is enabled). The
        checks are the command line's (core.segment_options)."""
        out = []
        for axis in AXES:
            if self.cut_checks[axis].isChecked():
                try:
                    checks.parse_axis_cuts(axis, self.cut_edits[axis].text())
                except InputError as error:
                    out.append(refusal(error))
        for axis in AXES:
            text = self.high_low_edits[axis].text().strip()
            if text:
                try:
                    checks.parse_axis_high_low(axis, text)
                except InputError as error:
                    out.append(refusal(error))
        try:
            checks.check_shares(self.shares())
        except InputError as error:
            out.append(refusal(error))
        if self.rates_file_error:
            out.append(self.rates_file_error)
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

    def shares(self) -> tuple[float, ...]:
        return tuple(spin.value() / 100 for spin in self.share_spins)

    def other_currencies(self) -> list[str]:
        base = self.base_combo.currentData()
        return [c for c in self.currencies if c != base] if len(self.currencies) > 1 else []

    def options(self) -> SegmentOptions:
        """What the dialog shows, as options (only meaningful while `is_valid()`)."""
        date = self.date_edit.date().toPython()
        cuts = {}
        for axis in AXES:
            if self.cut_checks[axis].isChecked():
                try:
                    cuts[axis] = checks.parse_axis_cuts(axis, self.cut_edits[axis].text())
                except InputError:
                    continue
        high_low = {}
        for axis in AXES:
            try:
                high_low[axis] = checks.parse_axis_high_low(axis, self.high_low_edits[axis].text())
            except InputError:
                continue  # blank: the mean
        shares = self.shares()
        rates = {c: value for c in self.other_currencies()
                 if (value := parse_number(self.rate_edits[c].text())) is not None}
        complete = bool(rates) and len(rates) == len(self.other_currencies())
        return SegmentOptions(
            analysis_date=None if date == self.default_date else date, cuts=cuts, high_low=high_low,
            shares=None if shares == DEFAULT_SHARES else shares,
            base=self.base_combo.currentData() if complete else None, rates=rates if complete else {},
            rates_file=self.rates_file if complete else None)

    def accept_if_valid(self) -> None:
        if self.is_valid():
            self.accept()

    def _update_state(self, *_args) -> None:
        self._show_rates_file()
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
            used = self.used.get(axis)
            self.cut_now[axis].setText(t(f"ui.options.cuts_now_{used['method']}", cuts=" / ".join(
                number_text(c) for c in sorted(set(used["cuts"])))) if used and used.get("cuts") else "")
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
        self.rates_file_button.setText(t("ui.options.rates_file_button"))
        self.rates_file_button.setToolTip(t("ui.options.rates_file_tip"))
        self._show_rates_file()
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
