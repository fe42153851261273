"""The contract with Optuna's private internals (workbench/search/optuna_internals.py): every
private name the search uses is still there and shaped as it was, on the pinned minor
version; no other search module reaches into Optuna's private parts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import optuna

from workbench.search import optuna_internals
from workbench.search.optuna_internals import TESTED_OPTUNA, contract_problems

ROOT = Path(__file__).resolve().parents[3]


def test_optuna_internals_are_as_the_adapter_expects():
    problems = contract_problems()
    assert not problems, ("Optuna's internals changed; adapt workbench/search/"
                          "optuna_internals.py:\n" + "\n".join(problems))


def test_pyproject_pins_the_tested_minor_version():
    text = (ROOT / "pyproject.toml").read_text()
    pin = re.search(r'"optuna([^"]*)"', text).group(1)
    major, minor = (int(p) for p in TESTED_OPTUNA.split("."))
    assert pin.startswith(f">={TESTED_OPTUNA},<{major}.{minor + 1}"), (
        f"pyproject pins optuna{pin}; the internals were checked against {TESTED_OPTUNA}.x")
    assert optuna.__version__.startswith(TESTED_OPTUNA + ".")


def test_a_changed_internal_is_named(monkeypatch):
    """The check fails loudly, naming what changed, when Optuna renames a private part."""
    from optuna.storages import RDBStorage

    monkeypatch.delattr(RDBStorage, "_set_trial_attr_without_commit")
    monkeypatch.setattr(optuna, "__version__", "5.9.0")
    monkeypatch.setattr(optuna.pruners.MedianPruner, "__init__",  # no _n_startup_trials
                        lambda self, *args, **kwargs: None)
    problems = contract_problems()
    assert any(p.startswith("Optuna 5.9.0 is installed") for p in problems)
    assert any(p.startswith("RDBStorage._set_trial_attr_without_commit: not found")
               for p in problems)
    assert any(p.startswith("pruners.MedianPruner: no attribute _n_startup_trials")
               for p in problems)


def test_the_pruner_parameters_match_the_stored_configs():
    from workbench.search.pruning import _PARAMS

    assert {"median": _PARAMS["median"], "successive_halving": _PARAMS["successive_halving"],
            "hyperband": _PARAMS["hyperband"]} == {
        "median": optuna_internals.PRUNER_PARAMETERS["MedianPruner"],
        "successive_halving": optuna_internals.PRUNER_PARAMETERS["SuccessiveHalvingPruner"],
        "hyperband": optuna_internals.PRUNER_PARAMETERS["HyperbandPruner"]}


def private_optuna_uses(path: Path) -> list[str]:
    """`optuna.<...>._x` imports and `._name` attribute reads of Optuna objects in ``path``:
    imports of private Optuna modules or names, and the private attributes the adapter
    wraps."""
    tree = ast.parse(path.read_text())
    found = []
    wrapped = {"_storage", "_study_id", "_trial_id", "_backend", "_studies",
               "_trial_id_to_study_id_and_number", "_is_multi_objective"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("optuna"):
            names = [node.module or ""] + [a.name for a in node.names]
            if any(part.startswith("_") for name in names for part in name.split(".")):
                found.append(f"{path.name}:{node.lineno} from {node.module} import ...")
        elif isinstance(node, ast.Attribute) and ast.unparse(node.value) == "self":
            continue  # a class's own attribute
        elif isinstance(node, ast.Attribute) and node.attr in wrapped:
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and "pruner" in ast.unparse(node.value):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and ast.unparse(node.func) == "getattr" \
                and len(node.args) > 1 and ast.unparse(node.args[1]).startswith("f'_"):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


def test_only_the_adapter_touches_optuna_internals():
    folders = [ROOT / "workbench", ROOT / "ui", ROOT / "benchmarks"]
    found = [use for folder in folders for path in sorted(folder.rglob("*.py"))
             if path.name != "optuna_internals.py" and "optuna" in path.read_text()
             for use in private_optuna_uses(path)]
    assert found == []
