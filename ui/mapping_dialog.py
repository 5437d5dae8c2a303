"""Column mapping for one export no profile knows: say which column holds what, then import."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from core.i18n import t
from core.importing.mapping import (MAPPABLE_FIELDS, REQUIRED_FIELDS, MappingSuggestion,
                                    check_mapping, mapping_text, profile_from_columns,
                                    save_user_mapping)
from ui import theme
from ui.widgets import text_label, tidy_table
from ui.worker import Job

SAMPLES_SHOWN = 3
DECIMALS = ("auto", ".", ",")  # the choices of the decimal mark combo, in order
_DECIMAL_KEYS = {"auto": "ui.mapping.decimal_auto", ".": "ui.mapping.decimal_point",
                 ",": "ui.mapping.decimal_comma"}


def read_suggestion(path: str, progress) -> MappingSuggestion:
    """Pool thread: the header, a few rows and a proposed mapping (reads only the file's start)."""
    from core.importing.mapping import suggest_mapping

    progress.check_cancelled()
    return suggest_mapping(path)


def sample_text(rows: list[list[Any]], column: int, count: int = SAMPLES_SHOWN) -> str:
    """Up to `count` different non-empty values of one column, for a glance at what it holds."""
    values: list[str] = []
    for row in rows:
        value = row[column] if column < len(row) else None
        text = "" if value is None else str(value).strip()
        if text and text not in values:
            values.append(text)
        if len(values) == count:
            break
    return " · ".join(values)


class ColumnMappingDialog(QDialog):
    """One file's columns, each with a combo box for the canonical field it holds.

    Give `suggestion` when it is at hand; otherwise the dialog reads it in the background and
    emits `ready` once the table is filled (or the file could not be read). After `accepted`,
    `profile()` is the mapping to import with; `saved_path` is set when the user chose to save
    it as a profile of their own (every later import then recognises the file by itself).
    """

    ready = Signal()

    def __init__(self, path, parent: QWidget | None = None,
                 suggestion: MappingSuggestion | None = None):
        super().__init__(parent)
        self.setObjectName("mappingDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.path = Path(path)
        self.suggestion: MappingSuggestion | None = None
        self.saved_path: Path | None = None
        self.read_error = ""
        self._read_problem = None
        self.save_error = ""
        self.combos: list[QComboBox] = []
        self._moved: tuple[str, str] | None = None  # (field, column it was taken from)
        self._build()
        self.retranslate()
        self.resize(860, 600)
        if suggestion is not None:
            self.show_suggestion(suggestion)
        else:
            self._job = (Job(read_suggestion, str(self.path))
                         .on_success(self.show_suggestion).on_failure(self._read_failed)
                         .start(self, "suggest"))

    # Building --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = text_label("pageTitle", wrap=True)
        self.closest = text_label("pageSubtitle", wrap=True)
        self.intro = text_label("dialogText", wrap=True)

        self.table = QTableWidget(0, 3)
        tidy_table(self.table, row_height=40)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, 200)
        self.table.setColumnWidth(2, 270)

        self.shop_label, self.currency_label, self.decimal_label = QLabel(), QLabel(), QLabel()
        self.shop_edit = QLineEdit(self.path.stem)
        self.shop_edit.textChanged.connect(self._update_state)
        self.currency_edit = QLineEdit()
        self.currency_edit.setMaxLength(3)
        self.currency_edit.setMaximumWidth(140)
        self.currency_edit.setValidator(QRegularExpressionValidator(r"[A-Za-z]{0,3}", self))
        self.currency_edit.textChanged.connect(self._currency_changed)
        self.decimal_combo = QComboBox()
        for decimal in DECIMALS:
            self.decimal_combo.addItem("", decimal)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.addRow(self.shop_label, self.shop_edit)
        form.addRow(self.currency_label, self.currency_edit)
        form.addRow(self.decimal_label, self.decimal_combo)
        self.shop_edit.setMaximumWidth(360)
        self.decimal_combo.setMaximumWidth(360)

        self.note = text_label("dialogNote", wrap=True)
        self.note.hide()
        self.status = text_label("mappingStatus", wrap=True)

        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(lambda: self.finish(save=True))
        self.import_button = QPushButton()
        self.import_button.setObjectName("primary")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(lambda: self.finish(save=False))
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.closest)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addWidget(self.table, 1)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addSpacing(4)
        layout.addWidget(self.note)
        layout.addLayout(buttons)

    def _field_combo(self, field: str | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem("", "")
        for name in MAPPABLE_FIELDS:
            combo.addItem("", name)
        combo.setMaxVisibleItems(len(MAPPABLE_FIELDS) + 1)
        self._name_fields(combo)
        combo.setCurrentIndex(max(0, combo.findData(field or "")))
        return combo

    @staticmethod
    def _name_fields(combo: QComboBox) -> None:
        for index in range(combo.count()):
            field = combo.itemData(index)
            if not field:
                combo.setItemText(index, t("ui.mapping.not_used"))
            elif field in REQUIRED_FIELDS:
                combo.setItemText(index, t("ui.mapping.required_field", field=t(f"fields.{field}")))
            else:
                combo.setItemText(index, t(f"fields.{field}"))

    # Language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        name = self.path.name
        self.setWindowTitle(t("ui.mapping.window_title", file=name))
        self.title.setText(t("ui.mapping.title", file=name))
        self.intro.setText(t("ui.mapping.intro"))
        self.table.setHorizontalHeaderLabels(
            [t(f"ui.mapping.{key}") for key in ("column", "samples", "field")])
        self.shop_label.setText(t("ui.mapping.shop"))
        self.shop_edit.setToolTip(t("ui.mapping.shop_tip"))
        self.currency_label.setText(t("ui.mapping.currency"))
        self.currency_edit.setPlaceholderText(t("ui.mapping.currency_placeholder"))
        self.currency_edit.setToolTip(t("ui.mapping.currency_tip"))
        self.decimal_label.setText(t("ui.mapping.decimal"))
        for index, decimal in enumerate(DECIMALS):
            self.decimal_combo.setItemText(index, t(_DECIMAL_KEYS[decimal]))
        for combo in self.combos:
            self._name_fields(combo)
        self.cancel_button.setText(t("ui.mapping.cancel"))
        self.save_button.setText(t("ui.mapping.save_and_import"))
        self.import_button.setText(t("ui.mapping.import"))
        self._show_closest()
        self._update_state()

    def _show_closest(self) -> None:
        closest = self.suggestion.closest if self.suggestion is not None else None
        if self.suggestion is None:
            self.closest.setText("")
        elif closest is None:
            self.closest.setText(t("ui.mapping.closest_none"))
        else:
            self.closest.setText(t("ui.mapping.closest",
                                   profile=f"{closest.platform} – {closest.report}"))

    # Filling ---------------------------------------------------------------------------------
    def show_suggestion(self, suggestion: MappingSuggestion) -> None:
        self.suggestion = suggestion
        self.read_error = ""
        self.combos = []
        self.table.setRowCount(len(suggestion.header))
        for row, column in enumerate(suggestion.header):
            name = QTableWidgetItem(column)
            name.setToolTip(column)
            font = name.font()
            font.setBold(True)
            name.setFont(font)
            self.table.setItem(row, 0, name)
            samples = sample_text(suggestion.rows, row)
            item = QTableWidgetItem(samples)
            item.setToolTip(samples)
            item.setForeground(Qt.GlobalColor.darkGray)
            self.table.setItem(row, 1, item)
            combo = self._field_combo(suggestion.columns.get(column))
            combo.currentIndexChanged.connect(lambda _index, row=row: self._field_chosen(row))
            holder = QWidget()  # a little air around the combo inside its cell
            holder_layout = QHBoxLayout(holder)
            holder_layout.setContentsMargins(6, 3, 8, 3)
            holder_layout.addWidget(combo)
            self.table.setCellWidget(row, 2, holder)
            self.combos.append(combo)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, min(max(self.table.columnWidth(0) + 16, 160), 300))
        self._show_closest()
        self._update_state()
        # Start where work is left: the first column without a field.
        first_open = next((c for c in self.combos if not c.currentData()), None)
        if first_open is not None:
            first_open.setFocus()
        self.ready.emit()

    def _read_failed(self, error: BaseException) -> None:
        self._read_problem = getattr(error, "problem", None)  # rendered in the current language
        self.read_error = str(error) or type(error).__name__
        self._update_state()
        self.ready.emit()

    # Choosing --------------------------------------------------------------------------------
    def _field_chosen(self, row: int) -> None:
        """A field belongs to one column: choosing it here takes it away from the other one."""
        field = self.combos[row].currentData()
        self._moved = None
        self.save_error = ""
        if field:
            for other, combo in enumerate(self.combos):
                if other != row and combo.currentData() == field:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
                    self._moved = (field, self.suggestion.header[other])
        self._update_state()

    def choose(self, column: str, field: str | None) -> None:
        """Set the field of a source column, as the user would with its combo box."""
        combo = self.combos[self.suggestion.header.index(column)]
        combo.setCurrentIndex(max(0, combo.findData(field or "")))

    def _currency_changed(self, text: str) -> None:
        if text != text.upper():
            position = self.currency_edit.cursorPosition()
            self.currency_edit.setText(text.upper())
            self.currency_edit.setCursorPosition(position)
            return  # setText calls back with the upper-case text
        self._update_state()

    # Reading the choices ---------------------------------------------------------------------
    def columns(self) -> dict[str, str]:
        """Source column → canonical field, for the columns that are used."""
        if self.suggestion is None:
            return {}
        return {column: combo.currentData() for column, combo in zip(self.suggestion.header, self.combos)
                if combo.currentData()}

    def shop_name(self) -> str:
        return self.shop_edit.text().strip() or self.path.stem

    def currency(self) -> str:
        return self.currency_edit.text().strip().upper()

    def decimal(self) -> str:
        return self.decimal_combo.currentData()

    def missing_fields(self) -> list[str]:
        return check_mapping(self.columns())

    def can_import(self) -> bool:
        currency = self.currency()
        return (self.suggestion is not None and not self.missing_fields()
                and (not currency or len(currency) == 3))

    def profile(self):
        """The mapping as an import profile (for `import_files(..., mapping=profile)`)."""
        return profile_from_columns(self.columns(), self.path, platform=self.shop_name(),
                                    decimal=self.decimal(), currency=self.currency())

    def mapping_file_text(self) -> str:
        decimal = self.decimal()
        return mapping_text(self.columns(), platform=self.shop_name(),
                            decimal="" if decimal == "auto" else decimal, currency=self.currency())

    # Status line -----------------------------------------------------------------------------
    def _update_state(self) -> None:
        if self.read_error:
            error = self._read_problem.message() if self._read_problem else self.read_error
            state, text = "error", t("ui.mapping.read_failed", error=error)
        elif self.suggestion is None:
            state, text = "busy", t("ui.mapping.reading", file=self.path.name)
        elif self.save_error:
            state, text = "error", t("ui.mapping.save_failed", error=self.save_error)
        elif missing := self.missing_fields():
            names = t("ui.mapping.list_separator").join(t(f"fields.{f}") for f in missing)
            state, text = "missing", t("ui.mapping.missing", fields=names)
        elif not self.can_import():
            state, text = "missing", t("ui.mapping.bad_currency")
        else:
            state, text = "ready", t("ui.mapping.ready")
        self.status.setText(text)
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        if self._moved is not None:
            field, column = self._moved
            self.note.setText(t("ui.mapping.moved", field=t(f"fields.{field}"), column=column))
        self.note.setVisible(self._moved is not None)
        enabled = self.can_import()
        self.import_button.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self.save_button.setToolTip(t("ui.mapping.save_tip", name=self.shop_name()))

    # Finishing -------------------------------------------------------------------------------
    def finish(self, save: bool) -> None:
        """Import (and first save the mapping as a profile of the user's own, if asked)."""
        if not self.can_import():
            return
        self.save_error = ""
        if save:
            try:
                self.saved_path = save_user_mapping(self.shop_name(), self.mapping_file_text())
            except OSError as error:
                self.save_error = str(error) or type(error).__name__
                self._update_state()
                return
        self.accept()
