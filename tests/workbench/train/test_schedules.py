from __future__ import annotations

import pytest

from workbench.train.config import TrainConfig
from workbench.train.schedules import PlateauState, learning_rate, update_plateau


def lrs(**kw):
    c = TrainConfig(lr=1.0, epochs=10, **kw)
    return [learning_rate(c, e) for e in range(10)]


def test_shapes_of_each_schedule():
    assert lrs() == [1.0] * 10
    assert lrs(schedule="step", step_size=3, gamma=0.5)[:7] == [1, 1, 1, .5, .5, .5, .25]
    assert lrs(schedule="exponential", gamma=0.5)[2] == 0.25
    assert lrs(schedule="polynomial", power=1.0)[5] == pytest.approx(0.5)
    cosine = lrs(schedule="cosine")
    assert cosine[0] == 1.0 and cosine[5] == pytest.approx(0.5) and cosine[9] < 0.03


def test_warmup_is_linear_then_schedule():
    values = lrs(schedule="cosine", warmup_epochs=2)
    assert values[0] == pytest.approx(0.1) and values[1] == pytest.approx(0.55)
    assert values[2] == pytest.approx(1.0)


def test_plateau_cuts_after_patience():
    c = TrainConfig(lr=1.0, schedule="plateau", plateau_patience=1, gamma=0.1)
    state = PlateauState()
    for loss in (1.0, 0.9, 0.95, 0.96):
        update_plateau(c, state, loss)
    assert learning_rate(c, 4, state) == pytest.approx(0.1)


@pytest.mark.parametrize("schedule", ["cosine", "polynomial"])
def test_a_decay_planned_over_the_total_refuses_another_total(schedule):
    from workbench.train.schedules import check_resume_epochs

    config = TrainConfig(lr=1.0, epochs=10, schedule=schedule)
    check_resume_epochs(config, 10)  # the same plan: nothing changes
    with pytest.raises(ValueError, match=rf"--epochs 20: the run's {schedule} schedule decays "
                                         r"the learning rate over its 10 epochs.*--init-from"):
        check_resume_epochs(config, 20)
    # why: over 20 epochs the rate of epoch 9 would jump back up from near zero
    assert learning_rate(TrainConfig(lr=1.0, epochs=20, schedule=schedule), 9) > \
        5 * learning_rate(config, 9)


def test_resume_with_more_epochs_keeps_the_shape_or_refuses(tmp_path, capsys):
    import json
    from pathlib import Path

    from workbench import cli
    from workbench.experiment import RunRequest, execute_run
    from workbench.graph.templates import mlp

    runs = {}
    for schedule in ("cosine", "step"):
        request = RunRequest.freeze(
            mlp(2, hidden=(4,), num_classes=2), {"name": "moons", "options": {"n_samples": 80}},
            {"epochs": 2, "device": "cpu", "batch_size": 40, "lr": 0.1, "schedule": schedule,
             "step_size": 1, "gamma": 0.5}, tmp_path / schedule, name="r")
        runs[schedule] = execute_run(request)["run_dir"]
    capsys.readouterr()
    assert cli.main(["train", "--resume", runs["cosine"], "--epochs", "4"]) == 2
    err = capsys.readouterr().err
    assert "--epochs 4: the run's cosine schedule decays the learning rate over its 2 " \
           "epochs" in err and "--init-from" in err
    # a schedule of the epoch alone continues where it was: 0.1, 0.05, then 0.025, 0.0125
    assert cli.main(["train", "--resume", runs["step"], "--epochs", "4"]) == 0
    rows = [json.loads(line) for line in
            (Path(runs["step"]) / "metrics.jsonl").read_text().splitlines()]
    assert [round(r["lr"], 6) for r in rows if "lr" in r] == [0.1, 0.05, 0.025, 0.0125]
