"""Look of the app: a font that renders Chinese everywhere, and the one stylesheet."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QIcon
from PySide6.QtWidgets import QApplication

from core.resources import RESOURCES
from ui.fonts import register_bundled_fonts

# Simplified-Chinese fonts per desktop, best first. Listing the SC face explicitly matters:
# left to fontconfig, Han characters may fall back to the Japanese face of the same family.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei UI", "Microsoft YaHei",
             "PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei")

ACCENT = "#2563eb"
# Qt style sheets take file paths with forward slashes, on Windows too.
CHEVRON = (RESOURCES / "icons" / "chevron-down.svg").as_posix()
CHEVRON_UP = (RESOURCES / "icons" / "chevron-up.svg").as_posix()
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

STYLESHEET = f"""
QMainWindow, #page {{ background: #f5f6f8; }}
QToolBar {{ background: #ffffff; border: none; border-bottom: 1px solid #e3e5ea; spacing: 6px;
            padding: 4px 8px; }}
QToolBar QToolButton {{ padding: 5px 10px; border-radius: 6px; }}
QToolBar QToolButton:hover {{ background: #eef2ff; }}
QStatusBar {{ background: #ffffff; border-top: 1px solid #e3e5ea; color: #4b5563; }}

#dropZone {{ background: #ffffff; border: 2px dashed #c7ccd6; border-radius: 16px; }}
#dropZone[dragging="true"] {{ border-color: {ACCENT}; background: #eef4ff; }}
#emptyTitle {{ font-size: 22px; font-weight: 600; color: #111827; }}
#emptyText {{ font-size: 14px; color: #4b5563; }}
#emptySmall {{ font-size: 12px; color: #6b7280; }}
#chip {{ background: #eef2ff; color: #1e3a8a; border-radius: 11px; padding: 3px 12px;
         font-size: 13px; }}

QPushButton {{ padding: 6px 16px; border-radius: 6px; border: 1px solid #cfd4dc;
               background: #ffffff; color: #111827; }}
QPushButton:hover {{ background: #f3f4f6; }}
QPushButton#primary {{ background: {ACCENT}; border-color: {ACCENT}; color: #ffffff;
                       font-weight: 600; padding: 8px 22px; font-size: 14px; }}
QPushButton#primary:hover {{ background: #1d4ed8; }}

#banner {{ background: #ffffff; border: 1px solid #dbe3f4; border-radius: 10px; }}
#bannerText {{ color: #1f2937; }}
QProgressBar {{ border: none; background: #e5e7eb; border-radius: 4px; max-height: 8px; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
#errorBanner {{ background: #fef2f2; color: #991b1b; border: 1px solid #fecaca;
                border-radius: 10px; padding: 10px 14px; }}

#pageTitle {{ font-size: 20px; font-weight: 600; color: #111827; }}
#pageSubtitle {{ color: #4b5563; font-size: 13px; }}
#card {{ background: #ffffff; border: 1px solid #e3e5ea; border-radius: 12px; }}
#card[link="true"]:hover, #card[link="true"]:focus {{ border-color: {ACCENT}; }}
QPushButton#rowButton {{ padding: 0px 10px; min-height: 0px; font-size: 12px; }}
#contextLine {{ color: #4b5563; font-size: 12px; padding: 0 0 4px 0; }}
#reportSheets {{ background: #e5e7eb; }}
#reportSheet {{ border: 1px solid #cbd5e1; background: #ffffff; }}
#cardTitle {{ color: #6b7280; font-size: 12px; font-weight: 600; }}
#cardValue {{ color: #111827; font-size: 22px; font-weight: 600; }}
#cardValueSmall {{ color: #111827; font-size: 15px; font-weight: 600; }}
#cardDetail {{ color: #4b5563; font-size: 12px; }}
#sectionTitle {{ font-size: 15px; font-weight: 600; color: #111827; }}
#sectionTitle[warning="true"] {{ color: #b45309; }}
#okText {{ color: #047857; font-size: 13px; }}
#errorText {{ color: #b91c1c; font-size: 12px; }}

QDialog#mappingDialog {{ background: #f5f6f8; }}
#dialogText {{ color: #374151; font-size: 13px; }}
#dialogNote {{ color: #4b5563; font-size: 12px; }}
#mappingStatus {{ font-size: 13px; font-weight: 600; color: #4b5563; }}
#mappingStatus[state="missing"] {{ color: #b45309; }}
#mappingStatus[state="error"] {{ color: #b91c1c; }}
#mappingStatus[state="ready"] {{ color: #047857; }}
QPushButton:disabled {{ color: #9ca3af; background: #f3f4f6; border-color: #e5e7eb; }}
QPushButton#primary:disabled {{ background: #93b4f5; border-color: #93b4f5; color: #ffffff; }}
QLineEdit, QComboBox {{ padding: 4px 8px; border: 1px solid #cfd4dc; border-radius: 6px;
                        background: #ffffff; min-height: 20px; }}
QLineEdit:focus, QComboBox:focus {{ border-color: {ACCENT}; }}
QComboBox::drop-down {{ border: none; width: 24px; }}
QComboBox::down-arrow {{ image: url("{CHEVRON}"); width: 12px; height: 12px; }}

QTableWidget, QTableView {{ background: #ffffff; border: 1px solid #e3e5ea; border-radius: 8px;
                gridline-color: #eef0f3; alternate-background-color: #fafbfc;
                selection-background-color: #dbeafe; selection-color: #111827; }}
QTableView::item {{ padding: 4px 8px; }}
QHeaderView::section {{ background: #f9fafb; color: #374151; font-weight: 600; border: none;
                        border-bottom: 1px solid #e3e5ea; padding: 6px 5px; }}

#sidebar {{ background: #ffffff; border-right: 1px solid #e3e5ea; }}
QToolButton#navButton {{ text-align: left; padding: 8px 12px; border: none; border-radius: 6px;
                          color: #374151; font-size: 13px; }}
QToolButton#navButton:hover {{ background: #f3f4f6; }}
QToolButton#navButton:checked {{ background: #eef2ff; color: #1e3a8a; font-weight: 600; }}
#panel {{ background: #ffffff; border: 1px solid #e3e5ea; border-radius: 10px; }}
#panel QTableView {{ border: none; border-radius: 0; }}
#infoBanner {{ background: #eff6ff; color: #1e3a8a; border: 1px solid #bfdbfe; border-radius: 8px;
               padding: 6px 10px; font-size: 12px; }}
#cutsCaption {{ color: #4b5563; font-size: 12px; }}
#fieldLabel {{ color: #374151; font-size: 13px; }}
#filterChip {{ background: #fef3c7; color: #92400e; border-radius: 10px; padding: 2px 10px; font-size: 12px; }}
QPushButton#linkButton {{ border: none; background: transparent; color: {ACCENT}; padding: 2px 4px; }}
QPushButton#linkButton:hover {{ text-decoration: underline; }}
QSplitter::handle {{ background: transparent; }}
#fieldCaption {{ color: #6b7280; font-size: 12px; font-weight: 600; }}
#fieldValue {{ color: #111827; font-size: 13px; }}
#choiceName {{ color: #111827; font-size: 17px; font-weight: 600; }}
#choiceText {{ color: #1f2937; font-size: 13px; }}
#choiceSmall {{ color: #4b5563; font-size: 12px; }}
#personaName {{ color: #111827; font-size: 16px; font-weight: 600; }}
#personaPortrait {{ color: #374151; font-size: 13px; font-style: italic; }}
#figureValue {{ color: #111827; font-size: 15px; font-weight: 600; }}
#targetChip {{ background: #dcfce7; color: #166534; border-radius: 11px; padding: 3px 10px; font-size: 12px; }}
#headline {{ background: #eff6ff; color: #1e3a8a; border: 1px solid #bfdbfe; border-radius: 8px;
             padding: 8px 12px; font-size: 13px; }}
#goalBox {{ background: #ffffff; border: 1px solid #e3e5ea; border-left: 4px solid {ACCENT}; border-radius: 8px; }}
#goalText {{ color: #111827; font-size: 14px; font-weight: 600; }}
#mixSection {{ background: #ffffff; border: 1px solid #e3e5ea; border-radius: 10px; }}
#mixTitle {{ color: #1e3a8a; font-size: 14px; font-weight: 600; }}
QListWidget#segmentList {{ background: #ffffff; border: 1px solid #e3e5ea; border-radius: 8px; padding: 4px;
                           font-size: 13px; }}
QListWidget#segmentList::item {{ padding: 6px 8px; border-radius: 6px; color: #111827; }}
QListWidget#segmentList::item:selected {{ background: #dbeafe; color: #111827; }}
QSpinBox, QDoubleSpinBox {{ padding: 3px 22px 3px 6px; border: 1px solid #cfd4dc; border-radius: 6px;
                            background: #ffffff; min-height: 20px; }}
QSpinBox:focus, QDoubleSpinBox:focus {{ border-color: {ACCENT}; }}
QSpinBox::up-button, QDoubleSpinBox::up-button {{ subcontrol-origin: border; subcontrol-position: top right;
                                                  width: 20px; border: none; }}
QSpinBox::down-button, QDoubleSpinBox::down-button {{ subcontrol-origin: border;
                                                      subcontrol-position: bottom right; width: 20px; border: none; }}
QSpinBox::up-button:hover, QDoubleSpinBox::up-button:hover,
QSpinBox::down-button:hover, QDoubleSpinBox::down-button:hover {{ background: #eef2ff; }}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{ image: url("{CHEVRON_UP}"); width: 10px; height: 10px; }}
QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{ image: url("{CHEVRON}"); width: 10px; height: 10px; }}
"""


def cjk_fallback_families() -> list[str]:
    """The installed CJK fonts from CJK_FONTS, in order of preference."""
    installed = set(QFontDatabase.families())
    return [name for name in CJK_FONTS if name in installed]


def app_icon() -> QIcon:
    """The SegmentDesk icon (resources/icons/segmentdesk-*.png, drawn by packaging/make_icons.py)."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(RESOURCES / "icons" / f"segmentdesk-{size}.png"), QSize(size, size))
    return icon


def install(app: QApplication) -> None:
    """Give the app a font that can show Chinese (once); widgets inherit it."""
    if app.property("segmentdesk_theme"):
        return
    register_bundled_fonts()  # the bundle's CJK face where the system has none
    font = QFont(app.font())
    # Latin text keeps the platform font; Chinese glyphs come from the first CJK font found. The
    # platform font may be an alias ("Sans Serif" without a desktop): named first as it is, Qt
    # skips it and draws Latin text, quotes and dashes with the CJK face's wide glyphs, so the
    # family it resolves to is named instead.
    app.setProperty("segmentdesk_latin_family", QFontInfo(QFont(font.family())).family())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setProperty("segmentdesk_theme", True)
    from core.i18n import language

    use_language_font(app, language())


def use_language_font(app: QApplication, lang: str) -> None:
    """Which face draws what both faces have (quotes, dashes, digits): in English the Latin face,
    so “quotes” in English text are not the CJK face's wide ones; in Chinese the CJK face, whose
    full-width “” and ，belong to Chinese text. Han characters always come from the CJK face."""
    latin = app.property("segmentdesk_latin_family") or app.font().family()
    cjk = [f for f in cjk_fallback_families() if f != latin]
    font = QFont(app.font())
    font.setFamilies([*cjk, latin] if lang.lower().startswith("zh") else [latin, *cjk])
    app.setFont(font)
