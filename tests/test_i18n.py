"""String catalogs agree across languages, and ui/ passes no hard-coded text to Qt."""
import ast
from pathlib import Path

import pytest

from core.i18n import LANGUAGES, catalog, format_text, placeholders, plural, t
from core.resources import RESOURCES

ROOT = Path(__file__).resolve().parent.parent
I18N = RESOURCES / "i18n"
# Qt calls whose string arguments reach the user.
TEXT_METHODS = {"setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "addTab",
                "setStatusTip", "showMessage"}
TEXT_CONSTRUCTORS = {"QLabel", "QAction", "QPushButton"}


def test_every_language_has_the_same_catalog_files():
    files = {lang: sorted(p.name for p in (I18N / lang).glob("*.toml")) for lang in LANGUAGES}
    assert files["en"], "the English catalog is empty"
    for lang, names in files.items():
        assert names == files["en"], f"{lang} has {names}, en has {files['en']}"


def test_no_catalog_folder_for_an_unknown_language():
    assert {p.name for p in I18N.iterdir() if p.is_dir()} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_same_keys_and_placeholders_as_english(lang):
    english, other = catalog("en"), catalog(lang)
    assert sorted(set(english) - set(other)) == [], f"missing in {lang}"
    assert sorted(set(other) - set(english)) == [], f"only in {lang}"
    mismatched = {key: (placeholders(english[key]), placeholders(other[key]))
                  for key in english if placeholders(english[key]) != placeholders(other[key])}
    assert mismatched == {}



@pytest.mark.parametrize("count, expected", [(1, "1 customer"), ("1", "1 customer"), (1.0, "1 customer"),
                                             (0, "0 customers"), ("1,001", "1,001 customers"), (2, "2 customers"),
                                             ("11", "11 customers"), (1234, "1,234 customers")])
def test_plural_forms_pick_one_only_for_exactly_one(count, expected):
    assert plural(count, "# customer", "# customers") == expected
    assert format_text("{n:# customer|# customers}", {"n": count}) == expected


def test_plural_forms_in_the_catalog_and_placeholders_left_for_later():
    assert t("ui.targeting.scale", orders="1", products="1", customers="1") == "1 order a month · 1 product · 1 customer"
    assert t("ui.targeting.scale", lang="zh_CN", orders="1", products="2", customers="1") == "每月 1 单 · 2 个商品 · 1 位客户"
    later = t("ui.segments.cell_tip")  # filled when the pointer is on a cell
    assert "{count:# customer|# customers}" in later
    assert format_text(later, {"segment": "S", "row": "R", "r": 5, "column": "F", "c": 1, "count": "1"}).endswith("1 customer")
    assert format_text("{a:.1f} and {b}", {"a": 2}) == "2.0 and {b}"  # ordinary format specs still work


def test_every_english_plural_form_has_two_forms():
    import string

    for key, text in catalog("en").items():
        for _, name, spec, _ in string.Formatter().parse(text):
            if name and spec and "|" in spec:
                assert spec.count("|") == 1, f"{key}: {spec!r} needs exactly one form for 1 and one for the rest"

def _is_harmless(text: str) -> bool:
    """Empty, punctuation, symbols and numbers need no translation."""
    return not any(ch.isalpha() for ch in text)


def _literal_texts(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):  # f"Orders: {n}" hides a literal too
        return [part.value for part in node.values if isinstance(part, ast.Constant)]
    return []


def hard_coded_texts(source: str, filename: str = "<ui>") -> list[str]:
    """'file:line: text' for each literal with letters passed to a user-visible Qt text call."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in TEXT_METHODS and name not in TEXT_CONSTRUCTORS:
            continue
        for arg in node.args:
            found += [f"{filename}:{node.lineno}: {text!r}" for text in _literal_texts(arg)
                      if not _is_harmless(text)]
    return found


def test_scanner_finds_literals_and_allows_punctuation():
    source = ('label.setText("Orders")\nQLabel("Hi", self)\nw.setWindowTitle(f"Total {n}")\n'
              'tabs.addTab(page, "Files")\nlabel.setText("")\nlabel.setText(" · ")\n'
              'label.setText(t("ui.x"))\nQPushButton("42%")\nlabel.setObjectName("card")\n')
    assert [hit.split(": ", 1)[1] for hit in hard_coded_texts(source)] == [
        "'Orders'", "'Hi'", "'Total '", "'Files'"]


def test_ui_passes_no_literal_text_to_qt():
    hits = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        hits += hard_coded_texts(path.read_text(encoding="utf-8"), path.name)
    assert hits == [], "use t('ui.…') for:\n" + "\n".join(hits)


def test_every_message_a_reader_can_raise_is_in_both_catalogs():
    """Each message id the importer can report (every `"import.…"` literal in core/importing) is
    in the English and the Chinese catalog, with the same placeholders."""
    import re

    ids = set()
    for path in (ROOT / "core" / "importing").glob("*.py"):
        ids |= set(re.findall(r"[\"'](import\.[a-z_]+)[\"']", path.read_text("utf-8")))
    assert len(ids) > 20, ids
    en, zh = catalog("en"), catalog("zh_CN")
    missing = sorted(key for key in ids if key not in en or key not in zh)
    assert not missing, missing
    assert all(placeholders(en[key]) == placeholders(zh[key]) for key in ids)
