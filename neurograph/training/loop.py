"""Training loops over a data set: epochs of shuffled mini-batches with either engine.

Per epoch: shuffle the samples, cut them into mini-batches, and for each run the post's steps
1-7 (``engine="object"``: neuron by neuron; ``engine="vectorized"``: with matrix products).
Training cost and accuracy are measured on each batch before its nudge, as it goes by.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..core.validation import as_samples, check_finite, check_momentum, check_seed, check_step_size
from ..engines.vectorized import Plan, first_non_finite, forward, train_batch

__all__ = ["History", "fit", "evaluate", "ENGINES"]

ENGINES = ("vectorized", "object")


@dataclass
class History:
    """What :meth:`Network.fit` measured, one entry per epoch.

    Attributes
    ----------
    cost, accuracy : list of float
        Mean training cost and accuracy of the epoch's mini-batches, each measured before its
        nudge. Accuracy is ``None`` unless the targets are one-hot (argmax agrees) or a single
        0/1 output (rounded prediction agrees).
    validation_cost, validation_accuracy : list of float
        The same on the validation set after each epoch (empty without one).
    seconds : list of float
        Wall time of each epoch's training.
    """

    cost: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    validation_cost: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.cost)

    def __len__(self) -> int:
        return len(self.cost)

    def as_dict(self) -> dict:
        return {name: list(getattr(self, name)) for name in
                ("cost", "accuracy", "validation_cost", "validation_accuracy", "seconds")}


def _accuracy_rule(Y: np.ndarray):
    """How to score outputs: ``rule(outputs, order)`` compares row ``r`` of ``outputs`` with row
    ``order[r]`` of ``Y`` (all rows in turn by default); None when there is no natural accuracy."""
    labels = Y.argmax(axis=1)
    # One-hot: exactly one non-zero per row overall, and each row's largest entry is a 1.
    if (Y.shape[1] > 1 and np.count_nonzero(Y) == len(Y)
            and np.all(Y[np.arange(len(Y)), labels] == 1)):
        def accuracy(outputs, order=slice(None)):
            return float(np.mean(outputs.argmax(axis=1) == labels[order]))
        return accuracy
    if Y.shape[1] == 1 and np.all((Y == 0) | (Y == 1)):
        positive = Y[:, 0] == 1

        def accuracy(outputs, order=slice(None)):
            return float(np.mean((outputs[:, 0] >= 0.5) == positive[order]))
        return accuracy
    return None


def evaluate(network, X, Y) -> dict:
    """Mean cost and accuracy (None when the targets have none) of ``network`` on ``X, Y``."""
    X, Y = check_data(network, X, Y, "X", "Y")
    outputs = _predict(network, X)
    rule = _accuracy_rule(Y)
    return {"cost": _mean_cost(network, outputs, Y),
            "accuracy": None if rule is None else rule(outputs)}


def _mean_cost(network, outputs: np.ndarray, Y: np.ndarray) -> float:
    """The mean over samples of the per-sample cost (one sum over every term)."""
    return float(np.sum(network.cost_function.term(outputs, Y))) / len(Y)


def _predict(network, X: np.ndarray, chunk: int = 10_000) -> np.ndarray:
    return np.concatenate([forward(network, X[i:i + chunk])[-1] for i in range(0, len(X), chunk)])


def check_data(network, X, Y, x_name: str, y_name: str,
               check_x: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``X, Y`` as 2-D arrays of the network's widths and dtype, as many rows each, targets
    that suit the cost; a ValueError naming the problem otherwise."""
    X = as_samples(x_name, X, network.input_layer.size, finite=check_x)
    Y = as_samples(y_name, Y, network.output_layer.size)
    if len(X) != len(Y):
        raise ValueError(f"`{x_name}` and `{y_name}` must hold as many samples, "
                         f"got {len(X)} and {len(Y)}")
    network.output_layer.check_targets(y_name, Y)
    dtype = network.output_layer.dtype
    return X.astype(dtype, copy=False), Y.astype(dtype, copy=False)


