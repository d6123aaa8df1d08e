"""The arithmetic behind a neuron's or a connection's numbers, written out with the real values.

``neuron.explain()`` shows ``z = w1 x a1 + w2 x a2 + ... + bias = z; a = f(z)`` for the sample
last propagated, then what training recorded (its delta per sample) and what the nudge did;
``connection.explain()`` shows each per-sample derivative as the chain-rule product
``delta of the receiver x activation of the sender``, their mean, and the nudge.
"""
from __future__ import annotations

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


def explain_neuron(neuron, max_terms: int = MAX_TERMS) -> Explanation:
    """Explain ``neuron``'s activation and, after training, its derivatives and its nudge.

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
    """
    lines = [repr(neuron)]
    if not hasattr(neuron, "inputs"):  # an input neuron
        lines.append(f"  a = {_number(neuron.activation)}, set from the sample (inputs have no "
                     "bias and no activation function)")
        return Explanation("\n".join(lines))
    weights, bias_value = _parameters_behind_z(neuron)
    pairs = [(w, c.input_activation) for w, c in zip(weights, neuron.inputs)]
    terms = _sum_of_terms(pairs, max_terms)
    bias = f"bias {_number(bias_value)}"
    lines.append(f"  z = {terms + ' + ' if terms else ''}{bias} = {_number(neuron.z)}")
    f = neuron.activation_function
    if f.layerwise:
        lines.append(f"  a = {f.name}(z) over the whole layer = {_number(neuron.activation)}")
    else:
        lines.append(f"  a = {f.name}({neuron.z:.3g}) = {_number(neuron.activation)}")
    record = neuron.layer.record
    deltas = neuron.derivatives_of_cost_by_bias_per_sample
    if not deltas:
        lines.append("  (no sample trained since clear())")
        return Explanation("\n".join(lines))
    lines.append(f"  trained on {len(deltas)} sample(s) since clear(); delta = dC/dz "
                 "(its derivative of the cost by the bias):")
    if hasattr(neuron, "outputs"):  # hidden: dC/da is the sum over outgoing connections
        dcda = neuron.derivatives_of_cost_by_activation
        lines += _samples(deltas, lambda s, d: f"dC/da = {_number(dcda[s])} (sum over "
                                               f"{len(neuron.outputs)} outgoing connections), "
                                               f"delta = dC/da x {f.name}'(z) = {_number(d)}")
    else:
        lines += _samples(deltas, lambda s, d: f"delta = {_number(d)}")
    mean = sum(deltas) / len(deltas)
    lines.append(f"  mean of derivatives_of_cost_by_bias_per_sample = {_number(mean)}")
    nudge = record.nudge
    if nudge is not None:
        before = float(nudge.biases_before[neuron.index])
        if neuron.static:
            lines.append(f"  nudge: none, a static neuron keeps its bias {_number(before)}")
        else:
            velocity = float(neuron.layer.bias_velocity[neuron.index])
            unclamped = before + velocity if nudge.momentum else before - nudge.step_size * mean
            lines.append(_nudge_line("bias", before, neuron.bias, mean, nudge, velocity,
                                     _clamp_note(neuron, unclamped)))
    return Explanation("\n".join(lines))


def _parameters_behind_z(neuron) -> tuple[list, float]:
    """The weights and bias that computed ``neuron.z``: those from before the last nudge if the
    sample was propagated before it (as in training), else the current ones."""
    current = ([c.weight for c in neuron.inputs], neuron.bias)
    nudge = neuron.layer.record.nudge
    if nudge is None:
        return current
    row = nudge.weights_before[neuron.index]
    before = ([float(row[c.input_neuron.index]) for c in neuron.inputs],
              float(nudge.biases_before[neuron.index]))

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
    previous = (velocity + nudge.step_size * mean) / nudge.momentum
    return (f"  nudge with momentum: velocity {nudge.momentum:g} x {_number(previous)} - "
            f"{_number(nudge.step_size)} x {_number(mean)} = {_number(velocity)}; "
            f"{what} {_number(before)} + {_number(velocity)} -> {_number(after)}{note}")


def _clamp_note(neuron, unclamped: float) -> str:
    clamp = neuron.layer.network.bias_clamp if neuron.layer.network else None
    if clamp is not None and neuron.bias in clamp and abs(unclamped - neuron.bias) > 1e-12:
        return f" (clamped to [{clamp[0]:g}, {clamp[1]:g}])"
    return ""


def explain_connection(connection) -> Explanation:
    """Explain ``connection``'s per-sample derivatives (chain rule), their mean and its nudge.

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
    record = receiver.layer.record
    weights, _ = _parameters_behind_z(receiver)
    weight = weights[receiver.inputs.index(connection)]
    lines = [repr(connection),
             f"  carried its sender's activation {_number(connection.input_activation)} x "
             f"weight {_number(weight)} = {_number(connection.input_activation * weight)} "
             "into the receiver's z"]
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
    if nudge is not None:
        before = float(nudge.weights_before[receiver.index, i])
        if receiver.static:
            lines.append(f"  nudge: none, it leads into a static neuron (weight stays "
                         f"{_number(before)})")
        else:
            velocity = float(receiver.layer.weight_velocity[receiver.index, i])
            lines.append(_nudge_line("weight", before, connection.weight, mean, nudge, velocity))
    return Explanation("\n".join(lines))
