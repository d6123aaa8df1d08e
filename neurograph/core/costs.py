"""Cost functions: how far one sample's output activations ``a`` are from the desired ``y``.

- ``quadratic``, the post's: ``C = sum_j (a_j - y_j)^2`` (no 1/2), so ``dC/da_j = 2 (a_j - y_j)``;
- ``cross_entropy``, for a softmax output: ``C = -sum_j y_j ln a_j``, and ``dC/dz_j = a_j - y_j``;
- ``binary_cross_entropy``, for sigmoid outputs:
  ``C = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]``, and again ``dC/dz_j = a_j - y_j``.

With their own output activation the two cross-entropies are computed from the weighted sums
``z`` (the logits), exactly: ``ln a_j = z_j - ln sum_k e^(z_k)`` for softmax, and
``ln a_j = -ln(1 + e^(-z_j))`` for sigmoid, so a saturated output (``a`` rounded to 0 or 1)
still costs what it should (a logit 1000 below the right one costs 1000).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Optional, Union

import numpy as np

__all__ = ["Cost", "COSTS", "cost_terms", "get_cost", "output_deltas", "register_cost"]

# Computed from activations alone (a cross-entropy after an output activation other than its
# own, or a Cost called on activations), logarithms and quotients see activations clipped to
# [TINY, 1 - TINY]: a saturated output gives a large finite cost (at most about 34.5 per
# output) instead of inf or nan. With its own activation a cross-entropy is computed from the
# logits instead (see ``cost_terms``), exactly.
TINY = 1e-15


class Cost:
    """A per-sample cost ``C(a, y)`` and its derivative by each output activation.

    Parameters
    ----------
    name : str
        The registry name.
    term : callable
        One output's share of the cost, ``c(a_j, y_j)``, elementwise on floats or arrays;
        the cost of a sample is the sum of the terms over its outputs.
    derivative : callable
        ``dC/da_j`` elementwise; takes and returns floats or arrays.
    formula : str
        The formula, for reprs and explanations.
    shortcuts : dict, optional
        ``{activation name: dC/dz(a, y)}`` for pairs whose derivatives cancel into a simpler,
        numerically safer form (softmax with cross-entropy: ``a - y``).
    probabilities : bool
        Whether targets must lie in [0, 1] (the cross-entropies).
    from_logits : dict, optional
        ``{activation name: c(z, y)}``: each output's share of the cost computed from the
        weighted sums ``z`` (rows of a layer, the last axis its outputs) rather than from the
        activations, for pairs where that is exact and the activations round (softmax with
        cross-entropy: ``c_j = -y_j (z_j - ln sum_k e^(z_k))``). See :func:`cost_terms`.

    Examples
    --------
    >>> quadratic = get_cost("quadratic")
    >>> float(quadratic([0.5, 1.0], [1.0, 1.0])), quadratic.derivative(0.5, 1.0)
    (0.25, -1.0)
    """

    __slots__ = ("name", "term", "derivative", "formula", "shortcuts", "probabilities",
                 "from_logits")

    def __init__(self, name: str, term: Callable, derivative: Callable, formula: str,
                 shortcuts: Optional[dict] = None, probabilities: bool = False,
                 from_logits: Optional[dict] = None) -> None:
        self.name = name
        self.term = term
        self.derivative = derivative
        self.formula = formula
        self.shortcuts = shortcuts or {}
        self.probabilities = probabilities
        self.from_logits = from_logits or {}

    def __call__(self, a, y):
        """The cost of each sample: the terms summed over the last axis (outputs).

        It is computed in the dtype of ``a`` when that is a floating one (a float32 network's
        cost is float32), else in float64; ``y`` is taken in the same dtype. From activations
        alone a cross-entropy clips them to [1e-15, 1 - 1e-15]; a network's cost comes from
        :func:`cost_terms`, which uses the logits where that is exact.
        """
        a = np.asarray(a)
        if not np.issubdtype(a.dtype, np.floating):
            a = a.astype(float)
        y = np.asarray(y, dtype=a.dtype)
        return np.sum(self.term(a, y), axis=-1)

    def __repr__(self) -> str:
        return f"Cost({self.name!r}: {self.formula})"


def _quadratic_term(a, y):
    diff = a - y
    return diff * diff


def _quadratic_derivative(a, y):
    return 2.0 * (a - y)


def _clip(a):
    """``a`` clipped to [TINY, 1 - TINY], in ``a``'s dtype."""
    dtype = getattr(a, "dtype", None)
    if dtype is None or dtype == np.float64:  # floats, and the float64 arrays
        return np.clip(a, TINY, 1.0 - TINY)
    low, high = _clip_bounds(dtype)
    return np.clip(a, low, high)


