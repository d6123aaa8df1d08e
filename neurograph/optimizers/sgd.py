"""Stochastic gradient descent, the post's rule, with optional momentum.

``p -= learning_rate * mean``; with momentum ``m`` each parameter keeps a velocity
``v = m v - learning_rate * mean`` and moves by it: ``p += v``.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import check_momentum, check_step_size
from .base import Optimizer, Slots

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent: ``p -= learning_rate * mean gradient``, or through a velocity.

    Parameters
    ----------
    learning_rate : float
        The step size (the post's ``stepSize``).
    momentum : float
        In [0, 1); 0 (the default) is the post's plain gradient descent.

    Examples
    --------
    >>> from neurograph.optimizers import SGD
    >>> sgd = SGD(0.5, momentum=0.9)
    >>> sgd
    SGD(learning_rate=0.5, momentum=0.9)
    """

    name = "sgd"
    slot_names = ("velocity",)

    def __init__(self, learning_rate: float = 0.1, momentum: float = 0.0) -> None:
        super().__init__(check_step_size(learning_rate, "learning_rate"))
        self.momentum = check_momentum(momentum)

    def gradient_scale(self, batch: int) -> float:
        """``learning_rate / batch``: the engine then hands over the step itself, which is
        cheaper to scale (the small delta, not the large gradient)."""
        return self.learning_rate / batch

    def change(self, gradient: float, slots: Slots, k: int) -> float:
        if not self.momentum:
            return -self.learning_rate * gradient
        velocities = slots.buffers["velocity"]
        velocity = self.momentum * velocities[k] - self.learning_rate * gradient
        velocities[k] = velocity
        return velocity

    def update(self, values: np.ndarray, scaled: np.ndarray, slots: Slots) -> None:
        if self.momentum:
            velocity = slots.arrays["velocity"]
            velocity *= self.momentum
            velocity -= scaled
            values += velocity
        else:
            values -= scaled

    def hyperparameters(self) -> dict:
        return {"learning_rate": self.learning_rate, "momentum": self.momentum}

    def narrate(self, what, before, after, mean, slots_before, slots_after, steps,
                number) -> str:
        if not self.momentum:
            return (f"nudge: {what} {number(before)} - {number(self.learning_rate)} x "
                    f"{number(mean)} -> {number(after)}")
        velocity = slots_after["velocity"]
        return (f"nudge with momentum: velocity {self.momentum:g} x "
                f"{number(slots_before['velocity'])} - {number(self.learning_rate)} x "
                f"{number(mean)} = {number(velocity)}; {what} {number(before)} + "
                f"{number(velocity)} -> {number(after)}")
