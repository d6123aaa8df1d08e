"""Initial weights and biases for a receiving layer with ``n_in`` inputs and ``n_out`` neurons.

- ``uniform``: the post's U(-0.5, 0.5) for weights and biases;
- ``xavier``: Glorot's U(-l, l), ``l = sqrt(6 / (n_in + n_out))``, biases 0 (sigmoid, tanh);
- ``he``: N(0, 2 / n_in), biases 0 (relu).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["INITIALIZERS", "get_initializer"]


def _uniform(rng: np.random.Generator, n_out: int, n_in: int):
    return rng.uniform(-0.5, 0.5, size=(n_out, n_in)), rng.uniform(-0.5, 0.5, size=n_out)


def _xavier(rng: np.random.Generator, n_out: int, n_in: int):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in)), np.zeros(n_out)


def _he(rng: np.random.Generator, n_out: int, n_in: int):
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in)), np.zeros(n_out)


INITIALIZERS: dict[str, Callable] = {"uniform": _uniform, "xavier": _xavier, "he": _he}
"""Initialisation schemes by name: ``f(rng, n_out, n_in) -> (weights, biases)``."""


def get_initializer(init: str) -> Callable:
    """Return the initialisation scheme named ``init``; ValueError listing the names if unknown."""
    try:
        return INITIALIZERS[init]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(INITIALIZERS))
        raise ValueError(f"`init` must be one of {valid}, got {init!r}") from None
