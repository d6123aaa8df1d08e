"""Train a neurograph network on MNIST and report its accuracy on the test set.

The default run trains 784-128-10 (ReLU hidden layer, softmax output with cross-entropy, He
initialisation, SGD with momentum, float32) for a few epochs on the vectorized engine. It
uses the full MNIST set when it is on disk or can be downloaded (``--no-download`` forbids
that), and otherwise the real sample of 10,000 training and 2,000 test images bundled with
neurograph.

The post's own network (784-16-10, sigmoid, quadratic cost, bias clamped to +-0.8)::

    python examples/train_mnist.py --hidden 16 --activation sigmoid --output sigmoid \\
        --cost quadratic --init uniform --bias-clamp 0.8 --momentum 0 --learning-rate 0.5 \\
        --batch-size 10 --epochs 20 --dtype float64

The readable object engine, neuron by neuron, on a few hundred images::

    python examples/train_mnist.py --engine object --limit 500 --hidden 16 --epochs 1

``neurograph train-mnist`` trains the same way and saves the model (``-o mnist.json``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# One BLAS thread unless you say otherwise: the matrices of a mini-batch are small, and on a
# busy 2-core machine OpenBLAS's spinning threads made an epoch 20x slower than one thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    from neurograph.cli import (add_train_mnist_arguments, check_train_mnist_arguments,
                                train_mnist, write_training_plots)
except ImportError:  # running from a source checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from neurograph.cli import (add_train_mnist_arguments, check_train_mnist_arguments,
                                train_mnist, write_training_plots)

# The flags and the training are defined once, in neurograph.cli, and shared with the
# `neurograph train-mnist` command (which also saves the model).
write_plots = write_training_plots  # its name when it lived here


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_train_mnist_arguments(parser)
    args = parser.parse_args(argv)
    check_train_mnist_arguments(parser, args)
    return args


def main(argv=None) -> dict:
    """Train as the flags say; return the figures (test accuracy, cost, seconds, data used)."""
    return train_mnist(parse_args(argv))


if __name__ == "__main__":
    main()
