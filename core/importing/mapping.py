"""User column mappings (`--map FILE`): a flat source → canonical table, or a full profile."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

from core.errors import InputError, Problem
from core.importing.profiles import (MAPPABLE_LINE, MAPPABLE_ORDER, Profile, ProfileError,
                                     all_profiles, parse_profile)

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
