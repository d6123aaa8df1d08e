"""The network and the object engine: the post's eight steps, checked by hand."""
import subprocess
import sys

import numpy as np
import pytest

import neurograph
from neurograph import HiddenLayer, InputLayer, Network, OutputLayer


def hand_network(bias_clamp=None):
    """1-1-2, identity activations: every number below can be worked out on paper.

    hidden: w_h = 0.5, b_h = 0.1; outputs: w1 = 1.0, b1 = 0.0 and w2 = -2.0, b2 = 0.5.
    """
    inputs, hidden, outputs = InputLayer(1), HiddenLayer(1, "identity"), OutputLayer(2, "identity")
    inputs[0].connect_to(hidden[0], 0.5)
    hidden[0].connect_to(outputs[0], 1.0)
    hidden[0].connect_to(outputs[1], -2.0)
    hidden[0].bias, outputs[0].bias, outputs[1].bias = 0.1, 0.0, 0.5
    return Network([inputs, hidden, outputs], bias_clamp=bias_clamp)


def test_one_nudge_matches_arithmetic_done_by_hand():
    net = hand_network()
    (w_h,), (w1,), (w2,) = [[c for c in n.inputs] for n in net.neurons[1:]]
    hidden, out1, out2 = net.neurons[1:]
    net.clear()
    # Sample A: x = 2, y = (1, -2).
    #   a_h = 0.5 * 2 + 0.1 = 1.1;  a1 = 1.1;  a2 = -2 * 1.1 + 0.5 = -1.7
    #   delta1 = 2 (1.1 - 1) = 0.2;  delta2 = 2 (-1.7 + 2) = 0.6
    #   dC/da_h = SUM w * delta = 1.0 * 0.2 + (-2.0) * 0.6 = -1.0  (the post's average: -0.5)
    #   dC/dw1 = 0.2 * 1.1 = 0.22;  dC/dw2 = 0.6 * 1.1 = 0.66;  dC/dw_h = -1.0 * 2 = -2.0
    cost_a = net.train_sample([2.0], [1.0, -2.0])
    # Sample B: x = 0, y = (0, 0).
    #   a_h = 0.1;  a1 = 0.1;  a2 = 0.3;  delta1 = 0.2;  delta2 = 0.6
    #   dC/da_h = 0.2 - 1.2 = -1.0;  dC/dw1 = 0.02;  dC/dw2 = 0.06;  dC/dw_h = -1.0 * 0 = 0
    net.train_sample([0.0], [0.0, 0.0])
    assert cost_a == pytest.approx(0.01 + 0.09)
    assert out1.derivatives_of_cost_by_bias_per_sample == pytest.approx([0.2, 0.2])
    assert out2.derivatives_of_cost_by_bias_per_sample == pytest.approx([0.6, 0.6])
    assert hidden.derivatives_of_cost_by_activation == pytest.approx([-1.0, -1.0])
    assert hidden.derivatives_of_cost_by_bias_per_sample == pytest.approx([-1.0, -1.0])
    assert w1.derivatives_of_cost_by_weight_per_sample == pytest.approx([0.22, 0.02])
    assert w2.derivatives_of_cost_by_weight_per_sample == pytest.approx([0.66, 0.06])
    assert w_h.derivatives_of_cost_by_weight_per_sample == pytest.approx([-2.0, 0.0])
    # Nudge with step 0.1 by the means:
    #   w1 = 1.0 - 0.1 * 0.12 = 0.988;  w2 = -2.0 - 0.1 * 0.36 = -2.036;  w_h = 0.5 + 0.1 = 0.6
    #   b1 = 0 - 0.02 = -0.02;  b2 = 0.5 - 0.06 = 0.44;  b_h = 0.1 + 0.1 = 0.2
    net.nudge_parameters(0.1)
    assert [w1.weight, w2.weight, w_h.weight] == pytest.approx([0.988, -2.036, 0.6])
    assert [out1.bias, out2.bias, hidden.bias] == pytest.approx([-0.02, 0.44, 0.2])


def test_the_bias_clamp_applies_after_the_nudge():
    net = hand_network(bias_clamp=(-0.15, 0.15))
    hidden, out1, out2 = net.neurons[1:]
    net.clear()
    net.train_sample([2.0], [1.0, -2.0])
    net.train_sample([0.0], [0.0, 0.0])
    net.nudge_parameters(0.1)
    # unclamped: b_h = 0.2, b1 = -0.02, b2 = 0.44
    assert [hidden.bias, out1.bias, out2.bias] == pytest.approx([0.15, -0.02, 0.15])


