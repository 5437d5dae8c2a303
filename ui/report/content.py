"""What the strategy summary says: one HTML text (Qt's rich-text subset) with charts placed as
<img src="chart:ID"> and the charts themselves, built from a Plan (and the OrderBook, when the
caller has it, for the per-currency figures and the monthly trends). No painting happens here."""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.countries import country_name
from core.currency import conversion_note
from core.platforms import platform_name
from core.i18n import catalog, t
from core.segments import breakdown, note_message
from core.segments.maps import MAP_IDS, load_map
from core.segments.rfm import to_five
from core.targeting import texts
from core.targeting.plan import Plan, plan_json
from core.targeting.screening import knockout_rules
from core.targeting.screening import rules as screening_rules
from core.targeting.strategies import MIXES
from ui.report.charts import (Chart, ChartRow, ForecastChart, Heatmap, Histogram, HorizontalBars, LineChart,
                              PairedBars, nice_edges)

SECTIONS = ("key_figures", "segments", "screening", "pattern", "target", "forecast", "appendix")
FORECAST_MONTHS, FORECAST_CATEGORIES = 6, 4  # months ahead; categories beside the whole shop
FORECAST_HISTORY = 24  # months of history the forecast charts show

CSS = """
body { color: #111827; }
h1 { font-size: 20pt; font-weight: 600; color: #111827; margin-top: 0px; margin-bottom: 6px; }
h2 { font-size: 13pt; font-weight: 600; color: #1e3a8a; margin-top: 14px; margin-bottom: 6px; }
h3 { font-size: 10.5pt; font-weight: 600; color: #111827; margin-top: 10px; margin-bottom: 4px; }
p { font-size: 9pt; margin-top: 2px; margin-bottom: 5px; }
li { font-size: 9pt; margin-bottom: 2px; }
td, th { font-size: 8.5pt; }
th { font-size: 7.5pt; font-weight: 600; background-color: #eef2ff; color: #111827; text-align: left; }
td.num, th.num { text-align: right; }
.muted { color: #4b5563; }
.kicker { font-size: 10pt; color: #2563eb; font-weight: 600; }
.subtitle { font-size: 12pt; color: #4b5563; margin-bottom: 36px; }
.big { font-size: 16pt; font-weight: 600; color: #111827; }
.label { font-size: 8pt; color: #4b5563; }
.persona { font-size: 13pt; font-weight: 600; color: #111827; }
.portrait { font-size: 9pt; font-style: italic; color: #374151; }
.target { color: #047857; font-weight: 600; }
.out { color: #b91c1c; font-weight: 600; }
.mono { font-size: 8pt; color: #374151; }
"""


@dataclass
class Content:
    """The report's text and charts, ready to lay out."""

    html: str
    charts: dict[str, Chart] = field(default_factory=dict)
    title: str = ""
    header: str = ""
    date: str = ""
    sections: list[str] = field(default_factory=list)  # section titles in order (the tests check them)


SPILL_BREAK = "segmentdesk-spill-break"  # a heading a section that spills starts its second page at


def norm_lang(lang: str | None) -> str:
    return "zh_CN" if (lang or "en").lower().startswith("zh") else "en"


def esc(value: object) -> str:
    """Text for the HTML; a number and its "%" never part at a line end."""
    return html.escape(str(value), quote=True).replace(" %", "\u00a0%")


