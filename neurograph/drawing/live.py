"""A live view of training: a callback for ``fit`` that redraws the network as it learns.

In a script, pass ``LiveView()`` to ``fit(..., callbacks=[...])`` with an interactive backend
(a window opens and is refreshed while ``fit`` runs; call ``plt.show()`` afterwards to keep it
open). Under a non-interactive backend (Agg: tests, CI, files) it only draws into its figure.
In a notebook, use ``%matplotlib widget`` (ipympl), or create a figure yourself and pass it as
``figure=``; with the inline backend the figure is shown once, as it stands when the cell ends.
matplotlib is imported when the view first draws.
"""
from __future__ import annotations

import time
from typing import Callable, Optional

import numpy as np

__all__ = ["LiveView"]


class LiveView:
    """Redraw, while ``fit`` runs, the diagram, the cost curve and the decision boundary.

    A callback for :meth:`Network.fit` (``fit(..., callbacks=[LiveView(X=X, Y=Y)])``), called
    after every mini-batch and every epoch (``every = "both"``). It redraws at most once every
    ``refresh`` seconds, and always after the last epoch, in one matplotlib figure: the network
    diagram coloured by the current weights (``draw_network``), the mean training cost of each
    epoch so far (``history.cost``) and, for a network with two inputs when ``X`` and ``Y`` are
    given, the decision boundary over the plane (``plot_decision_boundary``).

    Parameters
    ----------
    X, Y : array_like, optional
        Samples and targets for the decision-boundary panel (two-input networks only).
    refresh : float, default 2.0
        The least time between two redraws, in seconds of ``clock`` (the first call starts the
        clock). A redraw of the 2-64-1 XOR network of ``examples/xor.py`` takes 0.05-0.1 s
        (Agg backend). 200 epochs of it train in 1.4-1.8 s: with ``refresh=2`` the view draws
        once (after the last epoch), 0.05-0.08 s or 3-5% extra; with 0.5, three to five times,
        0.18-0.26 s or 11-17% (a first view's first redraw also pays matplotlib's warm-up,
        about 0.3 s).
    figure : matplotlib.figure.Figure, optional
        The figure to draw in (its contents are replaced at every redraw); a new one is made
        at the first redraw if not given.
    clock : callable, default time.perf_counter
        Returns the time in seconds (a fake clock in tests).
    resolution : int, default 60
        Grid points per side of the decision boundary's image.
    max_neurons, max_connections : int
        Passed to ``draw_network``.

    Attributes
    ----------
    figure : matplotlib.figure.Figure or None
        The figure, once drawn.
    draws : int
        How many times the view has redrawn.
    seconds : float
        The time spent redrawing, in seconds of ``time.perf_counter``.
    """

    every = "both"

    def __init__(self, X=None, Y=None, *, refresh: float = 2.0, figure=None,
                 clock: Callable[[], float] = time.perf_counter, resolution: int = 60,
                 max_neurons: int = 24, max_connections: int = 120) -> None:
        if refresh < 0:
            raise ValueError(f"`refresh` must be at least 0, got {refresh!r}")
        if (X is None) != (Y is None):
            raise ValueError("give both `X` and `Y` for the decision boundary, or neither")
        self.X = None if X is None else np.asarray(X, dtype=float)
        self.Y = None if Y is None else np.asarray(Y, dtype=float)
        self.refresh = float(refresh)
        self.figure = figure
        self.clock = clock
        self.resolution = resolution
        self.max_neurons = max_neurons
        self.max_connections = max_connections
        self.draws = 0
        self.seconds = 0.0
        self._last: Optional[float] = None

    def __call__(self, event) -> None:
        """Redraw if ``refresh`` seconds have passed since the last redraw, or if ``event``
        follows the last epoch."""
        now = self.clock()
        if self._last is None:  # the first call starts the clock
            self._last = now
        if not event.last and now - self._last < self.refresh:
            return
        started = time.perf_counter()
        self.draw(event.network, event.history)
        self.seconds += time.perf_counter() - started
        # the redraw's own time does not count towards the next one
        self._last = self.clock()

    def draw(self, network, history) -> None:
        """Redraw the figure for ``network`` and ``history`` now."""
        import matplotlib
        import matplotlib.pyplot as plt

        from .diagram import draw_network
        from .plots import plot_decision_boundary

        if self.figure is None:
            self.figure = plt.figure(figsize=(12, 4.2), layout="constrained")
        figure = self.figure
        figure.clf()
        boundary = (self.X is not None and network.sizes[0] == 2)
        grid = figure.add_gridspec(1, 3 if boundary else 2,
                                   width_ratios=[1.6, 1, 1] if boundary else [1.6, 1])
        ax = figure.add_subplot(grid[0, 0])
        draw_network(network, ax=ax, color_by="bias", max_neurons=self.max_neurons,
                     max_connections=self.max_connections)
        ax.set_title("weights and biases now", fontsize=9)
        ax = figure.add_subplot(grid[0, 1])
        cost = list(history.cost)
        ax.plot(np.arange(1, len(cost) + 1), cost, "o-" if len(cost) < 30 else "-",
                markersize=3, label="training cost", color="tab:blue")
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean cost")
        ax.set_title(f"training cost, {len(cost)} epoch{'s' if len(cost) != 1 else ''}",
                     fontsize=9)
        if cost:
            ax.set_xlim(0.5, max(2, len(cost)) + 0.5)
        if boundary:
            ax = figure.add_subplot(grid[0, 2])
            plot_decision_boundary(network, self.X, self.Y, ax=ax, resolution=self.resolution)
            ax.set_title("output over the input plane", fontsize=9)
        self.draws += 1
        if matplotlib.is_interactive() or _interactive_backend():
            plt.pause(0.001)  # shows the window and lets it repaint, without blocking


def _interactive_backend() -> bool:
    import matplotlib

    backend = matplotlib.get_backend().lower()
    return backend not in ("agg", "pdf", "ps", "svg", "pgf", "cairo", "template") \
        and "inline" not in backend
