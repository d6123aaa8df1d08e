"""The vectorized engine: the same network, a whole mini-batch at a time.

Every receiving layer speaks the layer protocol (:class:`~neurograph.ReceivingLayer`): for a
dense layer with weights ``W`` (n_out x n_in) and biases ``b`` the batch forward pass is
``Z = A_in @ W.T + b``, ``A = f(Z)``, and row ``s`` is what the object engine computes for
sample ``s``, neuron by neuron. Backwards, ``dC/dA_in = Delta @ W`` sums over each neuron's
outgoing connections, and the mean gradient of ``W`` is ``Delta.T @ A_in / batch``.
Convolution, pooling and dropout layers answer the same calls with their own arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..core.costs import output_deltas
from ..core.layers import Nudge

__all__ = ["forward", "forward_pass", "train_batch", "Plan", "Pass", "VectorizedEngine"]


@dataclass
class Pass:
    """One forward pass: every layer's activations (inputs first), every receiving layer's
    weighted sums ``z`` and what its backward step needs (``caches``, None where not kept)."""

    activations: list
    zs: list
    caches: list


def forward_pass(network, X: np.ndarray, *, start: int = 0,
                 keep_from: Optional[int] = None, functions: Optional[list] = None) -> Pass:
    """Propagate a batch through ``network`` from layer ``start``: the one forward pass that
    training, ``predict``, ``evaluate``, the plots, the gradient check and the CLI share.

    Parameters
    ----------
    network : Network
    X : numpy.ndarray, shape (batch, len(network.layers[start]))
        The activations of layer ``start`` (the inputs when ``start`` is 0).
    start : int
        The layer to start from.
    keep_from : int, optional
        Keep what the backward pass needs for receiving layers ``keep_from`` and after (counted
        from the first layer after ``start``); None keeps nothing.
    functions : list, optional
        The layers' activation functions on arrays, if the caller has them at hand (a Plan).
    """
    a = X
    result = Pass([a], [], [])
    layers = network.layers[start + 1:]
    functions = functions or [layer.activation_function.vectorized for layer in layers]
    for k, (layer, f) in enumerate(zip(layers, functions)):
        z, cache = layer.forward_batch(a, keep_from is not None and k >= keep_from)
        a = f(z)
        result.activations.append(a)
        result.zs.append(z)
        result.caches.append(cache)
    return result


def forward(network, activations: np.ndarray, *, start: int = 0) -> list[np.ndarray]:
    """The activations of layers ``start, start + 1, ..., last`` for a batch, each
    ``(batch, size)`` (see :func:`forward_pass`)."""
    return forward_pass(network, activations, start=start).activations


class Plan:
    """Facts about a network's layers that do not change during a ``fit``, worked out once.

    ``layers``: the receiving layers; ``learns[k]``: the parameters of layer ``k`` that
    training moves, each with ``True`` (every entry) or the layer's own restriction;
    ``bias_rows[k]``: which of its biases train (what the clamp applies to);
    ``first_trainable``: the first layer with a trainable parameter (no delta below it is
    needed to train); ``derivatives[k]``: its ``f'`` from ``(z, a)``; ``buffers[k]``: where
    its gradients are written, batch after batch; ``in_training``: the layers that act
    differently in training (dropout).
    """

    def __init__(self, network) -> None:
        layers = self.layers = network.receiving_layers
        self.learns = []
        for layer in layers:
            trainable = {name: layer.trainable_entries(name) for name in layer.parameter_names}
            self.learns.append([(name, t is True) for name, t in trainable.items()
                                if t is not False])
        self.bias_rows = [layer.trainable_entries("biases") if "biases" in layer.parameter_names
                          else False for layer in layers]
        learning = [k for k, names in enumerate(self.learns) if names]
        self.first_trainable = learning[0] if learning else len(layers)
        self.derivatives = [_derivative_of(layer.activation_function) for layer in layers]
        self.functions = [layer.activation_function.vectorized for layer in layers]
        self.values = [{name: layer.parameter(name) for name in layer.parameter_names}
                       for layer in layers]  # live views, the same objects batch after batch
        self.recorded = False  # whether the last train_batch left its record
        self.in_training = [layer for layer in layers if layer.acts_in_training]
        self.bound, self.targets = None, []
        self.buffers = [{name: np.empty_like(layer.parameter(name)) for name, _ in names
                         if name == "weights" and layer.parameter(name).ndim == 2}
                        for layer, names in zip(layers, self.learns)]
        output = layers[-1]
        self.cost, self.output_activation = output.cost, output.activation_function
        # hidden_derivative="mean": what each layer's dC/da is divided by (its neurons'
        # numbers of outgoing connections, at least 1); None for the chain rule's sum
        self.shares = None
        if network.hidden_derivative == "mean":
            self.shares = [None] + [np.maximum(layer.outgoing_counts(), 1).astype(layer.dtype)
                                    for layer in layers[1:]]

    def bind(self, optimizer) -> list:
        """Per receiving layer, ``(name, everywhere, values, slots)`` of each parameter that
        training moves under ``optimizer`` (worked out once per optimizer: a fit's batches all
        use the same)."""
        if self.bound != (optimizer, optimizer.generation):  # slots replaced: bind again
            self.bound = (optimizer, optimizer.generation)
            self.targets = [[(name, everywhere, self.values[k][name],
                              optimizer.slots(layer, name)) for name, everywhere in names]
                            for k, (layer, names) in enumerate(zip(self.layers, self.learns))]
        return self.targets


def _derivative_of(f):
    """``f'`` as a function of ``(z, a)``: from ``a`` when the activation allows (cheaper)."""
    if f.derivative_from_output is not None:
        from_output = f.derivative_from_output
        return lambda z, a: from_output(a)
    if f.derivative is not None:
        derivative = f.derivative
        return lambda z, a: derivative(z)
    return None  # softmax: handled by output_deltas


