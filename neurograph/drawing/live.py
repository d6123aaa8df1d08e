"""A live view of training: a callback for ``fit`` that redraws the network as it learns.

Like TensorFlow Playground: the diagram coloured by the current weights, the cost so far and,
for a two-input network, the decision boundary and every neuron's output over the input plane,
in one wide figure refreshed at most every ``refresh`` seconds while ``fit`` runs. It shows
itself where it runs: in a window under an interactive backend, in place in one notebook
output under Jupyter's inline backend, and otherwise (Agg) it only draws into its figure.
matplotlib is imported when the view first draws; IPython only when it is already loaded.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional

import numpy as np

__all__ = ["LiveView"]

BUDGET = 0.06
"""The default share of the time since training began that the view may spend redrawing
(the drawing after the last epoch comes on top): at most 6%, so that with the final drawing
and the callback's own calls a run of ten seconds or more costs under a tenth more."""
FIGURE_SIZE = (14.0, 6.6)  # inches: a wide window, or a 16:9 slide at 150 dpi
_NON_INTERACTIVE = ("agg", "pdf", "ps", "svg", "pgf", "cairo", "template")


class LiveView:
    """Redraw, while ``fit`` runs, the diagram, the cost, the decision boundary and the
    neurons' maps.

    A callback for :meth:`Network.fit` (``fit(..., callbacks=[LiveView(X, Y)])``), called after
    every mini-batch and every epoch (``every = "both"``). It redraws at most once every
    ``refresh`` seconds, only while its redraws stay within ``budget`` (6%) of the time since
    training began (so that drawing costs little, however big the network), and always after
    the last epoch, one wide figure:

    - the network diagram coloured by the current weights and biases (``draw_network``; its
      legend sits between the diagram and the panel's title);
    - the cost: the mean training cost of each epoch so far (``history.cost``, each measured
      before its mini-batch's nudge) and, when ``X`` and ``Y`` are given, the cost of the
      network as it stands on a fixed sample of them, measured about ten times per ``refresh``
      interval (so a run of a few epochs, or one long epoch, shows movement);
    - for a network with two inputs when ``X`` and ``Y`` are given: the output over the input
      plane with the data on top (``plot_decision_boundary``), and one small map per hidden
      and output neuron of its activation over the same plane, on one colour scale per layer
      (at most ``max_maps``; a note says how many of each layer are shown).

    The panels keep their artists and have their data replaced; the diagram is recoloured
    in place (lines, circles, colour bars) while its neurons stay where they are, and drawn
    anew only when they would move. Where it shows:

    - an interactive backend (a window): the window opens at the first redraw and repaints
      at each (``draw_idle`` then ``flush_events``); call ``plt.show()`` after ``fit`` to keep
      it open;
    - a notebook with the inline backend: one output, shown at the first redraw and updated
      in place (``IPython.display.display(figure, display_id=True)``, then ``update``);
    - otherwise (Agg): the figure is drawn on its canvas, ready to save.

    Parameters
    ----------
    X, Y : array_like, optional
        Samples and targets the network is trained on: for the sampled cost, and for the
        decision boundary and the neuron maps (two-input networks only).
    refresh : float, default 2.0
        The least time between two redraws, in seconds of ``clock`` (the first call starts the
        clock); 0 redraws at every call, however long that takes. Measured with
        ``benchmarks/bench_live.py`` (Agg, a shared 2-core machine, alternating runs, medians):
        the first drawing (layout, diagram fitted) takes about 0.5 s, a later one, the diagram
        recoloured in place, about 0.2 s (the figure's rendering). With the default budget,
        1,000 epochs of a 2-64-64-1 spiral (13.7 s) took 1.012 times as long with the view
        (0.975-1.195, 5 runs; the view's own time 5.8-6.1% of the training's, 2 drawings);
        2,500 epochs (35 s) 1.022 (0.995-1.248, 3 runs, 2-8 drawings). A run shorter than
        ``refresh`` pays one full drawing: 100 epochs of ``examples/xor.py`` (0.7 s) took 1.76
        times as long (1.75-1.87).
    figure : matplotlib.figure.Figure, optional
        The figure to draw in (cleared at the first redraw); a new one of ``FIGURE_SIZE`` is
        made at the first redraw if not given.
    clock : callable, default time.perf_counter
        Returns the time in seconds (a fake clock in tests).
    resolution : int, default 40
        Grid points per side of the input plane, for the boundary and the maps.
    max_neurons, max_connections : int
        Passed to ``draw_network``.
    max_maps : int, default 24
        The most neuron maps drawn: every output neuron's, then the first neurons of each
        hidden layer in turn.
    samples : int, default 256
        The most rows of ``X, Y`` on which the sampled cost is measured (a fixed random choice).
    budget : float or None, default 0.06
        The share of the time since the first call (in seconds of ``clock``) that redraws may
        take: a redraw is skipped while the redraws so far, plus one as long as the last, would
        exceed it. The drawing after the last epoch is always made. None: no budget, only
        ``refresh``.
    output : int, optional
        Which output neuron the boundary panel shows over the input plane; by default the last.
        For a single output that is the only one; for one-hot targets of two classes it is
        class 1's probability, so the high colour is where class 1's points are.

    Attributes
    ----------
    figure : matplotlib.figure.Figure or None
        The figure, once drawn.
    draws : int
        How many times the view has redrawn.
    seconds : float
        The time spent redrawing and measuring the sampled cost, in seconds of
        ``time.perf_counter``.
    costs : list of (int, float)
        The sampled cost: the training samples seen when measured, and the mean cost then.

    Raises
    ------
    ValueError
        If ``refresh`` is negative, only one of ``X`` and ``Y`` is given, they have different
        numbers of rows, or ``resolution``, ``max_maps`` or ``samples`` is not a positive
        integer (``resolution`` at least 2), or ``output`` is not None or a non-negative
        integer (one beyond the network's outputs is refused at the first redraw).

    Examples
    --------
    >>> import numpy as np
    >>> from neurograph import Network
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); Y = [[0], [1], [1], [0]]
    >>> view = LiveView(X, Y, resolution=10)
    >>> history = Network.layered([2, 3, 1], seed=0).fit(X, Y, epochs=2, progress=False,
    ...                                                  callbacks=[view])
    >>> view.draws  # the first calls come sooner than 2 s: only the final drawing
    1
    >>> import matplotlib.pyplot as plt; plt.close(view.figure)
    """

    every = "both"

    def __init__(self, X=None, Y=None, *, refresh: float = 2.0, figure=None,
                 clock: Callable[[], float] = time.perf_counter, resolution: int = 40,
                 max_neurons: int = 24, max_connections: int = 120, max_maps: int = 24,
                 samples: int = 256, budget: Optional[float] = BUDGET,
                 output: Optional[int] = None) -> None:
        if not isinstance(refresh, (int, float)) or not refresh >= 0:
            raise ValueError(f"`refresh` must be at least 0, got {refresh!r}")
        if budget is not None and (isinstance(budget, bool) or not isinstance(
                budget, (int, float)) or not 0 < budget <= 1):
            raise ValueError(f"`budget` must be a share of the time in (0, 1], or None, got "
                             f"{budget!r}")
        if (X is None) != (Y is None):
            raise ValueError("give both `X` and `Y` for the decision boundary, or neither")
        counts = [("resolution", resolution, 2), ("max_maps", max_maps, 1), ("samples", samples, 1)]
        for name, value, least in counts + ([] if output is None else [("output", output, 0)]):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                    or value < least:
                raise ValueError(f"`{name}` must be an integer of at least {least}, got "
                                 f"{value!r}")
        self.X = None if X is None else np.asarray(X, dtype=float)
        self.Y = None if Y is None else np.asarray(Y, dtype=float)
        if self.Y is not None and self.Y.ndim == 1:
            self.Y = self.Y.reshape(-1, 1)
        if self.X is not None and len(self.X) != len(self.Y):
            raise ValueError(f"`X` and `Y` must have as many rows, got {len(self.X)} and "
                             f"{len(self.Y)}")
        self.refresh = float(refresh)
        self.budget = None if budget is None else float(budget)
        self.figure = figure
        self.clock = clock
        self.resolution, self.max_maps = int(resolution), int(max_maps)
        self.max_neurons, self.max_connections = max_neurons, max_connections
        self.output = None if output is None else int(output)
        self.draws = 0
        self.seconds = 0.0
        self.costs: list = []
        self._sample = None if X is None else np.random.default_rng(0).permutation(
            len(self.X))[:samples]
        self._last: Optional[float] = None
        self._measured: Optional[float] = None
        self._took = 0.0  # how long the last redraw took, in seconds of clock
        self._drawing = 0.0  # how long all the redraws took, in seconds of clock
        self._start: Optional[float] = None
        self._epochs = [None, None]  # the first epoch this view saw, and samples per epoch
        self._panels: Optional[_Panels] = None
        self._shown = None  # the notebook's display handle, or True once a window is shown

    def __call__(self, event) -> None:
        """Measure the sampled cost if a tenth of ``refresh`` has passed since it was last
        measured; redraw if ``event`` follows the last epoch, or if ``refresh`` seconds have
        passed since the last redraw and another redraw as long as the last keeps the drawing
        within ``budget`` of the time since the first call."""
        now = self.clock()
        if self._last is None:  # the first call starts the clock
            self._start = self._last = self._measured = now
            self._epochs[0] = event.epoch
        if event.batch is None and self._epochs[1] is None:
            self._epochs[1] = event.samples / (event.epoch - self._epochs[0] + 1)
        since = now - self._measured
        if since < self.refresh / 10 and not event.last:  # nothing to do: the common case,
            return  # once a mini-batch, kept to a few comparisons
        started = time.perf_counter()
        redraw = event.last or self._due(now)
        fresh = not self.costs or self.costs[-1][0] != event.samples  # not measured yet
        if self.X is not None and fresh and (redraw or since >= self.refresh / 10):
            self.costs.append((event.samples, float(event.network.cost(
                self.X[self._sample], self.Y[self._sample]))))
            self._measured = now
        if redraw:
            self.draw(event.network, event.history)
        self.seconds += time.perf_counter() - started
        if redraw:  # the redraw's own time does not count towards the next one
            self._last = self.clock()
            self._took = self._last - now
            self._drawing += self._took

    def _due(self, now: float) -> bool:
        """Whether a redraw is due at ``now`` (before the last epoch)."""
        if not self.refresh:
            return True  # asked for every call, however long that takes
        if now - self._last < self.refresh:
            return False
        return self.budget is None or \
            self._drawing + self._took <= self.budget * (now - self._start)

    def sampled_cost(self) -> tuple[np.ndarray, np.ndarray]:
        """The sampled cost as ``(epochs, costs)``: where each measurement fell, in epochs
        (epoch ``k`` ends at ``k``), and its value."""
        first, per_epoch = self._epochs
        if per_epoch is None:  # before the end of the first epoch: an epoch is all of X
            per_epoch = len(self.X) if self.X is not None else 1
        seen = np.array([s for s, _ in self.costs], dtype=float)
        return (first or 1) - 1 + seen / per_epoch, np.array([c for _, c in self.costs])

    def draw(self, network, history) -> None:
        """Redraw the figure for ``network`` and ``history`` now, and show it."""
        mode = _display_mode()
        if self.figure is None:
            self.figure = _new_figure(mode)
        if self._panels is None:
            plane = self.X is not None and network.sizes[0] == 2
            self._panels = _Panels(self.figure, plane)
        panels = self._panels
        panels.draw_cost(history, *self.sampled_cost())
        if panels.plane:
            panels.draw_plane(network, self.X, self.Y, self.resolution, self.max_maps,
                              self._output_shown(network))
        if self.draws == 0:  # laid out once, the diagram's cell held by an empty Axes
            panels.freeze()
        panels.draw_diagram(network, self.max_neurons, self.max_connections)
        self.draws += 1
        self._show(mode)

    def _output_shown(self, network) -> int:
        """The output neuron the boundary panel shows (``output``, by default the last)."""
        size = network.output_layer.size
        if self.output is None:
            return size - 1
        if self.output >= size:
            raise ValueError(f"`output` must name one of the network's {size} output neurons "
                             f"(0 to {size - 1}), got {self.output}")
        return self.output

    def keep_open(self) -> None:
        """After training, keep the view's window open until it is closed (``plt.show()``).
        Nothing to do when there is no window: in a notebook the drawing stays in the cell's
        output, and under Agg there is nothing to show."""
        if self.figure is not None and _display_mode() == "window":
            import matplotlib.pyplot as plt

            plt.show()

    def _show(self, mode: str) -> None:
        """Put the drawing where it is seen: the window, the notebook's output, the canvas."""
        figure = self.figure
        if mode == "notebook":
            display = sys.modules["IPython"].display
            if self._shown is None:
                self._shown = display.display(figure, display_id=True)
            else:
                self._shown.update(figure)
        elif mode == "window":
            if self._shown is None:
                import matplotlib.pyplot as plt

                plt.show(block=False)
                self._shown = True
            figure.canvas.draw_idle()
            figure.canvas.flush_events()  # repaint now, without stealing the focus
        else:
            figure.canvas.draw()


