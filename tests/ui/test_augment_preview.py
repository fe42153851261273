"""The live preview grid: augmented training samples drawn off the GUI thread, debounced,
redrawn when an option changes; a line instead of the grid for data that are not images."""

from __future__ import annotations

import numpy as np
import pytest

from ui.panels import augment_preview
from ui.panels.augment_preview import AugmentPreview, to_pixmap
from ui.panels.augment_section import AugmentSection

DIGITS = {"name": "digits_images"}


def drawn(qtbot, preview: AugmentPreview) -> None:
    qtbot.waitUntil(lambda: not preview.busy(), timeout=60_000)


@pytest.fixture
def section(qtbot):
    widget = AugmentSection()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_grid_shows_augmented_training_samples_and_follows_the_options(qtbot, section):
    preview = section.preview
    section.set_dataset_spec(DIGITS)
    drawn(qtbot, preview)
    assert preview.images is not None and preview.images.shape == (16, 8, 8, 3)
    assert preview.images.dtype == np.uint8
    assert not preview.grid_box.isHidden()
    assert all(not cell.pixmap().isNull() for cell in preview.cells)
    originals = preview.images.copy()
    section.checks["rotate"].setChecked(True)
    section.values["rotate"].setValue(90)
    drawn(qtbot, preview)
    assert preview.text == "rotate=90"
    assert not np.array_equal(preview.images, originals)
    first = preview.images.copy()
    preview.next_draw()  # the next epoch's draw differs
    drawn(qtbot, preview)
    assert preview.epoch == 1 and not np.array_equal(preview.images, first)
    assert section.checks["noise"].isEnabled() is False  # the loaded data disabled it


def test_quick_changes_are_debounced_and_the_dataset_is_loaded_once(qtbot, section,
                                                                    monkeypatch):
    calls: list[tuple] = []
    real = augment_preview.compute_preview

    def counting(spec, text, epoch, loaded=None, *rest):
        calls.append((text, loaded is None))
        return real(spec, text, epoch, loaded, *rest)

    monkeypatch.setattr(augment_preview, "compute_preview", counting)
    section.set_dataset_spec(DIGITS)
    drawn(qtbot, section.preview)
    assert calls == [("", True)]
    for value in (10, 20, 30, 40):  # a burst of edits: one drawing, of the last
        section.checks["rotate"].setChecked(True)
        section.values["rotate"].setValue(value)
    drawn(qtbot, section.preview)
    assert calls[1:] == [("rotate=40", False)]  # the loaded dataset is reused
    section.checks["hflip"].setChecked(True)
    drawn(qtbot, section.preview)
    assert calls[-1] == ("hflip,rotate=40", False) and len(calls) == 3


def test_data_that_are_not_images_get_a_line_instead_of_the_grid(qtbot, section):
    section.set_dataset_spec({"name": "iris"})
    drawn(qtbot, section.preview)
    assert section.preview.images is None and section.preview.grid_box.isHidden()
    assert "not images" in section.preview.note.text()
    assert not section.checks["hflip"].isEnabled()


def test_a_hidden_preview_loads_nothing(qtbot):
    section = AugmentSection()
    qtbot.addWidget(section)
    section.set_dataset_spec(DIGITS)
    section.checks["hflip"].setChecked(True)
    qtbot.wait(augment_preview.PREVIEW_DELAY_MS * 2)
    assert section.preview._job is None and section.preview.dataset is None
    section.show()  # shown: now it loads
    drawn(qtbot, section.preview)
    assert section.preview.images is not None


def test_a_long_load_shows_progress_and_another_dataset_cancels_it(qtbot, section,
                                                                   monkeypatch):
    import time

    import workbench.data
    from workbench.data import DataError
    from workbench.data.image_cache import Progress

    real = workbench.data.load_dataset
    cancelled_after: list[int] = []

    def slow(spec, preprocessing=None, progress=None, cancel=None):
        if spec["name"] != "colour_shapes":
            return real(spec)
        for done in range(0, 60_000, 100):
            progress(Progress(done, 60_000, 1_000.0, 60.0, "generating colour_shapes"))
            if cancel():
                cancelled_after.append(done)
                raise DataError("generating colour_shapes cancelled")
            time.sleep(0.01)
        raise AssertionError("not cancelled")

    monkeypatch.setattr(workbench.data, "load_dataset", slow)
    section.set_dataset_spec({"name": "colour_shapes"})
    qtbot.waitUntil(lambda: "generating colour_shapes" in section.preview.note.text(),
                    timeout=10_000)
    assert "/ 60,000" in section.preview.note.text()
    section.set_dataset_spec(DIGITS)  # the project's dataset changed: the old load stops
    drawn(qtbot, section.preview)
    assert cancelled_after and section.preview.images.shape == (16, 8, 8, 3)


def test_a_dataset_that_cannot_load_says_so(qtbot, section, tmp_path):
    section.set_dataset_spec({"name": "image_folder", "options": {"path": str(tmp_path)}})
    drawn(qtbot, section.preview)
    assert section.preview.images is None
    assert "could not be loaded" in section.preview.note.text()


def test_to_pixmap_scales_to_a_thumbnail(qtbot):
    image = np.zeros((8, 8, 3), dtype=np.uint8)
    image[:, :4] = 255
    pixmap = to_pixmap(image, 56)
    assert pixmap.width() == 56 and pixmap.height() == 56
    picture = pixmap.toImage()
    assert picture.pixelColor(5, 28).red() == 255 and picture.pixelColor(50, 28).red() == 0


def test_the_training_panel_previews_the_projects_dataset(qtbot, tmp_path):
    from ui.panels.training_panel import TrainingPanel
    from workbench.graph.templates import cnn

    project = {"graph": cnn(input_shape=(1, 8, 8)), "dataset": DIGITS}
    panel = TrainingPanel(lambda: (project["graph"], project["dataset"], {"augment": "hflip"},
                                   tmp_path, "p"))
    qtbot.addWidget(panel)
    panel.refresh_from_project()
    section = panel.form.editors["augment"]
    assert section.preview.spec == DIGITS and section.preview.text == "hflip"
    # an image folder without a size is previewed at the network's input size, as a run
    # decodes it (one cache for both)
    project["graph"] = cnn(input_shape=(3, 24, 20))
    project["dataset"] = {"name": "image_folder", "options": {"path": str(tmp_path)}}
    panel.refresh_from_project()
    assert section.preview.spec["options"] == {"path": str(tmp_path), "size": [24, 20]}
