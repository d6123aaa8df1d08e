"""The two engines train the same network to the same state: one source of truth."""
import numpy as np
import pytest

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer


def sparse_static_network(seed, activation="tanh", output="sigmoid", cost="quadratic",
                          bias_clamp=(-0.8, 0.8)):
    """4-5-3-2 with a sparse first layer pair and two static neurons."""
    rng = np.random.default_rng(seed)
    inputs = InputLayer(4)
    hidden1 = HiddenLayer(5, activation, static=[0, 3])
    hidden2 = HiddenLayer(3, activation)
    outputs = OutputLayer(2, output)
    for j, neuron in enumerate(hidden1):
        for i in (j % 4, (j + 2) % 4):  # each hidden neuron sees two of the four inputs
            inputs[i].connect_to(neuron, weight=rng.uniform(-1, 1))
        neuron.bias = rng.uniform(-1, 1)
    hidden1.fully_connect_to(hidden2, seed=rng)
    hidden2.fully_connect_to(outputs, seed=rng)
    for neuron in list(hidden2) + list(outputs):
        neuron.bias = rng.uniform(-0.5, 0.5)
    return Network([inputs, hidden1, hidden2, outputs], cost=cost, bias_clamp=bias_clamp)


def data(n, n_in, n_out, seed, one_hot=False):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, n_in))
    if one_hot:
        Y = np.eye(n_out)[rng.integers(0, n_out, n)]
    else:
        Y = rng.uniform(0, 1, (n, n_out))
    return X, Y


def state(net):
    """Every parameter and every per-sample list, as plain numbers."""
    params = [(l.weights.copy(), l.biases.copy(), l.weight_velocity.copy(), l.bias_velocity.copy())
              for l in net.receiving_layers]
    lists = {
        "weights": [c.derivatives_of_cost_by_weight_per_sample for c in net.connections],
        "biases": [n.derivatives_of_cost_by_bias_per_sample for l in net.receiving_layers
                   for n in l],
        "activations": [n.derivatives_of_cost_by_activation for l in net.hidden_layers for n in l],
    }
    neurons = [(n.activation, getattr(n, "z", 0.0)) for n in net.neurons]
    return params, lists, neurons


def assert_same_state(a, b, tolerance=1e-9, trained=True):
    (params_a, lists_a, neurons_a), (params_b, lists_b, neurons_b) = state(a), state(b)
    for pa, pb in zip(params_a, params_b):
        for x, y in zip(pa, pb):
            np.testing.assert_allclose(x, y, rtol=0, atol=tolerance)
    for key in lists_a:
        assert len(lists_a[key]) == len(lists_b[key])
        for x, y in zip(lists_a[key], lists_b[key]):
            assert len(x) == len(y) and (len(x) > 0) == trained
            np.testing.assert_allclose(x, y, rtol=0, atol=tolerance, err_msg=key)
    np.testing.assert_allclose(neurons_a, neurons_b, rtol=0, atol=tolerance)


