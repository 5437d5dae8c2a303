"""Saving from the window: the strategy summary as a PDF and customer lists as CSV or Excel.

The functions named `*_job` run on a pool thread (see ui.worker.Job): they get plain data and
paths, never widgets. The rest are small helpers the window uses on the GUI thread to suggest a
file name, pick the paper and the list format, and refuse an input file before any work starts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from PySide6.QtCore import QLocale, QStandardPaths

from core.i18n import t

LIST_FORMATS = (".xlsx", ".csv")
# Up to one sheet's rows a list is offered as .xlsx (phone numbers and long ids stay text, and
# core.xlsx_writer writes 1M rows in seconds); a longer one as .csv, which any tool reads whole.
XLSX_BELOW_ROWS = 1_048_576
LETTER_TERRITORIES = (QLocale.Country.UnitedStates, QLocale.Country.Canada)


@dataclass(frozen=True)
class ListRequest:
    """Which customers to export: the segments (ids; None: all) and, for a filtered table, the
    customer keys shown (None: every customer of those segments), in the order shown.
    `seg` is the Segmentation on screen, or None: the job segments with `settings` itself.
    `name` goes into the suggested file name; `rows` picks the default format."""

    segments: tuple[str, ...] | None
    keys: tuple[str, ...] | None
    rows: int
    seg: Any = None
    settings: tuple[str, int, str | None] = ("rfm11", 5, None)
    name: str = "customers"


# GUI thread -------------------------------------------------------------------------------------
def default_paper(locale: QLocale | None = None) -> str:
    """Letter in the United States and Canada, A4 everywhere else."""
    locale = locale or QLocale.system()
    return "letter" if locale.territory() in LETTER_TERRITORIES else "a4"


def documents_folder() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


def suggested_pdf(today: dt.date | None = None) -> Path:
    return documents_folder() / f"SegmentDesk-strategy-{(today or dt.date.today()).isoformat()}.pdf"


def suggested_list(name: str, suffix: str, today: dt.date | None = None) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "customers"
    return documents_folder() / f"SegmentDesk-{safe}-{(today or dt.date.today()).isoformat()}{suffix}"


def default_list_suffix(rows: int) -> str:
    return ".xlsx" if rows < XLSX_BELOW_ROWS else ".csv"


def list_filters() -> dict[str, str]:
    """The save dialog's filters by suffix (Excel first: it is the usual choice)."""
    return {".xlsx": t("ui.dialog.filter_xlsx"), ".csv": t("ui.dialog.filter_csv")}


def with_suffix(path: str, chosen_filter: str, default: str, suffixes: Iterable[str]) -> tuple[Path, bool]:
    """The path the user chose, with the suffix of the chosen filter added when it has none of
    `suffixes` (some dialogs do not add it); True when a suffix was added."""
    target = Path(path)
    if target.suffix.lower() in tuple(suffixes):
        return target, False
    suffix = next((s for s, text in list_filters().items() if text == chosen_filter), default)
    return target.with_name(target.name + suffix), True


