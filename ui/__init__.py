"""SegmentDesk desktop UI: a thin Qt layer over core."""
