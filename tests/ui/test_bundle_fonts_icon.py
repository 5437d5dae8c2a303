"""The bundle's fonts are added to Qt only where the system lacks them; the app icon has every size."""
import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase

from core.resources import RESOURCES
from ui import fonts, theme

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture
def fresh_registry(monkeypatch):
    monkeypatch.setattr(fonts, "_registered", None)


def test_a_source_checkout_bundles_no_font_files():
    assert fonts.bundled_font_files(RESOURCES / "no-such-folder") == []


def test_family_of_bundled_files():
    assert fonts.family_of(Path("NotoSansCJK-Regular.ttc")) == "Noto Sans CJK SC"
    assert fonts.family_of(Path("DejaVuSans-Bold.ttf")) == "DejaVu Sans"
    assert fonts.family_of(Path("Other.ttf")) is None


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs fonts-dejavu-core")
def test_installed_families_are_not_registered_again(qapp, tmp_path, fresh_registry):
    assert "DejaVu Sans" in QFontDatabase.families()
    shutil.copy(DEJAVU, tmp_path / "DejaVuSans.ttf")
    assert fonts.register_bundled_fonts(tmp_path) == []


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs fonts-dejavu-core")
def test_missing_families_are_registered_once(qapp, tmp_path, fresh_registry):
    shutil.copy(DEJAVU, tmp_path / "Unknown.ttf")  # a family the check cannot know: registered
    (tmp_path / "notes.txt").write_text("not a font")
    assert fonts.register_bundled_fonts(tmp_path) == ["DejaVu Sans"]
    assert fonts.register_bundled_fonts(tmp_path) == ["DejaVu Sans"]  # once per process


def test_app_icon_has_every_size(qapp):
    icon = theme.app_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert sizes == {(n, n) for n in theme.ICON_SIZES}
    assert (RESOURCES / "icons" / "segmentdesk.svg").exists()


def test_english_takes_quotes_from_the_latin_face_and_chinese_from_the_cjk_face(qapp):
    from PySide6.QtGui import QFontInfo, QFontMetricsF

    from ui.report.render import font_families

    theme.install(qapp)
    cjk = theme.cjk_fallback_families()
    try:
        theme.use_language_font(qapp, "en")
        latin = qapp.font().families()[0]
        assert latin not in cjk and QFontInfo(qapp.font()).family() == latin  # a real face, not an alias
        english = QFontMetricsF(qapp.font()).horizontalAdvance("“")
        theme.use_language_font(qapp, "zh_CN")
        assert qapp.font().families()[0] == cjk[0]
        chinese = QFontMetricsF(qapp.font()).horizontalAdvance("“")
        assert english < chinese * 0.75  # the Latin quote is narrow, the Chinese one full-width
    finally:
        theme.use_language_font(qapp, "en")
    # The report draws digits with the Latin face in both languages (their text survives in the PDF).
    assert font_families("en")[0] not in cjk and font_families("zh_CN")[0] not in cjk
