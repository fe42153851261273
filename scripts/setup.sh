#!/usr/bin/env bash
# Create .venv and install the Workbench with its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
PY=.venv/bin/python
"$PY" -m pip install --quiet --upgrade pip

# A bare torch requirement can pull a multi-GB CUDA build; take the CPU 2.13.0 build first
# when no torch is present (the project's range accepts it, so pip keeps it).
if ! "$PY" -c "import torch" >/dev/null 2>&1; then
    "$PY" -m pip install --quiet "torch==2.13.0"
fi
# torchvision 0.28 is the release built for torch 2.13 (pyproject keeps the pair; a newer
# torchvision would pull a newer, multi-GB CUDA torch).
if ! "$PY" -m pip show torchvision >/dev/null 2>&1; then
    "$PY" -m pip install --quiet "torchvision==0.28.0"
fi
"$PY" -m pip install --quiet -e ".[dev]"

# PySide6 6.12.0 is excluded (pyproject.toml says why). A venv that had it keeps the Pdf and
# WebEngine packages 6.12 split off, which share files with PySide6: drop them and put the
# installed PySide6 back whole.
if "$PY" -m pip show pyside6-pdf >/dev/null 2>&1 && ! "$PY" -m pip check >/dev/null 2>&1; then
    QT_VERSION="$("$PY" -c 'import importlib.metadata as m; print(m.version("PySide6"))')"
    "$PY" -m pip uninstall --quiet -y pyside6-pdf pyside6-webengine
    "$PY" -m pip install --quiet --force-reinstall --no-deps "pyside6==$QT_VERSION" \
        "pyside6-essentials==$QT_VERSION" "pyside6-addons==$QT_VERSION" "shiboken6==$QT_VERSION"
fi

# Qt's xcb platform plugin needs these system libraries to open a real window (tests run
# offscreen and do not need them).
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    if ! dpkg -s libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 >/dev/null 2>&1; then
        (apt-get update -qq && apt-get install -y -qq libxcb-cursor0 libxkbcommon-x11-0 \
            libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
            libxcb-xinerama0 libxcb-xkb1 libxcb-randr0 \
            libegl1 libgl1 libfontconfig1 libdbus-1-3 >/dev/null) || \
            echo "setup: could not install Qt's X11 libraries; the GUI may need them" >&2
    fi
fi
echo "setup: done ($("$PY" -c 'import torch; print("torch", torch.__version__)'))"
