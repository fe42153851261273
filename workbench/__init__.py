"""Workbench core: a Qt-free deep-learning experiment engine.

The desktop app in ``ui/`` and the ``workbench`` command line are two front ends over this
package. Nothing under ``workbench/`` imports Qt.
"""

__version__ = "0.1.0"
