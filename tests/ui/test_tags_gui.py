"""Interest tags, cross-sell offers and hashed audience lists in the app: the tag mix and the
customers' tags with their evidence, the tag table editor (invalid → nothing saved; saved → the page
re-runs with it; reset), persona cards, the Strategy page's offers, Export for ads, and screenshots."""
import csv
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.i18n import t
from core.tags import NONE, bundled_tables, customer_tags, read_tables, tag_mix, user_tables_path
from tests.ui.helpers import outcome
from ui.audience_dialog import AudienceDialog
from ui.main_window import summarize
from ui.tags_dialog import TagTablesDialog


@pytest.fixture
def loaded(demo_window, demo_book):
    """The window holding the demo book as after an import (pages given the book, actions on)."""
    demo_window._import_succeeded((demo_book, summarize(demo_book, "en")))
    return demo_window


def show_segments(qtbot, window) -> "object":
    """The Customers & Segments page on screen, segmented and with its follow-up run (tags) done."""
    page = window.segments_page
    with qtbot.waitSignal(page.follow_up_finished, timeout=120000) as follow_up:
        assert outcome(qtbot, page.segmentation_finished, lambda: window.show_page("segments")) == "success"
    assert follow_up.args == ["success"]
    return page


@pytest.fixture
def page(qtbot, loaded):
    return show_segments(qtbot, loaded)


def rerun_with_tables(qtbot, page, action) -> None:
    """Do `action` (a Save or Reset of the tag tables) and wait for the page's runs it starts."""
    with qtbot.waitSignal(page.follow_up_finished, timeout=120000,
                          check_params_cb=lambda outcome: outcome == "success"):
        assert outcome(qtbot, page.segmentation_finished, action) == "success"


def core_tags(page, book):
    seg = page.result.segmentation
    return customer_tags(book, until=seg.analysis_date, customers=seg.customers.index), seg


def customer_row(model, key: str) -> int:
    return model.visible_keys().index(key)


# The Customers & Segments page ---------------------------------------------------------------------
def test_the_tag_mix_shown_is_core_tag_mix(page, demo_book):
    tags, seg = core_tags(page, demo_book)
    mix = tag_mix(tags, seg)
    columns = [*bundled_tables().ids, NONE]
    data = page.tags_panel.heat.data
    assert page.tags_panel.frame.isVisible()
    assert data.rows == [page.result.labels[s].name for s in mix.index]
    assert data.columns == [*(r.name for r in bundled_tables().rules), "No clear interest"]
    assert np.allclose(np.array(data.shades), mix[columns].to_numpy())
    assert data.texts[0] == [f"{share * 100:.0f} %" for share in mix.loc["champions", columns]]
    assert data.muted == {len(columns) - 1}  # "no clear interest" is shaded grey
    loyal, gift = list(mix.index).index("loyal"), columns.index("gift")
    count = int(tags.assigned.loc[seg.customers.index[seg.customers["segment"] == "loyal"], "gift"].sum())
    assert data.tips[loyal][gift].startswith(f"Loyal customers · Gift buyer: {mix.loc['loyal', 'gift'] * 100:.1f} %")
    assert f"({count:,})" in data.tips[loyal][gift]
    assert page.tags_panel.title.text() == "Interest tags per segment"


def test_each_customer_shows_their_tags_and_the_tooltip_gives_the_evidence(page, demo_book):
    tags, _seg = core_tags(page, demo_book)
    model = page.customer_model
    assert model.headerData(model.TAGS, Qt.Orientation.Horizontal) == "Tags"
    several = tags.assigned.index[tags.assigned.sum(axis=1) >= 2]
    key = str(several[0])
    row = customer_row(model, key)
    described = tags.describe(key, "en")
    assert model.data(model.index(row, model.TAGS)) == ", ".join(d["name"] for d in described)
    tip = model.data(model.index(row, model.TAGS), Qt.ItemDataRole.ToolTipRole)
    for d in described:
        assert f"{d['name']}: {d['purchases']} of " in tip
        for text in d["evidence"][:6]:
            assert f"• {text}" in tip
    untagged = str(tags.assigned.index[~tags.assigned.any(axis=1)][0])
    row = customer_row(model, untagged)
    assert model.data(model.index(row, model.TAGS)) == ""
    assert model.data(model.index(row, model.TAGS), Qt.ItemDataRole.ToolTipRole) == t("ui.tags.tip_none")
    # Sorting by tags: customers with the first tag of the table first, those without last.
    model.sort(model.TAGS, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, model.TAGS)).startswith("Eco-conscious")
    assert model.data(model.index(model.rowCount() - 1, model.TAGS)) == ""