def test_clear_empties_every_per_sample_list():
    net = hand_network()
    net.train_sample([2.0], [1.0, -2.0])
    net.clear()
    for neuron in net.neurons[1:]:
        assert neuron.derivatives_of_cost_by_bias_per_sample == []
    assert net.neurons[1].derivatives_of_cost_by_activation == []
    assert all(c.derivatives_of_cost_by_weight_per_sample == [] for c in net.connections)


def test_propagate_sets_every_activation_and_returns_the_outputs():
    net = Network.layered([2, 3, 2], activation="sigmoid", seed=5)
    x = np.array([0.3, -0.9])
    outputs = net.propagate(x)
    hidden = net.hidden_layers[0]
    a_hidden = 1 / (1 + np.exp(-(hidden.weights @ x + hidden.biases)))
    a_out = 1 / (1 + np.exp(-(net.output_layer.weights @ a_hidden + net.output_layer.biases)))
    np.testing.assert_allclose([n.activation for n in hidden], a_hidden, rtol=1e-12)
    np.testing.assert_allclose(outputs, a_out, rtol=1e-12)
    np.testing.assert_allclose(net.predict([x])[0], a_out, rtol=1e-12)
    assert [n.activation for n in net.input_layer] == [0.3, -0.9]


def test_static_neurons_keep_their_parameters():
    inputs, hidden, outputs = InputLayer(2), HiddenLayer(2, "tanh", static=[0]), OutputLayer(1)
    inputs.fully_connect_to(hidden, seed=1)
    hidden.fully_connect_to(outputs, seed=2)
    hidden[0].bias = 0.3
    net = Network([inputs, hidden, outputs])
    before = hidden.weights.copy(), hidden.biases.copy()
    net.train_batch([[0.5, 0.1], [0.9, -0.4]], [[1.0], [0.0]], 0.5)
    np.testing.assert_array_equal(hidden.weights[0], before[0][0])
    assert hidden[0].bias == 0.3
    assert not np.array_equal(hidden.weights[1], before[0][1])
    assert len(hidden[0].derivatives_of_cost_by_bias_per_sample) == 2  # it still backpropagates


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_non_finite_nudge_names_the_parameter_and_keeps_the_old_ones():
    net = Network.layered([1, 1], activation="identity", seed=0, bias_clamp=None)
    net.clear()
    net.train_sample([1e200], [0.0])
    before = net.output_layer.weights.copy(), net.output_layer.biases.copy()
    with pytest.raises(FloatingPointError, match=r"weight of Connection\(layer 0 #0 -> layer 1 #0"):
        net.nudge_parameters(1e200)
    np.testing.assert_array_equal(net.output_layer.weights, before[0])
    np.testing.assert_array_equal(net.output_layer.biases, before[1])


def test_nudge_without_samples_is_refused():
    net = Network.layered([2, 1], seed=0)
    net.clear()
    with pytest.raises(ValueError, match="no sample was trained since clear"):
        net.nudge_parameters(0.1)


