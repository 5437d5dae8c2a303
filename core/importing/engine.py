"""The one import engine: every profile is applied by the same code, files merge into one OrderBook."""
from __future__ import annotations

import os
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.countries import country_code, currency_of, phone_country
from core.errors import InputError, Problem
from core.importing import identity
from core.importing.columns import NULL_TEXT, Gather, categorical, repeated, take_or_null
from core.importing.parse import (clean_text, decide_decimal, parse_dates, parse_money,
                                  translate_months)
from core.importing.profiles import (Computed, LineRefund, Profile, all_profiles,
                                     normalize_header)
from core.importing.read import RawFile, open_file, read_columns
from core.jobs import NULL_PROGRESS, PARALLEL_FROM_ROWS, Progress, alongside, sub
from core.memory import allocate_for, release_memory
from core.model import (MONEY_FIELDS, FileInfo, OrderBook, compact, empty_lines, empty_orders,
                        concat, first_present, know_line_orders, mapped, settable)
from core.xlsx_writer import column_letter

# Dates of every profile fall back on ISO forms (spreadsheets give ISO after read.py).
ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
ROLE_RANK = {"orders": 0, "orders+lines": 1, "lines": 2}
NO_CURRENCY = "XXX"  # ISO 4217 code for "no currency"
MAX_CELL_PROBLEMS = 10  # per file and column; the rest are counted in one more line
_MONEY_LINE = ("unit_price", "line_total")
NUMBER_FIELDS = ("item_count", "age")  # numbers that are not money
MARKET_SAMPLE = 5_000  # phones and market codes looked at per file: plenty to see one market
MARKET_AGREEMENT = 0.8  # the share of a file's market evidence that must name the same market


@dataclass
class FilePart:
    info: FileInfo
    role: str
    orders: pd.DataFrame
    lines: pd.DataFrame
    catalog: pd.DataFrame | None = None  # sku, product_name, category (role "catalog")
    # Per order: whether this file says what was refunded (a refund column, refunds per line, or a
    # refunded status). A file that cannot know (淘宝 订单报表 without 退款金额) leaves the refund
    # to another file of the same orders (its 宝贝报表) when they are merged.
    refund_known: np.ndarray | None = None
    # Each line's row in `orders`, as the file's rows were grouped into orders (None when not known).
    line_orders: np.ndarray | None = None


CATALOG_COLUMNS = ("sku", "product_name", "category")


def _catalog_part(raw: RawFile, profile: Profile, cells, line_cols, key) -> FilePart:
    """A product list (Shopify products export): each SKU with its product's name and category.
    Product fields stand on the product's first row only; variant rows repeat the handle."""
    groups = Groups(key)
    per_row = {}
    for name in CATALOG_COLUMNS:
        values = cells.text(line_cols.get(name, []))
        per_row[name] = values if name == "sku" else groups.first_valid(values).take(pa.array(groups.codes))
    catalog = pa.table(per_row).to_pandas(types_mapper=_types)
    # A taxonomy path ("Home & Garden > … > Plates") keeps its last, most specific level.
    # (a regex keeps the text dtype: split() and [-1] turn a column of blanks into floats)
    catalog["category"] = catalog["category"].str.replace(r"^.*>", "", regex=True).str.strip()
    catalog = catalog[catalog["category"].notna()].drop_duplicates()
    info = FileInfo(str(raw.path), profile.platform, profile.report, raw.encoding, len(cells.table), profile.id)
    return FilePart(info, profile.role, empty_orders(), empty_lines(), catalog.reset_index(drop=True))


def apply_catalogs(lines: pd.DataFrame, catalogs: list[pd.DataFrame]) -> pd.DataFrame:
    """Lines without a category get it from the product lists: by SKU, else by product name, else
    by the product name without its variant (`Canvas Tote Bag - Black` → `Canvas Tote Bag`)."""
    if not catalogs or len(lines) == 0:
        return lines
    catalog = pd.concat(catalogs, ignore_index=True)
    if catalog.empty:  # product lists without categories add nothing
        return lines
    by_sku = catalog.dropna(subset=["sku"]).drop_duplicates("sku").set_index("sku")["category"]
    by_name = catalog.dropna(subset=["product_name"]).drop_duplicates("product_name").set_index(
        "product_name")["category"]
    # A lookup that finds nothing comes back as floats; `mapped` gives values, not categories.
    found = [mapped(lines[column], table).astype("str") for column, table in (("sku", by_sku), ("product_name", by_name))]
    base = lines["product_name"].astype("str").str.replace(r"\s+-\s+[^-]+$", "", regex=True)
    lines = lines.copy()
    lines["category"] = first_present(lines["category"], *found, base.map(by_name).astype("str"))
    return lines


def import_files(paths, mapping: Profile | None = None,
                 progress: Progress = NULL_PROGRESS, currencies: dict[str, str] | None = None) -> OrderBook:
    """Read order exports of any supported platform into one OrderBook.

    Parameters
    ----------
    paths : the export files; several platforms and overlapping periods may be mixed.
    mapping : a profile for a layout no bundled profile knows (see ``load_mapping``).
    progress : receives progress and is asked whether to stop between steps.
    currencies : the seller's answer for money whose currency a file does not say (no currency
        column, no market in its values, no default): profile id → ISO code, ``"*"`` for every
        layout. Orders still without one get ``XXX``, counted in ``FileInfo.no_currency``.

    Problems with a whole file or single cells are collected in ``OrderBook.problems``; this
    function raises only ``Cancelled``.
    """
    if mapping is not None:
        profiles = (mapping,)
    else:
        from core.importing.mapping import user_profiles  # the user's saved mappings count too

        profiles = tuple(user_profiles()) + all_profiles()
    vocabulary = set().union(*(p.source_columns() for p in profiles + all_profiles()))
    book = OrderBook()
    parts: list[FilePart] = []
    paths = [Path(p) for p in paths]
    allocate_for(sum(_size(path) for path in paths))
    for index, path in enumerate(paths):
        progress.check_cancelled()
        step = sub(progress, index / len(paths) * 0.9, (index + 1) / len(paths) * 0.9)
        step.report(0.0, "progress.reading_file", file=path.name)
        try:
            raw = open_file(path, vocabulary)
            profile = choose_profile(raw, profiles)
            chosen = (currencies or {}).get(profile.id) or (currencies or {}).get("*")
            part, problems = convert(raw, profile, step, chosen)
        except InputError as error:
            book.problems.append(error.problem)
            continue
        book.problems.extend(problems)
        book.files.append(part.info)
        parts.append(part)
        release_memory()  # the file's raw table and cells: ten files must not each keep theirs
    progress.report(0.9, "progress.merging")
    progress.check_cancelled()
    order_parts = [p for p in parts if p.role != "catalog"]
    catalogs = [p.catalog for p in parts if p.role == "catalog"]
    del parts  # merge lets go of each file's frames once it has joined them
    # One file's lines were grouped into its orders: where each line's order is is known already.
    known = order_parts[0].line_orders if len(order_parts) == 1 else None
    if order_parts:
        book.orders, book.lines = merge(order_parts)
        book.lines = apply_catalogs(book.lines, catalogs)
    progress.report(0.95, "progress.identifying")
    book.orders["customer_key"] = identity.customer_keys(book.orders)
    book.orders, book.lines = compact(book.orders), compact(book.lines)
    if known is not None and len(known) == len(book.lines):
        know_line_orders(book, known)
    release_memory()
    progress.report(1.0, "progress.done")
    return book


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reported when the file is opened
        return 0


