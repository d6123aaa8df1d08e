"""Callbacks: something of yours that ``fit`` calls while it trains (a plot, a log, a stop).

``fit(..., callbacks=[...])`` calls each callback with a :class:`TrainingEvent` after every
epoch, or after every mini-batch when the callback has ``every = "batch"``, or after both
(every mini-batch, then the epoch, with ``event.batch`` None) with ``every = "both"``. A callback may call
``event.stop()``: training then ends cleanly at the end of the current epoch (the parameters,
the per-sample lists of its last mini-batch and a checkpoint, if asked for, as after a normal
last epoch).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["TrainingEvent", "check_callbacks"]


@dataclass
class TrainingEvent:
    """What a callback is told.

    Attributes
    ----------
    network : Network
        The network being trained (read it; do not train it from the callback).
    history : History
        The history so far (the epochs finished, and the evaluations made).
    epoch : int
        The epoch under way (1 for the first).
    batch : int or None
        The mini-batch just trained, counted from 1 in its epoch; None after an epoch.
    samples : int
        The training samples this call of ``fit`` has trained on so far.
    epochs : int or None
        The last epoch this call of ``fit`` will train (None when not told).
    """

    network: Any
    history: Any
    epoch: int
    batch: Optional[int]
    samples: int
    epochs: Optional[int] = None
    _stop: list = field(default_factory=list, repr=False)

    def stop(self) -> None:
        """End training at the end of the current epoch."""
        self._stop.append(True)

    @property
    def stopping(self) -> bool:
        """Whether training ends at the end of the current epoch (a stop was asked)."""
        return bool(self._stop)

    @property
    def last(self) -> bool:
        """Whether this is the call after the last epoch ``fit`` will train."""
        return self.batch is None and (self.stopping or self.epoch == self.epochs)


def check_callbacks(callbacks) -> tuple[list, list]:
    """``callbacks`` as two lists, those called after every mini-batch and those called
    after every epoch, or a ValueError naming the one that is not a callable."""
    if callbacks is None:
        return [], []
    try:
        callbacks = list(callbacks)
    except TypeError:
        raise ValueError(f"`callbacks` must be a list of callables, got {callbacks!r}") from None
    batch, epoch = [], []
    for callback in callbacks:
        every = getattr(callback, "every", "epoch")
        if not callable(callback) or every not in ("batch", "epoch", "both"):
            raise ValueError(f"`callbacks` must hold callables whose `every` (if any) is "
                             f"'batch', 'epoch' or 'both', got {callback!r}")
        if every in ("batch", "both"):
            batch.append(callback)
        if every in ("epoch", "both"):
            epoch.append(callback)
    return batch, epoch
