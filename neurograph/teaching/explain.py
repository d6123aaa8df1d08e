"""The arithmetic behind a neuron's or a connection's numbers, written out with the real values.

``neuron.explain()`` shows ``z = w1 x a1 + w2 x a2 + ... + bias = z; a = f(z)`` for the sample
last propagated, then what training recorded (its delta per sample) and what the nudge did;
``connection.explain()`` shows each per-sample derivative as the chain-rule product
``delta of the receiver x activation of the sender``, their mean, and the nudge.

In a convolution layer the weights are kernel entries and the bias is the feature map's, each
shared by many connections or neurons: the nudge moves a shared parameter by the SUM of the
means of all that share it, and the explanation shows that sum. A max-pooling neuron's ``z`` is
its largest input (the explanation names the winner); its connections are switches, not
parameters.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Explanation", "explain_neuron", "explain_connection"]

MAX_TERMS = 8
MAX_SAMPLES = 5


class Explanation(str):
    """A text that shows itself as it is, in a REPL as well as with ``print``."""

    def __repr__(self) -> str:
        return str(self)


def _number(value: float) -> str:
    text = f"{value:.3g}"
    return f"({text})" if value < 0 else text


def _sum_of_terms(pairs: list[tuple[float, float]], max_terms: int) -> str:
    """``w1 x a1 + w2 x a2 ...``, the largest ``|w a|`` first when there are too many."""
    if len(pairs) > max_terms:
        ordered = sorted(pairs, key=lambda p: abs(p[0] * p[1]), reverse=True)
        shown, rest = ordered[:max_terms], ordered[max_terms:]
        text = " + ".join(f"{_number(w)} x {_number(a)}" for w, a in shown)
        return (f"{text} + ... and {len(rest)} more terms summing to "
                f"{_number(sum(w * a for w, a in rest))}")
    return " + ".join(f"{_number(w)} x {_number(a)}" for w, a in pairs)


def _samples(values: list[float], describe) -> list[str]:
    lines = [f"    sample {s + 1}: {describe(s, v)}" for s, v in enumerate(values[:MAX_SAMPLES])]
    if len(values) > MAX_SAMPLES:
        lines.append(f"    ... and {len(values) - MAX_SAMPLES} more samples")
    return lines


# -- shared layers: what kind, where a neuron looks, which parameters it uses ------------------


def _kind(layer) -> str:
    """``"dense"``, ``"convolution"``, ``"max pooling"`` or ``"average pooling"``."""
    if not getattr(layer, "shared", False):
        return "dense"
    from ..layers.convolution import AveragePoolingLayer, MaxPoolingLayer

    if isinstance(layer, MaxPoolingLayer):
        return "max pooling"
    if isinstance(layer, AveragePoolingLayer):
        return "average pooling"
    return "convolution"


def _span(start: int, length: int, side: int) -> str:
    first, last = max(start, 0), min(start + length, side) - 1
    return f"{first}" if first == last else f"{first}-{last}"


def _window(neuron) -> str:
    """Which map a neuron of a shared layer belongs to and which window of the image it reads."""
    layer = neuron.layer
    m, y, x = layer.position(neuron.index)
    channels, height, width = layer.input_shape
    kh, kw = layer.kernel_size
    row, column = y * layer.stride - layer.padding, x * layer.stride - layer.padding
    where = f"rows {_span(row, kh, height)}, columns {_span(column, kw, width)}"
    kind = _kind(layer)
    if kind == "convolution":
        sharing = sum(1 for n in layer.neurons if n._b == neuron._b)
        every = "every channel of " if channels > 1 else ""
        return (f"  map {m}, row {y}, column {x}: kernel {m} on {where} of {every}the "
                f"{channels} x {height} x {width} image before; the bias is map {m}'s, shared by "
                f"its {sharing} neurons")
    what = "largest value" if kind == "max pooling" else "mean"
    return f"  channel {m}, row {y}, column {x}: the {what} of its {kh} x {kw} window ({where})"


def _place_in_image(layer, i: int) -> str:
    """Input ``i`` of a shared layer as ``(channel c, row y, column x)`` of the image before."""
    channels, height, width = layer.input_shape
    c, y, x = i // (height * width), i // width % height, i % width
    return f"channel {c}, row {y}, column {x}" if channels > 1 else f"row {y}, column {x}"


def _sender_name(layer, i: int) -> str:
    index = layer.previous.index
    return f"layer {'?' if index is None else index} #{i} ({_place_in_image(layer, i)})"


def _weight_of(connection, weights: np.ndarray) -> float:
    """This connection's weight in ``weights``, a copy of its layer's ``weights`` array: an
    entry of the ``(n_out, n_in)`` matrix, or of the kernels (``connection._k``) if shared."""
    if connection.output_neuron.layer.shared:
        return float(weights.reshape(-1)[connection._k])
    return float(weights[connection.output_neuron.index, connection.input_neuron.index])


def _bias_of(neuron, biases: np.ndarray) -> float:
    """The neuron's bias in ``biases`` (its map's, if shared; a pooling neuron's is 0)."""
    return float(biases[neuron._b]) if biases.size else 0.0


