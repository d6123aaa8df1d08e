"""The vectorized engine: the same network, a whole mini-batch at a time with matrix products.

For a receiving layer with weights ``W`` (n_out x n_in) and biases ``b``, the batch forward pass
is ``Z = A_prev @ W.T + b``, ``A = f(Z)``: row ``s`` is what the object engine computes for
sample ``s``, neuron by neuron. Backwards, ``dC/dA_prev = Delta @ W`` sums over each neuron's
outgoing connections, and the mean gradient of ``W`` is ``Delta.T @ A_prev / batch``.
"""
from __future__ import annotations

import numpy as np

from .costs import output_deltas
from .layers import HiddenLayer, SampleRecord

__all__ = ["forward", "train_batch", "Plan"]


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
        z = a @ layer.weights.T  # (batch, n_out)
        z += layer.biases
        a = layer.activation_function(z)
        result.append(a)
    return result


def _derivative(layer, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    f = layer.activation_function
    if f.derivative_from_output is not None:
        return f.derivative_from_output(a)
    return f.derivative(z)


class Plan:
    """Facts about a network's layers that do not change during a ``fit``, worked out once.

    ``dense[k]``: every connection of receiving layer ``k`` exists (no mask to apply);
    ``all_trainable[k]``: it has no static neuron.
    """

    def __init__(self, network) -> None:
        layers = network.receiving_layers
        self.dense = [bool(layer.mask.all()) for layer in layers]
        self.all_trainable = [bool(layer.trainable.all()) for layer in layers]


def train_batch(network, X: np.ndarray, Y: np.ndarray, learning_rate: float,
                momentum: float = 0.0, plan: Plan = None) -> tuple[list, list]:
    """Train one mini-batch: the post's steps 1-7 for all samples at once.

    ``X`` and ``Y`` must already be checked: 2-D, finite, of the network's dtype and widths.
    Each receiving layer's ``record`` is replaced by this batch's tables (as ``clear()`` and
    ``train_sample`` would leave it), then every parameter is nudged by
    ``-learning_rate * mean gradient`` (or by its velocity with ``momentum``), biases clamped.

    Returns
    -------
    (activations, zs)
        Every layer's activations (inputs first) and every receiving layer's weighted sums,
        computed before the nudge.

    Raises
    ------
    FloatingPointError
        If a gradient is not finite; it names the parameter, and nothing is changed.
    """
    plan = plan or Plan(network)
    layers = network.receiving_layers
    activations = [X]
    zs = []
    a = X
    for layer in layers:
        z = a @ layer.weights.T  # (batch, n_out)
        z += layer.biases
        a = layer.activation_function(z)
        zs.append(z)
        activations.append(a)

    # Backwards: deltas[k] = dC/dz of receiving layer k; dcdas[k] = its dC/da (hidden layers).
    last = len(layers) - 1
    deltas = [None] * len(layers)
    dcdas = [None] * len(layers)
    output = layers[last]
    deltas[last] = output_deltas(output.cost, output.activation_function, zs[last], a, Y)
    for k in range(last, 0, -1):
        dcdas[k - 1] = deltas[k] @ layers[k].weights  # SUM over outgoing connections
        deltas[k - 1] = dcdas[k - 1] * _derivative(layers[k - 1], zs[k - 1], activations[k])

    n = X.shape[0]
    gradients = []
    for k, layer in enumerate(layers):
        grad_w = deltas[k].T @ activations[k]  # (n_out, n_in), summed over the batch
        grad_w /= n
        grad_b = deltas[k].sum(axis=0)
        grad_b /= n
        _check_finite(layer, grad_w, grad_b)
        gradients.append((grad_w, grad_b))

    clamp = network.bias_clamp
    for k, layer in enumerate(layers):
        record = SampleRecord()
        record.input_activations = activations[k]
        record.deltas = deltas[k]
        if dcdas[k] is not None:
            record.derivatives_of_cost_by_activation = dcdas[k]
        layer.record = record
        grad_w, grad_b = gradients[k]
        _nudge(layer, grad_w, grad_b, learning_rate, momentum, clamp,
               plan.dense[k], plan.all_trainable[k])
    return activations, zs


def _check_finite(layer, grad_w: np.ndarray, grad_b: np.ndarray) -> None:
    if np.isfinite(grad_w).all() and np.isfinite(grad_b).all():
        return
    bad_b = np.flatnonzero(~np.isfinite(grad_b))
    if bad_b.size:
        where = f"bias of {layer.neurons[bad_b[0]]!r}"
    else:
        j, i = np.argwhere(~np.isfinite(grad_w))[0]
        connection = next(c for c in layer.neurons[j].inputs if c.input_neuron.index == i)
        where = f"weight of {connection!r}"
    raise FloatingPointError(f"the gradient of the {where} is not finite; the network keeps its "
                             "previous parameters (try a smaller learning rate)")


def _nudge(layer, grad_w: np.ndarray, grad_b: np.ndarray, learning_rate: float,
           momentum: float, clamp, dense: bool, all_trainable: bool) -> None:
    """``p -= learning_rate * gradient`` (or ``v = m v - lr g; p += v``) for one layer."""
    if not dense:
        grad_w *= layer.mask
    if not all_trainable:
        grad_w[~layer.trainable] = 0.0
        grad_b[~layer.trainable] = 0.0
    weights, biases = layer.weights, layer.biases
    if momentum:
        for velocity, grad, param in ((layer.weight_velocity, grad_w, weights),
                                      (layer.bias_velocity, grad_b, biases)):
            velocity *= momentum
            grad *= learning_rate
            velocity -= grad
            param += velocity
    else:
        grad_w *= learning_rate
        weights -= grad_w
        grad_b *= learning_rate
        biases -= grad_b
    if clamp is not None:
        if all_trainable:
            np.clip(biases, clamp[0], clamp[1], out=biases)
        else:
            rows = layer.trainable
            biases[rows] = np.clip(biases[rows], clamp[0], clamp[1])
