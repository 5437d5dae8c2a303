"""Start-up stays light: the window's modules load without pandas or the importer."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_window_modules_do_not_import_pandas_or_the_importer():
    code = ("import sys, ui.app, ui.main_window, ui.worker; "
            "heavy = [m for m in ('pandas', 'core.importing', 'core.summary') if m in sys.modules]; "
            "assert not heavy, heavy")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_run_shows_the_window_and_imports_the_given_files(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    import ui.app
    from ui.main_window import MainWindow

    export = tmp_path / "orders_export.csv"
    export.write_text("Name,Email,Financial Status,Created at,Currency,Total,Lineitem name\n"
                      "#1,a@example.com,paid,2024-01-02 10:00:00 +0000,USD,9.50,Mug\n", encoding="utf-8")
    seen = {}

    def exec_until_imported():
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
            pass
        seen["outcome"], seen["orders"] = finished.args[0], window.summary["orders"]
        window.close()
        window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication.instance(), "exec", exec_until_imported, raising=False)
    assert ui.app.run([str(export)]) == 0
    assert seen == {"outcome": "success", "orders": 1}


def test_smoke_runs_the_whole_flow_on_the_demo_data_and_exits_0(tmp_path):
    """`main.py --smoke FILE…` (what CI and the frozen-app check run): every page shown once."""
    demo = sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv"))
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
           "SEGMENTDESK_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "main.py", "--smoke", *demo, "--shots", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    from ui.main_window import NAV_PAGES

    lines = result.stdout.splitlines()
    assert lines[0].startswith("first window: ") and lines[-1].startswith("total: ")
    steps = [line.split(":")[0] for line in lines[1:-1]]
    assert [step for step in steps if step != "cards filled"] == [f"page {key}" for key in NAV_PAGES]
    assert steps.count("cards filled") == 1  # the Overview's cards, filled after the import
    assert all((tmp_path / f"smoke-{key}.png").stat().st_size > 10_000 for key in NAV_PAGES)


def test_smoke_until_cards_stops_once_the_overview_cards_are_filled(tmp_path):
    """What bench/bench_cards.py times: import, segments and plan, no page shown."""
    shop = str(ROOT / "tests" / "data" / "shops" / "five_customers.csv")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
           "SEGMENTDESK_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "main.py", "--smoke", "--until-cards", shop],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["first window", "cards filled", "total"]


def test_smoke_exits_1_when_the_files_cannot_be_read(tmp_path):
    bad = tmp_path / "nothing.csv"
    bad.write_bytes(b"")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
           "SEGMENTDESK_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "main.py", "--smoke", str(bad)],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "FAILED" in result.stderr


def test_the_app_starts_in_the_language_the_user_chose_last(qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication

    import ui.app
    from core.i18n import language
    from ui import settings
    from ui.main_window import MainWindow

    settings.set_language("zh_CN")
    monkeypatch.delenv("SEGMENTDESK_LANG")
    seen = {}

    def exec_once():
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen["nav"], seen["lang"] = window.nav_buttons["overview"].text(), language()
        window.close()
        window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication.instance(), "exec", exec_once, raising=False)
    assert ui.app.run([]) == 0
    assert seen == {"nav": "概览", "lang": "zh_CN"}


def test_file_open_events_from_the_desktop_open_then_add_files(qtbot, window, tmp_path):
    """macOS sends FileOpen events (a double-click while running): each batch opens, then adds."""
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    from tests.ui.helpers import GOOD_ROWS, write_export
    from ui.app import FileOpenEvents

    first = write_export(tmp_path, "first.csv", GOOD_ROWS[:2])
    second = write_export(tmp_path, "second.csv", GOOD_ROWS[2:])
    events = FileOpenEvents(window)
    QApplication.instance().installEventFilter(events)
    try:
        with qtbot.waitSignal(window.import_finished, timeout=60000):
            QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(first))
        assert [f["path"] for f in window.summary["files"]] == [first]
        with qtbot.waitSignal(window.import_finished, timeout=60000):
            QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(second))
        assert sorted(f["path"] for f in window.summary["files"]) == [first, second]
    finally:
        QApplication.instance().removeEventFilter(events)


def test_qt_dialogs_follow_the_language(window):
    from PySide6.QtCore import QCoreApplication

    window.switch_language("zh_CN")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    window.switch_language("en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
