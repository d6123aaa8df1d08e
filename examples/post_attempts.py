"""The Kotlin post's four networks on MNIST, trained as the post trains them, both ways.

The post tries four networks (see ``neurograph.post``) and trains each for 12 iterations of
10,000 shuffled training images, mini-batches of ``50 + 10 i`` images at step size
``0.97 ** i`` in iteration ``i``, testing every 25 mini-batches. Its code averages a hidden
neuron's derivatives over its outgoing connections where the chain rule sums them; this
script trains every attempt once with the post's averaging (``hidden_derivative="mean"``) and
once with the sum, prints the accuracies beside the post's, and, with ``--plots DIR``, draws
the post's chart for each attempt: the average cost and the test success rate against the
training samples seen.

    python examples/post_attempts.py --data ../shared/data/mnist --plots docs/images
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one BLAS thread is best

try:
    from neurograph.datasets import load_mnist
except ImportError:  # running from a source checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from neurograph.datasets import load_mnist
from neurograph.cli.main import dots_per_inch, non_negative_int, positive_int  # noqa: E402
from neurograph.post import POST_ACCURACY, post_network  # noqa: E402
from neurograph.training import Schedule  # noqa: E402

WAYS = ("mean", "sum")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--attempts", type=int, nargs="+", default=[1, 2, 3, 4],
                        choices=[1, 2, 3, 4], help="which of the post's attempts to train")
    parser.add_argument("--iterations", type=positive_int, default=12, help="the post's 12")
    parser.add_argument("--epoch-size", type=positive_int, default=10_000,
                        help="training images per iteration (the post's 10,000)")
    parser.add_argument("--test-every", type=positive_int, default=25,
                        help="mini-batches between tests (the post's 25)")
    parser.add_argument("--test-limit", type=positive_int, default=None,
                        help="test on the first N test images only")
    parser.add_argument("--data", type=Path, default=None, help="folder of the MNIST files")
    parser.add_argument("--no-download", action="store_true",
                        help="never download the full MNIST set; without it on disk, use the "
                             "bundled sample")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seeds the weights and the order of the samples")
    parser.add_argument("--plots", type=Path, default=None, metavar="DIR",
                        help="write post_attempt_N.png charts into DIR")
    parser.add_argument("--dpi", type=dots_per_inch, default=150,
                        help="dots per inch of the --plots charts")
    parser.add_argument("--quiet", action="store_true", help="print only the final figures")
    return parser.parse_args(argv)


def train(attempt: int, way: str, data, args: argparse.Namespace) -> dict:
    """One attempt trained one way: its history and its final test accuracy."""
    X, Y = data["train"]
    X_test, Y_test = data["test"]
    net = post_network(attempt, seed=args.seed)
    net.hidden_derivative = way
    history = net.fit(X, Y, epochs=args.iterations, epoch_size=min(args.epoch_size, len(X)),
                      batch_size=Schedule(50, step=10), learning_rate=Schedule(1.0, factor=0.97),
                      evaluate_every=args.test_every, validation=(X_test, Y_test),
                      seed=args.seed, progress=False)
    return {"history": history, "accuracy": net.evaluate(X_test, Y_test)["accuracy"],
            "network": net}


def main(argv=None) -> dict:
    args = parse_args(argv)
    mnist = load_mnist(args.data, download=not args.no_download)
    data = {"train": mnist.training_set(), "test": mnist.test_set(limit=args.test_limit)}
    print(f"MNIST: {len(data['train'][0]):,} training and {len(data['test'][0]):,} test images "
          f"({mnist.source})")
    results = {}
    for attempt in args.attempts:
        results[attempt] = {way: train(attempt, way, data, args) for way in WAYS}
        line = "  ".join(f"{way} {results[attempt][way]['accuracy']:.2%}" for way in WAYS)
        if not args.quiet:
            print(f"attempt {attempt}: {results[attempt]['sum']['network']!r}: the post "
                  f"{POST_ACCURACY[attempt]:.1%}, ours {line}")
    if args.plots is not None:
        args.plots.mkdir(parents=True, exist_ok=True)
        for attempt, runs in results.items():
            path = args.plots / f"post_attempt_{attempt}.png"
            draw_chart(attempt, runs, path, dpi=args.dpi)
            runs["chart"] = path
    return results


def draw_chart(attempt: int, runs: dict, path: Path, dpi: int = 150) -> None:
    """Write :func:`chart` to ``path`` at ``dpi`` dots per inch."""
    import matplotlib.pyplot as plt

    figure = chart(attempt, runs)
    figure.savefig(path, dpi=dpi)
    plt.close(figure)


def chart(attempt: int, runs: dict):
    """The post's chart: average training cost (left) and test success rate (right) against
    the training samples seen, for the averaging and the sum; returns the figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, cost_axes = plt.subplots(figsize=(7.5, 4.6), dpi=120, layout="constrained")
    rate_axes = cost_axes.twinx()
    for way, style in zip(WAYS, ("--", "-")):
        history = runs[way]["history"]
        seen = history.evaluation_samples
        cost_axes.plot(seen, history.evaluation_training_cost, style, color="tab:red",
                       label=f"average cost ({way})")
        rate_axes.plot(seen, [100 * a for a in history.evaluation_accuracy], style,
                       color="tab:blue", label=f"test success rate ({way})")
    rate_axes.axhline(100 * POST_ACCURACY[attempt], color="grey", linewidth=0.8, linestyle=":",
                      label=f"the post: {POST_ACCURACY[attempt]:.1%}")
    cost_axes.set_xlabel("training samples seen")
    cost_axes.set_ylabel("average cost (quadratic)", color="tab:red")
    rate_axes.set_ylabel("test success rate (%)", color="tab:blue")
    rate_axes.set_ylim(0, 100)
    cost_axes.set_ylim(bottom=0)
    lines = cost_axes.get_legend_handles_labels()
    more = rate_axes.get_legend_handles_labels()
    figure.legend(lines[0] + more[0], lines[1] + more[1], loc="outside lower center", ncol=3,
                  fontsize=8)
    cost_axes.set_title(f"attempt {attempt}: {runs['sum']['network']!r}", fontsize=9)
    return figure


if __name__ == "__main__":
    main()
