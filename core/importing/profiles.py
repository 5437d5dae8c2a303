"""Marketplace export profiles: declarative column maps (resources/profiles/*.toml) loaded and checked."""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from core.model import LINE_FIELDS, ORDER_FIELDS, STATUSES
from core.resources import RESOURCES

PROFILE_DIR = RESOURCES / "profiles"
ROLES = ("orders+lines", "orders", "lines", "catalog")  # catalog: a product list (SKU → category)
# Canonical fields a profile may map that are not stored as such but feed other fields.
EXTRA_ORDER_FIELDS = ("first_name", "last_name", "address", "group_key")
MAPPABLE_ORDER = tuple(f for f in ORDER_FIELDS if f not in (
    "platform", "customer_key", "source_file", "source_row")) + EXTRA_ORDER_FIELDS
MAPPABLE_LINE = tuple(f for f in LINE_FIELDS if f not in (
    "platform", "order_id", "source_file", "source_row"))


class ProfileError(ValueError):
    """A profile file does not follow the schema; the message names the file and the key."""


@lru_cache(maxsize=8192)  # asked for the same few hundred headers tens of thousands of times
def normalize_header(name: object) -> str:
    """Header names compare after NFKC (full-width → half-width), trimming, case-folding and
    collapsing inner whitespace, so `Order ID`, `order id ` and `ＯＲＤＥＲ　ＩＤ` all match."""
    text = unicodedata.normalize("NFKC", str(name or "")).replace("\ufeff", "")
    text = text.strip().strip("\t'\"").strip()
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Computed:
    """A money field computed as the sum of `plus` columns minus the absolute value of `minus`."""

    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()
    times: tuple[tuple[str, ...], ...] = ()  # products of columns added per row (quantity × price)
    per: str = "order"  # "order": once per order; "line": per row, summed over the order's rows
    blank: str = "zero"  # a blank term counts as 0 ("zero") or makes the result blank ("blank")

    def columns(self) -> tuple[str, ...]:
        return self.plus + self.minus + tuple(c for product in self.times for c in product)


@dataclass(frozen=True)
class StatusRule:
    """Gives `status` to an order whose `column` matches `pattern` (regex) or is blank."""

    column: str
    status: str
    pattern: str | None = None
    blank: bool = False


@dataclass(frozen=True)
class PackedLines:
    """Line items packed into cells (`name:Mug|sku:M1|quantity:2|total:18.00`)."""

    columns: tuple[str, ...]  # exact column names, or prefixes ending in '*' (line_item_*)
    fields: dict[str, str]  # canonical line field -> key inside the packed cell
    item_separator: str = ";"
    field_separator: str = "|"
    key_separator: str = ":"
    positions: tuple[str, ...] = ()  # canonical line field per position (`SKU|2|24.00|Colour: Blue`)


@dataclass(frozen=True)
class PackedValue:
    """An order field from one key of packed cells: money is summed (WebToffee `refund_items`
    amounts), text is joined with ", " (`coupon_items` codes)."""

    column: str
    key: str
    item_separator: str = ";"
    field_separator: str = "|"
    key_separator: str = ":"


@dataclass(frozen=True)
class RefundRows:
    """Rows whose `column` is negative are refunds of their order (WooCommerce Analytics): their
    amount goes to `refunded` and they take no part in any other field of the order."""

    column: str


@dataclass(frozen=True)
class MarketCode:
    """A market's ISO country code inside the cells of `column`: the first group of `pattern`
    (Lazada's lazadaSku `4127705812_MY-21550981` names its venture, MY)."""

    column: str
    pattern: str


@dataclass(frozen=True)
class LineRefund:
    """What each row of a per-line export (a sub-order, SKU row or unit) had refunded: money
    (`amount`, Lazada refundAmount, 淘宝 退款金额) or returned units (`quantity`, Shopee Returned
    quantity, TikTok Sku Quantity of return). The engine applies one rule to them (core.model)."""

    amount: tuple[str, ...] = ()
    quantity: tuple[str, ...] = ()

    def columns(self) -> tuple[str, ...]:
        return self.amount + self.quantity


