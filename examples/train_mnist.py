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
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# One BLAS thread unless you say otherwise: the matrices of a mini-batch are small, and on a
# busy 2-core machine OpenBLAS's spinning threads made an epoch 20x slower than one thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    from neurograph import Network
except ImportError:  # running from a source checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from neurograph import Network
from neurograph.datasets import load_mnist


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--hidden", type=int, nargs="*", default=[128],
                        help="hidden layer sizes (none for 784-10)")
    parser.add_argument("--activation", default="relu", help="hidden layers' activation")
    parser.add_argument("--output", default="softmax", help="output layer's activation")
    parser.add_argument("--cost", default="cross_entropy",
                        help="quadratic, cross_entropy (softmax) or binary_cross_entropy")
    parser.add_argument("--init", default="he", choices=["uniform", "xavier", "he"])
    parser.add_argument("--bias-clamp", type=float, default=None, metavar="C",
                        help="clamp biases to [-C, C] after each nudge (the post: 0.8)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--engine", default="vectorized", choices=["vectorized", "object"])
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first N training images only")
    parser.add_argument("--data", type=Path, default=None,
                        help="folder holding the four MNIST files (else $NEUROGRAPH_DATA, "
                             "then the user cache)")
    parser.add_argument("--no-download", action="store_true",
                        help="never download; fall back to the bundled sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--quiet", action="store_true", help="no progress bar or epoch lines")
    parser.add_argument("--plots", type=Path, default=None, metavar="DIR",
                        help="write training curves, first-layer weight images, the confusion "
                             "matrix and the diagram as PNG files into DIR")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be a positive integer, got {args.limit}")
    if args.bias_clamp is not None and not args.bias_clamp > 0:
        parser.error(f"--bias-clamp must be positive, got {args.bias_clamp}")
    return args


def main(argv=None) -> dict:
    """Train as the flags say; return the figures (test accuracy, cost, seconds, data used)."""
    args = parse_args(argv)
    data = load_mnist(args.data, download=not args.no_download)
    X, Y = data.training_set(dtype=args.dtype, limit=args.limit)
    X_test, Y_test = data.test_set(dtype=args.dtype)
    clamp = None if args.bias_clamp is None else (-args.bias_clamp, args.bias_clamp)
    net = Network.layered([784, *args.hidden, 10], activation=args.activation,
                          output_activation=args.output, cost=args.cost, init=args.init,
                          seed=args.seed, bias_clamp=clamp, dtype=args.dtype)
    print(f"{net} on {len(X):,} training images ({data.source}), {args.engine} engine")
    started = time.perf_counter()
    history = net.fit(X, Y, epochs=args.epochs, batch_size=args.batch_size,
                      learning_rate=args.learning_rate, momentum=args.momentum,
                      engine=args.engine, seed=args.seed, progress=not args.quiet,
                      validation=None if args.plots is None else (X_test, Y_test))
    seconds = time.perf_counter() - started
    test = net.evaluate(X_test, Y_test)
    print(f"test accuracy: {test['accuracy']:.2%} on {len(X_test):,} test images "
          f"(cost {test['cost']:.4f}; trained {args.epochs} epochs in {seconds:.1f} s)")
    figures = {"test_accuracy": test["accuracy"], "test_cost": test["cost"],
               "train_accuracy": history.accuracy[-1], "seconds": seconds,
               "source": data.source, "is_sample": data.is_sample, "network": net,
               "history": history}
    if args.plots is not None:
        figures["plots"] = write_plots(net, history, X_test, data.test_labels, args.plots)
        print(f"pictures written to {args.plots}: {', '.join(p.name for p in figures['plots'])}")
    return figures


def write_plots(net: Network, history, X_test, labels, folder: Path) -> list:
    """Training curves (the test set as validation), the first layer's incoming weights as
    28 x 28 images, the confusion matrix on the test set, and the diagram (activations of the
    first test image), as PNG files in ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurograph import draw_network, plot_confusion_matrix, plot_history, plot_weights

    folder.mkdir(parents=True, exist_ok=True)
    axes = plot_history(history)
    figures = [("history.png", axes[0].figure)]
    figures.append(("weights.png", plot_weights(net.receiving_layers[0], max_neurons=64).figure))
    figures.append(("confusion.png", plot_confusion_matrix(net, X_test, labels).figure))
    net.propagate(X_test[0])
    figures.append(("network.png", draw_network(net).figure))
    paths = []
    for name, figure in figures:
        figure.savefig(folder / name, dpi=80, bbox_inches="tight")
        plt.close(figure)
        paths.append(folder / name)
    return paths


if __name__ == "__main__":
    main()
