"""``workbench export``: readable and JSON reports, non-zero exit with the reason on failure."""

from __future__ import annotations

import argparse
import json

import torch

import workbench.export.onnx_export as onnx_export
from workbench.export.cli_command import register, run_export


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="workbench")
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["export", *argv])


def test_parser_options():
    args = parse("runs/r1", "--out", "b", "--opset", "13", "--json")
    assert (args.run_dir, args.out, args.opset, args.json, args.force) == \
        ("runs/r1", "b", 13, True, False)
    assert parse("r", "--out", "b").opset == onnx_export.DEFAULT_OPSET


def test_readable_report(digits_run, tmp_path, capsys):
    assert run_export(parse(str(digits_run.path), "--out", str(tmp_path / "b"))) == 0
    text = capsys.readouterr().out
    assert "onnx.checker (full check): passed" in text
    assert "accuracy: onnxruntime" in text and "batch 64" in text and "speed-up" in text


def test_failed_parity_exits_1_with_the_figures_and_writes_nothing(digits_run, tmp_path,
                                                                     capsys, monkeypatch):
    real_export = onnx_export.export_onnx_bytes

    def export_a_different_model(module, *args, **kwargs):
        state = {k: v.clone() for k, v in module.state_dict().items()}
        with torch.no_grad():
            for p in module.parameters():
                p.mul_(1.5)
        try:
            return real_export(module, *args, **kwargs)
        finally:
            module.load_state_dict(state)

    monkeypatch.setattr(onnx_export, "export_onnx_bytes", export_a_different_model)
    out = tmp_path / "bundle"
    assert run_export(parse(str(digits_run.path), "--out", str(out), "--json")) == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["passed"] is False and "disagrees with PyTorch" in result["error"]
    assert result["checks"]["onnx_checker"]["passed"] is True
    assert result["checks"]["parity"]["passed"] is False
    assert result["checks"]["parity"]["max_abs_diff"] > 1e-3
    assert "disagrees with PyTorch" in captured.err
    assert list(tmp_path.iterdir()) == []


def test_missing_run_is_a_clear_error(tmp_path, capsys):
    assert run_export(parse(str(tmp_path / "nope"), "--out", str(tmp_path / "b"))) == 2
    assert "cannot load the run" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_changed_data_refused_then_allowed_and_recorded(digits_run, tmp_path, capsys):
    import shutil

    from workbench.runs.run_store import RunStore

    run = RunStore(shutil.copytree(digits_run.path, tmp_path / "runs" / "changed"))
    config = dict(run.config)
    recorded = "f" * 64  # the data the run was trained on hashed to this
    config["data_fingerprint"] = {**config["data_fingerprint"], "sha256": recorded}
    run.save_config(config)
    assert run_export(parse(str(run.path), "--out", str(tmp_path / "b"), "--json")) == 2
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "refusing to export" in out["error"] and recorded in out["error"]
    assert not (tmp_path / "b").exists()
    assert run_export(parse(str(run.path), "--out", str(tmp_path / "b"),
                            "--allow-changed-data")) == 0
    events = RunStore(run.path).read_events()[len(digits_run.read_events()):]
    assert [e["kind"] for e in events] == ["changed_data_allowed", "export"]
    assert events[1]["data_changed"] is True
