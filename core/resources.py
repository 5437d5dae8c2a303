"""Where bundled data files live (works from a source checkout and from a PyInstaller bundle)."""
from __future__ import annotations

import sys
from pathlib import Path

RESOURCES = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent)) / "resources"
