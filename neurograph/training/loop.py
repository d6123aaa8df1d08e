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

from ..core.costs import cost_terms
from ..core.validation import (as_samples, check_bool, check_finite, check_momentum,
                               check_positive_int, check_seed, check_step_size)
from ..engines.object import ObjectEngine
from .callbacks import TrainingEvent, check_callbacks
from .health import Watch, look_before
from ..engines.vectorized import VectorizedEngine, forward, forward_pass
from ..optimizers import get_optimizer
from .schedule import per_epoch

__all__ = ["History", "fit", "evaluate", "ENGINES", "resolve_optimizer", "snapshot", "restore"]

ENGINES = {"vectorized": VectorizedEngine, "object": ObjectEngine}
"""The engines ``fit`` picks from by name; each has ``start``, ``train_batch`` and ``finish``."""


@dataclass
class History:
    """What :meth:`Network.fit` measured: one entry per epoch, and in the ``evaluation_*``
    lists one per evaluation (``evaluate_every``).

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
    evaluation_samples : list of int
        With ``fit(..., evaluate_every=N, validation=...)``, one entry per evaluation, made
        after every ``N``-th mini-batch of the call (counted across epochs): how many training
        samples this call had trained on by then (a resumed call counts from its restart).
    evaluation_cost, evaluation_accuracy : list of float
        The validation set's mean cost and accuracy (None as above) at each evaluation.
    evaluation_training_cost : list of float
        The mean training cost of the samples trained since the previous evaluation (each
        measured before its mini-batch's nudge, as ``cost``), at each evaluation.
    validation_name : str
        What the held-out set is called in the progress lines, the curves and the notebook
        table: ``fit(..., validation_name="test")`` when it is the test set.
    """

    cost: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    validation_cost: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    evaluation_samples: list = field(default_factory=list)
    evaluation_cost: list = field(default_factory=list)
    evaluation_accuracy: list = field(default_factory=list)
    evaluation_training_cost: list = field(default_factory=list)
    validation_name: str = "validation"

    @property
    def epochs(self) -> int:
        return len(self.cost)

    def __len__(self) -> int:
        return len(self.cost)

    def as_dict(self) -> dict:
        return {name: list(getattr(self, name)) for name in
                ("cost", "accuracy", "validation_cost", "validation_accuracy", "seconds",
                 "evaluation_samples", "evaluation_cost", "evaluation_accuracy",
                 "evaluation_training_cost")}

    def _repr_html_(self) -> str:
        """Jupyter shows the curves (:func:`~neurograph.plot_history`) above a table of the
        epochs."""
        from ..drawing.notebook import history_html
        return history_html(self)


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
    outputs, logits = _predict(network, X, logits=True)
    rule = _accuracy_rule(Y)
    return {"cost": _mean_cost(network, outputs, Y, logits),
            "accuracy": None if rule is None else rule(outputs)}


def _cost_sum(network, outputs: np.ndarray, Y: np.ndarray, logits: np.ndarray) -> float:
    """The sum of every sample's cost: from the logits where that is exact (``cost_terms``)."""
    output = network.output_layer
    return float(np.sum(cost_terms(output.cost, output.activation_function, logits, outputs, Y)))


def _mean_cost(network, outputs: np.ndarray, Y: np.ndarray, logits: np.ndarray) -> float:
    """The mean over samples of the per-sample cost (one sum over every term)."""
    return _cost_sum(network, outputs, Y, logits) / len(Y)


PREDICT_BYTES = 200 * 2 ** 20
"""What one chunk of ``predict``'s forward pass may hold (every layer's activations and
scratch such as a convolution's im2col columns), so that predicting on many images stays
well under 500 MB whatever the network."""


