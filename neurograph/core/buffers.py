"""Parameters in ``array.array`` buffers that numpy arrays view: copying them together.

A layer's weights and biases, and an optimizer's slots, live in an ``array.array`` (quick to
read one float at a time, for the object engine) with a numpy view of the same memory (for the
vectorized engine and the user). ``copy.deepcopy`` copies the buffer and each view on its own,
so in the copy they would no longer share memory and the two engines would read different
numbers. :func:`copy_buffer` copies a buffer and makes its views views of the copy.
"""
from __future__ import annotations

from array import array

import numpy as np

__all__ = ["copy_buffer"]


def copy_buffer(buffer, views, memo: dict) -> None:
    """Copy ``buffer`` into ``memo`` (the ``copy.deepcopy`` memo), with each of ``views`` (numpy
    arrays of its memory, C-contiguous) becoming a view of the copy at the same place.

    Examples
    --------
    >>> import copy
    >>> buffer = array("d", [1.0, 2.0, 3.0, 4.0])
    >>> view = np.frombuffer(buffer).reshape(2, 2)
    >>> memo = {}
    >>> copy_buffer(buffer, [view], memo)
    >>> copied, copied_view = copy.deepcopy((buffer, view), memo)
    >>> copied_view[0, 1] = 9.0; copied[1], buffer[1]
    (9.0, 2.0)
    """
    if buffer is None or id(buffer) in memo:
        return
    copied = array(buffer.typecode, buffer)
    memo[id(buffer)] = copied
    start = buffer.buffer_info()[0]
    for view in views:
        if view is None or id(view) in memo:
            continue
        offset = view.__array_interface__["data"][0] - start if view.size else 0
        memo[id(view)] = np.frombuffer(copied, dtype=view.dtype, count=view.size,
                                       offset=offset).reshape(view.shape)
