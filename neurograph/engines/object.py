"""The object engine: the post's eight steps, neuron by neuron, connection by connection.

Training one mini-batch:

1-2. ``clear`` the per-sample lists;
3.   ``propagate`` a sample forward and set the desired activations;
4.   train the output neurons (``dC/da`` from the cost);
5.   train the hidden layers from last to first (``dC/da`` summed over outgoing connections);
6.   repeat 2-5 for every sample of the mini-batch (``train_sample`` does 3-5);
7.   ``nudge_parameters``: every parameter moves by the optimizer's rule for the mean of its
     per-sample derivatives (SGD: ``p -= step_size * mean``), biases clamped;
8.   repeat for the next mini-batch.

This is the reference the vectorized engine is held equal to. :class:`~neurograph.Network`
keeps thin methods with these names that call the functions here.
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager

import numpy as np

from ..core.costs import cost_terms
from ..core.layers import Nudge, SampleRecord
from ..core.validation import as_sample_list, check_finite

__all__ = ["clear", "propagate", "train_sample", "sample_cost", "nudge_parameters",
           "train_batch", "training_batch", "ObjectEngine"]


def clear(network) -> None:
    """Steps 1-2: empty every per-sample list (the start of a mini-batch)."""
    for layer in network.receiving_layers:
        layer.record = SampleRecord()


def propagate(network, values: list[float]) -> None:
    """Step 3: set the input activations to ``values`` and evaluate every neuron, layer by
    layer (every neuron's ``activation`` and ``z`` are set)."""
    for neuron, value in zip(network.input_layer.neurons, values):
        neuron.activation = value
    for layer in network.receiving_layers:
        layer.eval()


def propagate_with_desired(network, x, y) -> None:
    """Step 3: check the sample, propagate it, set the output neurons' desired activations."""
    values = as_sample_list("x", x, network.input_layer.size)
    desired = as_sample_list("y", y, network.output_layer.size)
    if network.output_layer.cost.probabilities:
        network.output_layer.check_targets("y", np.array(desired))
    propagate(network, values)
    for neuron, value in zip(network.output_layer.neurons, desired):
        neuron.desired_activation = value


def train_sample(network, x, y, observe=None) -> float:
    """Steps 3-5 for one sample: propagate, set desired activations, train back to front.

    Every receiver adds one value to its per-sample lists. Returns the sample's cost.
    ``observe(layer)``, if given, is called after step 3 with None and after each layer is
    trained with that layer (the output layer first).
    """
    propagate_with_desired(network, x, y)
    if observe is not None:
        observe(None)
    for layer in network.receiving_layers:
        layer.start_sample([neuron.activation for neuron in layer.input_neurons()])
    for layer in reversed(network.receiving_layers):  # step 4: output layer, 5: hidden layers
        for neuron in layer.neurons:
            neuron.train()
        if observe is not None:
            observe(layer)
    return sample_cost(network)


def sample_cost(network) -> float:
    """The cost of the sample the output neurons hold: the sum of their ``cost()``, or, for a
    cost computed from the weighted sums (``costs.cost_terms``), the layer's at once."""
    layer = network.output_layer
    f = layer.activation_function
    if f.name not in layer.cost.from_logits:
        return sum(neuron.cost() for neuron in layer.neurons)
    neurons = layer.neurons
    return float(np.sum(cost_terms(layer.cost, f, [n.z for n in neurons],
                                   [n.activation for n in neurons],
                                   [n.desired_activation for n in neurons])))


def nudge_parameters(network, optimizer) -> None:
    """Step 7: every layer nudges its parameters by ``optimizer``'s rule; biases clamped.

    On a non-finite parameter (a ValueError from a window's setter) every parameter and the
    optimizer's state are put back and a FloatingPointError names it.
    """
    if len(network.output_layer.record) == 0:
        raise ValueError("nothing to nudge: no sample was trained since clear(); "
                         "call train_sample first")
    layers = network.receiving_layers
    befores = [{name: layer.parameter(name).copy() for name in layer.parameter_names}
               for layer in layers]
    saved = optimizer.snapshot()
    learning = [[name for name in layer.parameter_names
                 if layer.trainable_entries(name) is not False] for layer in layers]
    slots_before = [{name: optimizer.slots(layer, name).copy() for name in names}
                    for layer, names in zip(layers, learning)]
    optimizer.begin_step()
    try:
        for layer in layers:  # each neuron, or shared weights once
            layer.nudge(optimizer, network.bias_clamp)
    except ValueError as error:
        for layer, before in zip(layers, befores):
            for name, values in before.items():
                layer.parameter(name)[...] = values
        optimizer.restore(saved)
        raise FloatingPointError(f"nudge_parameters stopped: the {error}; the network keeps "
                                 "its previous parameters (try a smaller step size)") from error
    for layer, before, slots, names in zip(layers, befores, slots_before, learning):
        after = {name: optimizer.slots(layer, name).copy() for name in names}
        layer.record.nudge = Nudge(optimizer, before, slots, after)


def train_batch(network, X: np.ndarray, Y: np.ndarray,
                optimizer) -> tuple[np.ndarray, float, np.ndarray]:
    """Steps 1-7 for one checked mini-batch; returns its outputs (before the nudge), the
    sum of its samples' costs and the output layer's weighted sums (the logits).

    No weight changes until the nudge, so each layer reads its weights out of its buffer once
    for all the samples (:meth:`~neurograph.core.layers.ReceivingLayer.weights_read_once`)."""
    clear(network)
    outputs, logits = np.empty(Y.shape), np.empty(Y.shape)
    total = 0.0
    neurons = network.output_layer.neurons
    with training_batch(network, len(X)):
        with ExitStack() as weights_fixed:  # until the nudge: each layer reads them once
            for layer in network.receiving_layers:
                weights_fixed.enter_context(layer.weights_read_once())
            for s, (x, y) in enumerate(zip(X, Y)):
                total += train_sample(network, x, y)
                outputs[s] = [neuron.activation for neuron in neurons]
                logits[s] = [neuron.z for neuron in neurons]
        nudge_parameters(network, optimizer)
    return outputs, total, logits


@contextmanager
def training_batch(network, batch: int):
    """Within the block, a mini-batch of ``batch`` samples trains: the layers that act in
    training (dropout) draw what they need for it, and stop acting on leaving."""
    acting = [layer for layer in network.receiving_layers if layer.acts_in_training]
    for layer in acting:
        layer.begin_batch(batch)
    try:
        yield
    finally:
        for layer in acting:
            layer.end_batch()


class ObjectEngine:
    """The object engine behind the interface ``fit`` picks from (see
    :class:`~neurograph.engines.vectorized.VectorizedEngine`)."""

    name = "object"
    recorded = True  # every mini-batch leaves its per-sample lists

    def start(self, network) -> None:
        """Nothing to work out beforehand: every step reads the graph."""

    def train_batch(self, network, X, Y, optimizer,
                    keep_record, rows=None) -> tuple[np.ndarray, np.ndarray]:
        """Train one mini-batch; its inputs are checked first (a NaN would reach every
        neuron), naming the row of the caller's data (``rows``). Returns its outputs and
        logits, as the vectorized engine does."""
        check_finite("X", X, rows)
        outputs, _, logits = train_batch(network, X, Y, optimizer)
        return outputs, logits

    def finish(self, network, y_last) -> None:
        """The neurons already hold the last sample's values."""