@dataclass(frozen=True)
class Profile:
    """One platform's report: how to recognise it and how its columns map to the canonical model."""

    id: str
    platform: str
    report: str
    role: str
    path: Path
    required: tuple[str, ...]
    required_fields: tuple[str, ...]
    fallback: bool
    date_formats: tuple[str, ...]
    month_names: dict[str, str]
    decimal: str
    currency: str
    currency_symbols: dict[str, str]
    # Placeholders the platform writes for "no value" (eBay `--`, 抖店 `-`, Etsy `--` in Adjusted …),
    # read as empty: in every column, and per column (normalised header → values) where a word is
    # a placeholder in one column only (淘宝 订单关闭原因 `订单未关闭`).
    null_values: tuple[str, ...]
    column_null_values: dict[str, tuple[str, ...]]
    country: str
    order: dict[str, tuple[str, ...]]
    line: dict[str, tuple[str, ...]]
    computed: dict[str, Computed]
    line_computed: dict[str, Computed]
    status_columns: tuple[str, ...]
    status_map: dict[str, str]
    status_default: str | None
    status_rules: tuple[StatusRule, ...]
    status_per_line: bool
    line_exclude_column: str | None
    line_exclude_values: tuple[str, ...]
    packed_lines: PackedLines | None
    packed_order: dict[str, PackedValue]
    refund_rows: RefundRows | None
    line_refund: LineRefund | None
    currency_by_country: dict[str, str]
    # The countries (ISO codes, resources/countries.toml) the platform sells in with one shop per
    # market: a file's country names, phone numbers and market codes then tell its currency.
    markets: tuple[str, ...]
    market_codes: tuple[MarketCode, ...]
    footer_patterns: tuple[str, ...]
    # A transaction table writes a return as its own row with a negative amount: money given back,
    # not a damaged total.
    negative_totals_are_returns: bool = False

    def source_columns(self) -> frozenset[str]:
        """Every source column name this profile knows (normalised), for header detection."""
        return self._source_columns

    @cached_property
    def _source_columns(self) -> frozenset[str]:  # asked for on every import: worked out once
        names = set(self.required) | set(self.status_columns)
        for cols in list(self.order.values()) + list(self.line.values()):
            names.update(cols)
        for comp in list(self.computed.values()) + list(self.line_computed.values()):
            names.update(comp.columns())
        names.update(rule.column for rule in self.status_rules)
        names.update(packed.column for packed in self.packed_order.values())
        if self.refund_rows:
            names.add(self.refund_rows.column)
        if self.line_refund:
            names.update(self.line_refund.columns())
        names.update(code.column for code in self.market_codes)
        if self.line_exclude_column:
            names.add(self.line_exclude_column)
        return frozenset(normalize_header(n) for n in names if not n.endswith("*"))


