"""Countries (resources/countries.toml): names, dial codes, currencies and mobile number shapes,
shared by the importer (a marketplace file's market and currency), the hashed audience lists and
every place a country is shown (its name in English or Chinese, whatever the export wrote)."""
from __future__ import annotations

import re
import tomllib
from functools import cache

from core.resources import RESOURCES

# A phone cell as exports write it: digits with separators, maybe a "+" or "00", maybe masked
# (`60*******231`, `(+1)415*****82`). Ciphertext, names and e-mail addresses are no phone.
_PHONE_SHAPE = re.compile(r"^\(?(\+|00)?\)?[\d*•]+$")
_SEPARATORS = re.compile(r"[\s\-.()/]")
MASK = "*•"


@cache
def countries() -> dict[str, dict]:
    """ISO code → {dial, trunk, lengths, names, currency[, mobile]}."""
    with (RESOURCES / "countries.toml").open("rb") as f:
        return tomllib.load(f)["countries"]


@cache
def _by_name() -> dict[str, str]:
    """Every way exports write a country (ISO code or name, any case) → its ISO code."""
    out = {}
    for code, spec in countries().items():
        for name in (code, *spec["names"]):
            out[" ".join(name.split()).casefold()] = code
    return out


def country_code(name: object) -> str | None:
    """The ISO code of a country as an export writes it (`Malaysia`, `MY`, `Việt Nam`), or None."""
    if not isinstance(name, str):
        return None
    return _by_name().get(" ".join(name.split()).casefold())


def country_name(value: object, lang: str = "en", in_text: bool = False) -> str:
    """How a country is shown: its name in `lang` ("zh…": Chinese) from the table, whatever code or
    name the export wrote (`US`, `United States`, `美国` → "United States" / "美国"); with `in_text`,
    the English form a sentence uses ("lives in the US"). A value the table does not know is shown
    as written.

    >>> country_name("United States", "zh_CN"), country_name("GB"), country_name("GB", in_text=True)
    ('美国', 'United Kingdom', 'the UK')
    """
    text = "" if value is None else str(value)
    spec = countries().get(country_code(text) or "")
    if spec is None:
        return text
    if lang.lower().startswith("zh"):
        return spec["name_zh"]
    return spec.get("name_in_text", spec["name"]) if in_text else spec["name"]


@cache
def _regions() -> dict[str, dict[str, list[str]]]:
    with (RESOURCES / "regions.toml").open("rb") as f:
        return tomllib.load(f)


def region_name(value: object, country: object = None, lang: str = "en") -> str:
    """A region as the export wrote it (`VT`, `NSW`) named in `lang` for its country (`US`,
    `United States`): "Vermont" / "佛蒙特州". A region or country not in resources/regions.toml is
    shown as written.

    >>> region_name("VT", "US", "zh_CN"), region_name("nsw", "Australia"), region_name("Bayern", "DE")
    ('佛蒙特州', 'New South Wales', 'Bayern')
    """
    text = "" if value is None else str(value).strip()
    names = _regions().get(country_code(str(country or "")) or "", {}).get(text.upper())
    if names is None:
        return text
    return names[1] if lang.lower().startswith("zh") else names[0]


def currency_of(code: str | None) -> str | None:
    spec = countries().get(code or "")
    return spec["currency"] if spec else None


def currencies() -> list[str]:
    """Every currency of the table, sorted (the choices offered when a file says none)."""
    return sorted({spec["currency"] for spec in countries().values()})


def phone_country(text: object, markets: tuple[str, ...]) -> str | None:
    """The country among `markets` a phone number as written names, or None when it does not say.

    With its dial code (`+63 917 555 4444`, `0063…`, `639175554444`, masked `60*******231`) the
    number names its country; written nationally (`09171234567`) only when exactly one market's
    mobile shape fits it."""
    if not isinstance(text, str):
        return None
    compact = _SEPARATORS.sub("", text.strip())
    if not compact or not _PHONE_SHAPE.match(compact):
        return None
    international = compact.startswith(("+", "00"))
    digits = compact.lstrip("+")
    if compact.startswith("00"):
        digits = digits[2:]
    table = countries()
    if international:  # dial codes are prefix-free: at most one of them starts the number
        found = [c for c in markets if c in table and digits.startswith(table[c]["dial"])]
        return found[0] if len(found) == 1 else None
    with_dial = [c for c in markets if c in table and digits.startswith(table[c]["dial"])
                 and len(digits) - len(table[c]["dial"]) in table[c]["lengths"]]
    if any(ch in MASK for ch in digits):  # a masked number says something only with its dial code
        return with_dial[0] if len(with_dial) == 1 and not digits.startswith("0") else None
    national = [c for c in markets if c in table and table[c].get("mobile")
                and re.match(table[c]["mobile"], digits)]
    found = set(with_dial) | set(national)
    return found.pop() if len(found) == 1 else None
