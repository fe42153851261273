"""Architecture and hyperparameter search on Optuna: a search space on the graph spec
(space.py), sampling and validation (sampling.py), strategies (strategies.py, evolution.py),
pruning (pruning.py), study storage (study.py) and one trial = one run (runner.py)."""