def _display_mode() -> str:
    """``"notebook"`` (IPython already loaded, a shell running, the inline backend),
    ``"window"`` (an interactive backend) or ``"canvas"`` (Agg and the like)."""
    import matplotlib

    backend = matplotlib.get_backend().lower()
    if "inline" in backend:
        ipython = sys.modules.get("IPython")  # never imported here: a notebook has it
        shell = getattr(ipython, "get_ipython", None)
        return "notebook" if shell is not None and shell() is not None else "canvas"
    return "canvas" if backend in _NON_INTERACTIVE else "window"


def _new_figure(mode: str):
    """A wide figure with constrained layout; in a notebook one pyplot does not know, so
    that the inline backend does not show it a second time when the cell ends."""
    if mode == "notebook":
        from matplotlib.figure import Figure

        return Figure(figsize=FIGURE_SIZE, layout="constrained")
    import matplotlib.pyplot as plt

    return plt.figure(figsize=FIGURE_SIZE, layout="constrained")


class _Panels:
    """The view's Axes and the artists it updates: the diagram (drawn anew each time), the
    cost curves, and with ``plane`` the decision boundary and the neuron maps."""

    def __init__(self, figure, plane: bool) -> None:
        figure.clear()
        self.figure, self.plane = figure, plane
        grid = figure.add_gridspec(2, 3 if plane else 2, height_ratios=[1, 1.15],
                                   width_ratios=[1.45, 1, 1.25] if plane else [1.6, 1])
        self.diagram = figure.add_subplot(grid[:, 0])  # a place holder until laid out
        _blank(self.diagram)
        self.drawn = False  # whether the diagram is drawn in it
        self.cost = figure.add_subplot(grid[0, 1] if plane else grid[:, 1])
        self.boundary = figure.add_subplot(grid[1, 1]) if plane else None
        self.maps = figure.add_subplot(grid[:, 2]) if plane else None
        self.mosaic = None  # the maps' image: a tile per shown neuron, NaN between
        self.places: list = []  # (layer, neuron, top row, left column) of each tile
        self.caption = None  # the note under the maps
        self.shown: list = []  # (layer, how many of its neurons have a map)

    def freeze(self) -> None:
        """Lay the figure out once (constrained layout, if it has it), then keep that layout:
        laying out some forty Axes again at every redraw took as long as drawing them."""
        engine = self.figure.get_layout_engine()
        if engine is not None:
            engine.execute(self.figure)
            self.figure.set_layout_engine("none")

    def draw_diagram(self, network, max_neurons: int, max_connections: int) -> None:
        """The diagram recoloured in place when its neurons stay where they are (the usual
        case), else drawn anew in the place the layout gave its cell, its title above
        draw_network's legend, all of it fitted in that place."""
        from .diagram import draw_network
        from .diagram_fit import fit_axes_in_figure
        from .diagram_update import recolour_by_bias

        if self.drawn and recolour_by_bias(self.diagram, network, max_neurons=max_neurons,
                                           max_connections=max_connections):
            return
        box = self.diagram.get_position()  # the layout being frozen, its place stays
        room = box.transformed(self.figure.transFigure)
        self.diagram.remove()  # with its colour bars, which are its inset Axes
        ax = self.diagram = self.figure.add_axes(box)
        draw_network(network, ax=ax, color_by="bias", max_neurons=max_neurons,
                     max_connections=max_connections)
        ax.set_title("the network now\nlines: weights, circles: biases", fontsize=10,
                     pad=_points_above(ax) + 4)
        fit_axes_in_figure(ax, room)  # again, with the title, in the same room
        self.drawn = True

    def draw_cost(self, history, sampled_x: np.ndarray, sampled_y: np.ndarray) -> None:
        """The mean cost of each epoch and the sampled cost, on an epoch axis."""
        ax = self.cost
        cost = np.asarray(history.cost, dtype=float)
        epochs = np.arange(1, len(cost) + 1)
        if not ax.lines:
            ax.plot([], [], "o-", markersize=3, color="tab:blue",
                    label="mean cost of each epoch's mini-batches")
            ax.plot([], [], "-", lw=1, color="tab:orange", alpha=0.9,
                    label="cost of the network now (training sample)")
            ax.set_xlabel("epoch")
            ax.set_ylabel("mean cost")
        mean_line, now_line = ax.lines[:2]
        mean_line.set_data(epochs, cost)
        mean_line.set_marker("o" if len(cost) < 30 else "")
        now_line.set_data(sampled_x, sampled_y)
        ax.set_title(f"cost, {len(cost)} epoch{'s' if len(cost) != 1 else ''}", fontsize=10)
        shown = [line for line in (mean_line, now_line) if len(line.get_xdata())]
        if shown:
            ax.legend(handles=shown, fontsize=7, loc="best")
            ax.relim()
            ax.autoscale_view()
            right = max([1.0] + [float(np.max(line.get_xdata())) for line in shown])
            ax.set_xlim(min(0.0, float(np.min(sampled_x, initial=0.0))), right * 1.03)

    def draw_plane(self, network, X: np.ndarray, Y: np.ndarray, resolution: int,
                   max_maps: int, output: int = 0) -> None:
        """Output neuron ``output`` over the input plane, and each shown neuron's activation
        over it."""
        from ..engines.vectorized import forward
        from .plots import plot_decision_boundary

        ax = self.boundary
        if not ax.images:
            plot_decision_boundary(network, X, Y, ax=ax, resolution=resolution, output=output)
            ax.set_title("output over the input plane,\ntraining points on top", fontsize=10)
        image = ax.images[0]
        points = _pixel_centres(image.get_extent(), resolution)
        activations = [np.asarray(a, dtype=float) for a in
                       forward(network, points.astype(network.output_layer.dtype))[1:]]
        shown = activations[-1][:, output].reshape(resolution, resolution)
        image.set_data(shown)
        self._draw_contour(shown, points, resolution)
        if self.mosaic is None:
            self._make_maps(network, max_maps, resolution)
        self._fill_maps(network, activations, resolution)

    def _draw_contour(self, output: np.ndarray, points: np.ndarray, resolution: int) -> None:
        """The 0.5 line of the output, drawn anew (none when the output does not cross it)."""
        from matplotlib.contour import ContourSet

        for contour in [c for c in self.boundary.collections if isinstance(c, ContourSet)]:
            contour.remove()
        if output.min() < 0.5 < output.max():
            self.boundary.contour(points[:resolution, 0], points[::resolution, 1], output,
                                  levels=[0.5], colors="k", linewidths=1.0)

    def _make_maps(self, network, max_maps: int, resolution: int) -> None:
        """One Axes for all the maps: one mosaic image (a tile per shown neuron, columns of at
        most six, layer by layer, white between), its tiles numbered, a note under it."""
        layers = network.receiving_layers
        shown = _maps_shown([layer.size for layer in layers], max_maps)
        gap = max(2, resolution // 8)
        self.places, left = [], 0
        for layer, n in zip(layers, shown):
            for j in range(n):
                column, row = divmod(j, 6)
                self.places.append((layer, j, row * (resolution + gap),
                                    left + column * (resolution + gap)))
            left += -(-n // 6) * (resolution + gap) + (2 * gap if n else 0)
        height = min(6, max(shown)) * (resolution + gap) - gap
        self.mosaic = np.full((height, left - 3 * gap), np.nan)
        ax = self.maps
        cmap = _viridis_white()
        ax.imshow(self.mosaic, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest",
                  origin="upper")
        for layer, j, top, left in self.places:
            ax.text(left + 0.5, top + 0.5, f"{layer.index}.{j}", fontsize=6.5, va="top",
                    ha="left", color="white",
                    bbox={"boxstyle": "square,pad=0.1", "fc": "black", "alpha": 0.5, "lw": 0})
        ax.set_title("each neuron's output\nover the input plane", fontsize=10, loc="left")
        _blank(ax)
        self.caption = ax.text(0.0, -0.03, "", transform=ax.transAxes, fontsize=7, va="top",
                               ha="left")
        self.shown = list(zip(layers, shown))

    def _fill_maps(self, network, activations: list, resolution: int) -> None:
        """Each tile, on its layer's colour scale (its least value dark, its largest yellow);
        the note under the maps with each layer's scale."""
        index = {layer.index: k for k, layer in enumerate(network.receiving_layers)}
        scales = [(float(a.min()), float(a.max())) for a in activations]
        for layer, j, top, left in self.places:
            k = index[layer.index]
            low, high = scales[k]
            tile = (activations[k][:, j].reshape(resolution, resolution) - low) \
                / (high - low if high > low else 1.0)
            self.mosaic[top:top + resolution, left:left + resolution] = tile[::-1]
        self.maps.images[0].set_data(self.mosaic)
        lines = ["tile k.j: neuron j of layer k", "across: input 0, up: input 1",
                 "dark: a layer's least, yellow: its most"]
        for (layer, n), (low, high) in zip(self.shown, scales):
            if n:
                shown = "" if n == layer.size else f", {n} of {layer.size} shown"
                lines.append(f"layer {layer.index} ({layer.activation_function.name}): "
                             f"{low:.3g} to {high:.3g}{shown}")
        self.caption.set_text("\n".join(lines))


def _viridis_white():
    """viridis, with the gaps between the tiles (NaN) white."""
    import matplotlib

    return matplotlib.colormaps["viridis"].with_extremes(bad="white")


def _blank(ax) -> None:
    """An Axes that only holds text: no frame, no axes, no ticks."""
    ax.set_axis_off()
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)


def _maps_shown(sizes: list, max_maps: int) -> list:
    """How many maps of each receiving layer to draw: all of the last (output) layer's that
    fit, then the other layers' first neurons in turn, ``max_maps`` in all."""
    shown = [0] * len(sizes)
    shown[-1] = min(sizes[-1], max_maps)
    left = max_maps - shown[-1]
    for k, size in enumerate(sizes[:-1]):
        shown[k] = min(size, max(1, left // (len(sizes) - 1 - k))) if left > 0 else 0
        left -= shown[k]
    return shown


def _pixel_centres(extent, resolution: int) -> np.ndarray:
    """The grid points at the centres of an image's pixels, ``(resolution**2, 2)``, row
    ``i * resolution + j`` being ``(xs[j], ys[i])`` (an image with ``origin="lower"``)."""
    left, right, bottom, top = extent
    xs = left + (np.arange(resolution) + 0.5) * (right - left) / resolution
    ys = bottom + (np.arange(resolution) + 0.5) * (top - bottom) / resolution
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()])


def _points_above(ax) -> float:
    """How far, in points, the Axes' legend reaches above its top (0 when it has none)."""
    legend = ax.get_legend()
    if legend is None:
        return 0.0
    figure = ax.get_figure()
    renderer = figure.canvas.get_renderer() if hasattr(figure.canvas, "get_renderer") \
        else figure._get_renderer()
    reach = legend.get_window_extent(renderer).y1 - ax.get_window_extent(renderer).y1
    return max(0.0, reach * 72.0 / figure.dpi)