class _Builder:
    def __init__(self, plan: Plan, lang: str, book, families: list[str], body_width: float):
        self.plan, self.lang, self.book, self.families, self.width = plan, lang, book, families, body_width
        self.zh = lang == "zh_CN"
        self.parts: list[str] = []
        self.charts: dict[str, Chart] = {}
        self.sections: list[str] = []
        self.data = plan_json(plan, lang)
        self.currency = plan.seg.currency

    # -- helpers -------------------------------------------------------------------------
    def tr(self, key: str, **params) -> str:
        return t(f"report.{key}", lang=self.lang, **params)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def section(self, title: str, level: int = 1, new_page: bool = True) -> None:
        self.sections.append(title)
        style = ' style="page-break-before: always"' if new_page else ""
        self.add(f"<h{level}{style}>{esc(title)}</h{level}>")

    def chart(self, chart: Chart) -> str:
        key = f"c{len(self.charts)}"
        self.charts[key] = chart
        return f'<img src="chart:{key}" width="{chart.width:.0f}" height="{chart.height:.0f}" />'

    def money(self, value: float, currency: str | None = None) -> str:
        return texts.money(float(value), currency or self.currency, self.lang)

    def pct(self, value) -> str:
        return "—" if value is None or pd.isna(value) else texts.percent(float(value), self.lang)

    def name(self, sid: str) -> str:
        label = self.plan.label(sid)
        return (label.name_zh if self.zh else label.name) if label else str(sid)

    def map_name(self) -> str:
        map_id = self.plan.seg.map_id
        if map_id in MAP_IDS:
            segment_map = load_map(map_id)
            return segment_map.name_zh if self.zh else segment_map.name
        return t(f"ui.map_{map_id}", lang=self.lang)

    def table(self, header: list[str], rows: list[list[str]], numeric: set[int] = frozenset(),
              widths: list[int] | None = None, raw: bool = False) -> None:
        """A table with a repeated header row when it runs onto the next page."""
        cells = []
        for i, text in enumerate(header):
            width = f' width="{widths[i]}%"' if widths else ""
            cells.append(f'<th{width}{" class=num" if i in numeric else ""}>{esc(text).replace(chr(10), "<br/>")}</th>')
        out = ['<table width="100%" cellspacing="0" cellpadding="4" border="0.5" '
               'style="border-collapse: collapse; border-color: #cbd5e1; margin-top: 4px; margin-bottom: 8px;">',
               f"<thead><tr>{''.join(cells)}</tr></thead><tbody>"]
        for row in rows:
            out.append("<tr>" + "".join(
                f'<td{" class=num" if i in numeric else ""}>{cell if raw else esc(cell)}</td>'
                for i, cell in enumerate(row)) + "</tr>")
        out.append("</tbody></table>")
        self.add("".join(out))

    def bullets(self, items: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>" if items else ""

    # -- sections ------------------------------------------------------------------------
    def period(self) -> tuple[str, str]:
        if self.book is not None and len(self.book.orders):
            dates = self.book.orders["placed_at"].dropna()
            return dates.min().strftime("%Y-%m-%d"), dates.max().strftime("%Y-%m-%d")
        customers = self.plan.seg.customers
        return (pd.Timestamp(customers["first_order"].min()).strftime("%Y-%m-%d"),
                pd.Timestamp(customers["last_order"].max()).strftime("%Y-%m-%d"))

    def shares(self, items: list[dict], key: str, limit: int = 8, platforms: frozenset = frozenset()) -> str:
        """"Shopify 86 %, Taobao/Tmall 14 %": names (countries and `platforms` in the report's
        language) with their shares, at most `limit`."""
        def label(value: str) -> str:
            if value == "?":  # core's key for orders without the value (no country, no category)
                return self.tr("cover.unknown")
            if key == "code":  # whatever the export wrote (US, United States): the name in the report's language
                return country_name(value, self.lang)
            if key == "name" and value in platforms:
                return platform_name(value, self.lang)
            return value
        text = ", ".join(f"{label(i[key])} {texts.percent(i['share'], self.lang)}" for i in items[:limit])
        more = len(items) - limit
        return text + (f", … (+{more})" if more > 0 else "") if items else "—"

    def cover(self) -> None:
        scope = self.data["scope"]
        first, last = self.period()
        self.add('<p style="font-size: 2pt;">&nbsp;</p>'  # Qt drops a first block's top margin
                 f'<p class="kicker" style="margin-top: 60px;">SegmentDesk</p>'
                 f'<h1 style="font-size: 28pt; margin-bottom: 4px;">{esc(self.tr("title"))}</h1>')
        self.add(f'<p class="subtitle">{esc(self.tr("subtitle"))}</p>')
        self.at_a_glance()
        platforms = self.shares(scope["platforms"], "name", platforms=frozenset(p["name"] for p in scope["platforms"]))
        if self.book is not None:
            others = sorted(platform_name(p, self.lang) for p in set(self.book.orders["platform"].dropna().astype(str))
                            - {p["name"] for p in scope["platforms"]})
            platforms = ", ".join([platforms, *others] if scope["platforms"] else others) or "—"
        conversion = self.plan.conversion
        segmented = (self.tr("cover.segmentation_converted", map=self.map_name(), currency=self.currency)
                     if conversion is not None else
                     self.tr("cover.segmentation_value", map=self.map_name(), currency=self.currency))
        rows = [(self.tr("cover.platforms"), platforms),
                (self.tr("cover.categories"), self.shares(scope["categories"], "name")),
                (self.tr("cover.countries"), self.shares(scope["countries"], "code")),
                (self.tr("cover.period"), self.tr("cover.period_value", first=first, last=last)),
                (self.tr("cover.analysis_date"), self.data["analysis_date"]),
                (self.tr("cover.segmentation"), segmented)]
        if conversion is not None:
            rows.append((self.tr("cover.rates"), conversion_note(conversion, self.lang)))
        elif self.plan.others:
            currencies = [self.currency, *(o.seg.currency for o in self.plan.others)]
            rows.append((self.tr("cover.currencies"),
                         t("currency.separate", lang=self.lang, currencies=", ".join(currencies))))
        out = ['<table width="100%" cellspacing="0" cellpadding="6" border="0">']
        for label, value in rows:
            out.append(f'<tr><td width="24%" class="label" style="font-size: 9pt;">{esc(label)}</td>'
                       f'<td style="font-size: 10pt;">{esc(value)}</td></tr>')
        out.append("</table>")
        self.add("".join(out))
        # With the other currencies' shops in the report, none is left out: no note says so.
        notes = [note_message(n, self.lang) for n in self.plan.seg.notes
                 if not (self.plan.others and n[0] == "segments.other_currencies")]
        if notes:
            self.add(f'<h3>{esc(self.tr("cover.note"))}</h3>' + self.bullets(notes))
        self.add(f'<p class="muted" style="margin-top: 24px;">'
                 f'{esc(self.tr("generated", date=dt.date.today().isoformat()))}</p>')

    def at_a_glance(self) -> None:
        """The cover's answer before the details: the recommended pattern and approach, the target
        segments with their customers and share of sales, and the first reason, in the shop's numbers."""
        facts = self.plan.target_facts
        targets = []
        for sid in self.plan.targets:
            customers = int(facts.loc[sid, "customers"]) if sid in facts.index else 0
            share = float(facts.loc[sid, "share_net_sales"]) if sid in facts.index else float("nan")
            targets.append(self.tr("glance.target", name=self.name(sid), customers=customers, share=self.pct(share)))
        pattern, approach = self.data["pattern"], self.data["approach"]
        rows = [(self.tr("glance.recommendation"),
                 self.tr("glance.recommendation_value", pattern=pattern["title"], approach=approach["title"])),
                (self.tr("glance.targets"), t("ui.targeting.list_separator", lang=self.lang).join(targets) or "—")]
        if pattern["reasons"]:
            rows.append((self.tr("glance.why"), pattern["reasons"][0]))
        out = ['<table width="100%" cellspacing="0" cellpadding="7" border="0" style="background-color: #eef2ff; '
               'margin-top: 18px; margin-bottom: 18px;">',
               f'<tr><td colspan="2"><p class="label" style="font-size: 9pt;"><b>{esc(self.tr("glance.title"))}</b></p></td></tr>']
        for label, value in rows:
            out.append(f'<tr><td width="24%" class="label" style="font-size: 9pt;">{esc(label)}</td>'
                       f'<td style="font-size: 10.5pt;"><b>{esc(value)}</b></td></tr>')
        out.append("</table>")
        self.add("".join(out))

    def key_figures(self) -> None:
        self.section(self.tr("section.key_figures"))
        customers = self.plan.seg.customers
        note = "figures.customers_note_converted" if self.plan.conversion is not None else "figures.customers_note"
        cards = [(self.tr("figures.customers"), f"{len(customers):,}", self.tr(note, currency=self.currency))]
        if self.book is not None:
            from core.summary import import_summary

            summary = import_summary(self.book, self.lang)
            cards.append((self.tr("figures.all_customers"), f"{summary['customers']:,}", ""))
            cards.append((self.tr("figures.orders"), f"{summary['orders_by_status']['paid']:,}", ""))
            for currency, value in summary["net_sales"].items():
                cards.append((self.tr("figures.net_sales", currency=currency), self.money(value, currency), ""))
        else:
            cards.append((self.tr("figures.orders"), f"{int(customers['frequency'].sum()):,}", ""))
            cards.append((self.tr("figures.net_sales", currency=self.currency),
                          self.money(customers["monetary"].sum()), ""))
        repeat = float((customers["frequency"] > 1).mean()) if len(customers) else 0.0
        cards.append((self.tr("figures.repeat_rate"), self.pct(repeat), self.tr("figures.repeat_note")))
        orders = customers["frequency"].sum()
        cards.append((self.tr("figures.aov"), self.money(customers["monetary"].sum() / orders if orders else 0),
                      self.currency))
        out = ['<table width="100%" cellspacing="6" cellpadding="8" border="0">']
        for i in range(0, len(cards), 3):
            out.append("<tr>")
            for label, value, note in cards[i:i + 3]:
                out.append(f'<td width="33%" style="background-color: #f3f4f6;"><p class="label">{esc(label)}</p>'
                           f'<p class="big">{esc(value)}</p><p class="label">{esc(note)}</p></td>')
            out.append("</tr>")
        out.append("</table>")
        self.add("".join(out))
        first, last = self.period()
        self.add(f'<p class="muted">{esc(self.tr("figures.period", first=first, last=last))}</p>')
        if self.plan.conversion is not None:
            self.add(f'<p class="muted">{esc(conversion_note(self.plan.conversion, self.lang))}</p>')

    def other_shops(self) -> None:
        """Without exchange rates, each other currency's shop on its own pages: its figures, its
        segments, its recommendation and its targets (nothing is added across currencies)."""
        for plan in self.plan.others:
            shop = _Builder(plan, self.lang, self.book, self.families, self.width)
            shop.parts, shop.charts, shop.sections = self.parts, self.charts, self.sections
            shop.section(t("currency.shop_title", lang=self.lang, currency=shop.currency))
            self.add(f'<p class="muted">{esc(t("currency.shop_intro", lang=self.lang, currency=shop.currency, customers=len(plan.seg.customers)))}</p>')
            shop.segments()
            for key, heading in (("pattern", "pattern.pattern"), ("approach", "pattern.approach")):
                choice = shop.data[key]
                anchor = f'<a name="{SPILL_BREAK}"></a>' if key == "pattern" else ""
                self.add(f"<h3>{anchor}{esc(self.tr(heading))}</h3>"
                         f"<p><b>{esc(choice['title'])}</b> — {esc(choice['description'])}</p>"
                         + self.bullets(choice["reasons"]))
            cards, plans = plan.personas(self.lang), plan.strategies(self.lang)
            rows = [[shop.name(sid), cards[sid].name, plans[sid].goal] for sid in plan.targets]
            if rows:
                self.add(f"<h3>{esc(self.tr('shop.targets'))}</h3>")
                self.table([self.tr("shop.segment"), self.tr("target.persona"), self.tr("target.goal")], rows,
                           widths=[22, 28, 50])

    def segments(self) -> None:
        self.section(self.tr("section.segments"), level=2, new_page=False)
        facts = self.plan.facts
        self.add(f"<p>{esc(self.tr('segments.intro', count=len(facts), customers=f'{len(self.plan.seg.customers):,}', currency=self.currency, map=self.map_name()))}</p>")
        rows = []
        for sid, row in facts.iterrows():
            rows.append([self.name(sid), f"{int(row['customers']):,}", self.pct(row["share_customers"]),
                         self.money(row["net_sales"]), self.pct(row["share_net_sales"]), self.money(row["aov"]),
                         f"{row['median_recency']:,.0f}", self.pct(row["repeat_rate"])])
        keys = ("segment", "customers", "share_customers", "net_sales", "share_sales", "aov", "recency", "repeat")
        self.table([self.tr(f"segments.{k}") for k in keys], rows, numeric=set(range(1, 8)),
                   widths=[20, 11, 10, 13, 9, 11, 15, 11])
        gap = 14.0
        heat = self.heatmap((self.width - gap) * 0.48, 300)
        bars_width = self.width - gap - heat.width if heat else self.width * 0.7
        bars = PairedBars(self.tr("segments.shares_title"), bars_width, 300, self.families,
                          labels=[self.name(s) for s in facts.index],
                          first=[float(v) for v in facts["share_customers"]],
                          second=[float(v) for v in facts["share_net_sales"]],
                          legend=(self.tr("segments.legend_customers"), self.tr("segments.legend_sales")))
        items = [heat, bars] if heat else [bars]
        self.add("<p>" + self.chart(ChartRow("", self.width, 300, self.families, items=items, gap=gap)) + "</p>")

    def heatmap(self, width: float, height: float) -> Heatmap | None:
        seg = self.plan.seg
        if seg.map_id not in MAP_IDS or load_map(seg.map_id).kind != "grid":
            return None
        segment_map = load_map(seg.map_id)
        scores = seg.customers
        five = {axis: to_five(scores[axis].to_numpy(), seg.bins) for axis in ("r", "f", "m")}
        five["fm"] = (five["f"].astype(int) + five["m"] + 1) // 2
        rows, columns = five[segment_map.rows], five[segment_map.columns]
        counts = [[int(((rows == 5 - i) & (columns == j + 1)).sum()) for j in range(5)] for i in range(5)]
        axis = "FM" if segment_map.columns == "fm" else segment_map.columns.upper()
        title = self.tr("segments.heatmap_title_fm" if axis == "FM" else "segments.heatmap_title")
        return Heatmap(title, width, height, self.families, counts=counts,
                       segments=[list(r) for r in segment_map.grid],
                       names={sid: self.name(sid) for sid in segment_map.order},
                       row_title=self.tr("segments.heatmap_rows"),
                       column_title=self.tr("segments.heatmap_columns", axis=axis))

    def criterion_names(self) -> dict[str, str]:
        criteria = screening_rules()["criteria"]
        return {c: criteria.get(c, {}).get("name_zh" if self.zh else "name", c) for c in self.plan.scorecard.weights}

    def screening(self) -> None:
        self.section(self.tr("section.screening"), new_page=False)
        self.add(f"<p>{esc(self.tr('screening.intro'))}</p>")
        names = self.criterion_names()
        weights = self.plan.scorecard.weights
        header = [self.tr("segments.segment")]
        short = {c: catalog(self.lang).get(f"report.criterion.{c}") or names[c] for c in weights}
        header += [f"{short[c]}\n({weights[c]:g})" for c in weights]
        header += [self.tr("screening.total"), self.tr("screening.rank"), self.tr("screening.status")]
        rows = []
        for row in sorted(self.data["scorecard"], key=lambda r: r["rank"]):
            status = (f'<span class="target">{esc(self.tr("screening.target"))}</span>' if row["target"] else
                      f'<span class="out">{esc(self.tr("screening.eliminated"))}</span>' if row["eliminated"] else
                      esc(self.tr("screening.passed")))
            rows.append([esc(row["name"]), *(f"{row['scores'][c]:.0f}" if row["scores"][c] is not None else "—"
                                             for c in weights),
                         f"<b>{row['total']:.0f}</b>", str(row["rank"]), status])
        n = len(weights)
        self.table(header, rows, numeric=set(range(1, n + 3)), raw=True,
                   widths=[16] + [54 // n] * n + [7, 6, 17 + 54 % n])
        self.add(f"<h3>{esc(self.tr('screening.eliminated_title'))}</h3>")
        colon = "：" if self.zh else ": "
        out = [f"{row['name']}{colon}{row['reason']}" for row in self.data["scorecard"] if row["eliminated"]]
        self.add(self.bullets(out) if out else f"<p>{esc(self.tr('screening.none_eliminated'))}</p>")
        group = self.data["fallback"]
        if group:  # a shop too small to screen, or nothing passed: the one group the plan serves
            name = group["name_zh" if self.zh else "name"]
            reason = group["reason"][:1].upper() + group["reason"][1:]
            self.add(f"<h3>{esc(self.tr('screening.fallback_title', group=name))}</h3>")
            key = "screening.fallback" if group["why"] == "small" else "screening.fallback_knocked_out"
            self.add(f"<p>{esc(self.tr(key, reason=reason, group=name))}</p>")

    def choice(self, key: str, heading: str) -> None:
        choice = self.data[key]
        self.add(f"<h2>{esc(heading)}</h2>")
        self.add(f'<p class="big" style="font-size: 13pt;">{esc(self.tr("pattern.recommended", title=choice["title"]))}'
                 f' <span class="label" style="font-size: 9pt;">({esc(self.tr("pattern.fit", score=self.pct(choice["score"])))})</span></p>')
        self.add(f"<p>{esc(choice['description'])}</p>")
        self.add(f"<h3>{esc(self.tr('pattern.reasons'))}</h3>" + self.bullets(choice["reasons"]))
        if choice["alternatives"]:
            self.add(f"<h3>{esc(self.tr('pattern.alternatives'))}</h3>")
            rows = []
            for alt in sorted(choice["alternatives"], key=lambda a: -a["score"]):
                rows.append([esc(alt["title"]), self.pct(alt["score"]),
                             "<br/>".join("• " + esc(r) for r in alt["reasons"]) or self.tr("pattern.none"),
                             "<br/>".join("• " + esc(r) for r in alt["missing"]) or self.tr("pattern.none")])
            self.table([self.tr("pattern.alternative"), self.tr("pattern.fit_header"),
                        self.tr("pattern.for"), self.tr("pattern.against")], rows, numeric={1}, raw=True,
                       widths=[20, 8, 36, 36])

    def pattern(self) -> None:
        self.section(self.tr("section.pattern"))
        self.add(f"<p class='muted'>{esc(self.tr('pattern.intro'))}</p>")
        self.choice("pattern", self.tr("pattern.pattern"))
        self.choice("approach", self.tr("pattern.approach"))

    def targets(self) -> None:
        cards, plans = self.plan.personas(self.lang), self.plan.strategies(self.lang)  # with cross-sell offers
        months = self.monthly()
        for number, sid in enumerate(self.plan.targets, start=1):
            self.section(self.tr("section.target", number=number, name=self.name(sid)))
            persona, strategy = cards[sid], plans[sid]
            figures = "".join(f'<tr><td class="label">{esc(k)}</td><td class="num"><b>{esc(v)}</b></td></tr>'
                              for k, v in persona.figures.items())
            mix = " · ".join(f"{name} {texts.percent(share, self.lang)}" for _tag, name, share in persona.tags)
            tags = (f'<p class="label">{esc(self.tr("target.tags"))}</p><p>{esc(mix)}</p>' if mix else "")
            self.add('<table width="100%" cellspacing="0" cellpadding="8" border="0" '
                     'style="background-color: #f3f4f6;"><tr>'
                     f'<td width="62%" valign="top"><p class="label">{esc(self.tr("target.persona"))}</p>'
                     f'<p class="persona">{esc(persona.name)}</p><p class="portrait">{esc(persona.portrait)}</p>{tags}</td>'
                     f'<td width="38%" valign="top"><p class="label">{esc(self.tr("target.figures"))}</p>'
                     f'<table width="100%" cellspacing="0" cellpadding="2" border="0">{figures}</table></td>'
                     '</tr></table>')
            self.add(f"<h3>{esc(self.tr('target.statements'))}</h3>" + self.bullets(persona.statements))
            self.add(f"<h3>{esc(self.tr('target.charts'))}</h3>")
            charts = self.target_charts(sid, months)
            for pair in (charts[:2], charts[2:]):
                row = ChartRow("", self.width, max(c.height for c in pair), self.families, items=pair, gap=16)
                self.add('<p style="margin-bottom: 8px;">' + self.chart(row) + "</p>")
            # Where the section may break when it spills a little onto a second page (render.py).
            self.add(f'<h2><a name="{SPILL_BREAK}"></a>{esc(self.tr("target.strategy"))}</h2>')
            self.add(f"<p><b>{esc(self.tr('target.goal'))}:</b> {esc(strategy.goal)}</p>")
            for mix in MIXES:
                actions = [a.text for a in strategy.actions if a.mix == mix]
                if actions:
                    self.add(f"<h3>{esc(self.tr(f'target.mix_{mix}'))}</h3>" + self.bullets(actions))

    def monthly(self) -> pd.DataFrame | None:
        if self.book is None:
            return None
        table = breakdown(self.plan.target_seg, self.book, "month").reset_index()
        table = table[table["month"].astype(str) != "?"]
        return table.pivot_table(index="month", columns="segment", values="net_sales", aggfunc="sum",
                                 fill_value=0.0).sort_index()

    def target_charts(self, sid: str, months: pd.DataFrame | None) -> list[Chart]:
        w, h = (self.width - 16) / 2, 165
        customers = self.plan.target_seg.customers  # the map's, or the fallback group's
        mine = customers[customers["segment"] == sid]
        out = []
        for column, title in (("monetary", self.tr("target.spend", currency=self.currency)),
                              ("recency", self.tr("target.recency"))):
            values = mine[column].astype(float).to_numpy()
            top = float(np.percentile(values, 95)) if len(values) else 1.0
            edges = nice_edges(max(top, 1.0))
            counts, _ = np.histogram(np.clip(values, None, edges[-1]), bins=edges)
            out.append((Histogram(title, w, h, self.families, counts=[int(c) for c in counts],
                                            edges=[float(e) for e in edges],
                                            y_label=self.tr("target.customers_axis"))))
        row = self.plan.matrix.loc[sid] if sid in self.plan.matrix.index else pd.Series(dtype=float)
        row = row[row > 0].sort_values(ascending=False)
        top = row.head(6)
        total = row.sum() or 1.0
        out.append((HorizontalBars(self.tr("target.categories"), w, h, self.families,
                                             labels=[str(c) for c in top.index], values=[float(v) for v in top],
                                             texts=[f"{self.money(v)} · {texts.percent(v / total, self.lang)}"
                                                    for v in top])))
        labels, values = [], []
        if months is not None and sid in months.columns:
            series = months[sid]
            nonzero = series[series > 0]
            if len(nonzero):
                series = series.loc[nonzero.index[0]:nonzero.index[-1]]
                labels, values = [str(m) for m in series.index], [float(v) for v in series]
        out.append((LineChart(self.tr("target.trend", currency=self.currency), w, h, self.families,
                                        labels=labels, values=values, empty_text=self.tr("target.no_trend"))))
        return out

    def forecast(self) -> None:
        """Demand forecast: the whole shop and its top categories, each month's forecast with its
        interval beside the naive seasonal one, and how both did on months held back."""
        if self.book is None:
            return  # monthly figures need the orders
        from core.over_time import INTERVAL
        from core.trends import MIN_FORECAST_MONTHS, demand_forecast

        forecasts = demand_forecast(self.book, self.currency, FORECAST_MONTHS, "net_sales", FORECAST_CATEGORIES)
        self.section(self.tr("forecast.title"))
        if not forecasts:
            self.add(f"<p>{esc(self.tr('forecast.no_data'))}</p>")
            return
        interval = self.pct(INTERVAL)
        self.add(f"<p>{esc(self.tr('forecast.intro', currency=self.currency, months=FORECAST_MONTHS, interval=interval))}</p>")
        shop, categories = forecasts[0], forecasts[1:]
        self.add("<p>" + self.chart(self.forecast_chart(shop, self.width, 215, interval)) + "</p>")
        self.add(f"<p>{esc(self.forecast_verdict(shop, MIN_FORECAST_MONTHS))}</p>")
        if len(shop.forecast):
            rows = [[str(month), self.money(row["mean"]),
                     f"{self.money(row['lower'])} – {self.money(row['upper'])}", self.money(shop.baseline[month])]
                    for month, row in shop.forecast.iterrows()]
            self.table([self.tr("forecast.month"), self.tr("forecast.forecast"),
                        self.tr("forecast.interval", interval=interval), self.tr("forecast.baseline")],
                       rows, numeric={1, 2, 3}, widths=[16, 24, 36, 24])
        rows = []
        for f in forecasts:
            error = f.backtest.get("model_mape"), f.backtest.get("baseline_mape")
            rows.append([self.series_name(f.name), self.tr(f"forecast.method_{f.method}"),
                         self.money(f.forecast["mean"].sum()) if len(f.forecast) else "—",
                         self.money(f.baseline.sum()) if len(f.forecast) else "—", self.pct(error[0]),
                         self.pct(error[1])])
        self.table([self.tr("forecast.series"), self.tr("forecast.method"),
                    self.tr("forecast.next_total", months=FORECAST_MONTHS), self.tr("forecast.baseline_total"),
                    self.tr("forecast.error_model"), self.tr("forecast.error_baseline")],
                   rows, numeric={2, 3, 4, 5}, widths=[20, 22, 15, 15, 14, 14])
        if not categories:
            return
        self.add(f'<h3><a name="{SPILL_BREAK}"></a>{esc(self.tr("forecast.categories"))}</h3>'
                 f"<p>{esc(self.tr('forecast.categories_intro', count=len(categories)))}</p>")
        width = (self.width - 16) / 2
        charts = [self.forecast_chart(f, width, 165, interval) for f in categories]
        for i in range(0, len(charts), 2):
            pair = charts[i:i + 2]
            self.add('<p style="margin-bottom: 8px;">' + self.chart(
                ChartRow("", self.width, 165, self.families, items=pair, gap=16)) + "</p>")
        short = [self.too_short(f, MIN_FORECAST_MONTHS) for f in categories if not len(f.forecast)]
        if short:
            self.add(self.bullets(short))

    def series_name(self, name: str) -> str:
        return self.tr("forecast.whole_shop") if name == "all" else name

    def signed_money(self, value: float) -> str:
        text = self.money(abs(value))
        return ("+" if value >= 0 else "−") + text

    def too_short(self, f, needed: int) -> str:
        from core.over_time import trend_per_month

        slope = trend_per_month(f.history)
        return self.tr("forecast.too_short", name=self.series_name(f.name), months=len(f.history), needed=needed,
                       slope=self.signed_money(slope) if slope is not None else "—")

    def forecast_verdict(self, f, needed: int) -> str:
        if not len(f.forecast):
            return self.too_short(f, needed)
        model, base = f.backtest.get("model_mape"), f.backtest.get("baseline_mape")
        if model is None or base is None:
            return self.tr("forecast.untested", months=len(f.history), needed=needed + FORECAST_MONTHS)
        key = "forecast.better" if model <= base else "forecast.worse"
        return self.tr(key, months=f.backtest["months"], model=self.pct(model), baseline=self.pct(base))

    def forecast_chart(self, f, width: float, height: float, interval: str) -> Chart:
        from core.over_time import trend_per_month

        history = f.history.iloc[-FORECAST_HISTORY:]
        future = list(f.forecast.index) if len(f.forecast) else list(f.baseline.index)
        slope = trend_per_month(f.history)
        trend = None
        if slope is not None and not len(f.forecast):  # the least-squares line over the shown months
            start = float(np.polyval(np.polyfit(np.arange(len(history)), history.to_numpy(dtype=float), 1), 0))
            trend = (start, slope)
        legend = {"history": self.tr("forecast.legend_history"), "forecast": self.tr("forecast.legend_forecast"),
                  "interval": self.tr("forecast.interval", interval=interval),
                  "baseline": self.tr("forecast.legend_baseline"), "trend": self.tr("forecast.legend_trend")}
        return ForecastChart(self.tr("forecast.chart_title", name=self.series_name(f.name), currency=self.currency),
                             width, height, self.families, months=[str(m) for m in [*history.index, *future]],
                             history=[float(v) for v in history], mean=[float(v) for v in f.forecast.get("mean", [])],
                             lower=[float(v) for v in f.forecast.get("lower", [])],
                             upper=[float(v) for v in f.forecast.get("upper", [])],
                             baseline=[float(v) for v in f.baseline] if len(f.forecast) else [],
                             trend=trend, legend=legend, empty_text=self.tr("forecast.no_data"))

    def metric(self, name: str) -> str:
        key = f"report.metric.{name}"
        return catalog(self.lang).get(key) or catalog("en").get(key) or name

    def condition(self, when: str) -> str:
        words = []
        for token in when.split():
            if token in ("and", "or"):
                words.append(self.metric(token))
            elif token.replace("_", "").isalpha():
                words.append(self.metric(token))
            else:
                words.append({"<=": "≤", ">=": "≥"}.get(token, token))
        return " ".join(words)

    def campaigns(self) -> None:
        """The saved campaigns (core.campaigns) and, where the exports cover days after a start,
        what each did: campaign group against control group, the uplift and the verdict. No
        section when there is no campaign."""
        from core.campaigns import DEFAULT_WINDOW, campaign_overview, verdict

        found, problems = campaign_overview(self.book, DEFAULT_WINDOW)
        if not found and not problems:
            return
        tr = lambda key, **params: t(f"campaigns.report.{key}", lang=self.lang, **params)  # noqa: E731
        self.section(tr("title"))
        self.add(f"<p>{esc(tr('intro', days=DEFAULT_WINDOW))}</p>")
        rows, verdicts = [], []
        for campaign, res in found:
            bought, uplift = "—", "—"
            if res is not None and res.covered_days:
                shares = [res.groups[g].repeat_share if res.groups.get(g) else None for g in ("campaign", "control")]
                bought = " · ".join(self.pct(s) if s is not None else "—" for s in shares)
                u = res.uplift.get("repeat_share")
                if u is not None:
                    uplift = tr("points", diff=f"{u.estimate * 100:+.1f}", low=f"{u.low * 100:+.1f}",
                                high=f"{u.high * 100:+.1f}").replace("-", "−")
            rows.append([campaign.name, campaign.segments_text(self.lang), campaign.start.isoformat(),
                         f"{campaign.size('campaign'):,} / {campaign.size('control'):,}", bought, uplift])
            text = verdict(res, self.lang) if res is not None else tr("no_data")
            verdicts.append(f"{campaign.name}{'：' if self.zh else ': '}{text}")
        self.table([tr(k) for k in ("name", "segments", "start", "groups", "bought", "uplift")], rows,
                   numeric={3, 4, 5}, widths=[18, 20, 11, 13, 16, 22])
        self.add(self.bullets(verdicts))
        if problems:
            self.add(self.bullets([tr("problem", message=p.message(self.lang)) for p in problems]))

    def appendix(self) -> None:
        self.section(self.tr("section.appendix"))
        for key in ("net_sales", "paid_order", "customer_key"):
            self.add(f"<h3>{esc(self.tr(f'appendix.{key}'))}</h3><p>{esc(self.tr(f'appendix.{key}_text'))}</p>")
        seg = self.plan.seg
        self.add(f"<h3>{esc(self.tr('appendix.rfm'))}</h3>")
        self.add(f"<p>{esc(self.tr('appendix.rfm_text', date=seg.analysis_date.isoformat(), currency=seg.currency, bins=seg.bins))}</p>")
        lines = []
        for axis, spec in seg.thresholds.items():
            method = self.tr(f"appendix.method_{spec.get('method', 'quantile')}")
            if axis in ("r", "f", "m"):
                cuts = ", ".join(short_cut(c) for c in spec.get("cuts", []))
                lines.append(f"{self.tr(f'appendix.axis_{axis}', currency=seg.currency)}: {cuts} ({method})")
            elif axis.endswith("_high_low"):
                lines.append(self.tr("appendix.high_low", axis=axis[0].upper(), limit=short_cut(spec["limit"]),
                                     method=method))
            elif axis == "value_tiers":
                lines.append(self.tr("appendix.tiers", shares=", ".join(self.pct(s) for s in spec["shares"]),
                                     cuts=", ".join(self.money(c) for c in spec["cuts"]), method=method))
        self.add(self.bullets(lines))
        self.add(f'<h3><a name="{SPILL_BREAK}"></a>{esc(self.tr("appendix.criteria"))}</h3>'
                 f"<p>{esc(self.tr('appendix.criteria_text'))}</p>")
        criteria = screening_rules()["criteria"]
        names = self.criterion_names()
        rows = [[names[c], f"{w:g}", ", ".join(self.metric(m[0]) for m in criteria.get(c, {}).get("metrics", []))]
                for c, w in self.plan.scorecard.weights.items()]
        self.table([self.tr("appendix.criterion"), self.tr("appendix.weight"), self.tr("appendix.metrics")], rows,
                   numeric={1}, widths=[25, 10, 65])
        self.add(f"<h3>{esc(self.tr('appendix.knockouts'))}</h3><p>{esc(self.tr('appendix.knockouts_text'))}</p>")
        rows = [[rule.get("name_zh" if self.zh else "name", rule["id"]), self.condition(rule["when"])]
                for rule in knockout_rules()]
        self.table([self.tr("appendix.rule"), self.tr("appendix.condition")], rows, widths=[35, 65])
        limits = screening_rules()["targets"]
        self.add(f"<p>{esc(self.tr('appendix.targets_text', max=limits['max_targets'], min=limits['min_total']))}</p>")

    def build(self) -> Content:
        self.cover()
        self.key_figures()
        self.segments()
        self.screening()
        self.pattern()
        self.targets()
        self.forecast()
        self.campaigns()
        self.other_shops()
        self.appendix()
        header = self.tr("header")
        if self.plan.conversion is not None:  # every page says its amounts are converted
            header = self.tr("header_converted", header=header, currency=self.currency)
        return Content("<html><body>" + "\n".join(self.parts) + "</body></html>", self.charts,
                       self.tr("title"), header, self.data["analysis_date"], self.sections)


def short_cut(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def build_content(plan: Plan, lang: str = "en", book=None, families: list[str] | None = None,
                  body_width: float = 680.0) -> Content:
    """The report's HTML and charts for `plan` in `lang`; `body_width` in report units (1/96 in)."""
    return _Builder(plan, norm_lang(lang), book, list(families or []), body_width).build()
