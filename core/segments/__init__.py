"""Customer segmentation: RFM maps, value tiers, behavioural clusters, product affinity, breakdowns."""
from __future__ import annotations

from core.segments.segmentation import SEGMENTERS, Segmentation, note_message, segment
from core.segments.summary import BREAKDOWNS, breakdown, demographics, growth, segment_table

__all__ = ["SEGMENTERS", "Segmentation", "segment", "note_message", "segment_table", "growth", "breakdown",
           "BREAKDOWNS", "demographics"]
