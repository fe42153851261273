"""Export a trained run as a deployment bundle, checked before it appears on disk.

The bundle is built in a temporary folder beside ``out_dir`` and moved into place only when the
ONNX checker and the onnxruntime parity checks pass: it appears whole or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.export.onnx_export import DEFAULT_OPSET, ExportError, ExportInputError
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


def export_run(run_dir: str | Path, out_dir: str | Path, opset: int = DEFAULT_OPSET,
               force: bool = False, measure_latency: bool = True,
               progress: Callable[[str], None] | None = None,
               allow_changed_data: bool = False) -> dict[str, Any]:
    """Export, verify and write the bundle; returns the report (JSON-able dict).

    An int8 variant (``workbench quantize``) is exported from its int8 artifact and verified
    against its float parent (:mod:`workbench.export.int8_bundle`). The run is rebuilt with ``workbench.run_model.rebuild_run`` (saved preprocessing, never
    re-fitted); data changed since training are refused unless ``allow_changed_data``.

    Raises ExportError (its ``report`` holds the checks measured so far) when the run cannot be
    loaded, the exporter or a check fails, or ``out_dir`` is taken and ``force`` is False.
    ``progress(stage)`` is called before each stage, on the calling thread; it may raise
    ExportCancelled to stop between stages (nothing is written then).
    """
    from workbench.export.latency import latency_table
    from workbench.export.onnx_export import export_onnx_bytes
    from workbench.export.verify import check_onnx, parity

    def stage(text: str) -> None:
        if progress is not None:
            progress(text)

    out_dir = Path(out_dir)
    _refuse_taken(out_dir, force)
    from workbench.export.int8_bundle import export_int8_run, is_int8_variant

    if is_int8_variant(run_dir):  # an int8 artifact, verified against its float parent
        return export_int8_run(run_dir, out_dir, force, measure_latency, stage,
                               allow_changed_data)
    stage("loading the run")
    # the one core rebuild: weights, and the dataset with the run's saved preprocessing
    rebuilt = rebuild_for_export(run_dir, "best", allow_changed_data)
    run, module, weights, dataset = rebuilt.run, rebuilt.module, rebuilt.weights, rebuilt.dataset
    input_shape, input_dtype = tuple(module.input_shape), module.input_dtype
    split, x_val, y_val = _samples(dataset)
    stage(f"exporting to ONNX (opset {opset})")
    model_bytes = export_onnx_bytes(module, input_shape, input_dtype, opset)
    stage("onnx.checker (full check)")
    checker = check_onnx(model_bytes)
    checks: dict[str, Any] = {"onnx_checker": checker}
    if not checker["passed"]:
        raise ExportError(f"onnx.checker rejected the model: {checker['error']}",
                          {"checks": checks, "opset": opset})
    stage(f"onnxruntime vs PyTorch on {len(x_val)} {split} samples")
    try:
        scaling = (dataset.preprocessing.get("target_scaling")
                   if dataset.task == "regression" else None)
        result = parity(module, model_bytes, x_val, y_val, target_scaling=scaling)
    except Exception as exc:  # noqa: BLE001 - onnxruntime refusing the model is a check failure
        raise ExportError(f"onnxruntime cannot run the exported model: {type(exc).__name__}: "
                          f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
                          {"checks": checks, "opset": opset}) from exc
    checks["parity"] = {**result, "split": split}
    if not result["passed"]:
        score = (f"MAE {result.get('onnx_mae')} vs {result.get('torch_mae')}"
                 if scaling is not None else
                 f"accuracy {result.get('onnx_accuracy')} vs {result.get('torch_accuracy')}")
        raise ExportError(
            f"onnxruntime disagrees with PyTorch: max abs diff {result['max_abs_diff']:.3g}, "
            f"max rel diff {result['max_rel_diff']:.3g} (allowed rtol {result['rtol']}, atol "
            f"{result['atol']}); {score}", {"checks": checks, "opset": opset})
    latency: list[dict[str, Any]] = []
    if measure_latency:
        stage("measuring latency (PyTorch eager vs onnxruntime)")
        latency = latency_table(module, model_bytes, x_val)
    stage("writing the bundle")
    extra: dict[str, Any] = {"opset": opset, "weights": weights}
    calibration = _calibration(run, dataset)
    if calibration is not None:
        extra["calibration"] = calibration
    return write_verified_bundle(run, out_dir, model_bytes, dataset, (input_shape, input_dtype),
                                 checks, latency, extra, force,
                                 {"split": split, "passed": result["passed"],
                                  "data_changed": rebuilt.data_changed})


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
        _write_bundle(out_dir, model_bytes, description, force)
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


def _calibration(run: Any, dataset: Any) -> dict[str, Any] | None:
    """model.json's "calibration" for a classifier with a temperature fitted on the exported
    (best) weights (predict.py divides the logits by it), a note when the stored one is stale,
    else None (:func:`workbench.explain.calibration.export_calibration`)."""
    if dataset.task != "classification":
        return None
    from workbench.explain.calibration import export_calibration

    return export_calibration(run.path)


def _refuse_taken(out_dir: Path, force: bool) -> None:
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


def _samples(dataset: Any) -> tuple[str, Any, Any]:
    """The first non-empty split among validation, test and train, for the checks."""
    for split in ("validation", "test", "train"):
        key = {"validation": "val"}.get(split, split)
        x, y = getattr(dataset, f"x_{key}"), getattr(dataset, f"y_{key}")
        if x is not None and len(x):
            return split, x, y
    raise ExportError("the run's dataset has no samples to verify the export with")


def _write_bundle(out_dir: Path, model_bytes: bytes, description: dict[str, Any],
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