# The tag table editor ------------------------------------------------------------------------------
def open_editor(qtbot, page) -> TagTablesDialog:
    qtbot.mouseClick(page.tags_panel.edit_button, Qt.MouseButton.LeftButton)
    dialog = page.tags_dialog
    assert isinstance(dialog, TagTablesDialog)
    qtbot.waitExposed(dialog)
    assert dialog.windowModality() == Qt.WindowModality.WindowModal and not dialog.isHidden()
    return dialog


def select(dialog, tag_id: str) -> None:
    dialog.tag_list.setCurrentRow([e["id"] for e in dialog.entries].index(tag_id))


def test_an_invalid_edit_is_explained_and_nothing_is_saved(qtbot, page):
    dialog = open_editor(qtbot, page)
    assert [e["id"] for e in dialog.entries] == bundled_tables().ids
    select(dialog, "eco")
    assert dialog.edits["name"].text() == "Eco-conscious" and dialog.edits["name_zh"].text() == "环保"
    assert "organic" in dialog.edits["keywords"].text() and "有机" in dialog.edits["keywords_zh"].text()
    dialog.edits["name_zh"].setText("")
    dialog.edits["price_ratio_min"].setText("lots")
    select(dialog, "premium")
    dialog.edits["id"].setText("Premium!")
    assert dialog.save() is False
    assert not user_tables_path().exists() and not dialog.isHidden()
    text = dialog.status.text()
    assert text.startswith("Nothing was saved: 3 problems to fix first.")
    assert "tag eco: “name_zh” is missing or empty." in text
    assert "price_ratio_min must be a number above 0, not lots" in text
    assert "tag Premium!: the id must be lower-case letters" in text
    marked = [dialog.tag_list.item(i).text() for i in range(dialog.tag_list.count())]
    assert marked[0].startswith("⚠ ") and marked[4].startswith("⚠ ") and not marked[1].startswith("⚠")
    assert dialog.current() == 0  # the first tag with a problem is shown
    dialog.reject()


def test_a_saved_edit_reruns_the_page_with_the_new_tags(qtbot, page, demo_book):
    dialog = open_editor(qtbot, page)
    select(dialog, "eco")
    dialog.edits["name"].setText("Green living")
    dialog.edits["name_zh"].setText("绿色生活")
    dialog.add_tag()
    dialog.edits["name"].setText("Mug lover")
    dialog.edits["name_zh"].setText("杯子控")
    dialog.edits["keywords"].setText("mug, cup")
    dialog.min_purchases.setValue(1)
    dialog.min_share.setValue(0)
    changed = []
    page.tags_changed.connect(lambda: changed.append(True))
    rerun_with_tables(qtbot, page, dialog.save)
    assert changed == [True]
    saved = read_tables(user_tables_path())
    assert saved.rule("eco").name == "Green living" and saved.rule("tag_7").keywords == ("mug", "cup")
    columns = page.tags_panel.heat.data.columns
    assert columns[0] == "Green living" and columns[-2:] == ["Mug lover", "No clear interest"]
    tags, seg = core_tags(page, demo_book)
    assert tags.tables.user and np.allclose(np.array(page.tags_panel.heat.data.shades),
                                            tag_mix(tags, seg)[[*saved.ids, NONE]].to_numpy())
    assert "Your own tag tables are in use" in page.tags_panel.notes.text()
    mug = str(tags.assigned.index[tags.assigned["tag_7"]][0])
    model = page.customer_model
    assert "Mug lover" in model.data(model.index(customer_row(model, mug), model.TAGS))


