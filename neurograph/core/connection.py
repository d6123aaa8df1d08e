"""A connection carries a transmitter's activation to a receiver, scaled by its weight.

``input_strength = weight * input_activation``; for one sample the derivative of the cost by the
weight is ``delta_receiver * input_activation`` (the chain rule, ``delta = dC/dz``).
"""
from __future__ import annotations

import math
__all__ = ["Connection", "SwitchConnection"]


class Connection:
    """A weighted edge from a transmitter neuron to a receiver neuron in a later layer.

    A connection does not keep its own copy of the weight: ``weight`` reads and writes one entry
    of the receiving layer's weight matrix, ``layer.weights[j, i]``, which is what the vectorized
    engine trains. Make connections with :meth:`TransmitterNeuron.connect_to` or
    :meth:`InputLayer.fully_connect_to`, not directly.

    Attributes
    ----------
    input_neuron : TransmitterNeuron
        Where the signal comes from (an input or hidden neuron).
    output_neuron : ReceiverNeuron
        Where it goes (a hidden or output neuron of a later layer).

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([2, 1], seed=0)
    >>> connection = net.connections[0]
    >>> connection.weight = 0.25
    >>> float(net.output_layer.weights[0, 0])
    0.25
    """

    __slots__ = ("input_neuron", "output_neuron", "_weights", "_k")

    def __init__(self, input_neuron: "TransmitterNeuron", output_neuron: "ReceiverNeuron",
                 weights, k: int) -> None:
        self.input_neuron = input_neuron
        self.output_neuron = output_neuron
        self._weights = weights  # the receiving layer's flat weight buffer (array.array)
        self._k = k  # this connection's position in it: j * n_in + i

    @property
    def weight(self) -> float:
        """The weight, a window onto ``output_neuron.layer.weights[j, i]``."""
        return self._weights[self._k]

    @weight.setter
    def weight(self, value: float) -> None:
        value = float(value)
        old = self._weights[self._k]
        self._weights[self._k] = value
        if not math.isfinite(self._weights[self._k]):  # also a float32 overflow on storing
            self._weights[self._k] = old
            raise ValueError(f"weight of {self!r} must be finite, got {value}")

    @property
    def input_activation(self) -> float:
        """The activation of ``input_neuron`` (for the sample last propagated)."""
        return self.input_neuron.activation

    @property
    def input_strength(self) -> float:
        """What this connection adds to the receiver's weighted sum: weight x input activation."""
        return self.input_neuron.activation * self._weights[self._k]

    @property
    def derivatives_of_cost_by_weight_per_sample(self) -> list[float]:
        """dC/dw for each sample trained since the last ``clear()``.

        For sample ``s`` it is ``delta_s * input_activation_s``: the receiver's derivative of the
        cost by its weighted sum times the activation that came in. Both numbers are recorded by
        the receiving layer, so this list is computed from them rather than stored a second time
        (a fresh list: changing it changes nothing).
        """
        layer = self.output_neuron.layer
        record = layer.record
        i = layer.input_column(self)  # where the sender's activation sits in the record
        j = self.output_neuron.index
        return [float(d[j] * a[i]) for a, d in zip(record.input_activations, record.deltas)]

    def explain(self):
        """Its per-sample derivatives as chain-rule products, their mean, and what the nudge did
        (see :func:`neurograph.explain.explain_connection`)."""
        from ..teaching.explain import explain_connection

        return explain_connection(self)

    def __repr__(self) -> str:
        return (f"Connection({_place(self.input_neuron)} -> {_place(self.output_neuron)}, "
                f"weight={self.weight:.4g})")


def _place(neuron) -> str:
    layer = neuron.layer.index
    return f"layer {'?' if layer is None else layer} #{neuron.index}"


class SwitchConnection(Connection):
    """A connection whose weight is a switch its receiver sets, not a parameter (max pooling,
    dropout): ``weight`` asks :meth:`_switch`, and setting it raises, with ``refusal`` saying
    what the switch is."""

    __slots__ = ()
    refusal = "is a switch, not a parameter"

    def _switch(self) -> float:
        raise NotImplementedError

    @property
    def weight(self) -> float:
        return self._switch()

    @weight.setter
    def weight(self, value: float) -> None:
        raise AttributeError(f"{self!r} {self.refusal}")

    @property
    def input_strength(self) -> float:
        return self._switch() * self.input_neuron.activation
