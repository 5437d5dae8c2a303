"""Headless commands for interest tags, cross-sell and hashed audience lists (registered by core.cli)."""
from __future__ import annotations

import json
import sys

from core.errors import InputError
from core.i18n import language, t

EXIT_OK, EXIT_ERROR = 0, 2
PLATFORMS = ("google", "meta", "tiktok")  # core.audience.PLATFORMS, here so the CLI starts without pandas


def add_commands(command, analysis_command) -> None:
    """The `tags` and `crosssell` commands (files, --map, --import-map, --currency from core.cli)."""
    tags = analysis_command(command, "tags", t("tags.cli.help"))
    tags.add_argument("--segment", action="append", metavar="NAME", help=t("tags.cli.help_segment"))
    tags.add_argument("--tables", metavar="FILE", help=t("tags.cli.help_tables"))
    tags.add_argument("--csv", metavar="OUT", help=t("tags.cli.help_csv"))
    tags.add_argument("--json", action="store_true", help=t("cli.help_json"))
    tags.set_defaults(run=cmd_tags)
    cross = analysis_command(command, "crosssell", t("crosssell.help"))
    cross.add_argument("--segment", action="append", metavar="NAME", help=t("crosssell.help_segment"))
    cross.add_argument("--json", action="store_true", help=t("cli.help_json"))
    cross.set_defaults(run=cmd_crosssell)


def add_export_options(export) -> None:
    export.add_argument("--hashed", action="store_true", help=t("audience.help_hashed"))
    export.add_argument("--platform", choices=PLATFORMS, default="google", help=t("audience.help_platform"))


def check_output(path, args) -> None:
    """The file a command will write, checked before the (long) reading: CSV for a hashed list,
    never an input file, never an existing file without --force (ExportError says which)."""
    from core.audience import require_csv
    from core.exports import check_target

    if getattr(args, "hashed", False):
        require_csv(path)
    check_target(path, args.force, args.files)


def _segmented(args):
    """(book, segmentation, the segment ids of --segment or None for all) for an analysis command,
    or None and an exit status after printing why."""
    from core.cli import TerminalProgress, _load_for_analysis
    from core.segments import note_message, segment

    book = _load_for_analysis(args)
    if book is None:
        return None, EXIT_ERROR
    try:
        seg = segment(book, args.map, currency=args.currency, progress=TerminalProgress())
        for note in seg.notes:
            print(note_message(note), file=sys.stderr)
        wanted = asked_segments(seg, getattr(args, "segment", None))
    except (InputError, ValueError) as error:
        print(error.problem.message() if isinstance(error, InputError) else error, file=sys.stderr)
        return None, EXIT_ERROR
    return (book, seg, wanted), EXIT_OK


def asked_segments(seg, names: list[str] | None) -> list[str] | None:
    """The segment ids asked for by name (None: every customer); a segment with no customers is
    said on stderr. Raises InputError for a name the map does not have."""
    from core.exports import segment_ids

    ids = segment_ids(seg, names) if names else None
    for sid in ids or ():
        if sid not in seg.labels:
            print(t("export.empty_segment", name=sid), file=sys.stderr)
    return ids


