#!/usr/bin/env python
"""MNIST benchmarks for issues 3 and 16: neurograph against hand-written references and PyTorch.

Six measurements, each taken in this one process so that the machine's current speed cancels
out of the ratios (only the ratios and medians mean anything on a shared, noisy machine):

1. ``vectorized``: one epoch over the 60,000 MNIST training images, 784-30-10, sigmoid hidden and
   output, quadratic cost ``C = sum (a - y)^2``, float64, plain SGD at learning rate 3.0, no bias
   clamp, shuffled mini-batches of 10 and of 100. ``Network.fit`` (vectorized engine) against
   the simplest honest numpy network (:func:`numpy_epoch`). Issue target: ratio <= 1.1.
2. ``object``: training samples per second of the object engine on 784-16-10 (sigmoid,
   quadratic, batch 10, the post's bias clamp (-0.8, 0.8)) against a plain-Python object graph
   of neurons and connections holding Python floats (:class:`PyNetwork`). Issue target:
   object engine / reference >= 0.5.
3. ``build``: seconds to build a 784-100-10 network with ``Network.layered``. Issue target:
   under 0.5 s.
4. ``float32``: one epoch over the 60,000 training images, 784-128-10, ReLU hidden, softmax
   output, cross-entropy, He initialisation, float32, momentum 0.9 at learning rate 0.05,
   shuffled mini-batches of 64, no bias clamp. ``Network.fit`` against a minimal numpy float32
   network with the same update rule (:func:`numpy_momentum_epoch`); per-run ratios, their
   median and range. Issue target: median ratio <= 1.1.
5. ``torch-sigmoid`` (issue 16): measurement 1's network and settings against the same network
   in PyTorch tensors written by hand (no autograd), float64, batch 10 and 100.
6. ``torch-wide`` (issue 16, point 2): 784-N-10 float32 (N = 512 and 2048, ``--widths``), ReLU,
   softmax, cross-entropy, He initialisation, momentum 0.9 at learning rate 0.05, batch 64,
   against PyTorch's ``nn.Linear``/ReLU/``cross_entropy``/``SGD(momentum=0.9)``. Issue target:
   median ratio <= 1.1 at N = 2048.

   Both PyTorch contenders start from a copy of neurograph's parameters, take the same batches
   and run with one thread; single steps (and the outputs before training) are compared first.
   PyTorch is no dependency: without it they are skipped, with the command that installs it.

The two sides of 1 and 2 start from the same parameters and see the same batches, and the
benchmark checks that they compute the same thing: the parameters after training, and for 1 also
every single step of the epoch from the same parameters (at batch 10 and learning rate 3 the
epoch is chaotic: rounding differences of 1e-16 grow to order 1 by its end, as they do between
the reference and itself with its weights moved by 1e-15, which the benchmark then shows).

BLAS runs single-threaded by default (``--blas-threads``), on both sides alike. Timing is never
asserted; ``python benchmarks/bench_mnist.py --help`` lists the flags.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                         "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def _blas_threads(argv) -> int:
    """``--blas-threads`` read before numpy is imported (BLAS reads its thread count then)."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--blas-threads", type=int, default=1)
    return early.parse_known_args(argv)[0].blas_threads


if __name__ == "__main__" and _blas_threads(sys.argv[1:]) > 0:
    for _variable in BLAS_THREAD_VARIABLES:
        os.environ[_variable] = str(_blas_threads(sys.argv[1:]))

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # benchmark this checkout, installed or not

from neurograph import Network  # noqa: E402
from naive_objects import PyNetwork  # noqa: E402  (benchmarks/, beside this script)

MNIST_FOLDER = REPO.parent / "shared" / "data" / "mnist"
EPOCH_ROWS = 60_000
LEARNING_RATE = 3.0
SEED_INIT, SEED_SHUFFLE = 0, 1
POST_BIAS_CLAMP = (-0.8, 0.8)
AGREEMENT_TOLERANCE = 1e-9


# -- data ----------------------------------------------------------------------------------------

def load_training_data(rows: int = EPOCH_ROWS) -> tuple[np.ndarray, np.ndarray, str]:
    """``rows`` MNIST training images (float64 in [0, 1]) and one-hot labels, and what they are.

    Uses the full set in ``<repo>/../shared/data/mnist`` when that folder exists; otherwise
    whatever ``load_mnist`` finds (perhaps its bundled 10,000-image sample, tiled to ``rows``
    for timing). Without ``neurograph.datasets`` it falls back to random data of the same shape,
    which times the same but says nothing about learning.
    """
    try:
        from neurograph.datasets import load_mnist
    except ImportError as error:
        rng = np.random.default_rng(12345)
        X = rng.random((rows, 784))
        Y = np.eye(10)[rng.integers(0, 10, size=rows)]
        return X, Y, (f"RANDOM data {X.shape} (neurograph.datasets not importable: {error}); "
                      "timings are valid, it is not MNIST")
    folder = MNIST_FOLDER if MNIST_FOLDER.is_dir() else None
    data = load_mnist(folder, download=False, quiet=True)
    X, Y = data.training_set(dtype="float64")
    X, Y = np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(Y, dtype=np.float64)
    where = getattr(data, "source", None) or folder or "load_mnist's default location"
    if data.is_sample:
        description = (f"MNIST SAMPLE ({len(X):,} bundled images; the full set was not found at "
                       f"{MNIST_FOLDER})")
    else:
        description = f"MNIST training set, {len(X):,} images, from {where}"
    if len(X) < rows:
        description += f", TILED to {rows:,} rows for timing"
        X, Y = np.resize(X, (rows, X.shape[1])), np.resize(Y, (rows, Y.shape[1]))
    elif len(X) > rows:
        description += f", the first {rows:,} used"
        X, Y = X[:rows].copy(), Y[:rows].copy()
    return X, Y, description


