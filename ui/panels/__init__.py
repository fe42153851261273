"""Dock panels: training, dashboard plots, runs, health, and the other tools."""
