"""The one template engine for targeting texts: safe conditions on facts, placeholders filled and formatted."""
from __future__ import annotations

import math
import re
import string
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from core.i18n import format_text
from core.resources import RESOURCES
from core.targeting.facts import WEEKDAYS, WEEKDAYS_ZH

TARGETING = RESOURCES / "targeting"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


class TemplateError(ValueError):
    """A data file holds a condition or template the engine cannot read."""


def is_zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def text_key(key: str, lang: str) -> str:
    """`text` in English, `text_zh` in Chinese (the data files keep both side by side)."""
    return f"{key}_zh" if is_zh(lang) else key


# --- conditions -------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<op>>=|<=|==|!=|>|<)"
                    r"|(?P<paren>[()])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
Condition = Callable[[Mapping], bool]


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"unexpected {text[pos:].strip()[:20]!r}")
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _comparison(fact: str, op: str, literal: float | str) -> Condition:
    def check(facts: Mapping) -> bool:
        value = facts.get(fact)
        if _missing(value):  # an unknown or missing fact never makes a condition true
            return False
        if isinstance(literal, str) != isinstance(value, str):
            return False
        return bool(_COMPARE[op](value if isinstance(value, str) else float(value), literal))
    return check


class _Parser:
    """condition := term ('or' term)* ; term := atom ('and' atom)* ; atom := fact op value | (condition)"""

    def __init__(self, text: str):
        self.tokens, self.i = _tokens(text), 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str, expected: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            rest = " ".join(t for _, t in self.tokens[self.i:]) or "the end"
            raise ValueError(f"expected {expected} at {rest!r}")
        self.i += 1
        return token[1]

    def parse(self) -> Condition:
        condition = self.either()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()[1]!r}")
        return condition

    def either(self) -> Condition:
        parts = [self.both()]
        while self.peek() == ("word", "or"):
            self.i += 1
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else (lambda facts: any(p(facts) for p in parts))

    def both(self) -> Condition:
        parts = [self.atom()]
        while self.peek() == ("word", "and"):
            self.i += 1
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else (lambda facts: all(p(facts) for p in parts))

    def atom(self) -> Condition:
        if self.peek() == ("paren", "("):
            self.i += 1
            inner = self.either()
            self.take("paren", "')'", ")")
            return inner
        fact = self.take("word", "a fact name")
        if fact in ("and", "or"):
            raise ValueError(f"a fact name is missing before {fact!r}")
        op = self.take("op", "a comparison (>=, <=, >, <, ==, !=)")
        token = self.peek()
        if token is None or token[0] not in ("num", "str"):
            raise ValueError(f"{fact} {op} needs a number or a quoted string")
        self.i += 1
        return _comparison(fact, op, float(token[1]) if token[0] == "num" else token[1][1:-1])


@cache
def parse_condition(text: str, source: str = "") -> Condition:
    """A condition such as "repeat_rate >= 0.5 and price_level == 'premium'" as a function of the
    facts (no eval). Raises TemplateError naming `source` and the text when it cannot be read."""
    try:
        return _Parser(text).parse()
    except ValueError as e:
        raise TemplateError(f"{source or 'condition'}: cannot read condition {text!r}: {e}") from None


def holds(when: str | None, facts: Mapping, source: str = "") -> bool:
    """True when there is no condition or the condition holds for these facts."""
    return not when or parse_condition(when, source)(facts)


# --- data files -------------------------------------------------------------------------------

def conditions_in(tree: Any) -> list[str]:
    """Every `when` condition anywhere in a loaded data file."""
    if isinstance(tree, dict):
        when = tree.get("when")
        if isinstance(when, str) and isinstance(tree.get("limits"), dict):
            when = when.format(**tree["limits"])  # a rule's `{limit}` stands for its number
        found = [when] if isinstance(when, str) else []
        return found + [c for key, value in tree.items() if key != "when" for c in conditions_in(value)]
    if isinstance(tree, list):
        return [c for item in tree for c in conditions_in(item)]
    return []


@cache
def load(relative: str) -> dict:
    """A data file under resources/targeting/, with every condition checked once on loading."""
    path = TARGETING / relative
    with path.open("rb") as f:
        data = tomllib.load(f)
    for when in conditions_in(data):
        parse_condition(when, str(Path("resources/targeting") / relative))
    return data


def vocabulary() -> dict:
    return load("vocabulary.toml")


# --- derived facts ----------------------------------------------------------------------------

def friendly(amount: float) -> float:
    """A round amount a shop would print on a coupon: 4, 15, 20, 60, 150 … (never 0)."""
    step = 1 if amount < 10 else 5 if amount < 50 else 10 if amount < 200 else 50 if amount < 1000 else 100
    return max(step, round(amount / step) * step)


def friendly_up(amount: float) -> float:
    """The next round amount at or above `amount` (for a spend threshold)."""
    step = 5 if amount < 50 else 10 if amount < 200 else 50 if amount < 1000 else 100
    return math.ceil(amount / step) * step


