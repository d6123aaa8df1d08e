"""The Kotlin post's own four networks, built as its repository builds them.

"Neural network from scratch" tries four networks on MNIST; its repository builds them with
weights drawn from U(-0.5, 0.5), biases 0, sigmoid outputs, the quadratic cost and biases
clamped to (-0.8, 0.8):

1. 784 -> 10, no hidden layer;
2. 784 -> 16 ReLU -> 16 ReLU -> 10;
3. 784 -> 16 sigmoid -> 10 sigmoid -> 10, every layer connected to every later layer (its
   ``connectAllLayersWithEachOther``);
4. four layers of static edge detectors, each reading the 28 x 28 input through 7 x 7
   windows, all four fully connected to the 10 outputs.
"""
from __future__ import annotations

from typing import Union

import numpy as np

from .core.layers import HiddenLayer, InputLayer, OutputLayer
from .core.network import Network
from .core.validation import check_seed

__all__ = ["post_network", "EDGE_PATTERNS", "POST_ACCURACY"]

_H = [-.4, -.5, -.7, -1, -.7, -.5, -.4]
_LINE = [.7, .8, .9, 1, .9, .8, .7]
_HORIZONTAL = [_H, [0] * 7, [0] * 7, _LINE, [0] * 7, [0] * 7, _H]
_SLASH = [[-2, -1, -.5, 0, 0, 0, .7], [-1, -.5, 0, 0, 0, .8, 0], [-.5, 0, 0, .7, .9, 0, 0],
          [0, 0, .7, 1, .7, 0, 0], [0, 0, .9, .7, 0, 0, -.5], [0, .8, 0, 0, 0, -.5, -1],
          [.7, 0, 0, 0, -.5, -1, -2]]

EDGE_PATTERNS = {
    "horizontal": np.array(_HORIZONTAL, dtype=float),
    "vertical": np.array(_HORIZONTAL, dtype=float).T,
    "slash": np.array(_SLASH, dtype=float),
    "backslash": np.array(_SLASH, dtype=float)[:, ::-1],
}
"""The post's 7 x 7 patterns of attempt 4, ``pattern[j + 3][i + 3]`` for the pixel ``(x + i,
y + j)`` of a neuron centred at ``(x, y)``, in the order of its four layers."""

POST_ACCURACY = {1: 0.910, 2: 0.685, 3: 0.912, 4: 0.966}
"""The test accuracy the post reports for each attempt, after about 300,000 training samples."""

SIDE = 28
CENTRES = range(3, 24, 2)  # x and y of the detectors' centres: 11 each


def post_network(attempt: int, seed: Union[int, np.random.Generator, None] = None) -> Network:
    """Attempt ``attempt`` (1 to 4) of the post, with weights drawn with ``seed``.

    Examples
    --------
    >>> post_network(3, seed=0)
    Network(784-16-10-10, sigmoid, quadratic cost, 28644 connections)
    >>> net = post_network(4, seed=0)
    >>> [layer.shape for layer in net.layers][1:5], net.layers[1][0].bias
    ([(11, 11), (11, 11), (11, 11), (11, 11)], -1.0)
    """
    if isinstance(attempt, bool) or not isinstance(attempt, (int, np.integer)) \
            or attempt not in (1, 2, 3, 4):
        raise ValueError(f"`attempt` must be 1, 2, 3 or 4, got {attempt!r}")
    rng = np.random.default_rng(check_seed(seed))
    if attempt == 4:
        return _edge_detectors(rng)
    sizes, activation = {1: ([784, 10], "sigmoid"), 2: ([784, 16, 16, 10], "relu"),
                         3: ([784, 16, 10, 10], "sigmoid")}[attempt]
    layers = [InputLayer(shape=(SIDE, SIDE))]
    layers += [HiddenLayer(n, activation) for n in sizes[1:-1]]
    layers.append(OutputLayer(sizes[-1], "sigmoid"))
    for k, layer in enumerate(layers[1:], start=1):
        for source in (layers[:k] if attempt == 3 else layers[k - 1:k]):
            source.fully_connect_to(layer, seed=rng)
    return _digits(Network(layers, cost="quadratic", bias_clamp=(-0.8, 0.8)))


def _digits(network: Network) -> Network:
    """``network`` with its ten outputs labelled 0-9 (the diagram writes them beside)."""
    network.output_labels = [str(digit) for digit in range(10)]
    return network


def _edge_detectors(rng: np.random.Generator) -> Network:
    """Attempt 4: one static layer per pattern, each neuron centred at ``(x, y)`` for x and y
    in 3, 5, ..., 23 (row by row), bias -1, ReLU, a connection from pixel ``(x + i, y + j)``
    where the pattern is not 0 (i outer, j inner); all four fully connected to the output."""
    inputs = InputLayer(shape=(SIDE, SIDE))
    detectors = []
    for pattern in EDGE_PATTERNS.values():
        layer = HiddenLayer(len(CENTRES) ** 2, "relu", static=True, shape=(11, 11))
        for neuron, (y, x) in zip(layer.neurons, ((y, x) for y in CENTRES for x in CENTRES)):
            for i in range(-3, 4):
                for j in range(-3, 4):
                    weight = float(pattern[j + 3][i + 3])
                    if weight != 0.0:
                        inputs[(y + j) * SIDE + (x + i)].connect_to(neuron, weight=weight)
        layer.biases[:] = -1.0
        detectors.append(layer)
    output = OutputLayer(10, "sigmoid")
    for layer in detectors:
        layer.fully_connect_to(output, seed=rng)
    return _digits(Network([inputs, *detectors, output], cost="quadratic",
                           bias_clamp=(-0.8, 0.8)))
