"""The printable strategy summary: one renderer (ui.report.render) behind Print…, Save as PDF… and
`main.py report`. Nothing is imported here, so the charts module loads without pandas at start-up."""