def backward(plan: Plan, passed: Pass, Y: np.ndarray, lowest: int) -> tuple[list, list]:
    """Deltas (dC/dz) of receiving layers ``lowest`` and up, and dC/da of the layers below
    them (None where not computed): the post's steps 4 and 5 for a whole batch."""
    layers, activations, zs = plan.layers, passed.activations, passed.zs
    last = len(layers) - 1
    deltas = [None] * len(layers)
    dcdas = [None] * len(layers)
    deltas[last] = output_deltas(plan.cost, plan.output_activation, zs[last], activations[-1], Y)
    for k in range(last, max(lowest, 0), -1):
        dcdas[k - 1] = _dcda(plan, k, deltas[k], activations[k], passed.caches[k])
        deltas[k - 1] = dcdas[k - 1] * plan.derivatives[k - 1](zs[k - 1], activations[k])
    return deltas, dcdas


def _dcda(plan: Plan, k: int, delta: np.ndarray, a_in: np.ndarray, cache) -> np.ndarray:
    """dC/da of the layer below receiving layer ``k``: the SUM over outgoing connections,
    whatever the layer kind, or with ``hidden_derivative="mean"`` that sum divided by each
    neuron's number of outgoing connections (the post's averaging)."""
    dcda = plan.layers[k].backward_batch(delta, a_in, cache)
    if plan.shares is not None:
        dcda = dcda / plan.shares[k]  # (a new array: a layer may hand back delta itself)
    return dcda


def train_batch(network, X: np.ndarray, Y: np.ndarray, optimizer, plan: Plan = None,
                keep_record=True) -> tuple[list, list, list, list]:
    """Train one mini-batch: the post's steps 1-7 for all samples at once.

    ``X`` and ``Y`` must be 2-D, of the network's dtype and widths, and ``Y`` must be checked.
    Each receiving layer's ``record`` is replaced by this batch's tables (as ``clear()`` and
    ``train_sample`` would leave it), then ``optimizer`` moves every trainable parameter by its
    mean gradient; biases are clamped.

    ``keep_record`` (a bool, or a function asked once the gradients are known) False skips the
    records: ``fit`` keeps only its last batch's, since only that one can be seen, and holding
    every batch's arrays until the next one costs ~9% of an epoch at batch 100 (the memory of
    the inputs cannot be reused while it is still in hand).

    Nothing here tests for NaN or infinity: any in ``X`` or from an overflow reaches a weight
    (``inf x 0`` and ``nan x 0`` are NaN), so ``fit`` checks the parameters after each epoch.

    Returns
    -------
    (activations, zs, deltas, dcdas)
        Every layer's activations (inputs first), every receiving layer's weighted sums and
        deltas, and each hidden layer's dC/da (None for the output layer), all computed before
        the nudge: what the layers' records hold. ``dcdas`` and ``deltas`` are None below the
        first trainable layer when no record was kept.
    """
    plan = plan or Plan(network)
    for layer in plan.in_training:
        layer.begin_batch(len(X))
    try:
        # Deltas are needed from the last layer down to the first trainable one; below it
        # only for the record (a static convolution front-end is then a forward pass only).
        wanted = keep_record if isinstance(keep_record, bool) else None
        lowest = 0 if wanted is True else plan.first_trainable
        passed = forward_pass(network, X, keep_from=lowest, functions=plan.functions)
        deltas, dcdas = backward(plan, passed, Y, lowest)
        if wanted is None and keep_record():
            deltas, dcdas = _complete(plan, passed, deltas, dcdas, lowest)
            wanted = True
        plan.recorded = bool(wanted)
        _nudge(network, plan, optimizer, passed, deltas, dcdas, plan.recorded)
    finally:
        for layer in plan.in_training:
            layer.end_batch()
    return passed.activations, passed.zs, deltas, dcdas