def _ranked(raw: RawFile, profiles) -> list[tuple]:
    present = set(raw.column_index())
    matches = []
    for profile in profiles:
        missing = _missing(profile, present)
        known = profile.source_columns()
        # The profile that explains most of the file's columns wins; among equals, the one with
        # the fewest columns the file lacks. A saved user mapping of four common names must not
        # take a full Shopify export away from the Shopify profile.
        score = (len(known & present), len(known & present) / max(1, len(known)))
        matches.append((not missing, not profile.fallback, score, profile, missing))
    return sorted(matches, key=lambda m: m[:3], reverse=True)


def choose_profile_or_closest(raw: RawFile) -> Profile | None:
    """The bundled profile that fits the header best, even if some of its columns are missing."""
    ranked = _ranked(raw, all_profiles())
    return ranked[0][3] if ranked and ranked[0][2][0] > 0 else None


def choose_profile(raw: RawFile, profiles) -> Profile:
    """The profile whose columns fit the header best; specific profiles win over fallbacks."""
    ok, _, _, profile, missing = _ranked(raw, profiles)[0]
    if ok:
        return profile
    found = ", ".join(raw.header[:12]) + (" …" if len(raw.header) > 12 else "")
    raise InputError(Problem.make(raw.path, None, None, "import.unknown_layout",
                                  profile=f"{profile.platform} – {profile.report}",
                                  missing=", ".join(missing), found=found))


def _missing(profile: Profile, present: set[str]) -> list[str]:
    missing = [c for c in profile.required if normalize_header(c) not in present]
    for name in profile.required_fields:
        candidates = profile.order.get(name) or profile.line.get(name) or ()
        comp = profile.computed.get(name)
        if comp:
            candidates = comp.plus
        if not any(normalize_header(c) in present for c in candidates):
            missing.append(candidates[0] if candidates else name)
    return list(dict.fromkeys(missing))


def convert(raw: RawFile, profile: Profile, progress: Progress,
            chosen_currency: str | None = None) -> tuple[FilePart, list[Problem]]:
    """Apply one profile to one file: per-row canonical values, then orders and lines."""
    index = raw.column_index()

    def resolve(names) -> list[str]:
        return [index[n] for n in dict.fromkeys(normalize_header(x) for x in names) if n in index]

    order_cols = {f: resolve(c) for f, c in profile.order.items()}
    line_cols = {f: resolve(c) for f, c in profile.line.items()}
    status_cols = resolve(profile.status_columns)
    packed_cols = _packed_columns(raw.header, profile)
    needed = set(packed_cols) | set(status_cols)
    for cols in list(order_cols.values()) + list(line_cols.values()):
        needed.update(cols)
    for comp in list(profile.computed.values()) + list(profile.line_computed.values()):
        needed.update(resolve(comp.columns()))
    rule_cols = {r.column: resolve([r.column]) for r in profile.status_rules}
    for cols in rule_cols.values():
        needed.update(cols)
    exclude_col = resolve([profile.line_exclude_column]) if profile.line_exclude_column else []
    needed.update(exclude_col)
    packed_order = {f: (spec, resolve([spec.column])) for f, spec in profile.packed_order.items()}
    for _, cols in packed_order.values():
        needed.update(cols)
    refund_col = resolve([profile.refund_rows.column]) if profile.refund_rows else []
    needed.update(refund_col)
    if profile.line_refund:
        needed.update(resolve(profile.line_refund.columns()))
    market_cols = [(spec, resolve([spec.column])) for spec in profile.market_codes]
    for _, cols in market_cols:
        needed.update(cols)
    needed = [c for c in raw.header if c in needed]
    needed = list(dict.fromkeys(needed))

    table, problems = read_columns(raw, needed, profile.footer_patterns)
    problems += _duplicate_columns(raw, needed)
    progress.report(0.5, "progress.converting", file=raw.path.name)
    progress.check_cancelled()
    cells = Cells(table, raw, problems, null_values=profile.null_values,
                  column_null_values=profile.column_null_values)
    cells.clean_all()

    # Rows without an order id are padding (eBay's empty values row, footers) or broken rows.
    key_field = "group_key" if order_cols.get("group_key") else "order_id"
    key = cells.text(order_cols.get(key_field, []) or line_cols.get(key_field, []))
    keep = pc.is_valid(key)
    rows = np.arange(raw.first_row, raw.first_row + len(table))
    if not pc.all(keep).as_py():
        _report_rows_without_id(cells, keep, rows, profile, raw, problems,
                                (order_cols.get(key_field) or ["?"])[0])
        cells, rows, key = cells.filtered(keep, rows), rows[keep.to_numpy(zero_copy_only=False)], key.filter(keep)
        table = cells.table
    if len(table) == 0:
        raise InputError(Problem.make(raw.path, None, None, "import.no_data_rows"))
    _report_scientific_ids(key, rows, raw, problems, (order_cols.get(key_field) or ["?"])[0])
    if profile.role == "catalog":
        return _catalog_part(raw, profile, cells, line_cols, key), problems + cells.problems_out()

    decimal = profile.decimal
    money_cols = [c for f, cs in order_cols.items() if f in MONEY_FIELDS for c in cs]
    money_cols += [c for f, cs in line_cols.items() if f in _MONEY_LINE for c in cs]
    for comp in list(profile.computed.values()) + list(profile.line_computed.values()):
        money_cols += resolve(comp.columns())
    if decimal == "auto":
        decimal = decide_decimal([cells.clean(c) for c in dict.fromkeys(money_cols)])
    cells.decimal = decimal

    refunds = None
    if refund_col:
        # Refund entries (negative amounts under the parent's order number) only feed `refunded`.
        amount = cells.money(refund_col)
        is_refund = pc.fill_null(pc.less(amount, 0), False)
        if pc.any(is_refund).as_py():
            refunds = pd.Series(pc.abs(amount.filter(is_refund)).to_numpy(zero_copy_only=False)
                                ).groupby(key.filter(is_refund).to_numpy(zero_copy_only=False)).sum()
            sale = pc.invert(is_refund)
            cells, rows, key = cells.filtered(sale, rows), rows[sale.to_numpy(zero_copy_only=False)], key.filter(sale)
            table = cells.table
            orphans = refunds.index.difference(pd.Index(pc.unique(key).to_pylist()))
            for order_id in orphans[:MAX_CELL_PROBLEMS]:
                problems.append(Problem.make(raw.path, None, refund_col[0], "import.refund_without_sale",
                                             order=order_id))
            refunds = refunds.drop(orphans)

    excluded = None
    if exclude_col:
        status = pc.utf8_lower(cells.text(exclude_col))
        excluded = pc.fill_null(pc.is_in(status, pa.array(profile.line_exclude_values)), False)

    # Every money and date field's first column parsed at once (the later columns of a field are
    # read only where the first is empty).
    numbers = [cs[0] for f, cs in order_cols.items() if cs and (f in MONEY_FIELDS or f in NUMBER_FIELDS)]
    numbers += [cs[0] for f, cs in line_cols.items() if cs and f in ("quantity", *_MONEY_LINE)]
    with alongside(len(key)) as start:
        grouping = start(Groups, key)  # the rows are grouped into orders while amounts and dates are parsed
        cells.parse_ahead(numbers, order_cols.get("placed_at", []), profile)
    frame = {"source_row": pa.array(rows, pa.int64())}
    order_text = [f for f in order_cols if f not in MONEY_FIELDS and f not in ("placed_at",) + NUMBER_FIELDS]
    frame.update(zip(order_text, each_column(lambda name: cells.text(order_cols[name]), order_text, len(table))))
    if "first_name" in frame or "last_name" in frame:
        # WooCommerce and Etsy split the buyer's name in two columns.
        parts = [frame.pop(n) for n in ("first_name", "last_name") if n in frame]
        whole = pc.utf8_trim_whitespace(pc.binary_join_element_wise(*parts, " ", null_handling="skip"))
        whole = pc.if_else(pc.equal(whole, ""), NULL_TEXT, whole)
        frame["customer_name"] = pc.coalesce(frame["customer_name"], whole) if "customer_name" in frame else whole
    for name in MONEY_FIELDS:
        if order_cols.get(name):
            frame[name] = cells.money(order_cols[name])
    for name in NUMBER_FIELDS:
        if order_cols.get(name):
            frame[name] = cells.money(order_cols[name])
    placed = cells.dates(order_cols.get("placed_at", []), profile)
    if placed is not None:
        frame["placed_at"] = placed
    for name, (spec, cols) in packed_order.items():
        if cols:
            values = _packed_values(cells.clean(cols[0]), spec, decimal, money=name in MONEY_FIELDS)
            frame[name] = pc.coalesce(frame[name], values) if name in frame else values
    for name, comp in profile.computed.items():
        if not resolve(comp.columns()):  # the file has none of its columns: the field stays unset
            continue
        values = cells.computed(comp, resolve)
        if comp.per == "line" and excluded is not None:  # a cancelled line adds nothing
            values = pc.if_else(excluded, pa.scalar(None, pa.float64()), values)
        frame["_comp_" + name] = values
    if status_cols:
        frame["_status"] = cells.text(status_cols)
    for column, cols in rule_cols.items():
        frame["_rule_" + column] = cells.text(cols)
    groups = grouping.result()
    row_status = _row_statuses(frame, profile, raw, problems, excluded) if profile.status_per_line else None
    by_line = None
    if profile.status_per_line or profile.line_refund:
        by_line = _line_refunds(cells, profile, line_cols, resolve, groups, excluded, row_status)
    # Order-level values: the first non-empty value of each order's rows (Shopify puts them on the
    # first row, TikTok repeats them, eBay has a summary row), sums for per-line computed fields.
    aggregated = {"_key": groups.keys, "source_row": groups.first_valid(frame.pop("source_row"))}
    if row_status is not None:
        aggregated["_line_status"] = _order_status_from_lines(row_status, by_line, groups)
    if by_line is not None:
        aggregated.update(by_line.per_order)

    def per_order(name: str) -> pa.Array:
        per_line = name.startswith("_comp_") and profile.computed[name[6:]].per == "line"
        return groups.sum(frame[name]) if per_line else groups.first_valid(frame[name])

    aggregated.update(zip(frame, each_column(per_order, frame, len(key))))
    groups.forget_first_rows()  # a few MB per pattern, needed no more
    orders = _frame(aggregated)
    if "order_id" not in orders:
        orders["order_id"] = orders["_key"]
    elif key_field == "group_key":
        orders["order_id"] = orders["order_id"].fillna(orders["_key"])
    if refunds is not None:
        extra = orders["_key"].map(refunds).fillna(0.0).to_numpy()
        orders["refunded"] = (orders["refunded"].fillna(0.0) + extra) if "refunded" in orders else extra

    lines = _lines(cells, line_cols, profile, key, rows, resolve, excluded, groups)
    if packed_cols:
        packed = _packed_lines(cells, packed_cols, profile, key, rows)
        packed["_code"] = pc.index_in(pa.array(packed["_key"], pa.string(), from_pandas=True),
                                      value_set=groups.keys).to_numpy(zero_copy_only=False)
        lines = pd.concat([lines, packed], ignore_index=True)
    currency = _file_currency(cells, order_cols, profile)
    market = _file_market(orders, cells, profile, market_cols)
    orders = _finish_orders(orders, _line_sums(lines, groups), profile, raw, problems,
                            currency, market, chosen_currency)
    refund_known = (_knows_refunds(profile, order_cols, packed_order, refund_col, resolve)
                    | (orders["status"] == "refunded").to_numpy())

    def source_column(field: str) -> str:
        """The file's column a canonical field was read (or computed) from."""
        comp = profile.computed.get(field) or profile.line_computed.get(field)
        found = (order_cols.get(field) or line_cols.get(field)
                 or (resolve(comp.columns()) if comp else []) or packed_cols or [field])
        return found[0]

    left_out = (not profile.negative_totals_are_returns
                and _negative_amounts(orders, lines, raw, problems, source_column))
    if left_out and not order_cols.get("item_count"):  # count the items again without them
        orders["item_count"] = _item_counts(_line_sums(lines, groups))
    code = lines["_code"].to_numpy()
    line_orders = code.astype(np.int32) if code.dtype.kind in "iu" and (code >= 0).all() else None
    lines = lines.drop(columns="_code").rename(columns={"_key": "order_id"})
    if key_field == "group_key" and len(lines):
        lines["order_id"] = lines["order_id"].map(dict(zip(orders["_key"], orders["order_id"])))
    orders = orders.drop(columns=[c for c in orders.columns if c.startswith("_")])
    info = FileInfo(str(raw.path), profile.platform, profile.report, raw.encoding,
                    len(table), profile.id, int((orders["currency"] == NO_CURRENCY).sum()))
    for name, value in (("platform", profile.platform), ("source_file", raw.path.name)):
        orders[name], lines[name] = repeated(value, len(orders)), repeated(value, len(lines))  # held once
    problems.extend(cells.problems_out())
    return FilePart(info, profile.role, _conform(orders, empty_orders()),
                    _conform(lines, empty_lines()), refund_known=refund_known,
                    line_orders=line_orders), problems