# -- timing helpers --------------------------------------------------------------------------------

def timed(function, *args, **kwargs) -> tuple[float, object]:
    gc.collect()
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def alternate(times: dict, runs: list, repeat: int) -> None:
    """Time each of ``runs`` (``(name, function returning seconds)``) once into ``times``, in
    the opposite order on odd repeats, so that drifts in machine speed hit both sides alike."""
    for name, run in (runs if repeat % 2 == 0 else runs[::-1]):
        times[name].append(run())


def max_abs_difference(params_a, params_b) -> float:
    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
               for a, b in zip(params_a, params_b))


def network_parameters(net: Network) -> list[np.ndarray]:
    """W1, b1, W2, b2, ... as copies."""
    return [p.copy() for layer in net.receiving_layers for p in (layer.weights, layer.biases)]


# -- 1. the vectorized engine against minimal numpy -----------------------------------------------

def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def numpy_batch(W1, b1, W2, b2, x, y, learning_rate: float) -> None:
    """One plain-SGD step of a sigmoid network with quadratic cost; updates in place."""
    h = sigmoid(x @ W1.T + b1)
    a = sigmoid(h @ W2.T + b2)
    delta_out = 2.0 * (a - y) * a * (1.0 - a)
    delta_hidden = (delta_out @ W2) * h * (1.0 - h)
    step = learning_rate / len(x)  # gradients are means over the batch
    W2 -= step * (delta_out.T @ h)
    b2 -= step * delta_out.sum(axis=0)
    W1 -= step * (delta_hidden.T @ x)
    b1 -= step * delta_hidden.sum(axis=0)


def numpy_epoch(W1, b1, W2, b2, X, Y, batch_size: int, learning_rate: float, seed) -> None:
    """One epoch of plain SGD on a 784-30-10 sigmoid network, quadratic cost; updates in place.

    The reference a competent person would write: shuffled indices, forward, output delta
    ``2 (a - y) a (1 - a)``, backpropagated hidden delta, mean gradients, update. It computes
    nothing else (no cost, no checks). The batch order is ``default_rng(seed).permutation(n)``,
    the order ``Network.fit(..., seed=seed)`` uses.
    """
    n = len(X)
    order = np.random.default_rng(seed).permutation(n)
    for begin in range(0, n, batch_size):
        rows = order[begin:begin + batch_size]
        numpy_batch(W1, b1, W2, b2, X[rows], Y[rows], learning_rate)


def check_vectorized_steps(X, Y, batch_size: int) -> float:
    """Max |difference| of one step of each side from the same parameters, over a whole epoch.

    Walks the epoch's batches in ``fit``'s order; before each batch the reference copies
    neurograph's parameters, then both take the step (neurograph through ``fit`` on that one
    batch). Over a whole epoch the two runs cannot be compared parameter by parameter when
    training is chaotic (it is at batch 10, learning rate 3: rounding differences of 1e-16 grow
    to order 1), but this shows that every one of the epoch's updates is the same function.
    """
    net = new_vectorized_network()
    order = np.random.default_rng(SEED_SHUFFLE).permutation(len(X))
    worst = 0.0
    for begin in range(0, len(X), batch_size):
        rows = order[begin:begin + batch_size]
        x, y = X[rows], Y[rows]
        params = network_parameters(net)
        numpy_batch(*params, x, y, LEARNING_RATE)
        net.fit(x, y, epochs=1, batch_size=len(rows), learning_rate=LEARNING_RATE,
                shuffle=False, progress=False)
        worst = max(worst, max_abs_difference(params, network_parameters(net)))
    return worst


def sensitivity(X, Y, batch_size: int, nudge: float = 1e-15) -> float:
    """How far the reference ends from itself when its first weights move by ``nudge``."""
    params = network_parameters(new_vectorized_network())
    moved = [p.copy() for p in params]
    moved[0] += nudge
    numpy_epoch(*params, X, Y, batch_size, LEARNING_RATE, SEED_SHUFFLE)
    numpy_epoch(*moved, X, Y, batch_size, LEARNING_RATE, SEED_SHUFFLE)
    return max_abs_difference(params, moved)


