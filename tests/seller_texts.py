"""What the text tests share: the shops every template is rendered with (a 1-customer and a
5-customer Shopify export and the demo, each imported and planned once per test run: read-only,
never change what they return) and the check for text a seller must never see."""
import re
from functools import cache

from tests.conftest import ROOT, imported_demo

SHOP_FILES = {
    "one_customer": [str(ROOT / "tests" / "data" / "shops" / "one_customer.csv")],
    "five_customers": [str(ROOT / "tests" / "data" / "shops" / "five_customers.csv")],
    "demo": sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv")),
}
SHOPS = tuple(SHOP_FILES)
LANGS = ("en", "zh_CN")

# A list mark or indent at the start of a line is layout ("•  text", "✓  Champions"), not a gap.
_LEAD = re.compile(r"^[\s•✓✗·\-ⓘ→]+")
_FLAWS = (
    ("raw placeholder", re.compile(r"[{}]")),
    ("missing value", re.compile(r"\b(nan|NaN|NaT|inf)\b|\bNone\b(?! of\b)")),
    ("double space", re.compile(r"\S {2,}\S")),
    # a list with an empty item: "Targets:  · Pattern", "a, , b", "(, b)", "x、" at the end
    ("empty list item", re.compile(r"(^|[:：(（·,，、;；])\s*[·,，、;；]|[·,，、;；]\s*($|[)）])")),
    ("empty brackets", re.compile(r"\(\s*\)|（\s*）|「\s*」")),
)


def flaws(text: str) -> list[tuple[str, str]]:
    """(what is wrong, the line) for every line of `text` a seller must not see."""
    out = []
    for line in str(text).splitlines():
        body = _LEAD.sub("", line).rstrip()
        out += [(name, line) for name, pattern in _FLAWS if pattern.search(body)]
    return out


def strings(tree):
    """Every string in a JSON-like tree."""
    if isinstance(tree, dict):
        for value in tree.values():
            yield from strings(value)
    elif isinstance(tree, (list, tuple)):
        for value in tree:
            yield from strings(value)
    elif isinstance(tree, str):
        yield tree


@cache
def shop(name: str):
    """(book, rfm11 plan) of one of SHOPS, made once."""
    from core.importing import import_files
    from core.targeting.plan import make_plan

    book = imported_demo() if name == "demo" else import_files(SHOP_FILES[name])
    return book, make_plan(book, "rfm11")