def _knows_refunds(profile: Profile, order_cols, packed_order, refund_col, resolve) -> bool:
    """Whether the file says what its orders had refunded, beyond a refunded status."""
    computed = profile.computed.get("refunded")
    return bool(order_cols.get("refunded") or refund_col or packed_order.get("refunded", (0, []))[1]
                or (computed and resolve(computed.columns())) or profile.status_per_line
                or (profile.line_refund and resolve(profile.line_refund.columns())))


def _duplicate_columns(raw: RawFile, used: list[str]) -> list[Problem]:
    """A column the profile reads whose name the header has more than once: the first is read
    (RawFile.column_index), and the user is told so, with the columns as a spreadsheet names them."""
    positions: dict[str, list[int]] = {}
    for at, name in enumerate(raw.header):
        positions.setdefault(normalize_header(name), []).append(at)
    problems = []
    for name in used:
        where = positions.get(normalize_header(name), [])
        if len(where) > 1:
            letters = [column_letter(at) for at in where]
            problems.append(Problem.make(raw.path, raw.first_row - 1, name, "import.duplicate_column",
                                         count=len(where), columns=", ".join(letters),
                                         first=letters[0]))
    return problems


def _negative_amounts(orders: pd.DataFrame, lines: pd.DataFrame, raw, problems,
                      source_column) -> bool:
    """A paid order cannot have a negative total, nor its items a negative quantity or price:
    refunds have their own columns, and refund or cancellation rows their own status. Like an
    amount that cannot be read, such an amount is reported and left empty, so it adds nothing
    to sales. Negative rows inside an order that stays positive (a discount row) are fine.
    Returns whether an item's amount was left empty."""
    paid = (orders["status"] == "paid").to_numpy()
    total = orders["order_total"].to_numpy(dtype=float, na_value=np.nan)
    bad = paid & (total < 0)
    if bad.any():
        _report_negative(raw, problems, source_column("order_total"), "import.negative_total",
                         orders.loc[bad, "source_row"], orders.loc[bad, "order_id"], total[bad])
        orders.loc[bad, "order_total"] = np.nan
    if len(lines) == 0:
        return False
    codes = lines["_code"].to_numpy(dtype=np.int64)
    paid_line = paid[codes]
    reported = np.zeros(len(lines), dtype=bool)  # one problem per item row, for its first bad amount
    for name in ("quantity", "unit_price", "line_total"):
        values = lines[name].to_numpy(dtype=float, na_value=np.nan)
        bad = paid_line & (values < 0)
        if not bad.any():
            continue
        new = bad & ~reported
        _report_negative(raw, problems, source_column(name), "import.negative_item",
                         lines.loc[new, "source_row"], orders["order_id"].iloc[codes[new]], values[new])
        reported |= bad
        lines.loc[bad, name] = np.nan
    return bool(reported.any())


