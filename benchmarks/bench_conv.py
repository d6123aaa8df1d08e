#!/usr/bin/env python
"""Convolution benchmarks for issue 6: a static convolution front-end against the bare head.

Measured in this one process, alternately, so that the machine's current speed cancels out of
the ratios (only ratios and medians mean anything on a shared, noisy machine):

1. ``epoch``: one epoch over the 60,000 MNIST training images of the README's static
   network, ``convolution()`` (the twelve fixed 3 x 3 edge and line detectors, ReLU) ->
   ``max_pooling(3)`` -> 256 ReLU -> 10 softmax, against the same dense head without the
   front-end, 784 -> 256 -> 10. Both: cross-entropy, He initialisation, float32, mini-batches of
   64, learning rate 0.05, momentum 0.9. Issue target: ratio <= 3.
2. ``learned`` (issue 16): one epoch of the README's learned network, 16 learned 5 x 5 kernels
   -> max pooling 2 -> 32 learned 5 x 5 kernels -> max pooling 2 -> 128 ReLU -> 10 softmax,
   float32, mini-batches of 64, cross-entropy, momentum 0.9 at learning rate 0.05, against the
   same architecture in PyTorch on the CPU (``Conv2d``, ``ReLU``, ``MaxPool2d``, ``Linear``,
   ``cross_entropy``, ``SGD`` with momentum), one thread, starting from neurograph's initial
   parameters. PyTorch is not a dependency: without it this measurement says how to install it
   and is skipped. Issue target: ratio <= 1.5.
3. ``static`` (issue 16): one epoch of ``epoch``'s convolutional network (the twelve fixed
   3 x 3 kernels, ReLU, max pooling 3, 256, 10; float32, batch 64) against the same architecture
   in PyTorch with the convolution's weights frozen (``requires_grad_(False)``), one thread,
   starting from neurograph's parameters; skipped, saying how to install it, without PyTorch.
4. ``object``: samples per second of the object engine, neuron by neuron, on the same
   convolutional network, over a few hundred images; it must end where the vectorized engine
   does (max |difference| of every parameter < 1e-9, in float64).

BLAS (and PyTorch's intra-op pool) runs single-threaded (``--blas-threads``), on both sides alike. Timing is never asserted;
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


def learned(dtype: str, seed: int = 0) -> Network:
    """The README's learned convolution network (``--front conv:16x5:learn maxpool:2
    conv:32x5:learn maxpool:2 --hidden 128``)."""
    front = [convolution(16, kernel_size=5, learn=True), max_pooling(2),
             convolution(32, kernel_size=5, learn=True), max_pooling(2)]
    return Network.convolutional((28, 28), front, [128, 10], seed=seed, dtype=dtype)


def torch_twin(net: Network, torch, modules: list):
    """``modules`` as a PyTorch ``Sequential``, holding a copy of ``net``'s parameters: the
    convolutions and linear layers of ``modules`` take those of ``net``'s layers with weights,
    in order.

    neurograph's kernels are ``(maps, channels, kh, kw)`` and its dense weights ``(n_out, n_in)``,
    as PyTorch's; a pooled map flattens as ``(m * height + y) * width + x`` in both.
    """
    nn = torch.nn
    model = nn.Sequential(*modules)
    with_parameters = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    layers = [layer for layer in net.receiving_layers if layer.weights.size]
    with torch.no_grad():
        for module, layer in zip(with_parameters, layers, strict=True):
            module.weight.copy_(torch.from_numpy(np.array(layer.weights)))
            module.bias.copy_(torch.from_numpy(np.array(layer.biases)))
    return model


def learned_twin(net: Network, torch):
    """The README's learned network in PyTorch, every parameter trained."""
    nn = torch.nn
    return torch_twin(net, torch, [
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, 10)])


def static_twin(net: Network, torch):
    """``epoch``'s convolutional network in PyTorch: the twelve 3 x 3 kernels frozen
    (``requires_grad_(False)``, so autograd skips their gradients as neurograph skips a static
    front-end's backward pass), 26 x 26 maps pooled 3 x 3 to 8 x 8, then 256 and 10."""
    nn = torch.nn
    model = torch_twin(net, torch, [
        nn.Conv2d(1, 12, 3), nn.ReLU(), nn.MaxPool2d(3), nn.Flatten(), nn.Linear(12 * 8 * 8, 256),
        nn.ReLU(), nn.Linear(256, 10)])
    model[0].requires_grad_(False)
    return model


