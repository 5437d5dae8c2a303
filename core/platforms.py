"""The names of marketplaces and their reports as a seller reads them, in English and Chinese,
from the bundled import profiles (`platform`, `report`, `platform_zh`, `report_zh`).

Read with tomllib only (no pandas), so the welcome screen can list them at start-up. The
`platform` value itself stays the stable id every order carries; only what is shown changes.
"""
from __future__ import annotations

import tomllib
from functools import cache

from core.resources import RESOURCES


@cache
def _profiles() -> tuple[dict, ...]:
    out = []
    for path in sorted((RESOURCES / "profiles").glob("*.toml")):
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError):
            continue  # the importer reports a broken profile; a name is then shown as it is
        if isinstance(data.get("platform"), str):
            out.append(data)
    return tuple(out)


def _zh(lang: str | None) -> bool:
    from core.i18n import language

    return (lang or language()).lower().startswith("zh")


def supported_platforms(lang: str | None = None) -> list[str]:
    """The bundled profiles' platforms in `lang`, each once, in profile file order."""
    names: list[str] = []
    for data in _profiles():
        name = platform_name(data["platform"], lang)
        if name not in names:
            names.append(name)
    return names


def platform_name(platform: str, lang: str | None = None) -> str:
    """`Taobao/Tmall` → 淘宝/天猫 in Chinese; a platform no profile names stays as it is."""
    if _zh(lang):
        for data in _profiles():
            if data["platform"] == platform and data.get("platform_zh"):
                return str(data["platform_zh"])
    return platform


def report_name(platform: str, report: str, lang: str | None = None) -> str:
    """`Sold Orders` of Etsy → 已售订单 in Chinese; an unknown report stays as it is."""
    if _zh(lang):
        for data in _profiles():
            if data["platform"] == platform and data.get("report") == report and data.get("report_zh"):
                return str(data["report_zh"])
    return report
