"""Input checks shared by the engines: each names the argument and what was wrong with it."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["as_sample", "as_samples", "check_momentum", "check_step_size"]


def as_sample(name: str, value, length: int) -> np.ndarray:
    """``value`` as a 1-D float array of ``length`` finite numbers, or a ValueError."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a sequence of {length} numbers, got {value!r}") from None
    if array.ndim != 1 or array.shape[0] != length:
        raise ValueError(f"`{name}` must have {length} values (one per "
                         f"{'input' if name == 'x' else 'output'} neuron), got shape {array.shape}")
    _check_finite(name, array)
    return array


def as_samples(name: str, value, width: int) -> np.ndarray:
    """``value`` as a 2-D float array ``(n, width)`` of finite numbers (n >= 1), or a ValueError."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be an array of numbers, got {type(value).__name__}") from None
    if array.ndim == 1 and width == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != width:
        raise ValueError(f"`{name}` must have shape (n_samples, {width}), got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"`{name}` must hold at least one sample, got none")
    _check_finite(name, array)
    return array


def _check_finite(name: str, array: np.ndarray) -> None:
    if not np.all(np.isfinite(array)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"`{name}` must be finite, got {array[where]} at index "
                         f"{where[0] if len(where) == 1 else where}")


def check_step_size(step_size, name: str = "step_size") -> float:
    """``step_size`` as a finite positive float, or a ValueError."""
    try:
        value = float(step_size)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a positive number, got {step_size!r}") from None
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"`{name}` must be a finite positive number, got {step_size!r}")
    return value


def check_momentum(momentum) -> float:
    """``momentum`` as a float in [0, 1), or a ValueError."""
    try:
        value = float(momentum)
    except (TypeError, ValueError):
        raise ValueError(f"`momentum` must be a number in [0, 1), got {momentum!r}") from None
    if not 0.0 <= value < 1.0:
        raise ValueError(f"`momentum` must be in [0, 1), got {momentum!r}")
    return value