def _sharers(connection) -> list:
    """Every connection of the receiving layer that applies the same shared weight."""
    k = connection._k
    return [c for neuron in connection.output_neuron.layer.neurons for c in neuron.inputs
            if c._k == k]


def _record_arrays(record) -> tuple[np.ndarray, np.ndarray]:
    """The record's ``(inputs, deltas)``: ``(samples, n_in)`` and ``(samples, n_out)``."""
    return (np.asarray(record.input_activations, dtype=float),
            np.asarray(record.deltas, dtype=float))


def _largest_input(neuron):
    """The connection carrying the largest input (the first of equals, as ``eval`` picks).

    Worked out from the inputs rather than read from ``neuron.winner``: after a vectorized
    ``fit`` the activations are the last sample's but ``winner`` is not updated."""
    winner = neuron.inputs[0]
    for connection in neuron.inputs:
        if connection.input_activation > winner.input_activation:
            winner = connection
    return winner


# -- neurons -----------------------------------------------------------------------------------


def explain_neuron(neuron, max_terms: int = MAX_TERMS) -> Explanation:
    """Explain ``neuron``'s activation and, after training, its derivatives and its nudge.

    A convolution neuron's ``z`` uses its map's kernel and shared bias, and the nudge line
    shows the shared bias moving by the sum of the means of its map's neurons; a pooling
    neuron's ``z`` is the mean or the largest of its window (naming the input that won).

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([2, 1], activation="sigmoid", seed=0)
    >>> out = net.output_layer[0]
    >>> out.bias, out.inputs[0].weight, out.inputs[1].weight = 0.05, 0.31, -0.12
    >>> _ = net.propagate([0.5, 1.0])
    >>> print(out.explain())
    OutputNeuron(layer 1, #0, bias=0.05, sigmoid)
      z = 0.31 x 0.5 + (-0.12) x 1 + bias 0.05 = 0.085
      a = sigmoid(0.085) = 0.521
      (no sample trained since clear())

    A max-pooling neuron:

    >>> import numpy as np
    >>> from neurograph.convolution import convolution, max_pooling
    >>> net = Network.convolutional((4, 4), [convolution(np.ones((1, 1, 1))), max_pooling(2)],
    ...                             [2], seed=0)
    >>> _ = net.propagate(np.arange(16.0))
    >>> print(net.layers[2][0].explain())
    MaxPoolingNeuron(layer 2, #0, bias=0, identity, static)
      channel 0, row 0, column 0: the largest value of its 2 x 2 window (rows 0-1, columns 0-1)
      z = max(0, 1, 4, 5) = 5, from layer 1 #5 (row 1, column 1), which won
      a = identity(5) = 5
      (no sample trained since clear())
    """
    lines = [repr(neuron)]
    if not hasattr(neuron, "inputs"):  # an input neuron
        lines.append(f"  a = {_number(neuron.activation)}, set from the sample (inputs have no "
                     "bias and no activation function)")
        return Explanation("\n".join(lines))
    layer = neuron.layer
    kind = _kind(layer)
    if kind != "dense":
        lines.append(_window(neuron))
    f = neuron.activation_function
    if kind == "max pooling":
        winner = _largest_input(neuron)
        values = [c.input_activation for c in neuron.inputs]
        shown = ", ".join(_number(v) for v in values[:max_terms])
        more = f", ... and {len(values) - max_terms} more" if len(values) > max_terms else ""
        lines.append(f"  z = max({shown}{more}) = {_number(neuron.z)}, from "
                     f"{_sender_name(layer, winner.input_neuron.index)}, which won")
    else:
        weights, bias_value = _parameters_behind_z(neuron)
        pairs = [(w, c.input_activation) for w, c in zip(weights, neuron.inputs)]
        terms = _sum_of_terms(pairs, max_terms)
        bias = "" if kind == "average pooling" else f"bias {_number(bias_value)}"
        lines.append(f"  z = {' + '.join(t for t in (terms, bias) if t)} = {_number(neuron.z)}")
    if f.layerwise:
        lines.append(f"  a = {f.name}(z) over the whole layer = {_number(neuron.activation)}")
    else:
        lines.append(f"  a = {f.name}({neuron.z:.3g}) = {_number(neuron.activation)}")
    record = layer.record
    deltas = neuron.derivatives_of_cost_by_bias_per_sample
    if not deltas:
        lines.append("  (no sample trained since clear())")
        return Explanation("\n".join(lines))
    pooling = kind.endswith("pooling")
    lines.append(f"  trained on {len(deltas)} sample(s) since clear(); delta = dC/dz "
                 + ("(passed back to its inputs):" if pooling
                    else "(its derivative of the cost by the bias):"))
    after = _pooling_note(neuron, kind)
    if hasattr(neuron, "outputs"):  # hidden: dC/da is the sum over outgoing connections
        dcda = neuron.derivatives_of_cost_by_activation
        lines += _samples(deltas, lambda s, d: f"dC/da = {_number(dcda[s])} (sum over "
                                               f"{len(neuron.outputs)} outgoing connections), "
                                               f"delta = dC/da x {f.name}'(z) = {_number(d)}"
                                               f"{after(s, d)}")
    else:
        lines += _samples(deltas, lambda s, d: f"delta = {_number(d)}")
    if pooling:
        lines.append("  nudge: none, a pooling neuron has no bias and no weights to learn")
        return Explanation("\n".join(lines))
    mean = sum(deltas) / len(deltas)
    lines.append(f"  mean of derivatives_of_cost_by_bias_per_sample = {_number(mean)}")
    nudge = record.nudge
    if nudge is None:
        return Explanation("\n".join(lines))
    before = _bias_of(neuron, nudge.biases_before)
    if neuron.static:
        lines.append(f"  nudge: none, a static neuron keeps its bias {_number(before)}")
        return Explanation("\n".join(lines))
    what, gradient = "bias", mean
    if layer.shared:  # the map's bias: the sum of the means of all its neurons
        m = neuron._b
        map_neurons = [n.index for n in layer.neurons if n._b == m]
        _, all_deltas = _record_arrays(record)
        gradient = float(all_deltas[:, map_neurons].mean(axis=0).sum())
        lines.append(f"  map {m}'s bias is shared by {len(map_neurons)} neurons: it moves by the "
                     f"SUM of their means = this one's {_number(mean)} + the others' "
                     f"{_number(gradient - mean)} = {_number(gradient)}")
        what = f"bias of map {m}"
    velocity = float(layer.bias_velocity[neuron._b])
    unclamped = before + velocity if nudge.momentum else before - nudge.step_size * gradient
    lines.append(_nudge_line(what, before, neuron.bias, gradient, nudge, velocity,
                             _clamp_note(neuron, unclamped)))
    return Explanation("\n".join(lines))