def test_reset_goes_back_to_the_bundled_tables(qtbot, page, dialogs):
    dialog = open_editor(qtbot, page)
    select(dialog, "gift")
    dialog.edits["name"].setText("Present giver")
    rerun_with_tables(qtbot, page, dialog.save)
    assert user_tables_path().exists() and "Present giver" in page.tags_panel.heat.data.columns
    dialog = open_editor(qtbot, page)
    assert dialog.entries[3]["name"] == "Present giver"
    rerun_with_tables(qtbot, page, dialog.reset)
    assert dialogs.questions == [t("ui.tags.reset_text")]
    assert not user_tables_path().exists()
    assert dialog.entries == [r.as_dict() for r in bundled_tables().rules]
    assert dialog.status.text() == "Back to the bundled tags; your own tables were removed."
    assert "Gift buyer" in page.tags_panel.heat.data.columns and not page.tags_panel.notes.isVisible()
    dialog.reject()


def test_a_saved_file_that_cannot_be_used_is_said_and_save_replaces_it(qtbot, loaded):
    path = user_tables_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[[tags]]\nid = "eco"\nname = "Eco"\nkeywords = ["organic"]\n', encoding="utf-8")
    page = show_segments(qtbot, loaded)
    assert page.tags_panel.notes.text() == "ⓘ " + t("ui.tags.user_file_ignored")
    assert page.tags_panel.heat.data.columns[0] == "Eco-conscious"  # the bundled tables meanwhile
    dialog = open_editor(qtbot, page)
    assert [e["id"] for e in dialog.entries] == bundled_tables().ids
    assert dialog.status.text().startswith("Your saved tag tables cannot be used")
    assert "tag eco: “name_zh” is missing or empty." in dialog.status.text()
    rerun_with_tables(qtbot, page, dialog.save)
    assert read_tables(path).ids == bundled_tables().ids
    assert page.tags_panel.notes.text().startswith("ⓘ Your own tag tables are in use")


# Personas and strategies ---------------------------------------------------------------------------
def test_persona_cards_show_the_tag_mix_and_the_offers(qtbot, planned_page):
    window = planned_page.window()
    window.show_page("personas")
    result = planned_page.result
    plan = result.plan
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        card = window.personas_page.cards["champions"]
        persona = result.personas[lang]["champions"]
        assert persona.tags and persona.cross_sell
        assert [(b.label, b.value) for b in card.tags_chart.bars] == [(name, share) for _i, name, share in persona.tags]
        assert card.tags_chart.title == t("ui.tags.persona_tags")
        assert persona.cross_sell == plan.crosssell.recommendations("champions", lang, limit=3)
        assert all(offer in card.offers.text() for offer in persona.cross_sell)
        assert card.offers.isVisible() and card.offers_title.text() == t("ui.tags.persona_offers")
        # The Strategy page: the best offers join the product actions.
        window.show_page("strategy")
        strategy = window.strategy_page
        strategy.show_segment("champions")
        product = strategy.mix_sections["product"].actions_text.text()
        assert plan.crosssell.recommendations("champions", lang, limit=2)[0] in product
        window.show_page("personas")
    assert "向「" in window.personas_page.cards["champions"].offers.text()
    window.switch_language("en")


def test_the_printed_report_gives_each_persona_its_tag_mix_and_the_offers(planned_page, demo_book):
    from core.targeting import texts
    from ui.report.content import build_content, esc

    plan = planned_page.result.plan
    for lang in ("en", "zh_CN"):
        content = build_content(plan, lang, demo_book)
        persona = planned_page.result.personas[lang]["champions"]
        mix = " · ".join(f"{name} {texts.percent(share, lang)}" for _tag, name, share in persona.tags)
        assert t("report.target.tags", lang=lang) in content.html
        assert mix.replace(" %", "\u00a0%") in content.html
        offer = plan.crosssell.recommendations("champions", lang, limit=1)[0]
        assert esc(offer) in content.html  # among the product actions of the strategy


