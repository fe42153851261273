"""A decode worker process for :mod:`workbench.data.image_cache` (``python -m`` this module).

Started with a plain ``subprocess`` rather than ``multiprocessing``: nothing of the parent is
re-imported (a user's script without a ``__main__`` guard, the GUI) and nothing is pickled.
Protocol, one JSON object per line: the first stdin line says what to run
(``producer``, ``params_file``, ``path``, ``count``, ``shape``); each further line is a chunk
``{"start": s, "stop": e}``, answered on stdout with ``{"start", "stop", "bad": [[row, reason]]}``.
The worker exits at the end of its input.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    from workbench.data.image_cache import _init_worker, _run_chunk

    setup = json.loads(sys.stdin.readline())
    with open(setup["params_file"], encoding="utf-8") as handle:
        params = json.load(handle)
    _init_worker(setup["producer"], params, setup["path"], int(setup["count"]),
                 tuple(setup["shape"]))
    for line in sys.stdin:
        if not line.strip():
            continue
        chunk = json.loads(line)
        start, stop, bad = _run_chunk(int(chunk["start"]), int(chunk["stop"]))
        sys.stdout.write(json.dumps({"start": start, "stop": stop, "bad": bad}) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
