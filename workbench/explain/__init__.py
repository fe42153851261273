"""Explaining results: metrics per class, confusion matrices."""
