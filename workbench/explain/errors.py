"""The errors every explain computation raises (issue 14)."""

from __future__ import annotations


class ExplainError(ValueError):
    """Bad input to an explanation, raised before anything is written: the message names what
    was expected and what was found."""


class ExplainCancelled(Exception):
    """The caller's ``cancel()`` returned True between two units of work; nothing was cached."""
