"""Lesions: silence neurons or connections for a while and see what the network loses.

A silenced connection has weight 0. A silenced neuron's outgoing connections all get weight 0,
into every layer it sends to, so the rest of the network sees its activation as 0, in both
engines. Lesions are for looking
at a network: training inside the block moves the zeroed weights (their gradients are not
zero), and leaving the block puts back every weight as it was before it, even on an
exception, so such training is lost for them.

A convolution or pooling layer shares its weights between connections (a kernel entry is one
number applied by every window), so a connection into one cannot be silenced alone, nor a neuron
that sends into one: such items are refused. A neuron of a convolution or pooling layer that
sends into a fully connected layer (the last of a network's front-end) can be silenced.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Optional

from ..core.connection import Connection
from ..core.neurons import Neuron, OutputNeuron, TransmitterNeuron

__all__ = ["lesioned", "lesion_report", "LesionResult", "LesionReport"]


def _connections_of(network, items) -> list:
    """The connections to silence for ``items``, checked before anything changes."""
    if isinstance(items, (Neuron, Connection)):
        items = [items]
    try:
        items = list(items)
    except TypeError:
        raise TypeError(f"`items` must be neurons or connections, got {items!r}") from None
    layers = set(map(id, network.layers))
    connections = []
    for item in items:
        if isinstance(item, Connection):
            if id(item.output_neuron.layer) not in layers:
                raise ValueError(f"{item!r} is not in this network")
            _check_own_weight(item, item.output_neuron.layer)
            connections.append(item)
        elif isinstance(item, OutputNeuron):
            raise ValueError(f"{item!r} has no outgoing connections to silence; lesion its "
                             "incoming connections instead")
        elif isinstance(item, TransmitterNeuron):
            if id(item.layer) not in layers:
                raise ValueError(f"{item!r} is not in this network")
            connections.extend(_outgoing(item))
        else:
            raise TypeError(f"`items` must be neurons or connections, got {item!r}")
    return connections


def _outgoing(neuron) -> list:
    """The connections whose weights, set to 0, silence ``neuron``: into every layer it sends
    to (a neuron of a graph may send to several), its own outgoing ones, or, where that layer
    passes the activation on unweighted (dropout), those of the neuron there that carries
    it."""
    connections, reached = [], []
    for connection in neuron.outputs:
        layer = connection.output_neuron.layer
        if any(layer is seen for seen in reached):
            continue
        reached.append(layer)
        carrier = layer.carries_on(neuron)
        if carrier is not None:
            connections.extend(_outgoing(carrier))
            continue
        _check_own_weight(neuron, layer)
        connections.extend(c for c in neuron.outputs if c.output_neuron.layer is layer)
    return connections


def _check_own_weight(item, layer) -> None:
    """Refuse ``item`` (a connection, or a neuron sending) into a layer that says its
    connections cannot be silenced one by one: zeroing a shared weight would silence it in
    every window that applies it, and a max-pooling connection is a switch."""
    reason = layer.refuses_silencing()
    if reason is None:
        return
    goes = "it goes" if isinstance(item, Connection) else "its connections go"
    raise ValueError(f"cannot silence {item!r}: {goes} into {layer!r}, {reason}; only "
                     "connections into a fully connected layer can be silenced")


@contextmanager
def lesioned(network, items):
    """Within the ``with`` block, ``items`` (neurons and connections) are silenced.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([2, 3, 1], seed=0)
    >>> hidden = net.hidden_layers[0][1]
    >>> before = [c.weight for c in hidden.outputs]
    >>> with net.lesioned(hidden):
    ...     [c.weight for c in hidden.outputs]
    [0.0]
    >>> [c.weight for c in hidden.outputs] == before
    True
    """
    connections = _connections_of(network, items)
    saved = [(c, c.weight) for c in connections]
    try:
        for connection in connections:
            connection.weight = 0.0
        yield network
    finally:
        for connection, weight in saved:
            connection.weight = weight  # the exact float back


@dataclass(frozen=True)
class LesionResult:
    """What silencing one neuron did to the accuracy on a data set."""

    neuron: Neuron
    accuracy: float
    change: float  # accuracy lesioned - accuracy intact (negative: the neuron mattered)

    def __repr__(self) -> str:
        return f"LesionResult({self.neuron!r}: accuracy {self.accuracy:.2%}, {self.change:+.2%})"


class LesionReport(list):
    """What :func:`lesion_report` found: a list of :class:`LesionResult`, largest drop first,
    that prints as a table (``str``) and shows as one in Jupyter (``_repr_html_``).

    Attributes
    ----------
    baseline : float or None
        The accuracy with every neuron in place.
    n_samples : int or None
        How many samples the accuracies were measured on.
    """

    HEADER = ("layer", "neuron", "accuracy", "change")

    def __init__(self, results=(), baseline: Optional[float] = None,
                 n_samples: Optional[int] = None) -> None:
        super().__init__(results)
        self.baseline, self.n_samples = baseline, n_samples

    def rows(self) -> list[tuple[str, str, str, str]]:
        """One row per result: the neuron's layer and index, the accuracy without it and the
        change from the baseline (negative: the neuron mattered)."""
        return [(str(r.neuron.layer.index), str(r.neuron.index), f"{r.accuracy:.2%}",
                 f"{r.change:+.2%}") for r in self]

    def title(self) -> str:
        """What was measured: the baseline accuracy, on how many samples."""
        if self.baseline is None:
            return f"lesion report: {len(self)} neurons silenced one at a time"
        on = "" if self.n_samples is None else f" on {self.n_samples:,} samples"
        return (f"lesion report: accuracy {self.baseline:.2%} intact{on}; each hidden neuron "
                "silenced in turn, largest drop first")

    def __str__(self) -> str:
        rows = [self.HEADER] + self.rows()
        widths = [max(len(row[k]) for row in rows) for k in range(len(self.HEADER))]
        lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths))
                 for row in rows]
        if not self:
            lines.append("(no fully connected hidden neuron to silence)")
        return "\n".join([self.title()] + lines)

    def __repr__(self) -> str:
        return f"LesionReport({list.__repr__(self)}, baseline={self.baseline!r})"

    def _repr_html_(self) -> str:
        """The table of :meth:`rows` with the title as its caption."""
        from ..drawing.notebook import html_table
        return html_table(self.HEADER, self.rows(), caption=self.title(), right=(0, 1, 2, 3))


def lesion_report(network, X, Y) -> LesionReport:
    """Silence each hidden neuron in turn; return the accuracy change for each, largest drop first.

    ``Y`` must allow an accuracy (one-hot rows, or a single 0/1 output). Only the neurons of
    fully connected hidden layers are silenced: those of convolution and pooling layers are
    skipped (most send into a layer with shared weights, so cannot be silenced, and a feature
    map has thousands of them; lesion a few yourself with :func:`lesioned`). A network with
    no fully connected hidden layer gets an empty report.

    Examples
    --------
    >>> import numpy as np
    >>> from neurograph import Network
    >>> net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 5, dtype=float)
    >>> _ = net.fit(X, X[:, :1] * X[:, 1:], epochs=100, batch_size=4, learning_rate=1.0,
    ...             seed=0, progress=False)
    >>> report = lesion_report(net, X, X[:, :1] * X[:, 1:])
    >>> len(report), report[0].change <= report[-1].change
    (4, True)
    """
    baseline = network.evaluate(X, Y)["accuracy"]
    if baseline is None:
        raise ValueError("`Y` must be one-hot rows or a single 0/1 output, so that accuracy "
                         "can be measured")
    results = []
    for layer in network.hidden_layers:
        for neuron in layer.lesion_candidates():
            with lesioned(network, neuron):
                accuracy = network.evaluate(X, Y)["accuracy"]
            results.append(LesionResult(neuron, accuracy, accuracy - baseline))
    results.sort(key=lambda r: r.change)
    return LesionReport(results, baseline, len(X))