# Export for ads ------------------------------------------------------------------------------------
def audience_dialog(window) -> AudienceDialog:
    dialogs = [d for d in window.findChildren(AudienceDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_export_for_ads_writes_the_hashed_list_of_the_selected_segment(qtbot, page, dialogs, tmp_path, demo_book):
    from core.audience import hashed_audience

    window = page.window()
    page.filter_by_segment("champions")  # as a click on its row: filtered and selected
    assert page.selected_segments() == ["champions"]
    page.export_audience_button.click()
    dialog = audience_dialog(window)
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    champions = next(r["customers"] for r in page.result.table if r["id"] == "champions")
    assert dialog.who_label.text() == f"The {champions:,} customers of Champions."
    assert "never leave your computer" in dialog.privacy.text() and "skipped and counted" in dialog.privacy.text()
    dialog.set_platform("meta")
    target = tmp_path / "champions"  # no suffix typed: .csv is added
    dialogs.answer = str(target)
    assert outcome(qtbot, window.save_finished, dialog.accept, 60000) == "success"
    caption, suggested, filters, _ = dialogs.asked[0]
    assert caption == t("ui.audience.save_title") and filters == t("ui.dialog.filter_csv")
    assert Path(suggested).name.startswith("SegmentDesk-champions-meta-hashed-") and suggested.endswith(".csv")
    expected = hashed_audience(demo_book, page.result.segmentation, ["champions"], "meta")
    with open(target.with_name("champions.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["email", "phone"] and len(rows) - 1 == expected.written
    assert not any("@" in cell for row in rows[1:] for cell in row)  # hashes only
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Wrote {expected.written:,} of {expected.customers:,} customers")


def test_the_file_menu_exports_every_customer_and_the_status_names_the_skipped(qtbot, page, dialogs, tmp_path,
                                                                               demo_book):
    from core.audience import hashed_audience

    window = page.window()
    assert window.audience_action in window.file_menu.actions() and window.audience_action.isEnabled()
    window.audience_action.trigger()
    dialog = audience_dialog(window)
    assert dialog.platform() == "google"
    assert dialog.who_label.text() == f"All {len(page.result.customers.keys):,} customers."
    target = tmp_path / "all.csv"
    target.write_text("old")  # the save dialog asked "Replace?": the list replaces it
    dialogs.answer = str(target)
    assert outcome(qtbot, window.save_finished, dialog.accept, 60000) == "success"
    expected = hashed_audience(demo_book, page.result.segmentation, None, "google")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Email,Phone" and len(lines) - 1 == expected.written
    skipped = sum(expected.skipped.values())
    assert skipped > 0
    message = window.statusBar().currentMessage()
    assert f"Skipped {skipped:,} customers who could not be matched:" in message
    for why, count in expected.skipped.items():
        if count:
            assert t(f"audience.reason.{why}", count=f"{count:,}") in message
    window.switch_language("zh_CN")
    message = window.statusBar().currentMessage()
    assert f"{expected.written:,}" in message and "跳过" in message
    window.switch_language("en")


def test_the_file_menu_before_any_segmentation_segments_in_the_job(qtbot, loaded, dialogs, tmp_path):
    from core.audience import hashed_audience
    from core.segments import segment

    assert loaded.segments_page.result is None
    loaded.audience_action.trigger()
    dialog = audience_dialog(loaded)
    dialog.set_platform("tiktok")
    dialogs.answer = str(tmp_path / "all.csv")
    assert outcome(qtbot, loaded.save_finished, dialog.accept, 60000) == "success"
    lines = (tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()
    expected = hashed_audience(loaded.book, segment(loaded.book, "rfm11"), None, "tiktok")
    assert lines[0] == "Email_SHA256,Phone_SHA256" and len(lines) - 1 == expected.written


def test_export_for_ads_never_writes_over_an_input_file(qtbot, page, dialogs):
    window = page.window()
    source = str(window.book.files[0].path)
    before = Path(source).read_bytes()
    page.export_audience_button.click()
    dialogs.answer = source
    audience_dialog(window).accept()
    assert dialogs.errors == [t("export.is_input", path=source)]
    assert window._save_job is None and Path(source).read_bytes() == before


def test_a_cancelled_export_for_ads_writes_nothing(qtbot, page, dialogs, tmp_path):
    window = page.window()
    target = tmp_path / "cancelled.csv"
    dialogs.answer = str(target)
    page.export_audience_button.click()
    dialog = audience_dialog(window)
    with qtbot.waitSignal(window.save_finished, timeout=60000) as blocker:
        dialog.accept()
        assert window.save_busy.isVisible() and window.save_busy.cancel_button.isVisible()
        window.cancel_save()
    assert blocker.args == ["cancelled"] and not target.exists()
    assert window.statusBar().currentMessage() == t("ui.status.save_cancelled")


# Language and screenshots --------------------------------------------------------------------------
def test_switching_language_retranslates_tags_editor_and_export(qtbot, page):
    window = page.window()
    dialog = open_editor(qtbot, page)
    window.switch_language("zh_CN")
    model = page.customer_model
    assert model.headerData(model.TAGS, Qt.Orientation.Horizontal) == "标签"
    assert page.tags_panel.title.text() == "各分群的兴趣标签"
    assert page.tags_panel.edit_button.text() == "兴趣标签…"
    assert page.export_audience_button.text() == "导出广告名单…"
    assert window.audience_action.text() == "导出广告名单…"
    heat = page.tags_panel.heat.data
    assert heat.columns[0] == "环保" and heat.rows[0] == page.result.labels["champions"].name_zh
    assert dialog.save_button.text() == "保存" and dialog.labels["name"].text() == "名称（English）"
    assert dialog.tag_list.item(0).text() == "Eco-conscious · 环保"
    window.switch_language("en")
    assert dialog.save_button.text() == "Save"
    dialog.reject()
    page.export_audience_button.click()
    audience = audience_dialog(window)
    window.switch_language("zh_CN")
    assert audience.title.text() == "广告用哈希客户名单" and audience.ok_button.text() == "选择保存位置…"
    assert audience.who_label.text() == f"全部 {len(page.result.customers.keys):,} 位客户。"
    window.switch_language("en")
    assert audience.who_label.text().startswith("All ")
    audience.reject()


def test_screenshots_in_english_and_chinese(qtbot, page, dialogs, shots_dir):
    window = page.window()
    saved = []
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        window.show_page("segments")
        QApplication.processEvents()  # the layouts follow the new texts before the grab
        page.scroll.verticalScrollBar().setValue(0)
        name = shots_dir / f"tags-segments-top-{lang}.png"
        assert window.grab().save(str(name))
        saved.append(name)
        page.scroll.ensureWidgetVisible(page.tags_panel.frame, 0, 0)
        QApplication.processEvents()
        name = shots_dir / f"tags-segments-{lang}.png"
        assert window.grab().save(str(name))
        saved.append(name)
        page.scroll.ensureWidgetVisible(page.customer_panel, 0, 0)
        model = page.customer_model
        page.customer_table.scrollTo(model.index(0, model.TAGS))
        name = shots_dir / f"tags-customers-{lang}.png"
        assert page.customer_panel.grab().save(str(name))
        saved.append(name)

        dialog = open_editor(qtbot, page)
        select(dialog, "value")
        QApplication.processEvents()
        name = shots_dir / f"tags-editor-{lang}.png"
        assert dialog.grab().save(str(name))
        saved.append(name)
        dialog.edits["name_zh"].setText("")
        dialog.save()
        QApplication.processEvents()
        name = shots_dir / f"tags-editor-problems-{lang}.png"
        assert dialog.grab().save(str(name))
        saved.append(name)
        dialog.reject()

        page.export_audience_button.click()
        audience = audience_dialog(window)
        QApplication.processEvents()
        name = shots_dir / f"tags-export-dialog-{lang}.png"
        assert audience.grab().save(str(name))
        saved.append(name)
        audience.reject()
    window.switch_language("en")
    assert all(p.stat().st_size > 10_000 for p in saved)


def test_screenshots_of_a_persona_card(qtbot, planned_page, shots_dir):
    window = planned_page.window()
    window.show_page("personas")
    saved = []
    for lang in ("en", "zh_CN"):
        window.switch_language(lang)
        QApplication.processEvents()
        card = window.personas_page.cards["champions"]
        window.personas_page.scroll.ensureWidgetVisible(card.offers, 0, 40)
        QApplication.processEvents()
        for name, widget in ((f"tags-persona-{lang}.png", window), (f"tags-persona-card-{lang}.png", card)):
            assert widget.grab().save(str(shots_dir / name))
            saved.append(shots_dir / name)
        window.show_page("strategy")
        window.strategy_page.show_segment("champions")
        QApplication.processEvents()
        assert window.grab().save(str(shots_dir / f"tags-strategy-{lang}.png"))
        window.show_page("personas")
    window.switch_language("en")
    assert all(p.stat().st_size > 10_000 for p in saved)
