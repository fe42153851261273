"""Training panel: start, pause/resume, stop, failures shown in the panel, the settings form."""

from __future__ import annotations

import pytest

from ui import workers
from ui.panels.training_form import TOOLTIPS, TrainingForm
from ui.panels.training_panel import TrainingPanel
from workbench.graph.templates import mlp
from workbench.train.config import TrainConfig

MOONS = {"name": "moons", "options": {"n_samples": 400}}


@pytest.fixture
def make_panel(qtbot, tmp_path):
    made: list[TrainingPanel] = []

    def make(dataset=MOONS, **training):
        def provider():
            return (mlp(input_size=2, hidden=(16,), num_classes=2), dataset, {}, tmp_path,
                    "panel")

        panel = TrainingPanel(provider)
        qtbot.addWidget(panel)
        panel.form.set_values({"epochs": 2, "batch_size": 32, **training})
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.shutdown()
    assert workers.shutdown_all(30_000)


def error_shown(panel: TrainingPanel) -> bool:
    return not panel.error.isHidden() and bool(panel.error.text())


def test_start_runs_to_finished_and_buttons_follow(qtbot, make_panel, tmp_path):
    panel = make_panel()
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    with qtbot.waitSignal(panel.runFinished, timeout=60_000) as finished:
        assert panel.start()
        assert not panel.start_button.isEnabled()
        assert panel.pause_button.isEnabled() and panel.stop_button.isEnabled()
    assert finished.args[0]["stopped_reason"] == "completed"
    assert panel.state == "idle" and panel.job is None
    assert panel.start_button.isEnabled() and not panel.pause_button.isEnabled()
    assert "Finished (completed)" in panel.status.text()
    assert not error_shown(panel)
    assert len(list((tmp_path / "runs").iterdir())) == 1


def test_config_is_frozen_at_start(qtbot, make_panel):
    panel = make_panel(epochs=2)
    with qtbot.waitSignal(panel.runFinished, timeout=60_000) as finished:
        panel.start()
        panel.form.set_values({"epochs": 7})  # an edit during the run: next run only
    assert finished.args[0]["epochs_run"] == 2


def test_pause_and_resume(qtbot, make_panel):
    panel = make_panel(epochs=3)
    epochs: list[int] = []
    panel.jobStarted.connect(lambda job: job.epoch.connect(lambda m: epochs.append(m["epoch"])))
    panel.start()
    panel.toggle_pause()
    assert panel.state == "paused" and panel.pause_button.text() == "Resume"
    qtbot.wait(400)
    assert panel.job is not None and panel.job.paused and panel.job.is_running()
    assert epochs == []
    with qtbot.waitSignal(panel.runFinished, timeout=60_000):
        panel.toggle_pause()
        assert panel.state == "running" and panel.pause_button.text() == "Pause"
    assert epochs == [0, 1, 2]


def test_stop_mid_run_is_acknowledged_at_once(qtbot, make_panel):
    panel = make_panel(epochs=200, batch_size=8)
    stopped_states: list[str] = []

    def stop_soon(job):
        def on_batches(_points):
            if panel.state == "running":
                panel.stop()
                stopped_states.append(panel.state)
        job.batches.connect(on_batches)

    panel.jobStarted.connect(stop_soon)
    with qtbot.waitSignal(panel.runFinished, timeout=60_000) as finished:
        panel.start()
    assert stopped_states == ["stopping"]
    summary = finished.args[0]
    assert summary["stopped_reason"] == "stopped"
    assert summary["epochs_run"] < 200
    assert panel.start_button.isEnabled()


def test_nan_shows_message_and_next_run_works(qtbot, make_panel):
    panel = make_panel(optimizer="sgd", lr=1e6, epochs=3)
    with qtbot.waitSignal(panel.runFinished, timeout=60_000) as finished:
        panel.start()
    assert finished.args[0]["stopped_reason"] == "nan"
    assert error_shown(panel)
    assert "nan" in panel.error.text().lower()
    panel.form.set_values({"optimizer": "adam", "lr": 0.01, "epochs": 1, "batch_size": 32})
    with qtbot.waitSignal(panel.runFinished, timeout=60_000) as again:
        panel.start()
    assert again.args[0]["stopped_reason"] == "completed"
    assert not error_shown(panel)


def test_setup_failure_is_shown_and_app_survives(qtbot, make_panel):
    panel = make_panel(dataset={"name": "no_such_dataset"})
    with qtbot.waitSignal(panel.runFailed, timeout=60_000) as failed:
        panel.start()
    assert "no_such_dataset" in failed.args[0]
    assert error_shown(panel) and "could not start" in panel.error.text()
    assert panel.state == "idle" and panel.start_button.isEnabled()


