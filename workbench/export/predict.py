"""Predict with an exported Workbench model. Needs numpy and onnxruntime (Pillow for images).

Usage:
    python predict.py samples.csv [--json]     CSV rows with the original columns (header row;
                                               missing cells as in training: NA, ?, empty...)
    python predict.py picture.png [--json]     an image file (png, jpg, bmp, ...)
    python predict.py --npy inputs.npy         raw inputs in the training layout (N x ...)
    python predict.py --npy x.npy --preprocessed   inputs already preprocessed

Preprocessing repeats the Workbench's exactly, from model.json (statistics of the training split).
Prints one line per sample: label<TAB>probability for a classifier (probabilities of the logits
divided by model.json's calibration temperature when the run had one fitted); for a regression
model the predicted value in the target's original units (tab-separated when it predicts several).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


# Cells that mean "no value" when the model.json does not list its own.
MISSING_VALUES = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "?", "-")
DELIMITERS = {"tab": "\t", "\\t": "\t", "space": " ", "comma": ",", "semicolon": ";"}


def unquote(name):
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
        return name[1:-1].strip()
    return name


def read_csv(path, delimiter=","):
    """Header and rows (stripped strings); ``delimiter`` " " splits on runs of spaces."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=delimiter, skipinitialspace=delimiter == " ")
        rows = [r for r in reader if any(c.strip() for c in r)]
    if delimiter == " ":
        rows = [r[:-1] if r and r[-1] == "" else r for r in rows]
    if not rows:
        raise SystemExit(f"{path}: empty CSV")
    for number_, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            shown = "\\t" if delimiter == "\t" else delimiter
            raise SystemExit(f"{path}: row {number_} has {len(row)} fields, expected "
                             f"{len(rows[0])} (like the first row; delimiter '{shown}', "
                             f"change it with --delimiter)")
    return [unquote(h) for h in rows[0]], [[c.strip() for c in r] for r in rows[1:]]


def number(text, column, row):
    try:
        return float(text)
    except ValueError:
        raise SystemExit(f"row {row}, column '{column}': expected a number, found "
                         f"{text!r}") from None


def encode_tabular(pre, header, rows):
    """As training did: missing cells get the training median (numbers, plus a 0/1 indicator
    where the model has one) or the category "missing"; numbers standardized; one-hot."""
    missing = set(pre.get("missing_values", MISSING_VALUES))
    index = {name: i for i, name in enumerate(header)}
    parts = []
    for spec in pre["columns"]:
        if spec["name"] not in index:
            raise SystemExit(f"column '{spec['name']}' is missing; expected columns: "
                             f"{', '.join(c['name'] for c in pre['columns'])}")
        values = [row[index[spec["name"]]] for row in rows]
        absent = np.array([v in missing for v in values], dtype=bool)
        if spec["type"] == "numeric":
            if absent.any() and "median" not in spec:
                raise SystemExit(f"row {int(np.flatnonzero(absent)[0]) + 2}, column "
                                 f"'{spec['name']}': expected a number, found no value")
            if spec.get("decimal") == ",":  # the training file wrote 3.5 as "3,5"
                values = [v.replace(",", ".") for v in values]
            numbers = np.asarray([spec.get("median", 0.0) if gone
                                  else number(v, spec["name"], r + 2)
                                  for r, (v, gone) in enumerate(zip(values, absent))])
            parts.append(((numbers - spec["mean"]) / spec["std"])[:, None])
            if spec.get("indicator"):
                parts.append(absent.astype(np.float64)[:, None])
        else:
            cats = {c: i for i, c in enumerate(spec["categories"])}
            onehot = np.zeros((len(values), len(cats)))
            for r, (value, gone) in enumerate(zip(values, absent)):
                value = "missing" if gone and value not in cats else value
                if value in cats:
                    onehot[r, cats[value]] = 1.0
            parts.append(onehot)
    return np.concatenate(parts, axis=1).astype(np.float32)


def load_image(pre, path):
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("L" if pre["channels"] == 1 else "RGB")
        h, w = pre["size"]
        if image.size != (w, h):
            image = image.resize((w, h), Image.BILINEAR)
        arr = np.asarray(image, dtype=np.float64)
    arr = arr[None] if pre["channels"] == 1 else arr.transpose(2, 0, 1)
    return arr[None]


