"""Strategy: what to do with each segment, as the core wrote it from the segment's facts: a goal,
then actions grouped by marketing mix (product, price, promotion, channel). The target segments
come first in the list on the left; the recommended pattern and approach head the page.

The page computes nothing: it shows the TargetingResult of the Targeting page (strategies already
written in every language).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
                               QWidget)

from core.i18n import language, t
from ui.targeting_page import PlanPage, TargetingResult, bullets, fallback_reason, lang_index, percent
from ui.widgets import page_scaffold, page_scroll, text_label

MIXES = ("product", "price", "promotion", "channel")


class MixSection(QFrame):
    """One marketing-mix heading and its actions as bullets."""

    def __init__(self, mix: str):
        super().__init__()
        self.mix = mix
        self.setObjectName("mixSection")
        self.title = text_label("mixTitle")
        self.actions_text = text_label("choiceText", wrap=True)
        self.actions_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.actions_text)


class StrategyPage(PlanPage):
    """The pattern and approach headline, the segment list (targets first) and the chosen
    segment's goal and actions by marketing mix."""

    campaign_requested = Signal(str)  # Create campaign… for this segment (the Campaigns page asks the rest)

    def __init__(self):
        super().__init__()
        self.segment: str | None = None
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.title = text_label("pageTitle")
        self.headline = text_label("headline", wrap=True)
        self.segment_list = QListWidget()
        self.segment_list.setObjectName("segmentList")
        self.segment_list.setFixedWidth(230)
        self.segment_list.currentItemChanged.connect(self._segment_chosen)

        self.segment_title = text_label("pageTitle", wrap=True)
        self.segment_text = text_label("pageSubtitle", wrap=True)
        self.segment_note = text_label("cutsCaption", wrap=True)
        self.goal_caption = text_label("cardTitle")
        self.goal = text_label("goalText", wrap=True)
        self.mix_sections = {mix: MixSection(mix) for mix in MIXES}
        self.none_text = text_label("pageSubtitle", wrap=True)
        detail = QWidget()
        detail.setObjectName("page")
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(4, 0, 8, 8)
        detail_layout.setSpacing(10)
        detail_layout.addWidget(self.segment_title)
        detail_layout.addWidget(self.segment_text)
        detail_layout.addWidget(self.segment_note)
        goal_box = QFrame()
        goal_box.setObjectName("goalBox")
        goal_layout = QVBoxLayout(goal_box)
        goal_layout.setContentsMargins(14, 10, 14, 12)
        goal_layout.setSpacing(4)
        goal_layout.addWidget(self.goal_caption)
        goal_layout.addWidget(self.goal)
        self.campaign_button = QPushButton()  # plan a campaign for the segment, with a control group
        self.campaign_button.clicked.connect(lambda: self.segment and self.campaign_requested.emit(self.segment))
        campaign_row = QHBoxLayout()
        campaign_row.addWidget(self.campaign_button)
        campaign_row.addStretch(1)
        goal_layout.addLayout(campaign_row)
        detail_layout.addWidget(goal_box)
        for section in self.mix_sections.values():
            detail_layout.addWidget(section)
        detail_layout.addWidget(self.none_text)
        detail_layout.addStretch(1)
        self.detail_scroll = page_scroll(detail)
        self.detail = detail

        body = QWidget()
        body_layout = QHBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(14)
        body_layout.addWidget(self.segment_list)
        body_layout.addWidget(self.detail_scroll, 1)
        self.body = body

        self.empty, self.content = page_scaffold(self, self.title, self.headline, shown=body, spacing=10)

    def set_result(self, result: TargetingResult | None) -> None:
        self.result = result
        if result is not None and self.segment not in result.order:
            self.segment = result.targets[0] if result.targets else (result.order[0] if result.order else None)
        self.render()

    def ordered_segments(self) -> list[str]:
        """Targets first (in their screening order), then the other segments in map order."""
        if self.result is None:
            return []
        targets = list(self.result.targets)
        return targets + [s for s in self.result.order if s not in targets]

    def show_segment(self, segment: str) -> None:
        for row in range(self.segment_list.count()):
            if self.segment_list.item(row).data(Qt.ItemDataRole.UserRole) == segment:
                self.segment_list.setCurrentRow(row)
                return

    def _segment_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        self.segment = item.data(Qt.ItemDataRole.UserRole)
        self._render_segment()

    def visible_mixes(self) -> list[str]:
        return [mix for mix, section in self.mix_sections.items() if not section.isHidden()]

    def render(self) -> None:
        result = self.result
        self.content.setCurrentWidget(self.body if result is not None else self.empty)
        if result is None:
            self.headline.setText("")
            self.headline.hide()
            self.empty.setText(self.status)
            return
        zh = lang_index()
        self.headline.show()
        self.headline.setText(t("ui.strategy.headline", pattern=result.pattern.name[zh],
                                pattern_score=percent(result.pattern.score),
                                pattern_text=result.pattern.description[zh], approach=result.approach.name[zh],
                                approach_score=percent(result.approach.score),
                                approach_text=result.approach.description[zh]))
        self.segment_list.blockSignals(True)
        self.segment_list.clear()
        targets = set(result.targets)
        for segment in self.ordered_segments():
            mark = t("ui.strategy.target_mark") if segment in targets else t("ui.strategy.other_mark")
            item = QListWidgetItem(t("ui.strategy.list_item", mark=mark, name=result.name(segment)))
            item.setData(Qt.ItemDataRole.UserRole, segment)
            item.setToolTip(result.description(segment))
            if segment in targets:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.segment_list.addItem(item)
        self.segment_list.blockSignals(False)
        if self.segment is not None:
            self.show_segment(self.segment)
        self._render_segment()

    def _render_segment(self) -> None:
        result, segment = self.result, self.segment
        if result is None or segment is None:
            return
        strategies = result.strategies.get(language()) or result.strategies.get("en", {})
        strategy = strategies.get(segment)
        is_target = segment in result.targets
        self.segment_title.setText(t("ui.strategy.segment_title", name=result.name(segment),
                                     customers=f"{result.customers.get(segment, 0):,}"))
        self.segment_text.setText(result.description(segment))
        fallback = result.fallback is not None and segment == result.fallback["segment"]
        self.segment_note.setText(t("ui.strategy.is_fallback_target", reason=fallback_reason(result)) if fallback
                                  else t("ui.strategy.is_target") if is_target else t("ui.strategy.not_target"))
        self.goal_caption.setText(t("ui.strategy.goal"))
        self.goal.setText(strategy.goal if strategy is not None else "")
        actions = strategy.actions if strategy is not None else []
        for mix, section in self.mix_sections.items():
            texts = [a.text for a in actions if a.mix == mix]
            section.title.setText(t(f"ui.strategy.mix_{mix}", count=len(texts)))
            section.actions_text.setText(bullets(texts))
            section.setVisible(bool(texts))
        self.none_text.setText(t("ui.strategy.no_actions"))
        self.none_text.setVisible(not actions)
        self.detail_scroll.verticalScrollBar().setValue(0)

    def retranslate(self) -> None:
        self.title.setText(t("ui.strategy.title"))
        self.campaign_button.setText(t("ui.campaigns.create"))
        self.campaign_button.setToolTip(t("ui.campaigns.create_tip"))
        self.render()
