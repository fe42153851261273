"""Implementations of the ``workbench`` subcommands (see ``workbench.cli``)."""
