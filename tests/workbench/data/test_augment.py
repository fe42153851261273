"""Augmentation: the setting's text, refusals per data kind, and the batch operations
(determinism, per-sample draws, pixel space, soft targets, tabular noise)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from workbench.data import load_dataset
from workbench.data.augment import (
    augment_problem,
    canonical_augment,
    make_augmenter,
    noise_positions,
    parse_augment,
    preview_augment,
)
from workbench.train.config import TrainConfig

MEAN, STD = [0.4, 0.5, 0.6], [0.2, 0.25, 0.3]


def colour_images(n: int = 16, size: int = 12, seed: int = 0, same: bool = False):
    """A dataset-like object with n normalized colour images (pixels uniform in [0, 1])."""
    rng = np.random.default_rng(seed)
    pixels = rng.random((1 if same else n, 3, size, size)).astype(np.float32)
    pixels = np.repeat(pixels, n, axis=0) if same else pixels
    mean = np.asarray(MEAN, dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.asarray(STD, dtype=np.float32).reshape(1, 3, 1, 1)
    return SimpleNamespace(
        x_train=(pixels - mean) / std, y_train=np.arange(n, dtype=np.int64) % 4,
        input_shape=(3, size, size), input_dtype="float32", num_classes=4, task="classification",
        name="fake_colour", preprocessing={"kind": "image", "scale": 1.0, "mean": MEAN,
                                           "std": STD, "size": [size, size], "channels": 3})


def augment(ds, text: str, epoch: int = 0, batch: int = 0, seed: int = 0):
    aug = make_augmenter(TrainConfig(augment=text, seed=seed), ds, "cpu")
    return aug(torch.as_tensor(ds.x_train), torch.as_tensor(ds.y_train), epoch, batch)


def pixels_of(x: torch.Tensor) -> torch.Tensor:
    return x * torch.tensor(STD).reshape(1, 3, 1, 1) + torch.tensor(MEAN).reshape(1, 3, 1, 1)


# parsing -------------------------------------------------------------------------------------
def test_parse_fills_defaults_and_orders_items_canonically() -> None:
    items = parse_augment(" color=0.3, hflip ,crop")
    assert items == [("hflip", None), ("crop", 0.6), ("color", 0.3)]
    assert canonical_augment(items) == "hflip,crop=0.6,color=0.3"
    assert parse_augment(["mixup=0.4", "vflip"]) == [("vflip", None), ("mixup", 0.4)]
    assert parse_augment("none") == parse_augment("") == parse_augment(None) == []
    assert canonical_augment([]) == ""


@pytest.mark.parametrize("text, words", [
    ("hflip,blur", ["'blur'", "crop=AREA", "mixup=ALPHA", "none"]),
    ("crop=1.5", ["crop", "1.5", "(0, 1]"]),
    ("crop=0", ["crop", "(0, 1]"]),
    ("rotate=abc", ["'rotate=abc'", "number"]),
    ("hflip=0.5", ["'hflip'", "no value"]),
    ("hflip,hflip", ["'hflip'", "twice"]),
    ("none,hflip", ["'none'", "combined"]),
    ("mixup=nan", ["mixup"]),
])
def test_bad_text_is_one_line_naming_the_item(text: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        parse_augment(text)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_config_records_the_canonical_text_from_a_list_or_a_text() -> None:
    from_list = TrainConfig.from_dict({"augment": ["color=0.30", "hflip", "crop"]})
    assert from_list.augment == "hflip,crop=0.6,color=0.3"
    assert from_list.to_dict()["augment"] == "hflip,crop=0.6,color=0.3"
    assert TrainConfig(augment="none").augment == ""
    assert TrainConfig().augment == ""
    with pytest.raises(ValueError, match="unknown item 'spin'"):
        TrainConfig.from_dict({"augment": "spin"})


def test_the_runs_diff_shows_augment_like_any_setting() -> None:
    from ui.panels.run_compare import differing, run_settings

    plain = run_settings({"training": TrainConfig().to_dict()})
    augmented = run_settings({"training": TrainConfig(augment="crop,hflip").to_dict()})
    assert augmented["augment"] == "hflip,crop=0.6"
    assert differing([plain, augmented]) == ["augment"]


def test_the_train_command_has_an_augment_flag_that_names_the_items() -> None:
    import argparse

    from workbench.commands.train import _add_train_config_flags

    parser = argparse.ArgumentParser()
    _add_train_config_flags(parser)
    assert parser.parse_args(["--augment", "hflip,crop=0.6"]).augment == "hflip,crop=0.6"
    text = parser.format_help()
    for name in ("hflip", "crop=AREA", "rotate=DEGREES", "noise=STD", "mixup=ALPHA"):
        assert name in text


# refusals --------------------------------------------------------------------------------------
def test_refusals_name_the_item_and_the_data() -> None:
    iris = load_dataset({"name": "iris"})
    digits = load_dataset({"name": "digits_images"})
    diabetes = load_dataset({"name": "diabetes"})
    tokens = SimpleNamespace(input_dtype="int64", input_shape=(20,), name="sequence",
                             preprocessing={"kind": "none"}, task="classification")
    assert "hflip" in augment_problem("hflip", iris) and "iris" in augment_problem("hflip", iris)
    assert "'noise'" in augment_problem("noise=0.1", digits)
    assert "token ids" in augment_problem("mixup=0.2", tokens)
    assert "'cutmix'" in augment_problem("cutmix=1", diabetes)
    assert augment_problem("blur", digits).startswith("augment: unknown item")
    for text, ds in (("hflip,crop=0.6,color=0.3,erase=0.2,cutmix=1,mixup=0.2", digits),
                     ("noise=0.1,mixup=0.2", iris), ("mixup=0.2,noise=0.05", diabetes),
                     ("", tokens), ("none", iris)):
        assert augment_problem(text, ds) is None, text
    with pytest.raises(ValueError, match="hflip"):
        make_augmenter(TrainConfig(augment="hflip"), iris, "cpu")
    assert make_augmenter(TrainConfig(augment="none"), iris, "cpu") is None


# determinism and RNG ------------------------------------------------------------------------------
def test_same_inputs_same_result_other_epoch_or_batch_other_result() -> None:
    ds = colour_images()
    text = "hflip,crop=0.6,rotate=10,color=0.3,erase=0.5,mixup=0.2"
    first, y1 = augment(ds, text, epoch=3, batch=2)
    again, y2 = augment(ds, text, epoch=3, batch=2)
    assert torch.equal(first, again) and torch.equal(y1, y2)
    assert not torch.equal(first, augment(ds, text, epoch=4, batch=2)[0])
    assert not torch.equal(first, augment(ds, text, epoch=3, batch=3)[0])
    assert not torch.equal(first, augment(ds, text, epoch=3, batch=2, seed=1)[0])


def test_the_global_rng_is_left_as_it_was() -> None:
    ds = colour_images()
    aug = make_augmenter(TrainConfig(augment="hflip,crop=0.6,color=0.3,mixup=0.2"), ds, "cpu")
    torch.manual_seed(123)
    expected = torch.rand(5)
    torch.manual_seed(123)
    aug(torch.as_tensor(ds.x_train), torch.as_tensor(ds.y_train), 0, 0)
    assert torch.equal(torch.rand(5), expected)


# per-sample draws and pixel space -------------------------------------------------------------------
def test_every_sample_gets_its_own_draw() -> None:
    ds = colour_images(n=16, size=32, same=True)
    for text in ("crop=0.5", "rotate=30", "color=0.5", "erase=1"):
        out, _ = augment(ds, text)
        distinct = {out[i].numpy().tobytes() for i in range(len(out))}
        assert len(distinct) >= 12, text  # one draw per batch would give 1
    flipped, _ = augment(ds, "hflip")
    original = torch.as_tensor(ds.x_train[0])
    mirrored = [bool(torch.allclose(s, original.flip(-1), atol=1e-5)) for s in flipped]
    kept = [bool(torch.allclose(s, original, atol=1e-5)) for s in flipped]
    assert all(m or k for m, k in zip(mirrored, kept)) and any(mirrored) and any(kept)


def test_colour_and_erase_work_in_pixel_space() -> None:
    ds = colour_images(n=8)
    out, _ = augment(ds, "color=1.0")
    pixels = pixels_of(out)
    assert float(pixels.min()) >= -1e-5 and float(pixels.max()) <= 1 + 1e-5
    erased, _ = augment(ds, "erase=1")
    changed = ((erased - torch.as_tensor(ds.x_train)).abs() > 1e-4).any(dim=1)
    assert changed.any()
    values = pixels_of(erased).permute(0, 2, 3, 1)[changed]
    assert torch.allclose(values, torch.zeros_like(values), atol=1e-5)  # black pixels


def test_channels_last_batches_stay_channels_last() -> None:
    ds = colour_images(n=4)
    aug = make_augmenter(TrainConfig(augment="hflip,crop=0.7"), ds, "cpu")
    x = torch.as_tensor(ds.x_train).contiguous(memory_format=torch.channels_last)
    out, _ = aug(x, torch.as_tensor(ds.y_train), 0, 0)
    assert out.is_contiguous(memory_format=torch.channels_last) and out.shape == x.shape


# soft targets -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["mixup=0.4", "cutmix=1.0", "mixup=0.4,cutmix=1.0"])
def test_mixing_gives_soft_targets_for_classes(text: str) -> None:
    ds = colour_images(n=8)
    aug = make_augmenter(TrainConfig(augment=text), ds, "cpu")
    assert aug.soft_targets
    _, y = aug(torch.as_tensor(ds.x_train), torch.as_tensor(ds.y_train), 0, 0)
    assert y.shape == (8, 4) and y.dtype == torch.float32
    assert torch.allclose(y.sum(dim=1), torch.ones(8))
    assert not make_augmenter(TrainConfig(augment="hflip"), ds, "cpu").soft_targets


def test_mixup_and_cutmix_together_take_turns_per_batch() -> None:
    ds = colour_images(n=8)
    aug = make_augmenter(TrainConfig(augment="mixup=1,cutmix=1"), ds, "cpu")
    x, y = torch.as_tensor(ds.x_train), torch.as_tensor(ds.y_train)
    kinds = set()
    for batch in range(12):
        out, _ = aug(x, y, 0, batch)
        own = (out[0] - x[0]).abs() < 1e-4
        other = (out[0] - x[-1]).abs() < 1e-4  # the neighbour it is paired with
        if bool((own | other).all()) and bool(other.any()):
            kinds.add("cutmix")  # a pasted box: every pixel from one of the two
        elif not bool(own.any()):
            kinds.add("mixup")  # blended everywhere
    assert kinds == {"mixup", "cutmix"}


def test_vector_mixup_blends_pairs_with_their_labels() -> None:
    iris = load_dataset({"name": "iris"})
    rows = np.concatenate([np.flatnonzero(iris.y_train == k)[:4] for k in (0, 1)])
    x, y = torch.as_tensor(iris.x_train[rows]), torch.as_tensor(iris.y_train[rows])
    aug = make_augmenter(TrainConfig(augment="mixup=1.0"), iris, "cpu")
    mixed, soft = aug(x, y, 0, 0)
    assert soft.shape == (8, 3) and torch.allclose(soft.sum(1), torch.ones(8))
    lam = float(soft[0, 0])  # sample 0 (class 0) is paired with sample 7 (class 1)
    assert 0 < lam < 1 and float(soft[0, 1]) == pytest.approx(1 - lam)
    assert torch.allclose(mixed[0], lam * x[0] + (1 - lam) * x[-1], atol=1e-5)


def test_regression_mixup_mixes_inputs_and_float_targets_alike() -> None:
    diabetes = load_dataset({"name": "diabetes"})
    x = torch.as_tensor(diabetes.x_train[:12])
    y = torch.as_tensor(diabetes.y_train[:12]).float()
    aug = make_augmenter(TrainConfig(augment="mixup=0.5"), diabetes, "cpu")
    assert not aug.soft_targets
    mixed, targets = aug(x, y, 0, 0)
    lam = (targets - y.roll(1)) / (y - y.roll(1))  # the one lambda of the batch
    assert torch.allclose(lam, lam[0].expand_as(lam), atol=1e-4)
    assert not torch.allclose(targets, y)
    assert torch.allclose(mixed, lam[0] * x + (1 - lam[0]) * x.roll(1, 0), atol=1e-4)


# tabular noise ----------------------------------------------------------------------------------
def write_csv(path: Path) -> Path:
    rng = np.random.default_rng(0)
    lines = ["height,colour,weight,label"]
    for i in range(60):
        weight = "" if i % 7 == 0 else f"{rng.normal(70, 10):.1f}"
        lines.append(f"{rng.normal(170, 8):.1f},{['red', 'blue', 'green'][i % 3]},{weight},"
                     f"{'yes' if i % 2 else 'no'}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_tabular_noise_touches_only_standardized_numeric_columns(tmp_path: Path) -> None:
    ds = load_dataset({"name": "csv", "options": {"path": str(write_csv(tmp_path / "t.csv")),
                                                   "target": "label",
                                                   "missing_indicator": True}})
    names = ds.preprocessing["feature_names"]
    numeric = noise_positions(ds)
    assert [n for n, m in zip(names, numeric) if m] == ["height", "weight"]
    x = torch.as_tensor(ds.x_train)
    out, y = make_augmenter(TrainConfig(augment="noise=0.5"), ds, "cpu")(
        x, torch.as_tensor(ds.y_train), 0, 0)
    changed = (out != x).any(dim=0).numpy()
    assert changed.tolist() == numeric.tolist()  # categories and the missing flag untouched
    assert 0.3 < float((out - x)[:, numeric].std()) < 0.7
    assert torch.equal(y, torch.as_tensor(ds.y_train))


# preview ----------------------------------------------------------------------------------------
def test_preview_is_uint8_rgb_for_grey_and_colour_images() -> None:
    digits = load_dataset({"name": "digits_images"})
    grey = preview_augment(digits, "hflip,crop=0.6", count=5)
    assert grey.shape == (5, 8, 8, 3) and grey.dtype == np.uint8
    assert np.array_equal(grey[..., 0], grey[..., 1]) and np.array_equal(grey[..., 0],
                                                                           grey[..., 2])
    plain = preview_augment(digits, "", count=5)
    expected = np.clip(digits.x_train[:5, 0] * digits.preprocessing["std"][0]
                       + digits.preprocessing["mean"][0], 0, 1)
    assert np.abs(plain[..., 0] / 255.0 - expected).max() < 1 / 255
    colour = preview_augment(colour_images(n=6), "color=0.5", count=6)
    assert colour.shape == (6, 12, 12, 3)
    assert not np.array_equal(colour, preview_augment(colour_images(n=6), "", count=6))
    with pytest.raises(ValueError, match="images"):
        preview_augment(load_dataset({"name": "iris"}), "mixup=0.2")
