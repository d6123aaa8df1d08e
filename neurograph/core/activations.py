"""Activation functions: a neuron's activation is ``a = f(z)`` of its weighted sum ``z``.

Each activation is a pair (function, derivative by ``z``) that works on a Python float (the
object engine, one neuron at a time) and elementwise on a numpy array (the vectorized engine).
``softmax`` is the exception: ``a_j = e^(z_j) / sum_k e^(z_k)`` depends on the whole layer, so it
is ``layerwise`` and only an output layer may use it.
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Union

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "register_activation"]

LEAKY_RELU_SLOPE = 0.01


class Activation:
    """An activation function ``f`` and its derivative ``f'``, looked up by name.

    Parameters
    ----------
    name : str
        The registry name (``"sigmoid"``, ``"tanh"``, ...).
    function, derivative : callable
        ``f(z)`` and ``f'(z)``; each takes a float or a numpy array and returns the same kind.
    formula : str
        The formula, for reprs and explanations.
    layerwise : bool
        True when ``f`` maps a layer's whole vector of ``z`` (last axis) to its activations, as
        softmax does; ``derivative`` is then None (its Jacobian is used by the output layer).
    derivative_from_output : callable, optional
        ``f'`` written in terms of ``a = f(z)`` (sigmoid: ``a (1 - a)``), which saves the
        vectorized engine computing ``f`` a second time.
    kinked : bool
        True when ``f'`` jumps at ``z = 0``, as relu's and leaky_relu's do: a finite difference
        across the jump is no derivative, so ``neurograph gradcheck`` avoids samples with such
        a ``z`` near 0.

    Examples
    --------
    >>> sigmoid = get_activation("sigmoid")
    >>> sigmoid(0.0), sigmoid.derivative(0.0)
    (0.5, 0.25)
    """

    __slots__ = ("name", "function", "derivative", "formula", "layerwise", "derivative_from_output",
                 "kinked", "vectorized")

    def __init__(self, name: str, function: Callable, derivative: Optional[Callable],
                 formula: str, layerwise: bool = False,
                 derivative_from_output: Optional[Callable] = None, *,
                 kinked: bool = False) -> None:
        self.name = name
        self.function = function
        self.derivative = derivative
        self.formula = formula
        self.layerwise = layerwise
        self.derivative_from_output = derivative_from_output
        self.kinked = kinked
        # the array version alone, skipping the float-or-array dispatch (vectorized engine)
        self.vectorized = getattr(function, "on_array", function)

    def __call__(self, z):
        return self.function(z)

    def __repr__(self) -> str:
        return f"Activation({self.name!r}: {self.formula})"


def _elementwise(on_float: Callable[[float], float], on_array: Callable[[np.ndarray], np.ndarray]):
    """One function from a float version (fast for single neurons) and an array version."""

    def function(z):
        if isinstance(z, float):
            return on_float(z)
        return on_array(np.asarray(z))

    function.on_array = on_array
    return function


# sigmoid(z) = 1 / (1 + e^-z), written as 0.5 (1 + tanh(z / 2)): the same function, and it
# never overflows for large |z|.
def _sigmoid_of_array(z: np.ndarray) -> np.ndarray:
    a = np.multiply(z, 0.5)  # one new array, then in place
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


_sigmoid = _elementwise(lambda z: 0.5 * (1.0 + math.tanh(0.5 * z)), _sigmoid_of_array)


def _sigmoid_derivative(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_derivative(z):
    t = _tanh(z)
    return 1.0 - t * t


_tanh = _elementwise(math.tanh, np.tanh)


def _floating(z: np.ndarray) -> np.dtype:
    """The dtype results on ``z`` come in: its own if floating (float32 stays float32), else
    float64 (an integer array's activations are not integers)."""
    return z.dtype if z.dtype.kind == "f" else np.dtype(float)  # (np.issubdtype: 3 us more)


def _step(z: np.ndarray, low: float) -> np.ndarray:
    """``1 if z > 0 else low``, elementwise, in ``z``'s floating dtype."""
    dtype = _floating(z)
    return np.where(z > 0.0, dtype.type(1.0), dtype.type(low))


# At the kink z = 0 relu's derivative is taken as 0 (the usual convention).
# np.maximum keeps a NaN a NaN, so a bad input cannot vanish inside the network.
_relu = _elementwise(lambda z: z if z > 0.0 else 0.0, lambda z: np.maximum(z, 0.0))
_relu_derivative = _elementwise(lambda z: 1.0 if z > 0.0 else 0.0, lambda z: _step(z, 0.0))
_leaky_relu = _elementwise(
    lambda z: z if z > 0.0 else LEAKY_RELU_SLOPE * z,
    lambda z: np.where(z > 0.0, z, LEAKY_RELU_SLOPE * z),
)
_leaky_relu_derivative = _elementwise(
    lambda z: 1.0 if z > 0.0 else LEAKY_RELU_SLOPE,
    lambda z: _step(z, LEAKY_RELU_SLOPE),
)
_identity = _elementwise(lambda z: z, lambda z: z.astype(_floating(z), copy=True))
_one = _elementwise(lambda z: 1.0, lambda z: np.ones_like(z, dtype=_floating(z)))


def _softmax(z):
    """``e^(z_j - max z) / sum_k e^(z_k - max z)`` over the last axis (the shift avoids overflow)."""
    z = np.asarray(z)
    z = z.astype(_floating(z), copy=False)  # float32 stays float32; a list becomes float64
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, _sigmoid_derivative, "1 / (1 + e^-z)",
                   derivative_from_output=lambda a: a * (1.0 - a)),
        Activation("tanh", _tanh, _tanh_derivative, "tanh(z)",
                   derivative_from_output=lambda a: 1.0 - a * a),
        Activation("relu", _relu, _relu_derivative, "max(0, z)",
                   derivative_from_output=lambda a: (a > 0.0).astype(a.dtype), kinked=True),
        Activation(
            "leaky_relu",
            _leaky_relu,
            _leaky_relu_derivative,
            f"z if z > 0 else {LEAKY_RELU_SLOPE} z",
            kinked=True,
        ),
        Activation("identity", _identity, _one, "z"),
        Activation("softmax", _softmax, None, "e^z_j / sum_k e^z_k", layerwise=True),
    )
}
"""The registry of activation functions, by name."""


