"""``.npz`` arrays: features (any shape) and integer labels, loaded without pickle."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.data.raw import RawData


def load_npz(options: dict[str, Any]) -> RawData:
    if not options.get("path"):
        raise DataError("the npz dataset needs option 'path' (an .npz file)")
    path = Path(str(options["path"]))
    x_key, y_key = str(options.get("x_key", "x")), str(options.get("y_key", "y"))
    if not path.is_file():
        raise DataError(f"{path}: no such .npz file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in (x_key, y_key) if k not in archive.files]
            if missing:
                raise DataError(f"{path}: no array named {', '.join(missing)}; arrays found: "
                                f"{', '.join(archive.files) or 'none'}")
            x, y = archive[x_key], archive[y_key]
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: cannot be read as .npz without pickle ({exc})") from exc
    if len(x) != len(y) or y.ndim != 1:
        raise DataError(f"{path}: '{y_key}' must be one label per sample: expected shape "
                        f"({len(x)},), found {y.shape}")
    if np.issubdtype(x.dtype, np.integer):
        prep, dtype, x = "none", "int64", x.astype(np.int64)
    elif np.issubdtype(x.dtype, np.floating):
        prep, dtype, x = "standardize", "float32", x.astype(np.float32)
    else:
        raise DataError(f"{path}: '{x_key}' must be numbers, found dtype {x.dtype}")
    labels, y_index = np.unique(y, return_inverse=True)
    return RawData(x=x, y=y_index.astype(np.int64), class_names=[str(v) for v in labels],
                   prep=prep, input_dtype=dtype)
