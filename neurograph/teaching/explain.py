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


# -- parameters: where an entry is, who shares it, what the nudge did --------------------------


def _entry(array: np.ndarray, k: int) -> float:
    """Flat entry ``k`` of ``array`` (a connection's ``_k``, a neuron's ``_b``)."""
    return float(array.reshape(-1)[k])


def _sharers(connection) -> list:
    """Every connection of the receiving layer that applies the same weight entry."""
    k = connection._k
    return [c for neuron in connection.output_neuron.layer.neurons for c in neuron.inputs
            if c._k == k]


def _record_arrays(record) -> tuple[np.ndarray, np.ndarray]:
    """The record's ``(inputs, deltas)``: ``(samples, n_in)`` and ``(samples, n_out)``."""
    return (np.asarray(record.input_activations, dtype=float),
            np.asarray(record.deltas, dtype=float))


def _parameters_behind_z(neuron) -> tuple[list, float]:
    """The weights and bias that computed ``neuron.z``: those from before the last nudge if the
    sample was propagated before it (as in training), else the current ones."""
    current = ([c.weight for c in neuron.inputs], neuron.bias)
    nudge = neuron.layer.record.nudge
    if nudge is None:
        return current
    before = ([_entry(nudge.weights_before, c._k) for c in neuron.inputs],
              _bias_of(neuron, nudge.biases_before))

    def z_of(parameters):
        weights, bias = parameters
        return bias + sum(w * c.input_activation for w, c in zip(weights, neuron.inputs))

    return min((before, current), key=lambda p: abs(z_of(p) - neuron.z))


def _bias_of(neuron, biases: np.ndarray) -> float:
    """The neuron's bias in ``biases`` (its map's, if shared; a pooling neuron's is 0)."""
    return float(biases[neuron._b]) if biases.size else 0.0


def _nudge_line(nudge, name: str, k: int, what: str, before: float, after: float,
                mean: float, note: str = "") -> str:
    """How entry ``k`` of parameter ``name`` went from ``before`` to ``after``: the rule of the
    optimizer that made the nudge, with its slots' values before and after."""
    slots_before = {slot: _entry(v, k) for slot, v in nudge.slots_before[name].items()}
    slots_after = {slot: _entry(v, k) for slot, v in nudge.slots_after[name].items()}
    return "  " + nudge.optimizer.narrate(what, before, after, mean, slots_before, slots_after,
                                          nudge.steps, _number) + note


def _clamp_note(neuron, nudge, before: float, gradient: float) -> str:
    """Say so when the clamp stopped the bias (it ended on a bound the rule went past)."""
    clamp = neuron.layer.network.bias_clamp if neuron.layer.network else None
    # a bound as the layer stores it (a float32 bias is never exactly 0.05)
    if clamp is None or neuron.bias not in np.asarray(clamp, neuron.layer.biases.dtype).tolist():
        return ""
    slots = {slot: _entry(v, neuron._b) for slot, v in nudge.slots_before["biases"].items()}
    unclamped = before + nudge.optimizer.replay(gradient, slots, nudge.steps)
    if abs(unclamped - neuron.bias) > 1e-12:
        return f" (clamped to [{clamp[0]:g}, {clamp[1]:g}])"
    return ""


# -- neurons -----------------------------------------------------------------------------------


def explain_neuron(neuron, max_terms: int = MAX_TERMS) -> Explanation:
    """Explain ``neuron``'s activation and, after training, its derivatives and its nudge.

    A convolution neuron's ``z`` uses its map's kernel and shared bias, and the nudge line
    shows the shared bias moving by the sum of the means of its map's neurons; a pooling
    neuron's ``z`` is the mean or the largest of its window (naming the input that won). What
    is particular to a layer kind comes from the layer (its ``explain_*`` hints).

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
    if not neuron.receives:  # an input neuron
        lines.append(f"  a = {_number(neuron.activation)}, set from the sample (inputs have no "
                     "bias and no activation function)")
        return Explanation("\n".join(lines))
    layer = neuron.layer
    lines += [line for line in (layer.explain_where(neuron),) if line]
    lines.append(layer.explain_z(neuron, max_terms) or _weighted_sum(neuron, max_terms))
    f = neuron.activation_function
    if f.layerwise:
        lines.append(f"  a = {f.name}(z) over the whole layer = {_number(neuron.activation)}")
    else:
        lines.append(f"  a = {f.name}({neuron.z:.3g}) = {_number(neuron.activation)}")
    deltas = neuron.derivatives_of_cost_by_bias_per_sample
    if not deltas:
        lines.append("  (no sample trained since clear())")
        return Explanation("\n".join(lines))
    lines += _delta_lines(neuron, deltas)
    fixed = layer.without_parameters()
    if fixed:
        lines.append(f"  nudge: none, {fixed}")
        return Explanation("\n".join(lines))
    lines += _bias_nudge_lines(neuron, deltas)
    return Explanation("\n".join(lines))


def _weighted_sum(neuron, max_terms: int) -> str:
    weights, bias_value = _parameters_behind_z(neuron)
    pairs = [(w, c.input_activation) for w, c in zip(weights, neuron.inputs)]
    terms = _sum_of_terms(pairs, max_terms)
    bias = f"bias {_number(bias_value)}" if neuron.layer.biases.size else ""
    return f"  z = {' + '.join(t for t in (terms, bias) if t)} = {_number(neuron.z)}"


def _delta_lines(neuron, deltas: list) -> list[str]:
    """Each sample's delta (and, for a hidden neuron, the dC/da it came from)."""
    f = neuron.activation_function
    passed_on = not neuron.layer.biases.size
    lines = [f"  trained on {len(deltas)} sample(s) since clear(); delta = dC/dz "
             + ("(passed back to its inputs):" if passed_on
                else "(its derivative of the cost by the bias):")]
    after = neuron.layer.explain_delta_route(neuron)
    if neuron.transmits:  # hidden: dC/da is the sum over outgoing connections
        dcda = neuron.derivatives_of_cost_by_activation
        network = neuron.layer.network
        how = ("mean (the post's averaging)" if network is not None
               and network.hidden_derivative == "mean" else "sum")
        lines += _samples(deltas, lambda s, d: f"dC/da = {_number(dcda[s])} ({how} over "
                                               f"{len(neuron.outputs)} outgoing connections), "
                                               f"delta = dC/da x {f.name}'(z) = {_number(d)}"
                                               f"{after(s, d)}")
    else:
        lines += _samples(deltas, lambda s, d: f"delta = {_number(d)}")
    return lines


