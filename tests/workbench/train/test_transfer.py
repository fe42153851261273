"""TransferPlan: matching by node id, skip reasons, freezing, BatchNorm, lr groups, unfreezing."""

from __future__ import annotations

import pytest
import torch

from workbench.graph.compile import compile_graph
from workbench.graph.templates import cnn, mlp
from workbench.runs.run_store import RunStore
from workbench.train.transfer import TransferPlan, check_init, head_node


def _source_run(tmp_path, spec, seed=1):
    """A run folder holding ``spec`` and its (seeded, random) weights as best.safetensors."""
    torch.manual_seed(seed)
    module = compile_graph(spec)
    run = RunStore.create(tmp_path, "source")
    run.save_config({"graph": spec.to_dict(), "dataset": {"name": "digits"}, "training": {}})
    run.save_best(module.state_dict())
    return run.path, module


def _fresh(spec, seed=2):
    torch.manual_seed(seed)
    return compile_graph(spec)


def test_matching_layers_are_loaded_and_the_rest_skipped_with_reasons(tmp_path):
    src_dir, src = _source_run(tmp_path, mlp(8, hidden=(16, 12), num_classes=10))
    module = _fresh(mlp(8, hidden=(16, 12), num_classes=5))
    plan = TransferPlan.prepare(module, {"from_run": str(src_dir)})
    assert plan.matched == ["fc1", "fc2"]
    assert plan.skipped == [{"node": "fc3", "reason": "shape differs: expected (5, 12) "
                                                      "found (10, 12)"}]
    assert plan.report["weights"] == "best.safetensors"
    assert plan.report["source"] == str(src_dir)
    assert torch.equal(module.fc1.weight, src.fc1.weight)
    assert torch.equal(module.fc2.bias, src.fc2.bias)
    assert not torch.equal(module.fc3.bias[:5], src.fc3.bias[:5])


def test_a_node_missing_from_the_source_run_is_named(tmp_path):
    src_dir, _ = _source_run(tmp_path, mlp(8, hidden=(16,), num_classes=4))
    module = _fresh(mlp(8, hidden=(16, 12), num_classes=4))
    plan = TransferPlan.prepare(module, {"from_run": str(src_dir)})
    reasons = {s["node"]: s["reason"] for s in plan.skipped}
    assert plan.matched == ["fc1"]
    assert reasons == {"fc2": "shape differs: expected (12, 16) found (4, 16)",
                       "fc3": "not in the source run"}


def test_layers_option_and_reset_head(tmp_path):
    spec = mlp(8, hidden=(16, 12), num_classes=5)
    src_dir, src = _source_run(tmp_path, spec)
    module = _fresh(spec)
    plan = TransferPlan.prepare(module, {"from_run": str(src_dir), "layers": ["fc1", "fc3"],
                                         "reset_head": True})
    assert plan.matched == ["fc1"]
    assert plan.skipped == [{"node": "fc2", "reason": "not in --layers"},
                            {"node": "fc3", "reason": "reset_head"}]
    assert not torch.equal(module.fc3.weight, src.fc3.weight)
    assert head_node(spec) == "fc3"
    assert head_node(mlp(8, hidden=(4,), num_classes=3, dropout=0.5)) == "fc2"


def test_frozen_layers_stay_bit_identical_while_the_others_train(tmp_path):
    spec = mlp(8, hidden=(16, 12), num_classes=5)
    src_dir, _ = _source_run(tmp_path, spec)
    module = _fresh(spec)
    plan = TransferPlan.prepare(module, {"from_run": str(src_dir), "freeze": ["fc1", "fc2"],
                                         "reset_head": True})
    assert plan.frozen == ["fc1", "fc2"]
    assert [p.requires_grad for p in module.fc1.parameters()] == [False, False]
    before = {k: v.clone() for k, v in module.state_dict().items()}
    opt = torch.optim.AdamW([{"params": g["params"]} for g in plan.parameter_groups(module)],
                            lr=0.1, weight_decay=0.1)
    x, y = torch.randn(32, 8), torch.randint(0, 5, (32,))
    for _ in range(5):
        module.train()
        plan.train_mode(module)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(module(x), y).backward()
        opt.step()
    after = module.state_dict()
    for key in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        assert torch.equal(after[key], before[key]), key
    assert not torch.equal(after["fc3.weight"], before["fc3.weight"])


