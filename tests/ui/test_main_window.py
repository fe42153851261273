"""The editor as a user drives it: palette, wires, inspector, undo, errors, save and reopen."""

from __future__ import annotations

import json

from PySide6 import QtWidgets

from tests.ui.editor_driver import add_from_palette, wire
from workbench.paths import find_example
from workbench.project import load_project


def test_build_connect_edit_undo_redo(window, qtbot):
    fc = add_from_palette(window, "Linear", 200, 0)
    relu = add_from_palette(window, "ReLU", 400, 0)
    head = add_from_palette(window, "Linear", 600, 0)
    wire(window, "input", fc)
    wire(window, fc, relu)
    wire(window, relu, head)
    wire(window, head, "output")
    assert len(window.document.spec.edges) == 4
    window.scene.select_nodes([head])
    box = window.inspector.editors["out_features"]
    box.setValue(10)
    assert window.document.spec.node(head).params["out_features"] == 10
    window.document.analyze_now()
    assert window.document.analysis.ok
    assert window.scene.edges[("relu_1", "out", head, "in")].label.text() == "(64,)"
    window.registry.trigger("edit.undo")
    assert window.document.spec.node(head).params.get("out_features", 64) == 64
    window.registry.trigger("edit.redo")
    assert window.document.spec.node(head).params["out_features"] == 10
    assert window.windowTitle().startswith("untitled*")


def test_wires_refuse_cycles_and_taken_ports(window):
    a = add_from_palette(window, "Linear")
    b = add_from_palette(window, "Linear")
    wire(window, a, b)
    wire(window, b, a)  # would make a cycle
    wire(window, "input", b)  # port already taken
    assert [(e.src, e.dst) for e in window.document.spec.edges] == [(a, b)]
    assert "cycle" in window.statusBar().currentMessage() or \
        "already connected" in window.statusBar().currentMessage()


def test_shape_error_badge_on_the_right_node_then_fixed(window, qtbot):
    window.open_example(find_example("mlp_digits"))
    window.set_param("fc2", "in_features", 100)
    window.document.analyze_now()
    badges = [i for i, item in window.scene.nodes.items() if item.has_error_badge]
    assert badges == ["fc2"]
    assert "Linear 'fc2' expects 100 input features, receives 128" in window.problems.messages()
    window.problems.node_requested.emit("fc2")
    assert window.scene.selected_node_ids() == ["fc2"]
    window.registry.trigger("edit.undo")
    window.document.analyze_now()
    assert not any(item.has_error_badge for item in window.scene.nodes.values())


def test_inspector_rejects_invalid_values(window):
    window.open_example(find_example("mlp_digits"))
    window.scene.select_nodes(["input"])
    shape = window.inspector.editors["shape"]
    shape.setText("8, x")
    shape.editingFinished.emit()
    assert "expected integers" in window.inspector.field_message("shape")
    assert window.document.spec.node("input").params["shape"] == [64]
    window.scene.select_nodes(["drop1"])
    window.set_param("drop1", "p", 1.5)
    assert "'p' must be" in window.inspector.field_message("p")
    assert window.document.spec.node("drop1").params["p"] == 0.2


def test_save_close_reopen_same_network_and_layout(make_window, tmp_path):
    window = make_window()
    window.open_example(find_example("cnn_digits"))
    window.move_nodes({"conv1": (123.0, 45.0)})
    target = tmp_path / "mine.wbproj.json"
    window.ask_save_path = lambda: str(target)
    window.registry.trigger("file.save")
    assert window.windowTitle() == "mine — Workbench" and not window.document.dirty
    saved = window.document.spec.to_dict()
    window.close()
    again = make_window()
    assert again.open_project(str(target))
    assert again.document.spec.to_dict() == saved
    assert again.document.spec.node("conv1").position == (123.0, 45.0)
    assert load_project(target).dataset["name"] == "digits_images"


def test_unsaved_changes_ask_before_closing(window):
    window.add_layer("ReLU")
    window.ask_save_changes = lambda: "cancel"
    window.close()
    assert window.isVisible()
    window.ask_save_changes = lambda: "discard"
    window.close()
    assert not window.isVisible()


def test_bad_project_file_shows_message_and_keeps_everything(window, tmp_path):
    bad = tmp_path / "bad.wbproj.json"
    bad.write_text('{"format_version": 1, "graph": {"nodes": 5}}')
    before = window.document.spec.to_dict()
    assert not window.open_project(str(bad))
    assert "bad.wbproj.json" in window.last_error and "nodes" in window.last_error
    assert window.document.spec.to_dict() == before
    assert bad.read_text() == '{"format_version": 1, "graph": {"nodes": 5}}'


def test_dataset_selector_fixes_input_and_output(window):
    window.open_example(find_example("mlp_digits"))
    assert window.choose_dataset("iris")
    spec = window.document.spec
    assert spec.node("input").params["shape"] == [4] and spec.node("output").params[
        "num_classes"] == 3
    window.document.analyze_now()
    assert any("Output 'output' expects (3,)" in m for m in window.problems.messages())
    window.registry.trigger("edit.undo")
    assert window.document.spec.node("input").params["shape"] == [64]


def test_copy_paste_between_windows_and_duplicate(make_window):
    first = make_window()
    first.open_example(find_example("mlp_digits"))
    first.scene.select_nodes(["fc1", "relu1"])
    first.registry.trigger("edit.copy")
    second = make_window()
    before = len(second.document.spec.nodes)
    second.registry.trigger("edit.paste")
    assert len(second.document.spec.nodes) == before + 2
    assert len(second.document.spec.edges) == 1  # the wire between the two came along
    first.scene.select_nodes(["fc1"])
    first.registry.trigger("edit.duplicate")
    assert sum(n.type == "Linear" for n in first.document.spec.nodes) == 4
    first.registry.trigger("edit.select_all")
    first.registry.trigger("edit.delete")
    assert first.document.spec.nodes == []
    first.registry.trigger("edit.undo")
    assert len(first.document.spec.nodes) == 9


