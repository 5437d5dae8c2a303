"""Per-user settings in the config folder: window geometry, language, recent files, the folders
saved to, the exchange rates last entered, and the last settings of each set of files (re-opening
them shows what was last seen)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from core.config import config_dir

MAX_RECENT = 8


def _store() -> QSettings:
    # An INI file in our own config folder (not the registry): tests and the smoke run point
    # SEGMENTDESK_CONFIG_DIR elsewhere, and a user can see and delete it.
    return QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _load(key: str, default):
    value = _store().value(key)
    if not isinstance(value, str):
        return default
    try:
        return json.loads(value)
    except ValueError:  # a hand-edited or damaged file: fall back, never crash at start
        return default


def _save(key: str, value) -> None:
    store = _store()
    store.setValue(key, json.dumps(value, ensure_ascii=False))
    store.sync()


def files_key(paths: list[str]) -> str:
    """One key per set of files, whatever order they were opened in."""
    joined = "\n".join(sorted(str(Path(p).resolve()) for p in paths))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def recent_files() -> list[list[str]]:
    """The last sets of files opened, newest first."""
    entries = _load("recent", [])
    return [list(map(str, e)) for e in entries if isinstance(e, list) and e][:MAX_RECENT]


def add_recent(paths: list[str]) -> None:
    entry = [str(Path(p).resolve()) for p in paths]
    others = [e for e in recent_files() if sorted(e) != sorted(entry)]
    _save("recent", [entry, *others][:MAX_RECENT])


def clear_recent() -> None:
    _save("recent", [])


def save_folders() -> list[str]:
    """The folders the user last saved lists and reports to, newest first."""
    folders = _load("save_folders", [])
    return [f for f in folders if isinstance(f, str)][:MAX_RECENT] if isinstance(folders, list) else []


def add_save_folder(folder) -> None:
    """Remember a folder saved to, so the next start cleans what a killed save left there."""
    entry = str(Path(folder).resolve())
    _save("save_folders", [entry, *[f for f in save_folders() if f != entry]][:MAX_RECENT])


def settings_for(paths: list[str]) -> dict:
    """What the seller last chose for exactly these files ({} the first time)."""
    value = _load(f"files/{files_key(paths)}", {})
    return value if isinstance(value, dict) else {}


def remember_for(paths: list[str], settings: dict) -> None:
    if paths:
        _save(f"files/{files_key(paths)}", settings)


def language() -> str | None:
    value = _load("language", None)
    return value if isinstance(value, str) else None


def set_language(code: str) -> None:
    _save("language", code)


def geometry() -> QByteArray | None:
    value = _store().value("geometry")
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def set_geometry(value: QByteArray) -> None:
    store = _store()
    store.setValue("geometry", value)
    store.sync()


def file_currencies() -> dict[str, str]:
    """The currency the seller chose for each file layout (import profile id) whose files do not
    say the currency of their money: asked once on the Overview, used at every import."""
    value = _load("file_currencies", {})
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and len(v) == 3}


def set_file_currency(profile: str, code: str) -> None:
    _save("file_currencies", {**file_currencies(), profile: code})


def last_rates() -> dict:
    """The exchange rates the seller last entered (any files), to pre-fill the rates dialog:
    {"base": "USD", "rates": {"CNY": 0.1381}, "dates": {"CNY": "2026-11-30"}}, or {}."""
    value = _load("last_rates", {})
    return value if isinstance(value, dict) else {}


def set_last_rates(value: dict) -> None:
    _save("last_rates", value)
