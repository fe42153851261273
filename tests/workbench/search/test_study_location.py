"""study_location: the one rule for a study's default file, used by the search (creating it),
the listing commands (finding it) and the app (reading it)."""

from __future__ import annotations

import pytest

from workbench.search.errors import SearchError
from workbench.search.listing import default_url, study_files
from workbench.search.study import default_storage_url
from workbench.search.study_location import check_study_name, sqlite_url, study_file


def test_a_study_lives_in_the_project_search_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert study_file("proj", "mnist") == tmp_path / "proj" / "search" / "mnist.db"
    assert sqlite_url(study_file("proj", "mnist")) == f"sqlite:///{tmp_path}/proj/search/mnist.db"


def test_creating_listing_and_opening_agree_on_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = default_storage_url("proj", "my study")  # a relative project folder
    assert url == sqlite_url(study_file("proj", "my study"))
    study_file("proj", "my study").write_bytes(b"")
    assert study_files("proj") == [study_file("proj", "my study")]
    assert default_url("proj", "my study") == url
    with pytest.raises(SearchError, match=r"no study 'other' in .*search \(studies: my study\)"):
        default_url("proj", "other")


@pytest.mark.parametrize("name", ["", " ", "a/b", "..", "a\\b"])
def test_a_study_name_that_is_no_file_name_is_refused_where_a_study_is_made(tmp_path, name):
    """The search used to write ``''`` to <project>/search.db while the app read
    <project>/search/.db; ``a/b`` failed inside SQLite."""
    with pytest.raises(SearchError, match=r"a study name must be a file name .*found "):
        default_storage_url(tmp_path, name)
    assert check_study_name("cifar v2.1") == "cifar v2.1"
    assert not (tmp_path / "search.db").exists()
