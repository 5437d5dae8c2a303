"""The tag table editor: the interest tags and their evidence rules, checked and saved by core.tags."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFrame, QGridLayout, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem,
    QMessageBox, QPushButton, QScrollArea, QSpacerItem, QSpinBox, QVBoxLayout, QWidget,
)

from core.i18n import t
from ui import theme
from ui.overview_page import plural
from ui.widgets import button_row, text_label

_SPLIT = re.compile(r"[,，、;；]")  # Chinese commas separate words too
LISTS = ("keywords", "keywords_zh", "categories", "note_keywords", "note_keywords_zh")
TEXTS = ("id", "name", "name_zh", "description", "description_zh")
RATIOS = ("price_ratio_min", "price_ratio_max")
UNITS = ("orders", "lines")


def split_words(text: str) -> list[str]:
    """"organic, recycled，竹" → ["organic", "recycled", "竹"]."""
    return [w.strip() for w in _SPLIT.split(text) if w.strip()]


def ratio_value(text: str):
    """A price ratio box: None when blank, the number, or the text as typed (core says what is wrong)."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def number_text(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, (int, float)) else str(value)


class TagTablesDialog(QDialog):
    """The tags in force, one at a time in a form; Save validates them with core.tags.save_tables
    (nothing is written while any problem is left), Reset goes back to the bundled tables.
    `tables_changed` follows a Save or a Reset."""

    tables_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mappingDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.entries: list[dict] = []
        self.bad: set[int] = set()  # entries with a problem at the last Save
        self._loading = False
        self._status = ""  # what the status line says: "", "broken", "problems" or "reset"
        self._build()
        self.load()
        self.retranslate()

    # Building --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = text_label("pageTitle", wrap=True)
        self.intro = text_label("dialogText", wrap=True)

        self.tag_list = QListWidget()
        self.tag_list.setObjectName("segmentList")
        self.tag_list.setFixedWidth(240)
        self.tag_list.currentRowChanged.connect(self._show_entry)
        self.add_button, self.remove_button = QPushButton(), QPushButton()
        self.add_button.clicked.connect(self.add_tag)
        self.remove_button.clicked.connect(self.remove_tag)
        list_buttons = QHBoxLayout()
        list_buttons.setSpacing(6)
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.remove_button)
        left = QVBoxLayout()
        left.setSpacing(6)
        left.addWidget(self.tag_list, 1)
        left.addLayout(list_buttons)

        # The form of the selected tag: a label above each box, so long labels never cut.
        self.labels: dict[str, object] = {}
        self.edits: dict[str, QLineEdit] = {}
        for key in (*TEXTS, *LISTS, *RATIOS):
            self.edits[key] = QLineEdit()
            self.edits[key].textChanged.connect(self._edited)
        self.unit_combo = QComboBox()
        for unit in UNITS:
            self.unit_combo.addItem("", unit)
        self.unit_combo.currentIndexChanged.connect(self._edited)
        self.min_purchases = QSpinBox()
        self.min_purchases.setRange(1, 999)
        self.min_share = QSpinBox()
        self.min_share.setRange(0, 100)
        self.min_share.setSuffix(" %")
        for spin in (self.min_purchases, self.min_share):
            spin.setMinimumWidth(90)
            spin.valueChanged.connect(self._edited)
        self.discount_check = QCheckBox()
        self.discount_check.toggled.connect(self._edited)
        for key in ("id", "name", "name_zh", "description", "description_zh", *LISTS, "unit", "min_purchases",
                    "min_share", "price", "price_ratio_min", "price_ratio_max", "evidence", "needs"):
            self.labels[key] = text_label("fieldCaption")
        self.lists_caption = text_label("dialogNote", wrap=True)
        for key in RATIOS:
            self.edits[key].setFixedWidth(90)

        form = QGridLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(3)
        row = 0

        def pair(left_key: str, left: QWidget, right_key: str | None = None, right: QWidget | None = None) -> None:
            nonlocal row
            form.addWidget(self.labels[left_key], row, 0)
            form.addWidget(left, row + 1, 0)
            if right_key is not None:
                form.addWidget(self.labels[right_key], row, 1)
                form.addWidget(right, row + 1, 1)
            row += 2

        pair("name", self.edits["name"], "name_zh", self.edits["name_zh"])
        pair("description", self.edits["description"], "description_zh", self.edits["description_zh"])
        form.addItem(QSpacerItem(0, 8), row, 0)
        row += 1
        form.addWidget(self.labels["evidence"], row, 0, 1, 2)
        form.addWidget(self.lists_caption, row + 1, 0, 1, 2)
        row += 2
        pair("keywords", self.edits["keywords"], "keywords_zh", self.edits["keywords_zh"])
        pair("note_keywords", self.edits["note_keywords"], "note_keywords_zh", self.edits["note_keywords_zh"])
        price = QHBoxLayout()
        price.setSpacing(6)
        price.addWidget(self.labels["price_ratio_min"])
        price.addWidget(self.edits["price_ratio_min"])
        price.addSpacing(10)
        price.addWidget(self.labels["price_ratio_max"])
        price.addWidget(self.edits["price_ratio_max"])
        price.addStretch(1)
        form.addWidget(self.labels["categories"], row, 0)
        form.addWidget(self.edits["categories"], row + 1, 0)
        form.addWidget(self.labels["price"], row, 1)
        form.addLayout(price, row + 1, 1)
        form.addWidget(self.discount_check, row + 2, 0, 1, 2)
        row += 3
        needs = QHBoxLayout()
        needs.setSpacing(8)
        for key, widget in (("unit", self.unit_combo), ("min_purchases", self.min_purchases),
                            ("min_share", self.min_share)):
            needs.addWidget(self.labels[key])
            needs.addWidget(widget)
            needs.addSpacing(8)
        needs.addStretch(1)
        form.addItem(QSpacerItem(0, 8), row, 0)
        form.addWidget(self.labels["needs"], row + 1, 0, 1, 2)
        form.addLayout(needs, row + 2, 0, 1, 2)
        row += 3
        pair("id", self.edits["id"])
        form.setColumnStretch(0, 1)
        form.setColumnStretch(1, 1)
        form_holder = QWidget()
        form_holder.setObjectName("page")
        form_box = QVBoxLayout(form_holder)
        form_box.setContentsMargins(0, 0, 6, 0)
        form_box.addLayout(form)
        form_box.addStretch(1)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(form_holder)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(left)
        body.addWidget(self.form_scroll, 1)

        self.status = text_label("mappingStatus", wrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reset_button, self.cancel_button, self.save_button = QPushButton(), QPushButton(), QPushButton()
        self.reset_button.clicked.connect(self.reset)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons = button_row(self.reset_button, right=(self.cancel_button, self.save_button))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumSize(900, 560)
        self.resize(1000, 680)

    # The tables ------------------------------------------------------------------------------
    def load(self) -> None:
        """The tables in force; a saved file that cannot be used is said, and the bundled ones shown."""
        from core.tags import TagTableError, bundled_tables, load_tables

        try:
            tables = load_tables(strict=True)
            self._status = ""
        except TagTableError:
            tables = bundled_tables()
            self._status = "broken"
        self.user = tables.user
        self.show_entries([rule.as_dict() for rule in tables.rules])

    def show_entries(self, entries: list[dict]) -> None:
        self.entries = [dict(e) for e in entries]
        self.bad = set()
        self._fill_list(0 if self.entries else -1)

    def tables(self) -> dict:
        """What the dialog shows, in the form core.tags.save_tables takes."""
        return {"tags": [dict(e) for e in self.entries]}

    def current(self) -> int:
        return self.tag_list.currentRow()

    def _fill_list(self, select: int) -> None:
        self.tag_list.blockSignals(True)
        self.tag_list.clear()
        for i in range(len(self.entries)):
            self.tag_list.addItem(QListWidgetItem(self._item_text(i)))
        self.tag_list.blockSignals(False)
        self.tag_list.setCurrentRow(select)
        self._show_entry(select)

    def _item_text(self, i: int) -> str:
        entry = self.entries[i]
        name = " · ".join(n for n in (entry.get("name", ""), entry.get("name_zh", "")) if n) or t("ui.tags.editor_unnamed")
        return f"⚠ {name}" if i in self.bad else name

    def _show_entry(self, i: int) -> None:
        """Put entry `i` into the form (nothing selected: an empty, disabled form)."""
        self._loading = True
        entry = self.entries[i] if 0 <= i < len(self.entries) else {}
        for key in TEXTS:
            self.edits[key].setText(str(entry.get(key, "")))
            self.edits[key].setCursorPosition(0)  # long descriptions show their start
        for key in LISTS:
            self.edits[key].setText(", ".join(entry.get(key, [])))
        for key in RATIOS:
            self.edits[key].setText(number_text(entry.get(key)))
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(entry.get("unit", "orders"))))
        minimum = entry.get("min_purchases", 1)
        self.min_purchases.setValue(minimum if isinstance(minimum, int) else 1)
        share = entry.get("min_share", 0.0)
        self.min_share.setValue(round(share * 100) if isinstance(share, (int, float)) else 0)
        self.discount_check.setChecked(entry.get("discount") is True)
        self.form_scroll.widget().setEnabled(bool(entry))
        self.remove_button.setEnabled(bool(entry))
        self._loading = False

    def _read_form(self) -> dict:
        """The form as a tag table entry (empty fields left out, as the data file writes them)."""
        entry: dict = {key: self.edits[key].text().strip() for key in ("id", "name", "name_zh")}
        for key in ("description", "description_zh"):
            if self.edits[key].text().strip():
                entry[key] = self.edits[key].text().strip()
        entry["unit"] = self.unit_combo.currentData()
        entry["min_purchases"] = self.min_purchases.value()
        entry["min_share"] = round(self.min_share.value() / 100, 4)
        for key in LISTS:
            words = split_words(self.edits[key].text())
            if words:
                entry[key] = words
        for key in RATIOS:
            value = ratio_value(self.edits[key].text())
            if value is not None:
                entry[key] = value
        if self.discount_check.isChecked():
            entry["discount"] = True
        return entry

    def _edited(self, *_args) -> None:
        i = self.current()
        if self._loading or not 0 <= i < len(self.entries):
            return
        self.entries[i] = self._read_form()
        self.tag_list.item(i).setText(self._item_text(i))

    # Editing ---------------------------------------------------------------------------------
    def add_tag(self) -> None:
        """A new tag at the end, with a free id, for the seller to fill in."""
        ids = {e.get("id") for e in self.entries}
        number = len(self.entries) + 1
        while f"tag_{number}" in ids:
            number += 1
        self.entries.append({"id": f"tag_{number}", "name": "", "name_zh": "", "unit": "orders",
                             "min_purchases": 2, "min_share": 0.3})
        self._fill_list(len(self.entries) - 1)
        self.edits["name"].setFocus()

    def remove_tag(self) -> None:
        i = self.current()
        if 0 <= i < len(self.entries):
            del self.entries[i]
            self.bad = {b - (b > i) for b in self.bad if b != i}
            self._fill_list(min(i, len(self.entries) - 1))

    def problems(self) -> list[str]:
        """What core.tags finds wrong with the tables shown (none: they can be saved)."""
        from core.tags import TagTableError, validate

        try:
            validate(self.tables(), "tags.toml")
        except TagTableError as error:
            return list(error.problems)
        return []

    def _mark_bad(self) -> None:
        """Mark each tag that has a problem of its own, or shares its id with another."""
        from core.tags import TagTableError, validate

        self.bad = set()
        ids = [e.get("id") for e in self.entries]
        for i, entry in enumerate(self.entries):
            try:
                validate({"tags": [entry]}, "tags.toml")
            except TagTableError:
                self.bad.add(i)
            if ids.count(entry.get("id")) > 1:
                self.bad.add(i)
        for i in range(self.tag_list.count()):
            self.tag_list.item(i).setText(self._item_text(i))

    def save(self) -> bool:
        """Validate and save (core.tags.save_tables); on a problem nothing is written and the
        problems are listed. Returns True when saved (the dialog then closes)."""
        from core.tags import TagTableError, save_tables

        try:
            save_tables(self.tables())
        except TagTableError as error:
            self._mark_bad()
            bad = next(iter(sorted(self.bad)), None)
            if bad is not None and bad != self.current():
                self.tag_list.setCurrentRow(bad)
            self._status = "problems"
            self._show_status(error.problems)
            return False
        self.tables_changed.emit()
        self.accept()
        return True

    def reset(self) -> bool:
        """Back to the bundled tables (the seller's file is deleted), once confirmed."""
        from core.tags import bundled_tables, reset_tables, user_tables_path

        answer = QMessageBox.question(self, t("ui.tags.reset_title"), t("ui.tags.reset_text"))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        had_file = user_tables_path().exists()
        reset_tables()
        self.user = False
        self.show_entries([rule.as_dict() for rule in bundled_tables().rules])
        self._status = "reset"
        self._show_status()
        if had_file:
            self.tables_changed.emit()
        return True

    # Showing ---------------------------------------------------------------------------------
    def _show_status(self, problems: list[str] | None = None) -> None:
        """The status line in the current language (problems found again when not given)."""
        from core.tags import TagTableError, load_tables

        state, text = "", ""
        if self._status == "problems":
            problems = self.problems() if problems is None else problems
            state = "error"
            text = plural("ui.tags.editor_problems", len(problems), problems="\n".join(f"• {p}" for p in problems))
        elif self._status == "broken":
            try:
                load_tables(strict=True)
            except TagTableError as error:
                state, text = "error", t("ui.tags.editor_file_broken", problems="\n".join(error.problems))
        elif self._status == "reset":
            state, text = "ready", t("ui.tags.editor_reset_done")
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def retranslate(self) -> None:
        self.setWindowTitle(t("ui.tags.editor_window_title"))
        self.title.setText(t("ui.tags.editor_title"))
        self.intro.setText(t("ui.tags.editor_intro"))
        self.add_button.setText(t("ui.tags.editor_add"))
        self.remove_button.setText(t("ui.tags.editor_remove"))
        for key, label in self.labels.items():
            label.setText(t(f"ui.tags.field_{key}"))
        self.lists_caption.setText(t("ui.tags.editor_lists_caption"))
        for widget in (self.labels["price"], self.edits["price_ratio_min"], self.edits["price_ratio_max"]):
            widget.setToolTip(t("ui.tags.editor_price_caption"))
        self.discount_check.setText(t("ui.tags.field_discount_check"))
        self.unit_combo.setItemText(0, t("ui.tags.unit_orders"))
        self.unit_combo.setItemText(1, t("ui.tags.unit_lines"))
        for key in LISTS:
            self.edits[key].setPlaceholderText(t(f"ui.tags.example_{key}"))
        for key in RATIOS:
            self.edits[key].setPlaceholderText(t("ui.tags.example_ratio"))
        self.edits["id"].setToolTip(t("ui.tags.field_id_tip"))
        self.reset_button.setText(t("ui.tags.editor_reset"))
        self.reset_button.setToolTip(t("ui.tags.editor_reset_tip"))
        self.cancel_button.setText(t("ui.tags.editor_cancel"))
        self.save_button.setText(t("ui.tags.editor_save"))
        for i in range(self.tag_list.count()):
            self.tag_list.item(i).setText(self._item_text(i))
        self._show_status()