def _pooling_note(neuron, kind: str):
    """For a pooling neuron, where sample ``s``'s delta goes: ``(s, delta) -> text``."""
    if kind == "max pooling":
        winners = neuron.layer.record.winners
        name = lambda s: _sender_name(neuron.layer, int(winners[s][neuron.index]))  # noqa: E731
        return lambda s, d: f", all of it to its winner {name(s)}"
    if kind == "average pooling":
        share = float(neuron.layer.weights[0])
        return lambda s, d: (f", {_number(share)} x {_number(d)} = {_number(share * d)} to each "
                             f"of its {len(neuron.inputs)} inputs")
    return lambda s, d: ""


def _parameters_behind_z(neuron) -> tuple[list, float]:
    """The weights and bias that computed ``neuron.z``: those from before the last nudge if the
    sample was propagated before it (as in training), else the current ones."""
    current = ([c.weight for c in neuron.inputs], neuron.bias)
    nudge = neuron.layer.record.nudge
    if nudge is None or _kind(neuron.layer) == "max pooling":
        return current
    before = ([_weight_of(c, nudge.weights_before) for c in neuron.inputs],
              _bias_of(neuron, nudge.biases_before))

    def z_of(parameters):
        weights, bias = parameters
        return bias + sum(w * c.input_activation for w, c in zip(weights, neuron.inputs))

    return min((before, current), key=lambda p: abs(z_of(p) - neuron.z))