def new_vectorized_network() -> Network:
    return Network.layered([784, 30, 10], activation="sigmoid", cost="quadratic", init="uniform",
                           seed=SEED_INIT, bias_clamp=None)


def bench_vectorized(X, Y, batch_sizes, repeats: int) -> list[dict]:
    print(f"\n[1] vectorized engine vs minimal numpy: 784-30-10 sigmoid, quadratic cost, float64, "
          f"plain SGD lr={LEARNING_RATE}, no bias clamp (bias_clamp=None on both sides), "
          f"one epoch of {len(X):,} images, {repeats} alternating repeats")
    results = []
    for batch_size in batch_sizes:
        times = {"neurograph": [], "numpy": []}
        worst = 0.0
        for r in range(repeats):
            net = new_vectorized_network()
            params = network_parameters(net)  # the reference starts from the same parameters

            def run_numpy():
                return timed(numpy_epoch, *params, X, Y, batch_size, LEARNING_RATE, SEED_SHUFFLE)[0]

            def run_neurograph():
                return timed(net.fit, X, Y, epochs=1, batch_size=batch_size,
                             learning_rate=LEARNING_RATE, seed=SEED_SHUFFLE, progress=False)[0]

            alternate(times, [("numpy", run_numpy), ("neurograph", run_neurograph)], r)
            worst = max(worst, max_abs_difference(params, network_parameters(net)))
            print(f"    batch {batch_size:>3} repeat {r + 1}: numpy {times['numpy'][-1]:.3f} s, "
                  f"neurograph {times['neurograph'][-1]:.3f} s")
        ng, ref = statistics.median(times["neurograph"]), statistics.median(times["numpy"])
        print(f"  batch {batch_size}: median neurograph {ng:.3f} s, numpy {ref:.3f} s, "
              f"ratio {ng / ref:.2f}")
        steps = check_vectorized_steps(X, Y, batch_size)
        print(f"  check: same initial parameters and batch order; after the whole epoch max "
              f"|difference| {worst:.1e} ({'agree' if worst < AGREEMENT_TOLERANCE else 'DIFFER'})")
        print(f"  check: each of the epoch's {-(-len(X) // batch_size)} steps from the same "
              f"parameters: max |difference| {steps:.1e} "
              f"({'agree' if steps < AGREEMENT_TOLERANCE else 'DIFFER'})")
        if worst >= AGREEMENT_TOLERANCE:
            drift = sensitivity(X, Y, batch_size)
            print(f"  note: the reference against itself, first weights moved by 1e-15, ends "
                  f"{drift:.1e} apart after the epoch: training is chaotic here, so the whole-"
                  f"epoch difference {'is rounding grown large, not a different computation' if steps < AGREEMENT_TOLERANCE else 'cannot tell'}")
        agree = steps < AGREEMENT_TOLERANCE
        results.append({"batch": batch_size, "neurograph": ng, "reference": ref,
                        "ratio": ng / ref, "difference": worst, "steps": steps, "agree": agree})
    return results


# -- 2. the object engine against a plain-Python object graph -------------------------------------

def bench_object(X, Y, samples: int, repeats: int) -> dict:
    X, Y = X[:samples], Y[:samples]
    print(f"\n[2] object engine vs plain-Python object graph: 784-16-10 sigmoid, quadratic cost, "
          f"batch 10, lr={LEARNING_RATE}, bias clamp {POST_BIAS_CLAMP} on both sides, one epoch "
          f"of the first {len(X)} images, {repeats} alternating repeats")
    X_list, Y_list = X.tolist(), Y.tolist()  # the reference reads Python floats
    order = np.random.default_rng(SEED_SHUFFLE).permutation(len(X)).tolist()
    times = {"neurograph": [], "python": []}
    worst = 0.0
    for r in range(repeats):
        net = Network.layered([784, 16, 10], activation="sigmoid", cost="quadratic",
                              init="uniform", seed=SEED_INIT, bias_clamp=POST_BIAS_CLAMP)
        start = network_parameters(net)
        reference = PyNetwork([start[0].tolist(), start[2].tolist()],
                              [start[1].tolist(), start[3].tolist()], POST_BIAS_CLAMP)

        def run_python():
            return timed(reference.fit, X_list, Y_list, 10, LEARNING_RATE, order)[0]

        def run_neurograph():
            return timed(net.fit, X, Y, epochs=1, batch_size=10, learning_rate=LEARNING_RATE,
                         engine="object", seed=SEED_SHUFFLE, progress=False)[0]

        alternate(times, [("python", run_python), ("neurograph", run_neurograph)], r)
        worst = max(worst, max_abs_difference(reference.parameters(), network_parameters(net)))
        print(f"    repeat {r + 1}: python {len(X) / times['python'][-1]:.0f} samples/s, "
              f"neurograph {len(X) / times['neurograph'][-1]:.0f} samples/s")
    ng = len(X) / statistics.median(times["neurograph"])
    ref = len(X) / statistics.median(times["python"])
    agree = worst < AGREEMENT_TOLERANCE
    print(f"  median neurograph {ng:.0f} samples/s, python {ref:.0f} samples/s, ratio "
          f"{ng / ref:.2f}; parameters after training agree: {'yes' if agree else 'NO'} "
          f"(max |difference| {worst:.1e})")
    return {"samples": len(X), "neurograph": ng, "reference": ref, "ratio": ng / ref,
            "difference": worst, "agree": agree}