def _report_negative(raw, problems, column, message_id, rows, order_ids, values) -> None:
    """The first MAX_CELL_PROBLEMS of a column, then one line with how many more."""
    for row, order_id, value in list(zip(rows, order_ids, values))[:MAX_CELL_PROBLEMS]:
        problems.append(Problem.make(raw.path, int(row), column, message_id, order=order_id,
                                     value=f"{value:,.2f}"))
    if len(values) > MAX_CELL_PROBLEMS:
        problems.append(Problem.make(raw.path, None, column, "import.more_bad_cells",
                                     count=len(values) - MAX_CELL_PROBLEMS))


def _scatter(values: pa.Array, where: pa.Array, length: int, type_) -> pa.Array:
    """An array of `length` nulls with `values` placed at the positions `where`."""
    positions = np.full(length, -1, dtype=np.int64)
    positions[where.to_numpy()] = np.arange(len(where))
    return take_or_null(values.cast(type_), positions)


def _types(arrow_type):
    return pd.StringDtype("pyarrow", na_value=np.nan) if arrow_type == pa.string() else None


# Text fields the conversion never reads again as text: they go from Arrow straight to categories
# (one dictionary encoding instead of a copy into pandas' text and a factorization of it: 0.5 s
# of a 1M-line import). The others (status, currency, places, phone) are still worked on as text.
_STRAIGHT_TO_CATEGORIES = frozenset(("customer_name", "email", "buyer_id", "discount_code", "postcode",
                                     "gender", "channel", "note", "sku", "product_name", "category", "variation"))


def _frame(columns: dict[str, pa.Array]) -> pd.DataFrame:
    """Arrow columns as a pandas frame: text as pandas' str, the _STRAIGHT_TO_CATEGORIES as categories."""
    straight = {name: values for name, values in columns.items()
                if name in _STRAIGHT_TO_CATEGORIES and pa.types.is_string(values.type)}
    rest = pa.table({n: v for n, v in columns.items() if n not in straight})
    # The rest goes to pandas while the text columns are encoded (None stands for it).
    done = _categories_of({None: rest, **straight}, len(rest))
    frame = done.pop(None)
    for name, values in done.items():
        frame[name] = values
    return frame


def _categories_of(columns: dict, rows: int) -> dict:
    """Each text column as a category (columns.categorical), on all cores for a large file, the
    largest begun first; a table (the `None` entry of _frame) becomes a pandas frame alongside."""
    def convert(name):
        values = columns[name]
        return values.to_pandas(types_mapper=_types) if isinstance(values, pa.Table) else categorical(values)

    return dict(zip(columns, each_column(convert, columns, rows, cost=lambda name: columns[name].nbytes)))


class Groups:
    """The orders of a file: rows grouped by order key, in order of first appearance."""

    def __init__(self, key: pa.Array):
        encoded = pc.dictionary_encode(key)
        self.keys = encoded.dictionary
        self.codes = encoded.indices.to_numpy(zero_copy_only=False)
        self.count = len(self.keys)
        self._first: dict[bytes, Gather] = {}  # rows where values are found → where first_valid takes

    def first_valid(self, values: pa.Array) -> pa.Array:
        """Per order, the value of its first row where the value is not empty."""
        # Columns empty on the same rows share where their values are taken from (12 of the 20
        # order columns of a Shopify export are filled on each order's first row only).
        valid = None if values.null_count == 0 else pc.is_valid(values).to_numpy(zero_copy_only=False)
        pattern = b"" if valid is None else np.packbits(valid).tobytes()
        gather = self._first.get(pattern)
        if gather is None:
            rows = np.arange(len(values)) if valid is None else np.flatnonzero(valid)
            first = np.full(self.count, -1, dtype=np.int64)
            first[self.codes[rows[::-1]]] = rows[::-1]  # written last = the earliest row
            gather = self._first[pattern] = Gather(first)
        return gather.of(values)

    def forget_first_rows(self) -> None:
        self._first.clear()

    def sum(self, values: pa.Array) -> pa.Array:
        """Per order, the sum of its rows' values; empty when every row is empty."""
        numbers = values.to_numpy(zero_copy_only=False)
        valid = ~np.isnan(numbers)
        total = np.bincount(self.codes, weights=np.where(valid, numbers, 0.0), minlength=self.count)
        seen = np.bincount(self.codes, weights=valid, minlength=self.count) > 0
        return pa.array(total, mask=~seen)


def each_column(work, columns: list, rows: int, cost=None) -> list:
    """`[work(column) for column in columns]`, on all cores for a file of `rows` rows from
    PARALLEL_FROM_ROWS (pyarrow's kernels release the GIL); a small file in this thread, where
    starting threads costs more than they give. Results come in the order of `columns`; with
    `cost` (column → a number) the costliest are begun first, so that a long column does not
    keep one core busy at the end while the others wait."""
    columns = list(columns)
    if rows < PARALLEL_FROM_ROWS or len(columns) < 2:
        return [work(column) for column in columns]
    order = sorted(range(len(columns)), key=lambda at: -cost(columns[at])) if cost else range(len(columns))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        started = {at: pool.submit(work, columns[at]) for at in order}
        return [started[at].result() for at in range(len(columns))]


