"""Personas: one card per target segment, written by the core from the segment's facts, with small
charts of who they are (recency, orders and spend) and what, where and when they buy.

The page computes nothing: it shows the TargetingResult of the Targeting page (personas already
written in every language, chart data already counted on the pool thread).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from core.i18n import language, t
from ui.charts import Bar, BarChart
from ui.targeting_page import PlanPage, TargetingResult, bullets, fallback_reason, lang_index
from ui.widgets import page_scaffold, page_scroll, text_label

COLUMNS = 2
CHART_HEIGHT = 132
TAG_ROW = 22  # height of one interest tag bar on a card


def _money(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:,.0f}k"
    if value >= 1000:
        return f"{value / 1000:,.1f}k"
    return f"{value:,.0f}"


class PersonaCard(QFrame):
    """A persona: name, segment, portrait, key figures, statements and six small charts."""

    def __init__(self, segment: str):
        super().__init__()
        self.segment = segment
        self.setObjectName("card")
        self.name = text_label("personaName", wrap=True)
        self.segment_chip = text_label("chip")
        self.target_mark = text_label("targetChip")
        self.portrait = text_label("personaPortrait", wrap=True)
        self.figures_grid = QGridLayout()
        self.figures_grid.setHorizontalSpacing(16)
        self.figures_grid.setVerticalSpacing(2)
        self.figure_labels: list[QWidget] = []
        self.statements = text_label("choiceText", wrap=True)
        # What their purchases say about them (interest tags) and what to offer them next.
        self.tags_chart = BarChart(vertical=False)
        self.offers_title = text_label("cardTitle")
        self.offers = text_label("choiceText", wrap=True)
        self.offers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.charts = {key: BarChart(vertical=True) for key in ("recency", "frequency", "spend", "item", "country", "month")}
        charts = QGridLayout()
        charts.setHorizontalSpacing(12)
        charts.setVerticalSpacing(10)
        for i, key in enumerate(("recency", "frequency", "spend")):
            self.charts[key].setFixedHeight(CHART_HEIGHT)
            self.charts[key].setMinimumWidth(120)
            charts.addWidget(self.charts[key], 0, i)
        self.charts["item"] = BarChart(vertical=False)
        self.charts["country"] = BarChart(vertical=False)
        for i, key in enumerate(("item", "country", "month")):
            self.charts[key].setFixedHeight(CHART_HEIGHT + 14)
            self.charts[key].setMinimumWidth(120)
            charts.addWidget(self.charts[key], 1, i)

        chips = QHBoxLayout()
        chips.setSpacing(6)
        chips.addWidget(self.segment_chip)
        chips.addWidget(self.target_mark)
        chips.addStretch(1)
        self.campaign_button = QPushButton()  # Create campaign… for this persona's segment
        chips.addWidget(self.campaign_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        layout.addWidget(self.name)
        layout.addLayout(chips)
        layout.addWidget(self.portrait)
        layout.addLayout(self.figures_grid)
        layout.addWidget(self.statements)
        layout.addWidget(self.tags_chart)
        layout.addWidget(self.offers_title)
        layout.addWidget(self.offers)
        layout.addLayout(charts)

    def show_persona(self, result: TargetingResult, persona: Any) -> None:
        self.name.setText(persona.name)
        self.segment_chip.setText(result.name(self.segment))
        self.segment_chip.setToolTip(result.description(self.segment))
        self.target_mark.setText(t("ui.personas.target"))
        self.campaign_button.setText(t("ui.campaigns.create"))
        self.campaign_button.setToolTip(t("ui.campaigns.create_tip"))
        self.portrait.setText(persona.portrait)
        self._show_figures(persona.figures)
        self.statements.setText(bullets(persona.statements))
        self._show_tags(persona)
        self._show_charts(result)

    def _show_tags(self, persona: Any) -> None:
        """The interest tag mix as bars (share of the segment's customers) and the cross-sell offers."""
        tags = list(persona.tags)
        self.tags_chart.set_data(t("ui.tags.persona_tags"), [
            Bar(name, share, t("ui.segments.percent", value=f"{share * 100:.0f}"),
                t("ui.tags.persona_tag_tip", name=name, share=f"{share * 100:.1f}"))
            for _tag, name, share in tags], t("ui.tags.persona_no_tags"))
        self.tags_chart.setFixedHeight(TAG_ROW * max(len(tags), 1) + 30)
        offers = list(persona.cross_sell)
        self.offers_title.setText(t("ui.tags.persona_offers"))
        self.offers.setText(bullets(offers))
        self.offers_title.setVisible(bool(offers))
        self.offers.setVisible(bool(offers))

    def _show_figures(self, figures: dict[str, str]) -> None:
        while self.figure_labels:
            figure = self.figure_labels.pop()
            self.figures_grid.removeWidget(figure)
            figure.hide()  # deleted when the event loop comes round; never drawn meanwhile
            figure.deleteLater()
        per_row = 3
        for i, (label, value) in enumerate(figures.items()):
            figure = QWidget()
            box = QVBoxLayout(figure)
            box.setContentsMargins(0, 0, 0, 4)
            box.setSpacing(1)
            caption_label, value_label = text_label("cardTitle", wrap=True), text_label("figureValue")
            caption_label.setText(label)
            value_label.setText(str(value))
            box.addWidget(caption_label)
            box.addWidget(value_label)
            box.addStretch(1)
            row, column = divmod(i, per_row)
            self.figures_grid.addWidget(figure, row, column, Qt.AlignmentFlag.AlignTop)
            self.figure_labels.append(figure)
        for column in range(per_row):
            self.figures_grid.setColumnStretch(column, 1)

    def _show_charts(self, result: TargetingResult) -> None:
        data = result.charts.get(self.segment, {})
        empty = t("ui.segments.no_chart_data")
        currency = result.currency
        recency = data.get("recency", [])
        self.charts["recency"].set_data(t("ui.personas.chart_recency"), [
            Bar(f"{b['low']:,.0f}", b["count"], f"{b['count']:,}",
                t("ui.personas.recency_tip", low=f"{b['low']:,.0f}", high=f"{b['high']:,.0f}", count=f"{b['count']:,}"))
            for b in recency], empty)
        self.charts["frequency"].set_data(t("ui.personas.chart_frequency"), [
            Bar(b["label"], b["count"], f"{b['count']:,}",
                t("ui.personas.frequency_tip", orders=b["label"], count=f"{b['count']:,}"))
            for b in data.get("frequency", [])], empty)
        self.charts["spend"].set_data(t("ui.personas.chart_spend", currency=currency), [
            Bar(("≥" if b["open"] else "") + _money(b["low"]), b["count"],
                f"{b['count']:,}",
                t("ui.personas.spend_open_tip" if b["open"] else "ui.personas.spend_tip", low=f"{b['low']:,.0f}",
                  high=f"{b['high']:,.0f}", count=f"{b['count']:,}", currency=currency))
            for b in data.get("spend", [])], empty)

        def share_bars(pairs: list[tuple[str, float]]) -> list[Bar]:
            total = sum(v for _k, v in pairs) or 1.0
            unknown = t("ui.segments.unknown")
            return [Bar(unknown if k in ("?", "") else k, v, f"{v / total * 100:.0f}%",
                        f"{unknown if k in ('?', '') else k}: {currency} {v:,.2f}") for k, v in pairs]

        self.charts["item"].set_data(t("ui.personas.chart_items"), share_bars(data.get("item", [])), empty)
        from core.countries import country_name  # a small TOML table

        countries = [(country_name(key, language()), value) for key, value in data.get("country", [])]
        self.charts["country"].set_data(t("ui.personas.chart_countries"), share_bars(countries), empty)
        self.charts["month"].set_data(t("ui.personas.chart_months"), [
            Bar(key[2:], value, f"{value:,.0f}", t("ui.segments.month_tip", month=key, orders=f"{value:,.0f}"))
            for key, value in data.get("month", [])], empty)


class PersonasPage(PlanPage):
    """A scrolling grid of persona cards, two per row, for the target segments of the plan."""

    campaign_requested = Signal(str)  # a card's Create campaign…: the segment

    def __init__(self):
        super().__init__()
        self.cards: dict[str, PersonaCard] = {}
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.title = text_label("pageTitle")
        self.subtitle = text_label("pageSubtitle", wrap=True)
        self.body = QWidget()
        self.body.setObjectName("page")
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(0, 0, 4, 4)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(12)
        self.scroll = page_scroll(self.body)
        self.empty, self.content = page_scaffold(self, self.title, self.subtitle, shown=self.scroll)

    def set_result(self, result: TargetingResult | None) -> None:
        self.result = result
        for card in self.cards.values():
            self.grid.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = {}
        if result is not None:
            for i, segment in enumerate(result.targets):
                card = PersonaCard(segment)
                row, column = divmod(i, COLUMNS)
                self.grid.addWidget(card, row, column, Qt.AlignmentFlag.AlignTop)
                self.cards[segment] = card
                card.campaign_button.clicked.connect(lambda _=False, s=segment: self.campaign_requested.emit(s))
            for column in range(COLUMNS):
                self.grid.setColumnStretch(column, 1)
            self.grid.setRowStretch(self.grid.rowCount(), 1)
        self.render()

    def render(self) -> None:
        result = self.result
        # No plan yet, or a plan without targets (every segment knocked out): say why, not a blank page.
        self.content.setCurrentWidget(self.scroll if result is not None and result.targets else self.empty)
        if result is None:
            self.subtitle.setText("")
            self.empty.setText(self.status)
            return
        if not result.targets:
            self.empty.setText(t("ui.personas.no_targets"))
        zh = lang_index()
        subtitle = t("ui.personas.subtitle", count=len(result.targets), map=t(f"ui.segments.map_{result.map_id}"),
                     pattern=result.pattern.name[zh])
        if result.fallback is not None:  # a small shop: say why this one group
            subtitle += "\n" + t("ui.personas.fallback", reason=fallback_reason(result))
        self.subtitle.setText(subtitle)
        personas = result.personas.get(language()) or result.personas.get("en", {})
        for segment, card in self.cards.items():
            if segment in personas:
                card.show_persona(result, personas[segment])

    def retranslate(self) -> None:
        self.title.setText(t("ui.personas.title"))
        self.render()
