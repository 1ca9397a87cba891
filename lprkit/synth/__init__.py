"""Synthetic data: plate styles, rendering, degradations, scenes and dataset writers."""