def get_activation(activation: Union[str, Activation]) -> Activation:
    """Return the :class:`Activation` named ``activation`` (or ``activation`` itself).

    Raises
    ------
    ValueError
        If the name is unknown; the message lists the valid names.
    TypeError
        If ``activation`` is neither a name nor an :class:`Activation`.

    Examples
    --------
    >>> get_activation("tanh")
    Activation('tanh': tanh(z))
    """
    if isinstance(activation, Activation):
        return activation
    if not isinstance(activation, str):
        raise TypeError(
            f"`activation` must be a name or an Activation, got {type(activation).__name__}"
        )
    try:
        return ACTIVATIONS[activation]
    except KeyError:
        valid = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(
            f"`activation` must be one of {valid}, got {activation!r}"
        ) from None


def register_activation(activation: Activation, *, replace: bool = False) -> Activation:
    """Add ``activation`` to :data:`ACTIVATIONS` under its name, so that layers can be given
    that name and networks using it can be saved and loaded.

    Parameters
    ----------
    activation : Activation
        The activation; its ``name`` becomes the key.
    replace : bool
        Whether to replace an activation already registered under that name. Networks built
        with the replaced one keep it, and can no longer be saved (their activation is not the
        registered one).

    Returns
    -------
    Activation
        ``activation``.

    Raises
    ------
    TypeError
        If ``activation`` is not an :class:`Activation`.
    ValueError
        If its name is not a non-empty string, or another activation has that name and
        ``replace`` is False. Registering the same object twice is allowed.

    Examples
    --------
    >>> square = Activation("square", lambda z: z * z, lambda z: 2 * z, "z^2")
    >>> register_activation(square)
    Activation('square': z^2)
    >>> get_activation("square")(3.0)
    9.0
    >>> del ACTIVATIONS["square"]  # leave the registry as it was
    """
    from .validation import register

    return register(ACTIVATIONS, activation, Activation, "activation", replace)
