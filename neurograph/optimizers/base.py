"""What every optimizer is: one update rule, in a scalar form and an array form, and its state.

The engines hand an optimizer each parameter's gradient (the mean over the mini-batch of its
per-sample derivatives) and let it decide how far the parameter moves. The object engine asks
one entry at a time (:meth:`Optimizer.change`, the post's narrative); the vectorized engine a
whole array at once (:meth:`Optimizer.update`). Both run the same formula, so the engines stay
equal. State (a velocity, Adam's moments) lives in named slots, one array per slot and
parameter, which model files and checkpoints save by name.
"""
from __future__ import annotations

import copy
import weakref
from array import array
from typing import Dict, Optional, Tuple

import numpy as np

from ..core.buffers import copy_buffer

__all__ = ["Optimizer", "Slots"]

_TYPECODES = {np.dtype(np.float64): "d", np.dtype(np.float32): "f"}


class Slots:
    """An optimizer's state for one parameter: per slot name, a flat ``array.array`` (quick to
    read one float at a time) and a numpy view of the same memory in the parameter's shape."""

    __slots__ = ("buffers", "arrays")

    def __init__(self, names, like: np.ndarray) -> None:
        self.buffers: Dict[str, array] = {}
        self.arrays: Dict[str, np.ndarray] = {}
        for name in names:
            buffer = array(_TYPECODES[like.dtype], bytes(like.dtype.itemsize * like.size))
            self.buffers[name] = buffer
            self.arrays[name] = np.frombuffer(buffer, dtype=like.dtype).reshape(like.shape)

    def __deepcopy__(self, memo: dict) -> "Slots":
        """A copy whose arrays are again views of its own buffers."""
        for name, buffer in self.buffers.items():
            copy_buffer(buffer, [self.arrays[name]], memo)
        new = Slots.__new__(Slots)
        memo[id(self)] = new
        new.buffers = copy.deepcopy(self.buffers, memo)
        new.arrays = copy.deepcopy(self.arrays, memo)
        return new

    def copy(self) -> Dict[str, np.ndarray]:
        """The slots' values now, as arrays that no later step changes."""
        return {name: values.copy() for name, values in self.arrays.items()}


Key = Tuple[int, str]  # (layer index, parameter name)


class Optimizer:
    """The base of every optimizer.

    Subclasses set ``name`` and ``slot_names`` and implement :meth:`change`, :meth:`update`,
    :meth:`hyperparameters` and :meth:`narrate`; they may override :meth:`gradient_scale`.

    Attributes
    ----------
    learning_rate : float
        The step size.
    steps : int
        How many nudges it has made (``begin_step`` counts them); Adam's bias correction needs
        it.
    state : dict
        ``(layer index, parameter name) -> Slots``, made on first use.
    """

    name = "optimizer"
    slot_names: tuple = ()

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate
        self.steps = 0
        self._state: Dict[Key, Slots] = {}
        self.generation = 0  # counts the times slots may have been replaced (see Plan.bind)
        self._owner = None  # a weak reference to the network whose slots these are

    # -- state ------------------------------------------------------------------------------

    @property
    def state(self) -> Dict[Key, Slots]:
        return self._state

    @state.setter
    def state(self, state: Dict[Key, Slots]) -> None:
        self._state = state
        self.generation += 1

    def continue_from(self, other: Optional["Optimizer"]) -> "Optimizer":
        """Go on with ``other``'s state and step count when it is of the same kind (SGD keeps
        its velocities from call to call); returns this optimizer."""
        if type(other) is type(self):
            self.state, self.steps, self._owner = other.state, other.steps, other._owner
        return self

    def __deepcopy__(self, memo: dict) -> "Optimizer":
        """A copy with copied state; copied with its network (``copy.deepcopy(network)``), it
        trains the copy, else no network yet."""
        new = object.__new__(type(self))
        memo[id(self)] = new
        owner = None if self._owner is None else self._owner()
        for name, value in self.__dict__.items():
            if name != "_owner":
                new.__dict__[name] = copy.deepcopy(value, memo)
        copied = None if owner is None else memo.get(id(owner))
        new._owner = None if copied is None else weakref.ref(copied)
        return new

    def train(self, network) -> None:
        """Say that this optimizer trains ``network``; refuse one that trains another (its
        slots are the other network's: its layers' positions, its shapes)."""
        owner = None if self._owner is None else self._owner()
        if owner is not None and owner is not network:
            raise ValueError(f"{self!r} trains another network, {owner!r}: give each network "
                             "an optimizer of its own")
        self._owner = weakref.ref(network)

    def slots(self, layer, name: str) -> Slots:
        """The slots of ``layer``'s parameter ``name`` (zeros the first time)."""
        key = (layer.index, name)
        slots = self.state.get(key)
        if slots is None:
            slots = self.state[key] = Slots(self.slot_names, layer.parameter(name))
        return slots

    def begin_step(self) -> None:
        """Count one nudge of the whole network (called once per mini-batch, before updates)."""
        self.steps += 1

    def snapshot(self) -> tuple:
        """Everything a failed call must put back: the step count and every slot's values."""
        return self.steps, {key: slots.copy() for key, slots in self.state.items()}

    def restore(self, snapshot: tuple) -> None:
        """Put back what :meth:`snapshot` took: slots made since are dropped, slots dropped
        since are made again."""
        self.steps, values = snapshot
        for key in list(self.state):
            if key not in values:
                del self.state[key]
        for key, arrays in values.items():
            slots = self.state.get(key)
            if slots is None:
                slots = self.state[key] = Slots(arrays, next(iter(arrays.values())))
            for name, saved in arrays.items():
                slots.arrays[name][...] = saved
        self.generation += 1

    # -- the rule ---------------------------------------------------------------------------

    def gradient_scale(self, batch: int) -> float:
        """What the vectorized engine multiplies a batch's summed derivatives by before
        :meth:`update`: ``1 / batch`` gives the mean gradient."""
        return 1.0 / batch

    def change(self, gradient: float, slots: Slots, k: int) -> float:
        """Scalar form: how far entry ``k`` of a parameter moves for mean gradient ``gradient``
        (updating its slots)."""
        raise NotImplementedError

    def update(self, values: np.ndarray, scaled: np.ndarray, slots: Slots) -> None:
        """Array form: move ``values`` in place, given ``scaled`` (the summed derivatives times
        :meth:`gradient_scale`); entries that must not move have ``scaled`` zero and zero
        slots."""
        raise NotImplementedError

    def replay(self, gradient: float, slots_before: dict, steps: int) -> float:
        """The change :meth:`change` made to an entry whose slots held ``slots_before`` (by
        name) at step ``steps``, worked out again without touching any state."""
        one = Slots(self.slot_names, np.zeros(1))
        for name, value in slots_before.items():
            one.buffers[name][0] = value
        saved, self.steps = self.steps, steps
        try:
            return self.change(gradient, one, 0)
        finally:
            self.steps = saved

    def hyperparameters(self) -> dict:
        """The settings that define the rule (what a model file records), by name."""
        raise NotImplementedError

    def narrate(self, what: str, before: float, after: float, mean: float,
                slots_before: dict, slots_after: dict, steps: int, number) -> str:
        """One line saying how ``before`` became ``after``, with the real numbers; ``number``
        formats a float."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v:g}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({settings})"