# -- 3. building a network -------------------------------------------------------------------------

def bench_build(builds: int) -> dict:
    print(f"\n[3] Network.layered([784, 100, 10]): median of {builds} builds")
    times = []
    for b in range(builds):
        seconds, net = timed(Network.layered, [784, 100, 10], seed=b)
        times.append(seconds)
        del net
    median = statistics.median(times)
    print(f"  {', '.join(f'{t:.3f}' for t in times)} s; median {median:.3f} s")
    return {"seconds": median, "builds": builds}


# -- 4. float32 ReLU/softmax with momentum against minimal numpy -----------------------------------

F32_SIZES = (784, 128, 10)
F32_BATCH, F32_LEARNING_RATE, F32_MOMENTUM = 64, 0.05, 0.9
F32_TOLERANCE = 1e-5  # float32 steps from the same parameters: agreement to rounding


def numpy_momentum_batch(params, velocities, x, y, learning_rate: float, momentum: float) -> None:
    """One momentum-SGD step of a float32 ReLU/softmax network with cross-entropy; in place.

    ``params`` is ``[W1, b1, W2, b2]``, ``velocities`` the same shapes; each parameter moves by
    ``v = momentum v - learning_rate x mean gradient; p += v``. The output delta of softmax with
    cross-entropy is ``a - y``.
    """
    W1, b1, W2, b2 = params
    z1 = x @ W1.T  # (batch, 128)
    z1 += b1
    h = np.maximum(z1, 0.0)
    z2 = h @ W2.T  # (batch, 10)
    z2 += b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True)
    delta_out = a - y
    delta_hidden = (delta_out @ W2) * (h > 0.0)
    step = learning_rate / len(x)  # a Python float: float32 stays float32
    steps = ((delta_hidden * step).T @ x, delta_hidden.sum(axis=0) * step,
             (delta_out * step).T @ h, delta_out.sum(axis=0) * step)
    for param, velocity, parameter_step in zip(params, velocities, steps):
        velocity *= momentum
        velocity -= parameter_step
        param += velocity


def numpy_momentum_epoch(params, velocities, X, Y, batch_size: int, learning_rate: float,
                         momentum: float, seed) -> None:
    """One epoch of :func:`numpy_momentum_batch` in ``default_rng(seed).permutation`` order
    (``Network.fit``'s); nothing else is computed (no cost, no accuracy, no checks)."""
    order = np.random.default_rng(seed).permutation(len(X))
    for begin in range(0, len(X), batch_size):
        rows = order[begin:begin + batch_size]
        numpy_momentum_batch(params, velocities, X[rows], Y[rows], learning_rate, momentum)


def new_float32_network() -> Network:
    return Network.layered(list(F32_SIZES), activation="relu", output_activation="softmax",
                           cost="cross_entropy", init="he", seed=SEED_INIT, bias_clamp=None,
                           dtype="float32")


def fit_momentum_epoch(net: Network, X, Y) -> None:
    """One epoch of ``fit`` with momentum, float32 measurements' settings (batch order seeded
    as the references' is)."""
    net.fit(X, Y, epochs=1, batch_size=F32_BATCH, learning_rate=F32_LEARNING_RATE,
            momentum=F32_MOMENTUM, seed=SEED_SHUFFLE, progress=False)


def network_velocities(net: Network) -> list[np.ndarray]:
    return [v.copy() for layer in net.receiving_layers
            for v in (layer.weight_velocity, layer.bias_velocity)]


def check_float32_steps(X, Y, batches: int) -> float:
    """Max |difference| of single steps from the same parameters and velocities, over the
    first ``batches`` mini-batches of the epoch (neurograph through ``train_batch``)."""
    from neurograph.engines.vectorized import train_batch
    from neurograph.optimizers import SGD

    net = new_float32_network()
    net.optimizer = SGD(F32_LEARNING_RATE, F32_MOMENTUM)  # its velocities: the layers' views
    order = np.random.default_rng(SEED_SHUFFLE).permutation(len(X))
    worst = 0.0
    for begin in range(0, min(len(X), batches * F32_BATCH), F32_BATCH):
        rows = order[begin:begin + F32_BATCH]
        params, velocities = network_parameters(net), network_velocities(net)
        numpy_momentum_batch(params, velocities, X[rows], Y[rows], F32_LEARNING_RATE,
                             F32_MOMENTUM)
        train_batch(net, X[rows], Y[rows], net.optimizer, keep_record=False)
        worst = max(worst, max_abs_difference(params, network_parameters(net)),
                    max_abs_difference(velocities, network_velocities(net)))
    return worst