def derive(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts plus the values texts compute from them, all in one place: coupon (about 12 % of
    the AOV, rounded friendly), a 满减 threshold (about 1.2 × AOV, rounded up) and its discount,
    contactable customers, and the segment's AOV and mean recency against the whole shop's
    (1 = like the shop as a whole), so data files can say "recent" or "big orders" for any shop."""
    out = facts.copy()
    aov = out["aov"].astype(float)
    out["coupon"] = aov.map(lambda a: friendly(0.12 * a) if a > 0 else math.nan)
    out["threshold"] = aov.map(lambda a: friendly_up(1.2 * a) if a > 0 else math.nan)
    out["threshold_off"] = out["threshold"].map(lambda t: friendly(0.1 * t) if t > 0 else math.nan)
    out["reach_customers"] = (out["reach"] * out["customers"]).round()
    total_orders = out["orders"].sum()
    out["shop_aov"] = out["net_sales"].sum() / total_orders if total_orders else math.nan
    out["aov_vs_shop"] = (aov / out["shop_aov"]).round(2)
    weights = out["customers"].where(out["mean_recency"].notna(), 0)  # shop-wide mean, by customers
    shop_recency = (out["mean_recency"].fillna(0) * weights).sum() / weights.sum() if weights.sum() else math.nan
    out["recency_vs_shop"] = (out["mean_recency"] / shop_recency).round(2) if shop_recency else math.nan
    return out


def fact_rows(facts: pd.DataFrame) -> dict[str, dict]:
    """Segment id -> its facts (raw and derived) as a plain dict, in display order."""
    return {sid: row.to_dict() for sid, row in derive(facts).iterrows()}


# --- formatting -------------------------------------------------------------------------------

def _kind(name: str) -> str:
    for kind, names in vocabulary()["kinds"].items():
        if name in names:
            return kind
    return "text"


def _number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals and "." in text else text


def money(value: float, currency: str, lang: str = "en") -> str:
    """US$186 / ¥186 / EUR 186: no decimals from 100 up or on whole amounts, else two."""
    decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 2
    amount = f"{round(value, decimals):,.{decimals}f}"
    symbol = vocabulary()["currency_symbols"].get(currency)
    return f"{symbol}{amount}" if symbol else f"{currency} {amount}".strip()


def percent(share: float, lang: str = "en", signed: bool = False) -> str:
    """0.37 -> "37 %" in English, "37%" in Chinese; one decimal only below 1 %."""
    value = share * 100
    text = _number(value, 1) if 0 < abs(value) < 1 else f"{round(value):,}"
    if signed and value > 0:
        text = "+" + text
    return f"{text}%" if is_zh(lang) else f"{text} %"


def month(number: float, lang: str = "en") -> str:
    return f"{int(number)}月" if is_zh(lang) else MONTHS[int(number) - 1]


def weekday(number: float, lang: str = "en") -> str:
    return (WEEKDAYS_ZH if is_zh(lang) else WEEKDAYS)[int(number)]


def days(value: float, lang: str = "en") -> str:
    n = round(value)
    return f"{n:,}天" if is_zh(lang) else f"{n:,} day{'' if n == 1 else 's'}"


def weeks(value: float, lang: str = "en") -> str:
    n = round(value)
    return f"{n:,}周" if is_zh(lang) else f"{n:,} week{'' if n == 1 else 's'}"


def _named(table: str, value: str, lang: str) -> str:
    names = vocabulary()[table].get(value)
    return names[1 if is_zh(lang) else 0] if names else value


def format_value(name: str, facts: Mapping, lang: str = "en") -> str | None:
    """One fact as text in `lang`, formatted for its kind; None when the fact is missing."""
    if name == "segment":
        value = facts.get("name_zh" if is_zh(lang) else "name")
        return None if _missing(value) else str(value)
    value = facts.get(name)
    if _missing(value):
        return None
    kind = _kind(name)
    if kind == "money":
        return money(float(value), str(facts.get("currency") or ""), lang)
    if kind == "percent":
        return percent(float(value), lang)
    if kind == "change":
        return percent(float(value), lang, signed=True)
    if kind == "days":
        return days(float(value), lang)
    if kind == "weeks":
        return weeks(float(value), lang)
    if kind == "count":
        return f"{round(float(value)):,}"
    if kind == "number":
        return _number(float(value), 1)
    if kind == "month":
        return month(float(value), lang)
    if kind == "weekday":
        return weekday(float(value), lang)
    if kind == "country":  # the one country table (resources/countries.toml), in a sentence's form
        from core.countries import country_name

        return country_name(value, lang, in_text=True)
    if kind == "region":  # a postal code (VT, NSW) named for the top country, where the table knows it
        from core.countries import region_name

        return region_name(value, facts.get("top_country"), lang)
    if kind in ("platform", "price_level"):
        return _named(f"{kind}_names", str(value), lang)
    if kind == "tag":  # an interest tag id: its name in the tag tables in force
        from core.tags import load_tables

        try:
            return load_tables().name(str(value), lang)
        except KeyError:
            return str(value)
    return str(value)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def fill(template: str, facts: Mapping, lang: str = "en") -> str | None:
    """The template with every {placeholder} formatted from the facts; None (skip the text) when
    any of them is missing, so no half-filled text ever reaches the user. English plural forms
    are written `{customers:# customer|# customers}` (core.i18n.format_text)."""
    values = {}
    for name in placeholders(template):
        text = format_value(name, facts, lang)
        if text is None:
            return None
        values[name] = text
    return format_text(template, values)


@dataclass(frozen=True)
class Template:
    """One text of a data file: an optional condition and the text in both languages."""

    text: str
    text_zh: str
    when: str = ""
    source: str = ""

    @classmethod
    def of(cls, entry: Mapping, key: str = "text", source: str = "") -> "Template":
        return cls(entry[key], entry[f"{key}_zh"], entry.get("when", ""), source)

    def render(self, facts: Mapping, lang: str = "en") -> str | None:
        """The filled text when the condition holds and every fact is there, else None."""
        if not holds(self.when, facts, self.source):
            return None
        return fill(self.text_zh if is_zh(lang) else self.text, facts, lang)
