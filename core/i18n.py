"""One string catalog for core, CLI and GUI: t("area.key", **placeholders) over resources/i18n/<lang>/*.toml."""
from __future__ import annotations

import os
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


class _Keep(dict):
    def __missing__(self, key):  # a placeholder the caller did not give stays visible, never crashes
        return "{" + key + "}"


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The text for `key` in `lang` (default: the current language), with {placeholders} filled."""
    text = catalog(lang or _current).get(key) or catalog("en").get(key) or key
    return string.Formatter().vformat(text, (), _Keep(params))