class Cells:
    """Cleaned columns of one file with the parsing that reports bad cells by row and column."""

    def __init__(self, table: pa.Table, raw: RawFile, problems: list[Problem], decimal=".",
                 rows=None, null_values=(), column_null_values=None):
        self.table, self.raw, self.problems = table, raw, problems
        self.null_values = pa.array(null_values, pa.string()) if null_values else None
        # Per column (normalised header): the placeholders of every column plus its own.
        self.column_null_values = {
            column: pa.array(list(dict.fromkeys((*null_values, *values))), pa.string())
            for column, values in (column_null_values or {}).items()}
        self.decimal = decimal
        self._clean: dict[str, pa.Array] = {}
        self._money: dict[tuple[str, ...], pa.Array] = {}  # parsed once: bad cells reported once
        self._bad: dict[tuple[str, str], list] = {}
        self._ahead: dict[tuple[str, str], tuple] = {}  # (message id, column) → parse_ahead's result
        self.rows = np.arange(raw.first_row, raw.first_row + len(table)) if rows is None else rows

    def filtered(self, mask: pa.Array, rows: np.ndarray) -> "Cells":
        """The same file without some rows; cleaned columns and noted bad cells carry over."""
        kept = Cells(self.table.filter(mask), self.raw, self.problems, self.decimal,
                     rows[mask.to_numpy(zero_copy_only=False)], ())
        kept.null_values, kept.column_null_values = self.null_values, self.column_null_values
        kept._clean = {name: values.filter(mask) for name, values in self._clean.items()}
        kept._money = {name: values.filter(mask) for name, values in self._money.items()}
        kept._bad = self._bad
        return kept

    def clean_all(self) -> None:
        """Clean every column at once, on all cores for a large file."""
        cleaned = each_column(self._cleaned, self.table.column_names, len(self.table))
        self._clean.update(zip(self.table.column_names, cleaned))

    def _cleaned(self, column: str) -> pa.Array:
        values = clean_text(self.table.column(column).combine_chunks())
        placeholders = self.column_null_values.get(normalize_header(column), self.null_values)
        if placeholders is not None:  # eBay's `--`, Douyin's `-`, 淘宝 订单关闭原因 `订单未关闭`
            values = pc.if_else(pc.fill_null(pc.is_in(values, placeholders), False), NULL_TEXT, values)
        return values

    def clean(self, column: str) -> pa.Array:
        if column not in self._clean:
            self._clean[column] = self._cleaned(column)
        return self._clean[column]

    def text(self, columns) -> pa.Array:
        """The first non-empty value among `columns` on each row."""
        if not columns:
            return pa.nulls(len(self.table), pa.string())
        arrays = [self.clean(c) for c in columns]
        return arrays[0] if len(arrays) == 1 else pc.coalesce(*arrays)

    def money(self, columns) -> pa.Array:
        key = tuple(columns)
        if key not in self._money:
            self._money[key] = self._first_parsed(columns, lambda v: parse_money(v, self.decimal),
                                                  "import.bad_money")
        return self._money[key]

    def parse_ahead(self, money_columns, date_columns, profile: Profile) -> None:
        """Parse the first column of each money and date field at once, on all cores for a large
        file; each column's bad cells are still noted when its field is read, in the same order."""
        parsers = {"import.bad_money": lambda v: parse_money(v, self.decimal),
                   "import.bad_date": _date_parser(profile)}
        # The dates first: the longest work, begun while the other core parses the amounts.
        work = [("import.bad_date", c) for c in date_columns[:1]]
        work += [("import.bad_money", c) for c in dict.fromkeys(money_columns)]
        done = each_column(lambda item: parsers[item[0]](self.clean(item[1]))[:2], work, len(self.table))
        self._ahead.update(zip(work, done))

    def _first_parsed(self, columns, parse, message_id, **params) -> pa.Array:
        """Parse the first column, then each next column only where nothing was found yet
        (Shopify's `Paid at` only matters when `Created at` is empty)."""
        out = None
        for column in columns:
            values = self.clean(column)
            if out is None:
                out, bad = self._ahead.pop((message_id, column), None) or parse(values)[:2]
                self._note_bad(column, bad, message_id, **params)
                continue
            todo = pc.and_(pc.is_null(out), pc.is_valid(values))
            if not pc.any(todo).as_py():
                continue
            where = pa.array(np.flatnonzero(todo.to_numpy(zero_copy_only=False)))
            parsed, bad = parse(values.take(where))[:2]
            self._note_bad(column, bad, message_id, where=where, **params)
            out = pc.if_else(todo, _scatter(parsed, where, len(out), out.type), out)
        return out

    def dates(self, columns, profile: Profile):
        if not columns:
            return None
        return self._first_parsed(columns, _date_parser(profile), "import.bad_date",
                                  formats=" | ".join(profile.date_formats or ISO_FORMATS[:1]))

    def computed(self, comp: Computed, resolve) -> pa.Array:
        total = pa.array(np.zeros(len(self.table)), pa.float64())
        any_valid = pa.array(np.zeros(len(self.table), dtype=bool))
        for sign, names in ((1, comp.plus), (-1, comp.minus)):
            for name in names:
                cols = resolve([name])
                if not cols:
                    if comp.blank == "blank":
                        return pa.nulls(len(self.table), pa.float64())
                    continue
                value = self.money(cols)
                if sign < 0:
                    value = pc.abs(value)
                if comp.blank == "blank":
                    total = pc.add(total, pc.multiply(value, sign))  # null propagates
                else:
                    total = pc.add(total, pc.multiply(pc.fill_null(value, 0.0), sign))
                any_valid = pc.or_(any_valid, pc.is_valid(value))
        for product in comp.times:
            cols = [resolve([name]) for name in product]
            if not all(cols):
                continue
            factors = [self.money(c) for c in cols]
            value = factors[0]
            for factor in factors[1:]:
                value = pc.multiply(value, factor)
            total = pc.add(total, value if comp.blank == "blank" else pc.fill_null(value, 0.0))
            any_valid = pc.or_(any_valid, pc.is_valid(value))
        return pc.if_else(any_valid, total, pa.scalar(None, pa.float64()))

    def _note_bad(self, column: str, bad: pa.Array, message_id: str, where=None, **params) -> None:
        if not pc.any(bad).as_py():
            return
        bad_at = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
        where = bad_at if where is None else where.to_numpy()[bad_at]
        values = self.clean(column).take(pa.array(where[:MAX_CELL_PROBLEMS])).to_pylist()
        entry = self._bad.setdefault((column, message_id), [0, [], params])
        entry[0] += len(where)
        entry[1].extend(zip(self.rows[where[:MAX_CELL_PROBLEMS]].tolist(), values))

    def problems_out(self) -> list[Problem]:
        out = []
        for (column, message_id), (count, samples, params) in self._bad.items():
            for row, value in samples[:MAX_CELL_PROBLEMS]:
                out.append(Problem.make(self.raw.path, row, column, message_id, value=value,
                                        decimal=self.decimal, **params))
            if count > MAX_CELL_PROBLEMS:
                out.append(Problem.make(self.raw.path, None, column, "import.more_bad_cells",
                                        count=count - MAX_CELL_PROBLEMS))
        return out


def _date_parser(profile: Profile):
    """The profile's date parsing: its month names, its formats, then ISO."""
    formats = profile.date_formats + tuple(f for f in ISO_FORMATS if f not in profile.date_formats)
    return lambda values: parse_dates(translate_months(values, profile.month_names), formats)


def _report_scientific_ids(key, rows, raw, problems, column) -> None:
    """Long order numbers that Excel turned into `3.31235E+18` have lost digits: different orders
    may now share one number, so the user must re-export the file rather than trust it."""
    damaged = pc.fill_null(pc.match_substring_regex(key, r"^\d(\.\d+)?[eE]\+?\d+$"), False)
    count = pc.sum(damaged).as_py() or 0
    if count:
        at = int(np.flatnonzero(damaged.to_numpy(zero_copy_only=False))[0])
        problems.append(Problem.make(raw.path, int(rows[at]), column, "import.id_in_scientific_notation",
                                     count=count, value=key[at].as_py()))


def _report_rows_without_id(cells, keep, rows, profile, raw, problems, id_column) -> None:
    """Rows without an order id: silent when they are padding or a known footer, else reported."""
    footer = [re.compile(p) for p in profile.footer_patterns]
    missing = np.flatnonzero(~keep.to_numpy(zero_copy_only=False))
    columns = [c for c in cells.table.column_names]
    reported = 0
    for i in missing[:1000]:
        values = [cells.clean(c)[int(i)].as_py() for c in columns]
        filled = [v for v in values if v is not None]
        if len(filled) <= 1 or any(p.search(str(v)) for p in footer for v in filled):
            continue
        if reported < MAX_CELL_PROBLEMS:
            problems.append(Problem.make(raw.path, int(rows[i]), id_column, "import.missing_order_id"))
        reported += 1


def _lines(cells: Cells, line_cols, profile: Profile, key, rows, resolve, excluded, groups):
    """Line items: rows that name a product or SKU (summary rows of multi-item orders do not).
    `_code` is the line's order in `groups`."""
    if not line_cols and not profile.line_computed:
        return empty_lines().rename(columns={"order_id": "_key"}).assign(_code=pd.Series(dtype="int64"))
    product = cells.text(line_cols.get("product_name", []))
    sku = cells.text(line_cols.get("sku", []))
    is_line = pc.or_(pc.is_valid(product), pc.is_valid(sku))
    if excluded is not None:
        is_line = pc.and_(is_line, pc.invert(excluded))
    frame = {"_key": key, "_code": pa.array(groups.codes), "source_row": pa.array(rows, pa.int64()),
             "product_name": product, "sku": sku}
    for name in ("category", "variation"):
        frame[name] = cells.text(line_cols.get(name, []))
    for name in ("quantity", "unit_price", "line_total"):
        frame[name] = cells.money(line_cols[name]) if line_cols.get(name) else pa.nulls(len(key), pa.float64())
    for name, comp in profile.line_computed.items():
        frame[name] = cells.computed(comp, resolve)
    if not pc.all(is_line).as_py():  # filtering copies every text column, even when all rows stay
        frame = {name: values.filter(is_line) for name, values in frame.items()}
    lines = _frame(frame)
    return _complete_lines(lines)


