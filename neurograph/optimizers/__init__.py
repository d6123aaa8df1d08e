"""Optimizers: objects that own an update rule and its state, called by both engines.

``fit(..., optimizer=...)`` takes one of these objects or a name. A new optimizer is one module
here: a subclass of :class:`Optimizer` with a scalar and an array form of its rule, registered
by name in ``OPTIMIZERS``.
"""
from __future__ import annotations

from .adam import Adam
from .base import Optimizer, Slots
from .sgd import SGD

__all__ = ["Optimizer", "Slots", "SGD", "Adam", "OPTIMIZERS", "get_optimizer"]

OPTIMIZERS = {"sgd": SGD, "adam": Adam}
"""Optimizer classes by name: what ``fit(optimizer="adam")`` and model files look up."""


def get_optimizer(optimizer, **settings) -> Optimizer:
    """An :class:`Optimizer` from an optimizer (returned as it is) or a name and its settings.

    Examples
    --------
    >>> get_optimizer("adam", learning_rate=0.01)
    Adam(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-08)
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    try:
        kind = OPTIMIZERS[optimizer]
    except (KeyError, TypeError):
        raise ValueError(f"`optimizer` must be an Optimizer or one of "
                         f"{', '.join(sorted(OPTIMIZERS))}, got {optimizer!r}") from None
    return kind(**settings)