def bench_float32(X, Y, repeats: int) -> dict:
    X = np.ascontiguousarray(X, dtype=np.float32)
    Y = np.ascontiguousarray(Y, dtype=np.float32)
    print(f"\n[4] float32 vectorized engine vs minimal numpy: {'-'.join(map(str, F32_SIZES))} "
          f"relu/softmax, cross-entropy, He init, float32, momentum {F32_MOMENTUM} at "
          f"lr={F32_LEARNING_RATE}, batch {F32_BATCH}, no bias clamp, one epoch of "
          f"{len(X):,} images, {repeats} alternating repeats")
    times = {"neurograph": [], "numpy": []}
    ratios = []
    worst = 0.0
    for r in range(repeats):
        net = new_float32_network()
        params, velocities = network_parameters(net), network_velocities(net)

        def run_numpy():
            return timed(numpy_momentum_epoch, params, velocities, X, Y, F32_BATCH,
                         F32_LEARNING_RATE, F32_MOMENTUM, SEED_SHUFFLE)[0]

        def run_neurograph():
            return timed(fit_momentum_epoch, net, X, Y)[0]

        alternate(times, [("numpy", run_numpy), ("neurograph", run_neurograph)], r)
        ratios.append(times["neurograph"][-1] / times["numpy"][-1])
        worst = max(worst, max_abs_difference(params, network_parameters(net)))
        dtypes = {str(p.dtype) for p in network_parameters(net) + params}
        print(f"    repeat {r + 1}: numpy {times['numpy'][-1]:.3f} s, neurograph "
              f"{times['neurograph'][-1]:.3f} s, ratio {ratios[-1]:.3f} "
              f"(parameters {', '.join(sorted(dtypes))})")
    ng, ref = statistics.median(times["neurograph"]), statistics.median(times["numpy"])
    median = statistics.median(ratios)
    print(f"  ratios {', '.join(f'{q:.3f}' for q in ratios)}: median {median:.3f}, range "
          f"{min(ratios):.3f}-{max(ratios):.3f} (median times: neurograph {ng:.3f} s, numpy "
          f"{ref:.3f} s)")
    steps = check_float32_steps(X, Y, batches=50)
    agree = steps < F32_TOLERANCE
    print(f"  check: the first 50 steps from the same parameters and velocities: max "
          f"|difference| {steps:.1e} ({'agree' if agree else 'DIFFER'}); after the whole epoch "
          f"{worst:.1e}")
    return {"neurograph": ng, "reference": ref, "ratios": ratios, "ratio": median,
            "steps": steps, "difference": worst, "agree": agree}


# -- 5. against PyTorch (issue 16): the post's sigmoid network and wide ReLU networks ------------

TORCH_INSTALL = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
WIDE_WIDTHS = (512, 2048)
CHECK_STEPS = 20  # single steps from the same parameters, compared before the timed epochs
WIDE_TOLERANCE = 1e-5  # float32 parameters after CHECK_STEPS steps: agreement to rounding


def import_torch():
    """PyTorch with one intra-op thread, or None (it is no dependency of neurograph)."""
    try:
        import torch
    except ImportError:
        print(f"  skipped: PyTorch is not installed (it is no dependency of neurograph); to run "
              f"it: {TORCH_INSTALL}")
        return None
    torch.set_num_threads(1)  # as BLAS: one thread on both sides
    print(f"  PyTorch {torch.__version__}, {torch.get_num_threads()} thread")
    return torch


def torch_sigmoid_batch(params, x, y, learning_rate: float) -> None:
    """:func:`numpy_batch` in PyTorch tensors, written by hand (no autograd); in place."""
    W1, b1, W2, b2 = params
    h = (x @ W1.T + b1).sigmoid_()
    a = (h @ W2.T + b2).sigmoid_()
    delta_out = 2.0 * (a - y) * a * (1.0 - a)
    delta_hidden = (delta_out @ W2) * h * (1.0 - h)
    step = learning_rate / len(x)
    W2 -= step * (delta_out.T @ h)
    b2 -= step * delta_out.sum(dim=0)
    W1 -= step * (delta_hidden.T @ x)
    b1 -= step * delta_hidden.sum(dim=0)


def torch_sigmoid_epoch(params, X, Y, batch_size: int, learning_rate: float, seed) -> None:
    """One epoch of :func:`torch_sigmoid_batch` in ``Network.fit``'s batch order."""
    import torch

    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    for begin in range(0, len(X), batch_size):
        rows = order[begin:begin + batch_size]
        torch_sigmoid_batch(params, X[rows], Y[rows], learning_rate)


def to_torch(params, torch) -> list:
    """``params`` as PyTorch tensors of their own (neurograph's arrays are not shared)."""
    return [torch.from_numpy(np.array(p)) for p in params]  # copies, not views


