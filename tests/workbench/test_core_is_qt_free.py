"""The core never imports Qt (ARCHITECTURE.md, principle 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import workbench

CORE = Path(workbench.__file__).resolve().parent


def core_modules() -> list[str]:
    names = []
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(CORE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "predict":  # template copied into export bundles, not a core module
            continue
        names.append(".".join(parts))
    return names


def test_every_core_module_imports_without_qt() -> None:
    modules = core_modules()
    assert "workbench.cli" in modules and len(modules) > 10
    code = (
        "import importlib, sys\n"
        f"mods = {modules!r}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'shiboken6', 'pyqtgraph', 'ui'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core imported Qt modules: {result.stdout.strip()}"


def test_gui_facing_core_modules_do_not_import_torch() -> None:
    code = (
        "import sys\n"
        "import workbench.graph, workbench.graph.spec, workbench.graph.catalogue, "
        "workbench.project, workbench.data\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_no_core_source_refers_to_the_gui() -> None:
    """Not even lazily: the app is found through the ``workbench.gui`` entry point."""
    import re

    pattern = re.compile(r"^\s*(from|import)\s+(ui|PySide6|pyqtgraph)\b", re.MULTILINE)
    offenders = [str(p.relative_to(CORE.parent)) for p in CORE.rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
