"""The vectorized engine: the same network, a whole mini-batch at a time with matrix products.

For a receiving layer with weights ``W`` (n_out x n_in) and biases ``b``, the batch forward pass
is ``Z = A_prev @ W.T + b``, ``A = f(Z)``: row ``s`` is what the object engine computes for
sample ``s``, neuron by neuron. Backwards, ``dC/dA_prev = Delta @ W`` sums over each neuron's
outgoing connections, and the mean gradient of ``W`` is ``Delta.T @ A_prev / batch``.
"""
from __future__ import annotations

import numpy as np

from .convolution import MaxPoolingLayer
from .costs import output_deltas
from .layers import Nudge, SampleRecord

__all__ = ["forward", "train_batch", "Plan", "first_non_finite"]


def forward(network, activations: np.ndarray, *, start: int = 0) -> list[np.ndarray]:
    """Propagate a batch through ``network`` and return every layer's activations.

    Parameters
    ----------
    network : Network
    activations : numpy.ndarray, shape (batch, len(network.layers[start]))
        The activations of layer ``start`` (the inputs when ``start`` is 0).
    start : int
        The layer to start from.

    Returns
    -------
    list of numpy.ndarray
        The activations of layers ``start, start + 1, ..., last``, each ``(batch, size)``.
    """
    a = activations
    result = [a]
    for layer in network.layers[start + 1:]:
        if layer.shared:  # convolution or pooling: windows, not a matrix product
            z = layer._batch_forward(a, False)[0]
        else:
            z = a @ layer.weights.T  # (batch, n_out)
            z += layer.biases
        a = layer.activation_function(z)
        result.append(a)
    return result


class Plan:
    """Facts about a network's layers that do not change during a ``fit``, worked out once.

    ``layers``: the receiving layers; ``shared[k]``: layer ``k`` is a convolution or pooling
    layer, with its own batch operations; ``dense[k]``: every connection of layer ``k`` exists
    (no mask to apply); ``all_trainable[k]``: it has no static neuron; ``first_trainable``: the
    first layer with a trainable neuron (no delta below it is needed to train); ``functions[k]``
    and ``derivatives[k]``: its ``f`` on arrays and ``f'`` from ``(z, a)``; ``gradients[k]``: a
    buffer for its weight step, reused batch after batch.
    """

    def __init__(self, network) -> None:
        layers = self.layers = network.receiving_layers
        self.shared = [layer.shared for layer in layers]
        self.dense = [not layer.shared and bool(layer.mask.all()) for layer in layers]
        self.all_trainable = [bool(layer.trainable.all()) for layer in layers]
        trainable = [k for k, layer in enumerate(layers) if layer.trainable.any()]
        self.first_trainable = trainable[0] if trainable else len(layers)
        self.functions = [layer.activation_function.vectorized for layer in layers]
        self.derivatives = [_derivative_of(layer.activation_function) for layer in layers]
        self.gradients = [None if layer.shared else np.empty_like(layer.weights)
                          for layer in layers]
        output = layers[-1]
        self.cost, self.output_activation = output.cost, output.activation_function


def _derivative_of(f):
    """``f'`` as a function of ``(z, a)``: from ``a`` when the activation allows (cheaper)."""
    if f.derivative_from_output is not None:
        from_output = f.derivative_from_output
        return lambda z, a: from_output(a)
    if f.derivative is not None:
        derivative = f.derivative
        return lambda z, a: derivative(z)
    return None  # softmax: handled by output_deltas


