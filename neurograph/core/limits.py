"""Size limits: how big a network, a model file or an image file may be before neurograph
refuses it, checked before anything is allocated or read.

A network of ``10**9 x 10**9`` weights, or a model file read from ``/dev/zero``, would
otherwise grow until the machine runs out of memory. Every builder, the model-file reader and
the command line ask :data:`LIMITS`; raise a limit on purpose with :func:`limits`.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional

__all__ = ["Limits", "LIMITS", "limits", "check_layer_neurons", "check_layer_parameters",
           "check_layer_count", "check_parameters", "check_regular_file",
           "read_regular_file"]


class Limits:
    """The limits in force (one object, :data:`LIMITS`; change it with :func:`limits`).

    Attributes
    ----------
    layer_parameters : int
        The most parameters one layer may have: ``size x inputs`` weights plus ``size`` biases
        (the weight matrix is dense in memory). A layer's number of neurons, and a
        convolution's connections, are held to it too. Default ``10**7`` (80 MB of float64).
    parameters : int
        The most parameters a model file may declare in all. Default ``10**8``.
    layers : int
        The most layers a network may have, input and output included. Default 1,000.
    file_bytes : int
        The largest model file or image file read, in bytes. Default 256 MiB (a model file
        of about 10^7 float64 parameters; reading takes about 6 times the file's size).
    """

    NAMES = ("layer_parameters", "parameters", "layers", "file_bytes")

    def __init__(self) -> None:
        self.layer_parameters = 10 ** 7
        self.parameters = 10 ** 8
        self.layers = 1_000
        self.file_bytes = 256 * 2 ** 20

    def __repr__(self) -> str:
        return "Limits(" + ", ".join(f"{name}={getattr(self, name):,}" for name in self.NAMES) + ")"


LIMITS = Limits()
"""The limits in force; see :class:`Limits` and :func:`limits`."""

_HOW = "raise it with neurograph.limits({}=...)"


@contextmanager
def limits(**changes: int) -> Iterator[Limits]:
    """Raise (or lower) size limits inside a ``with`` block; they are restored after it.

    Parameters
    ----------
    **changes : int
        New values for any of ``layer_parameters``, ``parameters``, ``layers`` and
        ``file_bytes`` (see :class:`Limits`), each a positive integer.

    Yields
    ------
    Limits
        :data:`LIMITS`, with the changes in force.

    Raises
    ------
    TypeError
        If a name is not one of the limits.
    ValueError
        If a value is not a positive integer (nothing is changed then).

    Examples
    --------
    >>> import neurograph
    >>> with neurograph.limits(layer_parameters=100):
    ...     neurograph.Network.layered([10, 20, 1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: `sizes[1]`: a layer of 20 neurons reading 10 inputs would have 220 parameters, ...
    >>> neurograph.LIMITS.layer_parameters  # back as it was after the block
    10000000
    """
    for name, value in changes.items():
        if name not in Limits.NAMES:
            raise TypeError(f"limits() got an unknown limit {name!r}: use one of "
                            f"{', '.join(Limits.NAMES)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer, got {value!r}")
    before = {name: getattr(LIMITS, name) for name in changes}
    try:
        for name, value in changes.items():
            setattr(LIMITS, name, value)
        yield LIMITS
    finally:
        for name, value in before.items():
            setattr(LIMITS, name, value)


def check_layer_neurons(size: int, what: str = "a layer") -> None:
    """Refuse ``what`` of more neurons than ``LIMITS.layer_parameters`` (a ValueError)."""
    limit = LIMITS.layer_parameters
    if size > limit:
        raise ValueError(f"{what} of {size:,} neurons, more than the limit of {limit:,} "
                         f"({_HOW.format('layer_parameters')})")


def check_layer_parameters(parameters: int, what: str) -> None:
    """Refuse ``what`` (a description of a layer and its sizes) of more parameters than
    ``LIMITS.layer_parameters``, with a ValueError giving the count and the limit."""
    limit = LIMITS.layer_parameters
    if parameters > limit:
        raise ValueError(f"{what} would have {parameters:,} parameters, more than the limit of "
                         f"{limit:,} for a layer ({_HOW.format('layer_parameters')})")


def check_layer_count(count: int, what: str = "a network") -> None:
    """Refuse ``what`` of more layers than ``LIMITS.layers`` (a ValueError)."""
    limit = LIMITS.layers
    if count > limit:
        raise ValueError(f"{what} of {count:,} layers, more than the limit of {limit:,} "
                         f"({_HOW.format('layers')})")


def check_parameters(total: int, what: str) -> None:
    """Refuse ``what`` of more parameters in all than ``LIMITS.parameters`` (a ValueError)."""
    limit = LIMITS.parameters
    if total > limit:
        raise ValueError(f"{what} declare {total:,} parameters, more than the limit of "
                         f"{limit:,} for a model ({_HOW.format('parameters')})")


def _refuse_kind(name: str, mode: int, what: str) -> None:
    import stat

    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise ValueError(f"{name} is {kind}, not a regular {what}")


def _refuse_size(name: str, size: int, what: str, limit: Optional[int]) -> None:
    limit = LIMITS.file_bytes if limit is None else limit
    if size > limit:
        raise ValueError(f"{name}: the {what} is {size:,} bytes, more than the limit of "
                         f"{limit:,} ({_HOW.format('file_bytes')})")


def check_regular_file(path, what: str = "file", limit: Optional[int] = None) -> int:
    """The size in bytes of ``path``, after refusing what is not a regular file (a device such
    as ``/dev/zero``, a named pipe, a folder) and a file over ``limit`` bytes
    (``LIMITS.file_bytes`` by default), with a ValueError naming the file. Nothing is opened,
    so a named pipe cannot block; OSError if it cannot be looked at."""
    name = os.fspath(path)
    status = os.stat(path)  # follows a symlink to what it names
    _refuse_kind(name, status.st_mode, what)
    _refuse_size(name, status.st_size, what, limit)
    return status.st_size


def read_regular_file(path, what: str = "file", limit: Optional[int] = None) -> bytes:
    """The bytes of ``path``, refused as by :func:`check_regular_file` (checked on the open
    file, which is opened without blocking, so a named pipe swapped in cannot hang it), and
    never more than ``limit`` bytes read: a file that grows past it is refused too."""
    name = os.fspath(path)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(descriptor)
        _refuse_kind(name, status.st_mode, what)
        _refuse_size(name, status.st_size, what, limit)
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as file:
        most = LIMITS.file_bytes if limit is None else limit
        content = file.read(status.st_size + 1)  # read(n) sets aside n bytes: ask for no more
        if len(content) > status.st_size:  # it grew while being read
            content += file.read(max(0, most + 1 - len(content)))
    _refuse_size(name, len(content), what, limit)
    return content
