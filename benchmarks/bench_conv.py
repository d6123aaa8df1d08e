#!/usr/bin/env python
"""Convolution benchmarks for issue 6: a static convolution front-end against the bare head.

Measured in this one process, alternately, so that the machine's current speed cancels out of
the ratios (only ratios and medians mean anything on a shared, noisy machine):

1. ``epoch``: one epoch over the 60,000 MNIST training images of the README's static
   network, ``convolution()`` (the twelve fixed 3 x 3 edge and line detectors, ReLU) ->
   ``max_pooling(3)`` -> 256 ReLU -> 10 softmax, against the same dense head without the
   front-end, 784 -> 256 -> 10. Both: cross-entropy, He initialisation, float32, mini-batches of
   64, learning rate 0.05, momentum 0.9. Issue target: ratio <= 3.
2. ``object``: samples per second of the object engine, neuron by neuron, on the same
   convolutional network, over a few hundred images; it must end where the vectorized engine
   does (max |difference| of every parameter < 1e-9, in float64).

BLAS runs single-threaded (``--blas-threads``), on both sides alike. Timing is never asserted;
``python benchmarks/bench_conv.py --help`` lists the flags.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def _blas_threads(argv) -> int:
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--blas-threads", type=int, default=1)
    return early.parse_known_args(argv)[0].blas_threads


if __name__ == "__main__" and _blas_threads(sys.argv[1:]) > 0:
    os.environ["OPENBLAS_NUM_THREADS"] = str(_blas_threads(sys.argv[1:]))

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # benchmark this checkout, installed or not

from neurograph import Network  # noqa: E402
from neurograph.convolution import convolution, max_pooling  # noqa: E402

MNIST_FOLDER = REPO.parent / "shared" / "data" / "mnist"
HEAD = [256, 10]
TRAINING = dict(batch_size=64, learning_rate=0.05, momentum=0.9, progress=False)


def load_data(dtype: str):
    """The MNIST training set (the full one beside the repo if there, else what load_mnist
    finds, tiled to 60,000 rows for timing) and a description."""
    from neurograph.datasets import load_mnist

    data = load_mnist(MNIST_FOLDER if MNIST_FOLDER.is_dir() else None, download=False)
    X, Y = data.training_set(dtype=dtype)
    if len(X) < 60_000:
        repeats = -(-60_000 // len(X))
        X, Y = np.tile(X, (repeats, 1))[:60_000], np.tile(Y, (repeats, 1))[:60_000]
    return X, Y, f"{data.source}{' (tiled)' if data.is_sample else ''}"


def convolutional(dtype: str, seed: int = 0) -> Network:
    return Network.convolutional((28, 28), [convolution(), max_pooling(3)], HEAD, seed=seed,
                                 dtype=dtype)


def dense(dtype: str, seed: int = 0) -> Network:
    return Network.layered([784, *HEAD], activation="relu", output_activation="softmax",
                           cost="cross_entropy", init="he", seed=seed, bias_clamp=None,
                           dtype=dtype)


def epoch_seconds(net: Network, X, Y, seed: int) -> float:
    started = time.perf_counter()
    net.fit(X, Y, epochs=1, seed=seed, **TRAINING)
    return time.perf_counter() - started


def bench_epoch(repeats: int) -> None:
    X, Y, source = load_data("float32")
    print(f"epoch: one epoch of {len(X):,} images ({source}), float32, batch 64")
    nets = {"conv": convolutional("float32"), "dense": dense("float32")}
    print(f"  conv:  {nets['conv']}")
    print(f"  dense: {nets['dense']}")
    times = {name: [] for name in nets}
    for repeat in range(repeats):
        for name, net in nets.items():  # alternately, so both see the same machine
            times[name].append(epoch_seconds(net, X, Y, seed=repeat))
        ratio = times["conv"][-1] / times["dense"][-1]
        print(f"  run {repeat + 1}: conv {times['conv'][-1]:.2f} s, dense "
              f"{times['dense'][-1]:.2f} s, ratio {ratio:.2f}", flush=True)
    ratios = [c / d for c, d in zip(times["conv"], times["dense"])]
    print(f"  median: conv {statistics.median(times['conv']):.2f} s, dense "
          f"{statistics.median(times['dense']):.2f} s; median ratio "
          f"{statistics.median(ratios):.2f} (target <= 3)")


def bench_object(samples: int) -> None:
    X, Y, source = load_data("float64")
    X, Y = X[:samples], Y[:samples]
    print(f"object: {samples} images ({source}), float64, batch 10, object engine vs vectorized")
    nets = {engine: convolutional("float64") for engine in ("object", "vectorized")}
    seconds = {}
    for engine, net in nets.items():
        started = time.perf_counter()
        net.fit(X, Y, epochs=1, engine=engine, seed=0, **dict(TRAINING, batch_size=10))
        seconds[engine] = time.perf_counter() - started
    worst = max(float(np.abs(a - b).max()) for la, lb in zip(nets["object"].receiving_layers,
                                                              nets["vectorized"].receiving_layers)
                for a, b in zip(la._save_state(), lb._save_state()) if a.size)
    print(f"  object engine: {seconds['object']:.1f} s, {samples / seconds['object']:.0f} "
          f"samples/s; vectorized: {seconds['vectorized']:.2f} s")
    print(f"  engines agree: max |parameter difference| = {worst:.1e} "
          f"({'ok' if worst < 1e-9 else 'DIFFERENT'}, tolerance 1e-9)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["epoch", "object"], default=None)
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per network")
    parser.add_argument("--object-samples", type=int, default=300)
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads (0: the library's default)")
    args = parser.parse_args(argv)
    if args.only in (None, "epoch"):
        bench_epoch(args.repeats)
    if args.only in (None, "object"):
        bench_object(args.object_samples)


if __name__ == "__main__":
    main()
