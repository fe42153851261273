"""`workbench train --init-from RUN ...`: what it loads, says and refuses (exit 2, no run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.commands.progress import init_report_line


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """One epoch of the pretraining example: a run folder with weights."""
    project = tmp_path_factory.mktemp("pretrain")
    code = main(["train", "transfer_pretrain_digits04", "--epochs", "1", "--device", "cpu",
                 "--no-monitors", "--json", "--project", str(project)])
    assert code == 0
    return next((project / "runs").iterdir())


def _finetune(capsys, project: Path, *argv: str):
    code = main(["train", "transfer_finetune_digits59", "--epochs", "1", "--device", "cpu",
                 "--no-monitors", "--project", str(project), *argv])
    return code, capsys.readouterr()


def test_fine_tune_says_what_it_loaded_and_records_init(pretrained, tmp_path, capsys):
    code, out = _finetune(capsys, tmp_path, "--init-from", str(pretrained), "--freeze-until",
                          "bn1")
    assert code == 0, out.err
    assert (f"init: 4 layers from {pretrained.resolve()} (best.safetensors): conv1, bn1, "
            f"conv2, bn2; skipped fc (reset_head); frozen: conv1, bn1") in out.err
    run = next((tmp_path / "runs").iterdir())
    config = json.loads((run / "config.json").read_text())
    init = config["training"]["init"]
    assert init["from_run"] == str(pretrained.resolve())
    assert init["freeze_until"] == "bn1" and init["reset_head"] is True
    assert config["dataset"]["options"] == {"classes": [5, 6, 7, 8, 9], "train_fraction": 0.1}


def test_json_output_carries_the_init_report(pretrained, tmp_path, capsys):
    code, out = _finetune(capsys, tmp_path, "--init-from", str(pretrained), "--layers",
                          "conv1,conv2", "--lr-scale", "0.5", "--json")
    assert code == 0, out.err
    init = json.loads(out.out.strip().splitlines()[-1])["init"]
    assert init["matched"] == ["conv1", "conv2"]
    assert init["skipped"] == [{"node": n, "reason": "not in --layers"}
                               for n in ("bn1", "bn2", "fc")]
    assert init["lr_scale"] == 0.5 and init["weights"] == "best.safetensors"


def _refused(capsys, project: Path, *argv: str) -> str:
    code, out = _finetune(capsys, project, *argv)
    assert code == 2, out.err
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert not (project / "runs").exists() or not any((project / "runs").iterdir())
    return lines[0]


def test_bad_init_settings_exit_2_before_any_run_folder(pretrained, tmp_path, capsys):
    assert "not a run folder (no config.json)" in _refused(
        capsys, tmp_path, "--init-from", str(tmp_path))
    empty = tmp_path / "empty_run"
    empty.mkdir()
    (empty / "config.json").write_text(json.dumps({"graph": {}}))
    assert "the run has no saved weights yet" in _refused(
        capsys, tmp_path, "--init-from", str(empty))
    line = _refused(capsys, tmp_path, "--init-from", str(pretrained), "--freeze", "conv1,fc9")
    assert "init.freeze: no node 'fc9' in the network (nodes: input, conv1, bn1, relu1" in line
    assert "exclude each other" in _refused(capsys, tmp_path, "--init-from", str(pretrained),
                                            "--freeze", "conv1", "--freeze-until", "bn1")
    assert "--layers: only with --init-from" in _refused(capsys, tmp_path, "--layers", "fc")


def test_init_report_line_on_resume_and_with_unfreezing():
    line = init_report_line({"source": "/r", "weights": "best.safetensors",
                             "matched": ["fc1"], "skipped": [], "frozen": ["fc1"],
                             "unfreeze_every": 3, "lr_scale": 0.1, "loaded": False})
    assert line == ("init: 1 layer matched in /r: fc1 (weights from the checkpoint); frozen: "
                    "fc1 (one unfrozen every 3 epochs from the output); lr x 0.1 for the "
                    "loaded layers")


def test_flags_merge_into_init_and_a_bare_run_name_is_a_run_of_the_project(tmp_path):
    import argparse

    from workbench.commands.train_init import apply_init_flags

    (tmp_path / "runs" / "20260101-pre").mkdir(parents=True)
    args = argparse.Namespace(init_from=None, init_layers=None, init_freeze="a, b",
                              init_freeze_until=None, init_reset_head=None, init_lr_scale=0.5,
                              init_unfreeze_every=None, objective_kind="supervised")
    training = {"init": {"from_run": "20260101-pre", "freeze_until": "c"}, "epochs": 3}
    merged = apply_init_flags(training, args, tmp_path)
    assert merged["init"] == {"from_run": str((tmp_path / "runs" / "20260101-pre").resolve()),
                              "freeze": ["a", "b"], "lr_scale": 0.5}
    assert merged["objective"] == {"kind": "supervised"} and merged["epochs"] == 3
