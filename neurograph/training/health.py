"""Warnings while training: what a student would otherwise not notice going wrong.

Each is a :class:`~neurograph.core.validation.TrainingWarning` saying what was seen and the
likely cause: inputs far outside the usual range, an epoch whose training cost ends above where
training started (``end > RISE * start``), most hidden neurons stuck at the bounds of their
activation (dead ReLU, saturated sigmoid or tanh), targets an output can never reach, and a
network with no connection at all.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..core.validation import TrainingWarning

__all__ = ["look_before", "check_input_range", "check_reachable_targets", "check_connected",
           "Watch", "RISE", "PIXELS", "FAR", "STUCK_SHARE"]

RISE = 2.0
"""An epoch's closing cost above ``RISE`` times the opening one is a rise, not noise."""
PIXELS = 1.5
"""A 784-input network reads MNIST pixels in [0, 1]: inputs above this were not scaled."""
FAR = 100.0
"""Any input of magnitude above this is far outside the usual range (about [-1, 1])."""
STUCK_SHARE = 0.5
"""More than this share of the hidden neurons stuck at a bound is "most"."""
_WINDOW = 1000  # samples at the start and the end of an epoch whose costs are compared
_LOOK = 256  # training samples the hidden activations are looked at on
_NEAR = 0.01  # how close to a bound a sigmoid or tanh neuron sits to count as saturated
_MOSTLY = 0.95  # a sigmoid or tanh neuron saturated on this share of the samples is stuck
# which activations have bounds, and when a neuron sits at them (a: (batch, size))
_AT_BOUND = {"relu": lambda a: a <= 0.0,
             "sigmoid": lambda a: (a < _NEAR) | (a > 1.0 - _NEAR),
             "tanh": lambda a: np.abs(a) > 1.0 - _NEAR}
_REACH = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # what these outputs can reach
_RANGE_ENTRIES = 1 << 20  # at most about this many entries of X are looked at for its range


def _warn(message: str) -> None:
    warnings.warn(message, TrainingWarning, stacklevel=3)


def look_before(network, X: np.ndarray, Y: np.ndarray) -> None:
    """What ``fit`` looks at before training: the connections, the inputs and the targets."""
    check_connected(network)
    check_input_range(network, X)
    check_reachable_targets(network, Y, "Y")