@pytest.mark.parametrize("call, message", [
    (lambda n: n.propagate([0.1]), r"`x` must have 2 values .*got shape \(1,\)"),
    (lambda n: n.propagate([0.1, 0.2, 0.3]), r"`x` must have 2 values"),
    (lambda n: n.propagate([0.1, float("nan")]), r"`x` must be finite, got nan at index 1"),
    (lambda n: n.propagate([[0.1, 0.2]]), r"`x` must have 2 values"),
    (lambda n: n.propagate("ab"), r"`x` must be a sequence of 2 numbers"),
    (lambda n: n.train_sample([0.1, 0.2], [1.0, 0.0]), r"`y` must have 1 values"),
    (lambda n: n.train_sample([0.1, 0.2], [float("inf")]), r"`y` must be finite, got inf"),
    (lambda n: n.train_sample([0.1, float("-inf")], [1.0]), r"`x` must be finite"),
    (lambda n: n.nudge_parameters(0.0), r"`step_size` must be a finite positive number, got 0"),
    (lambda n: n.nudge_parameters(-0.1), r"`step_size` must be a finite positive number"),
    (lambda n: n.nudge_parameters(float("nan")), r"`step_size` must be a finite positive"),
    (lambda n: n.nudge_parameters(float("inf")), r"`step_size` must be a finite positive"),
    (lambda n: n.nudge_parameters("fast"), r"`step_size` must be a positive number"),
    (lambda n: n.train_batch([[0.1, 0.2]], [[1.0], [0.0]], 0.1), r"as many samples, got 1 and 2"),
    (lambda n: n.train_batch([[0.1, 0.2]], [[1.0]], -1.0), r"`step_size` must be"),
    (lambda n: n.train_batch([[0.1, np.nan]], [[1.0]], 0.1), r"`X` must be finite"),
    (lambda n: n.train_batch(np.zeros((0, 2)), np.zeros((0, 1)), 0.1), r"at least one sample"),
    (lambda n: n.cost([0.1, 0.2], [1.0, 2.0]), r"`y` must have 1 values"),
])
def test_bad_input_is_refused_and_changes_nothing(call, message):
    net = Network.layered([2, 2, 1], seed=3)
    net.clear()
    net.train_sample([0.4, 0.6], [1.0])
    params = [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]
    lists = [c.derivatives_of_cost_by_weight_per_sample for c in net.connections]
    with pytest.raises(ValueError, match=message):
        call(net)
    for layer, (w, b) in zip(net.receiving_layers, params):
        np.testing.assert_array_equal(layer.weights, w)
        np.testing.assert_array_equal(layer.biases, b)
    assert [c.derivatives_of_cost_by_weight_per_sample for c in net.connections] == lists


def test_layered_builds_the_requested_shape():
    net = Network.layered([4, 5, 3, 2], activation="relu", output_activation="identity", seed=0)
    assert net.sizes == (4, 5, 3, 2)
    assert [type(l).__name__ for l in net.layers] == [
        "InputLayer", "HiddenLayer", "HiddenLayer", "OutputLayer"]
    assert len(net.connections) == 4 * 5 + 5 * 3 + 3 * 2
    assert len(net.neurons) == 14
    assert [l.activation_function.name for l in net.receiving_layers] == [
        "relu", "relu", "identity"]
    assert net.hidden_layers == net.layers[1:3]
    assert repr(net) == "Network(4-5-3-2, relu/relu/identity, quadratic cost, 41 connections)"


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(sizes=[3]), ValueError, "at least an input and an output layer"),
    (dict(sizes=[3, 0, 1]), ValueError, "`size` must be a positive integer, got 0"),
    (dict(sizes=[3, 1], activation="softsign"), ValueError, "`activation` must be one of"),
    (dict(sizes=[3, 1], output_activation="nope"), ValueError, "`activation` must be one of"),
    (dict(sizes=[3, 1], cost="hinge"), ValueError, "`cost` must be one of"),
    (dict(sizes=[3, 1], init="zeros"), ValueError, "`init` must be one of he, uniform, xavier"),
    (dict(sizes=[3, 1], bias_clamp=(1.0, -1.0)), ValueError, "low <= high"),
    (dict(sizes=[3, 1], bias_clamp=(0.0, float("inf"))), ValueError, "must be finite"),
    (dict(sizes=[3, 1], bias_clamp=0.8), ValueError, "a pair"),
])
def test_layered_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        Network.layered(**kwargs)


def test_init_schemes_have_the_documented_spread():
    uniform = Network.layered([400, 300, 2], init="uniform", seed=0).hidden_layers[0]
    assert -0.5 <= uniform.weights.min() and uniform.weights.max() <= 0.5
    assert uniform.weights.std() == pytest.approx(1 / np.sqrt(12), rel=0.02)
    assert uniform.biases.std() == pytest.approx(1 / np.sqrt(12), rel=0.1)
    xavier = Network.layered([400, 300, 2], init="xavier", seed=0).hidden_layers[0]
    assert np.abs(xavier.weights).max() <= np.sqrt(6 / 700)
    assert xavier.weights.std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    assert not xavier.biases.any()
    he = Network.layered([400, 300, 2], init="he", seed=0).hidden_layers[0]
    assert he.weights.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert not he.biases.any()
    again = Network.layered([400, 300, 2], init="he", seed=0).hidden_layers[0]
    np.testing.assert_array_equal(he.weights, again.weights)


