from __future__ import annotations

from workbench.runs.metric_log import MetricLog


def test_append_and_read(tmp_path):
    log = MetricLog(tmp_path / "m.jsonl")
    log.append({"epoch": 0, "loss": 1.0})
    log.append({"epoch": 1, "loss": float("nan")})
    assert log.read() == [{"epoch": 0, "loss": 1.0}, {"epoch": 1, "loss": "nan"}]


def test_torn_last_line_is_tolerated_and_later_appends_survive(tmp_path):
    path = tmp_path / "m.jsonl"
    log = MetricLog(path)
    log.append({"epoch": 0})
    with open(path, "a") as handle:
        handle.write('{"epoch": 1, "lo')  # a crash mid-write
    assert log.read() == [{"epoch": 0}]
    log.append({"epoch": 2})
    assert log.read() == [{"epoch": 0}, {"epoch": 2}]


def test_truncate_after(tmp_path):
    log = MetricLog(tmp_path / "m.jsonl")
    for i in range(4):
        log.append({"epoch": i})
    log.truncate_after(2)
    assert [r["epoch"] for r in log.read()] == [0, 1]
