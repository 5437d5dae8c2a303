"""A persona per segment (name, portrait, statements, key figures), written only from the segment's facts."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.segments import Segmentation
from core.targeting.texts import Template, fact_rows, format_value, is_zh, load, text_key

SOURCE = "resources/targeting/personas.toml"
MAX_STATEMENTS = 7
MAX_TAGS, MIN_TAG_SHARE = 4, 0.05  # the tag mix on a card: the largest shares, from 5 % up
CROSS_SELL_OFFERS = 3  # co-purchase offers on a card


@dataclass(frozen=True)
class Persona:
    name: str  # "Emma, the loyal mid-priced regular"
    portrait: str  # one line built from the facts
    statements: list[str]  # each states one fact, with its number
    figures: dict[str, str] = field(default_factory=dict)  # label -> formatted value, for the card
    tags: list[tuple[str, str, float]] = field(default_factory=list)  # (tag id, name, share of customers)
    cross_sell: list[str] = field(default_factory=list)  # concrete offers (core.crosssell), best first


def first_name(country: object, index: int, lang: str) -> str:
    """A common first name for the segment's top country; the language's list when there is none."""
    from core.countries import country_code

    names = load("personas.toml")["first_names"]
    pool = names.get(country_code(country) or str(country)) or names["zh" if is_zh(lang) else "en"]
    return pool[index % len(pool)]  # display position: segments of one map get different names


def _first_rendered(entries: list[dict], row: dict, lang: str) -> str | None:
    return next((text for e in entries if (text := Template.of(e, source=SOURCE).render(row, lang))), None)


def persona_for(row: dict, index: int, lang: str = "en") -> Persona:
    data = load("personas.toml")
    row = {**row, "first": first_name(row.get("top_country"), index, lang)}
    row["descriptor"] = _first_rendered(data["descriptors"], row, lang)
    name = Template.of(data["name"], source=SOURCE).render(row, lang) or row["first"]
    parts = [p for part in data["portrait"]["parts"] if (p := Template.of(part, source=SOURCE).render(row, lang))]
    portrait = ""
    if parts:
        portrait = data["portrait"][text_key("join", lang)].join(parts) + data["portrait"][text_key("end", lang)]
        portrait = portrait[0].upper() + portrait[1:]
    statements = [s for entry in data["statements"] if (s := Template.of(entry, source=SOURCE).render(row, lang))]
    figures = {fig[text_key("label", lang)]: value for fig in data["figures"]
               if (value := format_value(fig["fact"], row, lang)) is not None}
    return Persona(name, portrait, statements[:MAX_STATEMENTS], figures, tag_list(row.get("tag_mix"), lang))


def tag_list(mix, lang: str = "en") -> list[tuple[str, str, float]]:
    """The segment's interest tags for its card: (id, name in `lang`, share), largest first."""
    from core.tags import NONE, load_tables

    if not isinstance(mix, dict):
        return []
    tables = load_tables()
    shown = sorted(((k, v) for k, v in mix.items() if k != NONE and v >= MIN_TAG_SHARE and k in tables.ids),
                   key=lambda kv: -kv[1])[:MAX_TAGS]
    return [(k, tables.name(k, lang), round(v, 4)) for k, v in shown]


def personas(seg: Segmentation, facts: pd.DataFrame, lang: str = "en", crosssell=None) -> dict[str, Persona]:
    """Segment id -> Persona in display order, in English ("en") or Chinese ("zh_CN"); with
    `crosssell` (core.crosssell.CrossSell) each card also gets the segment's top offers."""
    out = {sid: persona_for(row, i, lang) for i, (sid, row) in enumerate(fact_rows(facts).items())}
    if crosssell is not None:
        for sid, persona in out.items():
            persona.cross_sell.extend(crosssell.recommendations(sid, lang, limit=CROSS_SELL_OFFERS))
    return out
