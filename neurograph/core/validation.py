"""Input checks, the one module of them: each names the argument and what was wrong with it
("`name` must be ..., got ..."), and returns the value in the form the code uses."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["as_sample", "as_sample_list", "as_samples", "check_bool", "check_seed", "check_finite",
           "check_momentum", "check_step_size", "check_positive_int", "check_dtype",
           "check_shape", "check_fraction", "check_hidden_derivative", "register",
           "TrainingWarning"]


class TrainingWarning(UserWarning):
    """Training is probably going wrong: the cost rose, hidden neurons are stuck at the bounds
    of their activation, the inputs are far outside the usual range, or a target cannot be
    reached. The message says what was seen and the likely cause. Filter it as any warning
    (``warnings.simplefilter("error", TrainingWarning)`` makes it an error)."""


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int of at least ``minimum`` (bools refused), or a ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"`{name}` must be {wanted}, got {value!r}")
    return int(value)


FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def check_dtype(dtype) -> np.dtype:
    """``dtype`` as numpy's float64 or float32, or a ValueError."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype not in FLOAT_DTYPES:
        raise ValueError(f"`dtype` must be float64 or float32, got {dtype!r}")
    return dtype


def check_shape(name: str, shape) -> tuple[int, ...]:
    """``shape`` as a tuple of 1 to 3 positive ints, or a ValueError naming ``name``."""
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if not dims or len(dims) > 3 or any(
            isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 1
            for d in dims):
        raise ValueError(f"`{name}` must be 1 to 3 positive integers such as (28, 28), "
                         f"got {shape!r}")
    return tuple(int(d) for d in dims)


def as_sample_list(name: str, value, length: int) -> list[float]:
    """``value`` as a list of ``length`` finite floats, or a ValueError (as :func:`as_sample`).

    The object engine's path for one sample: a Python sum is a quick finiteness test for a
    short vector (NaN and infinity survive a sum); only a non-finite sum is looked at closely.
    """
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.shape[0] == length \
            and value.dtype.kind == "f":
        values = value.tolist()
    elif isinstance(value, (list, tuple)) and len(value) == length and all(
            type(v) is float for v in value):
        values = list(value)
    else:
        return as_sample(name, value, length).tolist()
    if not math.isfinite(sum(values)):
        as_sample(name, value, length)  # raises, naming the entry (unless the sum overflowed)
    return values


def as_sample(name: str, value, length: int) -> np.ndarray:
    """``value`` as a 1-D float array of ``length`` finite numbers, or a ValueError."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a sequence of {length} numbers, got {value!r}") from None
    except OverflowError:  # an integer such as 10**400, beyond every float
        raise ValueError(f"`{name}` must hold finite numbers, got an integer too large for a "
                         "float") from None
    if array.ndim != 1 or array.shape[0] != length:
        raise ValueError(f"`{name}` must have {length} values (one per "
                         f"{'input' if name == 'x' else 'output'} neuron), got shape {array.shape}")
    check_finite(name, array)
    return array


def as_samples(name: str, value, width: int, *, finite: bool = True) -> np.ndarray:
    """``value`` as a 2-D float array ``(n, width)`` (n >= 1), or a ValueError.

    Floating-point arrays keep their dtype (no copy); others become float64. With
    ``finite=False`` the caller checks finiteness itself (``fit`` does it batch by batch, which
    is much cheaper than a pass over a whole data set).
    """
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "fiub":  # complex, strings, objects: not numbers we take
            raise TypeError
        if array.dtype.kind != "f":
            array = array.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be an array of numbers, got {type(value).__name__}") from None
    if array.ndim == 1 and width == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != width:
        raise ValueError(f"`{name}` must have shape (n_samples, {width}), got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"`{name}` must hold at least one sample, got none")
    if finite:
        check_finite(name, array)
    return array


def check_finite(name: str, array: np.ndarray, row_offset=None) -> None:
    """Raise a ValueError naming the first NaN or infinite entry of ``array``, if any.

    ``row_offset`` maps the rows of ``array`` back to those of the caller's data (an index
    array), so the message names the first bad row the caller knows.
    """
    if np.all(np.isfinite(array)):
        return
    bad = np.argwhere(~np.isfinite(array))
    if row_offset is None:
        first = bad[0]
        where = tuple(int(i) for i in first)
    else:
        rows = np.asarray(row_offset)[bad[:, 0]]
        first = bad[np.lexsort((bad[:, -1], rows))[0]]
        where = (int(row_offset[first[0]]),) + tuple(int(i) for i in first[1:])
    shown = where[0] if len(where) == 1 else where
    raise ValueError(f"`{name}` must be finite, got {array[tuple(first)]} at index {shown}")


def check_step_size(step_size, name: str = "step_size") -> float:
    """``step_size`` as a finite positive float, or a ValueError."""
    if isinstance(step_size, (bool, np.bool_, str, bytes)):  # float("0.1") would pass
        raise ValueError(f"`{name}` must be a positive number, got {step_size!r}")
    try:
        value = float(step_size)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a positive number, got {step_size!r}") from None
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"`{name}` must be a finite positive number, got {step_size!r}")
    return value


def check_bool(name: str, value) -> bool:
    """``value`` if it is a bool (Python's or numpy's), else a TypeError: a string such as
    ``"no"`` would read as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def check_fraction(name: str, value) -> float:
    """``value`` as a float in [0, 1) (a momentum, a decay rate, a dropout rate), or a
    ValueError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a number in [0, 1), got {value!r}") from None
    if not 0.0 <= number < 1.0:
        raise ValueError(f"`{name}` must be in [0, 1), got {value!r}")
    return number


HIDDEN_DERIVATIVES = ("sum", "mean")
"""How a hidden neuron's dC/da gathers its outgoing connections: ``"sum"`` (the chain rule)
or ``"mean"`` (the Kotlin post's averaging, kept to reproduce its results)."""


def check_hidden_derivative(value) -> str:
    """``value`` if it is ``"sum"`` or ``"mean"``, or a ValueError."""
    if not isinstance(value, str) or value not in HIDDEN_DERIVATIVES:
        raise ValueError(f"`hidden_derivative` must be 'sum' or 'mean', got {value!r}")
    return value


def check_momentum(momentum) -> float:
    """``momentum`` as a float in [0, 1), or a ValueError."""
    return check_fraction("momentum", momentum)


def register(registry: dict, item, kind: type, what: str, replace: bool):
    """Add ``item`` (a ``kind``) to ``registry`` under its ``name``, refusing a name taken by
    another unless ``replace``: what ``register_activation`` and ``register_cost`` share."""
    if not isinstance(item, kind):
        raise TypeError(f"`{what}` must be {'an' if kind.__name__[0] in 'AEIOU' else 'a'} "
                        f"{kind.__name__}, got {type(item).__name__}")
    name = item.name
    if not isinstance(name, str) or not name:
        raise ValueError(f"`{what}.name` must be a non-empty string, got {name!r}")
    existing = registry.get(name)
    if existing is not None and existing is not item and not replace:
        raise ValueError(f"`{what}.name` must not be a registered name (or pass "
                         f"replace=True), got {name!r}, which is {existing!r}")
    registry[name] = item
    return item


def check_seed(seed):
    """``seed`` as numpy takes it (None, a non-negative integer, or a Generator), or a ValueError."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be None, a non-negative integer or a numpy Generator, "
                         f"got {seed!r}")
    return int(seed)