def _nudge_line(what: str, before: float, after: float, mean: float, nudge, velocity: float,
                note: str = "") -> str:
    """How ``before`` became ``after``: ``- step x mean``, or with momentum through its velocity
    ``v = m x v_previous - step x mean`` and ``before + v``."""
    if not nudge.momentum:
        return (f"  nudge: {what} {_number(before)} - {_number(nudge.step_size)} x "
                f"{_number(mean)} -> {_number(after)}{note}")
    step = nudge.step_size * mean
    previous = (velocity + step) / nudge.momentum
    if abs(velocity + step) <= 1e-12 * (abs(velocity) + abs(step)):
        previous = 0.0  # the first step: show 0, not the rounding error of the subtraction
    return (f"  nudge with momentum: velocity {nudge.momentum:g} x {_number(previous)} - "
            f"{_number(nudge.step_size)} x {_number(mean)} = {_number(velocity)}; "
            f"{what} {_number(before)} + {_number(velocity)} -> {_number(after)}{note}")


def _clamp_note(neuron, unclamped: float) -> str:
    clamp = neuron.layer.network.bias_clamp if neuron.layer.network else None
    if clamp is not None and neuron.bias in clamp and abs(unclamped - neuron.bias) > 1e-12:
        return f" (clamped to [{clamp[0]:g}, {clamp[1]:g}])"
    return ""


# -- connections -------------------------------------------------------------------------------


