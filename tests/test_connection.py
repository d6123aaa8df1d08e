import math

import pytest

from neurograph import Network


@pytest.fixture
def net():
    return Network.layered([2, 2, 1], activation="identity", seed=0, bias_clamp=None)


def test_weight_is_a_window_onto_the_layer_matrix(net):
    connection = net.hidden_layers[0][1].inputs[0]
    connection.weight = 0.125
    assert net.hidden_layers[0].weights[1, 0] == 0.125
    net.hidden_layers[0].weights[1, 0] = -3.0
    assert connection.weight == -3.0


def test_input_activation_and_strength_follow_the_last_propagation(net):
    connection = net.hidden_layers[0][0].inputs[1]
    connection.weight = 0.5
    net.propagate([0.2, 0.8])
    assert connection.input_activation == 0.8
    assert connection.input_strength == pytest.approx(0.4)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_weight_is_refused(net, value):
    connection = net.connections[0]
    before = connection.weight
    with pytest.raises(ValueError, match="weight of Connection.* must be finite"):
        connection.weight = value
    assert connection.weight == before


def test_repr_says_what_it_joins_and_its_weight(net):
    connection = net.output_layer[0].inputs[1]
    connection.weight = 0.25
    assert repr(connection) == "Connection(layer 1 #1 -> layer 2 #0, weight=0.25)"


def test_per_sample_list_is_the_receivers_delta_times_the_input_activation(net):
    net.clear()
    net.train_sample([0.5, -1.0], [1.0])
    net.train_sample([2.0, 0.25], [0.0])
    for connection in net.connections:
        deltas = connection.output_neuron.derivatives_of_cost_by_bias_per_sample
        layer = connection.output_neuron.layer
        inputs = [row[connection.input_neuron.index] for row in layer.record.input_activations]
        assert connection.derivatives_of_cost_by_weight_per_sample == pytest.approx(
            [d * a for d, a in zip(deltas, inputs)])
    # a fresh list every time: changing it changes nothing
    values = net.connections[0].derivatives_of_cost_by_weight_per_sample
    values.append(99.0)
    assert len(net.connections[0].derivatives_of_cost_by_weight_per_sample) == 2