CASES = {
    "dense sigmoid quadratic": (lambda s: Network.layered([3, 6, 4, 2], seed=s), 3, 2, False),
    "dense relu, identity out": (lambda s: Network.layered(
        [3, 6, 2], activation="relu", output_activation="identity", init="he", seed=s,
        bias_clamp=None), 3, 2, False),
    "sparse + static + clamp": (lambda s: sparse_static_network(s), 4, 2, False),
    "tight clamp": (lambda s: sparse_static_network(s, bias_clamp=(-0.05, 0.05)), 4, 2, False),
    "softmax cross-entropy": (lambda s: Network.layered(
        [3, 5, 4], activation="leaky_relu", output_activation="softmax", cost="cross_entropy",
        seed=s), 3, 4, True),
    "softmax quadratic": (lambda s: Network.layered(
        [3, 5, 4], activation="tanh", output_activation="softmax", seed=s), 3, 4, True),
    "sigmoid binary cross-entropy": (lambda s: sparse_static_network(
        s, cost="binary_cross_entropy"), 4, 2, False),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("hidden_derivative", ["sum", "mean"])
def test_engines_leave_the_same_parameters_and_lists(case, momentum, hidden_derivative):
    build, n_in, n_out, one_hot = CASES[case]
    X, Y = data(23, n_in, n_out, seed=1, one_hot=one_hot)  # 23: the last batch is short
    a, b = build(7), build(7)
    a.hidden_derivative = b.hidden_derivative = hidden_derivative  # "mean": the post's bug
    assert_same_state(a, b, tolerance=0, trained=False)
    kwargs = dict(epochs=2, batch_size=5, learning_rate=0.3, momentum=momentum, seed=3,
                  progress=False)
    history_a = a.fit(X, Y, engine="object", **kwargs)
    history_b = b.fit(X, Y, engine="vectorized", **kwargs)
    assert_same_state(a, b)
    assert len(a.output_layer[0].derivatives_of_cost_by_bias_per_sample) == 3  # 23 = 4 x 5 + 3
    np.testing.assert_allclose(history_a.cost, history_b.cost, rtol=1e-9)
    # and training did something: parameters moved away from the start
    start = build(7)
    assert not np.allclose(start.output_layer.weights, a.output_layer.weights)


def test_static_neurons_and_missing_connections_stay_put_in_the_vectorized_engine():
    net = sparse_static_network(2)
    hidden = net.hidden_layers[0]
    before = hidden.weights.copy(), hidden.biases.copy()
    X, Y = data(30, 4, 2, seed=0)
    net.fit(X, Y, epochs=3, batch_size=4, learning_rate=0.5, progress=False)
    np.testing.assert_array_equal(hidden.weights[[0, 3]], before[0][[0, 3]])
    np.testing.assert_array_equal(hidden.biases[[0, 3]], before[1][[0, 3]])
    np.testing.assert_array_equal(hidden.weights[~hidden.mask], 0.0)
    assert not np.array_equal(hidden.weights[1], before[0][1])


def test_the_vectorized_engine_clamps_biases():
    net = Network.layered([2, 3, 1], seed=0, bias_clamp=(-0.1, 0.1))
    X, Y = data(40, 2, 1, seed=0)
    net.fit(X, Y * 10, epochs=1, batch_size=4, learning_rate=1.0, progress=False)
    for layer in net.receiving_layers:
        assert np.all(np.abs(layer.biases) <= 0.1)
    assert np.any(np.abs(net.output_layer.biases) == 0.1)


def test_one_vectorized_step_matches_arithmetic_done_by_hand():
    # The 1-1-2 identity network of test_network.test_one_nudge_matches_arithmetic_done_by_hand,
    # trained on the same two samples in one mini-batch.
    from test_network import hand_network
    net = hand_network()
    net.fit([[2.0], [0.0]], [[1.0, -2.0], [0.0, 0.0]], batch_size=2, learning_rate=0.1,
            shuffle=False, progress=False)
    (w_h,), (w1,), (w2,) = [n.inputs for n in net.neurons[1:]]
    assert [w1.weight, w2.weight, w_h.weight] == pytest.approx([0.988, -2.036, 0.6])
    assert [n.bias for n in net.neurons[2:]] + [net.neurons[1].bias] == pytest.approx(
        [-0.02, 0.44, 0.2])
    assert net.neurons[1].derivatives_of_cost_by_activation == pytest.approx([-1.0, -1.0])


def test_float32_trains_and_stays_float32():
    net = Network.layered([3, 8, 2], seed=0, dtype="float32")
    reference = Network.layered([3, 8, 2], seed=0)
    X, Y = data(50, 3, 2, seed=0)
    net.fit(X, Y, epochs=3, batch_size=5, learning_rate=0.5, seed=1, progress=False)
    reference.fit(X, Y, epochs=3, batch_size=5, learning_rate=0.5, seed=1, progress=False)
    assert net.output_layer.weights.dtype == np.float32
    assert net.predict(X).dtype == np.float32
    np.testing.assert_allclose(net.output_layer.weights, reference.output_layer.weights,
                               atol=1e-4)
    assert isinstance(net.connections[0].weight, float)


@pytest.mark.parametrize("activation, output, cost", [
    ("relu", "softmax", "cross_entropy"),
    ("sigmoid", "identity", "quadratic"),
    ("leaky_relu", "sigmoid", "binary_cross_entropy"),
    ("tanh", "softmax", "quadratic"),
])
def test_train_batch_of_a_float32_network_computes_in_float32(activation, output, cost):
    # A float64 array anywhere (a derivative, a softmax, a cost) would make the backward
    # products run in float64, at twice the time and memory.
    from neurograph.engines.vectorized import train_batch
    from neurograph.optimizers import SGD
    kwargs = dict(activation=activation, output_activation=output, cost=cost, seed=0)
    net = Network.layered([20, 8, 4], dtype="float32", **kwargs)
    reference = Network.layered([20, 8, 4], **kwargs)
    X, Y = data(16, 20, 4, seed=2, one_hot=True)
    X = (X + 1) / 2  # pixel-like, in [0, 1]
    result = train_batch(net, X.astype(np.float32), Y.astype(np.float32), SGD(0.1, momentum=0.9))
    expected = train_batch(reference, X, Y, SGD(0.1, momentum=0.9))
    for name, arrays, references in zip(["activations", "zs", "deltas", "dcdas"], result,
                                        expected):
        for k, (array, reference_array) in enumerate(zip(arrays, references)):
            if reference_array is None:  # the output layer's dC/da
                assert array is None
                continue
            assert array.dtype == np.float32, f"{name}[{k}]"
            np.testing.assert_allclose(array, reference_array, rtol=1e-3, atol=1e-5,
                                       err_msg=f"{name}[{k}]")
    for layer in net.receiving_layers:
        for array in (layer.weights, layer.biases, layer.weight_velocity, layer.bias_velocity):
            assert array.dtype == np.float32
    np.testing.assert_allclose(net.output_layer.weights, reference.output_layer.weights,
                               atol=1e-5)
