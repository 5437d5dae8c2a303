"""The printable strategy summary: one renderer behind Print…, Save as PDF… and `main.py report`."""
from ui.report.render import layout, paint_to_printer, print_report, render_pdf

__all__ = ["render_pdf", "print_report", "paint_to_printer", "layout"]
