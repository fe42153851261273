"""A study keeps the pruner it was created with: resume and search-worker use the stored one;
another kind on resume is refused naming both; older studies without it keep working."""

from __future__ import annotations

import json

import optuna
import pytest

from workbench.cli import main
from workbench.search.errors import SearchError
from workbench.search.study import kept_pruner, open_storage, open_study

HYPERBAND = {"kind": "hyperband", "min_resource": 1, "max_resource": 27, "reduction_factor": 3,
             "bootstrap_count": 0}


def storage(tmp_path):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    return open_storage(f"sqlite:///{tmp_path / 's.db'}", None)


def study(store, pruner, resume=False, attrs=None):
    return open_study(store, "s", ["maximize"], None, pruner, resume, attrs)


def test_a_new_study_records_its_pruner_and_a_resume_keeps_it(tmp_path):
    store = storage(tmp_path)
    made = study(store, optuna.pruners.HyperbandPruner(1, 27, 3), attrs={"strategy": "tpe"})
    assert made.user_attrs == {"strategy": "tpe", "pruner": HYPERBAND}
    # no --pruner, or the same kind with other parameters
    for asked in (None, optuna.pruners.HyperbandPruner(1, 9, 3)):
        again = study(store, asked, resume=True)
        assert isinstance(again.pruner, optuna.pruners.HyperbandPruner)
        assert again.pruner._max_resource == 27 and again.pruner._reduction_factor == 3
    assert kept_pruner(store, "s", None)._max_resource == 27


def test_another_kind_on_resume_is_refused_naming_both(tmp_path):
    store = storage(tmp_path)
    study(store, optuna.pruners.HyperbandPruner(1, 27, 3))
    with pytest.raises(SearchError) as error:
        study(store, optuna.pruners.MedianPruner(), resume=True)
    message = str(error.value)
    assert "created with pruner hyperband (min_resource 1, max_resource 27" in message
    assert "but pruner median (n_startup_trials 5" in message and "--pruner hyperband" in message
    with pytest.raises(SearchError, match="created with pruner hyperband .* but pruner none"):
        study(store, optuna.pruners.NopPruner(), resume=True)  # an explicit --pruner none
    (tmp_path / "x").mkdir()
    plain = storage(tmp_path / "x")
    study(plain, optuna.pruners.NopPruner())
    with pytest.raises(SearchError, match="created with pruner none, but pruner hyperband"):
        study(plain, optuna.pruners.HyperbandPruner(1, 27, 3), resume=True)


def test_an_older_study_without_a_pruner_uses_the_one_asked(tmp_path):
    store = storage(tmp_path)
    optuna.create_study(study_name="s", storage=store, direction="maximize")  # no attribute
    again = study(store, optuna.pruners.MedianPruner(), resume=True)
    assert isinstance(again.pruner, optuna.pruners.MedianPruner)
    assert "pruner" not in again.user_attrs
    assert kept_pruner(store, "s", None) is None


def test_a_pruner_of_code_of_its_own_is_used_as_given(tmp_path):
    class Own(optuna.pruners.BasePruner):
        def prune(self, study, trial):
            return False

    store = storage(tmp_path)
    assert "pruner" not in study(store, Own()).user_attrs
    study_h = open_study(store, "h", ["maximize"], None, optuna.pruners.HyperbandPruner(),
                         False)
    own = Own()
    assert open_study(store, "h", ["maximize"], None, own, True).pruner is own
    assert study_h.user_attrs["pruner"]["max_resource"] == "auto"


def test_resume_and_search_worker_use_the_stored_pruner(tmp_path, capsys, tiny_project):
    project, folder = str(tiny_project(epochs=2)), str(tmp_path / "p")

    def run(*argv):
        code = main([*argv, "--json"])
        out = capsys.readouterr()
        assert code == 0, out.err
        return json.loads(out.out.splitlines()[-1])

    first = run("search", project, "--trials", "1", "--pruner", "hyperband", "--seed", "0",
                "--project", folder)
    run("search", project, "--trials", "1", "--resume", "--project", folder)  # no --pruner
    assert main(["search", project, "--trials", "1", "--resume", "--pruner", "none",
                 "--project", folder]) == 2  # an explicit other kind is refused
    assert "but pruner none was asked" in capsys.readouterr().err
    run("search-worker", "search_mlp_digits", "--storage", first["storage"], "--trials", "1",
        "--project", folder)
    trials = optuna.load_study(study_name="search_mlp_digits",
                               storage=open_storage(first["storage"], None)).trials
    assert len(trials) == 3
    # every trial reported its epochs to Hyperband (a NopPruner gets no reports)
    assert all(min(t.intermediate_values, default=None) == 1 for t in trials)
    stored = optuna.load_study(study_name="search_mlp_digits",
                               storage=open_storage(first["storage"], None)).user_attrs
    assert stored["pruner"]["kind"] == "hyperband" and stored["pruner"]["max_resource"] == 2


def test_no_pruner_asked_for_a_new_study_means_none_not_optunas_median(tmp_path):
    made = study(storage(tmp_path), None)
    assert isinstance(made.pruner, optuna.pruners.NopPruner)
    assert made.user_attrs["pruner"] == {"kind": "none"}
