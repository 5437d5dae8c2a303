"""SegmentDesk core: pure-Python analysis of marketplace order exports (never imports Qt)."""