def _positive_int(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer, got {value!r}")
    return int(value)


class _Progress:
    """A one-line progress bar on a terminal, and one line per epoch everywhere."""

    def __init__(self, enabled: bool, epochs: int, batches: int) -> None:
        self.enabled = enabled
        self.live = enabled and sys.stderr.isatty()
        self.epochs, self.batches = epochs, batches
        self.every = max(1, batches // 50)

    def batch(self, epoch: int, done: int) -> None:
        if self.live and (done % self.every == 0 or done == self.batches):
            filled = 30 * done // self.batches
            sys.stderr.write(f"\repoch {epoch}/{self.epochs} [{'#' * filled}{'.' * (30 - filled)}]"
                             f" {done}/{self.batches} batches")
            sys.stderr.flush()

    def epoch(self, epoch: int, history: History) -> None:
        if not self.enabled:
            return
        parts = [f"epoch {epoch}/{self.epochs}", f"cost {history.cost[-1]:.4f}"]
        if history.accuracy[-1] is not None:
            parts.append(f"accuracy {history.accuracy[-1]:.2%}")
        if history.validation_cost:
            parts.append(f"validation cost {history.validation_cost[-1]:.4f}")
            if history.validation_accuracy[-1] is not None:
                parts.append(f"validation accuracy {history.validation_accuracy[-1]:.2%}")
        parts.append(f"{history.seconds[-1]:.1f} s")
        sys.stderr.write(("\r" if self.live else "") + "  ".join(parts) + "\n")
        sys.stderr.flush()


def fit(network, X, Y, *, epochs: int = 1, batch_size: int = 10, learning_rate: float = 0.1,
        momentum: float = 0.0, engine: str = "vectorized", shuffle: bool = True, seed=None,
        validation=None, progress: bool = True, checkpoint=None, resume=None) -> History:
    """Train ``network`` on ``X, Y``; see :meth:`Network.fit` for the parameters.

    A failed call changes nothing: on any error the network is put back as it was. ``X`` is not
    scanned for NaN or infinity beforehand (that pass costs more than an epoch's bookkeeping):
    one would reach a weight, which the check after each epoch finds; then ``X`` is scanned and
    the error names its row.

    With ``checkpoint``, the network and where training stands (epoch, batches done, the
    shuffling generator's state) are saved to that file after every epoch, atomically; with
    ``resume``, training starts from such a file and ends with the same parameters as a run
    that was never stopped. Ctrl-C stops training after the current mini-batch, leaves the
    network consistent, saves the checkpoint if one was asked for, and raises
    KeyboardInterrupt.
    """
    X, Y = check_data(network, X, Y, "X", "Y", check_x=False)
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    learning_rate = check_step_size(learning_rate, "learning_rate")
    momentum = check_momentum(momentum)
    if engine not in ENGINES:
        raise ValueError(f"`engine` must be one of {', '.join(ENGINES)}, got {engine!r}")
    if validation is not None:
        try:
            X_val, Y_val = validation
        except (TypeError, ValueError):
            raise ValueError("`validation` must be a pair (X, Y)") from None
        X_val, Y_val = check_data(network, X_val, Y_val, "validation X", "validation Y")
    if checkpoint is not None:
        _check_writable("checkpoint", checkpoint)
    rng = np.random.default_rng(check_seed(seed))
    first_epoch, skip = 1, 0
    before = _snapshot(network)
    if resume is not None:
        from ..io.modelfile import load_checkpoint

        saved, training = load_checkpoint(resume)
        _check_same_structure(network, saved, resume)
        first_epoch, skip = training["epoch"], training["batch"]
        if first_epoch > epochs:
            raise ValueError(f"`resume` is a checkpoint at epoch {first_epoch}, past `epochs` "
                             f"= {epochs}: nothing left to train")
        rng.bit_generator.state = training["rng"]
        for mine, theirs in zip(network.receiving_layers, saved.receiving_layers):
            mine._restore_state(theirs._save_state())

    n = len(X)
    rule = _accuracy_rule(Y)
    validation_rule = None if validation is None else _accuracy_rule(Y_val)
    plan = Plan(network)
    batches = -(-n // batch_size)
    bar = _Progress(progress, epochs, batches)
    history = History()
    last = None
    interrupted = []  # set by Ctrl-C; checked after each mini-batch
    previous_handler = _catch_ctrl_c(interrupted)
    try:
        for epoch in range(first_epoch, epochs + 1):
            started = time.perf_counter()
            epoch_rng_state = rng.bit_generator.state
            order = rng.permutation(n) if shuffle else np.arange(n)
            Y_epoch = Y[order]  # targets in training order: each batch's are a slice
            outputs = np.empty_like(Y_epoch)
            first_row = skip * batch_size if epoch == first_epoch else 0
            for b, begin in enumerate(range(first_row, n, batch_size),
                                      start=first_row // batch_size + 1):
                end = begin + batch_size
                rows = order[begin:end]
                if engine == "vectorized":
                    # No reference to a batch's arrays outlives its step (see train_batch),
                    # except the last one's, which leaves the record and the activations.
                    final = epoch == epochs and end >= n
                    result = train_batch(network, X[rows], Y_epoch[begin:end], learning_rate,
                                         momentum, plan, keep_record=final)
                    outputs[begin:end] = result[0][-1]
                    if final or interrupted:
                        last = result
                    del result
                else:
                    X_batch = X[rows]
                    check_finite("X", X_batch, rows)
                    outputs[begin:end] = _object_batch(network, X_batch, Y_epoch[begin:end],
                                                       learning_rate, momentum)
                bar.batch(epoch, b)
                if interrupted:
                    _check_parameters(network)
                    if last is not None:
                        _keep_record(network, last)
                    if checkpoint is not None:
                        if b == batches:  # the epoch is done: the next starts afresh
                            _save(network, checkpoint, epoch + 1, 0, rng.bit_generator.state)
                        else:
                            _save(network, checkpoint, epoch, b, epoch_rng_state)
                    raise KeyboardInterrupt(f"training stopped after mini-batch {b} of epoch "
                                            f"{epoch}" + (f"; saved to {checkpoint}"
                                                          if checkpoint is not None else ""))
            _check_parameters(network)
            history.seconds.append(time.perf_counter() - started)
            history.cost.append(_mean_cost(network, outputs[first_row:], Y_epoch[first_row:]))
            history.accuracy.append(None if rule is None else rule(outputs[first_row:],
                                                                     order[first_row:]))
            if validation is not None:
                predicted = _predict(network, X_val)
                history.validation_cost.append(_mean_cost(network, predicted, Y_val))
                history.validation_accuracy.append(
                    None if validation_rule is None else validation_rule(predicted))
            bar.epoch(epoch, history)
            if checkpoint is not None:
                _save(network, checkpoint, epoch + 1, 0, rng.bit_generator.state)
    except (ValueError, OSError):
        _restore(network, before)
        raise
    except FloatingPointError as error:  # the object engine's nudge met a non-finite value
        _restore(network, before)
        raise FloatingPointError(f"training diverged: the {error.__cause__ or error}; the "
                                 "network is back as it was before fit (try a smaller learning "
                                 "rate)") from None
    except _Diverged as error:
        _restore(network, before)
        check_finite("X", X)  # a NaN or infinity in X is the likeliest cause: name its row
        raise FloatingPointError(f"training diverged: the {error} is not finite; the network "
                                 "is back as it was before fit (try a smaller learning rate)"
                                 ) from None
    finally:
        _release_ctrl_c(previous_handler)
    if last is not None:
        _leave_last_sample(network, last[0], last[1], Y[order[-1]])
    return history


def _check_writable(name: str, path) -> None:
    """Refuse, before any training, a path a file cannot be written to."""
    import os

    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if os.path.isdir(path) or not os.path.isdir(folder):
        raise ValueError(f"`{name}` must be a file path in an existing folder, got {path!r}")


def _catch_ctrl_c(flag: list):
    """Turn Ctrl-C into a flag checked between mini-batches (main thread only)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, lambda signum, frame: flag.append(signum))


def _release_ctrl_c(previous) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGINT, previous)


def _keep_record(network, result) -> None:
    """Give the layers the records of the mini-batch ``result`` of train_batch came from."""
    from ..core.layers import SampleRecord

    activations, zs, deltas, dcdas = result
    for k, layer in enumerate(network.receiving_layers):
        layer.record = SampleRecord(activations[k], deltas[k], dcdas[k])


def _save(network, path, epoch: int, batch: int, rng_state: dict) -> None:
    """A checkpoint: go on with ``epoch`` after its first ``batch`` mini-batches, drawing its
    order from a generator in ``rng_state``."""
    from ..io.modelfile import save_checkpoint

    save_checkpoint(network, path, {"epoch": epoch, "batch": batch, "rng": rng_state})


def _structure(layer) -> tuple:
    """What a layer is, apart from its parameters: kind, shape, activation and, for a
    convolution or pooling layer, the windows its neurons read and whether its kernels learn."""
    described = (type(layer).__name__, layer.size, tuple(layer.shape),
                 getattr(layer, "activation_function", None) and layer.activation_function.name)
    if getattr(layer, "shared", False):
        described += (layer.input_shape, layer.kernel_size, layer.stride, layer.padding,
                      layer.weights.shape, getattr(layer, "learn", False))
    return described


def _check_same_structure(network, saved, path) -> None:
    mine = [_structure(l) for l in network.layers]
    theirs = [_structure(l) for l in saved.layers]
    same_settings = (network.cost_function.name == saved.cost_function.name
                     and network.bias_clamp == saved.bias_clamp
                     and network.output_layer.dtype == saved.output_layer.dtype)
    if mine != theirs or not same_settings or any(
            (not a.shared and (a.mask != b.mask).any()) or (a.trainable != b.trainable).any()
            for a, b in zip(network.receiving_layers, saved.receiving_layers)):
        raise ValueError(f"`resume` file {path} holds a different network: {saved!r}, "
                         f"not {network!r}")


class _Diverged(Exception):
    pass


def _check_parameters(network) -> None:
    """After an epoch: every parameter is finite (a last guard against overflow)."""
    for layer in network.receiving_layers:
        if not (np.isfinite(layer.weights).all() and np.isfinite(layer.biases).all()):
            raise _Diverged(first_non_finite(layer, layer.weights, layer.biases))


def _snapshot(network) -> list:
    return [(layer._save_state(), layer.record) for layer in network.receiving_layers]


def _restore(network, snapshot: list) -> None:
    for layer, (state, record) in zip(network.receiving_layers, snapshot):
        layer._restore_state(state)
        layer.record = record


def _object_batch(network, X: np.ndarray, Y: np.ndarray, learning_rate: float,
                  momentum: float) -> np.ndarray:
    """Steps 1-7 neuron by neuron; returns the batch's outputs (before the nudge)."""
    network.clear()
    outputs = np.empty(Y.shape)
    for s, (x, y) in enumerate(zip(X, Y)):
        network.train_sample(x, y)
        outputs[s] = [neuron.activation for neuron in network.output_layer.neurons]
    network.nudge_parameters(learning_rate, momentum)
    return outputs


def _leave_last_sample(network, activations: list, zs: list, y: np.ndarray) -> None:
    """Set activations, weighted sums and desired activations as the object engine leaves them:
    those of the last sample trained."""
    for neuron, value in zip(network.input_layer.neurons, activations[0][-1].tolist()):
        neuron.activation = value
    for layer, a, z in zip(network.receiving_layers, activations[1:], zs):
        for neuron, a_j, z_j in zip(layer.neurons, a[-1].tolist(), z[-1].tolist()):
            neuron.activation, neuron.z = a_j, z_j
        if layer.record.winners is not None:  # max pooling: which input each neuron took
            for neuron, i in zip(layer.neurons, np.asarray(layer.record.winners[-1]).tolist()):
                neuron.winner = next(c for c in neuron.inputs if c.input_neuron.index == i)
    for neuron, y_j in zip(network.output_layer.neurons, y.tolist()):
        neuron.desired_activation = y_j