def _bias_nudge_lines(neuron, deltas: list) -> list[str]:
    """The mean of the bias's list and what the nudge made of it (the sum over every neuron
    sharing the bias, when it is shared)."""
    layer, record = neuron.layer, neuron.layer.record
    mean = sum(deltas) / len(deltas)
    lines = [f"  mean of derivatives_of_cost_by_bias_per_sample = {_number(mean)}"]
    nudge = record.nudge
    if nudge is None:
        return lines
    before = _bias_of(neuron, nudge.biases_before)
    if neuron.static:
        lines.append(f"  nudge: none, a static neuron keeps its bias {_number(before)}")
        return lines
    b, gradient = neuron._b, mean
    sharing = [n.index for n in layer.neurons if n._b == b]
    what = layer.entry_name("biases", b)
    if len(sharing) > 1:  # a map's bias: the sum of the means of all its neurons
        _, all_deltas = _record_arrays(record)
        gradient = float(all_deltas[:, sharing].mean(axis=0).sum())
        lines.append(f"  {what[len('bias of '):]}'s bias is shared by {len(sharing)} neurons: "
                     f"it moves by the SUM of their means = this one's {_number(mean)} + the "
                     f"others' {_number(gradient - mean)} = {_number(gradient)}")
    lines.append(_nudge_line(nudge, "biases", b, what, before, neuron.bias, gradient,
                             _clamp_note(neuron, nudge, before, gradient)))
    return lines


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
    whole = layer.explain_connection(connection)
    if whole is not None:
        return Explanation(whole)
    weights, _ = _parameters_behind_z(receiver)
    weight = weights[receiver.inputs.index(connection)]
    lines = [repr(connection),
             f"  carried its sender's activation {_number(connection.input_activation)} x "
             f"weight {_number(weight)} = {_number(connection.input_activation * weight)} "
             "into the receiver's z"]
    sharers = _sharers(connection)
    lines += [line for line in (layer.explain_weight(connection, len(sharers)),) if line]
    values = connection.derivatives_of_cost_by_weight_per_sample
    if not values:
        lines.append("  (no sample trained since clear())")
        return Explanation("\n".join(lines))
    deltas = receiver.derivatives_of_cost_by_bias_per_sample
    i = layer.input_column(connection)  # where its sender's activation sits in the record
    inputs = [float(row[i]) for row in layer.record.input_activations]
    lines.append("  dC/dw per sample = delta of the receiver x activation of the sender:")
    lines += _samples(values, lambda s, v: f"{_number(deltas[s])} x {_number(inputs[s])} = "
                                           f"{_number(v)}")
    mean = sum(values) / len(values)
    lines.append(f"  mean = {_number(mean)}")
    lines += _weight_nudge_lines(connection, sharers, mean)
    return Explanation("\n".join(lines))


def _weight_nudge_lines(connection, sharers: list, mean: float) -> list[str]:
    """What the nudge did to the weight (moved by the sum over its sharers' means, if shared)."""
    receiver = connection.output_neuron
    layer, record = receiver.layer, receiver.layer.record
    nudge = record.nudge
    if nudge is None:
        return []
    k = connection._k
    before = _entry(nudge.weights_before, k)
    if receiver.static:
        return [f"  nudge: none, it leads into a static neuron (weight stays {_number(before)})"]
    lines, gradient = [], mean
    what = layer.entry_name("weights", k)
    if len(sharers) > 1:  # a shared weight: the sum of the means of every connection applying it
        all_inputs, all_deltas = _record_arrays(record)
        js = [c.output_neuron.index for c in sharers]
        senders = [c.input_neuron.index for c in sharers]
        gradient = float((all_deltas[:, js] * all_inputs[:, senders]).mean(axis=0).sum())
        lines.append(f"  the nudge moves the shared weight by the SUM of the means of all "
                     f"{len(sharers)} connections = this one's {_number(mean)} + the others' "
                     f"{_number(gradient - mean)} = {_number(gradient)}")
    lines.append(_nudge_line(nudge, "weights", k, what, before, connection.weight, gradient))
    return lines
