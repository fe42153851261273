"""Exit codes of every command: 2 and one line for the user's problem, 1 (a traceback) for bugs."""

from __future__ import annotations

import json
import shutil
import struct

import pytest

from workbench import cli
from workbench.experiment import RunRequest, execute_run
from workbench.graph.templates import mlp
from workbench.runs.run_store import RunStore


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    request = RunRequest.freeze(mlp(input_size=2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 120}},
                                {"epochs": 1, "device": "cpu", "batch_size": 32},
                                tmp_path_factory.mktemp("project"), name="tiny")
    return RunStore.open(execute_run(request)["run_dir"])


@pytest.fixture
def broken_run(tiny_run, tmp_path):
    """A copy of the run whose best weights and newest checkpoint are random bytes."""
    run = tmp_path / "project" / "runs" / "broken"
    shutil.copytree(tiny_run.path, run)
    garbage = struct.pack("<Q", 2**62) + b"\x80\x04junk"
    (run / "best.safetensors").write_bytes(garbage)
    for weights in (run / "checkpoints").glob("*.safetensors"):
        weights.write_bytes(garbage)
    return run


def as_killed(run):
    """Make a finished 1-epoch run look killed after epoch 1 of 3 (so --resume has work)."""
    config = json.loads((run / "config.json").read_text())
    config["training"]["epochs"] = 3
    (run / "config.json").write_text(json.dumps(config))
    (run / "summary.json").unlink(missing_ok=True)
    return run


def expect_refusal(capsys, argv, *words):
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for word in words:
        assert word in err
    return err


def test_eval_of_a_corrupt_weights_file(broken_run, capsys):
    before = snapshot(broken_run)
    expect_refusal(capsys, ["eval", str(broken_run)], "workbench eval: ",
                   "best.safetensors is not a valid safetensors file: header too large")
    assert snapshot(broken_run) == before


def test_export_of_a_corrupt_weights_file(broken_run, tmp_path, capsys):
    before = snapshot(broken_run)
    expect_refusal(capsys, ["export", str(broken_run), "--out", str(tmp_path / "bundle")],
                   "workbench export: ", "best.safetensors is not a valid safetensors file")
    assert snapshot(broken_run) == before and not (tmp_path / "bundle").exists()


def test_resume_from_a_corrupt_checkpoint(broken_run, capsys):
    as_killed(broken_run)
    before = snapshot(broken_run)
    expect_refusal(capsys, ["train", "--resume", str(broken_run)],
                   "workbench train: ", "epoch_0000.safetensors is not a valid safetensors")
    assert snapshot(broken_run) == before


def test_resume_with_a_checkpoint_of_another_network(tiny_run, tmp_path, capsys):
    import torch
    from safetensors.torch import load_file, save_file

    run = tmp_path / "runs" / "other"
    shutil.copytree(tiny_run.path, run)
    checkpoint = run / "checkpoints" / "epoch_0000.safetensors"
    state = load_file(str(checkpoint))
    state["fc2.weight"], state["fc2.bias"] = torch.zeros(7, 4), torch.zeros(7)
    save_file(state, str(checkpoint))
    as_killed(run)
    before = snapshot(run)
    expect_refusal(capsys, ["train", "--resume", str(run)],
                   "have 7 outputs for fc2, the network expects 2")
    assert snapshot(run) == before


def test_json_mode_reports_the_error_on_stdout(broken_run, capsys):
    assert cli.main(["eval", str(broken_run), "--json"]) == 2
    assert "header too large" in json.loads(capsys.readouterr().out)["error"]


def test_runs_of_a_project_with_garbage_files(broken_run, capsys):
    (broken_run / "summary.json").write_text("[" * 100_000)
    (broken_run / "metrics.jsonl").write_text("[" * 100_000 + "\n")
    assert cli.main(["runs", str(broken_run.parent.parent)]) == 0
    assert "broken" in capsys.readouterr().out


def test_train_with_a_broken_project_file(tmp_path, capsys):
    project = tmp_path / "net.wbproj.json"
    project.write_text('{"format_version": 1, "graph": [], "dataset": 3}')
    expect_refusal(capsys, ["train", str(project), "--project", str(tmp_path / "p")],
                   "workbench train: ")
    assert not (tmp_path / "p").exists()


def test_an_unexpected_exception_is_a_bug_with_its_traceback(monkeypatch, tiny_run):
    import workbench.commands.evaluate as evaluate

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(evaluate, "evaluate_run", broken)
    with pytest.raises(ZeroDivisionError):  # the console script exits 1 with the traceback
        cli.main(["eval", str(tiny_run.path)])


def test_a_network_that_does_not_fit_is_one_line(tmp_path, capsys):
    from workbench.graph.templates import embedding_lstm

    graph = mlp(2, hidden=(4,), num_classes=2)
    graph.edges = [e for e in graph.edges if e.dst != "output"]  # the Output is cut off
    project = tmp_path / "net.wbproj.json"
    project.write_text(json.dumps({"format_version": 1, "name": "p", "graph": graph.to_dict(),
                                   "dataset": {"name": "moons"}, "training": {}}))
    expect_refusal(capsys, ["train", str(project), "--project", str(tmp_path / "out")],
                   "the network does not fit dataset 'moons'", " - ")
    tokens = tmp_path / "tokens.wbproj.json"
    tokens.write_text(json.dumps({"format_version": 1, "name": "t",
                                  "graph": embedding_lstm(vocab=16, num_classes=2).to_dict(),
                                  "dataset": {"name": "sequence", "options": {"n_samples": 40}},
                                  "training": {"epochs": 1}}))
    expect_refusal(capsys, ["train", str(tokens), "--project", str(tmp_path / "out")],
                   "Embedding 'embed' has 16 entries (token ids 0..15), but dataset "
                   "'sequence' has token ids up to 19: set num_embeddings to at least 20")
    assert not (tmp_path / "out").exists()
