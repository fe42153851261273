"""Regenerate ``tabular.csv``: a made-up plant survey with numeric and categorical columns.

The species follows a clear but noisy rule on leaf size, height, soil pH, habitat and flower
colour, so a small MLP reaches roughly 85-95% accuracy. Deterministic (seed 7).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SPECIES = ["fernleaf", "marshbell", "sunwort"]
HABITATS = ["forest", "meadow", "wetland"]
COLOURS = ["purple", "white", "yellow"]


def main(n: int = 480, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        s = i % 3
        habitat = rng.choice(HABITATS, p=[[0.6, 0.25, 0.15], [0.15, 0.2, 0.65],
                                          [0.15, 0.7, 0.15]][s])
        colour = rng.choice(COLOURS, p=[[0.5, 0.4, 0.1], [0.35, 0.5, 0.15],
                                        [0.1, 0.2, 0.7]][s])
        leaf_length = rng.normal([9.0, 6.0, 4.5][s], 1.4)
        leaf_width = leaf_length * rng.normal([0.35, 0.6, 0.8][s], 0.1)
        height = rng.normal([40, 70, 55][s], 12)
        ph = rng.normal([5.5, 6.8, 7.1][s], 0.5)
        rows.append([f"{leaf_length:.2f}", f"{leaf_width:.2f}", f"{height:.1f}", f"{ph:.2f}",
                     habitat, colour, SPECIES[s]])
    with open(HERE / "tabular.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["leaf_length_cm", "leaf_width_cm", "height_cm", "soil_ph", "habitat",
                         "flower_colour", "species"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to tabular.csv")


if __name__ == "__main__":
    main()
