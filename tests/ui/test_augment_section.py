"""The Training form's Augmentation section: check boxes -> the canonical ``augment`` string,
project load, options that do not fit the data disabled with the core's reason."""

from __future__ import annotations

import pytest

from ui.panels.augment_section import OPTIONS, AugmentSection
from ui.panels.training_form import TrainingForm
from workbench.data import load_dataset
from workbench.data.augment import OPS
from workbench.train.config import TrainConfig


@pytest.fixture(scope="module")
def iris():
    return load_dataset({"name": "iris"})


@pytest.fixture(scope="module")
def digit_images():
    return load_dataset({"name": "digits_images"})


def test_every_core_augmentation_has_a_row():
    assert [o.name for o in OPTIONS] == list(OPS)


def test_checks_write_the_canonical_string_into_the_training_settings(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    section = form.editors["augment"]
    assert isinstance(section, AugmentSection) and form.values()["augment"] == ""
    seen: list[dict] = []
    form.changed.connect(seen.append)
    section.checks["crop"].setChecked(True)
    section.checks["hflip"].setChecked(True)  # written in the core's order, not click order
    section.values["crop"].setValue(0.7)
    assert seen[-1]["augment"] == "hflip,crop=0.7"
    assert TrainConfig.from_dict(seen[-1]).augment == "hflip,crop=0.7"
    section.checks["hflip"].setChecked(False)
    section.checks["crop"].setChecked(False)
    assert seen[-1]["augment"] == ""


def test_project_load_shows_the_setting_and_round_trips(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    section = form.editors["augment"]
    seen: list[dict] = []
    form.changed.connect(seen.append)
    project = {"augment": ["rotate=20", "hflip", "crop"]}  # a list in the project file
    form.set_values(project)
    assert seen == []  # loading is not an edit
    assert section.checks["hflip"].isChecked() and section.checks["rotate"].isChecked()
    assert section.values["rotate"].value() == 20 and section.values["rotate"].isEnabled()
    assert not section.values["color"].isEnabled()  # unchecked: its value is greyed
    assert form.values()["augment"] == "hflip,crop=0.6,rotate=20"
    assert form.normalized(project) == form.values()
    form.set_values({"augment": "none"})
    assert not any(check.isChecked() for check in section.checks.values())
    assert form.values()["augment"] == ""


def test_a_value_finer_than_the_spin_box_is_kept_exactly(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.set_values({"augment": "crop=0.625"})
    assert form.values()["augment"] == "crop=0.625"
    form.editors["augment"].values["crop"].setValue(0.5)  # a person's edit replaces it
    assert form.values()["augment"] == "crop=0.5"


def test_an_invalid_project_setting_is_kept_and_named(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    section = form.editors["augment"]
    form.set_values({"augment": "hflip,sharpen"})
    assert form.values()["augment"] == "hflip,sharpen"  # the run refuses it with its message
    assert not section.problem_label.isHidden()
    assert "sharpen" in section.problem_label.text()
    assert form.normalized({"augment": "hflip,sharpen"}) == form.values()
    section.checks["vflip"].setChecked(True)
    assert form.values()["augment"] == "vflip"
    assert section.problem_label.isHidden()


def test_options_that_do_not_fit_the_data_are_disabled_with_the_reason(qtbot, iris,
                                                                       digit_images):
    section = AugmentSection()
    qtbot.addWidget(section)
    section.set_dataset(iris)
    for name in ("hflip", "crop", "rotate", "color", "erase", "cutmix"):
        assert not section.checks[name].isEnabled(), name
        assert "needs images" in section.checks[name].toolTip()
    assert section.checks["noise"].isEnabled() and section.checks["mixup"].isEnabled()
    section.set_dataset(digit_images)
    assert not section.checks["noise"].isEnabled()
    assert "tabular" in section.checks["noise"].toolTip()
    assert section.checks["hflip"].isEnabled() and section.checks["cutmix"].isEnabled()


def test_a_loaded_setting_that_does_not_fit_is_named_in_red(qtbot, iris):
    section = AugmentSection()
    qtbot.addWidget(section)
    section.set_text("hflip,noise=0.1")
    section.set_dataset(iris)
    assert section.checks["hflip"].isChecked() and not section.checks["hflip"].isEnabled()
    assert not section.problem_label.isHidden()
    assert "hflip" in section.problem_label.text()
    assert section.text() == "hflip,noise=0.1"  # unchanged: the run refuses it
    assert section.text_for_preview() == "noise=0.1"
