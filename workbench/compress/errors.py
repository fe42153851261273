"""The one error type of compression commands (exit code 2 in the CLI)."""

from __future__ import annotations


class CompressError(ValueError):
    """A run, setting or model that cannot be compressed; the message names what was expected
    and what was found. Nothing was written when it is raised."""
