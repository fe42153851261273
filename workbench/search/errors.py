"""The one error a search raises for problems with the user's settings, space or storage."""

from __future__ import annotations


class SearchError(ValueError):
    """A search that cannot start or go on: bad strategy settings, an unusable storage, a
    space whose every sample is invalid. The message is one line for people."""
