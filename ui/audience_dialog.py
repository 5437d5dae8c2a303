"""Export for ads: pick the ad platform of a hashed audience list and read what the file holds, before the save dialog."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QDialog, QPushButton, QRadioButton, QVBoxLayout, QWidget

from core.i18n import t
from ui import theme
from ui.widgets import button_row, text_label

PLATFORMS = ("google", "meta", "tiktok")  # core.audience.PLATFORMS, without loading pandas


class AudienceDialog(QDialog):
    """The platform (Google, Meta, TikTok) and, in plain words, what the file holds: hashes of
    normalised emails and phones only, relay and masked contacts skipped and counted. `who` says
    whose list it is (the segments or every customer), in the current language."""

    def __init__(self, who: Callable[[], str], parent: QWidget | None = None, platform: str = "google"):
        super().__init__(parent)
        self.setObjectName("mappingDialog")
        self.setStyleSheet(theme.STYLESHEET)
        self.who = who
        self.title = text_label("pageTitle", wrap=True)
        self.who_label = text_label("dialogText", wrap=True)
        self.platform_title = text_label("sectionTitle")
        self.buttons = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        self.notes: dict[str, object] = {}
        radios = QVBoxLayout()
        radios.setSpacing(2)
        for platform_id in PLATFORMS:
            radio = QRadioButton()
            self.buttons.addButton(radio)
            self.radios[platform_id] = radio
            note = text_label("dialogNote", wrap=True)
            note.setContentsMargins(24, 0, 0, 6)
            self.notes[platform_id] = note
            radios.addWidget(radio)
            radios.addWidget(note)
        self.radios.get(platform, self.radios["google"]).setChecked(True)
        self.privacy_title = text_label("sectionTitle")
        self.privacy = text_label("dialogText", wrap=True)
        self.privacy.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button, self.ok_button = QPushButton(), QPushButton()
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        buttons = button_row(right=(self.cancel_button, self.ok_button))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.who_label)
        layout.addSpacing(4)
        layout.addWidget(self.platform_title)
        layout.addLayout(radios)
        layout.addWidget(self.privacy_title)
        layout.addWidget(self.privacy)
        layout.addStretch(1)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)
        self.retranslate()

    def platform(self) -> str:
        return next(p for p, radio in self.radios.items() if radio.isChecked())

    def set_platform(self, platform: str) -> None:
        self.radios[platform].setChecked(True)

    def fit_height(self) -> None:
        """Tall enough for every wrapped text at the current width."""
        layout = self.layout()
        width = max(self.width(), self.minimumWidth())
        if layout.hasHeightForWidth():
            self.setMinimumHeight(layout.totalHeightForWidth(width))
        self.resize(width, self.minimumHeight())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit_height()

    def retranslate(self) -> None:
        self.setWindowTitle(t("ui.audience.window_title"))
        self.title.setText(t("ui.audience.title"))
        self.who_label.setText(self.who())
        self.platform_title.setText(t("ui.audience.platform_title"))
        for platform_id, radio in self.radios.items():
            radio.setText(t(f"ui.audience.platform_{platform_id}"))
            self.notes[platform_id].setText(t(f"ui.audience.platform_{platform_id}_note"))
        self.privacy_title.setText(t("ui.audience.privacy_title"))
        self.privacy.setText(t("ui.audience.privacy"))
        self.cancel_button.setText(t("ui.audience.cancel"))
        self.ok_button.setText(t("ui.audience.ok"))
        if self.isVisible():
            self.fit_height()