def _complete(plan: Plan, passed: Pass, deltas: list, dcdas: list, lowest: int):
    """The deltas below ``lowest`` too, for a record asked for after the backward pass."""
    for k, layer in enumerate(plan.layers[:lowest]):
        if passed.caches[k] is None:  # the forward pass kept nothing for it: do it again
            passed.caches[k] = layer.forward_batch(passed.activations[k], True)[1]
    for k in range(lowest, 0, -1):
        dcdas[k - 1] = _dcda(plan, k, deltas[k], passed.activations[k], passed.caches[k])
        deltas[k - 1] = dcdas[k - 1] * plan.derivatives[k - 1](passed.zs[k - 1],
                                                               passed.activations[k])
    return deltas, dcdas


def _nudge(network, plan: Plan, optimizer, passed: Pass, deltas: list, dcdas: list,
           keep_record: bool) -> None:
    """Step 7: records first (they hold the parameters before the nudge), then every
    trainable parameter moves by the optimizer's rule, biases clamped."""
    layers, activations, caches = plan.layers, passed.activations, passed.caches
    if keep_record:
        for k, layer in enumerate(layers):
            layer.record = layer.batch_record(activations[k], deltas[k], dcdas[k], caches[k])
        befores = [_parameters_and_slots(layer, optimizer, names)
                   for layer, names in zip(layers, plan.learns)]
    targets = plan.bind(optimizer)
    optimizer.begin_step()
    scale = optimizer.gradient_scale(len(activations[0]))
    clamp = network.bias_clamp
    for k in range(plan.first_trainable, len(layers)):
        if not targets[k]:
            continue  # only static neurons: nothing moves
        layer = layers[k]
        gradients = layer.gradients_batch(deltas[k], activations[k], caches[k], scale,
                                          plan.buffers[k])
        for name, everywhere, values, slots in targets[k]:
            if not everywhere:
                layer.restrict_to_trainable(name, gradients[name])
            optimizer.update(values, gradients[name], slots)
        if clamp is not None and plan.bias_rows[k] is not False:
            layer.clamp_biases(clamp, plan.bias_rows[k])
    if keep_record:
        for layer, names, (before, slots_before) in zip(layers, plan.learns, befores):
            slots_after = {name: optimizer.slots(layer, name).copy() for name, _ in names}
            layer.record.nudge = Nudge(optimizer, before, slots_before, slots_after)


def _parameters_and_slots(layer, optimizer, names) -> tuple[dict, dict]:
    before = {name: layer.parameter(name).copy() for name in layer.parameter_names}
    slots = {name: optimizer.slots(layer, name).copy() for name, _ in names}
    return before, slots


class VectorizedEngine:
    """The vectorized engine behind the interface ``fit`` picks from: ``start`` once, then
    ``train_batch`` per mini-batch (returning its outputs), then ``finish``."""

    name = "vectorized"

    def start(self, network) -> None:
        self.plan = Plan(network)
        self.last = None

    def train_batch(self, network, X, Y, optimizer, keep_record, rows=None) -> np.ndarray:
        """Train one mini-batch; ``keep_record`` (bool or a function) as in
        :func:`train_batch`. No reference to a batch's arrays outlives the next one, except
        the last recorded batch's, whose activations ``finish`` hands to the neurons."""
        self.last = None
        result = train_batch(network, X, Y, optimizer, self.plan, keep_record)
        if self.plan.recorded:
            self.last = result
        return result[0][-1]

    @property
    def recorded(self) -> bool:
        """Whether the last mini-batch left its per-sample lists in the layers."""
        return self.last is not None

    def finish(self, network, y_last) -> None:
        """Set activations, weighted sums, winners and desired activations as the object
        engine leaves them: those of the last sample trained."""
        if self.last is not None:
            _leave_last_sample(network, self.last[0], self.last[1], y_last)
            self.last = None


def _leave_last_sample(network, activations: list, zs: list, y: np.ndarray) -> None:
    for neuron, value in zip(network.input_layer.neurons, activations[0][-1].tolist()):
        neuron.activation = value
    for layer, a, z in zip(network.receiving_layers, activations[1:], zs):
        for neuron, a_j, z_j in zip(layer.neurons, a[-1].tolist(), z[-1].tolist()):
            neuron.activation, neuron.z = a_j, z_j
        layer.leave_last_sample()
    for neuron, y_j in zip(network.output_layer.neurons, y.tolist()):
        neuron.desired_activation = y_j
