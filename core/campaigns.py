"""Campaigns: a target segment's customers split at random into a campaign group and a control
group, kept as one readable file per campaign, and measured against a later export.

A campaign is planned from a Segmentation: its members are the customers of the chosen segments;
a share of them (default 10 %) is drawn at random, with a recorded seed, as the control group that
gets no campaign. The draw is stratified by value tier (`resources/segments/value.toml`, over all
customers of the segmentation), so both groups hold the same mix of high-, medium- and low-value
customers; `balance` shows it. The file (`<config folder>/campaigns/<start>-<name>.json`, format
`FORMAT_VERSION`) holds the plan, the seed and every member with their group, tier, segment and
R/F/M at the start; it is saved atomically (`core.safe_write.atomic_path`).

`campaign_results` matches the members by customer key in a later OrderBook and compares the groups
over `window` days from the start: the share who bought again, orders, net sales per customer and
average order value, with the uplift and its 95 % interval (difference of proportions: Newcombe's
hybrid score interval from two Wilson intervals; money and orders: Welch's t interval), a verdict in
plain words, the members' segment migration and how many members the later data does not hold.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from core.config import config_dir
from core.errors import InputError, Problem
from core.i18n import catalog_lang, language, t
from core.jobs import NULL_PROGRESS, Progress, sub
from core.model import OrderBook, net_sales
from core.safe_write import atomic_path
from core.segments import Segmentation

FORMAT = "segmentdesk-campaign"
FORMAT_VERSION = 1  # raise it when the file changes; an older app then refuses the file in words
DEFAULT_WINDOW = 30  # days from the start over which the results are counted
MAX_WINDOW = 365
DEFAULT_CONTROL_SHARE = 0.10
GROUPS = ("campaign", "control")
Z95 = 1.959963984540054  # two-sided 95 %
TIER_MAP = "value"  # the strata of the control draw
MAX_MORE_DAYS = 365  # beyond this "about N more days" says nothing useful


class CampaignError(InputError):
    """A campaign cannot be made, found, read or saved; the Problem says why in catalog words."""


def _error(message_id: str, path="", **params) -> CampaignError:
    return CampaignError(Problem.make(str(path), None, None, message_id, path=str(path), **params))


def campaigns_dir() -> Path:
    """Where the campaign files live: the `campaigns` folder of the user's config folder."""
    return config_dir() / "campaigns"


# --- the campaign ---------------------------------------------------------------------------------

@dataclass
class Campaign:
    """A planned campaign: who is in it, who is held back, and what the seller meant to do.

    `members` is indexed by customer key, sorted, with the columns `group` ("campaign" or
    "control"), `tier` (value tier at the start), `segment` (at the start), `recency`,
    `frequency` and `monetary` (R/F/M at the start, in `currency`).
    """

    name: str
    start: dt.date
    map_id: str
    segments: list[str]
    segment_names: dict[str, dict[str, str]]  # segment id -> {"en": name, "zh_CN": name}
    currency: str
    analysis_date: dt.date  # the day the members' figures were taken
    control_share: float
    seed: int
    members: pd.DataFrame
    actions: list[dict] = field(default_factory=list)  # {"segment", "mix", "text"}
    created: str = ""
    source_files: list[str] = field(default_factory=list)
    path: Path | None = None  # the file it was read from or saved to

    @property
    def id(self) -> str:
        """The campaign's file name without `.json` (what the CLI and the app call it by)."""
        return self.path.stem if self.path is not None else _file_stem(self)

    def keys(self, group: str) -> pd.Index:
        return self.members.index[self.members["group"].to_numpy() == group]

    def size(self, group: str) -> int:
        return int((self.members["group"] == group).sum())

    def segment_name(self, sid: str, lang: str | None = None) -> str:
        names = self.segment_names.get(sid, {})
        return names.get(catalog_lang(lang) or "en") or names.get("en") or str(sid)

    def segments_text(self, lang: str | None = None) -> str:
        return ("、" if catalog_lang(lang) == "zh_CN" else ", ").join(self.segment_name(s, lang) for s in self.segments)


