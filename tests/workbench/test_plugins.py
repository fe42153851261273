"""workbench.plugins: entry-point discovery, failure reports, and the bundled extra_layers plugin."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest
import torch

import plugins.extra_layers as extra_layers
import workbench.plugins as wb_plugins
from workbench import cli
from workbench.graph import catalogue
from workbench.graph.codegen import generate_source
from workbench.graph.compile import compile_graph
from workbench.graph.layer_conformance import check_layer_against_torch, check_layer_metadata
from workbench.graph.shape_inference import analyze
from workbench.graph.templates import chain
from workbench.plugins import GROUP, PluginResult, load_plugins, loaded_plugins

PLUGIN_LAYERS = ("PReLU", "Hardswish")


@pytest.fixture(autouse=True)
def isolated_registries(monkeypatch):
    """Every test starts from the built-in catalogue and no loaded plugins, and leaves it so."""
    monkeypatch.delenv(wb_plugins.DISABLE_ENV, raising=False)
    registries = (catalogue.CATALOGUE, catalogue._SHAPE_RULES, catalogue._BUILDERS,
                  wb_plugins._RESULTS)
    saved = [dict(r) for r in registries]
    for name in PLUGIN_LAYERS:   # in case something earlier in the session loaded them
        for registry in registries[:3]:
            registry.pop(name, None)
    wb_plugins._RESULTS.clear()
    yield
    for registry, before in zip(registries, saved, strict=True):
        registry.clear()
        registry.update(before)


def fake_entry_points(monkeypatch, *entry_points: importlib.metadata.EntryPoint) -> None:
    def entry_points_(**kwargs):
        assert kwargs == {"group": GROUP}
        return list(entry_points)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points_)


def entry_point(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=GROUP)


@pytest.fixture
def bad_plugin_module(tmp_path, monkeypatch) -> str:
    (tmp_path / "wb_bad_plugin.py").write_text(textwrap.dedent("""
        def register():
            raise RuntimeError("boom")

        NOT_CALLABLE = 3
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "wb_bad_plugin"
    sys.modules.pop("wb_bad_plugin", None)


# --- discovery ---------------------------------------------------------------------------------

def test_bundled_plugin_is_found_through_the_entry_point():
    assert "PReLU" not in catalogue.CATALOGUE
    results = load_plugins()
    bundled = [r for r in results if r.name == "extra_layers"]
    assert bundled == [PluginResult("extra_layers", "plugins.extra_layers:register", "workbench",
                                    True)], results
    assert bundled[0].message == ("plugin 'extra_layers' (plugins.extra_layers:register from "
                                  "workbench) loaded")
    for name in PLUGIN_LAYERS:
        assert catalogue.get_layer(name).category == "Activation"
    assert [r.name for r in loaded_plugins()] == [r.name for r in results]
    assert catalogue.get_layer("PReLU") in catalogue.layers_by_category()["Activation"]


def test_register_is_called_once_per_process(monkeypatch):
    calls = []
    original = extra_layers.register
    monkeypatch.setattr(extra_layers, "register", lambda: calls.append(1) or original())
    first = load_plugins()
    second = load_plugins()
    assert calls == [1]
    assert first == second


def test_registering_twice_directly_is_harmless():
    extra_layers.register()
    size = len(catalogue.CATALOGUE)
    layer = catalogue.get_layer("PReLU")
    extra_layers.register()
    assert len(catalogue.CATALOGUE) == size
    assert catalogue.get_layer("PReLU") == layer
    check_layer_against_torch("PReLU", [(3, 4)], {"per_channel": True})


def test_broken_plugins_are_reported_not_raised(monkeypatch, bad_plugin_module):
    fake_entry_points(
        monkeypatch,
        entry_point("missing", "no_such_module_for_workbench:register"),
        entry_point("raises", f"{bad_plugin_module}:register"),
        entry_point("not_callable", f"{bad_plugin_module}:NOT_CALLABLE"),
        entry_point("extra_layers", "plugins.extra_layers:register"))
    results = {r.name: r for r in load_plugins()}
    assert list(results) == ["missing", "raises", "not_callable", "extra_layers"]
    assert not results["missing"].ok
    assert "could not import no_such_module_for_workbench:register" in results["missing"].error
    assert "ModuleNotFoundError" in results["missing"].error
    assert results["missing"].message.startswith(
        "plugin 'missing' (no_such_module_for_workbench:register) failed: ")
    assert results["raises"].error == "register() raised RuntimeError: boom"
    assert "expected a register() function" in results["not_callable"].error
    assert results["extra_layers"].ok   # one bad plugin does not stop the others
    assert "PReLU" in catalogue.CATALOGUE
    assert load_plugins() == list(results.values())   # failures are not retried either


def test_unreadable_entry_points_are_reported(monkeypatch):
    def broken(**kwargs):
        raise OSError("metadata unreadable")

    monkeypatch.setattr(importlib.metadata, "entry_points", broken)
    [result] = load_plugins()
    assert not result.ok and "OSError: metadata unreadable" in result.error


