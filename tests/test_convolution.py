"""Convolution and pooling layers: their windows, shared weights, both engines, the gradients."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, StaticNeuron, gradient_check
from neurograph.convolution import (AveragePoolingLayer, ConvolutionLayer, MaxPoolingConnection,
                                    MaxPoolingLayer, MaxPoolingNeuron, average_pooling,
                                    convolution, kernel_bank, max_pooling)


def reference_convolution(image, kernels, biases, stride=1, padding=0):
    """z[m, y, x] by plain loops over the padded image: an independent reference."""
    channels, height, width = image.shape
    maps, _, kh, kw = kernels.shape
    padded = np.zeros((channels, height + 2 * padding, width + 2 * padding))
    padded[:, padding:padding + height, padding:padding + width] = image
    out_h = (height + 2 * padding - kh) // stride + 1
    out_w = (width + 2 * padding - kw) // stride + 1
    z = np.zeros((maps, out_h, out_w))
    for m in range(maps):
        for y in range(out_h):
            for x in range(out_w):
                window = padded[:, y * stride:y * stride + kh, x * stride:x * stride + kw]
                z[m, y, x] = biases[m] + (window * kernels[m]).sum()
    return z


def small_net(learn=True, activation="tanh", seed=0, bias_clamp=(-0.5, 0.5)):
    """2 x 7 x 7 images -> 3 maps (padded) -> max pool (overlapping) -> 2 maps (stride 2)
    -> average pool -> 4 -> 3: every kind of layer and option, small enough to loop over."""
    front = [convolution(3, kernel_size=3, padding=1, learn=learn, activation=activation),
             max_pooling(2, stride=1),
             convolution(2, kernel_size=2, stride=2, learn=learn, activation="tanh"),
             average_pooling(2, stride=1)]
    return Network.convolutional((2, 7, 7), front, [4, 3], activation="tanh", seed=seed,
                                 bias_clamp=bias_clamp)


def max_pooling_gap(net, x) -> float:
    """The smallest gap between the two largest inputs of a max-pooling window for ``x``.

    Max pooling has a kink where two inputs tie: a finite difference of step h straddles it
    when the gap is under about 2h, and then disagrees with the derivative (which is right).
    """
    net.propagate(x)
    gaps = [np.inf]
    for layer in net.layers:
        if isinstance(layer, MaxPoolingLayer):
            for neuron in layer.neurons:
                top = sorted((c.input_neuron.activation for c in neuron.inputs), reverse=True)
                gaps.append(top[0] - top[1])
    return min(gaps)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.random((12, 98)), np.eye(3)[rng.integers(0, 3, 12)]


# -- structure ---------------------------------------------------------------------------------


def test_shapes_sizes_and_connections():
    net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [10], seed=0)
    conv, pool = net.layers[1], net.layers[2]
    assert conv.shape == (12, 26, 26) and conv.size == 12 * 26 * 26
    assert pool.shape == (12, 13, 13) and pool.input_shape == (12, 26, 26)
    assert conv.n_connections == conv.size * 9 == len(conv.connections)
    assert pool.n_connections == conv.size == len(pool.connections)
    assert conv.weights.shape == (12, 1, 3, 3) and conv.biases.shape == (12,)
    assert all(isinstance(n, StaticNeuron) for n in conv.neurons)
    assert repr(net) == ("Network(784-8112-2028-10, relu/identity/softmax, cross_entropy cost, "
                         f"{9 * 8112 + 8112 + 20280} connections)")


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (1, 1), (2, 1), (3, 2)])
def test_each_neuron_sees_its_window(stride, padding):
    conv = ConvolutionLayer((2, 6, 7), 2, kernel_size=3, stride=stride, padding=padding, seed=0)
    inputs = InputLayer(shape=(2, 6, 7))
    Network([inputs, conv, OutputLayer(1)])
    _, out_h, out_w = conv.shape
    assert (out_h, out_w) == ((6 + 2 * padding - 3) // stride + 1,
                              (7 + 2 * padding - 3) // stride + 1)
    for neuron in conv.neurons:
        m, y, x = conv.position(neuron.index)
        expected = set()
        for c in range(2):
            for i in range(3):
                for j in range(3):
                    row, column = y * stride + i - padding, x * stride + j - padding
                    if 0 <= row < 6 and 0 <= column < 7:
                        expected.add(((c * 6 + row) * 7 + column, (m, c, i, j)))
        seen = {(connection.input_neuron.index,
                 np.unravel_index(connection._k, conv.weights.shape)) for connection in neuron.inputs}
        assert seen == expected
        assert neuron.bias == conv.biases[m]


def test_object_engine_matches_a_loop_convolution():
    rng = np.random.default_rng(1)
    kernels = rng.normal(size=(3, 2, 3, 2))
    conv = ConvolutionLayer((2, 5, 6), kernels, stride=2, padding=1, activation="identity")
    net = Network([InputLayer(shape=(2, 5, 6)), conv, OutputLayer(1)])
    conv.biases[:] = [0.1, -0.2, 0.3]
    image = rng.random((2, 5, 6))
    net.propagate(image.ravel())
    expected = reference_convolution(image, kernels, conv.biases, stride=2, padding=1)
    assert np.allclose(conv.activations, expected.ravel(), atol=1e-12)
    assert np.allclose(net.predict(image.ravel()[None])[0], net.output_layer.activations)
    from neurograph.engines.vectorized import forward

    assert np.allclose(forward(net, image.ravel()[None])[1][0], expected.ravel(), atol=1e-12)


def test_the_edge_bank_finds_edges_and_lines():
    bank = kernel_bank("edges_and_lines")
    assert bank.shape == (12, 3, 3)
    assert np.allclose(bank.sum(axis=(1, 2)), 0.0)  # blind to flat areas
    image = np.zeros((7, 7))
    image[4:, :] = 1.0  # dark above, bright below: a horizontal edge
    responses = reference_convolution(image[None], bank[:, None], np.zeros(12)).max(axis=(1, 2))
    assert responses.argmax() == 0 and responses[4] <= 0.0  # map 0: "dark above"
    line = np.zeros((7, 7))
    line[:, 3] = 1.0  # a bright vertical line
    responses = reference_convolution(line[None], bank[:, None], np.zeros(12)).max(axis=(1, 2))
    assert responses.argmax() == 9  # map 9: a vertical line


def test_kernels_given_for_one_channel_apply_to_every_channel():
    conv = ConvolutionLayer((3, 5, 5), np.ones((2, 3, 3)))
    assert conv.weights.shape == (2, 3, 3, 3) and np.all(conv.weights == 1.0)


def test_shared_weights_are_one_number():
    net = Network.convolutional((1, 5, 5), [convolution(2, kernel_size=3, learn=True)], [2], seed=0)
    conv = net.layers[1]
    sharing = [c for c in conv.connections if c._k == 4]  # kernel entry (0, 0, 1, 1)
    assert len(sharing) == 9
    sharing[0].weight = 0.75
    assert conv.weights[0, 0, 1, 1] == 0.75
    assert all(c.weight == 0.75 for c in sharing)
    conv.neurons[3].bias = 0.25  # map 0: neurons 0-8 share it
    assert conv.biases[0] == 0.25 and conv.neurons[8].bias == 0.25 and conv.neurons[9].bias == 0


def test_pooling_neurons():
    rng = np.random.default_rng(2)
    net = Network([InputLayer(shape=(2, 4, 4)), MaxPoolingLayer((2, 4, 4), 2),
                   OutputLayer(1, "identity")], bias_clamp=None)
    image = rng.random((2, 4, 4))
    net.propagate(image.ravel())
    pool = net.layers[1]
    expected = image.reshape(2, 2, 2, 2, 2).max(axis=(2, 4))
    assert np.array_equal(pool.activations, expected.ravel())
    neuron = pool.neurons[5]  # channel 1, (0, 1)
    assert isinstance(neuron, MaxPoolingNeuron) and neuron.bias == 0.0
    winner = neuron.winner
    assert winner.input_neuron.activation == neuron.activation
    assert [c.weight for c in neuron.inputs].count(1.0) == 1 and winner.weight == 1.0
    with pytest.raises(AttributeError, match="max-pooling"):
        winner.weight = 0.5
    with pytest.raises(AttributeError, match="no bias"):
        neuron.bias = 0.5

    average = AveragePoolingLayer((2, 4, 4), 2)
    Network([InputLayer(shape=(2, 4, 4)), average, OutputLayer(1)])
    assert average.weights.tolist() == [0.25] and average.biases.size == 0
    average.network.propagate(image.ravel())
    assert np.allclose(average.activations, image.reshape(2, 2, 2, 2, 2).mean(axis=(2, 4)).ravel())


def test_max_pooling_sends_the_derivative_to_the_winner_only():
    pool, output = MaxPoolingLayer((1, 4, 4), 2), OutputLayer(1, "identity")
    pool.fully_connect_to(output, np.ones((1, 4)))
    net = Network([InputLayer(shape=(1, 4, 4)),
                   ConvolutionLayer((1, 4, 4), np.ones((1, 1, 1, 1)), activation="identity"),
                   pool, output], bias_clamp=None)
    image = np.arange(16.0)[::-1]  # the top-left of each window is largest
    net.clear()
    net.train_sample(image, [0.0])
    conv, pool = net.layers[1], net.layers[2]
    dcda = np.array(conv.record.derivatives_of_cost_by_activation[0]).reshape(4, 4)
    winners = pool.record.winners[0]
    assert winners == [0, 2, 8, 10]
    assert np.count_nonzero(dcda) == 4 and all(dcda.ravel()[w] != 0 for w in winners)


# -- the batch operations against loops over windows ------------------------------------------


def attached(layer, shape):
    """``layer`` reading an input layer of ``shape`` (the batch operations need the layer
    before)."""
    layer.receive_from(InputLayer(shape=shape))
    return layer


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (1, 1), (2, 2), (3, 1)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_convolution_batch_backward_and_gradients_match_loops(channels, stride, padding, dtype):
    """dC/da of the inputs and the kernels' summed derivatives, for a batch, against plain loops
    over every window (one channel and several take different routes through the arrays)."""
    rng = np.random.default_rng(channels + 10 * stride + 100 * padding)
    conv = attached(ConvolutionLayer((channels, 7, 8), 2, kernel_size=3, stride=stride,
                                     padding=padding, learn=True, seed=1, dtype=dtype),
                    (channels, 7, 8))
    batch, (maps, out_h, out_w) = 3, conv.shape
    a = rng.normal(size=(batch, channels * 7 * 8)).astype(dtype)
    delta = rng.normal(size=(batch, conv.size)).astype(dtype)
    z, cache = conv.forward_batch(a, keep=True)
    d = conv.backward_batch(delta, a, cache)
    gradients = conv.gradients_batch(delta, a, cache, 0.5)
    assert z.dtype == d.dtype == gradients["weights"].dtype == gradients["biases"].dtype == dtype

    kernels = conv.kernels.astype(float)
    images = a.astype(float).reshape(batch, channels, 7, 8)
    padded = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    deltas = delta.astype(float).reshape(batch, maps, out_h, out_w)
    expected_d = np.zeros_like(padded)
    expected_w = np.zeros_like(kernels)
    for b in range(batch):
        for m in range(maps):
            for y in range(out_h):
                for x in range(out_w):
                    rows = slice(y * stride, y * stride + 3)
                    columns = slice(x * stride, x * stride + 3)
                    expected_d[b, :, rows, columns] += kernels[m] * deltas[b, m, y, x]
                    expected_w[m] += padded[b, :, rows, columns] * deltas[b, m, y, x]
    expected_d = expected_d[:, :, padding:padding + 7, padding:padding + 8]
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(d, expected_d.reshape(batch, -1), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(gradients["weights"], 0.5 * expected_w, rtol=tolerance,
                               atol=tolerance)
    np.testing.assert_allclose(gradients["biases"], 0.5 * deltas.sum(axis=(0, 2, 3)),
                               rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 3), (2, 1), (3, 2)])
def test_max_pooling_batch_winners_are_the_first_of_equals(size, stride):
    """With many ties (small integers), each window's winner is its first largest input in
    reading order, as MaxPoolingNeuron.eval picks it; backwards each window's derivative goes
    to its winner only (summed where overlapping windows share one)."""
    rng = np.random.default_rng(size + 10 * stride)
    shape, batch = (2, 7, 8), 4
    pool = attached(MaxPoolingLayer(shape, size, stride), shape)
    a = rng.integers(0, 3, size=(batch, 2 * 7 * 8)).astype(float)
    delta = rng.normal(size=(batch, pool.size))
    z, cache = pool.forward_batch(a, keep=True)
    winners = pool.batch_record(a, delta, None, cache).winners
    d = pool.backward_batch(delta, a, cache)

    _, out_h, out_w = pool.shape
    expected_d = np.zeros((batch, a.shape[1]))
    for b in range(batch):
        for n in range(pool.size):
            c, y, x = pool.position(n)
            window = [(c * 7 + y * stride + i) * 8 + x * stride + j
                      for i in range(size) for j in range(size)]
            values = a[b, window]
            first = window[int(np.flatnonzero(values == values.max())[0])]
            assert z[b, n] == values.max() and winners[b, n] == first
            expected_d[b, first] += delta[b, n]
    np.testing.assert_allclose(d, expected_d, rtol=1e-15, atol=0)
    assert not np.signbit(d[d == 0]).any()  # a loser gets 0, never -0 (as the object engine)


def test_max_pooling_a_window_of_more_than_256_inputs():
    """A 17 x 17 window has 289 offsets: the last one can win."""
    pool = attached(MaxPoolingLayer((1, 17, 17), 17), (1, 17, 17))
    a = np.zeros((2, 289))
    a[0, -1], a[1, 200] = 1.0, 2.0
    z, cache = pool.forward_batch(a, keep=True)
    assert z.ravel().tolist() == [1.0, 2.0]
    assert pool.batch_record(a, z, None, cache).winners.ravel().tolist() == [288, 200]
    d = pool.backward_batch(np.array([[3.0], [4.0]]), a, cache)
    assert np.flatnonzero(d).tolist() == [288, 289 + 200] and d.sum() == 7.0


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make, match", [
    (lambda: ConvolutionLayer((784,)), "height, width"),
    (lambda: ConvolutionLayer(InputLayer(784)), "no image shape"),
    (lambda: ConvolutionLayer((0, 5)), "input_shape"),
    (lambda: ConvolutionLayer((5, 5), "sobel"), "edges_and_lines"),
    (lambda: ConvolutionLayer((5, 5), np.ones((2, 2))), "kernels"),
    (lambda: ConvolutionLayer((5, 5), np.full((1, 3, 3), np.nan)), "finite"),
    (lambda: ConvolutionLayer((2, 5, 5), np.ones((1, 3, 3, 3))), "3 channels, but the input has 2"),
    (lambda: ConvolutionLayer((5, 5), 0), "kernels"),
    (lambda: ConvolutionLayer((5, 5), 2, kernel_size=6), "does not fit"),
    (lambda: ConvolutionLayer((5, 5), stride=0), "stride"),
    (lambda: ConvolutionLayer((5, 5), padding=-1), "padding"),
    (lambda: ConvolutionLayer((5, 5), padding=3), "smaller than the window"),
    (lambda: ConvolutionLayer((5, 5), learn="yes"), "learn"),
    (lambda: ConvolutionLayer((5, 5), activation="softmax"), "output layer only"),
    (lambda: MaxPoolingLayer((5, 5), 6), "does not fit"),
    (lambda: AveragePoolingLayer((5, 5), 2, stride=True), "stride"),
    (lambda: InputLayer(10, shape=(3, 3)), "holds 9 inputs"),
    (lambda: Network([InputLayer(25), ConvolutionLayer((4, 4)), OutputLayer(1)]),
     "reads a 1 x 4 x 4 image, but .* has 25 neurons"),
    (lambda: Network.convolutional((5, 5), [HiddenLayer(3)], [2]), "front"),
])
def test_bad_layers_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_refused_network_joins_nothing():
    inputs, conv = InputLayer(shape=(1, 6, 6)), ConvolutionLayer((1, 6, 6), 2, kernel_size=3)
    wrong = MaxPoolingLayer((3, 4, 4), 2)  # conv makes 2 x 4 x 4
    with pytest.raises(ValueError, match="reads a 3 x 4 x 4 image"):
        Network([inputs, conv, wrong, OutputLayer(1)])
    assert inputs.receivers == [] and conv.previous is None and conv.n_connections == 0
    assert inputs.neurons[0].outputs == []


def test_connections_into_a_convolution_layer_are_its_own():
    net = Network.convolutional((1, 4, 4), [convolution(1, kernel_size=2, learn=True)], [2],
                                seed=0)
    inputs, conv = net.layers[0], net.layers[1]
    before = conv.n_connections, len(inputs.neurons[0].outputs)
    with pytest.raises(ValueError, match="makes its own connections"):
        inputs.fully_connect_to(conv)
    with pytest.raises(ValueError, match="makes its own connections"):
        inputs.neurons[5].connect_to(conv.neurons[0])
    assert (conv.n_connections, len(inputs.neurons[0].outputs)) == before
    with pytest.raises(TypeError, match="nudge its layer"):
        conv.neurons[0].nudge_parameters(0.1)


# -- training: both engines, shared gradients ------------------------------------------------


def assert_same_state(a, b, tolerance=1e-9):
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        for x, y in zip(la._save_state(), lb._save_state()):
            assert np.allclose(x, y, rtol=0, atol=tolerance), la
        for field in ("input_activations", "deltas", "derivatives_of_cost_by_activation"):
            x, y = getattr(la.record, field), getattr(lb.record, field)
            if isinstance(la, OutputLayer) and field == "derivatives_of_cost_by_activation":
                continue
            assert np.allclose(np.asarray(x), np.asarray(y), rtol=0, atol=tolerance), (la, field)
        if isinstance(la, MaxPoolingLayer):
            assert np.array_equal(np.asarray(la.record.winners), np.asarray(lb.record.winners))


@pytest.mark.parametrize("learn", [True, False])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_the_engines_agree_on_a_convolutional_network(data, learn, momentum):
    X, Y = data
    by_objects, vectorized = small_net(learn), small_net(learn)
    start = [layer._save_state() for layer in by_objects.receiving_layers]
    for net, engine in ((by_objects, "object"), (vectorized, "vectorized")):
        net.fit(X, Y, epochs=3, batch_size=5, learning_rate=0.2, momentum=momentum,
                engine=engine, seed=0, progress=False)
    assert_same_state(by_objects, vectorized)
    pool = lambda net: net.layers[2]  # noqa: E731
    assert [n.winner.input_neuron.index for n in pool(by_objects).neurons] == \
        [n.winner.input_neuron.index for n in pool(vectorized).neurons]
    assert np.allclose(by_objects.layers[3].activations, vectorized.layers[3].activations,
                       rtol=0, atol=1e-12)
    kernels_moved = not np.array_equal(start[0][0], by_objects.layers[1].weights)
    assert kernels_moved == learn
    head_moved = not np.array_equal(start[-1][0], by_objects.output_layer.weights)
    assert head_moved


def test_a_shared_weight_moves_by_the_sum_of_its_connections_means(data):
    X, Y = data
    net = small_net()
    conv = net.layers[1]
    before = conv.weights.copy()
    net.clear()
    for x, y in zip(X[:3], Y[:3]):
        net.train_sample(x, y)
    sharing = [c for c in conv.connections if c._k == 7]
    means = [np.mean(c.derivatives_of_cost_by_weight_per_sample) for c in sharing]
    net.nudge_parameters(0.5)
    change = conv.weights.reshape(-1)[7] - before.reshape(-1)[7]
    assert len(sharing) > 1
    assert change == pytest.approx(-0.5 * sum(means), rel=1e-12)
    assert abs(change - (-0.5 * np.mean(means))) > 1e-6  # the mean would be the post's bug


def test_gradient_check_covers_shared_weights(data):
    X, Y = data
    net = small_net()
    assert max_pooling_gap(net, X[1]) > 2e-3  # away from max pooling's kink (h = 1e-3)
    result = gradient_check(net, X[1], Y[1])
    assert result.max_relative_error < 1e-6
    net.clear()
    net.train_sample(X[1], Y[1])
    kernel_derivatives = [np.mean(c.derivatives_of_cost_by_weight_per_sample)
                          for c in net.layers[1].connections]
    assert np.count_nonzero(kernel_derivatives) > 100  # derivatives do reach the kernels
    parameters = sum(layer.weights.size + layer.biases.size for layer in net.layers[1:5])
    parameters += sum(layer.size * (1 + layer.previous.size) for layer in net.layers[5:])
    activations = sum(layer.size for layer in net.layers[1:-1])
    assert result.n_checked == parameters + activations


def test_gradient_check_catches_a_wrong_shared_derivative(data, monkeypatch):
    """Summing the shared weight's derivatives is what makes the check pass: take the mean
    over its connections instead and the check fails."""
    from neurograph.teaching import gradcheck

    X, Y = data
    original = gradcheck._parameters

    def averaged(layer, record):
        counts = np.bincount([c._k for c in layer.connections], minlength=layer.weights.size) \
            if hasattr(layer, "kernel_size") else None
        for array, index, analytic, where, quantity in original(layer, record):
            if quantity.startswith("kernel entry") and counts is not None:
                analytic /= counts[index]
            yield array, index, analytic, where, quantity

    monkeypatch.setattr(gradcheck, "_parameters", averaged)
    result = gradient_check(small_net(), X[1], Y[1])
    assert result.max_relative_error > 0.5 and result.quantity.startswith("kernel entry")


def test_static_kernels_stay_and_the_fit_learns(data):
    X, Y = data
    net = Network.convolutional((2, 7, 7), [convolution(), max_pooling(2)], [3], seed=0)
    kernels = net.layers[1].weights.copy()
    history = net.fit(X, Y, epochs=20, batch_size=4, learning_rate=0.1, seed=0, progress=False)
    assert np.array_equal(net.layers[1].weights, kernels)
    assert history.cost[-1] < history.cost[0] / 2


def test_random_kernels_come_from_the_networks_seed():
    a = Network.convolutional((8, 8), [convolution(4, kernel_size=3)], [2], seed=5)
    b = Network.convolutional((8, 8), [convolution(4, kernel_size=3)], [2], seed=5)
    c = Network.convolutional((8, 8), [convolution(4, kernel_size=3)], [2], seed=6)
    assert np.array_equal(a.layers[1].weights, b.layers[1].weights)
    assert not np.array_equal(a.layers[1].weights, c.layers[1].weights)
    bank = Network.convolutional((8, 8), [convolution()], [2], seed=6)
    assert np.array_equal(bank.layers[1].weights[:, 0], kernel_bank("edges_and_lines"))


@settings(max_examples=25)
@given(channels=st.integers(1, 2), side=st.integers(4, 7), maps=st.integers(1, 3),
       k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1),
       pool=st.sampled_from([None, "max", "average"]), seed=st.integers(0, 2**16))
def test_engines_and_gradients_on_random_shapes(channels, side, maps, k, stride, padding, pool,
                                                seed):
    padding = min(padding, k - 1)
    front = [convolution(maps, kernel_size=k, stride=stride, padding=padding, learn=True,
                         activation="tanh")]
    conv_side = (side + 2 * padding - k) // stride + 1
    if pool is not None and conv_side >= 2:
        front.append((max_pooling if pool == "max" else average_pooling)(2, stride=1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, channels * side * side))
    Y = np.eye(2)[rng.integers(0, 2, 4)]
    nets = [Network.convolutional((channels, side, side), front, [3, 2], activation="tanh",
                                  seed=seed) for _ in range(2)]
    for net, engine in zip(nets, ("object", "vectorized")):
        net.fit(X, Y, epochs=2, batch_size=3, learning_rate=0.1, momentum=0.5, engine=engine,
                seed=0, progress=False)
    assert_same_state(*nets)
    if max_pooling_gap(nets[0], X[0]) > 1e-2:  # else the finite difference meets the kink
        assert gradient_check(nets[0], X[0], Y[0]).max_relative_error < 1e-6


def test_the_object_engine_trains_a_static_front_end_on_real_digits():
    """The default front-end on bundled MNIST digits: the readable engine, neuron by neuron,
    ends where the vectorized one does."""
    from neurograph.io.datasets import _load_sample

    X, Y = _load_sample().training_set(limit=20)
    nets = [Network.convolutional((28, 28), [convolution(), max_pooling(3)], [16, 10], seed=0)
            for _ in range(2)]
    for net, engine in zip(nets, ("object", "vectorized")):
        net.fit(X, Y, epochs=1, batch_size=10, learning_rate=0.05, momentum=0.9, engine=engine,
                seed=0, progress=False)
    assert_same_state(*nets)


def test_fit_runs_a_static_front_end_forward_only_but_the_last_batch(monkeypatch):
    """Nothing below the first trainable layer needs a delta to train: only the batch whose
    record is kept (the last) goes back through the static convolution and the pooling."""
    calls = []
    original = MaxPoolingLayer.backward_batch

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MaxPoolingLayer, "backward_batch", counting)
    net = Network.convolutional((6, 6), [convolution(), max_pooling(2)], [5, 3], seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 1, (40, 36)), np.eye(3)[rng.integers(0, 3, 40)]
    net.fit(X, Y, epochs=2, batch_size=8, learning_rate=0.1, progress=False)  # 10 batches
    assert len(calls) == 1
    assert len(net.layers[2].record) == 8  # and that batch's record is whole
