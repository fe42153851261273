"""Datasets: built-in offline sets, CSV files, image folders and .npz arrays, split and
preprocessed with statistics fitted on the training split only.

Importing this package loads neither torch nor scikit-learn.
"""

from workbench.data.dataset import Dataset, DatasetSpec
from workbench.data.errors import DataError
from workbench.data.registry import dataset_info, list_datasets, load_dataset, register_dataset

__all__ = ["DataError", "Dataset", "DatasetSpec", "dataset_info", "list_datasets",
           "load_dataset", "register_dataset"]
