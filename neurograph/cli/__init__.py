"""The command line: ``neurograph train-mnist``, ``info``, ``draw``, ``predict``, ``gradcheck``.

``examples/train_mnist.py`` shares the train-mnist flags and training through the names
re-exported here.
"""
from .main import (add_train_mnist_arguments, check_train_mnist_arguments, main, train_mnist,
                   write_training_plots)

__all__ = ["main", "add_train_mnist_arguments", "check_train_mnist_arguments", "train_mnist",
           "write_training_plots"]
