"""One string catalog for core, CLI and GUI: t("area.key", **placeholders) over resources/i18n/<lang>/*.toml."""
from __future__ import annotations

import os
import re
import string
import tomllib
from functools import cache

from core.resources import RESOURCES

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
_current = os.environ.get("SEGMENTDESK_LANG", "en") if os.environ.get(
    "SEGMENTDESK_LANG", "en") in LANGUAGES else "en"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    """All strings of one language; each area of the app keeps its own file in the language folder."""
    merged: dict[str, str] = {}
    for path in sorted((RESOURCES / "i18n" / lang).glob("*.toml")):
        with path.open("rb") as f:
            merged.update(_flatten(tomllib.load(f), f"{path.stem}."))
    return merged


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, got {lang!r}")
    _current = lang


def language() -> str:
    return _current


def catalog_lang(lang: str | None) -> str | None:
    """The catalog a caller's language means: "zh…" → "zh_CN", anything else → "en"; None stays
    None (`t` then uses the current language)."""
    if lang is None:
        return None
    return "zh_CN" if lang.lower().startswith("zh") else "en"


_ONE = re.compile(r"[+-]?1(?:\.0*)?")


def is_one(value: object) -> bool:
    """True for a count of exactly one: 1, 1.0, "1", " 1 " (thousands separators are ignored)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == 1
    return bool(_ONE.fullmatch(str(value).replace(",", "").replace("\u00a0", "").strip()))


def plural(count: object, one: str, other: str) -> str:
    """`one` when `count` is exactly one, else `other`; "#" in either stands for the count.

    >>> plural(1, "# customer", "# customers"), plural("1,204", "# order", "# orders")
    ('1 customer', '1,204 orders')
    """
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    shown = f"{count:,}" if isinstance(count, int) and not isinstance(count, bool) else str(count)
    return (one if is_one(count) else other).replace("#", shown)


class _Missing(str):
    """A placeholder the caller did not give: it formats back to itself, spec and all, so the
    text can be filled later (format_text again)."""

    def __format__(self, format_spec: str) -> str:
        return "{" + self + (":" + format_spec if format_spec else "") + "}"


class _PluralFormatter(string.Formatter):
    """str.format plus English plural forms: `{customers:# customer|# customers}` gives
    "1 customer" and "5 customers" ("#" is the value as given). Chinese strings need none and
    simply write `{customers} 位客户`; a spec without "|" is an ordinary format spec."""

    def format_field(self, value, format_spec: str):
        if isinstance(value, _Missing):
            return format(value, format_spec)
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return plural(value, one, other)
        return super().format_field(value, format_spec)


FORMATTER = _PluralFormatter()


def format_text(text: str, params: dict) -> str:
    """`text` with its {placeholders} filled from `params`, plural forms chosen (see
    `_PluralFormatter`); a placeholder missing from `params` stays visible."""
    return FORMATTER.vformat(text, (), _Keep(params))


class _Keep(dict):
    def __missing__(self, key):  # a placeholder the caller did not give stays visible, never crashes
        return _Missing(key)


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The text for `key` in `lang` (default: the current language), with {placeholders} filled."""
    text = catalog(lang or _current).get(key) or catalog("en").get(key) or key
    return format_text(text, params)