@lru_cache(maxsize=None)
def _clip_bounds(dtype: np.dtype) -> tuple:
    """[TINY, 1 - TINY] as numbers of ``dtype``, narrowed where they round to 0 or 1 (in
    float32 ``1 - TINY`` is 1, and ``ln(1 - a)`` would be -inf): to the smallest normal number
    and to the largest number below 1."""
    if not np.issubdtype(dtype, np.floating):
        return TINY, 1.0 - TINY  # integers: clipped into float64, as numpy promotes them
    t = dtype.type
    low = t(TINY) if t(TINY) > 0 else np.finfo(dtype).smallest_normal
    high = min(t(1.0 - TINY), np.nextafter(t(1.0), t(0.0)))
    return low, high


def _cross_entropy_term(a, y):
    return -y * np.log(_clip(a))


def _cross_entropy_derivative(a, y):
    return -y / _clip(a)


def _binary_cross_entropy_term(a, y):
    a = _clip(a)
    return -(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))


def _binary_cross_entropy_derivative(a, y):
    a = _clip(a)
    return (a - y) / (a * (1.0 - a))


def _cross_entropy_of_logits(z, y):
    """``-y_j ln softmax(z)_j``, with ``ln softmax(z)_j = z_j - m - ln sum_k e^(z_k - m)``,
    ``m = max_k z_k`` (no exponential overflows, and none that underflows is taken a log of).
    A zero target's term is 0, whatever its logit."""
    shifted = z - z.max(axis=-1, keepdims=True)
    log_a = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return np.where(y == 0.0, z.dtype.type(0.0), -y * log_a)


def _binary_cross_entropy_of_logits(z, y):
    """``-[y ln sigmoid(z) + (1 - y) ln(1 - sigmoid(z))] = ln(1 + e^z) - y z``, written
    ``max(z, 0) - y z + ln(1 + e^-|z|)`` so that nothing overflows."""
    return np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))


def _a_minus_y(a, y):
    return a - y


COSTS: dict[str, Cost] = {
    c.name: c
    for c in (
        Cost("quadratic", _quadratic_term, _quadratic_derivative, "sum_j (a_j - y_j)^2"),
        Cost("cross_entropy", _cross_entropy_term, _cross_entropy_derivative,
             "-sum_j y_j ln a_j", shortcuts={"softmax": _a_minus_y}, probabilities=True,
             from_logits={"softmax": _cross_entropy_of_logits}),
        Cost("binary_cross_entropy", _binary_cross_entropy_term, _binary_cross_entropy_derivative,
             "-sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]", shortcuts={"sigmoid": _a_minus_y},
             probabilities=True, from_logits={"sigmoid": _binary_cross_entropy_of_logits}),
    )
}
"""The registry of cost functions, by name."""


def get_cost(cost: Union[str, Cost]) -> Cost:
    """Return the :class:`Cost` named ``cost`` (or ``cost`` itself).

    Raises
    ------
    ValueError
        If the name is unknown; the message lists the valid names.
    """
    if isinstance(cost, Cost):
        return cost
    if not isinstance(cost, str):
        raise TypeError(f"`cost` must be a name or a Cost, got {type(cost).__name__}")
    try:
        return COSTS[cost]
    except KeyError:
        valid = ", ".join(sorted(COSTS))
        raise ValueError(f"`cost` must be one of {valid}, got {cost!r}") from None


