"""Interest tags on the Customers & Segments page: plain tag data made on the pool thread, the tag mix heat-table and the customer tooltips."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from core.i18n import language, t
from ui.charts import MatrixData, MatrixHeatmap
from ui.widgets import panel, text_label

NONE = "none"  # core.tags.NONE, without loading pandas at start-up
EVIDENCE_PER_TAG = 6  # a tooltip lists at most this many pieces of evidence per tag
MIX_ROW_HEIGHT = 26


# Pool thread --------------------------------------------------------------------------------------
@dataclass
class TagData:
    """Tags of the customers of one segmentation, as arrays in the order of CustomerData, and each
    segment's tag mix. Texts that depend on the language are made when shown."""

    ids: list[str]  # tag ids, table order
    names: dict[str, tuple[str, str]]  # tag id (and NONE) -> (English, 中文)
    descriptions: dict[str, tuple[str, str]]
    units: list[str]  # per tag: "orders" or "lines"
    assigned: np.ndarray  # customers × tags, bool
    counts: np.ndarray  # customers × tags: supporting purchases
    base: np.ndarray  # customers × 2: paid orders, order lines
    ev_start: np.ndarray  # customers + 1 offsets into the evidence arrays
    ev_tag: np.ndarray  # index into `ids`
    ev_source: np.ndarray
    ev_detail: np.ndarray
    ev_matched: np.ndarray
    ev_purchases: np.ndarray
    mix_segments: list[str]  # segment ids, display order
    mix_customers: list[int]
    mix_shares: list[list[float]]  # segment × (ids + NONE): core.tags.tag_mix
    mix_counts: list[list[int]]
    notes: list[tuple[str, dict]] = field(default_factory=list)  # CustomerTags.notes
    user_tables: bool = False  # the seller's own tables are in force
    user_file_ignored: bool = False  # the seller's file could not be used: the bundled ones are

    @property
    def columns(self) -> list[str]:
        return [*self.ids, NONE]


def tag_data(seg: Any, book: Any, progress=None) -> TagData:
    """The tags (core.tags, tables in force) of the customers of `seg`, up to its analysis date, and
    the tag mix of its segments."""
    import pandas as pd

    from core.tags import customer_tags, load_tables, tag_mix

    tables = load_tables()
    keys = seg.customers.index
    tags = customer_tags(book, tables, until=seg.analysis_date, customers=keys)
    if progress is not None:
        progress.check_cancelled()
    mix = tag_mix(tags, seg)
    columns = [*tables.ids, NONE]
    member = tags.assigned.reindex(keys, fill_value=False).astype(bool)
    member = member.assign(**{NONE: ~member.any(axis=1)})
    counts_by_segment = member.groupby(seg.customers["segment"].to_numpy()).sum().reindex(mix.index).fillna(0)

    evidence = tags.evidence
    position = pd.Index(keys).get_indexer(evidence["customer_key"])
    order = np.argsort(position, kind="stable")  # evidence comes per customer, tags in table order
    position = position[order]
    tag_index = {tag: i for i, tag in enumerate(tables.ids)}
    names = {rule.id: (rule.name, rule.name_zh) for rule in tables.rules}
    names[NONE] = (t("tags.none_name", lang="en"), t("tags.none_name", lang="zh_CN"))
    descriptions = {rule.id: (rule.description, rule.description_zh) for rule in tables.rules}
    descriptions[NONE] = (t("tags.none_description", lang="en"), t("tags.none_description", lang="zh_CN"))
    return TagData(
        ids=list(tables.ids), names=names, descriptions=descriptions, units=[r.unit for r in tables.rules],
        assigned=tags.assigned.reindex(keys, fill_value=False).to_numpy(dtype=bool),
        counts=tags.counts.reindex(keys, fill_value=0).to_numpy(dtype=np.int64),
        base=tags.base.reindex(keys, fill_value=0)[["orders", "lines"]].to_numpy(dtype=np.int64),
        ev_start=np.searchsorted(position, np.arange(len(keys) + 1)),
        ev_tag=evidence["tag"].map(tag_index).to_numpy(dtype=np.int64)[order],
        ev_source=evidence["source"].to_numpy(dtype=object)[order],
        ev_detail=evidence["detail"].to_numpy(dtype=object)[order],
        ev_matched=evidence["matched"].to_numpy(dtype=object)[order],
        ev_purchases=evidence["purchases"].to_numpy(dtype=np.int64)[order],
        mix_segments=[str(s) for s in mix.index],
        mix_customers=[int(c) for c in mix["customers"]],
        mix_shares=mix[columns].to_numpy(dtype=float).tolist(),
        mix_counts=counts_by_segment[columns].to_numpy(dtype=np.int64).tolist(),
        notes=list(tags.notes), user_tables=tables.user, user_file_ignored=bool(tables.notes) and not tables.user)


# Texts --------------------------------------------------------------------------------------------
def _zh() -> int:
    return 1 if language().startswith("zh") else 0


def tag_name(data: TagData, tag: str) -> str:
    return data.names.get(tag, (tag, tag))[_zh()]