def test_environment_variable_disables_plugins(monkeypatch):
    monkeypatch.setenv(wb_plugins.DISABLE_ENV, "1")
    assert load_plugins() == []
    assert "PReLU" not in catalogue.CATALOGUE


def test_console_script_loads_plugins_and_reports_failures(monkeypatch, capsys, tmp_path,
                                                           bad_plugin_module):
    fake_entry_points(monkeypatch, entry_point("raises", f"{bad_plugin_module}:register"),
                      entry_point("extra_layers", "plugins.extra_layers:register"))
    assert cli.main(["runs", str(tmp_path)]) == 0
    assert loaded_plugins() == []   # main() itself leaves the registries alone
    assert cli.console_main(["runs", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert ("workbench: warning: plugin 'raises' (wb_bad_plugin:register) failed: register() "
            "raised RuntimeError: boom") in err
    assert "extra_layers" not in err
    assert "PReLU" in catalogue.CATALOGUE


def test_loading_plugins_imports_neither_torch_nor_qt():
    code = ("import sys\nfrom workbench.plugins import load_plugins\n"
            "assert all(r.ok for r in load_plugins())\n"
            "from workbench.graph.catalogue import CATALOGUE\nassert 'PReLU' in CATALOGUE\n"
            "print(sorted(m for m in ('torch', 'PySide6') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- the bundled layers --------------------------------------------------------------------

CASES = [
    ("PReLU", [(5,)], {}),
    ("PReLU", [(5,)], {"per_channel": True, "init": 0.1}),
    ("PReLU", [(3, 4, 4)], {"per_channel": True}),
    ("PReLU", [(4, 6)], {"per_channel": True}),
    ("Hardswish", [(7,)], {}),
    ("Hardswish", [(2, 3, 3)], {}),
]


@pytest.mark.parametrize("name", PLUGIN_LAYERS)
def test_plugin_layers_pass_metadata_conformance(name):
    load_plugins()
    check_layer_metadata(name)


@pytest.mark.parametrize("name, shapes, params", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_plugin_layers_match_torch(name, shapes, params):
    load_plugins()
    check_layer_against_torch(name, shapes, params)


def plugin_graph(per_channel: bool = True):
    return chain("plugin_cnn",
                 ("input", "Input", {"shape": [1, 6, 6], "dtype": "float32"}),
                 ("conv", "Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}),
                 ("prelu", "PReLU", {"per_channel": per_channel}),
                 ("flatten", "Flatten", {}),
                 ("fc", "Linear", {"out_features": 8}),
                 ("hswish", "Hardswish", {}),
                 ("head", "Linear", {"out_features": 3}),
                 ("output", "Output", {"num_classes": 3}))


def test_without_the_plugin_the_graph_names_the_unknown_layer():
    analysis = analyze(plugin_graph())
    assert not analysis.ok
    assert any(p.node_id == "prelu" and "PReLU" in p.message for p in analysis.problems)


@pytest.mark.parametrize("per_channel", [True, False])
def test_graph_with_plugin_layers_compiles_and_trains_one_step(per_channel):
    load_plugins()
    spec = plugin_graph(per_channel)
    analysis = analyze(spec)
    assert analysis.ok, analysis.problems
    torch.manual_seed(0)
    module = compile_graph(spec)
    assert analysis.total_params == sum(p.numel() for p in module.parameters())
    slopes = module.node_module("prelu").weight
    assert slopes.shape == ((4,) if per_channel else (1,))
    before = slopes.detach().clone()
    x, y = torch.randn(8, 1, 6, 6), torch.randint(0, 3, (8,))
    optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
    loss = torch.nn.functional.cross_entropy(module(x), y)
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    assert not torch.equal(slopes.detach(), before)   # the slope is learned


def test_generated_source_prints_the_plugin_layers():
    load_plugins()
    spec = plugin_graph()
    source = generate_source(spec)
    assert "nn.PReLU(num_parameters=4, init=0.25)" in source
    assert "nn.Hardswish()" in source
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
    network = namespace["build"]()
    module = compile_graph(spec).eval()
    network.load_state_dict(module.state_dict(), strict=True)
    network.eval()
    x = torch.randn(4, 1, 6, 6)
    with torch.no_grad():
        assert torch.allclose(network(x), module(x), atol=1e-6)


@pytest.mark.parametrize("opset", [11, 17])
def test_graph_with_plugin_layers_exports_to_onnx_with_parity(opset):
    from workbench.export.onnx_export import export_onnx_bytes
    from workbench.export.verify import check_onnx, parity

    load_plugins()
    torch.manual_seed(0)
    module = compile_graph(plugin_graph()).eval()
    with torch.no_grad():   # distinct slopes per channel, so a wrong broadcast would show
        module.node_module("prelu").weight.copy_(torch.tensor([0.05, 0.2, 0.5, 0.9]))
    model = export_onnx_bytes(module, module.input_shape, module.input_dtype, opset=opset)
    check = check_onnx(model)
    assert check["passed"] and check["opset"] == opset, check
    x = torch.randn(10, 1, 6, 6, generator=torch.Generator().manual_seed(1)).numpy()
    result = parity(module, model, x, None, batch=4)
    assert result["passed"], result
