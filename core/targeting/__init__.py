"""Targeting: market scope, segment screening, target-market pattern, marketing approach, personas, strategies."""