def _complete_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Quantity defaults to 1; line total and unit price complete each other."""
    lines["quantity"] = lines["quantity"].fillna(1.0)
    lines["line_total"] = lines["line_total"].fillna(lines["quantity"] * lines["unit_price"])
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = lines["line_total"] / lines["quantity"].where(lines["quantity"] != 0)
    lines["unit_price"] = lines["unit_price"].fillna(unit)
    return lines


def _packed_columns(header, profile: Profile) -> list[str]:
    if profile.packed_lines is None:
        return []
    out = []
    for pattern in profile.packed_lines.columns:
        norm = normalize_header(pattern.rstrip("*"))
        for name in header:
            n = normalize_header(name)
            if (n.startswith(norm) if pattern.endswith("*") else n == norm) and name not in out:
                out.append(name)
    return out


def _packed_lines(cells: Cells, columns, profile: Profile, key, rows) -> pd.DataFrame:
    """Line items packed into cells, e.g. WooCommerce `name:Mug|sku:M1|quantity:2|total:18.00`."""
    spec = profile.packed_lines
    keys = key.to_pylist()
    records = []
    for column in columns:
        for i, cell in enumerate(cells.clean(column).to_pylist()):
            if cell is None:
                continue
            for item in cell.split(spec.item_separator):
                values = item.split(spec.field_separator)
                parts = dict(p.split(spec.key_separator, 1) for p in values if spec.key_separator in p)
                record = {field: parts.get(packed_key) for field, packed_key in spec.fields.items()}
                for field, value in zip(spec.positions, values):
                    # Kept whole: `product_id:123` (a product without SKU) must not pose as SKU 123.
                    record[field] = value.strip() or None
                if not any(record.values()):
                    continue
                records.append({"_key": keys[i], "source_row": int(rows[i]), **record})
    fields = list(dict.fromkeys([*spec.fields, *spec.positions]))
    frame = pd.DataFrame.from_records(records, columns=["_key", "source_row", *fields])
    for name in ("quantity", "unit_price", "line_total"):
        if name in frame:
            values = pa.array(frame[name].astype(object).where(frame[name].notna(), None).tolist(), pa.string())
            frame[name] = parse_money(values, cells.decimal)[0].to_numpy(zero_copy_only=False)
        else:
            frame[name] = np.nan
    return _complete_lines(frame)


def _packed_values(cells: pa.Array, spec, decimal: str, money: bool) -> pa.Array:
    """Per row, one key over the items packed in a cell: summed for money, else joined with ", "."""
    found: dict[int, list[str]] = {}
    for i, cell in enumerate(cells.to_pylist()):
        if cell is None:
            continue
        for item in cell.split(spec.item_separator):
            for part in item.split(spec.field_separator):
                key, _, value = part.partition(spec.key_separator)
                if key.strip() == spec.key and value.strip():
                    found.setdefault(i, []).append(value.strip())
    if not money:
        return pa.array([", ".join(found[i]) if i in found else None for i in range(len(cells))],
                        pa.string())
    positions = [i for i, values in found.items() for _ in values]
    amounts = pa.array([v for values in found.values() for v in values], pa.string())
    numbers = parse_money(amounts, decimal)[0].to_numpy(zero_copy_only=False)
    total = pd.Series(numbers).groupby(positions).sum(min_count=1) if positions else pd.Series(dtype=float)
    return pa.array(total.reindex(range(len(cells))).to_numpy(), pa.float64(), from_pandas=True)


STATUS_PRECEDENCE = ("paid", "pending", "refunded", "cancelled")  # an order keeps its best line


def _row_statuses(frame, profile: Profile, raw, problems, excluded) -> np.ndarray:
    """The status of each row where every row has its own (Lazada units, 抖店 sub-orders, 淘宝
    宝贝): the profile's rules and map applied per row; an excluded row is cancelled."""
    columns = {n: v for n, v in frame.items() if n == "_status" or n.startswith("_rule_")}
    rows = pa.table({**columns, "source_row": frame["source_row"]}).to_pandas(types_mapper=_types)
    status = _statuses(rows, profile, raw, problems)
    if excluded is not None:
        status = status.mask(excluded.to_numpy(zero_copy_only=False), "cancelled")
    return status.to_numpy(dtype=object)


def _order_status_from_lines(row_status: np.ndarray, by_line: LineRefunds, groups: Groups) -> pa.Array:
    """Per order, the first of paid > pending > refunded > cancelled among its rows: a buyer who
    kept one item paid for the order, which is refunded only when every line is. A row counts as
    refunded when it gave back all of its amount (a line refunded in part is still paid for, one
    whose units all came back is refunded, whatever its status word)."""
    status = row_status.copy()
    status[(status == "refunded") & ~by_line.full_rows] = "paid"
    status[by_line.full_rows] = "refunded"
    rank = pd.Series(status).map({s: i for i, s in enumerate(STATUS_PRECEDENCE)}).to_numpy()
    best = np.full(groups.count, len(STATUS_PRECEDENCE) - 1)
    np.minimum.at(best, groups.codes, rank)
    return pa.array(np.array(STATUS_PRECEDENCE)[best])


@dataclass
class LineRefunds:
    """Refunds of an export with one row per sub-order, SKU or unit: per row whether it was
    refunded in full, and per order the columns `_every_line_refunded`, `_line_refunded` (the sum
    of its lines' refunds) and `_refund_stated` (some line states an amount or a quantity)."""

    full_rows: np.ndarray
    per_order: dict[str, pa.Array]


