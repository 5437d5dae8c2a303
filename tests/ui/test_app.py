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
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        with qtbot.waitSignal(window.import_finished, timeout=60000) as finished:
            pass
        seen["outcome"], seen["orders"] = finished.args[0], window.summary["orders"]
        window.close()
        window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication.instance(), "exec", exec_until_imported, raising=False)
    assert ui.app.run([str(export)]) == 0
    assert seen == {"outcome": "success", "orders": 1}