def customer_tag_names(data: TagData, entry: int) -> list[str]:
    """The names of one customer's tags, table order."""
    return [tag_name(data, tag) for tag, given in zip(data.ids, data.assigned[entry]) if given]


def sort_key(data: TagData) -> np.ndarray:
    """Customers with the first tag of the table first, then the next…; without tags last."""
    weights = 2.0 ** np.arange(len(data.ids) - 1, -1, -1)
    key = -(data.assigned.astype(float) @ weights)
    return np.where(data.assigned.any(axis=1), key, np.nan)


def evidence_texts(data: TagData, entry: int, tag_position: int) -> list[str]:
    """One customer's evidence for one tag, as core.tags.describe words it."""
    from core.tags import evidence_text  # loaded by the run that made `data`

    lang = language()
    start, end = int(data.ev_start[entry]), int(data.ev_start[entry + 1])
    return [evidence_text(SimpleNamespace(source=data.ev_source[i], detail=data.ev_detail[i],
                                          matched=data.ev_matched[i], purchases=data.ev_purchases[i]), lang)
            for i in range(start, end) if data.ev_tag[i] == tag_position]


def customer_tooltip(data: TagData, entry: int) -> str:
    """Each tag of the customer with how many of their purchases support it and the evidence."""
    lines = []
    for i, tag in enumerate(data.ids):
        if not data.assigned[entry, i]:
            continue
        unit = data.units[i]
        base = int(data.base[entry, 0 if unit == "orders" else 1])
        count = int(data.counts[entry, i])
        share = count / base if base else 0.0
        lines.append(t(f"ui.tags.tip_tag_{unit}", name=tag_name(data, tag), count=f"{count:,}", base=f"{base:,}",
                       share=f"{share * 100:.0f}"))
        found = evidence_texts(data, entry, i)
        lines += [f"  • {text}" for text in found[:EVIDENCE_PER_TAG]]
        if len(found) > EVIDENCE_PER_TAG:
            lines.append("  " + t("ui.tags.tip_more", count=len(found) - EVIDENCE_PER_TAG))
    return "\n".join(lines) if lines else t("ui.tags.tip_none")


def mix_matrix(data: TagData | None, segment_names: dict[str, str], empty_text: str) -> MatrixData:
    """The tag mix as a heat-table: segments × tags (and "no clear interest"), shares of customers."""
    if data is None or not data.mix_segments:
        return MatrixData([], [], [], [], empty_text=empty_text)
    columns = data.columns
    names = [tag_name(data, c) for c in columns]
    rows = [segment_names.get(s, s) for s in data.mix_segments]
    texts, tips = [], []
    for r, seg in enumerate(data.mix_segments):
        texts.append([t("ui.segments.percent", value=f"{share * 100:.0f}") for share in data.mix_shares[r]])
        tips.append([t("ui.tags.mix_tip", segment=rows[r], name=names[c], share=f"{data.mix_shares[r][c] * 100:.1f}",
                       count=f"{data.mix_counts[r][c]:,}", customers=f"{data.mix_customers[r]:,}",
                       description=data.descriptions.get(column, ("", ""))[_zh()])
                     for c, column in enumerate(columns)])
    return MatrixData(rows, names, texts, [list(row) for row in data.mix_shares], tips,
                      muted={len(columns) - 1}, empty_text=empty_text)


# Widgets ------------------------------------------------------------------------------------------
class TagMixPanel:
    """The page's panel "Interest tags per segment": the heat-table, what it shows, notes about what
    the exports could not show, and the button that opens the tag table editor."""

    def __init__(self, make_panel=None):
        self.title = text_label("sectionTitle")
        self.hint = text_label("cutsCaption", wrap=True)
        self.notes = text_label("cutsCaption", wrap=True)
        self.notes.hide()
        self.edit_button = QPushButton()
        self.edit_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.heat = MatrixHeatmap()
        self.heat.ROW_HEIGHT = MIX_ROW_HEIGHT  # a segment table's worth of rows stays compact
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.edit_button)
        parts = (header, self.hint, self.notes, self.heat)
        self.frame = make_panel(*parts) if make_panel else panel(*parts)
        self.data: TagData | None = None

    def show(self, data: TagData | None, segment_names: dict[str, str], waiting: bool) -> None:
        """Put `data` on screen in the current language (`waiting`: the tags are being read)."""
        self.data = data
        self.title.setText(t("ui.tags.mix_title"))
        self.hint.setText(t("ui.tags.mix_hint"))
        self.edit_button.setText(t("ui.tags.edit_button"))
        self.edit_button.setToolTip(t("ui.tags.edit_tip"))
        empty = t("ui.tags.mix_waiting") if waiting else t("ui.tags.mix_none")
        self.heat.set_data(mix_matrix(data, segment_names, empty))
        notes = []
        if data is not None:
            if data.user_file_ignored:
                notes.append(t("ui.tags.user_file_ignored"))
            elif data.user_tables:
                notes.append(t("ui.tags.user_tables"))
            notes += [t(key, **params) for key, params in data.notes]
        self.notes.setText("\n".join(f"ⓘ {n}" for n in notes))
        self.notes.setVisible(bool(notes))
