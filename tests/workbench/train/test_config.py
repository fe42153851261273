from __future__ import annotations

import dataclasses
import json

import pytest

from workbench.train.config import TrainConfig


def test_round_trip_and_int_to_float():
    c = TrainConfig.from_dict({"lr": 1, "epochs": 3})
    assert c.lr == 1.0 and TrainConfig.from_dict(c.to_dict()) == c


@pytest.mark.parametrize("data, message", [
    ({"epochs": 0}, "'epochs' must be between 1"),
    ({"optimizer": "lion"}, "'optimizer' must be one of sgd"),
    ({"lr": "fast"}, "'lr' must be float, found 'fast'"),
    ({"batch_size": True}, "'batch_size' must be int"),
    ({"colour": 1}, "unknown training setting(s) colour"),
    ({"nesterov": True}, "'nesterov' needs optimizer sgd with momentum > 0"),
])
def test_bad_values_name_field_expected_and_found(data, message):
    with pytest.raises(ValueError) as info:
        TrainConfig.from_dict(data)
    assert message in str(info.value)


def test_sections_round_trip_as_plain_nested_dicts():
    data = {"objective": {"kind": "supervised"},
            "init": {"from_run": "runs/a", "freeze": ["fc1"], "lr_scale": 2, "reset_head": True}}
    c = TrainConfig.from_dict(data)
    assert c.init.lr_scale == 2.0 and c.init.freeze == ["fc1"] and c.init.active
    d = c.to_dict()
    assert d["init"]["from_run"] == "runs/a" and d["objective"] == {"kind": "supervised",
                                                                    "options": {}}
    assert json.loads(json.dumps(d)) == d and TrainConfig.from_dict(d) == c


def test_old_configs_without_sections_get_defaults():
    c = TrainConfig.from_dict({"epochs": 2})
    assert c.objective.kind == "supervised" and not c.init.active and c.init.layers == []
    assert TrainConfig().init.layers is not TrainConfig().init.layers  # no shared defaults


@pytest.mark.parametrize("data, message", [
    ({"init": {"lr_scale": "x"}}, "'init.lr_scale' must be float, found 'x'"),
    ({"init": {"lr_scale": 0}}, "'init.lr_scale' must be greater than 0.0 and at most 10.0"),
    ({"init": {"size": 1}}, "unknown setting(s) init.size; known in 'init': from_run, layers"),
    ({"init": {"layers": "fc1"}}, "'init.layers' must be list[str], found 'fc1'"),
    ({"init": {"freeze": ["a"], "freeze_until": "b"}}, "exclude each other"),
    ({"init": 3}, "'init' must be a dict of settings, found 3"),
    ({"objective": {"kind": "gan"}}, "'objective.kind' must be one of supervised"),
    ({"objective": {"kind": "gan"}}, "found 'gan'"),
    ({"objective": {"options": {"t": 1}}}, "unknown option(s) t for objective 'supervised'"),
    ({"time_budget_seconds": -1}, "'time_budget_seconds' must be between 0.0"),
])
def test_bad_section_values_name_the_dotted_field(data, message):
    with pytest.raises(ValueError) as info:
        TrainConfig.from_dict(data)
    assert message in str(info.value)


def test_choices_follow_the_registries(monkeypatch):
    from workbench.train import losses, optimizers, schedules

    monkeypatch.setitem(losses._LOSSES["classification"], "focal", losses._cross_entropy)
    monkeypatch.setitem(optimizers._OPTIMIZERS, "lion", optimizers._sgd)
    monkeypatch.setitem(schedules._SCHEDULES, "halve", lambda c, e, total: 0.5)
    c = TrainConfig.from_dict({"loss": "focal", "optimizer": "lion", "schedule": "halve"})
    assert (c.loss, c.optimizer) == ("focal", "lion")
    meta = {f.name: f.metadata for f in dataclasses.fields(TrainConfig)}
    assert "focal" in meta["loss"]["choices_from"]() and "focal" in list(meta["loss"]["choices"])
    assert "halve" in meta["schedule"]["choices"] and meta["init"]["section"]


def test_objective_options_are_checked_against_the_objectives_schema(monkeypatch):
    from workbench.train import objectives

    monkeypatch.setitem(objectives._OBJECTIVES, "distill", objectives.ObjectiveEntry(
        objectives._supervised, "", {"temperature": 2.0}))
    c = TrainConfig.from_dict({"objective": {"kind": "distill", "options": {"temperature": 3}}})
    assert c.objective.options == {"temperature": 3}
    with pytest.raises(ValueError, match="'objective.options.temperature' must be float"):
        TrainConfig.from_dict({"objective": {"kind": "distill",
                                             "options": {"temperature": "hot"}}})
