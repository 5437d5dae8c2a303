"""The packaging files agree with each other: the file types each installer declares, the icon
outputs of packaging/make_icons.py, the build spec's syntax. (The frozen app itself is tested by
`make build-smoke`, not here: a build takes minutes.)"""
import configparser
import importlib.util
import re

from tests.conftest import ROOT

PACKAGING = ROOT / "packaging"
EXTENSIONS = {".csv", ".tsv", ".txt", ".xlsx"}
MIME_TYPES = {"text/csv", "text/tab-separated-values", "text/plain",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_desktop_entry_opens_the_export_types():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "linux" / "segmentdesk.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert set(filter(None, desktop["MimeType"].split(";"))) == MIME_TYPES
    assert desktop["Exec"] == "segmentdesk %F"
    assert desktop["Icon"] == "segmentdesk" and desktop["Type"] == "Application"


def test_windows_installer_offers_every_type_without_taking_csv_over():
    iss = (PACKAGING / "windows" / "segmentdesk.iss").read_text("utf-8")
    open_with = set(re.findall(r'Software\\Classes\\(\.\w+)\\OpenWithProgids', iss))
    supported = set(re.findall(r'SupportedTypes"; ValueType: string; ValueName: "(\.\w+)"', iss))
    assert open_with == supported == EXTENSIONS
    default = [line for line in iss.splitlines() if 'Subkey: "Software\\Classes\\.csv";' in line]
    assert len(default) == 1 and "Tasks: defaultcsv" in default[0]
    assert re.search(r'Name: "defaultcsv";.*Flags: unchecked', iss)


def test_macos_bundle_declares_the_same_types():
    spec = (ROOT / "build.spec").read_text("utf-8")
    compile(spec, "build.spec", "exec")
    declared = {f".{ext}" for ext in re.findall(r'\], \["(\w+)"\]\)', spec)}
    assert declared == EXTENSIONS


def test_icon_files_match_their_generator():
    spec = importlib.util.spec_from_file_location("make_icons", PACKAGING / "make_icons.py")
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    assert (ROOT / "resources" / "icons" / "segmentdesk.svg").read_text("utf-8") == make_icons._svg()
    for n in make_icons.PNG_SIZES:
        assert (ROOT / "resources" / "icons" / f"segmentdesk-{n}.png").is_file()
    assert (PACKAGING / "icons" / "segmentdesk.ico").is_file()
    assert (PACKAGING / "icons" / "segmentdesk.icns").is_file()
