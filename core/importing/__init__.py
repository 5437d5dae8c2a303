"""Import marketplace order exports into the canonical order model (see core.model)."""
from __future__ import annotations

from core.importing.engine import import_files

__all__ = ["import_files"]
