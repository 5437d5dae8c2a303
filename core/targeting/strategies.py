"""What to do with each segment: a goal and marketing-mix actions, from data files filled with the segment's facts."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.segments import Segmentation
from core.targeting.texts import TARGETING, Template, fact_rows, load

MIXES = ("product", "price", "promotion", "channel")
CROSS_SELL_ACTIONS = 2  # co-purchase offers added to a segment's product actions


@dataclass(frozen=True)
class Action:
    mix: str  # product | price | promotion | channel
    text: str


@dataclass(frozen=True)
class Strategy:
    goal: str
    actions: list[Action]


def map_file(map_id: str) -> str | None:
    """The strategy file of a segment map, or None for maps with dynamic segments (generic.toml)."""
    name = f"strategies/{map_id}.toml"
    return name if (TARGETING / name).exists() else None


def map_segments(map_id: str) -> dict[str, dict]:
    """Segment id -> its goal and actions for a map file; a file may extend another map's."""
    data = load(f"strategies/{map_id}.toml")
    inherited = map_segments(data["extends"]) if "extends" in data else {}
    return {**inherited, **data.get("segments", {})}


def _generic(row: dict) -> tuple[dict, str]:
    """The first profile of generic.toml whose condition fits the segment's facts."""
    source = "resources/targeting/strategies/generic.toml"
    for profile in load("strategies/generic.toml")["profiles"]:
        if Template("", "", profile.get("when", ""), source).render(row) is not None:
            return profile, source
    raise ValueError(f"{source}: the last profile must have no condition")


def _spec(map_id: str, segment_id: str, row: dict) -> tuple[dict, str]:
    name = map_file(map_id)
    segments = map_segments(map_id) if name else {}
    if segment_id in segments:
        return segments[segment_id], f"resources/targeting/{name}"
    return _generic(row)  # dynamic segments, and any segment a map file does not cover


def strategy_for(map_id: str, segment_id: str, row: dict, lang: str = "en") -> Strategy:
    spec, source = _spec(map_id, segment_id, row)
    common = load("common.toml")["actions"]
    goal = Template.of(spec, "goal", source).render(row, lang)
    entries = [(e, source) for e in spec["actions"]] + [(e, "resources/targeting/common.toml") for e in common]
    actions = []
    for mix in MIXES:  # always product, price, promotion, channel; data order within each
        for entry, where in entries:
            if entry["mix"] == mix:
                text = Template.of(entry, "text", where).render(row, lang)
                if text:
                    actions.append(Action(mix, text))
    fallback = row.get("name_zh" if lang.lower().startswith("zh") else "name", segment_id)
    return Strategy(goal or str(fallback), actions)


def strategies(seg: Segmentation, facts: pd.DataFrame, lang: str = "en", crosssell=None) -> dict[str, Strategy]:
    """Segment id -> Strategy(goal, actions) in display order, in English ("en") or Chinese ("zh_CN").
    With `crosssell` (core.crosssell.CrossSell) the segment's best offers join its product actions."""
    out = {sid: strategy_for(seg.map_id, sid, row, lang) for sid, row in fact_rows(facts).items()}
    if crosssell is not None:
        for sid, strategy in out.items():
            offers = [Action("product", text) for text in crosssell.recommendations(sid, lang, limit=CROSS_SELL_ACTIONS)]
            last_product = max((i for i, a in enumerate(strategy.actions) if a.mix == "product"), default=-1)
            strategy.actions[last_product + 1:last_product + 1] = offers  # keeps product, price, … order
    return out