def check_torch_sigmoid_steps(X, Y, batch_size: int, torch) -> float:
    """Max |difference| of single steps of neurograph and the PyTorch network from the same
    parameters, over the first :data:`CHECK_STEPS` batches of the epoch."""
    net = new_vectorized_network()
    order = np.random.default_rng(SEED_SHUFFLE).permutation(len(X))
    worst = 0.0
    for begin in range(0, CHECK_STEPS * batch_size, batch_size):
        rows = order[begin:begin + batch_size]
        theirs = to_torch(network_parameters(net), torch)
        torch_sigmoid_batch(theirs, torch.from_numpy(X[rows]), torch.from_numpy(Y[rows]),
                            LEARNING_RATE)
        net.fit(X[rows], Y[rows], epochs=1, batch_size=len(rows), learning_rate=LEARNING_RATE,
                shuffle=False, progress=False)
        worst = max(worst, max_abs_difference([t.numpy() for t in theirs],
                                              network_parameters(net)))
    return worst


def ratio_line(ratios) -> str:
    """Each run's ratio, their median and range, as printed."""
    return (f"ratios {', '.join(f'{q:.3f}' for q in ratios)}: median "
            f"{statistics.median(ratios):.3f}, range {min(ratios):.3f}-{max(ratios):.3f}")


def time_against_torch(label: str, repeats: int, runs) -> tuple[float, float, list]:
    """``repeats`` alternating runs of the two sides that ``runs()`` makes afresh each time
    (``(PyTorch, neurograph)``, functions returning seconds); prints each run's ratio, then
    their median and range. Returns the median times (neurograph, PyTorch) and the ratios."""
    times = {"neurograph": [], "torch": []}
    ratios = []
    for r in range(repeats):
        run_torch, run_neurograph = runs()
        alternate(times, [("torch", run_torch), ("neurograph", run_neurograph)], r)
        ratios.append(times["neurograph"][-1] / times["torch"][-1])
        print(f"    {label} repeat {r + 1}: PyTorch {times['torch'][-1]:.3f} s, neurograph "
              f"{times['neurograph'][-1]:.3f} s, ratio {ratios[-1]:.3f}", flush=True)
    ng, ref = statistics.median(times["neurograph"]), statistics.median(times["torch"])
    print(f"  {label.strip()}: {ratio_line(ratios)} (median times: neurograph {ng:.3f} s, "
          f"PyTorch {ref:.3f} s)")
    return ng, ref, ratios


def bench_torch_sigmoid(X, Y, batch_sizes, repeats: int) -> list[dict]:
    print(f"\n[5] vectorized engine vs PyTorch with hand-written tensors: 784-30-10 sigmoid, "
          f"quadratic cost, float64, plain SGD lr={LEARNING_RATE}, one epoch of {len(X):,} "
          f"images, {repeats} alternating repeats")
    torch = import_torch()
    if torch is None:
        return []
    X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y)
    results = []
    for batch_size in batch_sizes:
        steps = check_torch_sigmoid_steps(X, Y, batch_size, torch)
        print(f"  batch {batch_size}: check: the first {CHECK_STEPS} steps from the same "
              f"parameters: max |difference| {steps:.1e} "
              f"({'agree' if steps < AGREEMENT_TOLERANCE else 'DIFFER'})")

        def runs():
            net = new_vectorized_network()
            theirs = to_torch(network_parameters(net), torch)
            return (lambda: timed(torch_sigmoid_epoch, theirs, X_t, Y_t, batch_size,
                                  LEARNING_RATE, SEED_SHUFFLE)[0],
                    lambda: timed(net.fit, X, Y, epochs=1, batch_size=batch_size,
                                  learning_rate=LEARNING_RATE, seed=SEED_SHUFFLE,
                                  progress=False)[0])

        ng, ref, ratios = time_against_torch(f"batch {batch_size:>3}", repeats, runs)
        results.append({"label": f"784-30-10 sigmoid vs PyTorch, batch {batch_size}",
                        "neurograph": ng, "reference": ref, "ratios": ratios,
                        "ratio": statistics.median(ratios), "target": "-",
                        "same": f"per step {steps:.0e}", "agree": steps < AGREEMENT_TOLERANCE})
    return results


def new_wide_network(width: int) -> Network:
    """784-``width``-10 ReLU/softmax, cross-entropy, He initialisation, float32."""
    return Network.layered([784, width, 10], activation="relu", output_activation="softmax",
                           cost="cross_entropy", init="he", seed=SEED_INIT, bias_clamp=None,
                           dtype="float32")


def torch_wide_twin(net: Network, torch):
    """``nn.Linear``/ReLU/``nn.Linear`` holding a copy of ``net``'s parameters, and its
    ``SGD(momentum)`` (PyTorch keeps ``v = m v + g; p -= lr v``, the same steps as
    neurograph's ``v = m v - lr g; p += v`` up to rounding)."""
    nn = torch.nn
    W1, b1, W2, b2 = to_torch(network_parameters(net), torch)
    model = nn.Sequential(nn.Linear(W1.shape[1], W1.shape[0]), nn.ReLU(),
                          nn.Linear(W2.shape[1], W2.shape[0]))
    with torch.no_grad():
        for module, (w, b) in zip((model[0], model[2]), ((W1, b1), (W2, b2))):
            module.weight.copy_(w)
            module.bias.copy_(b)
    optimizer = torch.optim.SGD(model.parameters(), lr=F32_LEARNING_RATE, momentum=F32_MOMENTUM)
    return model, optimizer


