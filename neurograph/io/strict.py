"""Strict reading of a JSON file: every field, type and number checked, every complaint naming
the file.

A :class:`StrictReader` parses the text (no NaN, no infinity, no repeated key, no integer too
long to be any field) and checks values one at a time (``fields``, ``integer``, ``choice``,
``number``, ``numbers``, ``shape``); a problem raises :class:`ModelFileError` with the form
``"<file>: `<field>` must be <constraint>, got <value>"``. It knows nothing of layer kinds: each
layer class checks its own part of a model file with these helpers.
"""
from __future__ import annotations

import json
import math
from typing import Optional

import numpy as np

from ..core.activations import ACTIVATIONS

__all__ = ["ModelFileError", "StrictReader", "slot_words", "show", "show_shape", "dims"]

# No integer of the format needs more (the longest: the 128-bit state of a checkpoint's random
# generator, 39 digits); longer ones are refused before Python converts them.
MAX_INTEGER_DIGITS = 40


class ModelFileError(ValueError):
    """A model file cannot be loaded: it is not valid JSON, not a neurograph model, or not one
    this version reads. The message names the file and what is wrong."""


class StrictReader:
    """Parses and checks a file's content; every complaint names the file.

    Parameters
    ----------
    name : str
        The file, as the messages name it.
    max_size : int
        The largest integer :meth:`shape` accepts (and what a layer may declare).
    dtype : numpy.dtype, optional
        The type to load the parameters as, if not the file's.

    Examples
    --------
    >>> reader = StrictReader("net.json", max_size=100)
    >>> reader.integer(3, "size", 1, 10)
    3
    >>> reader.integer(30, "size", 1, 10)
    Traceback (most recent call last):
    ...
    neurograph.io.strict.ModelFileError: net.json: `size` must be in [1, 10], got 30
    """

    def __init__(self, name: str, max_size: int, dtype: Optional[np.dtype] = None) -> None:
        self.name = name
        self.max_size = max_size
        self.dtype = dtype
        self.version = None  # the file's format version, once read
        self.file_dtype = None  # the type the file stores, once read
        self.slot_names: tuple = ()  # the slots of the file's optimizer, once read

    def fail(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.name}: {problem}")

    # -- JSON ---------------------------------------------------------------------------------

    def decode(self, content: bytes, what: str) -> str:
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self.fail(f"not a {what}: not UTF-8 text (byte {error.start:,} is "
                            f"{content[error.start:error.start + 1]!r})") from None

    def parse(self, text: str, what: str):
        """The JSON value of ``text``, refusing NaN, infinity, repeated keys, huge integers."""
        def constant(word: str):
            raise self.fail(f"{word} is not allowed in a model file: every number must be finite")

        def integer(digits: str) -> int:
            if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
                raise self.fail(f"the integer {digits[:12]}... has {len(digits)} digits: too "
                                "large for any field")
            return int(digits)

        def unique_keys(pairs: list) -> dict:
            keys = [key for key, _ in pairs]
            if len(set(keys)) != len(keys):
                twice = next(key for key in keys if keys.count(key) > 1)
                raise self.fail(f"the field {twice!r} appears twice in one object")
            return dict(pairs)

        if not text.strip():
            raise self.fail(f"not a {what}: it is empty")
        try:
            return json.loads(text, parse_constant=constant, parse_int=integer,
                              object_pairs_hook=unique_keys)
        except json.JSONDecodeError as error:
            if not text[error.pos:].strip():
                raise self.fail(f"the JSON ends too early (is the file truncated?): {error.msg} "
                                f"at line {error.lineno} column {error.colno}") from None
            raise self.fail(f"not valid JSON: {error.msg} at line {error.lineno} column "
                            f"{error.colno}") from None
        except RecursionError:
            raise self.fail(f"not a {what}: the JSON is nested too deeply") from None

    # -- fields -------------------------------------------------------------------------------

    def fields(self, value, where: str, required, optional=()) -> dict:
        """``value``, a JSON object with every ``required`` field and no unknown one."""
        named = f"`{where}`" if where else "the top-level object"
        if not isinstance(value, dict):
            raise self.fail(f"{named} must be a JSON object, got {show(value)}")
        missing = [key for key in required if key not in value]
        if missing:
            raise self.fail(f"{named} lacks the field {missing[0]!r}")
        extra = sorted(key for key in value if key not in required and key not in optional)
        if extra:
            raise self.fail(f"{named} has an unknown field {extra[0]!r} (its fields are "
                            f"{', '.join(required)}{''.join(', ' + k for k in optional)})")
        return value

    def integer(self, value, where: str, low: int, high: int) -> int:
        if type(value) is not int:
            raise self.fail(f"`{where}` must be an integer, got {show(value)}")
        if not low <= value <= high:
            raise self.fail(f"`{where}` must be in [{low:,}, {high:,}], got {value:,}")
        return value

    def boolean(self, value, where: str) -> bool:
        if type(value) is not bool:
            raise self.fail(f"`{where}` must be true or false, got {show(value)}")
        return value

    def choice(self, value, where: str, choices) -> str:
        if type(value) is not str:
            raise self.fail(f"`{where}` must be a string, got {show(value)}")
        if value not in choices:
            raise self.fail(f"`{where}` must be one of {', '.join(sorted(choices))}, got "
                            f"{show(value)}")
        return value

    def number(self, value, where: str) -> float:
        if type(value) not in (int, float):
            raise self.fail(f"`{where}` must be a number, got {show(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise self.fail(f"`{where}` must be finite, got {value}")
        return value

    def numbers(self, value, where: str, count: int, what: str, dtype: np.dtype) -> np.ndarray:
        """A list of ``count`` finite numbers (JSON integers or floats) as a float array."""
        if not isinstance(value, list):
            raise self.fail(f"`{where}` must be a list of numbers, got {show(value)}")
        if len(value) != count:
            raise self.fail(f"`{where}` must hold {count:,} numbers ({what}), got {len(value):,}")
        if not all(type(v) is float for v in value):
            for k, v in enumerate(value):
                if type(v) not in (int, float):
                    raise self.fail(f"`{where}[{k}]` must be a number, got {show(v)}")
        array = np.array(value, dtype=np.float64)  # integers have at most 40 digits: finite
        with np.errstate(over="ignore"):
            array = array.astype(dtype)
        if not np.isfinite(array).all():
            k = int(np.flatnonzero(~np.isfinite(array))[0])
            raise self.fail(f"`{where}[{k}]` must be a finite {dtype} number, got {value[k]!r}")
        return array

    def shape(self, value, where: str, lengths: tuple) -> tuple:
        """A list of ``lengths`` positive integers, each at most ``max_size``."""
        if not (isinstance(value, list) and len(value) in lengths
                and all(type(v) is int and 1 <= v <= self.max_size for v in value)):
            count = (f"{lengths[0]} to {lengths[-1]}" if len(lengths) > 1 else str(lengths[0]))
            raise self.fail(f"`{where}` must be a list of {count} integers in [1, "
                            f"{self.max_size:,}], got {show_shape(value)}")
        return tuple(value)

    def activation(self, value, where: str, hidden: bool) -> str:
        """A name of :data:`neurograph.ACTIVATIONS`; not a layerwise one if ``hidden``."""
        activation = self.choice(value, where, ACTIVATIONS)
        if hidden and ACTIVATIONS[activation].layerwise:
            raise self.fail(f"`{where}` {activation!r} acts on a whole layer and is for the "
                            "output layer only")
        return activation

    @staticmethod
    def product(shape) -> int:
        """The product of a shape's numbers, as a Python integer (never overflowing)."""
        return math.prod(shape)

    @staticmethod
    def dims(shape) -> str:
        """``(12, 26, 26)`` as ``"12 x 26 x 26"`` (see :func:`dims`)."""
        return dims(shape)

    @staticmethod
    def show(value) -> str:
        """A short description of a JSON value for an error message (see :func:`show`)."""
        return show(value)

    @staticmethod
    def slot_words(slot: str) -> str:
        """How messages call a slot's values: "velocities", or "'m' slots"."""
        return slot_words(slot)

    def slot_fields(self, names: dict) -> tuple:
        """The optional fields that hold the slots of the file's optimizer for parameters
        ``names`` (parameter -> singular; see :meth:`slots`), in the order they are written."""
        return tuple(f"{singular}_{slot}" for slot in self.slot_names
                     for singular in names.values())

    def slots(self, fields: dict, where: str, names: dict, counts: dict, whats: dict,
              dtype: np.dtype) -> dict:
        """The optimizer's slots stored in a layer's ``fields``: ``{parameter: {slot:
        values}}`` for every slot of the file's optimizer whose fields are there.

        ``names`` gives each parameter's singular (``{"weights": "weight"}``): the slot
        ``velocity`` of ``weights`` is the field ``weight_velocity``. A slot's fields come
        together, one per parameter, or not at all (then the slot is zero).
        """
        found = {name: {} for name in names}
        for slot in self.slot_names:
            keys = {name: f"{singular}_{slot}" for name, singular in names.items()}
            present = [key for key in keys.values() if key in fields]
            if not present:
                continue
            if len(present) < len(keys):
                missing = next(key for key in keys.values() if key not in fields)
                raise self.fail(f"`{where}` has {present[0]!r} but lacks {missing!r} (the "
                                f"{slot_words(slot)} come together)")
            for name, key in keys.items():
                found[name][slot] = self.numbers(fields[key], f"{where}.{key}", counts[name],
                                                 whats[name], dtype)
        return found


def slot_words(slot: str) -> str:
    """How messages call a slot's values: "velocities", or "'m' slots"."""
    return "velocities" if slot == "velocity" else f"{slot!r} slots"


def show(value) -> str:
    """A short description of a JSON value for an error message (never a whole list)."""
    if isinstance(value, list):
        return f"a list of {len(value):,} items" if value else "an empty list"
    if isinstance(value, dict):
        return "a JSON object"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def show_shape(value) -> str:
    """A shape for an error message: the list itself when it is short and flat."""
    if isinstance(value, list) and len(value) <= 4 and all(
            v is None or isinstance(v, (int, float, str, bool)) for v in value):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return show(value)


def dims(shape) -> str:
    """``(12, 26, 26)`` as ``"12 x 26 x 26"``."""
    return " x ".join(f"{d:,}" for d in shape)
