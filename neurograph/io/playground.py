"""The TensorFlow Playground's six 2-D data sets: four to classify, two to regress.

Each ``make_NAME(n, noise=0.0, seed=None)`` returns ``(X, Y)`` ready for ``fit``: ``X`` float64
of shape (n, 2), in the Playground's own coordinates (about [-6, 6] on each axis), and ``Y``
float64: one-hot rows (n, 2) for the classification sets, one column (n, 1) in [-1, 1] for the
regression sets. The definitions follow the Playground's ``dataset.ts``; where they differ
(the class noise, the row order, which class is "1") each function says so.

Choices made once for all six:

- **Coordinates as the Playground's.** A student can set the same data set up in the
  Playground and here and compare the pictures point for point; the values stay below about
  8 in magnitude, where a tanh or ReLU network trains without rescaling (``fit`` warns only
  beyond 100).
- **One-hot classes.** The Playground has two classes (its labels +1 and -1); here they are
  class 1 and class 0, one-hot: ``Y[:, 1] == 1`` is class 1. Two softmax outputs with the
  cross-entropy cost are the textbook classifier, ``Y.argmax(axis=1)`` gives the class
  numbers back, and ``plot_decision_boundary`` and ``LiveView`` colour one-hot rows by class
  (``plot_decision_boundary`` shows output 0 by default, so pass ``output=1`` to see class
  1's probability; ``LiveView`` shows the last output, class 1's, unless told otherwise).
- **Exact balance.** A classification set has ``n // 2`` points of class 0 and
  ``n - n // 2`` of class 1 at every noise level (so the counts differ by at most 1): the
  noise moves points, never changes their class.
- **Shuffled rows.** The rows come in random order (the Playground shuffles its points too),
  so the first rows are as good a held-out set as any.

``noise`` is the Playground's slider divided by 100 (its range is 0 to 0.5; any finite
``noise >= 0`` is taken here), ``seed`` is what ``check_seed`` takes (None, an integer >= 0, or
a numpy Generator), and the same seed gives the same data. Every argument is checked before a
random number is drawn.
"""
from __future__ import annotations

import math
from typing import Callable, Dict, Tuple

import numpy as np

from ..core.validation import check_positive_int, check_seed

__all__ = [
    "CLASSIFICATION",
    "MAX_SAMPLES",
    "PLAYGROUND",
    "REGRESSION",
    "make_circle",
    "make_gaussians",
    "make_multi_gaussian",
    "make_plane",
    "make_spiral",
    "make_xor",
]

MAX_SAMPLES = 10_000_000
"""The most points one call makes (X and Y then take 320 MB of float64 for a classification set)."""

Data = Tuple[np.ndarray, np.ndarray]


def _check(n, noise, seed) -> Tuple[int, float, np.random.Generator]:
    """``n``, ``noise`` and a generator from ``seed``, or a ValueError naming the argument."""
    n = check_positive_int("n", n)
    if n > MAX_SAMPLES:
        raise ValueError(f"`n` must be at most {MAX_SAMPLES:,}, got {n:,}")
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, (int, float, np.integer,
                                                                    np.floating)) \
            or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"`noise` must be a finite number >= 0, got {noise!r}")
    return n, float(noise), np.random.default_rng(check_seed(seed))


