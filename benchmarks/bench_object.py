#!/usr/bin/env python
"""The object engine against a plain-Python object graph (issue 16, point 3), as ratios.

neurograph's object engine (``fit(engine="object")``) trains 784-16-10, sigmoid everywhere,
quadratic cost, uniform initialisation, batch 10, learning rate 3.0, the post's bias clamp
(-0.8, 0.8), one epoch over the first ``--samples`` images of the bundled MNIST sample;
:class:`naive_objects.PyNetwork` (floats in slotted neuron and connection objects, the post's
eight steps) trains from the same parameters on the same batches. The two run alternately in
this one process; each run's ratio (neurograph samples/s over the reference's), their median and
range are printed. Issue target: median ratio >= 1.0.

Before timing, both sides train a tiny 5-4-3 network for a few batches and must agree to 1e-12
(the same maths); after each timed run the 784-16-10 parameters are compared too.

``--profile`` runs cProfile over one object-engine epoch and prints the top entries by
cumulative and by own time, each with its number of calls.
Timing is never asserted; ``python benchmarks/bench_object.py --help`` lists the flags.
"""
from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # one BLAS thread, set before numpy is imported
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # benchmark this checkout, installed or not

from naive_objects import PyNetwork  # noqa: E402
from neurograph import Network  # noqa: E402

SIZES = [784, 16, 10]
BATCH, LEARNING_RATE = 10, 3.0
SEED_INIT, SEED_SHUFFLE = 0, 1
BIAS_CLAMP = (-0.8, 0.8)
TOLERANCE = 1e-9
TINY_TOLERANCE = 1e-12


def load_sample(samples: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``samples`` training images of the bundled sample (float64 in [0, 1]) and
    their one-hot labels."""
    from neurograph.io.datasets import _load_sample
    data = _load_sample()
    X = data.train_images[:samples].reshape(samples, -1).astype(np.float64) / 255.0
    Y = np.eye(10)[data.train_labels[:samples]]
    return np.ascontiguousarray(X), Y


def new_pair(sizes) -> tuple[Network, PyNetwork]:
    """A neurograph network and the plain-Python graph starting from its parameters."""
    net = Network.layered(sizes, activation="sigmoid", cost="quadratic", init="uniform",
                          seed=SEED_INIT, bias_clamp=BIAS_CLAMP)
    weights = [layer.weights.tolist() for layer in net.receiving_layers]
    biases = [layer.biases.tolist() for layer in net.receiving_layers]
    return net, PyNetwork(weights, biases, BIAS_CLAMP)


def difference(net: Network, reference: PyNetwork) -> float:
    """The largest |difference| between the two sides' weights and biases."""
    ours = []
    for layer in net.receiving_layers:
        ours += [layer.weights, layer.biases]
    return max(float(np.max(np.abs(a - np.asarray(b)))) for a, b in
               zip(ours, reference.parameters()))


def fit_both(net, reference, X, Y, python_first: bool = True) -> dict:
    """One epoch on each side, same batches, in the order asked; returns their seconds."""
    order = np.random.default_rng(SEED_SHUFFLE).permutation(len(X)).tolist()
    X_list, Y_list = X.tolist(), Y.tolist()  # the reference reads Python floats
    times = {}

    def run_python():
        start = time.perf_counter()
        reference.fit(X_list, Y_list, BATCH, LEARNING_RATE, order)
        times["python"] = time.perf_counter() - start

    def run_neurograph():
        start = time.perf_counter()
        net.fit(X, Y, epochs=1, batch_size=BATCH, learning_rate=LEARNING_RATE, engine="object",
                seed=SEED_SHUFFLE, progress=False)
        times["neurograph"] = time.perf_counter() - start

    for run in ((run_python, run_neurograph) if python_first else (run_neurograph, run_python)):
        run()
    return times


def check_tiny() -> float:
    """5-4-3 on 30 random samples, three batches: the two sides must compute the same."""
    rng = np.random.default_rng(7)
    X, Y = rng.random((30, 5)), rng.random((30, 3))
    net, reference = new_pair([5, 4, 3])
    fit_both(net, reference, X, Y)
    return difference(net, reference)


def bench(X, Y, repeats: int) -> dict:
    """Alternate the two sides ``repeats`` times; per-run ratios, median and range."""
    ratios, worst = [], 0.0
    for r in range(repeats):
        net, reference = new_pair(SIZES)
        times = fit_both(net, reference, X, Y, python_first=r % 2 == 0)
        worst = max(worst, difference(net, reference))
        ng, py = len(X) / times["neurograph"], len(X) / times["python"]
        ratios.append(ng / py)
        print(f"  run {r + 1}: neurograph {ng:.0f} samples/s, python {py:.0f} samples/s, "
              f"ratio {ng / py:.3f}")
    print(f"  median ratio {statistics.median(ratios):.3f} (range {min(ratios):.3f}-"
          f"{max(ratios):.3f}); parameters agree: {'yes' if worst < TOLERANCE else 'NO'} "
          f"(max |difference| {worst:.1e})")
    return {"ratios": ratios, "difference": worst}


def profile(X, Y, top: int) -> None:
    """cProfile over one object-engine epoch: top entries by cumulative and by own time."""
    net, _ = new_pair(SIZES)
    profiler = cProfile.Profile()
    profiler.enable()
    net.fit(X, Y, epochs=1, batch_size=BATCH, learning_rate=LEARNING_RATE, engine="object",
            seed=SEED_SHUFFLE, progress=False)
    profiler.disable()
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        print(f"\n  -- profile of one epoch over {len(X)} samples, sorted by {key} --")
        print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


def main(argv=None) -> int:
    """Parse the flags, check agreement, time the two sides, optionally profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300,
                        help="images per epoch (first of the bundled sample; default 300)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="alternating runs of each side (default 3)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one object-engine epoch with cProfile")
    parser.add_argument("--top", type=int, default=20, help="profile entries shown (default 20)")
    args = parser.parse_args(argv)
    if args.samples < BATCH or args.repeats < 1:
        parser.error(f"--samples must be >= {BATCH} and --repeats >= 1")
    tiny = check_tiny()
    print(f"5-4-3 tiny net, 3 batches: max |difference| {tiny:.1e} "
          f"({'same maths' if tiny < TINY_TOLERANCE else 'DIFFERENT'})")
    X, Y = load_sample(args.samples)
    print(f"784-16-10 sigmoid, quadratic, batch {BATCH}, lr {LEARNING_RATE}, bias clamp "
          f"{BIAS_CLAMP}, {len(X)} bundled MNIST images, {args.repeats} alternating runs, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    bench(X, Y, args.repeats)
    if args.profile:
        profile(X, Y, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