def _line_refunds(cells: Cells, profile: Profile, line_cols, resolve, groups: Groups, excluded,
                  row_status) -> LineRefunds:
    """What each line gave back, by one rule for every platform (core.model): the refunded amount
    the row states (Lazada refundAmount, 淘宝 退款金额); else its returned units' share of the line
    (Shopee Returned quantity, TikTok Sku Quantity of return); else, for a row whose own status is
    refunded (抖店 售后状态 退款成功), the whole line (its total, or price × quantity)."""
    size = len(groups.codes)

    def numbers(columns) -> np.ndarray:
        if not columns:
            return np.full(size, np.nan)
        return cells.money(columns).to_numpy(zero_copy_only=False).astype(float)

    quantity = numbers(line_cols.get("quantity", []))
    quantity = np.where(np.isnan(quantity), 1.0, quantity)
    amount = numbers(line_cols.get("line_total", []))
    with np.errstate(over="ignore", invalid="ignore"):  # absurd cells give inf, not a warning
        amount = np.where(np.isnan(amount), numbers(line_cols.get("unit_price", [])) * quantity, amount)
    spec = profile.line_refund or LineRefund()
    paid_back, returned = numbers(resolve(spec.amount)), numbers(resolve(spec.quantity))
    product, sku = cells.text(line_cols.get("product_name", [])), cells.text(line_cols.get("sku", []))
    is_line = pc.or_(pc.is_valid(product), pc.is_valid(sku)).to_numpy(zero_copy_only=False)
    if excluded is not None:  # a cancelled unit is no line of the order (Lazada)
        is_line = is_line & ~excluded.to_numpy(zero_copy_only=False)
    said = row_status == "refunded" if row_status is not None else np.zeros(size, dtype=bool)
    by_amount = ~np.isnan(paid_back)
    by_units = ~np.isnan(returned) & (returned > 0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # A row whose status says refunded gave back all of it, unless it states a smaller amount.
        full = (said & ~(by_amount & (paid_back < amount - 0.005))) | (
            by_units & (quantity > 0) & (returned >= quantity))
        share = np.minimum(returned, quantity) / np.where(quantity > 0, quantity, np.nan) * amount
    refund = np.where(by_amount, paid_back, np.where(by_units, share, np.where(said, amount, 0.0)))
    refund = np.where(is_line, np.nan_to_num(refund), 0.0)
    stated = is_line & ((by_amount & (paid_back > 0)) | by_units)
    codes, count = groups.codes, groups.count
    lines = np.bincount(codes, weights=is_line, minlength=count)
    refunded_lines = np.bincount(codes, weights=is_line & full, minlength=count)
    return LineRefunds(full & is_line, {
        "_every_line_refunded": pa.array((lines > 0) & (refunded_lines == lines)),
        "_line_refunded": pa.array(np.bincount(codes, weights=refund, minlength=count)),
        "_refund_stated": pa.array(np.bincount(codes, weights=stated, minlength=count) > 0),
    })


def _file_currency(cells: Cells, order_cols, profile: Profile) -> str:
    """The currency of a file without a currency column: the most frequent money symbol of its
    order totals (eBay writes `$45.99`, `£12.50`, `AU $19.95`), else the profile's default."""
    if order_cols.get("currency") or not profile.currency_symbols or not order_cols.get("order_total"):
        return profile.currency
    symbols = pc.utf8_trim_whitespace(pc.replace_substring_regex(
        cells.text(order_cols["order_total"]), r"[0-9.,()+\-]", ""))
    counts = pc.value_counts(pc.drop_null(symbols)).to_pylist()
    for entry in sorted(counts, key=lambda c: -c["counts"]):
        if entry["values"] in profile.currency_symbols:
            return profile.currency_symbols[entry["values"]]
    return profile.currency


def _file_market(orders: pd.DataFrame, cells: Cells, profile: Profile, market_cols) -> str | None:
    """The market (ISO country) a marketplace file was sold in, from its own values: the countries
    of its orders, its buyers' phone numbers with their dial code (60…, +63 …) or a mobile shape
    only one market has, and market codes (Lazada `…_PH-…` SKUs). A Shopee or Lazada shop sells
    in one market, so one market must account for most of that evidence; else there is none."""
    if not profile.markets:
        return None
    votes: Counter = Counter()

    def count(values, name_to_code) -> None:
        sample = values.dropna()
        sample = sample[sample.astype(str).str.strip() != ""].head(MARKET_SAMPLE)
        for value, times in sample.value_counts().items():
            code = name_to_code(value)
            if code in profile.markets:
                votes[code] += int(times)

    if "country" in orders:
        count(orders["country"], country_code)
    if "phone" in orders:
        count(orders["phone"], lambda text: phone_country(text, profile.markets))
    for spec, cols in market_cols:
        if cols:
            codes = pd.Series(cells.clean(cols[0]).to_pandas()).dropna().head(MARKET_SAMPLE)
            count(codes.str.extract(spec.pattern, expand=False), lambda code: str(code).upper())
    if not votes:
        return None
    code, times = votes.most_common(1)[0]
    return code if times >= MARKET_AGREEMENT * sum(votes.values()) else None


def _line_sums(lines: pd.DataFrame, groups: Groups) -> dict[str, np.ndarray] | None:
    """Per order (in the order of `groups`): the sum of its line totals and quantities, and
    whether it has any line at all."""
    if len(lines) == 0:
        return None
    codes = lines["_code"].to_numpy(dtype=np.int64)
    total = lines["line_total"].to_numpy(dtype=float, na_value=np.nan)
    counted = np.bincount(codes, weights=~np.isnan(total), minlength=groups.count)
    return {
        "line_total": np.where(counted > 0, np.bincount(codes, weights=np.nan_to_num(total),
                                                        minlength=groups.count), np.nan),
        "quantity": np.bincount(codes, weights=lines["quantity"].to_numpy(dtype=float, na_value=0.0),
                                minlength=groups.count),
        "has_line": np.bincount(codes, minlength=groups.count) > 0,
    }


def _item_counts(line_sums) -> np.ndarray:
    """Per order, the sum of its lines' quantities; empty for an order without lines."""
    return np.where(line_sums["has_line"], line_sums["quantity"], np.nan)


def _finish_orders(orders: pd.DataFrame, line_sums, profile: Profile, raw, problems: list[Problem],
                   default_currency: str, market: str | None = None,
                   chosen_currency: str | None = None) -> pd.DataFrame:
    """Computed money, status, refunds and place fields of each order, as core.model defines them."""
    for name in profile.computed:
        if "_comp_" + name not in orders:
            continue
        values = orders.pop("_comp_" + name)
        orders[name] = orders[name].fillna(values) if name in orders else values
    if "order_total" not in orders and line_sums is not None:
        orders["order_total"] = line_sums["line_total"]
    if "item_count" not in orders and line_sums is not None:
        orders["item_count"] = _item_counts(line_sums)
    orders["status"] = (orders.pop("_line_status") if "_line_status" in orders
                        else _statuses(orders, profile, raw, problems))
    every_line = orders.pop("_every_line_refunded") if "_every_line_refunded" in orders else None
    if every_line is not None and not profile.status_per_line:
        # One status for the whole order (Shopee, TikTok): refunded when every line came back.
        orders.loc[(orders["status"] == "paid") & every_line.astype(bool), "status"] = "refunded"
    if profile.line_exclude_column:
        # Every line cancelled (Amazon item-status) means the order kept no money.
        has_line = line_sums["has_line"] if line_sums is not None else np.zeros(len(orders), bool)
        orders.loc[~has_line, "status"] = "cancelled"
    for name in MONEY_FIELDS:
        if name not in orders:
            orders[name] = np.nan
    if "_line_refunded" in orders:
        _refunds_from_lines(orders, orders.pop("_line_refunded"), orders.pop("_refund_stated"))
    refunded_all = (orders["status"] == "refunded") & orders["refunded"].isna()
    orders.loc[refunded_all, "refunded"] = orders.loc[refunded_all, "order_total"]
    orders["refunded"] = orders["refunded"].fillna(0.0)
    settle_full_refunds(orders)
    # The currency: the file's own column; else the order's country where the platform has one
    # shop per market; else the market the whole file shows (phones, market codes); else the
    # money symbols or the profile's default; else what the seller said for this layout.
    currency = (orders["currency"].str.upper().str.strip() if "currency" in orders
                else pd.Series(np.nan, index=orders.index, dtype="str"))
    if (profile.currency_by_country or profile.markets) and "country" in orders:
        by_country = orders["country"].map({c: _country_currency(c, profile)
                                            for c in orders["country"].dropna().unique()})
        currency = currency.fillna(by_country.astype("str"))
    if market:
        currency = currency.fillna(currency_of(market))
    orders["currency"] = currency.fillna(default_currency or chosen_currency or NO_CURRENCY)
    if profile.country:
        orders["country"] = (orders["country"] if "country" in orders else
                             pd.Series(np.nan, index=orders.index, dtype="str")).fillna(profile.country)
    if "address" in orders:
        parts = orders["address"].str.split(n=2, expand=True, regex=False)
        for position, name in ((0, "region"), (1, "city")):
            if position in parts:
                orders[name] = orders[name].fillna(parts[position]) if name in orders else parts[position]
    return orders


def _country_currency(name: str, profile: Profile) -> str | None:
    """The currency of an order shipped to `name` on a platform with one shop per market."""
    own = profile.currency_by_country.get(normalize_header(name))
    code = country_code(name)
    return own or (currency_of(code) if code in profile.markets else None)


def _refunds_from_lines(orders: pd.DataFrame, line_refunded: pd.Series, stated: pd.Series) -> None:
    """An order's refund, where no order-level amount says it, is the sum of its lines' refunds:
    for a paid order never more than its total; for a refunded one only when its lines state
    amounts or units (else it gave back its whole total, as any refunded order)."""
    paid = orders["status"] == "paid"
    use = paid | ((orders["status"] == "refunded") & stated.astype(bool))
    total = orders["order_total"]
    capped = line_refunded.where(~paid | total.isna() | (line_refunded <= total), total)
    orders["refunded"] = orders["refunded"].fillna(capped.where(use))


def settle_full_refunds(orders: pd.DataFrame) -> None:
    """A paid order whose refunds reach its total is fully refunded, whatever its status word says."""
    full = (orders["status"] == "paid") & (orders["order_total"] > 0) & (
        orders["refunded"] >= orders["order_total"] - 0.005)
    if full.any():
        orders["status"] = settable(orders["status"], "refunded")
        orders.loc[full, "status"] = "refunded"


def _statuses(orders: pd.DataFrame, profile: Profile, raw, problems) -> pd.Series:
    """Canonical status per order: the first matching rule, else the status map, else the default."""
    default = profile.status_default or ("paid" if "_status" not in orders else "pending")
    ruled = None  # what the rules say, where one matches (most profiles have none)
    for rule in profile.status_rules:
        values = orders.get("_rule_" + rule.column)
        if values is None:
            continue
        hit = values.isna() if rule.blank else values.str.contains(rule.pattern or "", regex=True, na=False)
        ruled = pd.Series(pd.NA, index=orders.index, dtype="object") if ruled is None else ruled
        ruled = ruled.mask(ruled.isna() & hit, rule.status)
    if "_status" in orders:
        # Few distinct values: normalise and map each once, then take per order by its code.
        encoded = pc.dictionary_encode(pa.array(orders["_status"], pa.string(), from_pandas=True))
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        words = [normalize_header(v) for v in encoded.dictionary.to_pylist()]
        mapped = [profile.status_map.get(w) for w in words]
        per_word = pa.array([m or "pending" for m in mapped] + [default], pa.string())  # last: no status
        status = per_word.take(pa.array(np.where(codes >= 0, codes, len(mapped))))
        unknown: dict[str, list[int]] = {}  # word → its spellings, in the order orders show them
        for entry, (word, status_of) in enumerate(zip(words, mapped)):
            if status_of is None:
                unknown.setdefault(word, []).append(entry)
        for word, entries in list(unknown.items())[:MAX_CELL_PROBLEMS]:
            rows = np.isin(codes, entries)
            problems.append(Problem.make(raw.path, int(orders["source_row"].to_numpy()[np.argmax(rows)]),
                                         profile.status_columns[0], "import.unknown_status", value=word,
                                         count=int(rows.sum())))
        status = pd.Series(status.to_pandas(types_mapper=_types).array, index=orders.index)
    else:
        status = pd.Series(default, index=orders.index, dtype="str")
    return status if ruled is None else ruled.fillna(status).astype(str)


def _conform(frame: pd.DataFrame, empty: pd.DataFrame) -> pd.DataFrame:
    """Exactly the canonical columns with the canonical dtypes."""
    out, text = {}, {}
    for name in empty.columns:
        dtype = empty[name].dtype
        if isinstance(dtype, pd.CategoricalDtype):  # categories are the column's own values
            dtype = "category"
        if name in frame:
            column = frame[name]
            if column.dtype == dtype:
                out[name] = column
            elif dtype == "category" and isinstance(column.dtype, pd.StringDtype):
                # Encoded below from Arrow, on all cores (pandas' astype: 15-50 ms a column).
                out[name], text[name] = None, pa.array(column)
            else:
                out[name] = column.astype(dtype)
        elif dtype == "category":  # empty, over no category (a fifth of the time of Series(nan))
            out[name] = pd.Series(repeated(None, len(frame)), index=frame.index)
        else:
            out[name] = pd.Series(np.nan, index=frame.index, dtype=dtype)
    for name, values in _categories_of(text, len(frame)).items():
        out[name] = pd.Series(values, index=frame.index)
    # copy=False: no copy of the columns into one block per dtype (0.6 s for a million orders).
    return pd.DataFrame(out, index=frame.index, copy=False).reset_index(drop=True)


def merge(parts: list[FilePart]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One customer base from many files: an order seen in several files of its platform is one
    order (order-level reports win over line-level ones); its lines come from one file only.
    Empties `parts`: each file's frames are let go once joined, not held twice."""
    if len(parts) == 1:
        part = parts.pop()
        return part.orders, part.lines
    frames, lines = [], []
    for number, part in enumerate(parts):
        frame = part.orders.assign(_rank=ROLE_RANK[part.role], _file=number)  # columns shared, not copied
        if part.refund_known is not None:  # a file that cannot know leaves refunds to the others
            frame.loc[~part.refund_known, "refunded"] = np.nan
        frames.append(frame)
        if len(part.lines):
            lines.append(part.lines.assign(_file=number))
    parts.clear()
    del part, frame  # the last file's frames too
    orders = concat(frames)  # empties frames and lines: each file's columns go once joined
    lines = concat(lines) if lines else empty_lines()
    if (np.diff(orders["_rank"].to_numpy()) < 0).any():  # else the stable sort keeps every row in place
        orders = orders.sort_values(["_rank", "_file"], kind="stable", ignore_index=True)
    merged, overlap = _one_row_per_order(orders)
    del orders
    merged["refunded"] = merged["refunded"].fillna(0.0)
    settle_full_refunds(merged)
    # A file's lines are of its own orders: only orders in several files can have lines twice.
    if overlap and len(lines):  # an order's lines come from the first file that has lines for it
        owner = lines.groupby(["platform", "order_id"], sort=False, dropna=False)["_file"].transform("min")
        lines = lines[lines["_file"].to_numpy() == owner.to_numpy()]
    # Orders that came from an order-level file only get their item count from the joined lines.
    uncounted = merged["item_count"].isna().to_numpy()
    if len(lines) and uncounted.any():
        counts = lines.groupby(["platform", "order_id"])["quantity"].sum()
        index = pd.MultiIndex.from_frame(merged.loc[uncounted, ["platform", "order_id"]])
        merged.loc[uncounted, "item_count"] = counts.reindex(index).to_numpy()
    merged = merged.drop(columns=["_rank", "_file"])
    return _conform(merged, empty_orders()), _conform(lines, empty_lines())


def _one_row_per_order(orders: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Each (platform, order_id) once, with the first value each column has among its rows, in
    the order keys first appear; and whether any order was in several files. Rows of an order
    seen once are kept as they are (ten exports of different orders are never regrouped)."""
    keys = ["platform", "order_id"]
    has_key = orders[keys].notna().all(axis=1).to_numpy()
    if not has_key.all():  # as groupby leaves out null keys
        orders = orders[has_key]
    repeated = orders.duplicated(keys, keep=False).to_numpy()
    if not repeated.any():
        return orders.reset_index(drop=True), False
    first_seen = ~orders.duplicated(keys, keep="first").to_numpy()
    firsts = orders[repeated].groupby(keys, sort=False).first().reset_index()  # first appearance order
    merged = pd.concat([orders[~repeated], firsts], ignore_index=True)
    position = np.concatenate([np.flatnonzero(~repeated), np.flatnonzero(repeated & first_seen)])
    return merged.take(np.argsort(position, kind="stable")).reset_index(drop=True), True