def test_network_construction_checks_layer_order_and_membership():
    with pytest.raises(TypeError, match="layer 0 must be an InputLayer"):
        Network([HiddenLayer(2), OutputLayer(1)])
    with pytest.raises(TypeError, match="layer 1 must be a HiddenLayer"):
        Network([InputLayer(2), OutputLayer(1), OutputLayer(1)])
    with pytest.raises(ValueError, match="needs an input and an output layer"):
        Network([InputLayer(2)])
    inputs, hidden, outputs = InputLayer(2), HiddenLayer(2), OutputLayer(1)
    net = Network([inputs, hidden, outputs])
    assert outputs.previous is hidden and hidden.previous is inputs
    with pytest.raises(ValueError, match="already belongs to another network"):
        Network([InputLayer(2), HiddenLayer(2), outputs])
    a, b, c = InputLayer(1), HiddenLayer(1), OutputLayer(1)
    a.fully_connect_to(c)  # b would read a and feed nothing
    with pytest.raises(ValueError, match="HiddenLayer.* sends to no later layer"):
        Network([a, b, c])
    assert b.network is None and b.previous is None  # refused: nothing attached
    assert net.layers == [inputs, hidden, outputs]


def test_reprs_say_what_each_object_is():
    net = Network.layered([2, 2, 1], activation="tanh", seed=0)
    net.propagate([0.25, 0.5])
    net.hidden_layers[0][1].bias = 0.125
    assert repr(net.input_layer[1]) == "InputNeuron(layer 0, #1, activation=0.5)"
    assert repr(net.hidden_layers[0][1]) == "HiddenNeuron(layer 1, #1, bias=0.125, tanh)"
    assert repr(net.output_layer[0]).startswith("OutputNeuron(layer 2, #0, bias=")
    assert repr(net.output_layer) == "OutputLayer(index 2, 1 neurons, tanh)"
    layer = HiddenLayer(1, "relu", static=True)
    assert repr(layer[0]) == "StaticNeuron(layer ?, #0, bias=0, relu, static)"


def test_output_neuron_cost_is_its_share_of_the_quadratic_cost():
    net = Network.layered([2, 2], activation="identity", seed=0)
    total = net.cost([0.5, 0.5], [1.0, -1.0])
    shares = [n.cost() for n in net.output_layer]
    assert sum(shares) == pytest.approx(total)
    a = net.output_layer.activations
    assert shares == pytest.approx(list((a - np.array([1.0, -1.0])) ** 2))
    X = np.array([[0.5, 0.5], [0.1, 0.9]])
    Y = np.array([[1.0, -1.0], [0.0, 0.0]])
    assert net.cost(X, Y) == pytest.approx(np.mean([net.cost(x, y) for x, y in zip(X, Y)]))