def test_frozen_batchnorm_keeps_its_running_statistics(tmp_path):
    spec = cnn((1, 8, 8), channels=(4,), num_classes=3)
    src_dir, src = _source_run(tmp_path, spec)
    with torch.no_grad():
        src.bn1.running_mean.fill_(0.5)
    RunStore(src_dir).save_best(src.state_dict())
    module = _fresh(spec)
    plan = TransferPlan.prepare(module, {"from_run": str(src_dir), "freeze_until": "bn1"})
    assert plan.frozen == ["conv1", "bn1"]
    for _ in range(3):
        module.train()
        plan.train_mode(module)
        module(torch.randn(16, 1, 8, 8) * 3 + 2)
    assert torch.equal(module.bn1.running_mean, torch.full((4,), 0.5))
    assert module.bn1.num_batches_tracked.item() == src.bn1.num_batches_tracked.item()
    # without train_mode the same passes would move them: the test can fail
    module.train()
    module(torch.randn(16, 1, 8, 8) * 3 + 2)
    assert not torch.equal(module.bn1.running_mean, torch.full((4,), 0.5))


def test_parameter_groups_hold_every_parameter_once_with_the_loaded_scale(tmp_path):
    spec = mlp(8, hidden=(16, 12), num_classes=5)
    src_dir, _ = _source_run(tmp_path, spec)
    module = _fresh(spec)
    plan = TransferPlan.prepare(module, {"from_run": str(src_dir), "reset_head": True,
                                         "lr_scale": 0.1})
    groups = plan.parameter_groups(module)
    assert [(g["name"], g["lr_scale"]) for g in groups] == [("new", 1.0), ("loaded", 0.1)]
    ids = [id(p) for g in groups for p in g["params"]]
    assert sorted(ids) == sorted(id(p) for p in module.parameters())
    assert {id(p) for p in groups[0]["params"]} == {id(p) for p in module.fc3.parameters()}
    assert plan.report["lr_scale"] == 0.1


def test_gradual_unfreezing_releases_one_layer_from_the_output_side_every_n_epochs(tmp_path):
    spec = mlp(8, hidden=(16, 12, 10), num_classes=5)
    src_dir, _ = _source_run(tmp_path, spec)
    module = _fresh(spec)
    init = {"from_run": str(src_dir), "freeze_until": "fc3", "unfreeze_every": 2}
    plan = TransferPlan.prepare(module, init)
    assert plan.frozen == ["fc1", "fc2", "fc3"]
    released = {e: plan.start_epoch(module, e) for e in range(8)}
    assert released == {0: [], 1: [], 2: ["fc3"], 3: [], 4: ["fc2"], 5: [], 6: ["fc1"], 7: []}
    assert all(p.requires_grad for p in module.parameters())
    # a resumed run (load_weights=False) at epoch 5 has the uninterrupted run's state there
    resumed = _fresh(spec)
    again = TransferPlan.prepare(resumed, init, load_weights=False)
    assert again.matched == plan.matched and not again.loaded
    again.start_epoch(resumed, 5)
    plan.start_epoch(module, 5)
    assert [p.requires_grad for p in resumed.parameters()] == \
        [p.requires_grad for p in module.parameters()] == [False] * 2 + [True] * 6


def test_unknown_node_ids_and_bad_sources_are_errors_naming_them(tmp_path):
    spec = mlp(8, hidden=(16,), num_classes=5)
    src_dir, _ = _source_run(tmp_path, spec)
    module = _fresh(spec)
    with pytest.raises(ValueError, match=r"init.freeze: no node 'fc9'.*nodes: input, fc1"):
        TransferPlan.prepare(module, {"from_run": str(src_dir), "freeze": ["fc9"]})
    problems = check_init(spec, {"from_run": str(src_dir), "layers": ["nope"],
                                 "freeze": ["fc1"], "freeze_until": "fc1"})
    assert any("init.layers: no node 'nope'" in p for p in problems)
    assert any("exclusive" in p for p in problems)
    assert check_init(spec, {"from_run": str(tmp_path)})[0].endswith("(no config.json)")
    empty = RunStore.create(tmp_path, "empty")
    empty.save_config({"graph": spec.to_dict()})
    assert "no saved weights" in check_init(spec, {"from_run": str(empty.path)})[0]
    assert check_init(spec, {"from_run": str(src_dir), "freeze_until": "fc1"}) == []


def test_resume_after_the_source_run_was_deleted_keeps_the_groups(tmp_path):
    import shutil

    spec = mlp(8, hidden=(16,), num_classes=5)
    src_dir, _ = _source_run(tmp_path, spec)
    init = {"from_run": str(src_dir), "reset_head": True, "lr_scale": 0.1, "freeze": ["fc1"]}
    first = TransferPlan.prepare(_fresh(spec), init)
    shutil.rmtree(src_dir)
    module = _fresh(spec)
    again = TransferPlan.prepare(module, init, load_weights=False)
    assert again.matched == first.matched == ["fc1"]
    assert [g["name"] for g in again.parameter_groups(module)] == ["new", "loaded"]
    assert "unreadable now" in again.report["weights"]
    with pytest.raises(ValueError, match="no such run folder"):
        TransferPlan.prepare(_fresh(spec), init)