def test_invalid_settings_are_refused_before_starting(qtbot, make_panel):
    panel = make_panel()

    def broken():
        raise OSError("project file vanished")

    panel.provider = broken
    assert not panel.start()
    assert "project file vanished" in panel.error.text()
    assert panel.job is None


def test_form_covers_every_option_with_tooltips_and_round_trips(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    names = set(TrainConfig().to_dict()) - set(form.sections) | {"objective"}
    assert set(form.editors) == names  # nested sections have no rows, the objective's kind has
    for name, editor in form.editors.items():
        assert len(editor.toolTip()) > 20, name
    assert set(TOOLTIPS) <= names
    assert TrainConfig.from_dict(form.values()).to_dict() == TrainConfig().to_dict()
    custom = {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True,
              "schedule": "cosine", "epochs": 12, "early_stopping": 3}
    form.set_values(custom)
    values = form.values()
    assert {k: values[k] for k in custom} == custom
    TrainConfig.from_dict(values)


def test_form_enables_only_applicable_options(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.set_values({"optimizer": "adam"})
    assert form.editors["beta1"].isEnabled() and not form.editors["momentum"].isEnabled()
    form.set_values({"optimizer": "sgd", "momentum": 0.0})
    assert form.editors["momentum"].isEnabled() and not form.editors["nesterov"].isEnabled()
    form.set_values({"schedule": "step"})
    assert form.editors["step_size"].isEnabled() and not form.editors["power"].isEnabled()
    form.set_available_devices(["cpu"])
    assert not form.editors["mixed_precision"].isEnabled()
    assert form.values()["mixed_precision"] is False
    form.set_available_devices(["cuda", "cpu"])
    form.set_values({"device": "cuda"})
    assert form.editors["mixed_precision"].isEnabled()


def test_form_emits_changes_but_not_on_load(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    seen: list[dict] = []
    form.changed.connect(seen.append)
    form.set_values({"epochs": 5})
    assert seen == []
    form.editors["epochs"].setValue(9)
    assert seen and seen[-1]["epochs"] == 9


def test_device_list_comes_from_torch_when_shown(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.devices is not None, timeout=30_000)
    combo = form.editors["device"]
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered[0] == "auto" and "cpu" in offered
    assert set(offered) <= {"auto", "cpu", "cuda", "mps"}
    assert form._probe.wait(10_000)


def test_an_invalid_network_is_refused_at_once_with_its_problem(qtbot, tmp_path):
    graph = mlp(input_size=2, hidden=(16,), num_classes=2)
    graph.edges = [e for e in graph.edges if e.dst != "output"]  # the Output is cut off
    panel = TrainingPanel(lambda: (graph, MOONS, {}, tmp_path, "broken"))
    qtbot.addWidget(panel)
    assert not panel.start()
    assert panel.state == "idle" and panel.job is None and error_shown(panel)
    assert "cannot be trained yet" in panel.error.text() and "output" in panel.error.text()
    assert not (tmp_path / "runs").exists()


def test_a_network_too_large_for_memory_is_refused_at_once(qtbot, tmp_path, monkeypatch):
    import torch  # noqa: F401 - loaded, as the device probe loads it in the app

    from workbench.train import memory_estimate

    monkeypatch.setattr(memory_estimate, "available_memory", lambda device: 10**6)
    graph = mlp(input_size=2, hidden=(1000, 1000), num_classes=2)
    panel = TrainingPanel(lambda: (graph, MOONS, {}, tmp_path, "big"))
    qtbot.addWidget(panel)
    panel.form.set_values({"device": "cpu"})
    assert not panel.start()
    assert panel.state == "idle" and panel.job is None and error_shown(panel)
    text = panel.error.text()
    assert text.startswith("The run could not start: the network is too large for this "
                           "machine: fc2 has 1,000 units: 4.0 MB of weights")
    assert "this machine has 1.0 MB available" in text
    assert not (tmp_path / "runs").exists()


def test_start_with_a_lineage_gives_it_to_the_frozen_request(qtbot, tmp_path):
    """TrainingPanel.start(lineage=...) is how Train Best Fully and Distill name the parent."""
    from ui.panels.training_panel import TrainingPanel
    from workbench.graph.templates import mlp

    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.provider = lambda: (mlp(64, [8], 10), {"name": "digits"}, {}, str(tmp_path), "t")
    panel.form.set_values({"epochs": 1, "device": "cpu"})
    jobs = []
    panel.jobStarted.connect(jobs.append)
    assert panel.start(lineage={"relation": "trial-of", "study": "s", "trial": 3})
    assert jobs[0].request.lineage == {"relation": "trial-of", "study": "s", "trial": 3}
    qtbot.waitUntil(lambda: panel.state == "idle", timeout=60_000)