def test_auto_arrange_zoom_and_code_view(window):
    window.open_example(find_example("resnet_small"))
    window.registry.trigger("view.arrange")
    xs = {n.id: n.position[0] for n in window.document.spec.nodes}
    assert xs["b1_add"] > xs["b1_bn2"]
    scale = window.view.transform().m11()
    window.registry.trigger("view.zoom_in")
    assert window.view.transform().m11() > scale
    window.registry.trigger("view.code")
    assert "class Network" in window.code_dialog.text.toPlainText()
    window.code_dialog.copy()
    assert "class Network" in QtWidgets.QApplication.clipboard().text()


def test_palette_search_filters(window):
    window.palette.search.setText("conv")
    assert window.palette.visible_layers() == ["Conv1d", "Conv2d"]
    window.palette.search.setText("")
    assert len(window.palette.visible_layers()) == 27


def test_recent_files_persist(make_window, tmp_path):
    window = make_window()
    target = tmp_path / "r.wbproj.json"
    window.ask_save_path = lambda: str(target)
    window.save_as()
    window.fill_recent_menu(window.recent_menu)
    assert [a.text() for a in window.recent_menu.actions()] == [str(target.resolve())]
    other = make_window()
    other.fill_recent_menu(other.recent_menu)
    assert str(target.resolve()) in [a.text() for a in other.recent_menu.actions()]
    assert json.loads(target.read_text())["name"] == "r"


def test_zoom_to_fit_command_shows_every_node(window):
    window.open_example(find_example("resnet_small"))
    window.resize(900, 700)
    window.registry.trigger("view.zoom_fit")
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    for node_id, item in window.scene.nodes.items():
        assert visible.contains(item.sceneBoundingRect()), node_id


def test_closing_during_training_asks_then_stops_cleanly(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an unsaved project's runs go to ./workbench-project
    window.open_example(find_example("mlp_digits"))
    panel = window.training.training
    panel.form.editors["epochs"].setValue(500)
    with qtbot.waitSignal(panel.jobStarted, timeout=30_000) as started:
        window.registry.trigger("training.start")
    with qtbot.waitSignal(started.args[0].epoch, timeout=60_000):
        pass
    window.ask_stop_training = lambda: False
    window.close()
    assert window.isVisible() and panel.state == "running"
    window.ask_stop_training = lambda: True
    window.close()
    assert not window.isVisible()
    (run_dir,) = (tmp_path / "workbench-project" / "runs").iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["stopped_reason"] == "stopped" and 1 <= summary["epochs_run"] < 500
    assert list((run_dir / "checkpoints").glob("epoch_*.safetensors"))


def test_a_closed_panel_comes_back_from_the_panels_menu(window):
    titles = [a.text() for a in window.panels_menu.actions()]
    assert {"Layers", "Inspector", "Problems", "Dashboard", "Runs", "Training",
            "Health"} <= set(titles)
    dashboard = window.training.docks["dashboard"]
    dashboard.close()
    assert not dashboard.isVisible()
    action = next(a for a in window.panels_menu.actions() if a.text() == "Dashboard")
    assert not action.isChecked()
    action.trigger()
    assert dashboard.isVisible()


def test_data_that_do_not_fit_a_node_badge_it_when_train_is_refused(window, qtbot, tmp_path):
    from workbench.graph.templates import embedding_lstm

    project = tmp_path / "tokens.wbproj.json"
    project.write_text(json.dumps({
        "format_version": 1, "name": "tokens",
        "graph": embedding_lstm(vocab=16, num_classes=2).to_dict(),
        "dataset": {"name": "sequence", "options": {"n_samples": 40}},
        "training": {"epochs": 1, "device": "cpu"}}))
    assert window.open_project(str(project))
    assert not window.scene.nodes["embed"].has_error_badge
    panel = window.training.training
    with qtbot.waitSignal(panel.runFailed, timeout=60_000) as failed:
        window.registry.trigger("training.start")
    assert "Embedding 'embed' has 16 entries" in failed.args[0]
    assert "token ids up to 19" in panel.error.text()
    badges = [i for i, item in window.scene.nodes.items() if item.has_error_badge]
    assert badges == ["embed"]
    assert any("num_embeddings to at least 20" in m for m in window.problems.messages())
    assert not (tmp_path / "runs").exists()


def test_hostile_project_files_are_messages_and_the_app_stays_up(window, tmp_path):
    nodes = [{"id": f"n{i}", "type": "ReLU", "params": {}} for i in range(1_000_001)]
    cases = {"nested": "[" * 100_000,
             "binary": b"\xff\xfe\x00\x01",
             "huge": json.dumps({"format_version": 1, "graph": {"nodes": nodes, "edges": []}}),
             "options": json.dumps({"format_version": 1, "graph": {"nodes": [], "edges": []},
                                    "dataset": {"name": "moons", "options": [1]}})}
    before = window.document.spec.to_dict()
    for name, content in cases.items():
        path = tmp_path / f"{name}.wbproj.json"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        assert not window.open_project(str(path)), name
        assert f"{name}.wbproj.json" in window.last_error, window.last_error
        assert "Traceback" not in window.last_error
        assert window.document.spec.to_dict() == before
