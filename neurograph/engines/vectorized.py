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
    """One forward pass: every layer's activations (inputs first); for every receiving layer
    its inputs (its sources' activations side by side, the columns of its ``weights``), its
    weighted sums ``z`` and what its backward step needs (``caches``, None where not kept)."""

    activations: list
    zs: list
    caches: list
    inputs: list


def _sources(network, layers) -> list:
    """For each of ``layers``: the indices of the layers it reads, in column order."""
    return [tuple(source.index for source in layer.sources) for layer in layers]


def forward_pass(network, X: np.ndarray, *, start: int = 0,
                 keep_from: Optional[int] = None, keep: Optional[list] = None,
                 functions: Optional[list] = None, sources: Optional[list] = None,
                 earlier: Optional[list] = None, known: Optional[list] = None,
                 only: Optional[set] = None) -> Pass:
    """Propagate a batch through ``network`` from layer ``start``: the one forward pass that
    training, ``predict``, ``evaluate``, the plots, the gradient check and the CLI share.

    Each receiving layer reads its sources' activations: one earlier layer's as they are, or
    several side by side (a copy, made only for such a layer).

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
    keep : list of bool, optional
        Or say it layer by layer (a Plan's choice).
    functions, sources : list, optional
        The layers' activation functions on arrays and their sources' indices, if the caller
        has them at hand (a Plan).
    earlier : list of numpy.ndarray, optional
        The activations of layers ``0 .. start - 1``, for layers after ``start`` that read
        them too (needed only when some do).
    known, only : optional
        Every layer's activations already computed, and the indices of the layers to compute
        again (what a changed layer feeds): the others keep their ``known`` activations, and
        their ``zs``, ``caches`` and ``inputs`` are None.

    Returns
    -------
    Pass
        ``activations`` from layer ``start`` on; ``zs``, ``caches`` and ``inputs`` of the
        receiving layers after it.
    """
    layers = network.layers[start + 1:]
    activations = (list(earlier) if earlier is not None else [None] * start) + [X]
    functions = functions or [layer.activation_function.vectorized for layer in layers]
    sources = sources or _sources(network, layers)
    if keep is None:
        keep = [keep_from is not None and k >= keep_from for k in range(len(layers))]
    result = Pass(activations, [], [], [])
    for layer, f, read, kept in zip(layers, functions, sources, keep):
        if only is not None and layer.index not in only:
            activations.append(known[layer.index])
            for listed in (result.zs, result.caches, result.inputs):
                listed.append(None)
            continue
        if len(read) == 1:
            a_in = activations[read[0]]
        else:
            a_in = np.concatenate([activations[i] for i in read], axis=1)
        if a_in is None:
            raise ValueError(f"{layer!r} reads a layer before layer {start}: give its "
                             "activations as `earlier`")
        z, cache = layer.forward_batch(a_in, kept)
        activations.append(f(z))
        result.zs.append(z)
        result.caches.append(cache)
        result.inputs.append(a_in)
    result.activations = activations[start:]
    return result


def forward(network, activations: np.ndarray, *, start: int = 0,
            earlier: Optional[list] = None) -> list[np.ndarray]:
    """The activations of layers ``start, start + 1, ..., last`` for a batch, each
    ``(batch, size)`` (see :func:`forward_pass`)."""
    return forward_pass(network, activations, start=start, earlier=earlier).activations


