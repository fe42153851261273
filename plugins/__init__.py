"""Plugins bundled with Workbench, installed through the ``workbench.plugins`` entry point.

Each subpackage has a ``register()`` function named in ``pyproject.toml``, exactly like a
third-party plugin; ``workbench.plugins.load_plugins()`` discovers and calls them.
"""