def check_input_range(network, X: np.ndarray, name: str = "X") -> None:
    """Warn once if ``X`` is far outside the usual range: above 1.5 for a 784-input network
    (MNIST pixels 0-255 not divided by 255), or beyond 100 in magnitude for any network.

    A large ``X`` is judged by rows spread evenly through it, about a million entries (every
    45th image of the MNIST training set): unscaled data is unscaled in every row, and reading
    all of it twice cost 9% of a one-epoch ``fit`` of 784-30-10 at mini-batch 100.
    """
    step = -(-X.size // _RANGE_ENTRIES)  # 1 when X is small: every row
    rows = X[::step]
    low, high = float(np.min(rows)), float(np.max(rows))
    if not (np.isfinite(low) and np.isfinite(high)):
        return  # fit names a NaN or infinity itself
    if network.input_layer.size == 784 and high > PIXELS:
        _warn(f"`{name}` holds values up to {high:g}, but a 784-input network reads MNIST "
              "pixels in [0, 1]: divide the pixels by 255 (training on 0-255 saturates the "
              "neurons)")
    elif max(-low, high) > FAR:
        _warn(f"`{name}` holds values from {low:g} to {high:g}, far outside the usual range "
              "of about [-1, 1]: scale the inputs (for example subtract each column's mean and "
              "divide by its standard deviation)")


def check_reachable_targets(network, y, name: str = "y") -> None:
    """Warn if a target lies outside what the output activation can reach (sigmoid: [0, 1],
    tanh: [-1, 1]): the cost can never reach its minimum and the weights grow without end."""
    f = network.output_layer.activation_function.name
    if f not in _REACH:
        return
    low, high = _REACH[f]
    y = np.asarray(y, dtype=float)
    if np.any((y < low) | (y > high)):
        seen = (f"the target {np.min(y):g}" if np.min(y) == np.max(y) else
                f"targets from {np.min(y):g} to {np.max(y):g}")
        _warn(f"`{name}` holds {seen}, but a {f} output "
              f"only reaches [{low:g}, {high:g}]: scale the targets into that range, or use an "
              "identity output")


def check_connected(network) -> None:
    """Warn if ``network`` has no connection at all: its outputs do not depend on its inputs."""
    if sum(layer.n_connections for layer in network.receiving_layers) == 0:
        _warn(f"{network!r} has no connections: its outputs do not depend on its inputs, and "
              "training can only move the biases")


class Watch:
    """What one call of ``fit`` keeps an eye on, epoch after epoch; each warning once.

    The cost: an epoch ends "above" when the mean cost of its last samples (measured before
    their mini-batch's nudge) is over ``RISE`` times the network's cost on the first samples
    before training; a warning comes when the call's last epoch ends above, or two epochs in a
    row do (a first epoch that overshoots and recovers is not a failure). Stuck neurons: a
    ReLU that was alive before training and gives 0 on all of the first samples (dead; a map
    position that only ever sees blank border was dead from the start and is not counted), a
    sigmoid or tanh within 0.01 of a bound on 95% of them (saturated).
    """

    def __init__(self, network, X: np.ndarray, Y: np.ndarray, optimizer) -> None:
        self.network, self.X, self.Y, self.optimizer = network, X, Y, optimizer
        self.start = None  # the mean cost before training, on the first samples
        self.dead_before: dict = {}  # layer index: the ReLUs dead before training
        self.above = 0  # epochs in a row that ended above where training started
        self.told: set = set()

    def begin(self) -> None:
        """Before the first mini-batch: measure where training starts."""
        from ..engines.vectorized import forward

        activations = forward(self.network, self.X[:_WINDOW])  # one pass for both looks
        outputs = activations[-1]
        self.start = float(np.sum(self.network.cost_function.term(
            outputs, self.Y[:_WINDOW]))) / len(outputs)
        self.dead_before = {k: stuck for k, name, stuck in self.stuck_neurons(activations)
                            if name == "relu"}

    def epoch(self, epoch: int, last: bool, outputs: np.ndarray, Y: np.ndarray,
              size: int) -> None:
        """After epoch ``epoch`` (``last``: the call's last): ``outputs`` and ``Y`` are its rows
        in training order (measured before each mini-batch's nudge), ``size`` its batch size."""
        window = min(len(Y), max(size, _WINDOW))
        end = float(np.sum(self.network.cost_function.term(outputs[-window:],
                                                           Y[-window:]))) / window
        above = self.start is not None and np.isfinite(self.start) and end > RISE * self.start
        self.above = self.above + 1 if above else 0
        if "rise" not in self.told and above and (last or self.above >= 2):
            self.told.add("rise")
            rate = getattr(self.optimizer, "learning_rate", None)
            step = "" if rate is None else f" ({rate:g})"
            _warn(f"the training cost ended epoch {epoch} at {end:.4g}, above the "
                  f"{self.start:.4g} it started at: the learning rate{step} is probably too "
                  "large, or the inputs are not scaled")
        if "stuck" not in self.told:
            self.stuck(epoch)

    def stuck_neurons(self, activations=None):
        """``(layer index, activation name, stuck mask)`` of each hidden layer whose activation
        has bounds, on the first training samples (``activations``: a forward pass of at least
        those samples, if one was made)."""
        from ..engines.vectorized import forward

        if activations is None:
            activations = forward(self.network, self.X[:_LOOK])
        for k, layer in enumerate(self.network.receiving_layers[:-1], start=1):  # hidden
            name = layer.activation_function.name
            if name in _AT_BOUND:
                share = np.mean(_AT_BOUND[name](activations[k][:_LOOK]), axis=0)  # per neuron
                yield k, name, share >= (1.0 if name == "relu" else _MOSTLY)

    def stuck(self, epoch: int) -> None:
        """Warn if most hidden neurons are stuck at a bound (see the class)."""
        counted = stuck = 0
        kinds = set()
        for k, name, mask in self.stuck_neurons():
            if k in self.dead_before:  # only the ReLUs training killed
                mask, counted = mask & ~self.dead_before[k], counted - int(np.sum(
                    self.dead_before[k]))
            counted += len(mask)
            stuck += int(np.sum(mask))
            if np.any(mask):
                kinds.add(name)
        if counted > 0 and stuck > STUCK_SHARE * counted:
            self.told.add("stuck")
            how = " and ".join(("dead (ReLU output 0)" if kind == "relu" else
                                f"saturated ({kind} at its bounds)") for kind in sorted(kinds))
            _warn(f"after epoch {epoch}, {stuck} of the {counted} hidden neurons are {how} on "
                  f"the first {min(len(self.X), _LOOK)} training samples: they no longer learn; "
                  "the learning rate is probably too large, or the inputs are not scaled")
