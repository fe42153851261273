"""int8 quantization of an ONNX model with onnxruntime.quantization (bytes in, bytes out).

Settings are a :class:`QuantSettings`: static (QDQ or QOperator format, U8S8 or S8S8
activations x weights, per-channel weights, MinMax / Entropy / Percentile calibration) or
dynamic (weights int8, activations quantized at run time). The float model first goes through
ORT's quantization pre-processing (``quant_pre_process``: shape inference + graph optimization),
as ORT recommends. ``first_float`` keeps the first quantizable layer (and the nodes before the
second one) in float: a Conv with one input channel runs several times slower in int8 than in
float on CPUs without VNNI. Every quantized model is compacted (:mod:`.compact`: short names,
no shape annotations, shared duplicate scales) before it is returned. Temporary files live in a
temporary folder and are removed.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.compress.errors import CompressError

MODES = ("static", "dynamic")
FORMATS = ("qdq", "qoperator")
TYPES = ("U8S8", "S8S8")          # activations x weights
CALIBRATIONS = ("minmax", "entropy", "percentile")
QUANTIZABLE_OPS = ("Conv", "MatMul", "Gemm")


@dataclass(frozen=True)
class QuantSettings:
    """One way to quantize. ``types`` is activations x weights ("U8S8": uint8 activations,
    int8 weights); dynamic quantization always has uint8 activations."""

    mode: str = "static"
    fmt: str = "qdq"
    types: str = "U8S8"
    per_channel: bool = True
    calibration: str = "minmax"
    first_float: bool = False

    def __post_init__(self) -> None:
        for value, allowed, what in ((self.mode, MODES, "mode"), (self.fmt, FORMATS, "format"),
                                     (self.types, TYPES, "types"),
                                     (self.calibration, CALIBRATIONS, "calibration")):
            if value not in allowed:
                raise CompressError(f"quantization {what} must be one of "
                                    f"{', '.join(allowed)}, found {value!r}")

    @property
    def label(self) -> str:
        """A short name: "static QDQ U8S8" or "dynamic (S8 weights)"."""
        if self.mode == "dynamic":
            return f"dynamic ({self.types[2:]} weights)"
        return (f"static {'QDQ' if self.fmt == 'qdq' else 'QOperator'} {self.types}"
                + (" first-float" if self.first_float else ""))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode, "per_channel": self.per_channel}
        if self.mode == "static":
            out.update(format=self.fmt, types=self.types, calibration=self.calibration,
                       first_layer_float=self.first_float)
        else:
            out.update(weight_type=self.types[2:])
        return out


def preprocess(float_bytes: bytes) -> bytes:
    """ORT's quantization pre-processing of a float model (symbolic shape inference, graph
    optimization, ONNX shape inference). CompressError when ORT cannot process the model."""
    import onnx
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory(prefix="wb-quant-") as tmp:
        out = Path(tmp) / "pre.onnx"
        try:
            quant_pre_process(onnx.load_from_string(float_bytes), str(out))
        except Exception as exc:  # noqa: BLE001 - ORT's pre-processing refusing the model
            raise CompressError(f"onnxruntime cannot pre-process this model for quantization: "
                                f"{_first_line(exc)}") from exc
        return out.read_bytes()


def quantizable_nodes(model_bytes: bytes) -> list[str]:
    """Names of the nodes ORT quantizes to int8 (Conv, MatMul, Gemm), in graph order."""
    import onnx

    model = onnx.load_from_string(model_bytes)
    return [n.name for n in model.graph.node if n.op_type in QUANTIZABLE_OPS and n.name]


def first_layer_nodes(model_bytes: bytes) -> list[str]:
    """The first quantizable node and every node before the second one (graph order): what
    ``first_float`` keeps in float. Empty when the model has fewer than two quantizable nodes."""
    import onnx

    nodes = list(onnx.load_from_string(model_bytes).graph.node)
    positions = [i for i, n in enumerate(nodes) if n.op_type in QUANTIZABLE_OPS and n.name]
    if len(positions) < 2:
        return []
    return [n.name for n in nodes[:positions[1]] if n.name]


def quantize_bytes(pre_bytes: bytes, settings: QuantSettings, calibration_x: np.ndarray | None,
                   nodes_to_exclude: tuple[str, ...] = (),
                   cache_dir: str | Path | None = None, compacted: bool = True) -> bytes:
    """The int8 model of the pre-processed float model ``pre_bytes``.

    ``calibration_x`` (static only): preprocessed training samples. ``nodes_to_exclude``: node
    names kept in float (with ``settings.first_float``, the first layer's nodes as well).
    ``cache_dir``: where calibration ranges are cached per method, so quantizing the same model
    again (other formats, other excluded nodes) skips calibration.
    ``compacted``: return the model through :func:`workbench.compress.compact.compact`.
    CompressError when ORT cannot quantize the model.
    """
    import onnx
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    model = onnx.load_from_string(pre_bytes)
    if not quantizable_nodes(pre_bytes):
        raise CompressError("the model has no layer onnxruntime quantizes to int8 (expected a "
                            "Linear or Conv layer: Gemm, MatMul or Conv nodes), found none")
    if settings.first_float and settings.mode == "static":
        first = first_layer_nodes(pre_bytes)
        if not first:
            raise CompressError("keeping the first layer in float needs at least two layers "
                                "onnxruntime quantizes (Gemm, MatMul or Conv), found fewer")
        nodes_to_exclude = (*first, *(n for n in nodes_to_exclude if n not in first))
    weight = QuantType.QInt8 if settings.types.endswith("S8") else QuantType.QUInt8
    with tempfile.TemporaryDirectory(prefix="wb-quant-") as tmp, _quiet():
        out = Path(tmp) / "int8.onnx"
        try:
            if settings.mode == "dynamic":
                quantize_dynamic(model, out, per_channel=settings.per_channel, weight_type=weight,
                                 nodes_to_exclude=list(nodes_to_exclude))
            else:
                if calibration_x is None or not len(calibration_x):
                    raise CompressError("the calibration set is empty: static quantization "
                                        "needs training samples")
                from workbench.compress.calibration import calibration_reader

                cache = (Path(cache_dir) / f"ranges-{settings.calibration}.json"
                         if cache_dir is not None else None)
                activation = (QuantType.QUInt8 if settings.types.startswith("U8")
                              else QuantType.QInt8)
                quantize_static(
                    model, out, calibration_reader(calibration_x),
                    quant_format=QuantFormat.QDQ if settings.fmt == "qdq"
                    else QuantFormat.QOperator,
                    per_channel=settings.per_channel, activation_type=activation,
                    weight_type=weight, nodes_to_exclude=list(nodes_to_exclude),
                    calibrate_method={"minmax": CalibrationMethod.MinMax,
                                      "entropy": CalibrationMethod.Entropy,
                                      "percentile": CalibrationMethod.Percentile,
                                      }[settings.calibration],
                    extra_options={"ActivationSymmetric": activation == QuantType.QInt8},
                    calibration_cache_path=cache)
        except CompressError:
            raise
        except Exception as exc:  # noqa: BLE001 - ORT refusing the model is a named message
            raise CompressError(f"onnxruntime cannot quantize this model ({settings.label}): "
                                f"{_first_line(exc)}") from exc
        from workbench.compress.compact import compact

        return compact(out.read_bytes()) if compacted else out.read_bytes()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """ORT's calibrators print progress and log warnings; keep stdout clean (``--json``)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