def torch_wide_step(model, optimizer, x, labels, torch) -> None:
    """One step as PyTorch's users write it: zero the gradients, the batch's mean
    cross-entropy, backward, the optimizer's step."""
    optimizer.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(model(x), labels).backward()  # the batch's mean
    optimizer.step()


def torch_wide_epoch(model, optimizer, X, labels, seed, torch) -> None:
    """One epoch of mini-batches of 64 in ``Network.fit``'s order."""
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    for begin in range(0, len(X), F32_BATCH):
        rows = order[begin:begin + F32_BATCH]
        torch_wide_step(model, optimizer, X[rows], labels[rows], torch)


def torch_parameters(model) -> list[np.ndarray]:
    """W1, b1, W2, b2 of :func:`torch_wide_twin`'s model, as numpy copies."""
    return [p.detach().numpy().copy() for m in (model[0], model[2]) for p in (m.weight, m.bias)]


def check_torch_wide(X, labels, width: int, torch) -> tuple[float, float]:
    """Outputs before training, and parameters after :data:`CHECK_STEPS` steps of both sides
    from the same start (momentum carried along): max |differences|."""
    net = new_wide_network(width)
    model, optimizer = torch_wide_twin(net, torch)
    X_t, labels_t = torch.from_numpy(X[:256]), torch.from_numpy(labels)
    with torch.no_grad():
        outputs = float(np.abs(net.predict(X[:256])
                               - torch.softmax(model(X_t), dim=1).numpy()).max())
    rows = np.random.default_rng(SEED_SHUFFLE).permutation(len(X))[:CHECK_STEPS * F32_BATCH]
    net.fit(X[rows], np.eye(10, dtype=np.float32)[labels[rows]], epochs=1,
            batch_size=F32_BATCH, learning_rate=F32_LEARNING_RATE, momentum=F32_MOMENTUM,
            shuffle=False, progress=False)
    for begin in range(0, len(rows), F32_BATCH):
        batch = torch.from_numpy(rows[begin:begin + F32_BATCH])
        torch_wide_step(model, optimizer, torch.from_numpy(X)[batch], labels_t[batch], torch)
    return outputs, max_abs_difference(network_parameters(net), torch_parameters(model))


def bench_torch_wide(X, Y, widths, repeats: int) -> list[dict]:
    X = np.ascontiguousarray(X, dtype=np.float32)
    Y = np.ascontiguousarray(Y, dtype=np.float32)
    labels = Y.argmax(axis=1)
    print(f"\n[6] vectorized engine vs PyTorch nn.Linear: 784-N-10 relu/softmax, cross-entropy, "
          f"He init, float32, momentum {F32_MOMENTUM} at lr={F32_LEARNING_RATE}, batch "
          f"{F32_BATCH}, one epoch of {len(X):,} images, {repeats} alternating repeats")
    torch = import_torch()
    if torch is None:
        return []
    X_t, labels_t = torch.from_numpy(X), torch.from_numpy(labels)
    results = []
    for width in widths:
        outputs, steps = check_torch_wide(X, labels, width, torch)
        print(f"  N = {width}: check: outputs before training max |difference| {outputs:.1e}; "
              f"parameters after {CHECK_STEPS} steps of both from the same start {steps:.1e} "
              f"(float32; {'agree' if max(outputs, steps) < WIDE_TOLERANCE else 'DIFFER'})")

        def runs():
            net = new_wide_network(width)
            model, optimizer = torch_wide_twin(net, torch)
            return (lambda: timed(torch_wide_epoch, model, optimizer, X_t, labels_t,
                                  SEED_SHUFFLE, torch)[0],
                    lambda: timed(fit_momentum_epoch, net, X, Y)[0])

        ng, ref, ratios = time_against_torch(f"N = {width}", repeats, runs)
        results.append({"label": f"784-{width}-10 float32 vs PyTorch, batch {F32_BATCH}",
                        "neurograph": ng, "reference": ref, "ratios": ratios,
                        "ratio": statistics.median(ratios),
                        "target": "<= 1.1" if width == 2048 else "-",
                        "same": f"outputs {outputs:.0e}, {CHECK_STEPS} steps {steps:.0e}",
                        "agree": max(outputs, steps) < WIDE_TOLERANCE})
    return results


# -- main ------------------------------------------------------------------------------------------

