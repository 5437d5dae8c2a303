"""Find how a text export is written: its encoding, its delimiter and the row that holds the header."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from core.importing import decode
from core.importing.profiles import normalize_header

SAMPLE_BYTES = 256 * 1024
HEADER_SCAN_LINES = 40
DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class Layout:
    """Where the table starts in a text file and how its cells are separated."""

    encoding: str
    delimiter: str
    header_line: int  # 0-based physical line of the header
    header: tuple[str, ...]
    known_columns: int  # how many header cells some profile knows


def detect_encoding(sample: bytes, whole_sample: bool) -> str:
    """The text encoding of a file from its first bytes ("" when it is not text); see
    core.importing.decode for the evidence weighed."""
    return decode.detect(sample, whole_sample)


def decode_sample(sample: bytes, encoding: str) -> str:
    return sample.decode(encoding, errors="replace").lstrip("\ufeff")


def find_layout(text: str, encoding: str, vocabulary: set[str]) -> Layout:
    """Try every delimiter on the first lines and take the row whose cells best match the column
    names of the known profiles (banner rows, blank lines and `sep=,` lines are skipped this way).
    With no known name, take the delimiter that splits the first non-blank line most evenly."""
    lines = text.splitlines()[:HEADER_SCAN_LINES]
    best: Layout | None = None
    for delimiter in DELIMITERS:
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            cells = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
            if len(cells) < 2:
                continue
            known = sum(normalize_header(cell) in vocabulary for cell in cells)
            if best is None or known > best.known_columns:
                best = Layout(encoding, delimiter, index, tuple(cells), known)
    if best is not None and best.known_columns >= 2:
        return best
    return _unknown_layout(lines, encoding)


def _unknown_layout(lines: list[str], encoding: str) -> Layout:
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    sample = "\n".join(lines[start:start + 20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        delimiter = ","
    cells = next(csv.reader(io.StringIO(lines[start] if lines else ""), delimiter=delimiter), [])
    return Layout(encoding, delimiter, start, tuple(cells), 0)
