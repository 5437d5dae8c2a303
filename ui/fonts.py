"""Fonts shipped inside the desktop bundle, added to Qt at start.

build.spec copies a Simplified-Chinese face (Noto Sans CJK, SIL Open Font License) and the printed
report's Latin face (DejaVu Sans) into resources/fonts/ of the bundle; they are not in git, so a
source checkout uses the system's fonts. A bundled file is registered only when the system lacks its
family: the app and the report then find the same faces everywhere (ui.theme.CJK_FONTS and
ui.report.render.LATIN_FONTS/CJK_FONTS list these families first).
"""
from __future__ import annotations

from pathlib import Path

from core.resources import RESOURCES

FONTS = RESOURCES / "fonts"
SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# The family a bundled file provides, by the start of its file name (build.spec bundles only these).
FAMILIES = {"NotoSansCJK": "Noto Sans CJK SC", "DejaVuSans": "DejaVu Sans"}

_registered: list[str] | None = None


def bundled_font_files(folder: Path = FONTS) -> list[Path]:
    """The font files of the bundle (none in a source checkout)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)


def family_of(path: Path) -> str | None:
    return next((family for prefix, family in FAMILIES.items() if path.name.startswith(prefix)), None)


def register_bundled_fonts(folder: Path = FONTS) -> list[str]:
    """Add each bundled font whose family the system lacks to Qt's font database, once per process
    (a QGuiApplication must exist). Returns the families added."""
    global _registered
    if _registered is not None:
        return _registered
    from PySide6.QtGui import QFontDatabase

    installed = set(QFontDatabase.families())
    added: list[str] = []
    for path in bundled_font_files(folder):
        if family_of(path) in installed:
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            added += QFontDatabase.applicationFontFamilies(font_id)
    _registered = added
    return added


def register_with_matplotlib(folder: Path = FONTS) -> None:
    """Make the bundled fonts known to matplotlib; call it before drawing text with matplotlib.
    (The app draws its charts with QPainter today, and build.spec leaves matplotlib out of the
    bundle unless a module of core/ or ui/ imports it.)"""
    from matplotlib import font_manager

    for path in bundled_font_files(folder):
        font_manager.fontManager.addfont(str(path))
