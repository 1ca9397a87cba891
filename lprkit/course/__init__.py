"""Helpers the notebooks and assignments use (no heavy imports)."""
