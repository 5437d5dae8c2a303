"""Customer segmentation: RFM maps, value tiers, behavioural clusters, product affinity, breakdowns."""
from __future__ import annotations

from core.segments.segmentation import SEGMENTERS, Segmentation, segment
from core.segments.summary import breakdown, growth, segment_table

__all__ = ["SEGMENTERS", "Segmentation", "segment", "segment_table", "growth", "breakdown"]
