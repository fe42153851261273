"""A study on a real PostgreSQL server (a throwaway one, postgres_server.py) with two worker
processes: no trial lost or duplicated; `search-worker` joins it from the URL alone; an
unreachable server is one line, exit 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import optuna
import pytest

from workbench.cli import main
from workbench.search.runner import trial_attrs
from workbench.search.study import open_storage

sys.path.insert(0, str(Path(__file__).parent))
from postgres_server import PostgresUnavailable, free_port, start_server  # noqa: E402

STUDY = "search_mlp_digits"


@pytest.fixture(scope="module")
def postgres_url():
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL server here: {exc}")
    yield server.url
    server.stop()


def search_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith("{")]
    return code, json.loads(lines[-1]) if lines else None, out.err


def test_two_workers_on_postgresql_lose_and_duplicate_no_trial(tmp_path, capsys,
                                                               tiny_project, postgres_url):
    folder = tmp_path / "p"
    code, result, err = search_json(capsys, "search", str(tiny_project()), "--workers", "2",
                                    "--trials", "4", "--storage", postgres_url,
                                    "--project", str(folder))
    assert code == 0, err
    assert result["storage"] == postgres_url and result["workers"] == 2
    assert result["n_trials"] == 4 == result["counted"]  # the budget, exactly
    study = optuna.load_study(study_name=STUDY, storage=open_storage(postgres_url, None))
    trials = study.get_trials()
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    assert all(t.state.name == "COMPLETE" for t in trials)
    run_dirs = [trial_attrs(t)["run_dir"] for t in trials]
    assert len(set(run_dirs)) == len(trials) == len(list((folder / "runs").iterdir()))
    for trial in trials:
        config = json.loads((tmp_path / trial_attrs(trial)["run_dir"] / "config.json")
                            .read_text())
        assert config["lineage"] == {"relation": "trial-of", "study": STUDY,
                                     "trial": trial.number}
    # another machine with the data joins with the URL and the study name alone
    elsewhere = tmp_path / "elsewhere"
    code, joined, err = search_json(capsys, "search-worker", STUDY, "--storage", postgres_url,
                                    "--project", str(elsewhere), "--trials", "1")
    assert code == 0, err
    assert joined["worker_trials"] == [len(trials)]
    assert joined["n_trials"] == len(trials) + 1
    assert len(list((elsewhere / "runs").iterdir())) == 1
    # the studies of the server, listed
    assert main(["studies", "--storage", postgres_url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["studies"]
    assert [(s["study"], s["n_trials"]) for s in listed] == [(STUDY, len(trials) + 1)]


def test_unreachable_postgresql_is_one_line(tmp_path, capsys, tiny_project):
    pytest.importorskip("psycopg", reason="the PostgreSQL driver psycopg is not installed")
    url = f"postgresql://someone:secret@127.0.0.1:{free_port()}/nothing"
    code, result, err = search_json(capsys, "search", str(tiny_project()), "--workers", "2",
                                    "--storage", url, "--project", str(tmp_path / "p"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "cannot open the study storage postgresql://***@127.0.0.1" in err
    assert "secret" not in err and "secret" not in result["error"]
    assert not (tmp_path / "p" / "runs").exists()