def _classes(n: int) -> np.ndarray:
    """The class of each of ``n`` points before shuffling: ``n // 2`` zeros, then ones."""
    return (np.arange(n) >= n // 2).astype(np.int64)


def _one_hot_shuffled(X: np.ndarray, classes: np.ndarray, rng: np.random.Generator) -> Data:
    """``X`` and one-hot rows of ``classes``, in one random order."""
    order = rng.permutation(len(X))
    Y = np.zeros((len(X), 2))
    Y[np.arange(len(X)), classes] = 1.0
    return np.ascontiguousarray(X[order]), Y[order]


def _uniform_plane(n: int, noise: float, rng: np.random.Generator,
                   label: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Data:
    """The regression sets: ``n`` points uniform on [-6, 6]^2, each labelled by ``label`` at
    the point moved by ``noise`` times a uniform draw from [-6, 6] per axis (the point itself
    stays: the noise is in the label, as in the Playground)."""
    X = rng.uniform(-6.0, 6.0, size=(n, 2))
    moved = X + rng.uniform(-6.0, 6.0, size=(n, 2)) * noise
    return X, label(moved[:, 0], moved[:, 1]).reshape(n, 1)


def make_circle(n: int, noise: float = 0.0, seed=None) -> Data:
    """Class 1 inside a disc, class 0 in a ring around it: the Playground's "circle".

    Class 1: radius uniform in [0, 2.5] (half the radius 5), class 0: radius uniform in
    [3.5, 5], angle uniform. The Playground labels each point by where it would be if moved
    by the noise; here the point is moved by that noise (``noise`` times a uniform draw from
    [-5, 5] per axis) and keeps its class, so the classes stay balanced.

    Parameters
    ----------
    n : int
        Points, ``n // 2`` of class 0 and the rest of class 1.
    noise : float
        0 for a clean gap between the classes; the Playground's slider goes up to 0.5.
    seed : None, int or numpy.random.Generator
        The same seed gives the same data.

    Returns
    -------
    X : numpy.ndarray, shape (n, 2), float64
        The points, within radius 5 at ``noise=0``.
    Y : numpy.ndarray, shape (n, 2), float64
        One-hot rows: ``[0, 1]`` inside, ``[1, 0]`` outside.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer (at most ``MAX_SAMPLES``), ``noise`` is not a
        finite number >= 0, or ``seed`` is not what ``check_seed`` takes.

    Examples
    --------
    >>> X, Y = make_circle(100, seed=0)
    >>> X.shape, Y.shape, Y.sum(axis=0).tolist()
    ((100, 2), (100, 2), [50.0, 50.0])
    >>> bool(np.all((np.hypot(X[:, 0], X[:, 1]) < 2.5) == (Y[:, 1] == 1)))
    True
    """
    n, noise, rng = _check(n, noise, seed)
    classes = _classes(n)
    radius = np.where(classes == 1, rng.uniform(0.0, 2.5, n), rng.uniform(3.5, 5.0, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    X += rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    return _one_hot_shuffled(X, classes, rng)


def make_xor(n: int, noise: float = 0.0, seed=None) -> Data:
    """Class 1 where exactly one coordinate is positive: the Playground's "exclusive or".

    Each coordinate is uniform in [-5, 5] and pushed 0.3 away from 0 (the Playground's
    padding), so at ``noise=0`` no point lies within 0.3 of an axis. Class 1 holds the
    quadrants where ``x * y < 0`` (the second and fourth), class 0 the others: XOR of
    "x > 0" and "y > 0", as ``examples/xor.py`` labels it (the Playground calls the other
    quadrants positive). A point's quadrant is chosen among its class's two, so the classes
    are balanced; the noise moves it by ``noise`` times a uniform draw from [-5, 5] per axis
    (the Playground labels the moved point instead).

    Parameters
    ----------
    n : int
        Points, ``n // 2`` of class 0 and the rest of class 1.
    noise : float
        0 for clean quadrants; the Playground's slider goes up to 0.5.
    seed : None, int or numpy.random.Generator
        The same seed gives the same data.

    Returns
    -------
    X : numpy.ndarray, shape (n, 2), float64
        The points, with 0.3 <= |x|, |y| <= 5.3 at ``noise=0``.
    Y : numpy.ndarray, shape (n, 2), float64
        One-hot rows: ``[0, 1]`` where ``x * y < 0``.

    Raises
    ------
    ValueError
        As :func:`make_circle`.

    Examples
    --------
    >>> X, Y = make_xor(100, seed=0)
    >>> bool(np.all((X[:, 0] * X[:, 1] < 0) == (Y[:, 1] == 1)))
    True
    """
    n, noise, rng = _check(n, noise, seed)
    classes = _classes(n)
    magnitude = rng.uniform(0.0, 5.0, size=(n, 2)) + 0.3
    sign_x = rng.choice([-1.0, 1.0], size=n)
    sign_y = np.where(classes == 1, -sign_x, sign_x)  # class 1: opposite signs
    X = magnitude * np.column_stack([sign_x, sign_y])
    X += rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    return _one_hot_shuffled(X, classes, rng)


def make_gaussians(n: int, noise: float = 0.0, seed=None) -> Data:
    """Two round clusters, class 1 about (2, 2) and class 0 about (-2, -2): the Playground's
    "Gaussian".

    Each coordinate is normal about its centre with variance ``0.5 + 7 * noise``: the
    Playground's scale, 0.5 at noise 0 to 4 at noise 0.5, continued in a straight line. At
    ``noise=0`` a point lies on the wrong side of the line ``x + y = 0`` with probability
    about 3e-5 (4 standard deviations).

    Parameters
    ----------
    n : int
        Points, ``n // 2`` of class 0 and the rest of class 1.
    noise : float
        Widens the clusters; the Playground's slider goes up to 0.5.
    seed : None, int or numpy.random.Generator
        The same seed gives the same data.

    Returns
    -------
    X : numpy.ndarray, shape (n, 2), float64
    Y : numpy.ndarray, shape (n, 2), float64
        One-hot rows: ``[0, 1]`` for the cluster about (2, 2).

    Raises
    ------
    ValueError
        As :func:`make_circle`.

    Examples
    --------
    >>> X, Y = make_gaussians(100, seed=0)
    >>> bool(np.all((X.sum(axis=1) > 0) == (Y[:, 1] == 1)))
    True
    """
    n, noise, rng = _check(n, noise, seed)
    classes = _classes(n)
    centre = np.where(classes == 1, 2.0, -2.0)[:, None]  # (n, 1): both coordinates
    X = centre + rng.normal(0.0, math.sqrt(0.5 + 7.0 * noise), size=(n, 2))
    return _one_hot_shuffled(X, classes, rng)


def make_spiral(n: int, noise: float = 0.0, seed=None) -> Data:
    """Two interleaved spiral arms, one per class: the Playground's "spiral".

    Point ``i`` of an arm of ``m`` points has radius ``r = 5 i / m`` and angle
    ``t = 3.5 pi i / m`` (1.75 turns), plus pi for class 0's arm, at
    ``(r sin t, r cos t)``; the noise moves each point by ``noise`` times a uniform draw from
    [-1, 1] per axis. At ``noise=0`` the points are the same for every seed (only their order
    changes), as in the Playground.

    Parameters
    ----------
    n : int
        Points, ``n // 2`` on class 0's arm and the rest on class 1's.
    noise : float
        0 for clean arms; the Playground's slider goes up to 0.5.
    seed : None, int or numpy.random.Generator
        The same seed gives the same data.

    Returns
    -------
    X : numpy.ndarray, shape (n, 2), float64
        The points, within radius 5 at ``noise=0``.
    Y : numpy.ndarray, shape (n, 2), float64
        One-hot rows: ``[0, 1]`` for the arm that starts at angle 0.

    Raises
    ------
    ValueError
        As :func:`make_circle`.

    Examples
    --------
    >>> X, Y = make_spiral(100, seed=0)
    >>> X.shape, Y.sum(axis=0).tolist()
    ((100, 2), [50.0, 50.0])
    """
    n, noise, rng = _check(n, noise, seed)
    classes = _classes(n)
    first = n // 2
    arm = np.where(classes == 1, n - first, first)  # points on each point's arm
    i = np.where(classes == 1, np.arange(n) - first, np.arange(n))  # index along its arm
    radius = 5.0 * i / arm
    angle = 1.75 * 2 * np.pi * i / arm + np.where(classes == 1, 0.0, np.pi)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    X += rng.uniform(-1.0, 1.0, size=(n, 2)) * noise
    return _one_hot_shuffled(X, classes, rng)


def make_plane(n: int, noise: float = 0.0, seed=None) -> Data:
    """A tilted plane to regress, ``y = x1 / 10 + x2 / 10``: the Playground's "plane".

    Points uniform on [-6, 6]^2; the label is taken at the point moved by ``noise`` times a
    uniform draw from [-6, 6] per axis, as in the Playground (the point itself stays), so at
    ``noise=0`` ``Y`` is exactly that linear function of ``X``, in [-1.2, 1.2].

    Parameters
    ----------
    n : int
        Points.
    noise : float
        0 for exact labels; the Playground's slider goes up to 0.5.
    seed : None, int or numpy.random.Generator
        The same seed gives the same data.

    Returns
    -------
    X : numpy.ndarray, shape (n, 2), float64
        Points in [-6, 6]^2.
    Y : numpy.ndarray, shape (n, 1), float64
        The labels.

    Raises
    ------
    ValueError
        As :func:`make_circle`.

    Examples
    --------
    >>> X, Y = make_plane(100, seed=0)
    >>> bool(np.allclose(Y[:, 0], (X[:, 0] + X[:, 1]) / 10))
    True
    """
    n, noise, rng = _check(n, noise, seed)
    return _uniform_plane(n, noise, rng, lambda x, y: (x + y) / 10.0)


#: The Playground's six "Gaussians" of the multi-Gaussian regression: centre x, centre y, sign.
BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                  [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])


def _bumps(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """At each point, the bump largest in magnitude: ``sign * max(0, 1 - distance / 2)``."""
    distance = np.hypot(x[:, None] - BUMPS[:, 0], y[:, None] - BUMPS[:, 1])  # (n, 6)
    values = BUMPS[:, 2] * np.clip(1.0 - distance / 2.0, 0.0, 1.0)
    return values[np.arange(len(x)), np.abs(values).argmax(axis=1)]


def make_multi_gaussian(n: int, noise: float = 0.0, seed=None) -> Data:
    """Six bumps of alternating sign to regress: the Playground's "multi-Gaussian".

    Six centres in two rows, (-4, 2.5), (0, 2.5), (4, 2.5) and (-4, -2.5), (0, -2.5),
    (4, -2.5), with signs +, -, + and -, +, -. Each makes a cone ``sign * max(0, 1 - d / 2)``
    of the distance ``d`` to its centre (the Playground's "Gaussian" is this cone, of radius
    2), and a point's label is the cone largest in magnitude there. Points uniform on
    [-6, 6]^2; the noise moves where the label is taken, as in :func:`make_plane`. Labels lie
    in [-1, 1], 0 away from every centre.

    Parameters
    ----------
    n : int
        Points.
    noise : float
        0 for exact labels; the Playground's slider goes up to 0.5.
    seed : None, int or numpy.random.Generator
        The same seed gives the same data.

    Returns
    -------
    X : numpy.ndarray, shape (n, 2), float64
        Points in [-6, 6]^2.
    Y : numpy.ndarray, shape (n, 1), float64
        The labels, in [-1, 1].

    Raises
    ------
    ValueError
        As :func:`make_circle`.

    Examples
    --------
    >>> X, Y = make_multi_gaussian(1000, seed=0)
    >>> X.shape, Y.shape, bool(Y.min() >= -1 and Y.max() <= 1)
    ((1000, 2), (1000, 1), True)
    """
    n, noise, rng = _check(n, noise, seed)
    return _uniform_plane(n, noise, rng, lambda x, y: _bumps(x, y))


CLASSIFICATION: Dict[str, Callable[..., Data]] = {
    "circle": make_circle, "xor": make_xor, "gaussians": make_gaussians, "spiral": make_spiral}
"""The classification sets by name; ``Y`` is one-hot (n, 2)."""

REGRESSION: Dict[str, Callable[..., Data]] = {
    "plane": make_plane, "multi_gaussian": make_multi_gaussian}
"""The regression sets by name; ``Y`` is one column (n, 1)."""

PLAYGROUND: Dict[str, Callable[..., Data]] = {**CLASSIFICATION, **REGRESSION}
"""All six by name, in the Playground's order: classification first."""