def parse_batch_sizes(values) -> list[int]:
    sizes = [int(part) for value in values for part in str(value).split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("batch sizes must be positive integers")
    return sizes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs of each side per measurement (default 3; medians shown)")
    parser.add_argument("--only", choices=("vectorized", "object", "build", "float32",
                                            "torch-sigmoid", "torch-wide"),
                        help="run one measurement only (the torch-* ones need PyTorch)")
    parser.add_argument("--widths", nargs="+", type=int, default=list(WIDE_WIDTHS), metavar="N",
                        help="hidden widths N of the torch-wide measurement (default 512 2048)")
    parser.add_argument("--batch-sizes", nargs="+", default=["10", "100"], metavar="B",
                        help="mini-batch sizes for the vectorized measurement (default 10 100; "
                             "'10,100' works too)")
    parser.add_argument("--object-samples", type=int, default=400, metavar="N",
                        help="training images for the object-engine measurement (default 400)")
    parser.add_argument("--blas-threads", type=int, default=1, metavar="N",
                        help="BLAS threads for both sides (default 1: on a small shared machine "
                             "OpenBLAS threads wait for each other and timings vary tenfold; "
                             "0 leaves the library's default)")
    parser.add_argument("--builds", type=int, default=5,
                        help="builds of 784-100-10 to take the median of (default 5)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.builds < 1 or args.object_samples < 10 or min(args.widths) < 1:
        parser.error("--repeats, --builds and --widths must be >= 1, --object-samples >= 10")
    batch_sizes = parse_batch_sizes(args.batch_sizes)

    print(f"neurograph benchmark (issues 3 and 16): Python {platform.python_version()}, "
          f"numpy {np.__version__}, {platform.machine()}, {os.cpu_count()} CPUs; BLAS threads: "
          f"{args.blas_threads if args.blas_threads > 0 else 'library default'}; "
          f"medians of {args.repeats} runs")
    vectorized = obj = build = float32 = None
    against_torch = []
    data = None
    if args.only != "build":
        rows = EPOCH_ROWS if args.only != "object" else args.object_samples
        X, Y, description = load_training_data(rows)
        print(f"data: {description}")
        data = description
    if args.only in (None, "vectorized"):
        vectorized = bench_vectorized(X, Y, batch_sizes, args.repeats)
    if args.only in (None, "object"):
        obj = bench_object(X, Y, args.object_samples, args.repeats)
    if args.only in (None, "build"):
        build = bench_build(args.builds)
    if args.only in (None, "float32"):
        float32 = bench_float32(X, Y, args.repeats)
    if args.only in (None, "torch-sigmoid"):
        against_torch += bench_torch_sigmoid(X, Y, batch_sizes, args.repeats)
    if args.only in (None, "torch-wide"):
        against_torch += bench_torch_wide(X, Y, args.widths, args.repeats)

    print("\nSUMMARY (medians; ratios are neurograph / reference, measured in this process)")
    if data is not None:
        print(f"  data: {data}")
    print(f"  {'measurement':<44} {'neurograph':>12} {'reference':>12} {'ratio':>6} "
          f"{'target':>7}  same computation? (max |parameter difference|)")
    for row in vectorized or []:
        label = f"vectorized 784-30-10, 1 epoch, batch {row['batch']}"
        same = (f"{'yes' if row['agree'] else 'NO'}: per step {row['steps']:.0e}, "
                f"whole epoch {row['difference']:.0e}")
        if row["difference"] >= AGREEMENT_TOLERANCE:
            same += " (chaotic run)"
        print(f"  {label:<44} {row['neurograph']:>10.3f} s {row['reference']:>10.3f} s "
              f"{row['ratio']:>6.2f} {'<= 1.1':>7}  {same}")
    if obj is not None:
        label = f"object 784-16-10, batch 10, {obj['samples']} samples"
        print(f"  {label:<44} {obj['neurograph']:>6.0f} smp/s {obj['reference']:>6.0f} smp/s "
              f"{obj['ratio']:>6.2f} {'>= 0.5':>7}  {'yes' if obj['agree'] else 'NO'}: "
              f"after training {obj['difference']:.0e}")
    if build is not None:
        print(f"  {'build 784-100-10 (Network.layered)':<44} {build['seconds']:>10.3f} s "
              f"{'':>12} {'':>6} {'< 0.5 s':>7}")
    if float32 is not None:
        label = f"float32 784-128-10 relu/softmax, batch {F32_BATCH}"
        print(f"  {label:<44} {float32['neurograph']:>10.3f} s {float32['reference']:>10.3f} s "
              f"{float32['ratio']:>6.2f} {'<= 1.1':>7}  {'yes' if float32['agree'] else 'NO'}: "
              f"per step {float32['steps']:.0e}, whole epoch {float32['difference']:.0e}; "
              f"ratios {min(float32['ratios']):.2f}-{max(float32['ratios']):.2f}")
    for row in against_torch:
        print(f"  {row['label']:<44} {row['neurograph']:>10.3f} s {row['reference']:>10.3f} s "
              f"{row['ratio']:>6.2f} {row['target']:>7}  {'yes' if row['agree'] else 'NO'}: "
              f"{row['same']}; ratios {min(row['ratios']):.2f}-{max(row['ratios']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
