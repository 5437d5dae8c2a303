"""Privacy-preserving audience lists: normalised, SHA-256-hashed emails and phones per segment, for ad platforms."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from core.exports import ExportError, check_target, save_error
from core.errors import Problem
from core.i18n import catalog_lang, t
from core.importing.identity import MASKED
from core.model import OrderBook
from core.resources import RESOURCES
from core.safe_write import atomic_path
from core.segments import Segmentation

PLATFORMS = ("google", "meta", "tiktok")
REASONS = ("relay", "masked", "no_country_code", "invalid", "no_contact")  # why a customer is left out
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def rules() -> dict:
    """resources/audiences.toml: platforms, relay patterns; and the phone numbering per country
    (resources/countries.toml, shared with the importer)."""
    from core.countries import countries

    with (RESOURCES / "audiences.toml").open("rb") as f:
        return {**tomllib.load(f), "countries": countries()}


@cache
def _country_codes() -> dict[str, str]:
    """Every way exports write a country (ISO code or name, any case) → its ISO code."""
    out = {}
    for code, spec in rules()["countries"].items():
        for name in (code, *spec["names"]):
            out[name.strip().casefold()] = code
    return out


def sha256(values: Iterable[str | None]) -> list[str | None]:
    """Lower-case hex SHA-256 of each UTF-8 value; None stays None."""
    return [None if v is None else hashlib.sha256(v.encode("utf-8")).hexdigest() for v in values]


# --- normalisation --------------------------------------------------------------------------------

def normalise_emails(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(normalised email or missing, reason it is not usable or missing): trimmed, lower-cased;
    masked, relay (marketplace forwarding) and malformed addresses are not usable."""
    text = values.astype("str").str.strip().str.lower()
    reason = pd.Series(pd.NA, index=values.index, dtype="str")
    empty = values.isna() | (text == "")
    masked = text.str.contains(MASKED, regex=True).fillna(False).astype(bool)
    relay = text.str.contains("|".join(rules()["relay"]["emails"]), regex=True).fillna(False).astype(bool)
    invalid = ~text.str.match(_EMAIL).fillna(False).astype(bool)
    for mask, why in ((invalid, "invalid"), (relay, "relay"), (masked, "masked"), (empty, "no_contact")):
        reason = reason.mask(mask, why)  # the later test wins: empty > masked > relay > invalid
    return text.where(reason.isna()), reason


def normalise_phones(values: pd.Series, countries: pd.Series, plus: bool = True) -> tuple[pd.Series, pd.Series]:
    """(E.164 phone or missing, reason it is not usable or missing) for phones as exports write them
    and the order's country (ISO code or name). "+1 (650) 555-1212" → "+16505551212" (without "+"
    when `plus` is False). A number without a country code takes the country's; with no known
    country it is `no_country_code`. Masked and proxy numbers (with an extension) are not usable."""
    raw = values.astype("str").str.strip()
    reason = pd.Series(pd.NA, index=values.index, dtype="str")
    digits = raw.str.replace(r"\D", "", regex=True)
    international = raw.str.match(r"^(\+|00)").fillna(False).astype(bool)
    digits = digits.where(~(international & raw.str.startswith("00").fillna(False)), digits.str[2:])
    e164 = pd.Series(pd.NA, index=values.index, dtype="str")
    ok_length = digits.str.len().between(8, 15)
    e164 = e164.mask(international & ok_length, digits)
    country = countries.astype("str").str.strip().str.casefold().map(_country_codes())
    national = ~international & digits.notna() & (digits != "")
    for code, rows in country[national].groupby(country[national]).groups.items():
        e164.loc[rows] = _with_country(digits.loc[rows], rules()["countries"][code])
    unknown_country = national & country.isna()
    masked = raw.str.contains(MASKED, regex=True).fillna(False).astype(bool)
    relay = raw.str.contains("|".join(rules()["relay"]["phones"]), regex=True).fillna(False).astype(bool)
    empty = values.isna() | (raw == "")
    checks = ((e164.isna(), "invalid"), (unknown_country, "no_country_code"), (relay, "relay"),
              (masked, "masked"), (empty, "no_contact"))
    for mask, why in checks:
        reason = reason.mask(mask.fillna(False).astype(bool), why)
    e164 = e164.where(reason.isna())
    return (("+" + e164) if plus else e164).where(e164.notna()), reason


def _with_country(digits: pd.Series, spec: dict) -> pd.Series:
    """E.164 digits for numbers written without "+" in one country (see resources/audiences.toml)."""
    dial, trunk, lengths = spec["dial"], spec["trunk"], set(spec["lengths"])
    length = digits.str.len()
    as_national = length.isin(lengths)
    with_trunk = (digits.str.startswith(trunk) & (length - len(trunk)).isin(lengths)) if trunk else False
    with_dial = digits.str.startswith(dial) & (length - len(dial)).isin(lengths)
    out = pd.Series(pd.NA, index=digits.index, dtype="str")
    # A leading trunk prefix is dropped first; then a number that fits both as national and as
    # already carrying the dial code is national where the country has no trunk prefix (people
    # there write numbers that way) and already international where it has one.
    if trunk:
        out = out.mask(as_national, dial + digits)
        out = out.mask(with_dial, digits)
        out = out.mask(with_trunk, dial + digits.str[len(trunk):])
    else:
        out = out.mask(with_dial & ~as_national, digits)
        out = out.mask(as_national, dial + digits)
    return out


# --- the list -------------------------------------------------------------------------------------