def torch_epoch_seconds(model, optimizer, images, labels, seed: int, torch) -> float:
    """One epoch of shuffled mini-batches of 64: forward, cross-entropy, backward, step."""
    started = time.perf_counter()
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(images)))
    for start in range(0, len(images), TRAINING["batch_size"]):
        batch = order[start:start + TRAINING["batch_size"]]
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(images[batch]), labels[batch])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def _import_torch(name: str, threads: int):
    """PyTorch with ``threads`` intra-op threads, or None (saying how to install it)."""
    try:
        import torch
    except ImportError:
        print(f"{name}: skipped, PyTorch is not installed (it is no dependency of neurograph); "
              "to run it: pip install torch --index-url https://download.pytorch.org/whl/cpu")
        return None
    if threads > 0:  # 0: the library's default, as for BLAS
        torch.set_num_threads(threads)
    return torch


def bench_against_torch(name: str, net: Network, twin, repeats: int, rows: int,
                        threads: int) -> None:
    """One epoch of ``net`` against one of its PyTorch ``twin(net, torch)`` per run,
    alternately, from the same parameters: each run's ratio, the median and the range."""
    torch = _import_torch(name, threads)
    if torch is None:
        return
    X, Y, source = load_data("float32")
    X, Y = X[:rows], Y[:rows]
    print(f"{name}: one epoch of {len(X):,} images ({source}), float32, batch 64, "
          f"PyTorch {torch.__version__} with {torch.get_num_threads()} thread(s)")
    model = twin(net, torch)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(trained, lr=TRAINING["learning_rate"],
                                momentum=TRAINING["momentum"])
    images = torch.from_numpy(np.ascontiguousarray(X).reshape(-1, 1, 28, 28))
    labels = torch.from_numpy(Y.argmax(axis=1))
    with torch.no_grad():  # the same network: the same outputs before training
        theirs = torch.softmax(model(images[:256]), dim=1).numpy()
    print(f"  neurograph: {net}")
    print(f"  same outputs before training: max |difference| = "
          f"{float(np.abs(net.predict(X[:256]) - theirs).max()):.1e} (float32)")
    times = {"neurograph": [], "torch": []}
    for repeat in range(repeats):  # alternately, so both see the same machine
        times["neurograph"].append(epoch_seconds(net, X, Y, seed=repeat))
        times["torch"].append(torch_epoch_seconds(model, optimizer, images, labels, repeat, torch))
        print(f"  run {repeat + 1}: neurograph {times['neurograph'][-1]:.2f} s, PyTorch "
              f"{times['torch'][-1]:.2f} s, ratio "
              f"{times['neurograph'][-1] / times['torch'][-1]:.2f}", flush=True)
    ratios = [n / t for n, t in zip(times["neurograph"], times["torch"])]
    print(f"  median: neurograph {statistics.median(times['neurograph']):.2f} s, PyTorch "
          f"{statistics.median(times['torch']):.2f} s; median ratio "
          f"{statistics.median(ratios):.2f} (runs {min(ratios):.2f}-{max(ratios):.2f}"
          + ("; target <= 1.5)" if name == "learned" else ")"))


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
    parser.add_argument("--only", choices=["epoch", "learned", "static", "object"], default=None)
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per network")
    parser.add_argument("--object-samples", type=int, default=300)
    parser.add_argument("--learned-rows", type=int, default=60_000,
                        help="images per epoch of `learned` (both sides; fewer for a quick run)")
    parser.add_argument("--static-rows", type=int, default=60_000,
                        help="images per epoch of `static` (both sides; fewer for a quick run)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads (0: the library's default)")
    args = parser.parse_args(argv)
    if args.only in (None, "epoch"):
        bench_epoch(args.repeats)
    if args.only in (None, "learned"):
        bench_against_torch("learned", learned("float32"), learned_twin, args.repeats,
                            args.learned_rows, args.blas_threads)
    if args.only in (None, "static"):
        bench_against_torch("static", convolutional("float32"), static_twin, args.repeats,
                            args.static_rows, args.blas_threads)
    if args.only in (None, "object"):
        bench_object(args.object_samples)


if __name__ == "__main__":
    main()