def register_cost(cost: Cost, *, replace: bool = False) -> Cost:
    """Add ``cost`` to :data:`COSTS` under its name, so that networks can be given that name
    and networks using it can be saved and loaded.

    Parameters
    ----------
    cost : Cost
        The cost; its ``name`` becomes the key.
    replace : bool
        Whether to replace a cost already registered under that name. Networks built with the
        replaced one keep it, and can no longer be saved (their cost is not the registered one).

    Returns
    -------
    Cost
        ``cost``.

    Raises
    ------
    TypeError
        If ``cost`` is not a :class:`Cost`.
    ValueError
        If its name is not a non-empty string, or another cost has that name and ``replace``
        is False. Registering the same object twice is allowed.

    Examples
    --------
    >>> absolute = Cost("absolute", lambda a, y: abs(a - y), lambda a, y: np.sign(a - y),
    ...                 "sum_j |a_j - y_j|")
    >>> register_cost(absolute)
    Cost('absolute': sum_j |a_j - y_j|)
    >>> float(get_cost("absolute")([0.5, 2.0], [1.0, 1.0]))
    1.5
    >>> del COSTS["absolute"]  # leave the registry as it was
    """
    from .validation import register

    return register(COSTS, cost, Cost, "cost", replace)


def cost_terms(cost: Cost, activation, z, a, y) -> np.ndarray:
    """Each output's share of each sample's cost, ``(batch, n_out)`` (or ``(n_out,)``): what
    training, ``evaluate``, ``Network.cost`` and the gradient check all sum.

    Where ``cost`` has an exact form for ``activation`` (``cost.from_logits``: cross-entropy
    after softmax, binary cross-entropy after sigmoid) it is computed from the weighted sums
    ``z``; otherwise from the activations ``a`` with ``cost.term`` (a cross-entropy after
    another activation clips ``a`` to [1e-15, 1 - 1e-15], as the :class:`Cost` itself does).

    Parameters
    ----------
    cost : Cost
    activation : Activation
        The output layer's activation function.
    z, a, y : array-like
        The output layer's weighted sums, activations and desired activations.

    Returns
    -------
    numpy.ndarray
        In the dtype of ``z`` (or ``a``) when floating, else float64.

    Examples
    --------
    >>> from neurograph.core.activations import get_activation
    >>> softmax, ce = get_activation("softmax"), get_cost("cross_entropy")
    >>> z = np.array([0.0, 1000.0])
    >>> cost_terms(ce, softmax, z, softmax(z), [1.0, 0.0]).tolist()  # -ln(e^0 / (e^0 + e^1000))
    [1000.0, 0.0]
    >>> float(ce(softmax(z), [1.0, 0.0]))  # from the activations alone: a rounds to 0
    34.538776394910684
    """
    exact = cost.from_logits.get(getattr(activation, "name", None))
    values = a if exact is None else z
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(float)
    y = np.asarray(y, dtype=values.dtype)
    return cost.term(values, y) if exact is None else exact(values, y)


def output_deltas(cost: Cost, activation, z: np.ndarray, a: np.ndarray,
                  y: np.ndarray) -> np.ndarray:
    """``dC/dz`` of an output layer for a batch (rows are samples).

    The general rule is ``dC/dz_j = dC/da_j * f'(z_j)``; softmax moves every output with each
    ``z_j``, so there ``dC/dz_j = a_j (dC/da_j - sum_k dC/da_k a_k)``; and a cost's shortcut
    replaces both when the two derivatives cancel. ``OutputNeuron.train`` follows the same three
    cases one neuron at a time.
    """
    shortcut = cost.shortcuts.get(activation.name)
    if shortcut is not None:
        return shortcut(a, y)
    g = cost.derivative(a, y)
    if activation.layerwise:
        return a * (g - np.sum(g * a, axis=-1, keepdims=True))
    if activation.derivative_from_output is not None:
        return g * activation.derivative_from_output(a)
    return g * activation.derivative(z)
