"""The one error type for bad data; its message names the file, row, column or path."""

from __future__ import annotations


class DataError(ValueError):
    """Data that cannot be used, with a message that says what was expected and what was found."""
