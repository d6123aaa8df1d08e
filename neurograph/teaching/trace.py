"""A replay of one mini-batch through the post's eight steps, step by step.

:func:`trace` (``network.trace(X, Y, step_size)``) trains one mini-batch with the object engine
and records what each step did: the activations after each forward pass, the desired
activations, each layer's deltas and per-sample derivatives as it is trained, and the
parameters before and after the nudge. :func:`draw_step` draws the diagram coloured by one
step's quantity; :func:`animate_trace` writes a GIF stepping through all of them.

A convolution or pooling layer shares its weights between connections, so its connection values
are one per shared weight (in the shape of ``layer.weights``: the kernels), not one per
connection; such a trace can be recorded but not drawn.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from ..core.validation import check_step_size
from ..engines.object import training_batch
from ..training.loop import check_data

__all__ = ["Trace", "TraceStep", "trace", "draw_step", "animate_trace"]


@dataclass
class TraceStep:
    """One step of a traced mini-batch.

    Attributes
    ----------
    step : int
        The post's step number (1-8) it belongs to.
    title : str
        What happened, e.g. ``"4. train the output layer (sample 1)"``.
    sample : int or None
        The sample (from 0) it concerns.
    neuron_values : list of numpy.ndarray
        One value per neuron, one array per layer; NaN where the step says nothing (and for a
        pooling neuron's bias, which it does not have).
    neuron_label : str
        What those values are (``"activation"``, ``"delta = dC/dz"``, ...).
    connection_values : list of numpy.ndarray
        One ``(n_out, n_in)`` array per receiving layer; NaN where the step says nothing. For a
        convolution or pooling layer, one value per shared weight instead, in the shape of its
        ``weights`` (the kernels ``(maps, channels, kh, kw)``; ``(1,)`` for average pooling,
        ``(0,)`` for max pooling): its value, or its derivative for the sample, which is the
        SUM over the connections that apply it.
    connection_label : str
        What those values are (``"weight"``, ``"dC/dw (this sample)"``, ...).
    """

    step: int
    title: str
    sample: Optional[int]
    neuron_values: list
    neuron_label: str
    connection_values: list
    connection_label: str


@dataclass
class Trace:
    """The steps of one traced mini-batch and the parameters before and after its nudge.

    ``weights_before`` and ``weights_after`` hold a copy of each receiving layer's ``weights``:
    the ``(n_out, n_in)`` matrix, or a convolution layer's kernels; ``biases_before`` and
    ``biases_after`` its ``biases`` (one per map in a convolution layer, none when pooling).
    """

    network: object
    step_size: float
    steps: list = field(default_factory=list)
    weights_before: list = field(default_factory=list)
    biases_before: list = field(default_factory=list)
    weights_after: list = field(default_factory=list)
    biases_after: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, k: int) -> TraceStep:
        return self.steps[k]

    def __repr__(self) -> str:
        return (f"Trace({len(self.steps)} steps of a mini-batch on {self.network!r}, "
                f"step size {self.step_size:g})")

    pictures_in_notebook = 12
    """How many steps' pictures a notebook shows (the first ones and the nudge)."""

    def _repr_html_(self) -> str:
        """Jupyter shows a table of the steps (``k`` is what :func:`draw_step` takes), then
        the pictures :func:`draw_step` draws: all of them, or the first
        ``pictures_in_notebook - 1`` and the last (the nudge) of a long trace. A trace that
        cannot be drawn (shared weights) shows the table and why."""
        import html

        from ..drawing.notebook import html_image, html_table, png_of

        table = html_table(["k", "step", "neurons show", "connections show"],
                           [(k, s.title, s.neuron_label, s.connection_label)
                            for k, s in enumerate(self.steps)], caption=repr(self), right=(0,))
        try:
            _check_drawable(self)
        except ValueError as error:
            return f"{table}<p>{html.escape(str(error))}</p>"
        n = len(self.steps)
        drawn = list(range(n)) if n <= self.pictures_in_notebook else \
            list(range(self.pictures_in_notebook - 1)) + [n - 1]
        pictures = "".join(html_image(png_of(lambda k=k: draw_step(self, k)),
                                      f"step {k + 1} of {n}") for k in drawn)
        note = "" if len(drawn) == n else (f"<p>{n - len(drawn)} steps not drawn here: "
                                           "draw_step(trace, k) draws step k.</p>")
        return (f'{table}<div style="display:flex;flex-wrap:wrap;gap:4px">{pictures}</div>'
                f"{note}")


def trace(network, X, Y, step_size: float) -> Trace:
    """Train one mini-batch with the object engine and record each of the eight steps.

    The network is trained (as by ``network.train_batch``); the trace holds copies of every
    quantity at each step, so it can be drawn afterwards.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([2, 3, 1], seed=0)
    >>> t = net.trace([[0.0, 1.0], [1.0, 1.0]], [[1.0], [0.0]], step_size=0.5)
    >>> [s.title for s in t.steps][:4]
    ['1-2. clear the per-sample lists', '3. propagate sample 1', '3. set the desired activations (sample 1)', '4. train the output layer (sample 1)']
    >>> len(t), t.steps[-1].title
    (10, '7. nudge every weight and bias by the mean of its list')
    """
    X, Y = check_data(network, X, Y, "X", "Y")
    step_size = check_step_size(step_size)
    layers = network.layers
    receiving = network.receiving_layers

    def blank_neurons():
        return [np.full(layer.size, np.nan) for layer in layers]

    def weights():
        return [layer.weights_shown() for layer in receiving]

    def blank_connections():
        return [np.full(layer.weights.shape, np.nan) for layer in receiving]

    result = Trace(network, step_size,
                   weights_before=[layer.weights.copy() for layer in receiving],
                   biases_before=[layer.biases.copy() for layer in receiving])
    network.clear()
    result.steps.append(TraceStep(1, "1-2. clear the per-sample lists", None, blank_neurons(),
                                  "nothing yet", weights(), "weight"))
    with training_batch(network, len(X)):  # dropout acts as in train_batch
        for s, (x, y) in enumerate(zip(X, Y)):
            network.train_sample(x, y, observe=_observer(result, s, blank_neurons,
                                                         blank_connections, weights))
        network.nudge_parameters(step_size)
    result.steps.append(_nudge_step(result, blank_neurons()))
    return result


def _observer(result: Trace, s: int, blank_neurons, blank_connections, weights):
    """What ``train_sample`` calls after step 3 (with None) and after each layer is trained,
    recording sample ``s``'s steps in ``result``."""
    network = result.network
    layers = network.layers

    def observe(layer):
        if layer is None:  # step 3: forward pass done, desired activations set
            result.steps.append(TraceStep(
                3, f"3. propagate sample {s + 1}", s,
                [np.array([n.activation for n in l.neurons]) for l in layers],
                "activation", weights(), "weight"))
            desired = blank_neurons()
            desired[-1] = np.array([n.desired_activation for n in network.output_layer])
            result.steps.append(TraceStep(
                3, f"3. set the desired activations (sample {s + 1})", s, desired,
                "desired activation", weights(), "weight"))
            return
        deltas = blank_neurons()
        deltas[layer.index] = np.array(layer.record.deltas[-1], dtype=float)
        derivatives = blank_connections()
        inputs = np.array(layer.record.input_activations[-1], dtype=float)
        # this sample's dC/dw: per connection, or per shared weight (the sum over the
        # connections applying it)
        derivatives[layer.index - 1] = layer.sample_derivatives_by_weight(
            deltas[layer.index], inputs)
        if layer is network.output_layer:
            number, what = 4, "train the output layer"
        else:
            number, what = 5, f"train hidden layer {layer.index}"
        result.steps.append(TraceStep(number, f"{number}. {what} (sample {s + 1})", s,
                                      deltas, "delta = dC/dz", derivatives,
                                      "dC/dw (this sample)"))

    return observe


def _nudge_step(result: Trace, changes: list) -> TraceStep:
    """Step 7, after the nudge: each bias's and each weight's change."""
    receiving = result.network.receiving_layers
    result.weights_after = [layer.weights.copy() for layer in receiving]
    result.biases_after = [layer.biases.copy() for layer in receiving]
    for layer, before in zip(receiving, result.biases_before):
        if layer.biases.size:  # a pooling layer has no bias: NaN
            # each neuron's bias: its own, or in a convolution layer its map's
            where = np.array([neuron._b for neuron in layer.neurons])
            changes[layer.index] = (layer.biases - before)[where]
    return TraceStep(
        7, "7. nudge every weight and bias by the mean of its list", None, changes,
        "bias change",
        [layer.weights_shown(after - before)
         for layer, before, after in zip(receiving, result.weights_before, result.weights_after)],
        "weight change")


def _check_drawable(trace_: Trace) -> None:
    """Refuse a trace of a network with shared weights: the diagram draws connections one by
    one, but such a layer's values are per shared weight (and its connections many)."""
    for layer in trace_.network.receiving_layers:
        reason = layer.refuses_per_connection_values()
        if reason:
            raise ValueError(f"cannot draw a trace of a network with {layer!r}: {reason}")


def draw_step(trace_: Trace, k: int, *, ax=None, **style):
    """Draw the diagram of the traced network coloured by step ``k``'s quantities.

    Neurons are filled by the step's neuron values (grey where it has none) and connections
    coloured by its connection values, each value written in its neuron (three significant
    figures) where there is room; the title says what the step did; colour bars say what the
    colours mean. Returns the Axes.

    Raises
    ------
    ValueError
        If ``k`` is not a step of the trace, or the network has a convolution or pooling layer
        (its values are per shared weight, not per connection).
    """
    from ..drawing.diagram import draw_network

    _check_drawable(trace_)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < len(trace_):
        raise ValueError(f"`k` must be a step number from 0 to {len(trace_) - 1}, got {k!r}")
    step = trace_.steps[k]
    ax = draw_network(trace_.network, ax=ax, neuron_values=step.neuron_values,
                      neuron_label=step.neuron_label, connection_values=step.connection_values,
                      connection_label=step.connection_label, labels=True,
                      title=f"step {k + 1} of {len(trace_)}: {step.title}", **style)
    return ax


def animate_trace(trace_: Trace, path, *, fps: float = 1.0, dpi: int = 80, **style) -> Path:
    """Write a GIF stepping through every step of ``trace_`` (one frame a step); return its path.

    Refuses (ValueError, before writing anything) a trace of a network with a convolution or
    pooling layer, as :func:`draw_step` does.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import PillowWriter

    _check_drawable(trace_)
    if not (isinstance(fps, (int, float)) and fps > 0):
        raise ValueError(f"`fps` must be a positive number, got {fps!r}")
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder of `path` does not exist: {path.parent}")
    figure = plt.figure(figsize=(8.0, 5.0))
    writer = PillowWriter(fps=fps)
    try:
        writer.setup(figure, str(path), dpi=dpi)
        for k in range(len(trace_)):
            figure.clf()
            draw_step(trace_, k, ax=figure.add_subplot(), **style)  # with its colour bars
            writer.grab_frame()
        writer.finish()
    finally:
        plt.close(figure)
    return path