def train_batch(network, X: np.ndarray, Y: np.ndarray, learning_rate: float,
                momentum: float = 0.0, plan: Plan = None,
                keep_record: bool = True) -> tuple[list, list, list, list]:
    """Train one mini-batch: the post's steps 1-7 for all samples at once.

    ``X`` and ``Y`` must be 2-D, of the network's dtype and widths, and ``Y`` must be checked.
    Each receiving layer's ``record`` is replaced by this batch's tables (as ``clear()`` and
    ``train_sample`` would leave it), then every parameter moves by
    ``-learning_rate * mean gradient`` (or by its velocity with ``momentum``), biases clamped.

    ``keep_record=False`` skips the records: ``fit`` keeps only its last batch's, since only
    that one can be seen, and holding every batch's arrays until the next one costs ~9% of an
    epoch at batch 100 (the memory of the inputs cannot be reused while it is still in hand).

    Nothing here tests for NaN or infinity: any in ``X`` or from an overflow reaches a weight
    (``inf x 0`` and ``nan x 0`` are NaN), so ``fit`` checks the parameters after each epoch.

    Returns
    -------
    (activations, zs, deltas, dcdas)
        Every layer's activations (inputs first), every receiving layer's weighted sums and
        deltas, and each hidden layer's dC/da (None for the output layer), all computed before
        the nudge: what the layers' records hold.
    """
    plan = plan or Plan(network)
    layers = plan.layers
    # Deltas are needed from the last layer down to the first trainable one; below it only
    # for the record (a static convolution front-end is then a forward pass only).
    lowest = 0 if keep_record else plan.first_trainable
    activations = [X]
    zs = []
    caches = []  # what a convolution or pooling layer keeps for its backward pass
    a = X
    for k, (layer, f) in enumerate(zip(layers, plan.functions)):
        if plan.shared[k]:
            z, cache = layer._batch_forward(a, k >= lowest)
            caches.append(cache)
        else:
            z = a @ layer.weights.T  # (batch, n_out)
            z += layer.biases
            caches.append(None)
        a = f(z)
        zs.append(z)
        activations.append(a)

    # Backwards: deltas[k] = dC/dz of receiving layer k; dcdas[k] = its dC/da (hidden layers).
    last = len(layers) - 1
    deltas = [None] * len(layers)
    dcdas = [None] * len(layers)
    deltas[last] = output_deltas(plan.cost, plan.output_activation, zs[last], a, Y)
    for k in range(last, max(lowest, 0), -1):
        if plan.shared[k]:
            dcdas[k - 1] = layers[k]._batch_backward(deltas[k], caches[k])
        else:
            dcdas[k - 1] = deltas[k] @ layers[k].weights  # SUM over outgoing connections
        deltas[k - 1] = dcdas[k - 1] * plan.derivatives[k - 1](zs[k - 1], activations[k])

    # The step is learning_rate x the mean over the batch. A Python float, so that a numpy
    # float64 learning rate cannot turn a float32 network's steps into float64 arrays.
    scale = float(learning_rate) / X.shape[0]
    clamp = network.bias_clamp
    for k, layer in enumerate(layers):
        if keep_record:
            layer.record = SampleRecord(activations[k], deltas[k], dcdas[k],
                                        caches[k] if isinstance(layer, MaxPoolingLayer) else None)
            layer.record.nudge = Nudge(learning_rate, momentum, layer.weights.copy(),
                                       layer.biases.copy())
        if k < plan.first_trainable:
            continue  # only static neurons: nothing moves
        if plan.shared[k]:
            if plan.all_trainable[k]:
                weight_step, bias_step = layer._batch_steps(deltas[k], caches[k], scale)
                _nudge(layer, weight_step, bias_step, momentum, clamp, True, True)
            continue
        weight_step = np.matmul((deltas[k] * scale).T, activations[k], out=plan.gradients[k])
        _nudge(layer, weight_step, deltas[k].sum(axis=0) * scale, momentum, clamp,
               plan.dense[k], plan.all_trainable[k])
    return activations, zs, deltas, dcdas


def first_non_finite(layer, weights: np.ndarray, biases: np.ndarray = None) -> str:
    """Name the first parameter of ``layer`` whose entry in ``weights`` (or ``biases``) is NaN
    or infinite: ``"weight of Connection(...)"`` or ``"bias of HiddenNeuron(...)"``."""
    if layer.shared:  # a convolution layer's kernels and per-map biases
        if biases is not None and not np.isfinite(biases).all():
            return f"bias of map {np.flatnonzero(~np.isfinite(biases))[0]} of {layer!r}"
        entry = tuple(int(i) for i in np.argwhere(~np.isfinite(weights))[0])
        return f"kernel entry {entry} of {layer!r}"
    if biases is not None and not np.isfinite(biases).all():
        return f"bias of {layer.neurons[np.flatnonzero(~np.isfinite(biases))[0]]!r}"
    j, i = np.argwhere(~np.isfinite(weights))[0]
    connection = next(c for c in layer.neurons[j].inputs if c.input_neuron.index == i)
    return f"weight of {connection!r}"


def _nudge(layer, weight_step: np.ndarray, bias_step: np.ndarray, momentum: float, clamp,
           dense: bool, all_trainable: bool) -> None:
    """``p -= step`` (or ``v = m v - step; p += v``) for one layer; steps include the rate."""
    if not dense:
        weight_step *= layer.mask
    if not all_trainable:
        weight_step[~layer.trainable] = 0.0
        bias_step[~layer.trainable] = 0.0
    weights, biases = layer.weights, layer.biases
    if momentum:
        for velocity, step, param in ((layer.weight_velocity, weight_step, weights),
                                      (layer.bias_velocity, bias_step, biases)):
            velocity *= momentum
            velocity -= step
            param += velocity
    else:
        weights -= weight_step
        biases -= bias_step
    if clamp is not None:
        if all_trainable:
            np.clip(biases, clamp[0], clamp[1], out=biases)
        else:
            rows = layer.trainable
            biases[rows] = np.clip(biases[rows], clamp[0], clamp[1])
