"""TensorFlow Playground's data sets, trained from the command line, watched live if you like.

``python examples/playground.py --data spiral --hidden 8 8 --live`` draws the Playground's
spiral (``neurograph.datasets.make_spiral``), holds a fifth of the points out, trains a 2-8-8-2
tanh network on the rest and prints the accuracy on the held-out points; ``--live`` shows the
diagram, the cost, the decision boundary and every neuron's output over the plane while it
trains (``LiveView``), ``--plots DIR`` saves the pictures.

The four classification sets (circle, xor, gaussians, spiral) have one-hot targets: two
softmax outputs and the cross-entropy cost; the result is the share of held-out points whose
most likely class is right. The two regression sets (plane, multi_gaussian) have one target in
[-1, 1]: one linear output and the quadratic cost; the result is the root-mean-square error
on the held-out points. The data stay in the Playground's coordinates (about [-6, 6]).

The defaults (1,000 points, 200 epochs of mini-batches of 10, Adam at learning rate 0.01,
Glorot weights, no bias clamp, seed 0) took 1.3-1.6 s of training per data set on a 2-core
machine (up to 7 s while it was shared); the held-out results over seeds 0-9 are in the
README's section "The Playground's data sets" (seed 0: 100% on circle, xor and gaussians,
99.5% on spiral, RMSE 0.014 on plane and 0.105 on multi_gaussian). The biases are not
clamped because the data reach 5 or 6: a first-layer neuron whose kink should sit at radius 2.5
needs a bias near 2.5 times its weights.

Run ``python examples/playground.py --help`` for the flags.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

try:
    from neurograph import Adam, Network
except ImportError:  # running from a source checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from neurograph import Adam, Network
from neurograph.cli.main import (dots_per_inch, finite_number, fraction,  # noqa: E402
                                 non_negative_int, positive_int)
from neurograph.datasets import CLASSIFICATION, PLAYGROUND  # noqa: E402

ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--data", choices=list(PLAYGROUND), default="spiral",
                        help="the Playground data set")
    parser.add_argument("--hidden", type=positive_int, nargs="*", default=[8, 8],
                        metavar="N", help="neurons of each hidden layer (none: a linear model)")
    parser.add_argument("--activation", choices=ACTIVATIONS, default="tanh",
                        help="activation of the hidden layers")
    parser.add_argument("--epochs", type=positive_int, default=200,
                        help="passes over the training points")
    parser.add_argument("--batch-size", type=positive_int, default=10,
                        help="points per mini-batch")
    parser.add_argument("--learning-rate", type=finite_number(0.0), default=0.01,
                        help="Adam's step size")
    parser.add_argument("--points", type=positive_int, default=1000,
                        help="points drawn, training and held-out together")
    parser.add_argument("--test-fraction", type=fraction, default=0.2,
                        help="share of the points held out for the result")
    parser.add_argument("--noise", type=finite_number(0.0, above=False), default=0.0,
                        help="the Playground's noise slider / 100 (its range is 0 to 0.5)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seeds the data, the weights and the shuffling")
    parser.add_argument("--quiet", action="store_true", help="print only the result")
    parser.add_argument("--live", action="store_true",
                        help="watch training in a window: the diagram, the cost, the decision "
                             "boundary and each neuron's output over the plane, redrawn every "
                             "--refresh seconds")
    parser.add_argument("--refresh", type=finite_number(0.0, above=False), default=2.0,
                        help="seconds between redraws of --live")
    parser.add_argument("--plots", type=Path, default=None, metavar="DIR",
                        help="write the diagram, the decision boundary and the neuron maps as "
                             "PNG files into DIR")
    parser.add_argument("--dpi", type=dots_per_inch, default=150,
                        help="dots per inch of the --plots pictures")
    return parser.parse_args(argv)


def split(X: np.ndarray, Y: np.ndarray, test_fraction: float):
    """The first ``round(test_fraction * n)`` rows held out (the rows come shuffled), the rest
    for training: ``X_train, Y_train, X_test, Y_test``; SystemExit if either part is empty."""
    n_test = int(round(test_fraction * len(X)))
    if not 0 < n_test < len(X):
        raise SystemExit(f"--test-fraction {test_fraction} of {len(X)} points leaves "
                         f"{n_test} held out and {len(X) - n_test} to train on; both must be "
                         f"at least 1")
    return X[n_test:], Y[n_test:], X[:n_test], Y[:n_test]


def build(data: str, hidden, activation: str, seed) -> Network:
    """The network for ``data``: 2 inputs, the ``hidden`` layers, two softmax outputs with the
    cross-entropy cost (classification) or one linear output with the quadratic cost."""
    classify = data in CLASSIFICATION
    return Network.layered([2, *hidden, 2 if classify else 1], activation=activation,
                           output_activation="softmax" if classify else "identity",
                           cost="cross_entropy" if classify else "quadratic",
                           init="he" if "relu" in activation else "xavier", seed=seed,
                           bias_clamp=None)


def score(net: Network, X: np.ndarray, Y: np.ndarray, classify: bool) -> float:
    """Accuracy (the share of rows whose largest output is the one-hot class) or RMSE."""
    predicted = net.predict(X)
    if classify:
        return float(np.mean(predicted.argmax(axis=1) == Y.argmax(axis=1)))
    return float(np.sqrt(np.mean((predicted - Y) ** 2)))


def main(argv=None) -> dict:
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    X, Y = PLAYGROUND[args.data](args.points, args.noise, seed=rng)
    X_train, Y_train, X_test, Y_test = split(X, Y, args.test_fraction)
    classify = args.data in CLASSIFICATION
    net = build(args.data, args.hidden, args.activation, rng)
    say = (lambda *a: None) if args.quiet else print
    say(f"{args.data}: {len(X_train)} training and {len(X_test)} held-out points, noise "
        f"{args.noise}; {net}; {args.epochs} epochs, batch {args.batch_size}, Adam "
        f"{args.learning_rate}")
    view = None
    if args.live:
        from neurograph import LiveView

        view = LiveView(X_train, Y_train, refresh=args.refresh)
    start = time.perf_counter()
    history = net.fit(X_train, Y_train, epochs=args.epochs, batch_size=args.batch_size,
                      optimizer=Adam(args.learning_rate), seed=rng, progress=False,
                      callbacks=None if view is None else [view])
    seconds = time.perf_counter() - start
    what = "accuracy" if classify else "rmse"
    figures = {"train_" + what: score(net, X_train, Y_train, classify),
               "test_" + what: score(net, X_test, Y_test, classify),
               "final_cost": history.cost[-1], "seconds": seconds, "network": net}
    shown = (lambda v: f"{v:.1%}") if classify else (lambda v: f"{v:.4f}")
    print(f"{args.data}: {'accuracy' if classify else 'RMSE'} on the {len(X_test)} held-out "
          f"points {shown(figures['test_' + what])}, on the {len(X_train)} training points "
          f"{shown(figures['train_' + what])} (seed {args.seed}, {seconds:.1f} s of training)")
    if view is not None:
        figures["live_draws"] = view.draws
        view.keep_open()  # until the window is closed
    if args.plots is not None:
        figures["plots"] = write_plots(net, X_train, Y_train, args.data, args.plots,
                                       dpi=args.dpi)
        print(f"pictures written to {args.plots}: {', '.join(p.name for p in figures['plots'])}")
    return figures


def write_plots(net: Network, X: np.ndarray, Y: np.ndarray, data: str, folder: Path, *,
                dpi: int = 150) -> list[Path]:
    """The diagram (activations of the first point), the output over the plane with the
    training points on top (class 1's probability for a classification set, the prediction
    for a regression set), and every neuron's activation over the plane, as PNG files in
    ``folder`` at ``dpi`` dots per inch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurograph import draw_network, plot_decision_boundary, plot_neuron_maps

    folder.mkdir(parents=True, exist_ok=True)
    classify = data in CLASSIFICATION
    net.propagate(X[0])
    ax = draw_network(net, max_neurons=24, max_connections=120)
    ax.set_title(f"{data}, {'-'.join(map(str, net.sizes))} after training; activations of "
                 f"the point {X[0].round(2)}", fontsize=9, pad=24)
    figures = [("network.png", ax.figure)]
    # One-hot rows: the image is output 1, class 1's probability, so the red side is class 1.
    ax = plot_decision_boundary(net, X, Y, output=1 if classify else 0,
                                threshold=0.5 if classify else None)
    ax.set_title(f"{data}: " + ("probability of class 1" if classify else "prediction")
                 + " over the plane, training points on top", fontsize=9)
    figures.append(("decision_boundary.png", ax.figure))
    figures.append(("neuron_maps.png", plot_neuron_maps(net, X, resolution=40)))
    paths = []
    for name, figure in figures:
        figure.savefig(folder / name, dpi=dpi)
        plt.close(figure)
        paths.append(folder / name)
    return paths


if __name__ == "__main__":
    main()
