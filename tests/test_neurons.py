"""Neurons one at a time, the way a learner steps through them."""
import math

import pytest

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer


@pytest.fixture
def net():
    """2-2-1 with numbers chosen by hand, sigmoid output."""
    inputs, hidden, outputs = InputLayer(2), HiddenLayer(2, "tanh"), OutputLayer(1, "sigmoid")
    inputs.fully_connect_to(hidden, [[0.5, -0.25], [1.0, 0.75]])
    hidden.fully_connect_to(outputs, [[2.0, -1.0]])
    hidden[0].bias, hidden[1].bias, outputs[0].bias = 0.1, -0.2, 0.3
    return Network([inputs, hidden, outputs], bias_clamp=None)


def test_eval_is_the_weighted_sum_then_the_activation(net):
    for neuron, value in zip(net.input_layer, [0.4, 0.8]):
        neuron.activation = value
    neuron = net.hidden_layers[0][0]
    neuron.eval()
    assert neuron.z == pytest.approx(0.1 + 0.5 * 0.4 - 0.25 * 0.8)
    assert neuron.activation == pytest.approx(math.tanh(neuron.z))
    assert sum(c.input_strength for c in neuron.inputs) + neuron.bias == pytest.approx(neuron.z)


def test_output_then_hidden_train_record_delta_by_the_chain_rule(net):
    net.train_sample([0.4, 0.8], [1.0])
    out = net.output_layer[0]
    a = out.activation
    assert out.delta == pytest.approx(2 * (a - 1.0) * a * (1 - a))  # dC/da * sigmoid'(z)
    for hidden, w in zip(net.hidden_layers[0], [2.0, -1.0]):
        assert hidden.derivatives_of_cost_by_activation == pytest.approx([w * out.delta])
        assert hidden.delta == pytest.approx(w * out.delta * (1 - hidden.activation ** 2))


def test_bias_is_a_window_and_refuses_non_finite_values(net):
    neuron = net.hidden_layers[0][1]
    neuron.bias = 0.625
    assert net.hidden_layers[0].biases[1] == 0.625
    with pytest.raises(ValueError, match=r"bias of HiddenNeuron\(layer 1, #1.* must be finite"):
        neuron.bias = float("nan")
    assert neuron.bias == 0.625


def test_a_static_neuron_ignores_nudges_but_a_hidden_one_moves(net):
    static_layer = HiddenLayer(1, "tanh", static=True)
    static = static_layer[0]
    static.nudge_parameters(10.0)  # nothing to do, even without any samples
    net.train_sample([0.4, 0.8], [1.0])
    neuron = net.hidden_layers[0][0]
    before = neuron.bias
    neuron.nudge_parameters(0.5)
    assert neuron.bias == pytest.approx(before - 0.5 * neuron.delta)


def test_momentum_keeps_a_velocity_per_parameter(net):
    neuron = net.output_layer[0]
    net.train_sample([0.4, 0.8], [1.0])
    delta, b0 = neuron.delta, neuron.bias
    neuron.nudge_parameters(0.1, momentum=0.5)
    assert neuron.bias == pytest.approx(b0 - 0.1 * delta)
    neuron.nudge_parameters(0.1, momentum=0.5)  # same lists: v = 0.5 v - 0.1 delta
    assert neuron.bias == pytest.approx(b0 - 0.1 * delta + 0.5 * (-0.1 * delta) - 0.1 * delta)
    assert net.output_layer.bias_velocity[0] == pytest.approx(-0.15 * delta)


def test_softmax_output_neurons_share_one_layer():
    net = Network.layered([2, 3], output_activation="softmax", cost="cross_entropy", seed=0)
    net.train_sample([0.5, -0.5], [0.0, 1.0, 0.0])
    activations = [n.activation for n in net.output_layer]
    assert sum(activations) == pytest.approx(1.0)
    assert [n.delta for n in net.output_layer] == pytest.approx(
        [a - y for a, y in zip(activations, [0.0, 1.0, 0.0])])  # dC/dz = a - y


def test_each_pass_reads_the_weights_as_they_are_then(net):
    hidden = net.hidden_layers[0]
    net.propagate([0.4, 0.8])
    hidden.weights[0, 1] = 0.5  # through the layer's array, between two passes
    net.propagate([0.4, 0.8])
    assert hidden[0].z == pytest.approx(0.1 + 0.5 * 0.4 + 0.5 * 0.8)
    hidden[0].inputs[0].weight = -1.0  # through the connection, then the neuron on its own
    hidden[0].eval()
    assert hidden[0].z == pytest.approx(0.1 - 1.0 * 0.4 + 0.5 * 0.8)
    z = hidden[0].bias  # the post's sum, in the same order: the same float exactly
    for connection in hidden[0].inputs:
        z += connection.input_strength
    assert hidden[0].z == z


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_nudge_to_a_non_finite_weight_names_it_and_keeps_it():
    net = Network.layered([2, 1], activation="identity", seed=0, bias_clamp=None)
    net.output_layer.weights[0] = [0.5, 0.5]
    net.train_sample([1.0, 1e200], [0.0])  # dC/dw = 2 z a: 1e200 for w0, inf for w1
    neuron = net.output_layer[0]
    with pytest.raises(ValueError, match=r"weight of Connection\(layer 0 #1 -> layer 1 #0"):
        neuron.nudge_parameters(1e-210, momentum=0.5)
    # the weights before the refused one moved (by -1e-210 x 1e200), the refused one did not
    assert net.output_layer.weights.tolist() == [[0.5 - 1e-210 * 2 * (0.5 + 0.5e200), 0.5]]


def test_within_weights_read_once_a_layer_reads_its_weights_as_the_block_began(net):
    hidden = net.hidden_layers[0]
    with hidden.weights_read_once():  # the object engine holds the weights for a mini-batch
        with hidden.weights_read_once():  # an inner block (each pass's own) uses the same list
            hidden.weights[0, 1] = 0.5  # no weight may change in the block: this one is not seen
            net.propagate([0.4, 0.8])
        assert hidden[0].z == pytest.approx(0.1 + 0.5 * 0.4 - 0.25 * 0.8)
    net.propagate([0.4, 0.8])  # after it, read anew
    assert hidden[0].z == pytest.approx(0.1 + 0.5 * 0.4 + 0.5 * 0.8)
