"""What LiveView adds to training time at its default refresh (issue 13: at most 10%).

Fits the same network from the same start with and without ``LiveView`` (default refresh),
alternately in one process, headless (Agg, where each redraw renders the figure on its
canvas), and prints each run's ratio (with / without), the median and the range. Two set-ups:

- ``xor``: examples/xor.py's 2-64-1 ReLU network, 1,000 points, batch 5, 100 epochs;
- ``spiral``: a 2-64-64-1 tanh network on 2,000 points of two spirals, batch 10, more epochs
  (1,000 epochs by default: about 13 s of training here).

The first run of each pays matplotlib's warm-up (fonts, first figure); the median is over all.
Nothing is asserted: this is a measurement.

    python benchmarks/bench_live.py [--repeats 5] [--only xor|spiral] [--spiral-epochs 1000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neurograph import LiveView, Network  # noqa: E402


def xor_setup():
    rng = np.random.default_rng(0)
    X = rng.random((1000, 2))
    Y = ((X[:, :1] >= 0.5) != (X[:, 1:] >= 0.5)).astype(float)
    make = lambda: Network.layered([2, 64, 1], activation="relu",  # noqa: E731
                                   output_activation="identity", cost="quadratic", init="he",
                                   seed=0)
    return make, X - 0.5, Y, {"epochs": 100, "batch_size": 5, "learning_rate": 0.05}


def spiral_setup(epochs: int):
    rng = np.random.default_rng(0)
    t = rng.uniform(0.25, 3.0, 1000) * np.pi
    arms = [np.column_stack([t * np.cos(t + s), t * np.sin(t + s)]) / 10 for s in (0, np.pi)]
    X = np.concatenate(arms) + rng.normal(0, 0.02, (2000, 2))
    Y = np.repeat([[0.0], [1.0]], 1000, axis=0)
    make = lambda: Network.layered([2, 64, 64, 1], activation="tanh",  # noqa: E731
                                   output_activation="sigmoid", cost="cross_entropy", seed=0)
    return make, X, Y, {"epochs": epochs, "batch_size": 10, "learning_rate": 0.1}


def timed(make, X, Y, settings, live: bool) -> tuple[float, int]:
    view = LiveView(X, Y) if live else None
    started = time.perf_counter()
    make().fit(X, Y, seed=1, progress=False, callbacks=[view] if live else None, **settings)
    seconds = time.perf_counter() - started
    if view is not None:
        plt.close(view.figure)
    return seconds, (view.draws, view.seconds) if view else (0, 0.0)


def compare(name: str, setup, repeats: int) -> dict:
    make, X, Y, settings = setup
    ratios, plain, draws, own = [], [], [], []
    for _ in range(repeats):
        without, _ = timed(make, X, Y, settings, False)
        with_view, (n, view_seconds) = timed(make, X, Y, settings, True)
        ratios.append(with_view / without)
        plain.append(without)
        draws.append(n)
        own.append(view_seconds / (with_view - view_seconds))  # the view's time, by its clock
    median = statistics.median(ratios)
    print(f"{name}: training {statistics.median(plain):.2f} s (median) without the view; "
          f"with / without {', '.join(f'{r:.3f}' for r in ratios)}; median {median:.3f}, "
          f"range {min(ratios):.3f}-{max(ratios):.3f}; redraws {draws}; the view's own time "
          f"over the training's {', '.join(f'{r:.1%}' for r in own)} (median "
          f"{statistics.median(own):.1%})")
    return {"ratios": ratios, "median": median, "seconds": plain, "draws": draws,
            "own": own}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=["xor", "spiral"], default=None)
    parser.add_argument("--spiral-epochs", type=int, default=1000)
    args = parser.parse_args(argv)
    results = {}
    if args.only in (None, "xor"):
        results["xor"] = compare("xor 2-64-1, 100 epochs", xor_setup(), args.repeats)
    if args.only in (None, "spiral"):
        results["spiral"] = compare(f"spiral 2-64-64-1, {args.spiral_epochs} epochs",
                                    spiral_setup(args.spiral_epochs), args.repeats)
    return results


if __name__ == "__main__":
    main()
