"""A plain-Python object graph of the post's network: the reference the object engine races.

Neurons and connections are slotted objects holding Python floats and lists; training is the
post's eight steps (clear, propagate, desired activations, train outputs, train hidden layers
back to front, repeat for the mini-batch, nudge by the mean of each per-sample list, repeat),
sigmoid everywhere, quadratic cost ``C = sum_j (a_j - y_j)^2`` so ``dC/da_j = 2 (a_j - y_j)``,
and a hidden neuron's ``dC/da`` the SUM over its outgoing connections of ``w * delta``.

No numpy, no checks, no records beyond the per-sample lists: the fastest honest way to write the
post in Python, which issue 16 asks the object engine to match (samples/s ratio >= 1.0).
"""
from __future__ import annotations

import math

__all__ = ["py_sigmoid", "PyNeuron", "PyConnection", "PyReceiver", "PyHidden", "PyOutput",
           "PyNetwork"]


def py_sigmoid(z: float) -> float:
    """The logistic function without overflow for large negative ``z``."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class PyNeuron:
    """An input neuron: an activation and the connections leaving it."""

    __slots__ = ("activation", "outputs")

    def __init__(self) -> None:
        self.activation = 0.0
        self.outputs = []  # connections to the next layer (input and hidden neurons)


class PyConnection:
    """A weight between two neurons and its per-sample derivatives of the cost."""

    __slots__ = ("input_neuron", "output_neuron", "weight",
                 "derivatives_of_cost_by_weight_per_sample")

    def __init__(self, input_neuron, output_neuron, weight: float) -> None:
        self.input_neuron = input_neuron
        self.output_neuron = output_neuron
        self.weight = weight
        self.derivatives_of_cost_by_weight_per_sample = []


class PyReceiver(PyNeuron):
    """A neuron with a bias and incoming connections (hidden or output)."""

    __slots__ = ("bias", "inputs", "delta", "derivatives_of_cost_by_bias_per_sample")

    def __init__(self, bias: float) -> None:
        super().__init__()
        self.bias = bias
        self.inputs = []
        self.delta = 0.0
        self.derivatives_of_cost_by_bias_per_sample = []

    def eval(self) -> None:
        """``a = sigmoid(b + sum_i w_i a_i)``."""
        z = self.bias
        for connection in self.inputs:
            z += connection.weight * connection.input_neuron.activation
        self.activation = py_sigmoid(z)

    def add_sample(self, derivative_of_cost_by_activation: float) -> None:
        """Append ``delta = dC/da * a (1 - a)`` and ``delta * a_i`` to the per-sample lists."""
        a = self.activation
        delta = derivative_of_cost_by_activation * a * (1.0 - a)
        self.delta = delta
        self.derivatives_of_cost_by_bias_per_sample.append(delta)
        for connection in self.inputs:
            connection.derivatives_of_cost_by_weight_per_sample.append(
                delta * connection.input_neuron.activation)

    def nudge(self, step_size: float, bias_clamp) -> None:
        """``p -= step_size * mean(per-sample list)``, the bias clamped; the lists emptied."""
        for connection in self.inputs:
            derivatives = connection.derivatives_of_cost_by_weight_per_sample
            connection.weight -= step_size * sum(derivatives) / len(derivatives)
            derivatives.clear()
        derivatives = self.derivatives_of_cost_by_bias_per_sample
        bias = self.bias - step_size * sum(derivatives) / len(derivatives)
        if bias_clamp is not None:
            bias = min(max(bias, bias_clamp[0]), bias_clamp[1])
        self.bias = bias
        derivatives.clear()


class PyHidden(PyReceiver):
    """A hidden neuron: ``dC/da`` is the sum over its outgoing connections."""

    __slots__ = ()

    def train(self) -> None:
        """Step 5 for this neuron."""
        derivative_of_cost_by_activation = 0.0  # SUM over outgoing connections
        for connection in self.outputs:
            derivative_of_cost_by_activation += connection.weight * connection.output_neuron.delta
        self.add_sample(derivative_of_cost_by_activation)


class PyOutput(PyReceiver):
    """An output neuron: ``dC/da = 2 (a - y)``."""

    __slots__ = ("desired_activation",)

    def __init__(self, bias: float) -> None:
        super().__init__(bias)
        self.desired_activation = 0.0

    def train(self) -> None:
        """Step 4 for this neuron."""
        self.add_sample(2.0 * (self.activation - self.desired_activation))


class PyNetwork:
    """The post's object graph in plain Python: every number is a float attribute or list.

    Parameters
    ----------
    weights : list of list of list of float
        One ``n_out x n_in`` nested list per receiving layer (row ``j`` feeds neuron ``j``).
    biases : list of list of float
        One list per receiving layer.
    bias_clamp : tuple of float or None
        ``(low, high)`` applied to every bias after each nudge, or ``None``.
    """

    def __init__(self, weights: list, biases: list, bias_clamp) -> None:
        self.inputs = [PyNeuron() for _ in range(len(weights[0][0]))]
        self.layers = []
        previous = self.inputs
        for k, (w, b) in enumerate(zip(weights, biases)):
            kind = PyOutput if k == len(weights) - 1 else PyHidden
            layer = [kind(bias) for bias in b]
            for receiver, row in zip(layer, w):
                for sender, weight in zip(previous, row):
                    connection = PyConnection(sender, receiver, weight)
                    sender.outputs.append(connection)
                    receiver.inputs.append(connection)
            self.layers.append(layer)
            previous = layer
        self.bias_clamp = bias_clamp

    def train_sample(self, x: list, y: list) -> None:
        """Steps 3-5 for one sample."""
        for neuron, value in zip(self.inputs, x):
            neuron.activation = value
        for layer in self.layers:
            for neuron in layer:
                neuron.eval()
        for neuron, value in zip(self.layers[-1], y):
            neuron.desired_activation = value
        for layer in reversed(self.layers):
            for neuron in layer:
                neuron.train()

    def nudge(self, step_size: float) -> None:
        """Step 7 for every receiver."""
        for layer in self.layers:
            for neuron in layer:
                neuron.nudge(step_size, self.bias_clamp)

    def fit(self, X: list, Y: list, batch_size: int, step_size: float, order) -> None:
        """One epoch over the rows of ``X`` and ``Y`` (lists of lists) in ``order``."""
        for begin in range(0, len(order), batch_size):
            for s in order[begin:begin + batch_size]:
                self.train_sample(X[s], Y[s])
            self.nudge(step_size)

    def parameters(self) -> list:
        """``[W1, b1, W2, b2, ...]`` as nested lists, in neurograph's order."""
        result = []
        for layer in self.layers:
            result.append([[c.weight for c in neuron.inputs] for neuron in layer])
            result.append([neuron.bias for neuron in layer])
        return result
