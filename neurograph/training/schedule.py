"""Settings that change from epoch to epoch: ``value(i) = start * factor ** i + step * i``.

``fit`` takes a :class:`Schedule`, or any callable of the epoch index ``i``, wherever it takes
a ``learning_rate`` or a ``batch_size``; the Kotlin post trains 12 iterations of 10,000
shuffled samples with batch size ``50 + 10 i`` and step size ``0.97 ** i``::

    net.fit(X, Y, epochs=12, epoch_size=10_000, batch_size=Schedule(50, step=10),
            learning_rate=Schedule(1.0, factor=0.97), evaluate_every=25,
            validation=(X_test, Y_test))

- ``i`` is 0 for the first epoch of the call. With ``resume``, epochs are counted as in the
  stopped run (``i = epoch - 1``), so the resumed part follows the same schedule, and the
  checkpoint's count of mini-batches done is in that epoch's batch size: resuming needs the
  same schedules and ``epoch_size`` to end bit for bit where an unbroken run does.
- Every epoch's value is checked before anything trains ("`learning_rate` for epoch index 3
  (0-based) must be a finite positive number, got -0.1"), so a rejected call changes nothing.
- A learning rate schedule sets the optimizer's ``learning_rate`` at the start of each epoch,
  for an optimizer object as well (SGD and Adam both have one), which keeps the last epoch's
  rate afterwards. A plain number with an optimizer object is still refused.
- ``epoch_size``: each epoch shuffles all the samples and trains on the first ``epoch_size``
  of them, as the post does: no sample twice within an epoch, a new draw each epoch (without
  ``shuffle``, the first ``epoch_size`` samples every epoch).
- ``evaluate_every=N``: after every ``N``-th mini-batch of the call, counted across epochs,
  the validation set is evaluated into the history's ``evaluation_*`` lists (see
  :class:`~neurograph.training.History`); a resumed call counts from its restart.

Examples
--------
>>> import numpy as np
>>> from neurograph import Network
>>> net = Network.layered([2, 8, 1], activation="tanh", seed=0)
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25, dtype=float)
>>> Y = X[:, :1] * X[:, 1:]  # AND
>>> history = net.fit(X, Y, epochs=2, batch_size=Schedule(10, step=10),
...                   learning_rate=Schedule(0.5, factor=0.97), epoch_size=40,
...                   evaluate_every=2, validation=(X, Y), seed=0, progress=False)
>>> history.evaluation_samples  # 4 batches of 10, then 2 of 20
[20, 40, 80]
>>> net.optimizer.learning_rate  # the last epoch's, 0.5 x 0.97
0.485
"""
from __future__ import annotations

import math
from typing import Callable, Union

import numpy as np

__all__ = ["Schedule", "per_epoch"]


def _number(name: str, value, positive: bool = False) -> Union[int, float]:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                      np.floating)):
        raise ValueError(f"`{name}` must be a number, got {value!r}")
    if not math.isfinite(value) or (positive and value <= 0):
        wanted = "a finite positive number" if positive else "finite"
        raise ValueError(f"`{name}` must be {wanted}, got {value!r}")
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


class Schedule:
    """A value per epoch: ``start * factor ** i + step * i`` for epoch index ``i = 0, 1, ...``.

    Parameters
    ----------
    start : int or float
        The value of the first epoch.
    step : int or float
        Added per epoch (a straight line).
    factor : int or float
        Multiplies ``start`` per epoch (a geometric decay); must be positive.

    With integer ``start`` and ``step`` and ``factor`` 1 the values are ints (a batch size).

    Examples
    --------
    The Kotlin post's schedule, for iterations ``i = 0 .. 11``:

    >>> batch_size, learning_rate = Schedule(50, step=10), Schedule(1.0, factor=0.97)
    >>> batch_size
    Schedule(50, step=10)
    >>> [batch_size(i) for i in range(4)]
    [50, 60, 70, 80]
    >>> round(learning_rate(2), 6)
    0.9409
    """

    def __init__(self, start, *, step=0, factor=1) -> None:
        self.start = _number("start", start)
        self.step = _number("step", step)
        self.factor = _number("factor", factor, positive=True)

    def __call__(self, i: int) -> Union[int, float]:
        if self.factor == 1:
            return self.start + self.step * i
        return self.start * self.factor ** i + self.step * i

    def __eq__(self, other) -> bool:
        return (isinstance(other, Schedule)
                and (self.start, self.step, self.factor) == (other.start, other.step,
                                                             other.factor))

    def __repr__(self) -> str:
        parts = [repr(self.start)]
        if self.step != 0:
            parts.append(f"step={self.step!r}")
        if self.factor != 1:
            parts.append(f"factor={self.factor!r}")
        return f"Schedule({', '.join(parts)})"


def per_epoch(name: str, value, epochs: int, check: Callable, wanted: str) -> list:
    """The value of setting ``name`` for each epoch index ``0 .. epochs - 1``, each checked
    with ``check(value)`` (which raises a ValueError); ``value`` is a constant or a callable
    of the epoch index. A ValueError names the epoch index and says what was ``wanted``."""
    if not callable(value):
        return [check(value)] * epochs
    values = []
    for i in range(epochs):
        try:
            v = value(i)
        except Exception as error:  # a user's function: say where it failed
            raise ValueError(f"`{name}` failed for epoch index {i}: {error!r}") from error
        try:
            values.append(check(v))
        except ValueError:
            raise ValueError(f"`{name}` for epoch index {i} (0-based) must be {wanted}, "
                             f"got {v!r}") from None
    return values
