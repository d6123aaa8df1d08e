"""Cost functions: how far one sample's output activations ``a`` are from the desired ``y``.

The quadratic cost follows the post: ``C = sum_j (a_j - y_j)^2`` (no 1/2), so
``dC/da_j = 2 (a_j - y_j)``.
"""
from __future__ import annotations

from typing import Callable, Union

import numpy as np

__all__ = ["Cost", "COSTS", "get_cost"]


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

    Examples
    --------
    >>> quadratic = get_cost("quadratic")
    >>> float(quadratic([0.5, 1.0], [1.0, 1.0])), quadratic.derivative(0.5, 1.0)
    (0.25, -1.0)
    """

    __slots__ = ("name", "term", "derivative", "formula")

    def __init__(self, name: str, term: Callable, derivative: Callable, formula: str) -> None:
        self.name = name
        self.term = term
        self.derivative = derivative
        self.formula = formula

    def __call__(self, a, y):
        """The cost of each sample: the terms summed over the last axis (outputs)."""
        a = np.asarray(a, dtype=float)
        y = np.asarray(y, dtype=float)
        return np.sum(self.term(a, y), axis=-1)

    def __repr__(self) -> str:
        return f"Cost({self.name!r}: {self.formula})"


def _quadratic_term(a, y):
    diff = a - y
    return diff * diff


def _quadratic_derivative(a, y):
    return 2.0 * (a - y)


COSTS: dict[str, Cost] = {
    c.name: c
    for c in (Cost("quadratic", _quadratic_term, _quadratic_derivative, "sum_j (a_j - y_j)^2"),)
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
