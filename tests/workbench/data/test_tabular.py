"""The tabular encoder does what scikit-learn's imputers, scaler and one-hot encoder do."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data.tabular import encode_tabular, fit_tabular


def columns(n=80, seed=0):
    rng = np.random.default_rng(seed)
    size = np.array([f"{v:.3f}" for v in rng.normal(5, 2, n)], dtype=object)
    size[rng.random(n) < 0.2] = "NA"
    colour = rng.choice(["red", "green", "blue", "?"], n).astype(object)
    return {"size": size, "colour": colour}


@pytest.mark.parametrize("indicator", [False, True])
def test_matches_scikit_learn_pipeline(indicator):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    data = columns()
    train = np.arange(60)
    pre = fit_tabular(data, ["size"], train, "label", missing_indicator=indicator)
    size = np.array([np.nan if v == "NA" else float(v) for v in data["size"]])[:, None]
    colour = np.array(["missing" if v == "?" else v for v in data["colour"]],
                      dtype=object)[:, None]
    numeric = ColumnTransformer([("scaled", make_pipeline(SimpleImputer(strategy="median"),
                                                          StandardScaler()), [0])]
                                + ([("flag", SimpleImputer(strategy="median", add_indicator=True),
                                     [0])] if indicator else []))
    onehot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    numeric.fit(size[train])
    onehot.fit(colour[train])
    reference_numeric = numeric.transform(size)
    if indicator:  # the flag pipeline yields [imputed, indicator]; keep the indicator
        reference_numeric = reference_numeric[:, [0, 2]]
    reference = np.concatenate([reference_numeric, onehot.transform(colour)], axis=1)
    ours = encode_tabular(pre, data)
    # our columns: size (+ size_missing), then colour one-hot; sklearn sorts categories too
    assert pre["feature_names"][:2] == (["size", "size_missing"] if indicator else
                                        ["size", "colour=blue"])
    assert np.allclose(ours, reference, atol=1e-5)


def test_unseen_category_is_all_zeros_and_missing_numbers_need_a_median():
    pre = fit_tabular(columns(), ["size"], np.arange(60), "label")
    x = encode_tabular(pre, {"size": np.array(["1.0"]), "colour": np.array(["purple"])})
    assert np.all(x[0, 1:] == 0)
    old = {**pre, "columns": [{k: v for k, v in pre["columns"][0].items() if k != "median"},
                              pre["columns"][1]]}
    from workbench.data import DataError

    with pytest.raises(DataError, match="column 'size' is numeric but row 1 has no value"):
        encode_tabular(old, {"size": np.array(["NA"]), "colour": np.array(["red"])})


def test_a_category_saved_as_a_missing_token_keeps_its_column():
    """Runs fitted before '?' meant missing have '?' as a category: it still encodes there."""
    old = {"kind": "tabular", "columns": [{"name": "c", "type": "categorical",
                                           "categories": ["?", "a"]}]}
    x = encode_tabular(old, {"c": np.array(["?", "a", ""])})
    assert x.tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
