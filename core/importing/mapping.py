"""User column mappings (`--map FILE`): a flat source → canonical table, or a full profile."""
from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError, Problem
from core.config import user_profiles_dir
from core.importing.profiles import (MAPPABLE_LINE, MAPPABLE_ORDER, Profile, ProfileError,
                                     all_profiles, normalize_header, parse_profile)
from core.safe_write import atomic_path

GENERIC_PROFILE = "generic_transactions"


def load_mapping(path) -> Profile:
    """Read a mapping file (TOML or JSON).

    A flat mapping names source columns and the canonical field each one holds::

        platform = "My web shop"          # optional
        date_formats = ["%d.%m.%Y %H:%M"]  # optional
        decimal = ","                     # optional: "," or "." (default: decided per file)
        currency = "EUR"                  # optional, when the file has no currency column
        [columns]
        "Bestellnummer" = "order_id"
        "Datum" = "placed_at"

    A file with an ``[order]`` table is read as a full profile (what the GUI saves).
    """
    path = Path(path)
    try:
        text = path.read_bytes()
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text.decode("utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(Problem.make(path, None, None, "import.bad_mapping", detail=str(error))) from None
    try:
        if "order" in data:
            return parse_profile(data, path)
        return profile_from_columns(data.get("columns", {}), path, **{
            k: data[k] for k in ("platform", "date_formats", "decimal", "currency") if k in data})
    except ProfileError as error:
        raise InputError(Problem.make(path, None, None, "import.bad_mapping", detail=str(error))) from None


def profile_from_columns(columns: dict[str, str], path: Path, platform: str = "Other",
                         date_formats=(), decimal: str = "auto", currency: str = "") -> Profile:
    """A profile from a source column → canonical field table, with the generic status words."""
    order: dict[str, list[str]] = {}
    line: dict[str, list[str]] = {}
    status_columns = []
    for source, field in columns.items():
        if field == "status":
            status_columns.append(source)
        elif field in MAPPABLE_ORDER:
            order.setdefault(field, []).append(source)
        elif field in MAPPABLE_LINE:
            line.setdefault(field, []).append(source)
        else:
            raise ProfileError(f"column {source!r}: unknown field {field!r}; expected one of "
                               f"{', '.join(('status',) + MAPPABLE_ORDER + MAPPABLE_LINE)}")
    generic = next(p for p in all_profiles() if p.id == GENERIC_PROFILE)
    data = {
        "id": "custom_" + path.stem, "platform": platform, "report": path.name,
        "detect": {"required": list(columns), "required_fields": ["order_id"]},
        "format": {"date_formats": list(date_formats) or list(generic.date_formats),
                   "decimal": decimal, "currency": currency},
        "order": order, "line": line,
        "status": {"columns": status_columns, "map": dict(generic.status_map)},
    }
    return parse_profile(data, path)


# Fields a mapping may assign, in the order the mapping dialog lists them.
MAPPABLE_FIELDS = ("order_id", "placed_at", "status", "email", "buyer_id", "phone", "customer_name",
                   "order_total", "refunded", "currency", "shipping", "tax", "discount", "country",
                   "region", "city", "postcode", "gender", "age", "channel", "sku", "product_name", "category",
                   "variation", "quantity", "unit_price", "line_total")
REQUIRED_FIELDS = ("order_id", "placed_at")


@dataclass
class MappingSuggestion:
    """What the mapping dialog starts from: the file's header, a few rows, a proposed mapping."""

    path: Path
    header: list[str]
    rows: list[list[str | None]]
    columns: dict[str, str]  # source column -> canonical field
    closest: Profile | None


def field_vocabulary() -> dict[str, str]:
    """Every source column name any profile knows (normalised) → the canonical field it holds."""
    vocabulary: dict[str, str] = {}
    for profile in all_profiles():
        for field, names in list(profile.order.items()) + list(profile.line.items()):
            for name in names:
                vocabulary.setdefault(normalize_header(name), field)
        for name in profile.status_columns:
            vocabulary.setdefault(normalize_header(name), "status")
    return {k: v for k, v in vocabulary.items() if v in MAPPABLE_FIELDS}


def suggest_mapping(path, sample_rows: int = 5) -> MappingSuggestion:
    """Propose a mapping for a file no profile fits: each column whose name (or a close spelling)
    some profile knows gets that field; each field is proposed for one column at most."""
    from core.importing.engine import choose_profile_or_closest
    from core.importing.read import open_file, read_columns

    vocabulary = field_vocabulary()
    raw = open_file(Path(path), set(vocabulary))
    header = [h for h in raw.header if h.strip()]
    table, _ = read_columns(raw, header)
    rows = [list(r.values()) for r in table.slice(0, sample_rows).to_pylist()]
    columns: dict[str, str] = {}
    for name in header:
        key = normalize_header(name)
        field = vocabulary.get(key)
        if field is None:
            close = difflib.get_close_matches(key, vocabulary, n=1, cutoff=0.85)
            field = vocabulary[close[0]] if close else None
        if field and field not in columns.values():
            columns[name] = field
    return MappingSuggestion(Path(path), header, rows, columns, choose_profile_or_closest(raw))


def mapping_text(columns: dict[str, str], platform: str = "", date_formats=(), decimal: str = "",
                 currency: str = "") -> str:
    """A mapping file (the `--map` format) as TOML text."""
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string

    lines = []
    if platform:
        lines.append(f"platform = {quoted(platform)}")
    if date_formats:
        lines.append(f"date_formats = [{', '.join(quoted(f) for f in date_formats)}]")
    if decimal:
        lines.append(f"decimal = {quoted(decimal)}")
    if currency:
        lines.append(f"currency = {quoted(currency)}")
    lines.append("")
    lines.append("[columns]")
    lines.extend(f"{quoted(source)} = {quoted(field)}" for source, field in columns.items())
    return "\n".join(lines) + "\n"


def check_mapping(columns: dict[str, str]) -> list[str]:
    """The required fields a mapping still lacks (empty when it can be used)."""
    return [f for f in REQUIRED_FIELDS if f not in columns.values()]


def save_user_mapping(name: str, text: str) -> Path:
    """Save a mapping as a profile of the user's own, used for every later import."""
    folder = user_profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^0-9A-Za-z_-]+", "_", name).strip("_") or "my_shop"
    target = folder / f"{slug}.toml"
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    all_profiles.cache_clear()
    return target


def user_profiles() -> list[Profile]:
    """The mappings the user saved; a broken one is skipped (the dialog can save it anew)."""
    out = []
    for path in sorted(user_profiles_dir().glob("*.toml")):
        try:
            out.append(load_mapping(path))
        except InputError:
            continue
    return out