@dataclass
class HashedAudience:
    """One row per customer who can be matched: hashed email and/or phone in the platform's columns.

    `skipped`: customers left out, by reason (relay, masked, no_country_code, invalid, no_contact);
    `left_out`: identifiers left out of written rows ("email:relay", "phone:no_country_code", …)."""

    frame: pd.DataFrame
    platform: str
    customers: int
    emails: int
    phones: int
    skipped: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    source_files: tuple[str, ...] = ()

    @property
    def written(self) -> int:
        return len(self.frame)

    def message(self, path=None, lang: str | None = None) -> str:
        """What was written and skipped, and why raw addresses never leave the file, in `lang`."""
        lang = catalog_lang(lang)
        name = rules()["platforms"][self.platform]["name"]
        out = [t("audience.written", lang=lang, rows=f"{self.written:,}", customers=f"{self.customers:,}",
                 emails=f"{self.emails:,}", phones=f"{self.phones:,}", platform=name,
                 path=str(path) if path else "—")]
        skipped = sum(self.skipped.values())
        if skipped:
            out.append(t("audience.skipped", lang=lang, count=f"{skipped:,}"))
            out += ["  " + t(f"audience.reason.{why}", lang=lang, count=f"{n:,}")
                    for why, n in self.skipped.items() if n]
        for key, n in self.left_out.items():
            if n:
                kind, why = key.split(":")
                out.append(t(f"audience.left_out.{kind}", lang=lang, count=f"{n:,}",
                             reason=t(f"audience.why.{why}", lang=lang)))
        out.append(t("audience.explanation", lang=lang))
        return "\n".join(out)


def _latest(usable: pd.Series, reason: pd.Series, keys: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per customer: the latest usable value, and the reason of their latest unusable one."""
    value = usable.dropna().groupby(keys[usable.notna()]).last()
    why = reason.dropna().groupby(keys[reason.notna()]).last()
    return value, why


def hashed_audience(book: OrderBook, seg: Segmentation, segments: list[str] | None = None,
                    platform: str = "google") -> HashedAudience:
    """The hashed list of the chosen segments' customers (ids; None: all) for `platform` (google,
    meta or tiktok): each customer's latest usable email and phone over their orders, normalised
    and SHA-256-hashed. Customers with neither are skipped and counted by reason."""
    if platform not in PLATFORMS:
        raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}, got {platform!r}")
    spec = rules()["platforms"][platform]
    members = seg.customers
    if segments is not None:
        members = members[members["segment"].isin(list(segments))]
    order = {sid: i for i, sid in enumerate(seg.order)}
    members = members.assign(_rank=members["segment"].map(order).to_numpy()).sort_values(
        ["_rank", "monetary"], ascending=[True, False], kind="stable")
    keys = members.index
    orders = book.orders[["customer_key", "placed_at", "email", "phone", "country"]]
    orders = orders[orders["customer_key"].isin(keys)].sort_values("placed_at", kind="stable")
    by = orders["customer_key"]
    email, email_why = _latest(*normalise_emails(orders["email"]), by)
    phone, phone_why = _latest(*normalise_phones(orders["phone"], orders["country"], spec["phone_plus"]), by)
    email, phone = email.reindex(keys), phone.reindex(keys)
    email_why = email_why.reindex(keys).where(email.isna())
    phone_why = phone_why.reindex(keys).where(phone.isna())
    written = email.notna() | phone.notna()
    # A customer left out gets the most telling reason of their email and phone.
    rank = {why: i for i, why in enumerate(REASONS)}
    pair = pd.DataFrame({"e": email_why.fillna("no_contact"), "p": phone_why.fillna("no_contact")})
    reason = np.where(pair["e"].map(rank) <= pair["p"].map(rank), pair["e"], pair["p"])
    reason = pd.Series(reason, index=keys)[~written]
    skipped = {why: int((reason == why).sum()) for why in REASONS}
    left_out = {}
    for kind, why in (("email", email_why), ("phone", phone_why)):
        for r in REASONS[:-1]:
            left_out[f"{kind}:{r}"] = int((written & (why == r).fillna(False)).sum())
    frame = pd.DataFrame({spec["email_header"]: sha256(email[written].to_numpy(dtype=object, na_value=None)),
                          spec["phone_header"]: sha256(phone[written].to_numpy(dtype=object, na_value=None))})
    return HashedAudience(frame, platform, len(keys), int(email[written].notna().sum()),
                          int(phone[written].notna().sum()), skipped, left_out,
                          tuple(str(f.path) for f in book.files))


def require_csv(path) -> None:
    """Raise ExportError `audience.csv_only` (naming `path` as given) unless it ends in .csv."""
    if Path(path).suffix.lower() != ".csv":
        raise ExportError(Problem.make(str(path), None, None, "audience.csv_only", path=str(path)))


def write_hashed_audience(audience: HashedAudience, path, force: bool = False, protect: Iterable = ()) -> Path:
    """Save the hashed list as CSV (UTF-8 without BOM, as the platforms read it), atomically; never
    over an input file, nor over an existing file unless `force`. Raises ExportError naming the
    path (`audience.csv_only` for another extension, else the customer list's messages)."""
    path = Path(path)
    require_csv(path)
    path = check_target(path, force, (*audience.source_files, *protect))
    try:
        # Not core.exports.write_table: every cell is a hex digest (or empty) under the platform's
        # own header, nothing a spreadsheet could run; the platforms' samples are unquoted, no BOM.
        with atomic_path(path) as tmp:
            audience.frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    except OSError as error:
        raise save_error(path, error) from error
    return path


__all__ = ["hashed_audience", "write_hashed_audience", "require_csv", "HashedAudience", "normalise_emails",
           "normalise_phones", "sha256", "PLATFORMS", "REASONS", "rules"]
