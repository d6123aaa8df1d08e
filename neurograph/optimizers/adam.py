"""Adam (Kingma and Ba, 2015): a step per parameter scaled by running moments of its gradient.

With gradient ``g`` at step ``t``: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
``m^ = m / (1 - b1^t)``, ``v^ = v / (1 - b2^t)``, and ``p -= learning_rate m^ / (sqrt(v^) + eps)``.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.validation import check_fraction, check_step_size
from .base import Optimizer, Slots

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: ``p -= learning_rate * m^ / (sqrt(v^) + epsilon)``, moments bias-corrected.

    Parameters
    ----------
    learning_rate : float
    beta1, beta2 : float
        How slowly the first and second moments forget, in [0, 1).
    epsilon : float
        Keeps the step finite where the gradient has always been zero.

    Examples
    --------
    >>> from neurograph.optimizers import Adam
    >>> Adam()
    Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)
    """

    name = "adam"
    slot_names = ("m", "v")

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8) -> None:
        super().__init__(check_step_size(learning_rate, "learning_rate"))
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.epsilon = check_step_size(epsilon, "epsilon")

    def _corrections(self) -> tuple[float, float]:
        t = max(self.steps, 1)
        return 1.0 - self.beta1 ** t, 1.0 - self.beta2 ** t

    def change(self, gradient: float, slots: Slots, k: int) -> float:
        m, v = slots.buffers["m"], slots.buffers["v"]
        m[k] = self.beta1 * m[k] + (1.0 - self.beta1) * gradient
        v[k] = self.beta2 * v[k] + (1.0 - self.beta2) * gradient * gradient
        first, second = self._corrections()
        return -self.learning_rate * (m[k] / first) / (math.sqrt(v[k] / second) + self.epsilon)

    def update(self, values: np.ndarray, scaled: np.ndarray, slots: Slots) -> None:
        m, v = slots.arrays["m"], slots.arrays["v"]
        m *= self.beta1
        m += (1.0 - self.beta1) * scaled
        v *= self.beta2
        v += (1.0 - self.beta2) * scaled * scaled
        first, second = self._corrections()
        values -= self.learning_rate * (m / first) / (np.sqrt(v / second) + self.epsilon)

    def hyperparameters(self) -> dict:
        return {"learning_rate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon}

    def narrate(self, what, before, after, mean, slots_before, slots_after, steps,
                number) -> str:
        m, v = slots_after["m"], slots_after["v"]
        t = max(steps, 1)
        m_hat, v_hat = m / (1.0 - self.beta1 ** t), v / (1.0 - self.beta2 ** t)
        return (f"nudge with Adam (step {t}): m = {self.beta1:g} x {number(slots_before['m'])}"
                f" + {1 - self.beta1:g} x {number(mean)} = {number(m)}; v = {self.beta2:g} x "
                f"{number(slots_before['v'])} + {1 - self.beta2:.3g} x {number(mean)}^2 = "
                f"{number(v)}; {what} {number(before)} - {number(self.learning_rate)} x "
                f"{number(m_hat)} / (sqrt({number(v_hat)}) + {self.epsilon:g}) -> {number(after)}")