class Plan:
    """Facts about a network's layers that do not change during a ``fit``, worked out once.

    ``layers``: the receiving layers; ``learns[k]``: the parameters of layer ``k`` that
    training moves, each with ``True`` (every entry) or the layer's own restriction;
    ``bias_rows[k]``: which of its biases train (what the clamp applies to);
    ``sources[k]``: the indices of the layers it reads, ``blocks[k]`` where their columns are;
    ``needs[k]``: whether training needs its delta (it learns, or a source of it does, or
    one further back); ``keep[k]``: whether its forward pass must keep what backward needs;
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
        self.sources = _sources(network, layers)
        # per source: (its receiving index, or None for the input layer; offset; size)
        self.blocks = [[(i - 1 if i else None, layer.offset_of(source), source.size)
                        for i, source in zip(read, layer.sources)]
                       for layer, read in zip(layers, self.sources)]
        # a layer needs its delta to train, or to pass one back to a source that needs it
        self.needs = []
        for k in range(len(layers)):
            self.needs.append(bool(self.learns[k]) or any(
                r is not None and self.needs[r] for r, _, _ in self.blocks[k]))
        self.keep = self.needs  # a layer that needs its delta needs its forward pass kept
        self.keep_all = [True] * len(layers)
        # where each layer hands dC/da back: to the sources that need it, or to every source
        # that is not the input (when the record wants every layer's lists)
        self.routes = {False: [self._route(k, self.needs) for k in range(len(layers))],
                       True: [self._route(k, [True] * len(layers)) for k in range(len(layers))]}
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
        if network.hidden_derivative == "mean":  # per hidden layer: its neurons' out-degrees
            counts = [np.zeros(layer.size) for layer in layers]
            for layer, blocks in zip(layers, self.blocks):
                outgoing = layer.outgoing_counts()  # per input column
                for r, offset, size in blocks:
                    if r is not None:
                        counts[r] += outgoing[offset:offset + size]
            self.shares = [np.maximum(c, 1).astype(layer.dtype)
                           for c, layer in zip(counts, layers)]

    def _route(self, k: int, needs: list) -> tuple:
        """The blocks of layer ``k`` whose source is a receiving layer that ``needs`` names,
        and whether they are all its columns."""
        targets = [block for block in self.blocks[k] if block[0] is not None and needs[block[0]]]
        return targets, len(self.blocks[k]) == 1

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


def backward(plan: Plan, passed: Pass, Y: np.ndarray, every: bool) -> tuple[list, list]:
    """The post's steps 4 and 5 for a whole batch: deltas (dC/dz) of the receiving layers that
    training needs (``every`` one, for a record), and dC/da of the hidden ones among them
    (None elsewhere).

    Layers go from the last to the first, so that a layer's dC/da is complete (every later
    layer reading it has added its part) before its delta is taken: a neuron's dC/da is the
    SUM over all its outgoing connections, whatever layer they reach."""
    layers, zs, activations = plan.layers, passed.zs, passed.activations
    routes = plan.routes[every]
    last = len(layers) - 1
    deltas = [None] * len(layers)
    dcdas = [None] * len(layers)
    deltas[last] = output_deltas(plan.cost, plan.output_activation, zs[last], activations[-1], Y)
    for k in range(last, -1, -1):
        if k != last:
            if dcdas[k] is None:
                continue  # nothing below needs it
            if plan.shares is not None:  # the post's averaging: over the outgoing connections
                dcdas[k] = dcdas[k] / plan.shares[k]
            deltas[k] = dcdas[k] * plan.derivatives[k](zs[k], activations[k + 1])
        targets, whole = routes[k]
        if not targets:
            continue
        d = layers[k].backward_batch(deltas[k], passed.inputs[k], passed.caches[k])
        for r, offset, size in targets:  # each source's columns, added to what it has
            part = d if whole else d[:, offset:offset + size]
            dcdas[r] = part if dcdas[r] is None else dcdas[r] + part
    return deltas, dcdas


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
        passed = forward_pass(network, X, keep=plan.keep_all if wanted is True else plan.keep,
                              functions=plan.functions, sources=plan.sources)
        deltas, dcdas = backward(plan, passed, Y, wanted is True)
        if wanted is None and keep_record():
            deltas, dcdas = _complete(plan, passed, Y)
            wanted = True
        plan.recorded = bool(wanted)
        _nudge(network, plan, optimizer, passed, deltas, dcdas, plan.recorded)
    finally:
        for layer in plan.in_training:
            layer.end_batch()
    return passed.activations, passed.zs, deltas, dcdas


def _complete(plan: Plan, passed: Pass, Y: np.ndarray) -> tuple[list, list]:
    """Every layer's delta, for a record asked for after the backward pass (a Ctrl-C): the
    layers the forward pass kept nothing for run again, then backward for all."""
    for k, layer in enumerate(plan.layers):
        if passed.caches[k] is None and not plan.keep[k]:
            passed.caches[k] = layer.forward_batch(passed.inputs[k], True)[1]
    return backward(plan, passed, Y, True)


def _nudge(network, plan: Plan, optimizer, passed: Pass, deltas: list, dcdas: list,
           keep_record: bool) -> None:
    """Step 7: records first (they hold the parameters before the nudge), then every
    trainable parameter moves by the optimizer's rule, biases clamped."""
    layers, inputs, caches = plan.layers, passed.inputs, passed.caches
    if keep_record:
        for k, layer in enumerate(layers):
            layer.record = layer.batch_record(inputs[k], deltas[k], dcdas[k], caches[k])
        befores = [_parameters_and_slots(layer, optimizer, names)
                   for layer, names in zip(layers, plan.learns)]
    targets = plan.bind(optimizer)
    optimizer.begin_step()
    scale = optimizer.gradient_scale(len(inputs[0]))
    clamp = network.bias_clamp
    for k in range(plan.first_trainable, len(layers)):
        if not targets[k]:
            continue  # only static neurons: nothing moves
        layer = layers[k]
        gradients = layer.gradients_batch(deltas[k], inputs[k], caches[k], scale,
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

    def train_batch(self, network, X, Y, optimizer,
                    keep_record, rows=None) -> tuple[np.ndarray, np.ndarray]:
        """Train one mini-batch; ``keep_record`` (bool or a function) as in
        :func:`train_batch`. Returns its outputs and the output layer's weighted sums (the
        logits, from which a cross-entropy is computed exactly), both before the nudge.
        No reference to a batch's arrays outlives the next one, except the last recorded
        batch's, whose activations ``finish`` hands to the neurons."""
        self.last = None
        result = train_batch(network, X, Y, optimizer, self.plan, keep_record)
        if self.plan.recorded:
            self.last = result
        return result[0][-1], result[1][-1]

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