def explain_connection(connection) -> Explanation:
    """Explain ``connection``'s per-sample derivatives (chain rule), their mean and its nudge.

    A connection into a convolution layer applies a kernel entry shared with other
    connections: the explanation names the entry, counts the others, and shows the nudge
    moving it by the SUM of the means of all of them. A connection into a max-pooling neuron
    is a switch (weight 1 for the input that won, 0 for the others), not a parameter.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([1, 1], activation="identity", seed=0, bias_clamp=None)
    >>> c = net.connections[0]
    >>> c.weight, net.output_layer[0].bias = 2.0, 0.0
    >>> net.train_batch([[1.5]], [[1.0]], step_size=0.1)  # (2 x 1.5 - 1)^2
    4.0
    >>> print(c.explain())
    Connection(layer 0 #0 -> layer 1 #0, weight=1.4)
      carried its sender's activation 1.5 x weight 2 = 3 into the receiver's z
      dC/dw per sample = delta of the receiver x activation of the sender:
        sample 1: 4 x 1.5 = 6
      mean = 6
      nudge: weight 2 - 0.1 x 6 -> 1.4
    """
    receiver = connection.output_neuron
    layer = receiver.layer
    kind = _kind(layer)
    if kind == "max pooling":
        return _explain_switch(connection)
    record = layer.record
    weights, _ = _parameters_behind_z(receiver)
    weight = weights[receiver.inputs.index(connection)]
    lines = [repr(connection),
             f"  carried its sender's activation {_number(connection.input_activation)} x "
             f"weight {_number(weight)} = {_number(connection.input_activation * weight)} "
             "into the receiver's z"]
    sharers = _sharers(connection) if layer.shared else []
    entry = tuple(int(v) for v in np.unravel_index(connection._k, layer.weights.shape))
    if kind == "convolution":
        lines.append(f"  its weight is kernel entry {entry} (map, channel, row, column), shared "
                     f"with {len(sharers) - 1} other connections: the same entry in the "
                     f"window of every neuron of map {entry[0]}"
                     + ("" if layer.learn else " (a fixed kernel)"))
    elif kind == "average pooling":
        size = layer.kernel_size[0] * layer.kernel_size[1]
        lines.append(f"  its weight is 1/{size}, the layer's one weight, shared with "
                     f"{len(sharers) - 1} other connections and fixed: the receiver averages "
                     "its window")
    values = connection.derivatives_of_cost_by_weight_per_sample
    if not values:
        lines.append("  (no sample trained since clear())")
        return Explanation("\n".join(lines))
    deltas = receiver.derivatives_of_cost_by_bias_per_sample
    i = connection.input_neuron.index
    inputs = [float(row[i]) for row in record.input_activations]
    lines.append("  dC/dw per sample = delta of the receiver x activation of the sender:")
    lines += _samples(values, lambda s, v: f"{_number(deltas[s])} x {_number(inputs[s])} = "
                                           f"{_number(v)}")
    mean = sum(values) / len(values)
    lines.append(f"  mean = {_number(mean)}")
    nudge = record.nudge
    if nudge is None:
        return Explanation("\n".join(lines))
    before = _weight_of(connection, nudge.weights_before)
    if receiver.static:
        lines.append(f"  nudge: none, it leads into a static neuron (weight stays "
                     f"{_number(before)})")
        return Explanation("\n".join(lines))
    what, gradient = "weight", mean
    if layer.shared:  # the kernel entry: the sum of the means of every connection applying it
        all_inputs, all_deltas = _record_arrays(record)
        js = [c.output_neuron.index for c in sharers]
        senders = [c.input_neuron.index for c in sharers]
        gradient = float((all_deltas[:, js] * all_inputs[:, senders]).mean(axis=0).sum())
        lines.append(f"  the nudge moves the shared weight by the SUM of the means of all "
                     f"{len(sharers)} connections = this one's {_number(mean)} + the others' "
                     f"{_number(gradient - mean)} = {_number(gradient)}")
        what = f"kernel entry {entry}"
        velocity = float(layer.weight_velocity.reshape(-1)[connection._k])
    else:
        velocity = float(layer.weight_velocity[receiver.index, i])
    lines.append(_nudge_line(what, before, connection.weight, gradient, nudge, velocity))
    return Explanation("\n".join(lines))


def _explain_switch(connection) -> Explanation:
    """A connection into a max-pooling neuron: which samples it won, and that nothing is nudged."""
    receiver = connection.output_neuron
    layer = receiver.layer
    i = connection.input_neuron.index
    winner = _largest_input(receiver)
    won = winner is connection
    lines = [repr(connection),
             "  a switch, not a parameter: its weight is 1 when its input is the largest of "
             "the receiver's window, else 0",
             f"  last sample: its input {_number(connection.input_activation)} "
             + ("won, so it carried it into the receiver's z" if won else
                f"lost to {_sender_name(layer, winner.input_neuron.index)} with "
                f"{_number(winner.input_activation)}, so it carried 0")]
    record = layer.record
    deltas = receiver.derivatives_of_cost_by_bias_per_sample
    if not deltas:
        lines.append("  (no sample trained since clear())")
        return Explanation("\n".join(lines))
    winners = record.winners
    lines.append("  backwards, the receiver's delta goes to the winner only:")

    def describe(s, d):
        w = int(winners[s][receiver.index])
        if w == i:
            return f"won: delta {_number(d)} flows back to its sender"
        return f"lost to {_sender_name(layer, w)}: 0 flows back through it"

    lines += _samples(deltas, describe)
    lines.append("  nudge: none, a switch is not a parameter")
    return Explanation("\n".join(lines))