def predict_chunk_rows(network, budget: int = PREDICT_BYTES, most: int = 10_000) -> int:
    """How many samples ``predict`` sends through ``network`` at once: as many as fit in
    ``budget`` bytes, counting what every layer holds for one sample
    (:meth:`~neurograph.Layer.forward_numbers`), between 1 and ``most``."""
    itemsize = network.output_layer.dtype.itemsize
    per_sample = itemsize * sum(layer.forward_numbers() for layer in network.layers)
    return int(max(1, min(most, budget // per_sample)))


def _predict(network, X: np.ndarray, chunk: "int | None" = None, *, logits: bool = False):
    """The outputs for ``X``, ``chunk`` rows at a time (by default as many as fit in
    :data:`PREDICT_BYTES`); with ``logits``, and the output layer's weighted sums (what an
    exact cross-entropy is computed from)."""
    chunk = predict_chunk_rows(network) if chunk is None else chunk
    if not logits:
        return np.concatenate([forward(network, X[i:i + chunk])[-1]
                               for i in range(0, len(X), chunk)])
    outputs, zs = [], []
    for i in range(0, len(X), chunk):
        passed = forward_pass(network, X[i:i + chunk])
        outputs.append(passed.activations[-1])
        zs.append(passed.zs[-1])
    return np.concatenate(outputs), np.concatenate(zs)


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


class _Progress:
    """A one-line progress bar on a terminal, and one line per epoch everywhere."""

    def __init__(self, enabled: bool, epochs: int, batches: int,
                 held_out: str = "validation") -> None:
        self.enabled, self.held_out = enabled, held_out
        self.live = enabled and sys.stderr.isatty()
        self.epochs, self.batches = epochs, batches
        self.every = max(1, batches // 50)

    def start_epoch(self, batches: int) -> None:
        """An epoch of ``batches`` mini-batches begins (a batch size schedule varies it)."""
        self.batches = batches
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
            parts.append(f"{self.held_out} cost {history.validation_cost[-1]:.4f}")
            if history.validation_accuracy[-1] is not None:
                parts.append(f"{self.held_out} accuracy {history.validation_accuracy[-1]:.2%}")
        parts.append(f"{history.seconds[-1]:.1f} s")
        sys.stderr.write(("\r" if self.live else "") + "  ".join(parts) + "\n")
        sys.stderr.flush()


def resolve_optimizer(network, optimizer, learning_rate, momentum):
    """The optimizer ``fit`` trains with (see :meth:`Network.fit`), checked.

    A name (or None for SGD) is built with ``learning_rate`` and ``momentum`` where given, and
    goes on with the state of the network's optimizer when that is of the same kind: SGD keeps
    its velocities from fit to fit, as when they were stored in the layers.
    """
    if optimizer is not None and not isinstance(optimizer, str):
        if learning_rate is not None or momentum is not None:
            raise ValueError("give `learning_rate` and `momentum` to the optimizer object, not "
                             f"to fit: {optimizer!r} has its own")
        return get_optimizer(optimizer)
    name = "sgd" if optimizer is None else optimizer
    settings = {}
    if learning_rate is not None:
        settings["learning_rate"] = check_step_size(learning_rate, "learning_rate")
    if momentum is not None:
        if name != "sgd":
            raise ValueError(f"`momentum` is a setting of SGD, not of {name!r}")
        settings["momentum"] = check_momentum(momentum)
    return get_optimizer(name, **settings).continue_from(getattr(network, "optimizer", None))


def _check_validation(network, validation, evaluate_every=None) -> tuple:
    """``validation`` checked (or None), and ``evaluate_every``, which needs it."""
    if evaluate_every is not None:
        evaluate_every = check_positive_int("evaluate_every", evaluate_every)
        if validation is None:
            raise ValueError("`evaluate_every` needs a `validation` set to evaluate on")
    if validation is None:
        return None, evaluate_every
    try:
        X_val, Y_val = validation
    except (TypeError, ValueError):
        raise ValueError("`validation` must be a pair (X, Y)") from None
    return check_data(network, X_val, Y_val, "validation X", "validation Y"), evaluate_every


def fit(network, X, Y, *, epochs: int = 1, batch_size=10, learning_rate=None,
        momentum=None, optimizer=None, engine: str = "vectorized", shuffle: bool = True,
        seed=None, validation=None, progress: bool = True, checkpoint=None,
        resume=None, epoch_size=None, evaluate_every=None, callbacks=None,
        validation_name: str = "validation") -> History:
    """Train ``network`` on ``X, Y``; see :meth:`Network.fit` for the parameters,
    :mod:`neurograph.training.schedule` for the settings that vary by epoch (``batch_size``
    and ``learning_rate`` as callables of the epoch index) and
    :mod:`neurograph.training.callbacks` for ``callbacks``.

    Notes
    -----
    A failed call changes nothing: on any error the network (its parameters, records and
    optimizer) is put back as it was. ``X`` is not scanned for NaN or infinity beforehand
    (that pass costs more than an epoch's bookkeeping): one would reach a weight, which the
    check after each epoch finds; then ``X`` is scanned and the error names its row.

    With ``checkpoint``, the network and where training stands (epoch, batches done, the
    shuffling generator's state) are saved to that file after every epoch, atomically; with
    ``resume``, training starts from such a file and ends with the same parameters as a run
    that was never stopped (given the same schedules and ``epoch_size``). Ctrl-C stops
    training after the current mini-batch, leaves the network consistent (the per-sample
    lists of the last mini-batch trained), saves the checkpoint if one was asked for, and
    raises KeyboardInterrupt (also when it comes during the last validation). A checkpoint
    stopped mid-epoch resumes only with the rows, ``epoch_size`` and ``batch_size`` it had.

    Training probably going wrong warns (:mod:`neurograph.training.health`); numpy's overflow
    warnings are silenced: a FloatingPointError names the parameter after the epoch.
    """
    X, Y = check_data(network, X, Y, "X", "Y", check_x=False)
    epochs = check_positive_int("epochs", epochs)
    shuffle = check_bool("shuffle", shuffle)
    batch_sizes, rates, learning_rate = _schedules(batch_size, learning_rate, optimizer,
                                                   epochs)
    epoch_size = _check_epoch_size(epoch_size, len(X))
    optimizer = resolve_optimizer(network, optimizer, learning_rate, momentum)
    optimizer.train(network)  # one optimizer, one network
    if engine not in ENGINES:
        raise ValueError(f"`engine` must be one of {', '.join(ENGINES)}, got {engine!r}")
    validation, evaluate_every = _check_validation(network, validation, evaluate_every)
    if not isinstance(validation_name, str) or not validation_name.strip():
        raise ValueError(f"`validation_name` must be a non-empty string, got "
                        f"{validation_name!r}")
    told = check_callbacks(callbacks)
    if checkpoint is not None:
        from ..io.modelfile import check_savable_optimizer

        _check_writable("checkpoint", checkpoint)
        check_savable_optimizer(optimizer)
    rng = np.random.default_rng(check_seed(seed))
    before = snapshot(network, optimizer)
    start = (1, 0)
    try:
        if resume is not None:
            start = _resume(network, optimizer, resume, epochs, rng, rates is not None,
                            (len(X), epoch_size, batch_sizes))
        look_before(network, X, Y)
        network.optimizer = optimizer
        run = _Run(network, X, Y, batch_sizes, ENGINES[engine](), optimizer, rng, shuffle,
                   checkpoint, _Progress(progress, epochs, 1, validation_name))
        run.rates, run.epoch_size, run.evaluate_every = rates, epoch_size, evaluate_every
        run.batch_callbacks, run.epoch_callbacks = told
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            history = run.epochs(start, epochs, validation)
    except FloatingPointError as error:  # the object engine's nudge met a non-finite value
        restore(network, before)
        raise FloatingPointError(f"training diverged: the {error.__cause__ or error}; the "
                                 "network is back as it was before fit (try a smaller learning "
                                 "rate)") from None
    except _Diverged as error:
        restore(network, before)
        check_finite("X", X)  # a NaN or infinity in X is the likeliest cause: name its row
        raise FloatingPointError(f"training diverged: the {error} is not finite; the network "
                                 "is back as it was before fit (try a smaller learning rate)"
                                 ) from None
    except Exception:  # ValueError, OSError, a callback's own error: nothing changes
        restore(network, before)
        raise
    return history


def _schedules(batch_size, learning_rate, optimizer, epochs: int) -> tuple:
    """Every epoch's batch size and (None unless scheduled) learning rate, checked up front
    (index ``i = epoch - 1``, counted as in a resumed run), and the learning rate the
    optimizer is made with."""
    batch_sizes = per_epoch("batch_size", batch_size, epochs,
                            lambda v: check_positive_int("batch_size", v), "a positive integer")
    if not callable(learning_rate):
        return batch_sizes, None, learning_rate
    rates = per_epoch("learning_rate", learning_rate, epochs,
                      lambda v: check_step_size(v, "learning_rate"), "a finite positive number")
    if optimizer is not None and not isinstance(optimizer, str):
        return batch_sizes, rates, None  # the schedule sets the object's rate each epoch
    return batch_sizes, rates, rates[0]


def _check_epoch_size(epoch_size, n: int) -> int:
    if epoch_size is None:
        return n
    epoch_size = check_positive_int("epoch_size", epoch_size)
    if epoch_size > n:
        raise ValueError(f"`epoch_size` must be at most the number of samples, {n}, got "
                         f"{epoch_size}")
    return epoch_size


def _resume(network, optimizer, path, epochs: int, rng, scheduled: bool,
            data: tuple) -> tuple[int, int]:
    """Take parameters, optimizer state and where training stood from checkpoint ``path``
    (``scheduled``: a schedule sets the learning rate, so the file's may differ; ``data``:
    the rows of ``X``, the epoch size and every epoch's batch size). Every check comes
    before the network is touched."""
    from ..io.modelfile import load_checkpoint

    saved, training = load_checkpoint(path, type(network))
    _check_same_structure(network, saved, path)
    first_epoch, skip = training["epoch"], training["batch"]
    if first_epoch > epochs:
        raise ValueError(f"`resume` is a checkpoint at epoch {first_epoch}, past `epochs` "
                         f"= {epochs}: nothing left to train")
    if skip:
        _check_same_epoch(path, training, data)
    settings = [o.hyperparameters() for o in (saved.optimizer, optimizer)]
    if scheduled:
        for one in settings:
            one.pop("learning_rate", None)
    if type(saved.optimizer) is not type(optimizer) or (
            saved.optimizer.name != "sgd"  # SGD's settings are not in the file
            and settings[0] != settings[1]):
        raise ValueError(f"`resume` file {path} was trained with {saved.optimizer!r}, not "
                         f"{optimizer!r}")
    rng.bit_generator.state = training["rng"]
    for mine, theirs in zip(network.receiving_layers, saved.receiving_layers):
        mine.set_state(theirs.state())
    optimizer.state = {}
    optimizer.steps = saved.optimizer.steps
    for (index, name), slots in saved.optimizer.state.items():
        mine = optimizer.slots(network.layers[index], name)
        for slot, values in slots.arrays.items():
            mine.arrays[slot][...] = values
    return first_epoch, skip


class _Run:
    """One call of ``fit`` under way: the epochs, the batches, Ctrl-C and checkpoints."""

    def __init__(self, network, X, Y, batch_sizes, engine, optimizer, rng, shuffle,
                 checkpoint, bar) -> None:
        self.network, self.X, self.Y, self.batch_sizes = network, X, Y, batch_sizes
        self.engine, self.optimizer, self.rng, self.shuffle = engine, optimizer, rng, shuffle
        self.checkpoint, self.bar = checkpoint, bar
        self.rule = _accuracy_rule(Y)
        self.interrupted: list = []  # set by Ctrl-C; checked after each mini-batch
        self.rates = None  # the learning rate of each epoch index, when scheduled
        self.epoch_size = len(X)
        self.evaluate_every = None
        # evaluations: mini-batches and samples trained in this call, and the training cost
        # summed since the last evaluation (with the samples it covers)
        self.batches_done = self.samples_done = 0
        self.window = [0.0, 0]
        self.batch_callbacks: list = []
        self.epoch_callbacks: list = []
        self.stopping: list = []  # a callback asked to end at the end of the epoch
        self.seen = 0  # training samples of this call
        self.watch = Watch(network, X, Y, optimizer)  # warns when training goes wrong

    def epochs(self, start: tuple[int, int], epochs: int, validation) -> History:
        history = History(validation_name=self.bar.held_out)
        self.engine.start(self.network)
        previous_handler = _catch_ctrl_c(self.interrupted)
        self.watch.begin()
        try:
            first_epoch, skip = start
            for epoch in range(first_epoch, epochs + 1):
                if self.rates is not None:
                    self.optimizer.learning_rate = self.rates[epoch - 1]
                order = self.epoch(epoch, epochs, skip if epoch == first_epoch else 0, history,
                                   validation)
                if validation is not None:
                    self.validate(validation, history)
                self.bar.epoch(epoch, history)
                if self.checkpoint is not None:
                    _save(self.network, self.checkpoint, epoch + 1, 0,
                          self.rng.bit_generator.state, self.sizes(epoch + 1))
                self.tell(self.epoch_callbacks, history, epoch, None, epochs)
                if self.stopping:
                    break
        finally:
            _release_ctrl_c(previous_handler)
        self.engine.finish(self.network, self.Y[order[-1]])
        if self.interrupted:  # Ctrl-C after the last mini-batch (in the validation, say)
            raise KeyboardInterrupt(f"training stopped at the end of epoch {epoch}"
                                    + (f"; saved to {self.checkpoint}"
                                       if self.checkpoint is not None else ""))
        return history

    def sizes(self, epoch: int) -> dict:
        """What a checkpoint at ``epoch`` records of the data and the batches."""
        size = self.batch_sizes[epoch - 1] if epoch <= len(self.batch_sizes) else None
        return {"samples": len(self.X), "epoch_size": self.epoch_size, "batch_size": size}

    def epoch(self, epoch: int, epochs: int, skip: int, history: History,
              validation=None) -> np.ndarray:
        """Train one epoch from its mini-batch ``skip``; returns the order it took: the first
        ``epoch_size`` samples of a shuffle of all of them (no sample twice in an epoch)."""
        n, size = self.epoch_size, self.batch_sizes[epoch - 1]
        self.bar.start_epoch(-(-n // size))
        started = time.perf_counter()
        epoch_rng_state = self.rng.bit_generator.state
        order = self.rng.permutation(len(self.X))[:n] if self.shuffle else np.arange(n)
        Y_epoch = self.Y[order]  # targets in training order: each batch's are a slice
        outputs, logits = np.empty_like(Y_epoch), np.empty_like(Y_epoch)  # (n, n_out)
        first_row = skip * size
        # names looked up once: at mini-batch 10 a batch is ~60 us, and each lookup counts
        train, network, X, optimizer = (self.engine.train_batch, self.network, self.X,
                                        self.optimizer)
        interrupted = self.interrupted
        asked = lambda: bool(interrupted)  # noqa: E731 (is there a Ctrl-C? keep the record)
        for b, begin in enumerate(range(first_row, n, size), start=skip + 1):
            end = begin + size
            rows = order[begin:end]
            # an epoch's last batch keeps its lists when training may end with it
            last = end >= n and (epoch == epochs or self.stopping or self.epoch_callbacks)
            outputs[begin:end], logits[begin:end] = train(network, X[rows], Y_epoch[begin:end],
                                                          optimizer, True if last else asked,
                                                          rows)
            self.bar.batch(epoch, b)
            self.seen += len(rows)
            if self.batch_callbacks:
                self.tell(self.batch_callbacks, history, epoch, b, epochs)
            if self.evaluate_every is not None:
                self.count(begin, min(end, n), outputs, logits, Y_epoch, validation, history)
            if interrupted and self.engine.recorded:
                # (a Ctrl-C in the last instants of a batch, after it chose not to keep its
                # record, stops after the next one: the lists left are always a whole batch's)
                self.stop(epoch, b, -(-n // size), epoch_rng_state, Y_epoch[min(end, n) - 1])
        _check_parameters(self.network)
        self.watch.epoch(epoch, epoch == epochs, outputs[first_row:], Y_epoch[first_row:],
                         size)
        history.seconds.append(time.perf_counter() - started)
        history.cost.append(_mean_cost(self.network, outputs[first_row:], Y_epoch[first_row:],
                                       logits[first_row:]))
        history.accuracy.append(None if self.rule is None else
                                self.rule(outputs[first_row:], order[first_row:]))
        return order

    def tell(self, callbacks: list, history: History, epoch: int, batch, epochs: int) -> None:
        """Call ``callbacks`` with what stands now; note a request to stop."""
        for callback in callbacks:
            callback(TrainingEvent(self.network, history, epoch, batch, self.seen,
                                   epochs=epochs, _stop=self.stopping))

    def stop(self, epoch: int, b: int, batches: int, epoch_rng_state, y_last) -> None:
        """Ctrl-C: the network consistent, the checkpoint saved, KeyboardInterrupt."""
        _check_parameters(self.network)
        self.engine.finish(self.network, y_last)
        if self.checkpoint is not None:
            if b == batches:  # the epoch is done: the next starts afresh
                _save(self.network, self.checkpoint, epoch + 1, 0,
                      self.rng.bit_generator.state, self.sizes(epoch + 1))
            else:
                _save(self.network, self.checkpoint, epoch, b, epoch_rng_state,
                      self.sizes(epoch))
        raise KeyboardInterrupt(f"training stopped after mini-batch {b} of epoch {epoch}"
                                + (f"; saved to {self.checkpoint}"
                                   if self.checkpoint is not None else ""))

    def count(self, begin: int, end: int, outputs, logits, Y_epoch, validation,
              history: History) -> None:
        """After a mini-batch (rows ``begin:end`` of the epoch): add its training cost to the
        window, and every ``evaluate_every`` batches evaluate on ``validation``."""
        self.batches_done += 1
        self.samples_done += end - begin
        self.window[0] += _cost_sum(self.network, outputs[begin:end], Y_epoch[begin:end],
                                    logits[begin:end])
        self.window[1] += end - begin
        if self.batches_done % self.evaluate_every:
            return
        X_val, Y_val = validation
        predicted, predicted_logits = _predict(self.network, X_val, logits=True)
        rule = _accuracy_rule(Y_val)
        history.evaluation_samples.append(self.samples_done)
        history.evaluation_cost.append(_mean_cost(self.network, predicted, Y_val,
                                                  predicted_logits))
        history.evaluation_accuracy.append(None if rule is None else rule(predicted))
        history.evaluation_training_cost.append(self.window[0] / self.window[1])
        self.window = [0.0, 0]

    def validate(self, validation, history: History) -> None:
        X_val, Y_val = validation
        predicted, predicted_logits = _predict(self.network, X_val, logits=True)
        history.validation_cost.append(_mean_cost(self.network, predicted, Y_val,
                                                  predicted_logits))
        rule = _accuracy_rule(Y_val)
        history.validation_accuracy.append(None if rule is None else rule(predicted))


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


def _save(network, path, epoch: int, batch: int, rng_state: dict, sizes: dict) -> None:
    """A checkpoint: go on with ``epoch`` after its first ``batch`` mini-batches, drawing its
    order from a generator in ``rng_state``; ``sizes``: the data's rows, the epoch size and
    the batch size of ``epoch`` (None past the last), which a resume mid-epoch must match."""
    from ..io.modelfile import save_checkpoint

    save_checkpoint(network, path, {"epoch": epoch, "batch": batch, "rng": rng_state, **sizes})


def _check_same_epoch(path, training: dict, data: tuple) -> None:
    """A checkpoint stopped in the middle of an epoch goes on only with the data and batches it
    stopped in (the rows it skips are the ones it trained): refuse what differs."""
    samples, epoch_size, batch_sizes = data
    epoch, skip = training["epoch"], training["batch"]
    now = {"samples": samples, "epoch_size": epoch_size, "batch_size": batch_sizes[epoch - 1]}
    names = {"samples": "rows in `X`", "epoch_size": "`epoch_size`",
             "batch_size": "`batch_size`"}
    differ = [f"{names[key]} {training[key]} then, {now[key]} now" for key in now
              if training.get(key) is not None and training[key] != now[key]]
    where = f"`resume` file {path} stopped after mini-batch {skip:,} of epoch {epoch}"
    if differ:
        raise ValueError(f"{where}, with other data or batches ({'; '.join(differ)}): resume "
                         "a stopped epoch with the same `X`, `epoch_size` and `batch_size`")
    if skip * now["batch_size"] >= epoch_size:
        batches = -(-epoch_size // now["batch_size"])
        raise ValueError(f"{where}, but an epoch of {epoch_size:,} samples in batches of "
                         f"{now['batch_size']} has only {batches:,}: resume with the data and "
                         "`batch_size` it was made with")


def _check_same_structure(network, saved, path) -> None:
    mine = [layer.structure() for layer in network.layers]
    theirs = [layer.structure() for layer in saved.layers]
    same_settings = (network.cost_function.name == saved.cost_function.name
                     and network.bias_clamp == saved.bias_clamp
                     and network.output_layer.dtype == saved.output_layer.dtype
                     and network.hidden_derivative == saved.hidden_derivative)
    if mine != theirs or not same_settings:
        raise ValueError(f"`resume` file {path} holds a different network: {saved!r}, "
                         f"not {network!r}")


class _Diverged(Exception):
    pass


def _check_parameters(network) -> None:
    """After an epoch: every parameter is finite (a last guard against overflow); biases are
    looked at first."""
    for layer in network.receiving_layers:
        for name in sorted(layer.parameter_names, key=lambda name: name != "biases"):
            values = layer.parameter(name)
            if not np.isfinite(values).all():
                raise _Diverged(layer.first_non_finite(name, values))


def snapshot(network, optimizer=None) -> tuple:
    """What a failed call puts back with :func:`restore`: parameters, records, the network's
    optimizer, and the state of both it and ``optimizer`` (the one about to train), with
    their learning rates (a schedule sets them)."""
    optimizer = network.optimizer if optimizer is None else optimizer
    layers = [(layer.state(), layer.record) for layer in network.receiving_layers]
    own = network.optimizer
    rates = own.learning_rate, optimizer.learning_rate
    return layers, own, own.snapshot(), optimizer, optimizer.snapshot(), rates


def restore(network, snapshot: tuple) -> None:
    """Put ``network`` back as :func:`snapshot` found it."""
    layers, own, own_state, optimizer, state, (own_rate, rate) = snapshot
    own.learning_rate, optimizer.learning_rate = own_rate, rate
    for layer, (layer_state, record) in zip(network.receiving_layers, layers):
        layer.set_state(layer_state)
        layer.record = record
    optimizer.restore(state)
    own.restore(own_state)
    network.optimizer = own
