"""Seeded mutations of the real export fixtures, and the check that each mutant imports or is refused in our words.

Shared by tests/test_fuzz_import.py (a few hundred cases in the suite) and bench/fuzz_import.py (the
long run). A case is (fixture folder, seed): the same pair always gives the same files.
"""
from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.i18n import catalog, placeholders

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
SKIP = {"case.toml", "README.md"}
# Cells a damaged or hand-edited export really holds.
HOSTILE_CELLS = ["", "--", "N/A", "null", "NaN", "-1e308", "1e400", "9" * 40, "=1+1", "2025-13-45",
                 "1.234,56", "１２３", "\x00", '"', "x" * 5000, "😀", "0x1F", "-0", "¥-12", "12/31/99",
                 "1,2,3", "\t", "\r", "１２/３/２０２５", "2025-02-30 25:61:00", "Infinity", "—"]
# Wording of the libraries underneath, which a seller must never see.
ENGINE_WORDS = ("pyarrow", "straddl", "Traceback", "Error:", "errno", "calamine", "codec",
                "pandas", "numpy", "block size", "UTF8", "utf-8' codec")
MUTATIONS = ("flip_bytes", "delete_lines", "swap_columns", "truncate", "replace_cells",
             "duplicate_lines", "blank_lines", "shuffle_lines")


def fixtures() -> list[Path]:
    return sorted(p for p in EXPORTS.iterdir() if (p / "case.toml").exists())


def fixture_files(case: Path) -> list[Path]:
    return sorted(p for p in case.iterdir() if p.is_file() and p.name not in SKIP)


def mutate(data: bytes, rng: random.Random, kind: str) -> bytes:
    """`data` damaged one way; text mutations work on lines, so spreadsheets only get byte ones."""
    text_like = not data.startswith(b"PK")
    if kind == "flip_bytes" or not text_like and kind not in ("truncate",):
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    lines = data.split(b"\n")
    if kind == "delete_lines":
        for _ in range(rng.randint(1, max(1, len(lines) // 3))):
            if len(lines) > 1:
                del lines[rng.randrange(len(lines))]
    elif kind == "duplicate_lines":
        for _ in range(rng.randint(1, 5)):
            at = rng.randrange(len(lines))
            lines.insert(at, lines[at])
    elif kind == "blank_lines":
        for _ in range(rng.randint(1, 5)):
            lines.insert(rng.randrange(len(lines) + 1), rng.choice([b"", b"\r", b",,,", b"\t\t"]))
    elif kind == "shuffle_lines":
        body = lines[1:]
        rng.shuffle(body)
        lines = lines[:1] + body
    else:
        delimiter = max((b",", b"\t", b";"), key=lambda d: lines[0].count(d))
        rows = [line.split(delimiter) for line in lines]
        width = max(len(r) for r in rows)
        if kind == "swap_columns" and width > 1:
            a, b = rng.sample(range(width), 2)
            whole = rng.random() < 0.5  # the header alone, or every row
            for row in rows[: 1 if not whole else len(rows)]:
                if max(a, b) < len(row):
                    row[a], row[b] = row[b], row[a]
        elif kind == "replace_cells":
            for _ in range(rng.randint(1, 6)):
                row = rows[rng.randrange(len(rows))]
                cell = rng.choice(HOSTILE_CELLS).encode("utf-8")
                row[rng.randrange(len(row))] = cell
        lines = [delimiter.join(r) for r in rows]
    return b"\n".join(lines)


@dataclass
class Case:
    fixture: str
    seed: int
    kind: str


def _case_rng(case_dir: Path, seed: int) -> tuple[random.Random, str]:
    """The seeded generator of one case, and the mutation kind it draws first."""
    rng = random.Random(f"{case_dir.name}:{seed}")
    return rng, rng.choice(MUTATIONS)


def seeds_per_kind(case_dir: Path, per_kind: int) -> list[int]:
    """The first `per_kind` seeds of each mutation kind for one fixture: every kind is tried on
    every fixture, with fewer cases than seeds drawn at random would need."""
    chosen: list[int] = []
    count = dict.fromkeys(MUTATIONS, 0)
    seed = 0
    while min(count.values()) < per_kind:
        kind = _case_rng(case_dir, seed)[1]
        if count[kind] < per_kind:
            count[kind] += 1
            chosen.append(seed)
        seed += 1
    return chosen


def make_case(case_dir: Path, seed: int, into: Path) -> tuple[Case, list[Path]]:
    """The mutant files of one case, written into the folder `into` (emptied first)."""
    rng, kind = _case_rng(case_dir, seed)
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    files = fixture_files(case_dir)
    victim = rng.randrange(len(files))
    paths = []
    for index, source in enumerate(files):
        data = source.read_bytes()
        if index == victim and data:
            data = mutate(data, rng, kind)
        target = into / source.name
        target.write_bytes(data)
        paths.append(target)
    return Case(case_dir.name, seed, kind), paths


def check_book(book) -> list[str]:
    """What is wrong with the problems an import reported: unknown ids, missing translations,
    placeholders left, or an engine's own words."""
    wrong = []
    en, zh = catalog("en"), catalog("zh_CN")
    for problem in book.problems:
        key = problem.message_id
        if key not in en or key not in zh:
            wrong.append(f"{key}: not in both catalogs")
            continue
        for lang in ("en", "zh_CN"):
            message = problem.message(lang)
            named = {name for name, _ in problem.params} | {"file", "row", "column"}
            if placeholders(en[key]) - named:
                wrong.append(f"{key}: placeholders {placeholders(en[key]) - named} not given")
            lowered = message.lower()
            found = [w for w in ENGINE_WORDS if w.lower() in lowered and w.lower() not in
                     (en[key] + zh[key]).lower()]
            if found:
                wrong.append(f"{key}: engine wording {found} in {message[:200]!r}")
    return wrong
