"""Where SegmentDesk keeps the user's own files (saved column mappings), per user and per OS."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def config_dir() -> Path:
    """The per-user folder: $SEGMENTDESK_CONFIG_DIR, else the platform's usual config location."""
    if os.environ.get("SEGMENTDESK_CONFIG_DIR"):
        return Path(os.environ["SEGMENTDESK_CONFIG_DIR"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "SegmentDesk"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "SegmentDesk"
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "SegmentDesk"


def user_profiles_dir() -> Path:
    return config_dir() / "profiles"