def test_import_needs_numpy_only():
    code = ("import sys, neurograph; "
            "print(sorted(m for m in ('networkx', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_are_exported():
    for name in ["TransmitterNeuron", "ReceiverNeuron", "InputNeuron", "HiddenNeuron",
                 "OutputNeuron", "StaticNeuron", "Connection", "InputLayer", "HiddenLayer",
                 "OutputLayer", "Network", "gradient_check"]:
        assert name in neurograph.__all__ and hasattr(neurograph, name)
    hidden = neurograph.HiddenLayer(1)[0]
    assert isinstance(hidden, neurograph.TransmitterNeuron)
    assert isinstance(hidden, neurograph.ReceiverNeuron)
    assert not isinstance(neurograph.OutputLayer(1)[0], neurograph.TransmitterNeuron)
    assert not isinstance(neurograph.InputLayer(1)[0], neurograph.ReceiverNeuron)


def test_huge_but_finite_inputs_are_accepted():
    # their sum overflows to inf, which must not be mistaken for a non-finite input
    net = Network.layered([2, 1], activation="tanh", seed=0)
    assert np.isfinite(net.propagate([1e308, 1e308])).all()
    assert np.isfinite(net.train_sample(np.array([1e308, 1e308]), [0.5]))


def test_a_float32_network_refuses_a_weight_or_bias_that_overflows_when_stored():
    net = Network.layered([2, 1], seed=0, dtype="float32")
    connection, neuron = net.connections[0], net.output_layer[0]
    weight, bias = connection.weight, neuron.bias
    with pytest.raises(ValueError, match="must be finite, got 1e\\+39"):
        connection.weight = 1e39
    with pytest.raises(ValueError, match="must be finite, got -1e\\+39"):
        neuron.bias = -1e39
    assert (connection.weight, neuron.bias) == (weight, bias)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_failed_train_batch_leaves_the_lists_as_they_were_too():
    net = Network.layered([1, 1], activation="identity", seed=0, bias_clamp=None)
    net.train_batch([[0.5]], [[0.2]], 0.1)
    lists = [c.derivatives_of_cost_by_weight_per_sample for c in net.connections]
    with pytest.raises(FloatingPointError):
        net.train_batch([[1e200], [1e200]], [[0.0], [0.0]], 1e200)
    assert [c.derivatives_of_cost_by_weight_per_sample for c in net.connections] == lists


@pytest.mark.parametrize("call, message", [
    (lambda n: n.nudge_parameters(True), "`step_size` must be a positive number, got True"),
    (lambda n: n.fit(np.array([[1 + 2j, 0]]), [[1.0]], progress=False), "`X` must be an array"),
])
def test_bools_and_complex_numbers_are_not_numbers_here(call, message):
    net = Network.layered([2, 1], seed=0)
    net.train_sample([0.1, 0.2], [1.0])
    with pytest.raises(ValueError, match=message):
        call(net)


@pytest.mark.parametrize("call, error, message", [
    (lambda: Network.layered([2, 1], seed="abc"), ValueError, "`seed` must be None, a non-negative"),
    (lambda: Network.layered([2, 1], seed=-1), ValueError, "`seed` must be None, a non-negative"),
    (lambda: Network.layered([2, 1], seed=0).fit([[0.0, 1.0]], [[1.0]], seed=1.5, progress=False),
     ValueError, "`seed` must be"),
    (lambda: InputLayer(1)[0].connect_to(OutputLayer(1)[0], weight="abc"), ValueError,
     "`weight` must be a number, got 'abc'"),
    (lambda: InputLayer(2).fully_connect_to(OutputLayer(1), weights="ab"), ValueError,
     r"`weights` must be an array of numbers of shape \(1, 2\)"),
    (lambda: HiddenLayer(3, static="ab"), ValueError, "`static` must be True, False or neuron"),
    (lambda: neurograph.gradient_check("net", [0.0], [0.0]), TypeError,
     "`network` must be a Network, got str"),
    (lambda: neurograph.draw_network("net"), TypeError, "`network` must be a Network, got str"),
])
def test_odd_arguments_get_errors_that_name_them(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_deep_copy_keeps_one_source_of_truth_and_shares_nothing_with_the_original():
    # copy.deepcopy copies an array.array and the numpy arrays viewing it one by one: the copy's
    # `weights` must again view its own buffer, which connections and the object engine use
    import copy

    from neurograph.convolution import convolution, max_pooling

    rng = np.random.default_rng(0)
    networks = [Network.layered([3, 4, 2], seed=0),
                Network.convolutional((6, 6), [convolution(2, kernel_size=3, learn=True),
                                               max_pooling(2)], [2], seed=0)]
    for net in networks:
        X = rng.random((8, net.input_layer.size))
        Y = np.eye(2)[rng.integers(0, 2, 8)]
        net.fit(X, Y, epochs=1, batch_size=4, learning_rate=0.1, momentum=0.9, progress=False)
        before = [layer.weights.copy() for layer in net.receiving_layers]
        twin = copy.deepcopy(net)
        for layer in twin.receiving_layers:
            layer.weights[...] = 0.5 * layer.weights + 0.01  # through the numpy view
        twin.propagate(X[0])  # through the connections' windows
        np.testing.assert_allclose(twin.output_layer.activations, twin.predict(X[:1])[0],
                                   atol=1e-12)
        for layer, weights in zip(net.receiving_layers, before):
            np.testing.assert_array_equal(layer.weights, weights)  # the original untouched
        # both engines train the copy the same, from the copied velocities
        other = copy.deepcopy(twin)
        twin.fit(X, Y, epochs=1, batch_size=4, learning_rate=0.1, momentum=0.9,
                 progress=False, shuffle=False)
        other.fit(X, Y, epochs=1, batch_size=4, learning_rate=0.1, momentum=0.9,
                  progress=False, shuffle=False, engine="object")
        for a, b in zip(twin.receiving_layers, other.receiving_layers):
            np.testing.assert_allclose(a.weights, b.weights, atol=1e-12)
            np.testing.assert_allclose(a.weight_velocity, b.weight_velocity, atol=1e-12)
