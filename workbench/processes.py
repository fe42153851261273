"""Is a process of this host still there? (stale locks, killed decodes, dead trials). No
third-party imports: decode workers and the GUI use it too."""

from __future__ import annotations

import os
from pathlib import Path


def process_alive(pid: int) -> bool:
    """The process ``pid`` of this host exists and is not a zombie."""
    if pid <= 0:
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # exists, owned by someone else
            return True
        except OSError:
            return False
        return True
    return "\nState:\tZ" not in status
