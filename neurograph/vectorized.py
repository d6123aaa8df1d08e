"""The vectorized engine: the same network, a whole mini-batch at a time with matrix products.

For a receiving layer with weights ``W`` (n_out x n_in) and biases ``b``, the batch forward pass
is ``Z = A_prev @ W.T + b``, ``A = f(Z)``: row ``s`` is what the object engine computes for
sample ``s``, neuron by neuron.
"""
from __future__ import annotations

import numpy as np

__all__ = ["forward"]


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
        z = a @ layer.weights.T + layer.biases  # (batch, n_out)
        a = layer.activation_function(z)
        result.append(a)
    return result