def preprocess(pre, raw):
    kind = pre.get("kind", "none")
    if kind == "standardize":
        x = np.asarray(raw, dtype=np.float64)
        flat = (x.reshape(len(x), -1) - np.asarray(pre["mean"])) / np.asarray(pre["std"])
        return flat.reshape(x.shape).astype(np.float32)
    if kind == "image":
        x = np.asarray(raw, dtype=np.float64) * float(pre["scale"])
        mean = np.asarray(pre["mean"]).reshape(1, -1, 1, 1)
        std = np.asarray(pre["std"]).reshape(1, -1, 1, 1)
        return ((x - mean) / std).astype(np.float32)
    return np.asarray(raw)


def inputs_for(args, meta):
    pre = meta["preprocessing"]
    dtype = np.int64 if meta["input"]["dtype"] == "int64" else np.float32
    if args.npy:
        raw = check_shape(np.load(args.npy, allow_pickle=False), meta)
        return (raw if args.preprocessed else preprocess(pre, raw)).astype(dtype)
    path = Path(args.input)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        if pre.get("kind") != "image":
            raise SystemExit("this model does not take images")
        return preprocess(pre, load_image(pre, path)).astype(dtype)
    delimiter = args.delimiter or (pre.get("csv") or {}).get("delimiter") or ","
    header, rows = read_csv(path, DELIMITERS.get(delimiter, delimiter))
    if pre.get("kind") == "tabular":
        return encode_tabular(pre, header, rows)
    first = 2
    try:
        float(header[0])
        rows, first = [header] + rows, 1  # no header row: every row is data
    except ValueError:
        pass
    shape = meta["input"]["shape"][1:]
    size = int(np.prod(shape))
    for r, row in enumerate(rows):
        if len(row) != size:
            raise SystemExit(f"{path}: row {r + first} has {len(row)} values; expected {size} "
                             f"(input shape {tuple(shape)})")
    raw = np.asarray([[number(c, f"#{i + 1}", r + first) for i, c in enumerate(row)]
                      for r, row in enumerate(rows)]).reshape(len(rows), *shape)
    return preprocess(pre, raw).astype(dtype)


def check_shape(x, meta):
    expected = tuple(meta["input"]["shape"][1:])
    if x.ndim != len(expected) + 1 or tuple(x.shape[1:]) != expected:
        raise SystemExit(f"inputs must have shape (N, {', '.join(map(str, expected))}), found "
                         f"{tuple(x.shape)}")
    return x


def main(argv=None):
    parser = argparse.ArgumentParser(description="Predict with model.onnx")
    parser.add_argument("input", nargs="?", help="a CSV file or an image")
    parser.add_argument("--npy", help="a .npy array of inputs")
    parser.add_argument("--preprocessed", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--delimiter", help="CSV delimiter (default: the training file's, "
                        "else ','); tab and space are written as words")
    parser.add_argument("--model", default=str(HERE / "model.onnx"))
    args = parser.parse_args(argv)
    if not args.input and not args.npy:
        parser.error("give a CSV file, an image, or --npy FILE")
    import onnxruntime as ort

    meta = json.loads((Path(args.model).with_name("model.json")).read_text())
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    x = check_shape(inputs_for(args, meta), meta)
    logits = session.run(["logits"], {"input": x})[0].astype(np.float64)
    if meta.get("task") == "regression":
        return print_values(meta, logits, args.json)
    temperature = float((meta.get("calibration") or {}).get("temperature") or 1.0)
    logits = logits / temperature  # temperature scaling: calibrated probabilities, same labels
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)
    labels = meta["class_labels"]
    results = [{"index": int(i), "label": labels[int(i)], "probability": float(p[int(i)])}
               for i, p in zip(probs.argmax(axis=1), probs)]
    if args.json:
        print(json.dumps(results))
    else:
        for r in results:
            print(f"{r['label']}\t{r['probability']:.4f}")
    return 0


def print_values(meta, outputs, as_json):
    """Regression: outputs back in the target's units (the training split's mean and std)."""
    scaling = meta["preprocessing"].get("target_scaling") or {"mean": 0.0, "std": 1.0}
    values = outputs * float(scaling["std"]) + float(scaling["mean"])
    if as_json:
        name = (meta.get("class_labels") or ["value"])[0]
        print(json.dumps([{"target": name, "value": float(v[0])} if len(v) == 1
                          else {"target": name, "values": [float(u) for u in v]}
                          for v in values]))
    else:
        for v in values:
            print("\t".join(f"{u:.6g}" for u in v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
