"""Interest and lifestyle tags from what customers buy, by rules in data (resources/tags/tags.toml), each with its evidence."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from core.config import config_dir
from core.i18n import t
from core.model import OrderBook
from core.resources import RESOURCES
from core.safe_write import atomic_path

BUNDLED = RESOURCES / "tags" / "tags.toml"
NONE = "none"  # segment id of customers whose purchases support no tag
UNITS = ("orders", "lines")
SOURCES = ("keyword", "category", "price", "discount", "note")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LISTS = ("keywords", "keywords_zh", "categories", "note_keywords", "note_keywords_zh")
_TEXTS = ("id", "name", "name_zh", "description", "description_zh")


def user_tables_path() -> Path:
    """Where the seller's own tag tables are saved (they replace the bundled ones as a whole)."""
    return config_dir() / "tags.toml"


# --- the tables -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TagRule:
    """One tag: its names, what counts as evidence, and how much evidence it needs."""

    id: str
    name: str
    name_zh: str
    description: str = ""
    description_zh: str = ""
    unit: str = "orders"
    min_purchases: int = 1
    min_share: float = 0.0
    keywords: tuple[str, ...] = ()
    keywords_zh: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    price_ratio_min: float | None = None
    price_ratio_max: float | None = None
    discount: bool = False
    note_keywords: tuple[str, ...] = ()
    note_keywords_zh: tuple[str, ...] = ()

    def text(self, lang: str = "en") -> tuple[str, str]:
        """(name, description) in `lang`."""
        zh = lang.lower().startswith("zh")
        return (self.name_zh, self.description_zh) if zh else (self.name, self.description)

    def as_dict(self) -> dict:
        """The rule as its data file writes it (empty fields left out)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or (f.name == "discount" and not value):
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class TagTables:
    """The tag rules in force, where they came from, and notes (e.g. the seller's file was unreadable)."""

    rules: tuple[TagRule, ...]
    source: str = str(BUNDLED)
    user: bool = False  # True when the seller's own file is in force
    notes: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    def rule(self, tag_id: str) -> TagRule:
        for rule in self.rules:
            if rule.id == tag_id:
                return rule
        raise KeyError(tag_id)

    def name(self, tag_id: str, lang: str = "en") -> str:
        """The tag's name in `lang`; "no clear interest" for NONE."""
        if tag_id == NONE:
            return t("tags.none_name", lang=_lang(lang))
        return self.rule(tag_id).text(lang)[0]

    def as_dict(self) -> dict:
        return {"tags": [rule.as_dict() for rule in self.rules]}


class TagTableError(ValueError):
    """Tag tables that cannot be used; `problems` lists each problem (file, tag, what is wrong)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _lang(lang: str | None) -> str | None:
    return None if lang is None else ("zh_CN" if lang.lower().startswith("zh") else "en")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate(data: dict, source: str = "tags.toml") -> TagTables:
    """TagTables from a loaded data file (or the dict the app edits), or TagTableError naming the
    file, the tag and what is wrong, for every problem found."""
    file = Path(source).name
    problems: list[str] = []

    def bad(message_id: str, **params) -> None:
        problems.append(t(message_id, file=file, **params))

    if not isinstance(data, dict) or not isinstance(data.get("tags"), list) or not data["tags"]:
        raise TagTableError([t("tags.error.no_tags", file=file)])
    unknown_top = sorted(set(data) - {"tags", "version"})
    if unknown_top:
        bad("tags.error.unknown_key", tag="—", field=", ".join(unknown_top))
    known = {f.name for f in fields(TagRule)}
    rules, seen = [], set()
    for number, entry in enumerate(data["tags"], start=1):
        if not isinstance(entry, dict):
            bad("tags.error.not_a_table", tag=f"#{number}")
            continue
        tag = str(entry.get("id") or f"#{number}")
        before = len(problems)
        for key in sorted(set(entry) - known):
            bad("tags.error.unknown_key", tag=tag, field=key)
        for key in ("id", "name", "name_zh"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                bad("tags.error.missing", tag=tag, field=key)
        for key in ("description", "description_zh"):
            if key in entry and not isinstance(entry[key], str):
                bad("tags.error.type", tag=tag, field=key, expected=t("tags.error.expect_text"))
        if isinstance(entry.get("id"), str):
            if not _ID.match(entry["id"]) or entry["id"] == NONE:
                bad("tags.error.bad_id", tag=tag)
            elif entry["id"] in seen:
                bad("tags.error.duplicate", tag=tag)
            seen.add(entry["id"])
        if entry.get("unit", "orders") not in UNITS:
            bad("tags.error.unit", tag=tag, value=entry.get("unit"))
        minimum = entry.get("min_purchases", 1)
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            bad("tags.error.min_purchases", tag=tag, value=minimum)
        share = entry.get("min_share", 0.0)
        if not _number(share) or not 0 <= share <= 1:
            bad("tags.error.min_share", tag=tag, value=share)
        for key in ("price_ratio_min", "price_ratio_max"):
            if key in entry and (not _number(entry[key]) or entry[key] <= 0):
                bad("tags.error.ratio", tag=tag, field=key, value=entry[key])
        if "discount" in entry and not isinstance(entry["discount"], bool):
            bad("tags.error.type", tag=tag, field="discount", expected=t("tags.error.expect_bool"))
        for key in _LISTS:
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                bad("tags.error.list", tag=tag, field=key)
        has_evidence = any(entry.get(key) for key in _LISTS) or entry.get("discount") is True or any(
            key in entry for key in ("price_ratio_min", "price_ratio_max"))
        if not has_evidence:
            bad("tags.error.no_evidence", tag=tag)
        if len(problems) == before:
            values = {k: (tuple(v.strip() for v in entry[k]) if k in _LISTS else entry[k])
                      for k in known if k in entry}
            for key in ("min_share", "price_ratio_min", "price_ratio_max"):
                if key in values:
                    values[key] = float(values[key])
            rules.append(TagRule(**{k: (v.strip() if k in _TEXTS else v) for k, v in values.items()}))
    if problems:
        raise TagTableError(problems)
    return TagTables(tuple(rules), str(source))


def read_tables(path) -> TagTables:
    """The tag tables of one TOML file, validated (TagTableError when unreadable or invalid)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as error:
        raise TagTableError([t("tags.error.read", file=path.name, reason=error.strerror or str(error))]) from None
    except tomllib.TOMLDecodeError as error:
        raise TagTableError([t("tags.error.toml", file=path.name, reason=str(error))]) from None
    return validate(data, str(path))


def bundled_tables() -> TagTables:
    return read_tables(BUNDLED)


def load_tables(strict: bool = False) -> TagTables:
    """The tag tables in force: the seller's own file when there is one, else the bundled tables.

    A seller's file that cannot be used raises TagTableError when `strict` (the editor shows the
    problems); otherwise the bundled tables are used and `notes` says why."""
    path = user_tables_path()
    if not path.exists():
        return bundled_tables()
    try:
        return replace(read_tables(path), user=True)
    except TagTableError as error:
        if strict:
            raise
        note = t("tags.user_file_ignored", file=str(path), problems="; ".join(error.problems))
        return replace(bundled_tables(), notes=(note,))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def dumps(tables: TagTables | dict) -> str:
    """The tables as TOML text, in the bundled file's layout."""
    data = tables.as_dict() if isinstance(tables, TagTables) else tables
    out = [f"# {t('tags.file_header', lang='en')}", "version = 1", ""]
    for entry in data["tags"]:
        out.append("[[tags]]")
        out.extend(f"{key} = {_toml_value(value)}" for key, value in entry.items())
        out.append("")
    return "\n".join(out)


def save_tables(tables: TagTables | dict) -> Path:
    """Validate and save the seller's tag tables (atomically) to the config folder; returns the path.
    Raises TagTableError (nothing is written) when they are not valid."""
    data = tables.as_dict() if isinstance(tables, TagTables) else tables
    text = dumps(data)
    validate(tomllib.loads(text), str(user_tables_path()))  # exactly what will be read back
    path = user_tables_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def reset_tables() -> TagTables:
    """Remove the seller's own tables; the bundled ones are in force again."""
    user_tables_path().unlink(missing_ok=True)
    return bundled_tables()


# --- matching -------------------------------------------------------------------------------------

def keyword_pattern(words) -> str | None:
    """One regex for a keyword list: English words whole (any case, plural s/es allowed), words
    with Chinese characters anywhere."""
    parts = []
    for word in dict.fromkeys(w.strip() for w in words if w.strip()):
        escaped = r"\s+".join(re.escape(p) for p in word.split())
        if _CJK.search(word):
            parts.append(escaped)
        else:
            parts.append(rf"(?<![^\W\d_]){escaped}(?:e?s)?(?![^\W\d_])")
    if not parts:
        return None
    parts.sort(key=len, reverse=True)  # the longest phrase first: "gift set" before "gift"
    return "(" + "|".join(parts) + ")"


def _matches(values: pd.Series, pattern: str | None) -> pd.Series:
    """The keyword each value contains (lower case, as written), else missing. Matched once per
    distinct value: product names and notes repeat over many lines."""
    if pattern is None or values.empty:
        return pd.Series(pd.NA, index=values.index, dtype="str")
    codes, uniques = pd.factorize(values)
    # Object dtype: Python's re (lookbehind for whole words), not the Arrow regex engine.
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    found = distinct.str.extract(pattern, flags=re.IGNORECASE, expand=False).str.lower()
    words = found.to_numpy(dtype=object, na_value=None)
    taken = np.where(codes >= 0, words[np.maximum(codes, 0)], None) if len(words) else [None] * len(values)
    return pd.Series(taken, index=values.index, dtype="str")


# --- tagging --------------------------------------------------------------------------------------

@dataclass
class CustomerTags:
    """Tags of every customer with their evidence.

    counts: customer_key × tag id, supporting purchases (paid orders, or lines for `unit = "lines"`);
    assigned: customer_key × tag id, True where the tag is given (count ≥ min_purchases and share
    ≥ min_share); base: per customer, paid `orders` and `lines` (the shares' denominators);
    evidence: one row per given tag and piece of evidence — customer_key, tag, source (keyword,
    category, price, discount, note), detail (product name, category, discount code, or the word
    found in the note), matched (the keyword, category or price ratio), purchases (supporting
    purchases of that detail); notes: (message id, params) about what the data could not show.
    """

    tables: TagTables
    counts: pd.DataFrame
    assigned: pd.DataFrame
    base: pd.DataFrame
    evidence: pd.DataFrame
    notes: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def customers(self) -> pd.Index:
        return self.assigned.index

    def tags_of(self, customer_key: str) -> list[str]:
        """The tag ids given to one customer, in table order."""
        if customer_key not in self.assigned.index:
            return []
        row = self.assigned.loc[customer_key]
        return [tag for tag in self.assigned.columns if row[tag]]

    def shares(self) -> pd.DataFrame:
        """customer_key × tag id: supporting purchases / the customer's paid orders (or lines)."""
        out = pd.DataFrame(index=self.counts.index)
        for rule in self.tables.rules:
            denominator = self.base[rule.unit].where(self.base[rule.unit] > 0)
            out[rule.id] = (self.counts[rule.id] / denominator).fillna(0.0)
        return out

    def primary(self) -> pd.Series:
        """Per customer: the given tag that the largest share of their purchases supports (ties:
        table order), or NONE."""
        if not len(self.assigned.columns):
            return pd.Series(NONE, index=self.assigned.index, dtype="str")
        score = self.shares().where(self.assigned, -1.0).to_numpy()
        best = np.asarray(self.assigned.columns, dtype=object)[score.argmax(axis=1)]
        best = np.where(self.assigned.to_numpy().any(axis=1), best, NONE)
        return pd.Series(best, index=self.assigned.index, dtype="str")

    def describe(self, customer_key: str, lang: str = "en") -> list[dict]:
        """One customer's tags for a card: [{tag, name, purchases, share, evidence: [text, …]}]."""
        rows = self.evidence[self.evidence["customer_key"] == customer_key]
        shares = self.shares()
        out = []
        for tag in self.tags_of(customer_key):
            mine = rows[rows["tag"] == tag]
            out.append({"tag": tag, "name": self.tables.name(tag, lang),
                        "purchases": int(self.counts.at[customer_key, tag]),
                        "share": round(float(shares.at[customer_key, tag]), 4),
                        "evidence": [evidence_text(r, lang) for r in mine.itertuples(index=False)]})
        return out

    def summary(self) -> pd.DataFrame:
        """Per tag (table order): customers given it and their share of all tagged-or-not customers."""
        total = max(len(self.assigned), 1)
        given = self.assigned.sum().astype(int)
        table = pd.DataFrame({"customers": given, "share": (given / total).round(4)})
        table.loc[NONE] = [int((~self.assigned.any(axis=1)).sum()),
                           round(float((~self.assigned.any(axis=1)).sum()) / total, 4)]
        table["customers"] = table["customers"].astype(int)
        return table


def evidence_text(row, lang: str = "en") -> str:
    """One piece of evidence as a short sentence ("Organic Cotton Tee: “organic”, 3 orders")."""
    key = "discount_nocode" if row.source == "discount" and not row.detail else row.source
    return t(f"tags.evidence.{key}", lang=_lang(lang), detail=row.detail, matched=row.matched,
             count=int(row.purchases))


_EVIDENCE_COLUMNS = ("customer_key", "tag", "source", "detail", "matched", "purchases")


def _paid(book: OrderBook, until: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paid orders (all, with an integer order code) and their lines, before `until` when given."""
    orders = book.orders[book.orders["status"] == "paid"]
    if until is not None:
        orders = orders[orders["placed_at"] < pd.Timestamp(until, tz="UTC")]
    orders = orders[["platform", "order_id", "customer_key", "currency", "discount", "discount_code", "note"]]
    orders = orders.assign(order=np.arange(len(orders)))
    lines = book.lines[["platform", "order_id", "product_name", "category", "unit_price"]].merge(
        orders[["platform", "order_id", "customer_key", "currency", "order"]], on=["platform", "order_id"],
        how="inner")
    return orders.reset_index(drop=True), lines


def price_ratio(lines: pd.DataFrame) -> pd.Series:
    """Each line's unit price / the median unit price of its category (per currency) over the shop's
    paid lines; lines without a category are compared with all uncategorised lines."""
    group = [lines["currency"].fillna(""), lines["category"].fillna("\0")]
    median = lines["unit_price"].groupby(group).transform("median")
    return lines["unit_price"] / median.where(median > 0)


def customer_tags(book: OrderBook, tables: TagTables | None = None, until: dt.date | None = None,
                  customers: pd.Index | None = None) -> CustomerTags:
    """The tags of every identified customer with paid orders (before `until`), with evidence.

    A purchase supports a tag when any of the tag's evidence sources holds for it (see the data
    file); a tag is given when its supporting purchases reach `min_purchases` and `min_share` of the
    customer's paid orders (or lines). `customers`: reindex the result to these keys (customers
    without paid orders then have no tag). `tables`: default `load_tables()`.
    """
    tables = tables or load_tables()
    orders, lines = _paid(book, until)
    ratio = price_ratio(lines)  # against every paid line of the shop, identified buyer or not
    orders = orders[orders["customer_key"].fillna("") != ""]
    identified = lines["customer_key"].fillna("") != ""
    lines, ratio = lines[identified], ratio[identified]
    keys = pd.Index(sorted(orders["customer_key"].unique()), name="customer_key", dtype="str")
    base = pd.DataFrame({"orders": orders.groupby("customer_key").size(),
                         "lines": lines.groupby("customer_key").size()}).reindex(keys).fillna(0).astype(int)
    names = lines["product_name"].fillna("")
    category = lines["category"].str.strip().str.casefold()
    discounted = orders["discount_code"].notna() | (orders["discount"].fillna(0) > 0)
    counts, events = {}, []
    for rule in tables.rules:
        found = []  # frames of (customer_key, purchase, source, detail, matched)
        word = _matches(names, keyword_pattern(rule.keywords + rule.keywords_zh))
        hit = word.notna()
        found.append(_events(lines[hit], rule, "keyword", names[hit], word[hit]))
        if rule.categories:
            wanted = {c.strip().casefold() for c in rule.categories}
            hit = category.isin(wanted).fillna(False).astype(bool)
            found.append(_events(lines[hit], rule, "category", names[hit], lines.loc[hit, "category"]))
        if rule.price_ratio_min is not None or rule.price_ratio_max is not None:
            hit = ratio.notna()
            if rule.price_ratio_min is not None:
                hit &= ratio >= rule.price_ratio_min
            if rule.price_ratio_max is not None:
                hit &= ratio <= rule.price_ratio_max
            found.append(_events(lines[hit], rule, "price", names[hit], ratio[hit].round(1).map("{:g}×".format)))
        if rule.discount:
            hit = discounted
            code = orders.loc[hit, "discount_code"].fillna("").astype("str")
            found.append(_events(orders[hit], rule, "discount", code, code))
        note = _matches(orders["note"].fillna(""), keyword_pattern(rule.note_keywords + rule.note_keywords_zh))
        hit = note.notna()
        found.append(_events(orders[hit], rule, "note", note[hit], note[hit]))
        found = pd.concat(found, ignore_index=True)
        purchase = "order" if rule.unit == "orders" else "purchase"
        supported = found.drop_duplicates(["customer_key", purchase])
        counts[rule.id] = supported.groupby("customer_key").size().reindex(keys, fill_value=0)
        events.append(found.assign(tag=rule.id, _unit=purchase))
    counts = pd.DataFrame(counts, index=keys, columns=tables.ids).fillna(0).astype(int)
    assigned = pd.DataFrame(index=keys)
    for rule in tables.rules:
        share = counts[rule.id] / base[rule.unit].where(base[rule.unit] > 0)
        assigned[rule.id] = (counts[rule.id] >= rule.min_purchases) & (share.fillna(0) >= rule.min_share - 1e-12)
    assigned = assigned.reindex(columns=tables.ids).astype(bool)
    evidence = _evidence(events, assigned)
    if customers is not None:
        counts = counts.reindex(customers, fill_value=0)
        assigned = assigned.reindex(customers, fill_value=False).astype(bool)
        base = base.reindex(customers, fill_value=0)
        evidence = evidence[evidence["customer_key"].isin(customers)].reset_index(drop=True)
    return CustomerTags(tables, counts, assigned, base, evidence, _notes(book, lines, orders, tables))


def _events(rows: pd.DataFrame, rule: TagRule, source: str, detail: pd.Series, matched: pd.Series) -> pd.DataFrame:
    """Evidence rows: who, which purchase (order; line or order for unit "lines"), what."""
    purchase = rows.index.to_numpy() if source in ("keyword", "category", "price") else -1 - rows["order"].to_numpy()
    return pd.DataFrame({"customer_key": rows["customer_key"].to_numpy(), "order": rows["order"].to_numpy(),
                         "purchase": purchase, "source": source,
                         "detail": np.asarray(detail, dtype=object), "matched": np.asarray(matched, dtype=object)})


def _evidence(events: list[pd.DataFrame], assigned: pd.DataFrame) -> pd.DataFrame:
    """Evidence of the tags given only: purchases per (customer, tag, source, detail)."""
    if not events:
        return pd.DataFrame(columns=list(_EVIDENCE_COLUMNS))
    frames = []
    for found in events:
        if found.empty:
            continue
        tag = found["tag"].iat[0]
        given = assigned.index[assigned[tag]]
        found = found[found["customer_key"].isin(given)]
        unit = found["_unit"].iat[0] if len(found) else "order"
        grouped = found.groupby(["customer_key", "tag", "source", "detail", "matched"], sort=False)[unit].nunique()
        frames.append(grouped.rename("purchases").reset_index())
    if not frames:
        return pd.DataFrame(columns=list(_EVIDENCE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    order = {tag: i for i, tag in enumerate(assigned.columns)}
    out = out.assign(_t=out["tag"].map(order)).sort_values(
        ["customer_key", "_t", "purchases", "detail"], ascending=[True, True, False, True], kind="stable")
    return out[list(_EVIDENCE_COLUMNS)].reset_index(drop=True)


def _notes(book: OrderBook, lines: pd.DataFrame, orders: pd.DataFrame, tables: TagTables) -> list[tuple[str, dict]]:
    """What the exports could not show: products, categories, discounts or notes the rules read."""
    notes = []
    rules = tables.rules
    if lines.empty or lines["product_name"].isna().all():
        notes.append(("tags.note_no_products", {}))
    elif any(r.categories for r in rules) and lines["category"].isna().all():
        notes.append(("tags.note_no_categories", {}))
    if any(r.discount for r in rules) and orders["discount"].isna().all() and orders["discount_code"].isna().all():
        notes.append(("tags.note_no_discounts", {}))
    if any(r.note_keywords or r.note_keywords_zh for r in rules) and orders["note"].isna().all():
        notes.append(("tags.note_no_notes", {}))
    return notes


# --- per segment ----------------------------------------------------------------------------------

def tag_mix(tags: CustomerTags, segments) -> pd.DataFrame:
    """Per segment: `customers` and, for each tag and NONE, the share of its customers given it (a
    customer may have several tags, so the shares of a row can add up to more than 1).

    `segments`: a Segmentation (display order kept) or a Series customer_key → segment id."""
    order = None
    if hasattr(segments, "customers") and hasattr(segments, "order"):
        order, segments = segments.order, segments.customers["segment"]
    assigned = tags.assigned.reindex(segments.index, fill_value=False).astype(bool)
    table = assigned.assign(**{NONE: ~assigned.any(axis=1)}).astype(float)
    mix = table.groupby(segments.to_numpy()).mean().round(4)
    mix.insert(0, "customers", segments.groupby(segments.to_numpy()).size())
    if order is not None:
        mix = mix.reindex([s for s in order if s in mix.index])
    mix.index.name = "segment"
    return mix


def tag_segments(book: OrderBook, customers: pd.Index, until: dt.date | None = None,
                 tables: TagTables | None = None):
    """The "tags" segmentation: each customer in their primary tag's segment, or NONE ("no clear
    interest"); labels (SegmentLabel) of the segments present, in table order."""
    from core.segments.maps import SegmentLabel

    tables = tables or load_tables()
    tags = customer_tags(book, tables, until, customers)
    segment = tags.primary()
    present = set(segment)
    labels = {rule.id: SegmentLabel(rule.id, rule.name, rule.name_zh, rule.description, rule.description_zh)
              for rule in tables.rules if rule.id in present}
    if NONE in present:
        labels[NONE] = SegmentLabel(NONE, t("tags.none_name", lang="en"), t("tags.none_name", lang="zh_CN"),
                                    t("tags.none_description", lang="en"),
                                    t("tags.none_description", lang="zh_CN"))
    return segment, labels


__all__ = ["TagRule", "TagTables", "TagTableError", "CustomerTags", "customer_tags", "tag_mix",
           "tag_segments", "load_tables", "save_tables", "reset_tables", "bundled_tables", "read_tables",
           "validate", "dumps", "user_tables_path", "keyword_pattern", "price_ratio", "evidence_text", "NONE"]