def _dump(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def _zh() -> bool:
    return language().startswith("zh")


# --- tags -----------------------------------------------------------------------------------------

def cmd_tags(args) -> int:
    from core.tags import NONE, TagTableError, customer_tags, load_tables, read_tables, tag_mix

    try:
        tables = read_tables(args.tables) if args.tables else load_tables()
    except TagTableError as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    for note in tables.notes:
        print(note, file=sys.stderr)
    found, status = _segmented(args)
    if found is None:
        return status
    book, seg, wanted = found
    customers = seg.customers if wanted is None else seg.customers[seg.customers["segment"].isin(wanted)]
    tags = customer_tags(book, tables, seg.analysis_date, customers.index)
    for message_id, params in tags.notes:
        print(t(message_id, **params), file=sys.stderr)
    lang = language()
    summary = tags.summary()
    evidence = tags.evidence
    top = (evidence.groupby(["tag", "detail"])["customer_key"].nunique().rename("customers")
           .reset_index().sort_values(["tag", "customers", "detail"], ascending=[True, False, True]))
    mix = tag_mix(tags, customers["segment"])
    mix = mix.reindex([s for s in seg.order if s in mix.index])
    data = {
        "analysis_date": seg.analysis_date.isoformat(), "map": seg.map_id, "tables": tables.source,
        "user_tables": tables.user, "customers": len(tags.customers),
        "tagged": int(tags.assigned.any(axis=1).sum()), "no_tag": int(summary.loc[NONE, "customers"]),
        "tags": [{"id": rule.id, "name": rule.name, "name_zh": rule.name_zh,
                  "description": rule.text(lang)[1], "unit": rule.unit, "min_purchases": rule.min_purchases,
                  "min_share": rule.min_share, "customers": int(summary.loc[rule.id, "customers"]),
                  "share": float(summary.loc[rule.id, "share"]),
                  "top_evidence": [{"detail": str(r.detail), "customers": int(r.customers)}
                                   for r in top[top["tag"] == rule.id].head(5).itertuples()]}
                 for rule in tables.rules],
        "mix": [{"segment": sid, "name": seg.labels[sid].name, "name_zh": seg.labels[sid].name_zh,
                 "customers": int(row["customers"]),
                 "shares": {k: float(v) for k, v in row.items() if k != "customers"}}
                for sid, row in mix.iterrows()],
        "notes": [t(m, **p) for m, p in tags.notes] + list(tables.notes),
    }
    if args.csv:
        _tags_csv(tags, args.csv, lang)
    if args.json:
        _dump(data)
    elif args.csv != "-":
        print(format_tags(data, tables))
    return EXIT_OK


def _tags_csv(tags, target: str, lang: str) -> None:
    """One row per customer: their tags and primary tag (names in `lang`) and the evidence."""
    import pandas as pd

    from core.exports import write_table
    from core.tags import evidence_text

    names = {tag: tags.tables.name(tag, lang) for tag in [*tags.tables.ids, "none"]}
    given = tags.assigned.stack()
    given = given[given].reset_index()
    given.columns = ["customer_key", "tag", "_"]
    listed = given.assign(name=given["tag"].map(names)).groupby("customer_key")["name"].agg("; ".join)
    evidence = tags.evidence
    texts = pd.Series([f"{names[r.tag]}: {evidence_text(r, lang)}" for r in evidence.itertuples(index=False)],
                      index=evidence.index, dtype="str")
    joined = texts.groupby(evidence["customer_key"].to_numpy()).agg(" | ".join)
    keys = tags.customers
    frame = pd.DataFrame({"customer_key": keys.astype("str"), "tags": listed.reindex(keys).fillna("").to_numpy(),
                          "primary_tag": tags.primary().map(names).reindex(keys).to_numpy(),
                          "evidence": joined.reindex(keys).fillna("").to_numpy()})
    write_table(frame, target)


def format_tags(d: dict, tables) -> str:
    zh = _zh()
    out = [t("tags.cli.title", customers=f"{d['customers']:,}", source=d["tables"])]
    for tag in d["tags"]:
        unit = t(f"tags.cli.unit_{tag['unit']}")
        line = t("tags.cli.tag_line", name=tag["name_zh"] if zh else tag["name"], customers=f"{tag['customers']:,}",
                 share=f"{tag['share']:.0%}", min=tag["min_purchases"], unit=unit)
        if tag["min_share"] > 0:
            line += (" " if not zh else "，") + t("tags.cli.tag_share", min_share=f"{tag['min_share']:.0%}", unit=unit)
        out.append("  " + line)
        if tag["top_evidence"]:
            out.append("    " + t("tags.cli.top_evidence", items=", ".join(
                f"{e['detail'] or '—'} ({e['customers']:,})" for e in tag["top_evidence"])))
    out.append("  " + t("tags.none_name") + f": {d['no_tag']:,}")
    out.append(t("tags.cli.mix_header", map=d["map"]))
    for row in d["mix"]:
        items = ", ".join(f"{tables.name(k, language())} {v:.0%}" for k, v in row["shares"].items() if v > 0)
        out.append("  " + t("tags.cli.mix_line", segment=row["name_zh"] if zh else row["name"],
                            customers=f"{row['customers']:,}", items=items))
    out.extend(d["notes"])
    return "\n".join(out)


# --- cross-sell -----------------------------------------------------------------------------------

def cmd_crosssell(args) -> int:
    from core.crosssell import crosssell

    found, status = _segmented(args)
    if found is None:
        return status
    book, seg, wanted = found
    data = crosssell(book, seg, wanted).as_json(language())
    if args.json:
        _dump(data)
    else:
        print(format_crosssell(data))
    return EXIT_OK


def format_crosssell(d: dict) -> str:
    zh = _zh()
    out = [t("crosssell.title", map=d["map"], currency=d["currency"], date=d["analysis_date"])]
    for s in d["segments"]:
        out.append(t("crosssell.segment_line", name=s["name_zh"] if zh else s["name"],
                     customers=f"{s['customers']:,}", multi=f"{s['multi_item_customers']:,}",
                     level=t(f"crosssell.level_{s['level'] or 'none'}")))
        for r in s["rules"]:
            out.append("  " + t("crosssell.rule_line", antecedent=r["antecedent"], consequent=r["consequent"],
                                support=f"{r['support']:.1%}", confidence=f"{r['confidence']:.0%}",
                                lift=f"{r['lift']:.2f}", audience=f"{r['audience']:,}"))
        for f in s["favourites"]:
            out.append("  " + t("crosssell.favourite_line", item=f["item"], best_share=f"{f['best_share']:.0%}",
                                others_share=f"{f['others_share']:.0%}", audience=f"{f['audience']:,}"))
        out.extend("  → " + text for text in s["recommendations"][:3])
        out.extend("  " + note for note in s["notes"])
    return "\n".join(out)


# --- hashed audience export -----------------------------------------------------------------------

def cmd_export_hashed(args) -> int:
    """`export … --hashed`: the chosen segments as a hashed audience list for an ad platform."""
    from core.audience import hashed_audience, write_hashed_audience

    try:
        check_output(args.output, args)
        found, status = _segmented(args)
        if found is None:
            return status
        book, seg, ids = found
        audience = hashed_audience(book, seg, ids, args.platform)
        path = write_hashed_audience(audience, args.output, force=args.force, protect=args.files)
    except InputError as error:
        print(error.problem.message(), file=sys.stderr)
        if error.problem.message_id == "export.exists":
            print(t("export.force_hint"), file=sys.stderr)
        return EXIT_ERROR
    print(audience.message(path))
    return EXIT_OK
