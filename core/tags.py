"""Interest and lifestyle tags from what customers buy, by rules in data (resources/tags/tags.toml), each with its evidence."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from core.config import config_dir
from core.i18n import catalog_lang, t
from core.model import OrderBook, among, first_present, line_orders
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
            return t("tags.none_name", lang=catalog_lang(lang))
        return self.rule(tag_id).text(lang)[0]

    def as_dict(self) -> dict:
        return {"tags": [rule.as_dict() for rule in self.rules]}


class TagTableError(ValueError):
    """Tag tables that cannot be used; `problems` lists each problem (file, tag, what is wrong)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


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


@cache
def _read_version(path: str, inode: int, size: int, mtime_ns: int) -> TagTables:
    """read_tables once per version of a file (the tables are immutable, so they are shared)."""
    return read_tables(path)


def _read_once(path: Path) -> TagTables:
    """read_tables(path), read again only when the file changed (a new inode, size or time):
    the texts ask for the tables in force once per persona and per tag fact."""
    try:
        stat = path.stat()
    except OSError:
        return read_tables(path)  # TagTableError naming why it cannot be read
    return _read_version(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def tables_version() -> tuple | None:
    """What says which tag tables are in force: the seller's file and its version (inode, size,
    modification time), or None for the bundled ones. Results built on the tables keep it."""
    path = user_tables_path()
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def bundled_tables() -> TagTables:
    return _read_once(BUNDLED)


def load_tables(strict: bool = False) -> TagTables:
    """The tag tables in force: the seller's own file when there is one, else the bundled tables.

    A seller's file that cannot be used raises TagTableError when `strict` (the editor shows the
    problems); otherwise the bundled tables are used and `notes` says why."""
    path = user_tables_path()
    if not path.exists():
        return bundled_tables()
    try:
        return replace(_read_once(path), user=True)
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
    _read_version.cache_clear()
    return path


def reset_tables() -> TagTables:
    """Remove the seller's own tables; the bundled ones are in force again."""
    user_tables_path().unlink(missing_ok=True)
    _read_version.cache_clear()
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


class _Distinct:
    """A text column as integer codes and its distinct values: keywords are matched once per
    distinct product name or note, not once per line (names repeat over many lines)."""

    def __init__(self, values: pd.Series, normalize=None):
        if isinstance(values.dtype, pd.CategoricalDtype):  # an imported book's: codes are there
            self.codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
        else:
            self.codes, uniques = pd.factorize(values)
        # Object dtype: Python's re (lookbehind for whole words), not the Arrow regex engine.
        self.values = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
        if normalize is not None:  # once per distinct value; two may become one (hits allow it)
            self.values = normalize(self.values)

    def words(self, pattern: str | None) -> np.ndarray:
        """Per distinct value: the keyword it contains (lower case, as written), else None."""
        if pattern is None or self.values.empty:
            return np.full(len(self.values), None, dtype=object)
        found = self.values.str.extract(pattern, flags=re.IGNORECASE, expand=False).str.lower()
        return found.to_numpy(dtype=object, na_value=None)

    def hits(self, per_value: np.ndarray) -> np.ndarray:
        """Per row: True where its distinct value is marked in `per_value` (missing rows: False)."""
        if not len(per_value):
            return np.zeros(len(self.codes), dtype=bool)
        return np.where(self.codes >= 0, per_value[np.maximum(self.codes, 0)], False).astype(bool)


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
    # Builds the evidence table, on first use only: a plan reads the tag mix, and the evidence of a
    # million customers is millions of rows of text.
    build_evidence: Callable[[], pd.DataFrame] = field(repr=False)
    notes: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def customers(self) -> pd.Index:
        return self.assigned.index

    @cached_property
    def evidence(self) -> pd.DataFrame:
        table, self.build_evidence = self.build_evidence(), None  # the builder's arrays are let go
        return table

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
    return t(f"tags.evidence.{key}", lang=catalog_lang(lang), detail=row.detail, matched=row.matched,
             count=int(row.purchases))


_EVIDENCE_COLUMNS = ("customer_key", "tag", "source", "detail", "matched", "purchases")
_LINE_SOURCES = ("keyword", "category", "price")


def _paid(book: OrderBook, until: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paid orders (all, with an integer order code) and their lines, before `until` when given.
    Built once per book and date object (a plan tags twice; only the last date's are kept);
    callers never change them."""
    return book.memo_of(until, "tags_paid", lambda b: _paid_before(b, until))


def _paid_before(book: OrderBook, until: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    columns = ["customer_key", "currency", "discount", "discount_code", "note"]  # `order` says which order
    paid = book.orders["status"] == "paid"
    if until is not None:
        paid &= book.orders["placed_at"] < pd.Timestamp(until, tz="UTC")
    paid = paid.to_numpy()
    orders = book.orders.loc[paid, columns]  # only these columns are copied
    # Order codes as int32: half the memory of ten million lines' codes, and far from overflowing.
    orders = orders.assign(order=np.arange(len(orders), dtype=np.int32)).reset_index(drop=True)
    row = np.full(len(paid) + 1, -1, dtype=np.int32)  # row in `orders` of each order of the book; [-1]: none
    row[np.flatnonzero(paid)] = orders["order"].to_numpy()
    order = row[line_orders(book)]
    keep = order >= 0
    lines = book.lines.loc[keep, ["product_name", "category", "unit_price"]]
    lines = lines.reset_index(drop=True).assign(
        currency=orders["currency"].take(order[keep]).reset_index(drop=True), order=order[keep])
    return orders, lines


def price_ratio(lines: pd.DataFrame) -> pd.Series:
    """Each line's unit price / the median unit price of its category (per currency) over the shop's
    paid lines; lines without a category are compared with all uncategorised lines."""
    group = [first_present(lines["currency"], ""), first_present(lines["category"], "\0")]
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
    ratio = price_ratio(lines).to_numpy(dtype=float, na_value=np.nan)  # against every paid line
    # Everything below runs on integer codes: customers, orders, lines, distinct names and notes.
    identified = (orders["customer_key"].notna() & (orders["customer_key"] != "")).to_numpy()
    codes, keys = pd.factorize(orders.loc[identified, "customer_key"], sort=True)
    keys = pd.Index(np.asarray(keys, dtype=object), name="customer_key", dtype="str")
    customer_of = np.full(len(orders), -1, dtype=np.int32)  # int32: ten million lines' codes are large
    customer_of[identified] = codes
    line_order = lines["order"].to_numpy()
    line_customer = customer_of[line_order]
    n = len(keys)
    base = pd.DataFrame({"orders": np.bincount(codes, minlength=n),
                         "lines": np.bincount(line_customer[line_customer >= 0], minlength=n)}, index=keys)
    data = {
        "n": n, "lines": len(lines), "line_order": line_order, "line_customer": line_customer,
        "customer_of": customer_of, "ratio": ratio,
        "names": _Distinct(lines["product_name"]),
        "categories": _Distinct(lines["category"], lambda v: v.str.strip().str.casefold()),
        "raw_categories": lines["category"],  # read for the evidence rows only
        "notes": _Distinct(orders["note"]),
        "discounted": ((orders["discount_code"].notna() | (orders["discount"].fillna(0) > 0)).to_numpy()
                       & identified),
        "codes": orders["discount_code"],
    }
    counts, assigned, found_all = {}, {}, {}
    for rule in tables.rules:
        found = _found(rule, data)
        counts[rule.id] = _supporting(found, rule.unit, data)
        denominator = base[rule.unit].to_numpy()
        share = np.divide(counts[rule.id], denominator, out=np.zeros(n), where=denominator > 0)
        assigned[rule.id] = (counts[rule.id] >= rule.min_purchases) & (share >= rule.min_share - 1e-12)
        found_all[rule.id] = found
    counts = pd.DataFrame(counts, index=keys, columns=tables.ids).astype(int)
    assigned = pd.DataFrame(assigned, index=keys, columns=tables.ids).astype(bool)
    units = {rule.id: rule.unit for rule in tables.rules}
    given = assigned  # the closure reads its names when called: the tags as found, not reindexed below

    def evidence() -> pd.DataFrame:
        table = _evidence(found_all, given, data, units)
        if customers is None:
            return table
        return table[among(table["customer_key"], pd.Index(customers).unique())].reset_index(drop=True)

    if customers is not None:
        counts = counts.reindex(customers, fill_value=0)
        assigned = assigned.reindex(customers, fill_value=False).astype(bool)
        base = base.reindex(customers, fill_value=0)
    return CustomerTags(tables, counts, assigned, base, evidence, _notes(book, lines, orders, tables))


def _found(rule: TagRule, data: dict) -> dict[str, dict]:
    """Per evidence source of one rule: the rows (lines or orders) that support it and what matched."""
    out = {}
    names = data["names"]
    words = names.words(keyword_pattern(rule.keywords + rule.keywords_zh))
    hit = names.hits(np.array([w is not None for w in words], dtype=bool))
    out["keyword"] = {"rows": np.flatnonzero(hit), "matched": words}
    if rule.categories:
        wanted = {c.strip().casefold() for c in rule.categories}
        categories = data["categories"]
        out["category"] = {"rows": np.flatnonzero(categories.hits(categories.values.isin(wanted).to_numpy()))}
    if rule.price_ratio_min is not None or rule.price_ratio_max is not None:
        ratio = data["ratio"]
        hit = ~np.isnan(ratio)
        if rule.price_ratio_min is not None:
            hit &= ratio >= rule.price_ratio_min
        if rule.price_ratio_max is not None:
            hit &= ratio <= rule.price_ratio_max
        out["price"] = {"rows": np.flatnonzero(hit)}
    if rule.discount:
        out["discount"] = {"rows": np.flatnonzero(data["discounted"])}
    notes = data["notes"]
    note_words = notes.words(keyword_pattern(rule.note_keywords + rule.note_keywords_zh))
    hit = notes.hits(np.array([w is not None for w in note_words], dtype=bool)) & (data["customer_of"] >= 0)
    out["note"] = {"rows": np.flatnonzero(hit), "matched": note_words}
    for source, found in out.items():  # who and which purchase: line evidence (lines ≥ 0), orders < 0
        rows = found["rows"]
        if source in _LINE_SOURCES:
            keep = data["line_customer"][rows] >= 0
            found["rows"] = rows = rows[keep]
            found["customer"], found["order"] = data["line_customer"][rows], data["line_order"][rows]
            found["purchase"] = rows
        else:
            found["customer"], found["order"] = data["customer_of"][rows], rows
            found["purchase"] = -1 - rows
    return out


def _supporting(found: dict[str, dict], unit: str, data: dict) -> np.ndarray:
    """Supporting purchases per customer code: distinct orders (or lines, and orders for order-level
    evidence) with any evidence, marked once each and counted per customer."""
    customer_of = data["customer_of"]
    orders = np.zeros(len(customer_of), dtype=bool)
    lines = np.zeros(data["lines"], dtype=bool)
    for source, f in found.items():
        if unit == "orders":
            orders[f["order"]] = True
        else:
            (lines if source in _LINE_SOURCES else orders)[f["rows"]] = True
    who = np.concatenate([customer_of[orders], data["line_customer"][lines]])
    return np.bincount(who[who >= 0], minlength=data["n"])


def _evidence(found_all: dict, assigned: pd.DataFrame, data: dict, units: dict[str, str]) -> pd.DataFrame:
    """Evidence of the tags given only: purchases per (customer, tag, source, detail, matched)."""
    frames = []
    keys = assigned.index
    names = data["names"]
    for tag, found in found_all.items():
        given = assigned[tag].to_numpy()
        unit = "order" if units[tag] == "orders" else "purchase"
        for source, f in found.items():
            keep = given[f["customer"]] if len(f["customer"]) else np.zeros(0, dtype=bool)
            rows = f["rows"][keep]
            if not len(rows):
                continue
            if source in _LINE_SOURCES:
                detail = names.values.to_numpy()[np.maximum(names.codes[rows], 0)]
                detail = np.where(names.codes[rows] >= 0, detail, "")
                if source == "keyword":
                    matched = f["matched"][names.codes[rows]]
                elif source == "category":
                    matched = data["raw_categories"].take(rows).to_numpy(dtype=object, na_value=None)
                else:
                    matched = np.array([f"{r:g}×" for r in np.round(data["ratio"][rows], 1)], dtype=object)
            elif source == "discount":
                detail = matched = first_present(data["codes"].take(rows), "").to_numpy(dtype=object)
            else:
                detail = matched = f["matched"][data["notes"].codes[rows]]
            frames.append(pd.DataFrame({
                "customer": f["customer"][keep], "tag": tag, "source": source,
                "detail": np.asarray(detail, dtype=object), "matched": np.asarray(matched, dtype=object),
                "unit": f[unit][keep]}))
    if not frames:
        return pd.DataFrame(columns=list(_EVIDENCE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    grouped = out.groupby(["customer", "tag", "source", "detail", "matched"], sort=False)["unit"].nunique()
    out = grouped.rename("purchases").reset_index()
    order = {tag: i for i, tag in enumerate(assigned.columns)}
    out = out.assign(_t=out["tag"].map(order)).sort_values(
        ["customer", "_t", "purchases", "detail"], ascending=[True, True, False, True], kind="stable")
    out["customer_key"] = keys.to_numpy()[out["customer"].to_numpy()]
    return out[list(_EVIDENCE_COLUMNS)].astype({"customer_key": "str", "tag": "str", "source": "str",
                                                  "detail": "str", "matched": "str"}).reset_index(drop=True)


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