def draw_control(strata: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Which of the members go into the control group (True), stratified by `strata`.

    The control group has round(n × share) members (at least one when `share` > 0 and there are
    two members or more, never all of them), spread over the strata in proportion to their size
    (largest remainder), each stratum's members drawn at random without replacement.

    >>> rng = np.random.default_rng(1)
    >>> int(draw_control(np.array(["a"] * 50 + ["b"] * 50), 0.1, rng).sum())
    10
    """
    n = len(strata)
    control = np.zeros(n, dtype=bool)
    if share <= 0 or n == 0:
        return control
    total = int(round(n * share))
    total = min(max(total, 1 if n >= 2 else 0), n - 1)
    if total <= 0:
        return control
    _values, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    quota = counts * (total / n)
    quotas = np.floor(quota).astype(int)
    left = total - int(quotas.sum())
    if left > 0:  # the strata with the largest remainders get one more each
        quotas[np.argsort(-(quota - quotas), kind="stable")[:left]] += 1
    for stratum, quota_k in enumerate(quotas):
        if quota_k:
            where = np.flatnonzero(inverse == stratum)
            control[rng.permutation(where)[:quota_k]] = True
    return control


def value_tier_of(seg: Segmentation) -> pd.Series:
    """The value tier (high, medium, low: `resources/segments/value.toml`) of every customer of
    `seg`, by net sales over all its customers."""
    from core.segments.maps import load_map, value_tiers

    tiers = load_map(TIER_MAP)
    return value_tiers(seg.customers["monetary"], tiers.shares, tiers.order)


def new_campaign(seg: Segmentation, segments: list[str], name: str, start: dt.date | None = None,
                 actions: list[dict] | None = None, control_share: float = DEFAULT_CONTROL_SHARE,
                 seed: int | None = None, source_files: list[str] | None = None) -> Campaign:
    """Plan a campaign for the customers of `segments` (ids of `seg`).

    Parameters
    ----------
    seg : the segmentation the members come from (their segment and R/F/M are kept).
    segments : segment ids; every customer of them is a member.
    name : what the seller calls it.
    start : the first day of the campaign (default: today).
    actions : the chosen strategy actions, dicts with `segment`, `mix` and `text`.
    control_share : the share of members held back as the control group, 0 ≤ share < 1.
    seed : seeds the random draw (default: a fresh one); it is recorded in the campaign.

    Raises CampaignError (`campaigns.no_name`, `campaigns.no_members`) and ValueError for a
    control share outside 0…1.
    """
    if not 0 <= float(control_share) < 1:
        raise ValueError(t("campaigns.bad_share", share=control_share))
    name = (name or "").strip()
    if not name:
        raise _error("campaigns.no_name")
    segments = list(dict.fromkeys(segments))
    customers = seg.customers[seg.customers["segment"].isin(segments)].sort_index(kind="stable")
    if customers.empty:
        raise _error("campaigns.no_members", segments=", ".join(segments))
    tier = value_tier_of(seg).reindex(customers.index)
    seed = int(seed) if seed is not None else secrets.randbits(32)
    control = draw_control(tier.to_numpy(dtype=str), float(control_share), np.random.default_rng(seed))
    members = pd.DataFrame({
        "group": np.where(control, "control", "campaign"),
        "tier": tier.to_numpy(dtype=object),
        "segment": customers["segment"].astype(str).to_numpy(),
        "recency": customers["recency"].astype(float).to_numpy(),
        "frequency": customers["frequency"].astype(float).to_numpy(),
        "monetary": customers["monetary"].astype(float).round(2).to_numpy(),
    }, index=pd.Index(customers.index.astype(str), name="customer_key"))
    labels = seg.labels
    names = {sid: {"en": labels[sid].name if sid in labels else sid,
                   "zh_CN": labels[sid].name_zh if sid in labels else sid} for sid in segments}
    return Campaign(name=name, start=start or dt.date.today(), map_id=seg.map_id, segments=segments,
                    segment_names=names, currency=seg.currency, analysis_date=seg.analysis_date,
                    control_share=float(control_share), seed=seed, members=members,
                    actions=[dict(a) for a in (actions or [])],
                    created=dt.datetime.now().replace(microsecond=0).isoformat(),
                    source_files=[str(p) for p in (source_files or [])])


def strategy_actions(seg: Segmentation, facts: pd.DataFrame, segments: list[str], lang: str = "en") -> list[dict]:
    """The strategy of `segments` as the Strategy page shows it, goal first, as a campaign's
    `actions`; `facts` are `core.targeting.facts.segment_facts(seg, book)`."""
    from core.targeting.strategies import strategies

    plans = strategies(seg, facts, catalog_lang(lang) or "en")
    out = []
    for sid in segments:
        if sid in plans:
            out.append({"segment": sid, "mix": "goal", "text": plans[sid].goal})
            out += [{"segment": sid, "mix": a.mix, "text": a.text} for a in plans[sid].actions]
    return out


def balance(campaign: Campaign) -> dict:
    """Both groups side by side at the start: customers, median recency (days), frequency
    (orders) and monetary, net sales per customer, and customers per value tier. The control
    group is None when there is none."""
    out = {}
    for group in GROUPS:
        rows = campaign.members[campaign.members["group"] == group]
        if rows.empty:
            out[group] = None
            continue
        out[group] = {
            "customers": int(len(rows)),
            "median_recency": _num(rows["recency"].median()),
            "median_frequency": _num(rows["frequency"].median()),
            "median_monetary": _num(rows["monetary"].median()),
            "net_sales_per_customer": _num(rows["monetary"].mean()),
            "tiers": {tier: int((rows["tier"] == tier).sum()) for tier in _tier_order()},
        }
    return out


def _tier_order() -> tuple[str, ...]:
    from core.segments.maps import load_map

    return load_map(TIER_MAP).order


def tier_name(tier: str, lang: str | None = None) -> str:
    from core.segments.maps import load_map

    label = load_map(TIER_MAP).labels.get(tier)
    if label is None:
        return str(tier)
    return label.name_zh if (catalog_lang(lang) or "en") == "zh_CN" else label.name


def _num(value, digits: int = 4):
    """A plain float for JSON; NaN and None are null."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, digits)


# --- the file -------------------------------------------------------------------------------------

def _file_stem(campaign: Campaign) -> str:
    slug = re.sub(r"[^\w]+", "-", campaign.name.casefold(), flags=re.UNICODE).strip("-_")[:60] or "campaign"
    return f"{campaign.start.isoformat()}-{slug}"


def to_json_text(campaign: Campaign) -> str:
    """The file's text: readable JSON, the plan indented, one member per line."""
    head = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "name": campaign.name, "created": campaign.created, "start": campaign.start.isoformat(),
        "map": campaign.map_id, "segments": campaign.segments, "segment_names": campaign.segment_names,
        "currency": campaign.currency, "analysis_date": campaign.analysis_date.isoformat(),
        "control_share": campaign.control_share, "seed": campaign.seed, "stratified_by": TIER_MAP,
        "actions": campaign.actions, "source_files": campaign.source_files,
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    m = campaign.members
    lines = [json.dumps({"customer_key": key, "group": g, "tier": tier, "segment": s,
                         "recency": _int_or_none(r), "frequency": _int_or_none(f), "monetary": _num(mo, 2)},
                        ensure_ascii=False)
             for key, g, tier, s, r, f, mo in zip(m.index, m["group"], m["tier"], m["segment"], m["recency"],
                                                  m["frequency"], m["monetary"])]
    return text[:-2] + ',\n  "members": [\n    ' + ",\n    ".join(lines) + "\n  ]\n}\n"


def _int_or_none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else int(round(float(value)))


def save_campaign(campaign: Campaign, folder=None) -> Path:
    """Write the campaign's file atomically (a killed save leaves any previous file whole) and
    return its path: its own path if it has one, else a new name in `folder` (default
    `campaigns_dir()`) that no other campaign uses. Raises CampaignError `campaigns.save_failed`."""
    target = campaign.path
    if target is None:
        folder = Path(folder) if folder is not None else campaigns_dir()
        stem = _file_stem(campaign)
        target = folder / f"{stem}.json"
        number = 2
        while target.exists():
            target = folder / f"{stem}-{number}.json"
            number += 1
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:  # which also removes a killed save's temporary file
            Path(tmp).write_text(to_json_text(campaign), encoding="utf-8")
    except OSError as error:
        raise _error("campaigns.save_failed", target, reason=error.strerror or str(error)) from error
    campaign.path = target
    return target


def _invalid(path, where: str, problem: str, **params) -> CampaignError:
    return _error("campaigns.file_invalid", path, field=where, problem=t(f"campaigns.problem.{problem}", **params),
                  problem_id=problem)


def _text(data: dict, key: str, path, where: str | None = None, empty_ok: bool = False) -> str:
    value = data.get(key)
    if key not in data:
        raise _invalid(path, where or key, "missing")
    if not isinstance(value, str) or (not empty_ok and not value.strip()):
        raise _invalid(path, where or key, "not_text", found=_shown(value))
    return value


def _date(data: dict, key: str, path) -> dt.date:
    text = _text(data, key, path)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise _invalid(path, key, "not_date", found=_shown(text)) from None


def _number(value, path, where: str, low: float | None = None, high: float | None = None,
            none_ok: bool = False) -> float | None:
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(float(value)):
        raise _invalid(path, where, "not_number", found=_shown(value))
    if (low is not None and value < low) or (high is not None and value > high):
        raise _invalid(path, where, "out_of_range", found=_shown(value), low=low, high=high)
    return float(value)


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "…"


def campaign_from_json(data, path="") -> Campaign:
    """A Campaign from the parsed file; CampaignError naming the first field that is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _error("campaigns.file_not_campaign", path)
    version = data.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _invalid(path, "format_version", "not_version", found=_shown(version))
    if version > FORMAT_VERSION:
        raise _error("campaigns.file_newer", path, found=version, supported=FORMAT_VERSION)
    name = _text(data, "name", path)
    start = _date(data, "start", path)
    analysis_date = _date(data, "analysis_date", path)
    map_id = _text(data, "map", path)
    currency = _text(data, "currency", path, empty_ok=True)
    segments = data.get("segments")
    if not isinstance(segments, list) or not segments or not all(isinstance(s, str) for s in segments):
        raise _invalid(path, "segments", "not_list", found=_shown(segments))
    share = _number(data.get("control_share"), path, "control_share", 0.0, 0.999999)
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _invalid(path, "seed", "not_seed", found=_shown(seed))
    names = data.get("segment_names") or {}
    if not isinstance(names, dict):
        raise _invalid(path, "segment_names", "not_table", found=_shown(names))
    actions = data.get("actions") or []
    if not isinstance(actions, list) or not all(isinstance(a, dict) and isinstance(a.get("text"), str)
                                                for a in actions):
        raise _invalid(path, "actions", "not_actions")
    rows = data.get("members")
    if not isinstance(rows, list) or not rows:
        raise _invalid(path, "members", "not_members")
    keys, groups, tiers, segs, numbers = [], [], [], [], []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = f"members[{i + 1}]"
        if not isinstance(row, dict):
            raise _invalid(path, where, "not_table", found=_shown(row))
        key = _text(row, "customer_key", path, f"{where}.customer_key")
        if key in seen:
            raise _invalid(path, f"{where}.customer_key", "duplicate", found=_shown(key))
        seen.add(key)
        group = row.get("group")
        if group not in GROUPS:
            raise _invalid(path, f"{where}.group", "bad_group", found=_shown(group))
        keys.append(key)
        groups.append(group)
        tiers.append(str(row.get("tier") or ""))
        segs.append(str(row.get("segment") or ""))
        numbers.append([_number(row.get(k), path, f"{where}.{k}", none_ok=True)
                        for k in ("recency", "frequency", "monetary")])
    numbers = np.array(numbers, dtype=float).reshape(-1, 3)
    members = pd.DataFrame({"group": groups, "tier": tiers, "segment": segs, "recency": numbers[:, 0],
                            "frequency": numbers[:, 1], "monetary": numbers[:, 2]},
                           index=pd.Index(keys, name="customer_key")).sort_index(kind="stable")
    clean_names = {str(k): {lang: str(v) for lang, v in (n.items() if isinstance(n, dict) else ())}
                   for k, n in names.items()}
    sources = data.get("source_files") or []
    return Campaign(name=name, start=start, map_id=map_id, segments=list(segments), segment_names=clean_names,
                    currency=currency, analysis_date=analysis_date, control_share=float(share), seed=int(seed),
                    members=members, actions=[dict(a) for a in actions], created=str(data.get("created") or ""),
                    source_files=[str(s) for s in sources] if isinstance(sources, list) else [],
                    path=Path(path) if path else None)


def load_campaign(path) -> Campaign:
    """Read one campaign file. Raises CampaignError: `campaigns.file_missing`,
    `campaigns.file_unreadable`, `campaigns.file_not_json` (with line and column),
    `campaigns.file_not_campaign`, `campaigns.file_newer` (written by a newer SegmentDesk) or
    `campaigns.file_invalid` (which field, what is wrong). The file is never changed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error("campaigns.file_missing", path) from None
    except UnicodeDecodeError as error:
        raise _error("campaigns.file_unreadable", path, reason=str(error.reason)) from None
    except OSError as error:
        raise _error("campaigns.file_unreadable", path, reason=error.strerror or str(error)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        # The line and column of the Problem are the ones the JSON parser stopped at.
        raise CampaignError(Problem.make(str(path), error.lineno, str(error.colno), "campaigns.file_not_json",
                                         path=str(path))) from None
    return campaign_from_json(data, path)


def list_campaigns(folder=None) -> tuple[list[Campaign], list[Problem]]:
    """Every campaign in `folder` (default `campaigns_dir()`), newest start first, and a Problem
    for each file that could not be read (the others are listed all the same)."""
    folder = Path(folder) if folder is not None else campaigns_dir()
    campaigns, problems = [], []
    if not folder.is_dir():
        return campaigns, problems
    for path in sorted(folder.glob("*.json")):
        try:
            campaigns.append(load_campaign(path))
        except CampaignError as error:
            problems.append(error.problem)
    campaigns.sort(key=lambda c: (c.start, c.created, c.id), reverse=True)
    return campaigns, problems


def find_campaign(ref: str, folder=None) -> Campaign:
    """The campaign `ref` names: a path to its file, its id (file name without `.json`) or its
    name (any case). Raises CampaignError (`campaigns.not_found` lists the campaigns there, or the
    file's own problem)."""
    folder = Path(folder) if folder is not None else campaigns_dir()
    given = Path(ref)
    if given.suffix.lower() == ".json" and (given.exists() or given.parent != Path(".")):
        return load_campaign(given)
    if (folder / f"{ref}.json").exists():
        return load_campaign(folder / f"{ref}.json")
    campaigns, _problems = list_campaigns(folder)
    for campaign in campaigns:
        if campaign.name.casefold() == str(ref).strip().casefold():
            return campaign
    known = ", ".join(c.id for c in campaigns) or t("campaigns.none_yet")
    raise _error("campaigns.not_found", folder, ref=ref, known=known)


def delete_campaign(campaign: Campaign) -> None:
    """Delete the campaign's file (CampaignError `campaigns.delete_failed` when it cannot be)."""
    if campaign.path is None:
        return
    try:
        campaign.path.unlink(missing_ok=True)
    except OSError as error:
        raise _error("campaigns.delete_failed", campaign.path, reason=error.strerror or str(error)) from error


def campaign_json(campaign: Campaign, lang: str | None = None) -> dict:
    """The campaign as `campaign list/show --json` give it (members left out: they are in the file)."""
    return {
        "id": campaign.id, "name": campaign.name, "path": str(campaign.path) if campaign.path else None,
        "created": campaign.created, "start": campaign.start.isoformat(), "map": campaign.map_id,
        "segments": [{"id": s, "name": campaign.segment_name(s, "en"), "name_zh": campaign.segment_name(s, "zh_CN")}
                     for s in campaign.segments],
        "currency": campaign.currency, "analysis_date": campaign.analysis_date.isoformat(),
        "control_share": campaign.control_share, "seed": campaign.seed, "stratified_by": TIER_MAP,
        "members": int(len(campaign.members)), "campaign_group": campaign.size("campaign"),
        "control_group": campaign.size("control"), "actions": campaign.actions,
        "source_files": campaign.source_files,
    }


# --- the contact list -----------------------------------------------------------------------------

def campaign_segmentation(campaign: Campaign, seg: Segmentation) -> tuple[Segmentation, int]:
    """`seg` narrowed to the campaign group (the control group never gets the campaign), for the
    customer list and the hashed audience exports; and how many of the group `seg` lacks."""
    wanted = campaign.keys("campaign")
    present = seg.customers.index.intersection(wanted)
    customers = seg.customers.loc[present]
    labels = {sid: label for sid, label in seg.labels.items() if sid in set(customers["segment"])}
    return replace(seg, customers=customers, labels=labels), int(len(wanted) - len(present))


def contact_list(campaign: Campaign, book: OrderBook, seg: Segmentation, lang: str = "en",
                 facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customer list (core.exports.customer_list) of the campaign group: the segments' rows
    with persona and strategy of the whole segment, the control group left out."""
    from core.exports import customer_list

    frame = customer_list(book, seg, [s for s in campaign.segments if s in seg.labels], lang, facts)
    attrs = dict(frame.attrs)
    frame = frame[frame["customer_key"].isin(campaign.keys("campaign"))].reset_index(drop=True)
    frame.attrs.update(attrs)
    return frame


def segment_like(campaign: Campaign, book: OrderBook, progress: Progress = NULL_PROGRESS) -> Segmentation:
    """The book segmented as the campaign was (its map and currency); a campaign of a small
    shop's fallback group (a segmentation of its own, not a map) gets the value tiers."""
    from core.segments import SEGMENTERS, segment

    map_id = campaign.map_id if campaign.map_id in SEGMENTERS else TIER_MAP
    return segment(book, map_id, currency=campaign.currency or None, progress=progress)


# --- statistics -----------------------------------------------------------------------------------

def wilson(k, n, z: float = Z95):
    """Wilson score interval of the proportion k/n (arrays work). n = 0 gives NaN."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def newcombe_difference(k1, n1, k2, n2, z: float = Z95):
    """p1 − p2 with Newcombe's hybrid score interval (method 10 of Newcombe 1998), from the
    two Wilson intervals: good coverage for small groups and proportions near 0 (arrays work).

    >>> d, low, high = newcombe_difference(30, 100, 20, 100)
    >>> round(float(d), 2), round(float(low), 3), round(float(high), 3)
    (0.1, -0.02, 0.217)
    """
    k1, n1, k2, n2 = (np.asarray(x, dtype=float) for x in (k1, n1, k2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def welch_difference(mean1, var1, n1, mean2, var2, n2, level: float = 0.95):
    """mean1 − mean2 with Welch's t interval (unequal variances; arrays work). Groups with no
    spread at all give a zero-width interval; fewer than two in a group give NaN."""
    from scipy.special import stdtrit

    mean1, var1, n1, mean2, var2, n2 = (np.asarray(x, dtype=float) for x in (mean1, var1, n1, mean2, var2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = var1 / n1, var2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        q = stdtrit(np.where(np.isfinite(df) & (df > 0), df, 1.0), 0.5 + level / 2)
        half = np.where(se > 0, q * se, 0.0)
        half = np.where((n1 >= 2) & (n2 >= 2), half, np.nan)
    d = mean1 - mean2
    return d, d - half, d + half


@dataclass(frozen=True)
class Uplift:
    """Campaign minus control, with its 95 % interval and the method that gave it."""

    estimate: float
    low: float
    high: float
    method: str  # "newcombe" or "welch"

    def as_json(self) -> dict:
        return {"estimate": _num(self.estimate, 6), "low": _num(self.low, 6), "high": _num(self.high, 6),
                "method": self.method}


@dataclass(frozen=True)
class GroupFigures:
    """One group over the window: members, how many bought again, their orders and net sales
    (in the campaign's currency), and members with no order at all in the later data."""

    customers: int
    buyers: int
    orders: int
    net_sales: float
    absent: int
    money_orders: int  # orders in the campaign's currency (the AOV's denominator)

    @property
    def repeat_share(self) -> float | None:
        return self.buyers / self.customers if self.customers else None

    @property
    def orders_per_customer(self) -> float | None:
        return self.orders / self.customers if self.customers else None

    @property
    def net_per_customer(self) -> float | None:
        return self.net_sales / self.customers if self.customers else None

    @property
    def aov(self) -> float | None:
        return self.net_sales / self.money_orders if self.money_orders else None

    def as_json(self) -> dict:
        return {"customers": self.customers, "bought_again": self.buyers, "repeat_share": _num(self.repeat_share),
                "orders": self.orders, "orders_per_customer": _num(self.orders_per_customer),
                "net_sales": _num(self.net_sales, 2), "net_sales_per_customer": _num(self.net_per_customer),
                "aov": _num(self.aov), "absent_from_data": self.absent}


@dataclass
class CampaignResults:
    """What the campaign did over the window, campaign group against control group.

    `status`: "no_data" (no orders on or after the start yet), "no_control", "too_few" (fewer
    than two customers in a group), "worth_it" (the repeat-purchase interval is above zero),
    "harm" (below zero) or "too_early" (it crosses zero; `more_days` is about how many more days
    at this rate would settle it, None when the rate gives no sign of a difference).
    """

    campaign: Campaign
    window: int
    end: dt.date  # the last day of the window
    covered_days: int  # days of the window the data covers
    data_first: dt.date | None
    data_last: dt.date | None
    groups: dict[str, GroupFigures | None]
    uplift: dict[str, Uplift]  # repeat_share, orders_per_customer, net_per_customer
    status: str
    more_days: int | None
    daily: pd.DataFrame  # day, date, <group>_share, <group>_net_per_customer
    outcomes: pd.DataFrame  # per member: group, tier, segment, segment_now, in_data, bought, orders, net_sales
    migration: pd.DataFrame | None  # segment (start), segment_now, campaign, control
    now_names: dict[str, dict[str, str]] = field(default_factory=dict)  # segment now -> {en, zh_CN}
    notes: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def has_control(self) -> bool:
        return self.groups.get("control") is not None


def campaign_results(campaign: Campaign, book: OrderBook, window: int = DEFAULT_WINDOW,
                     progress: Progress = NULL_PROGRESS, migration: bool = True) -> CampaignResults:
    """Measure `campaign` in `book` (exports covering days after the start) over `window` days.

    Members are matched by customer key. A member with no paid order in the window did not buy
    again; a member the later data does not hold at all (no order of any kind) is counted as not
    buying too, and said (`absent_from_data` per group, note `campaigns.note.absent`). Net sales
    and the average order value count the orders in the campaign's currency only (others: note).
    With `migration`, the book is segmented as the campaign was and each member's segment now is
    compared with theirs at the start (Cancelled between the steps when asked).
    """
    if not 1 <= int(window) <= MAX_WINDOW:
        raise ValueError(t("campaigns.bad_window", window=window, max=MAX_WINDOW))
    window = int(window)
    progress.report(0.05, "campaigns.progress.matching")
    members = campaign.members
    start = pd.Timestamp(campaign.start, tz="UTC")
    stop = start + pd.Timedelta(days=window)
    orders = book.orders[["customer_key", "placed_at", "status", "currency", "order_total", "refunded"]]
    placed = orders["placed_at"].dropna()
    data_first = placed.min().date() if len(placed) else None
    data_last = placed.max().date() if len(placed) else None
    covered = 0 if data_last is None else max(0, min(window, (data_last - campaign.start).days + 1))
    in_data = members.index.isin(pd.Index(orders["customer_key"].unique()))
    mine = orders[orders["customer_key"].isin(members.index) & (orders["status"] == "paid")
                  & (orders["placed_at"] >= start) & (orders["placed_at"] < stop)]
    day = ((mine["placed_at"] - start) // pd.Timedelta(days=1)).astype(int).to_numpy()
    net = net_sales(mine).to_numpy(dtype=float)
    same_currency = (mine["currency"] == campaign.currency).to_numpy() if campaign.currency else np.ones(len(mine), bool)
    where = members.index.get_indexer(mine["customer_key"])
    n_members = len(members)
    order_count = np.bincount(where, minlength=n_members)
    money_count = np.bincount(where, weights=same_currency.astype(float), minlength=n_members)
    money = np.bincount(where, weights=np.where(same_currency, net, 0.0), minlength=n_members)
    first_day = np.full(n_members, np.inf)
    np.minimum.at(first_day, where, day)
    progress.check_cancelled()
    outcomes = pd.DataFrame({"group": members["group"].to_numpy(), "tier": members["tier"].to_numpy(),
                             "segment": members["segment"].to_numpy(), "segment_now": None,
                             "in_data": in_data, "bought": order_count > 0,
                             "orders": order_count.astype(int), "net_sales": money.round(2)}, index=members.index)
    notes: list[tuple[str, dict]] = []
    groups: dict[str, GroupFigures | None] = {}
    daily = {"day": np.arange(covered), "date": [(campaign.start + dt.timedelta(days=i)).isoformat()
                                                  for i in range(covered)]}
    is_group = {g: (members["group"] == g).to_numpy() for g in GROUPS}
    for group in GROUPS:
        mask = is_group[group]
        n = int(mask.sum())
        if n == 0:
            groups[group] = None
            continue
        groups[group] = GroupFigures(n, int((order_count[mask] > 0).sum()), int(order_count[mask].sum()),
                                     float(money[mask].sum()), int((~in_data[mask]).sum()),
                                     int(money_count[mask].sum()))
        firsts = first_day[mask]
        daily[f"{group}_share"] = np.array([(firsts <= i).sum() for i in range(covered)], dtype=float) / n
        by_day = np.bincount(day[is_group[group][where]], weights=np.where(same_currency, net, 0.0)[is_group[group][where]],
                             minlength=max(covered, 1))[:covered] if covered else np.array([])
        daily[f"{group}_net_per_customer"] = np.cumsum(by_day) / n
    uplift: dict[str, Uplift] = {}
    campaign_g, control_g = groups["campaign"], groups["control"]
    if campaign_g is not None and control_g is not None and campaign_g.customers >= 2 and control_g.customers >= 2:
        d, low, high = newcombe_difference(campaign_g.buyers, campaign_g.customers, control_g.buyers, control_g.customers)
        uplift["repeat_share"] = Uplift(float(d), float(low), float(high), "newcombe")
        for key, values in (("orders_per_customer", order_count.astype(float)), ("net_per_customer", money)):
            a, b = values[is_group["campaign"]], values[is_group["control"]]
            d, low, high = welch_difference(a.mean(), a.var(ddof=1), len(a), b.mean(), b.var(ddof=1), len(b))
            uplift[key] = Uplift(float(d), float(low), float(high), "welch")
    status, more = _status(campaign_g, control_g, uplift, covered)
    if covered and data_first is not None and data_first > campaign.start:
        notes.append(("campaigns.note.gap", {"first": data_first.isoformat(), "start": campaign.start.isoformat()}))
    if covered and (~in_data).any():
        notes.append(("campaigns.note.absent", {
            "campaign": int((~in_data[is_group["campaign"]]).sum()), "control": int((~in_data[is_group["control"]]).sum()),
            "first": data_first.isoformat() if data_first else "", "last": data_last.isoformat() if data_last else ""}))
    others = int((~same_currency).sum())
    if others:
        notes.append(("campaigns.note.other_currency", {"count": others, "currency": campaign.currency}))
    moves, now_names = None, {}
    if migration and covered:
        progress.report(0.3, "campaigns.progress.migration")
        moves, now_names = _migration(campaign, book, outcomes, sub(progress, 0.3, 0.95), notes)
    progress.report(1.0, "progress.done")
    return CampaignResults(campaign, window, campaign.start + dt.timedelta(days=window - 1), covered, data_first,
                           data_last, groups, uplift, status, more, pd.DataFrame(daily), outcomes, moves,
                           now_names, notes)


def _status(campaign_g, control_g, uplift, covered) -> tuple[str, int | None]:
    if not covered:
        return "no_data", None
    if control_g is None:
        return "no_control", None
    if "repeat_share" not in uplift:
        return "too_few", None
    u = uplift["repeat_share"]
    if u.low > 0:
        return "worth_it", None
    if u.high < 0:
        return "harm", None
    return "too_early", more_days(u, covered)


def more_days(u: Uplift, covered: int) -> int | None:
    """About how many more days, at the rate seen so far, until the interval leaves zero: the
    difference grows with time and its error with its square root, so the z-value grows as
    √days. None when the groups show no difference to wait for (or it would take over a year)."""
    se = (u.high - u.low) / (2 * Z95)
    if not covered or se <= 0 or not math.isfinite(se) or u.estimate == 0:
        return None
    z = abs(u.estimate) / se
    needed = covered * (Z95 / z) ** 2
    more = math.ceil(needed - covered)
    return max(1, more) if more <= MAX_MORE_DAYS else None


def _migration(campaign, book, outcomes, progress, notes):
    """Each member's segment now (segmented as the campaign was) against theirs at the start."""
    from core.segments import SEGMENTERS

    if campaign.map_id not in SEGMENTERS:  # a fallback group: no map to segment the later data with
        notes.append(("campaigns.note.no_migration", {}))
        return None, {}
    try:
        later = segment_like(campaign, book, progress)
    except (InputError, ValueError):
        notes.append(("campaigns.note.no_migration", {}))
        return None, {}
    now = later.customers["segment"].reindex(outcomes.index)
    outcomes["segment_now"] = now.where(now.notna(), None).to_numpy(dtype=object)
    if later.map_id != campaign.map_id:
        notes.append(("campaigns.note.other_map", {"map": later.map_id, "start_map": campaign.map_id}))
    frame = outcomes.assign(segment_now=now.fillna("").astype(str).to_numpy())
    table = (frame.groupby(["segment", "segment_now", "group"]).size().unstack("group", fill_value=0)
             .reindex(columns=list(GROUPS), fill_value=0).reset_index())
    table["total"] = table["campaign"] + table["control"]
    table = table.sort_values(["total", "segment", "segment_now"], ascending=[False, True, True], kind="stable")
    names = {sid: {"en": label.name, "zh_CN": label.name_zh} for sid, label in later.labels.items()}
    return table.drop(columns="total").reset_index(drop=True), names


# --- words ----------------------------------------------------------------------------------------

def _points(value: float) -> str:
    return _signed(f"{value * 100:+.1f}")


def _signed(text: str) -> str:
    return text.replace("-", "−")


def signed_money(value: float) -> str:
    return _signed(f"{value:+,.2f}")


def verdict(res: CampaignResults, lang: str | None = None) -> str:
    """The result in plain words: worth it, worse, too early (about N more days), or what a
    campaign without a control group cannot tell; then the money and how much of the window the
    data covers."""
    lang = catalog_lang(lang) or catalog_lang(language())
    c = res.campaign
    if res.status == "no_data":
        return t("campaigns.verdict.no_data", lang=lang, start=c.start.isoformat(),
                 last=res.data_last.isoformat() if res.data_last else "—")
    coverage = t("campaigns.verdict.covered", lang=lang, covered=res.covered_days, window=res.window,
                 last=res.data_last.isoformat() if res.data_last else "—")
    if res.status == "no_control":
        g = res.groups["campaign"]
        return _sentences(t("campaigns.verdict.no_control", lang=lang, share=_pct(g.repeat_share, lang),
                              days=res.covered_days, customers=g.customers), coverage, lang=lang)
    if res.status == "too_few":
        sizes = {g: res.groups[g].customers if res.groups[g] is not None else 0 for g in GROUPS}
        return _sentences(t("campaigns.verdict.too_few", lang=lang, **sizes), coverage, lang=lang)
    u = res.uplift["repeat_share"]
    params = {"diff": _points(u.estimate), "low": _points(u.low), "high": _points(u.high)}
    if res.status == "worth_it":
        text = t("campaigns.verdict.worth_it", lang=lang, **params)
    elif res.status == "harm":
        text = t("campaigns.verdict.harm", lang=lang, **params)
    elif res.more_days is None:
        text = t("campaigns.verdict.too_early_flat", lang=lang, **params)
    else:
        text = t("campaigns.verdict.too_early", lang=lang, days=res.more_days, **params)
        if res.covered_days + res.more_days > res.window:
            text = _sentences(text, t("campaigns.verdict.widen", lang=lang, window=res.window,
                                      needed=res.covered_days + res.more_days), lang=lang)
    m = res.uplift.get("net_per_customer")
    parts = [text]
    if m is not None and math.isfinite(m.low):
        parts.append(t("campaigns.verdict.money", lang=lang, diff=signed_money(m.estimate), low=signed_money(m.low),
                       high=signed_money(m.high), currency=c.currency))
    return _sentences(*parts, coverage, lang=lang)


def _sentences(*parts: str, lang: str | None) -> str:
    """Sentences one after the other: a space between them in English, none in Chinese."""
    return ("" if lang == "zh_CN" else " ").join(p for p in parts if p)


def _pct(value, lang) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:.1f}"
    return f"{text}%" if lang == "zh_CN" else f"{text} %"


def note_text(note: tuple[str, dict], lang: str | None = None) -> str:
    message_id, params = note
    return t(message_id, lang=catalog_lang(lang), **params)


def results_json(res: CampaignResults, lang: str | None = None) -> dict:
    """The `campaign results --json` contract (see README)."""
    c = res.campaign
    return {
        "campaign": c.id, "name": c.name, "start": c.start.isoformat(), "end": res.end.isoformat(),
        "window_days": res.window, "covered_days": res.covered_days,
        "data_first": res.data_first.isoformat() if res.data_first else None,
        "data_last": res.data_last.isoformat() if res.data_last else None,
        "currency": c.currency, "status": res.status, "more_days": res.more_days,
        "groups": {g: (f.as_json() if f is not None else None) for g, f in res.groups.items()},
        "uplift": {k: u.as_json() for k, u in res.uplift.items()},
        "interval": 0.95,
        "verdict": verdict(res, lang),
        "notes": [note_text(n, lang) for n in res.notes],
        "daily": [{"day": int(row["day"]), "date": row["date"],
                   **{k: _num(row[k], 6) for k in res.daily.columns if k not in ("day", "date")}}
                  for _, row in res.daily.iterrows()],
        "migration": None if res.migration is None else [
            {"from": r["segment"], "to": r["segment_now"] or None, "campaign": int(r["campaign"]),
             "control": int(r["control"])} for _, r in res.migration.iterrows()],
        "changed_segment": changed_segment(res),
    }


def changed_segment(res: CampaignResults) -> dict | None:
    """Per group: members whose segment now differs from theirs at the start (those the later
    data segments), and members it does not segment."""
    if res.migration is None:
        return None
    out = {}
    o = res.outcomes
    for group in GROUPS:
        rows = o[o["group"] == group]
        known = rows["segment_now"].notna()
        out[group] = {"changed": int((known & (rows["segment_now"] != rows["segment"])).sum()),
                      "segmented": int(known.sum()), "not_segmented": int((~known).sum())}
    return out


def segment_now_name(res: CampaignResults, sid: str | None, lang: str | None = None) -> str:
    if not sid:
        return t("campaigns.not_in_data", lang=catalog_lang(lang))
    names = res.now_names.get(sid) or res.campaign.segment_names.get(sid) or {}
    return names.get(catalog_lang(lang) or "en") or names.get("en") or sid


def results_table(res: CampaignResults, lang: str | None = None) -> pd.DataFrame:
    """The figures side by side as a table to save (Export results…): one row per measure with
    campaign, control, uplift and its interval, then the verdict and the notes as text rows."""
    lang = catalog_lang(lang) or "en"
    rows = []
    measures = (("customers", "customers", None), ("bought_again", "buyers", None),
                ("repeat_share", "repeat_share", "repeat_share"), ("orders", "orders", None),
                ("orders_per_customer", "orders_per_customer", "orders_per_customer"),
                ("net_sales", "net_sales", None), ("net_per_customer", "net_per_customer", "net_per_customer"),
                ("aov", "aov", None), ("absent", "absent", None))
    for key, attr, uplift_key in measures:
        values = [getattr(res.groups[g], attr) if res.groups.get(g) is not None else None for g in GROUPS]
        u = res.uplift.get(uplift_key) if uplift_key else None
        rows.append([t(f"campaigns.measure.{key}", lang=lang, currency=res.campaign.currency), *values,
                     u.estimate if u else None, u.low if u else None, u.high if u else None])
    rows += [[text, None, None, None, None, None] for text in (verdict(res, lang), *(note_text(n, lang) for n in res.notes))]
    # Built in one go (no concat): each column one array, as the XLSX writer wants it.
    frame = pd.DataFrame({"measure": [str(r[0]) for r in rows],
                          **{c: pd.to_numeric(pd.Series([r[i] for r in rows], dtype=object), errors="coerce").round(6)
                             for i, c in enumerate((*GROUPS, "uplift", "low", "high"), start=1)}})
    frame.columns = [t(f"campaigns.column.{c}", lang=lang) for c in frame.columns]
    return frame


def campaign_overview(book: OrderBook | None, window: int = DEFAULT_WINDOW, folder=None,
                      progress: Progress = NULL_PROGRESS) -> tuple[list[tuple[Campaign, CampaignResults | None]], list[Problem]]:
    """Every saved campaign with its results in `book` (None without a book or when the book has
    no orders of its members' currency…), for the printed summary; no migration (it is quick)."""
    campaigns, problems = list_campaigns(folder)
    out = []
    for i, campaign in enumerate(campaigns):
        progress.check_cancelled()
        progress.report(i / max(len(campaigns), 1), "campaigns.progress.matching")
        res = campaign_results(campaign, book, window, migration=False) if book is not None else None
        out.append((campaign, res))
    return out, problems


__all__ = ["Campaign", "CampaignError", "CampaignResults", "GroupFigures", "Uplift", "FORMAT", "FORMAT_VERSION",
           "DEFAULT_WINDOW", "DEFAULT_CONTROL_SHARE", "campaigns_dir", "draw_control", "new_campaign",
           "strategy_actions", "balance", "save_campaign", "load_campaign", "list_campaigns", "find_campaign",
           "delete_campaign", "campaign_json", "campaign_segmentation", "contact_list", "segment_like", "wilson",
           "newcombe_difference", "welch_difference", "campaign_results", "verdict", "results_json",
           "results_table", "campaign_overview", "more_days", "changed_segment", "tier_name"]
