"""The files of a deployment bundle and the helpers every exporter shares.

``export_run`` (:mod:`workbench.export.bundle`) and the int8 exporter
(:mod:`workbench.export.int8_bundle`) both rebuild the run, pick the samples to verify on and
write the checked bundle through these functions; keeping them here lets ``bundle`` dispatch to
``int8_bundle`` without an import cycle (issue 22).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.export.onnx_export import ExportError, ExportInputError
from workbench.runs.atomic import give_default_dir_mode

PREDICT_TEMPLATE = Path(__file__).with_name("predict.py")
README = """Deployment bundle exported by the Workbench.

  model.onnx   the network (input "{input}", shape {shape}, dtype {dtype}; output "logits")
  model.json   input description, preprocessing, class labels, checks and latency at export
  predict.py   {predict_what} without the Workbench: needs numpy and onnxruntime (Pillow for images)

Inputs: {inputs}

Examples:
{examples}
  python predict.py --npy inputs.npy     # raw inputs as a .npy array, N x {sample_shape}
  python predict.py --npy x.npy --preprocessed   # inputs already preprocessed
  add --json for machine-readable output

{prints}
It repeats the Workbench's preprocessing exactly, from the statistics in model.json (fitted on
the training split).
"""
PRINTS_CLASSES = "predict.py prints one line per sample: label<TAB>probability."
PRINTS_CALIBRATED = ("predict.py prints one line per sample: label<TAB>probability.\n"
                     "The probabilities are calibrated: predict.py divides the logits by the "
                     "temperature {t:.4g}\n(temperature scaling fitted on the validation split; "
                     "model.json's calibration), then\napplies softmax. The labels are those of "
                     "the logits; model.onnx outputs the raw logits.")
PRINTS_STALE = ("predict.py prints one line per sample: label<TAB>probability (not calibrated: "
                "the run's\ntemperature was fitted on other weights, so it was left out).")
PRINTS_VALUES = ("predict.py prints one line per sample: the predicted {target} in its original "
                 "units\n(the network predicts it standardized; model.json's "
                 "preprocessing.target_scaling\nholds the training split's mean and std, "
                 "applied as value * std + mean).")


def readme_text(description: dict[str, Any]) -> str:
    """README.txt for a bundle, saying which inputs predict.py takes for this model."""
    pre = description["preprocessing"]
    kind = pre.get("kind", "none")
    sample_shape = " x ".join(str(d) for d in description["input"]["shape"][1:])
    if kind == "tabular":
        columns = ", ".join(c["name"] for c in pre["columns"])
        delimiter = {"\t": "tab", " ": "space"}.get((pre.get("csv") or {}).get("delimiter", ","))
        delimiter = delimiter or repr((pre.get("csv") or {}).get("delimiter", ","))
        inputs = (f"a CSV file with a header row and the columns {columns} (any order; the "
                  f"target column '{pre.get('target', '')}' and other columns are ignored), "
                  f"fields separated by {delimiter} like the training file (--delimiter to "
                  f"change). Missing cells (empty, NA, N/A, NaN, null, ?, -) are filled in "
                  f"as in training.")
        examples = "  python predict.py samples.csv          # one prediction per CSV row"
    elif kind == "image":
        mode = "grayscale" if int(pre["channels"]) == 1 else "RGB"
        inputs = (f"an image file; it is converted to {mode} and resized to "
                  f"{pre['size'][0]} x {pre['size'][1]} pixels (height x width).")
        examples = "  python predict.py picture.png          # an image (png, jpg, bmp, ...)"
    else:
        inputs = (f"a CSV file whose rows hold {sample_shape} values each (a header row is "
                  f"optional), or a .npy array.")
        examples = "  python predict.py samples.csv          # one prediction per CSV row"
    shape = ", ".join(str(d) for d in description["input"]["shape"])
    regression = description.get("task") == "regression"
    prints = (PRINTS_VALUES.format(target=f"'{(description['class_labels'] or ['value'])[0]}'")
              if regression else PRINTS_CLASSES)
    calibration = description.get("calibration") or {}
    if not regression and calibration.get("temperature"):
        prints = PRINTS_CALIBRATED.format(t=float(calibration["temperature"]))
    elif not regression and calibration:
        prints = PRINTS_STALE
    return README.format(input=description["input"]["name"], shape=f"({shape})",
                         dtype=description["input"]["dtype"], inputs=inputs,
                         examples=examples, sample_shape=sample_shape, prints=prints,
                         predict_what="predict values" if regression else "classify")


def write_verified_bundle(run: Any, out_dir: Path, model_bytes: bytes, dataset: Any,
                          model_input: tuple[tuple[int, ...], str],
                          checks: dict[str, Any], latency: list[dict[str, Any]],
                          extra: dict[str, Any], force: bool,
                          event: dict[str, Any]) -> dict[str, Any]:
    """Write the bundle of a model that passed its checks, record the export in the run's
    events (``event``: split, passed, data_changed) and return the report. ``extra``: more
    model.json keys (opset, weights, ...); ``model_input``: (input shape without the batch
    dimension, input dtype)."""
    from workbench import __version__

    input_shape, input_dtype = model_input
    description = {
        "format_version": 1,
        "input": {"name": "input", "shape": ["batch", *input_shape], "dtype": input_dtype},
        "task": dataset.task,
        "output": {"name": "logits", "shape": ["batch", dataset.num_classes]},
        "class_labels": list(dataset.class_names),
        "preprocessing": dataset.preprocessing,
        "checks": checks,
        "latency": latency, **extra,
        "source_run": str(run.path.resolve()), "workbench_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        write_bundle_folder(out_dir, model_bytes, description, force)
    except OSError as exc:
        raise ExportInputError(f"cannot write the bundle to {out_dir}: {exc.strerror or exc}; "
                               f"nothing was written",
                               {"checks": checks, "opset": extra.get("opset")}) from exc
    report = {"passed": True, "out_dir": str(out_dir), "run_dir": str(run.path), **description}
    split = event["split"]
    run.record_event({"kind": "export", "out_dir": str(out_dir.resolve()),
                      "opset": extra.get("opset"), "parity_passed": event["passed"],
                      "time": description["created"],
                      "split": {"validation": "val"}.get(split, split),  # test looks counted
                      "data_changed": event["data_changed"]})
    return report


def calibration_for(run: Any, dataset: Any) -> dict[str, Any] | None:
    """model.json's "calibration" for a classifier with a temperature fitted on the exported
    (best) weights (predict.py divides the logits by it), a note when the stored one is stale,
    else None (:func:`workbench.explain.calibration.export_calibration`)."""
    if dataset.task != "classification":
        return None
    from workbench.explain.calibration import export_calibration

    return export_calibration(run.path)


def refuse_taken(out_dir: Path, force: bool) -> None:
    """Fail before any work when the bundle could not be written where asked."""
    parent = out_dir.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ExportInputError(f"cannot create the bundle folder {out_dir}: {parent} is not a "
                               f"writable folder; choose a folder you can write to")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportInputError(f"{out_dir} is a file; expected a folder name for the bundle")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise ExportInputError(f"{out_dir} already exists and is not empty; choose another "
                               f"folder or use --force to replace it")


def verification_samples(dataset: Any) -> tuple[str, Any, Any]:
    """The first non-empty split among validation, test and train, for the checks."""
    for split in ("validation", "test", "train"):
        key = {"validation": "val"}.get(split, split)
        x, y = getattr(dataset, f"x_{key}"), getattr(dataset, f"y_{key}")
        if x is not None and len(x):
            return split, x, y
    raise ExportError("the run's dataset has no samples to verify the export with")


def write_bundle_folder(out_dir: Path, model_bytes: bytes, description: dict[str, Any],
                  force: bool) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        give_default_dir_mode(staging)  # mkdtemp makes it 0700; a bundle is shared
        (staging / "model.onnx").write_bytes(model_bytes)
        (staging / "model.json").write_text(json.dumps(description, indent=2) + "\n")
        shutil.copyfile(PREDICT_TEMPLATE, staging / "predict.py")
        (staging / "README.txt").write_text(readme_text(description))
        if out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()  # an empty folder chosen for the bundle
        if out_dir.exists():
            if not force:
                raise ExportError(f"{out_dir} appeared while exporting; nothing was replaced")
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            staging.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def rebuild_for_export(run_dir: str | Path, weights: str | None, allow_changed_data: bool,
                       data: bool = True) -> Any:
    """``rebuild_run`` for an export: every problem with the run or its data becomes an
    ExportInputError (exit code 2) naming it."""
    from workbench.data import DataError
    from workbench.run_model import DataChangedError, rebuild_run

    try:
        return rebuild_run(run_dir, weights=weights, data=data,
                           allow_changed_data=allow_changed_data, purpose="export")
    except DataChangedError as exc:
        raise ExportInputError(f"refusing to export: {exc}") from exc
    except DataError as exc:
        raise ExportInputError(f"the run's dataset cannot be loaded for verification: {exc}"
                               ) from exc
    except (FileNotFoundError, ValueError, KeyError, RuntimeError) as exc:
        raise ExportInputError(f"cannot load the run {run_dir}: {exc}") from exc
