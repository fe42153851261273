"""A token-sequence task whose label depends on order, for Embedding + LSTM/GRU.

Each sequence holds random filler tokens and exactly one of each marker token A and B; the label
is 1 when A comes before B. Both classes contain the same tokens, so a bag-of-words model is at
chance: only the order tells them apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.data.raw import RawData, int_option

MARKER_A = 1
MARKER_B = 2
FIRST_FILLER = 3


def load_sequence(options: dict[str, Any]) -> RawData:
    n = int_option(options, "n_samples", 1000, 20, 1_000_000)
    length = int_option(options, "seq_len", 12, 3, 1000)
    vocab = int_option(options, "vocab_size", 20, 4, 100_000)
    seed = int_option(options, "seed", 0, 0, 2**31 - 1)
    rng = np.random.default_rng(seed)
    x = rng.integers(FIRST_FILLER, vocab, size=(n, length), dtype=np.int64)
    y = np.arange(n, dtype=np.int64) % 2
    for i in range(n):
        p, q = rng.choice(length, size=2, replace=False)
        first, second = min(p, q), max(p, q)
        a_pos, b_pos = (first, second) if y[i] == 1 else (second, first)
        x[i, a_pos], x[i, b_pos] = MARKER_A, MARKER_B
    return RawData(x=x, y=y, class_names=["B before A", "A before B"], prep="none",
                   input_dtype="int64", extra={"vocab_size": vocab})