def _tuple(value, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ProfileError(f"{where} must be a column name or a list of column names, got {value!r}")


def _fields(table: dict, allowed: tuple[str, ...], where: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for key, value in table.items():
        if key in ("computed", "packed"):
            continue
        if key not in allowed:
            raise ProfileError(f"{where}: unknown field {key!r}; expected one of {', '.join(allowed)}")
        out[key] = _tuple(value, f"{where}.{key}")
    return out


def _computed(table: dict, where: str) -> dict[str, Computed]:
    out = {}
    for key, spec in table.items():
        per, blank = spec.get("per", "order"), spec.get("blank", "zero")
        if per not in ("order", "line") or blank not in ("zero", "blank"):
            raise ProfileError(f"{where}.{key}: per must be order|line and blank zero|blank")
        out[key] = Computed(_tuple(spec.get("plus", []), f"{where}.{key}.plus"),
                            _tuple(spec.get("minus", []), f"{where}.{key}.minus"),
                            tuple(_tuple(t, f"{where}.{key}.times") for t in spec.get("times", [])),
                            per, blank)
    return out


def parse_profile(data: dict, path: Path) -> Profile:
    """Check one profile's data against the schema and build it; errors name the file and key."""
    where = path.name
    try:
        role = data.get("role", "orders+lines")
        if role not in ROLES:
            raise ProfileError(f"{where}: role must be one of {ROLES}, got {role!r}")
        detect, fmt = data.get("detect", {}), data.get("format", {})
        order_table, line_table = data.get("order", {}), data.get("line", {})
        status = data.get("status", {})
        status_map = {normalize_header(k): v for k, v in status.get("map", {}).items()}
        rules = tuple(StatusRule(**rule) for rule in status.get("rules", []))
        for value in list(status_map.values()) + [r.status for r in rules] + [
                status.get("default") or "paid"]:
            if value not in STATUSES:
                raise ProfileError(f"{where}: status {value!r} is not one of {STATUSES}")
        packed = data.get("packed_lines")
        decimal = fmt.get("decimal", "auto")
        if decimal not in ("auto", ".", ","):
            raise ProfileError(f"{where}: format.decimal must be auto, '.' or ',', got {decimal!r}")
        exclude = data.get("line_exclude", {})
        profile = Profile(
            id=data["id"], platform=data["platform"], report=data.get("report", ""), role=role,
            path=path,
            required=_tuple(detect.get("required", []), f"{where}: detect.required"),
            required_fields=_tuple(detect.get("required_fields", ["order_id"]),
                                   f"{where}: detect.required_fields"),
            fallback=bool(detect.get("fallback", False)),
            date_formats=_tuple(fmt.get("date_formats", []), f"{where}: format.date_formats"),
            month_names=dict(fmt.get("month_names", {})),
            decimal=decimal,
            currency=fmt.get("currency", ""),
            currency_symbols=dict(fmt.get("currency_symbols", {})),
            null_values=_tuple(fmt.get("null_values", []), f"{where}: format.null_values"),
            column_null_values={normalize_header(column): _tuple(values, f"{where}: format.column_null_values")
                                for column, values in fmt.get("column_null_values", {}).items()},
            country=fmt.get("country", ""),
            order=_fields(order_table, MAPPABLE_ORDER, f"{where}: order"),
            line=_fields(line_table, MAPPABLE_LINE, f"{where}: line"),
            computed=_computed(order_table.get("computed", {}), f"{where}: order.computed"),
            line_computed=_computed(line_table.get("computed", {}), f"{where}: line.computed"),
            status_columns=_tuple(status.get("columns", []), f"{where}: status.columns"),
            status_map=status_map,
            status_default=status.get("default"),
            status_rules=rules,
            status_per_line=status.get("per", "order") == "line",
            line_exclude_column=exclude.get("column"),
            line_exclude_values=tuple(normalize_header(v) for v in exclude.get("values", [])),
            packed_lines=PackedLines(columns=_tuple(packed["columns"], f"{where}: packed_lines"),
                                     fields=dict(packed.get("fields", {})),
                                     positions=_tuple(packed.get("positions", []),
                                                      f"{where}: packed_lines.positions"),
                                     **{k: packed[k] for k in ("item_separator", "field_separator",
                                                               "key_separator") if k in packed})
            if packed else None,
            packed_order={name: PackedValue(**spec) for name, spec in order_table.get("packed", {}).items()},
            refund_rows=RefundRows(**data["refund_rows"]) if "refund_rows" in data else None,
            line_refund=LineRefund(
                amount=_tuple(data["line_refund"].get("amount", []), f"{where}: line_refund.amount"),
                quantity=_tuple(data["line_refund"].get("quantity", []),
                                f"{where}: line_refund.quantity"))
            if "line_refund" in data else None,
            currency_by_country={normalize_header(k): v for k, v in
                                 fmt.get("currency_by_country", {}).items()},
            markets=_tuple(fmt.get("markets", []), f"{where}: format.markets"),
            market_codes=tuple(MarketCode(**spec) for spec in fmt.get("market_codes", [])),
            footer_patterns=_tuple(data.get("footer_patterns", []), f"{where}: footer_patterns"),
            negative_totals_are_returns=bool(fmt.get("negative_totals_are_returns", False)),
        )
    except KeyError as missing:
        raise ProfileError(f"{where}: missing key {missing}") from None
    except TypeError as bad:
        raise ProfileError(f"{where}: {bad}") from None
    from core.countries import countries

    unknown = [code for code in profile.markets if code not in countries()]
    if unknown:
        raise ProfileError(f"{where}: format.markets {unknown} are not in resources/countries.toml")
    strangers = sorted(set(profile.column_null_values) - profile.source_columns())
    if strangers:
        raise ProfileError(f"{where}: format.column_null_values names columns the profile does not "
                           f"read: {strangers}")
    for name in profile.packed_order:
        if name not in MAPPABLE_ORDER:
            raise ProfileError(f"{where}: order.packed.{name} is not an order field")
    for name in profile.required_fields:
        if name not in profile.order and name not in profile.computed and name not in profile.line:
            raise ProfileError(f"{where}: required field {name!r} is not mapped")
    return profile


def load_profile(path: Path) -> Profile:
    with Path(path).open("rb") as f:
        return parse_profile(tomllib.load(f), Path(path))


@cache
def all_profiles() -> tuple[Profile, ...]:
    """Every bundled profile, specific ones first and fallbacks last."""
    profiles = [load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml"))]
    ids = [p.id for p in profiles]
    if len(ids) != len(set(ids)):
        raise ProfileError(f"duplicate profile ids in {PROFILE_DIR}: {sorted(ids)}")
    return tuple(sorted(profiles, key=lambda p: (p.fallback, p.id)))