def input_paths(book: Any, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The files a book was read from (never written over), with `extra` (the paths opened)."""
    files = [str(f.path) for f in getattr(book, "files", ())] if book is not None else []
    return tuple(dict.fromkeys([*files, *map(str, extra)]))


def is_input(path: Path, protect: Iterable[str]) -> bool:
    from core.exports import same_file  # pandas-backed module: loaded once saving is asked for

    return any(same_file(Path(path), Path(p)) for p in protect)


def clean_stale_saves() -> None:
    """At start: delete the temporary files that saves killed midway left (customer data) in the
    folders we save to: those saved to before, Documents and our own config folders."""
    from core.config import config_dir, user_profiles_dir
    from core.safe_write import clean_stale_temp
    from ui import settings

    folders = [*settings.save_folders(), documents_folder(), config_dir(), user_profiles_dir()]
    for folder in dict.fromkeys(str(f) for f in folders):
        clean_stale_temp(folder)


# Pool thread ------------------------------------------------------------------------------------
def render_report_job(plan: Any, path: str, lang: str, paper: str, book: Any, progress) -> tuple[str, int]:
    """Write the strategy summary PDF (atomically: a failure leaves an existing file as it was).
    QPdfWriter and QTextDocument paint on any thread; only the print dialogs need the GUI thread.
    OS errors come back as ExportError with the catalog message naming the path."""
    from core.exports import save_error
    from ui.report.render import render_pdf

    progress.check_cancelled()
    progress.report(0.05, "progress.report_pdf")
    try:
        pages = render_pdf(plan, path, lang, paper, book=book)
    except OSError as error:
        raise save_error(path, error) from error
    progress.report(1.0, "progress.done")
    return path, pages


def request_segmentation(book: Any, request: ListRequest, progress) -> Any:
    """The Segmentation a list request is for: the one on screen, else made with its settings."""
    from core.jobs import sub

    seg = request.seg
    if seg is None:
        from core.segments import segment

        map_id, bins, currency = request.settings
        seg = segment(book, map_id, bins=bins, currency=currency, progress=sub(progress, 0.0, 0.4))
    progress.check_cancelled()
    return seg


def export_list_job(book: Any, request: ListRequest, path: str, lang: str, protect: tuple[str, ...],
                    progress) -> Any:
    """Build the customer list of `request` (persona and strategy from the segment facts, computed
    here) and save it at `path`, overwriting a file there (the dialog asked) but never an input
    file. Returns the SavedList."""
    import pandas as pd

    from core.exports import customer_list, write_customer_list
    from core.jobs import sub
    from core.targeting.facts import segment_facts

    seg = request_segmentation(book, request, progress)
    progress.report(0.45, "progress.export_facts")
    facts = segment_facts(seg, book)
    progress.check_cancelled()
    progress.report(0.6, "progress.export_building")
    segments = list(request.segments) if request.segments is not None else None
    frame = customer_list(book, seg, segments, lang, facts)
    if request.keys is not None:
        attrs = dict(frame.attrs)
        where = pd.Index(frame["customer_key"]).get_indexer(list(request.keys))
        frame = frame.iloc[where[where >= 0]].reset_index(drop=True)
        frame.attrs.update(attrs)
    progress.check_cancelled()
    progress.report(0.75, "progress.export_writing", rows=f"{len(frame):,}")
    saved = write_customer_list(frame, path, force=True, lang=lang, protect=protect,
                                progress=sub(progress, 0.75, 1.0))
    progress.report(1.0, "progress.done")
    return saved


@dataclass(frozen=True)
class AudienceSaved:
    """A saved hashed audience list: its path, rows and skipped customers by reason, and what the
    status line says in each language (HashedAudience.message, the explanation left to the dialog)."""

    path: str
    written: int
    skipped: dict
    messages: dict


def hashed_audience_job(book: Any, request: ListRequest, platform: str, path: str, protect: tuple[str, ...],
                        progress) -> AudienceSaved:
    """Hash the emails and phones of the customers of `request` for `platform` and save the list
    at `path` (CSV; a file there is replaced, the dialog asked; never an input file)."""
    from core.audience import hashed_audience, write_hashed_audience
    from core.i18n import LANGUAGES

    seg = request_segmentation(book, request, progress)
    progress.report(0.45, "ui.audience.step_hashing")
    segments = list(request.segments) if request.segments is not None else None
    audience = hashed_audience(book, seg, segments, platform)
    progress.check_cancelled()
    progress.report(0.8, "ui.audience.step_writing", rows=f"{audience.written:,}")
    write_hashed_audience(audience, path, force=True, protect=protect)
    messages = {}
    for lang in LANGUAGES:
        explanation = t("audience.explanation", lang=lang)
        lines = [line.strip() for line in audience.message(path, lang).splitlines() if line != explanation]
        messages[lang] = " ".join(lines)
    progress.report(1.0, "progress.done")
    return AudienceSaved(str(path), audience.written, {k: v for k, v in audience.skipped.items() if v}, messages)
