"""explain, trace and lesion on networks with convolution and pooling layers.

Every number is checked against one worked out here from the arrays (the kernels, the input
window, the records), not against the explanation's own code.
"""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neurograph import Network, animate_trace, draw_step, lesion_report  # noqa: E402
from neurograph.convolution import average_pooling, convolution, max_pooling  # noqa: E402

NUMBER = r"\(?(-?[0-9.]+(?:e[-+]?\d+)?)\)?"
SIDE, K = 6, 3  # 6 x 6 images, 3 x 3 kernels: 2 maps of 4 x 4, pooled to 2 x 2


def numbers(text):
    return [float(v) for v in re.findall(NUMBER, text)]


def line_of(text, start):
    return next(line for line in text.splitlines() if line.strip().startswith(start))


def conv_net(pool=max_pooling, bias_clamp=None):
    net = Network.convolutional((1, SIDE, SIDE), [
        convolution(2, kernel_size=K, learn=True, seed=1, activation="tanh"), pool(2)],
        [3, 2], seed=0, bias_clamp=bias_clamp)
    net.layers[1].biases[:] = [0.1, -0.2]  # so that the shared bias shows in z
    return net


def data(n=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, SIDE * SIDE)), np.eye(2)[rng.integers(0, 2, n)]


def window(image, y, x):
    """The 3 x 3 window of a 6 x 6 image at (y, x), stride 1, no padding."""
    return np.asarray(image).reshape(SIDE, SIDE)[y:y + K, x:x + K]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- explain: a convolution neuron -----------------------------------------------------------


@pytest.mark.parametrize("index", [0, 5, 16 + 10])  # map 0 (0, 0), map 0 (1, 1), map 1 (2, 2)
def test_a_convolution_neuron_s_z_is_its_kernel_on_its_window_plus_its_map_s_bias(index):
    net = conv_net()
    x = np.random.default_rng(3).uniform(-1, 1, SIDE * SIDE)
    net.propagate(x)
    conv = net.layers[1]
    m, y, col = index // 16, index // 4 % 4, index % 4
    kernel = conv.kernels[m, 0]
    expected_z = float((kernel * window(x, y, col)).sum() + conv.biases[m])
    neuron = conv[index]
    text = neuron.explain(max_terms=9)
    assert f"map {m}, row {y}, column {col}:" in text
    assert f"rows {y}-{y + 2}, columns {col}-{col + 2}" in text
    assert f"the bias is map {m}'s, shared by its 16 neurons" in text
    z_line = line_of(text, "z =")
    terms, total = z_line.split("=")[1], float(z_line.split("=")[-1].strip(" ()"))
    products = [(float(w), float(a)) for w, a in re.findall(NUMBER + r" x " + NUMBER, terms)]
    bias = float(re.search(r"bias " + NUMBER, terms).group(1))
    assert bias == pytest.approx(conv.biases[m], rel=1e-2)
    # in window order: kernel entry (i, j) times input (y + i, x + j)
    np.testing.assert_allclose(products, np.column_stack([kernel.ravel(),
                                                          window(x, y, col).ravel()]),
                               rtol=1e-2, atol=1e-3)
    assert total == pytest.approx(expected_z, rel=1e-2, abs=1e-3)
    assert sum(w * a for w, a in products) + bias == pytest.approx(expected_z, rel=2e-2, abs=5e-3)
    assert numbers(line_of(text, "a = tanh("))[-1] == pytest.approx(np.tanh(expected_z),
                                                                     rel=1e-2, abs=1e-3)


@pytest.mark.parametrize("index", [5, 16 + 5])
def test_the_shared_bias_nudge_is_the_sum_of_the_means_of_the_map_s_neurons(index):
    net = conv_net()
    X, Y = data()
    conv = net.layers[1]
    kernels, before = conv.kernels.copy(), conv.biases.copy()
    net.train_batch(X, Y, 0.5)
    m, y, x = index // 16, index // 4 % 4, index % 4
    neuron = conv[index]
    deltas = np.array([n.derivatives_of_cost_by_bias_per_sample
                       for n in conv.neurons[16 * m:16 * (m + 1)]])
    total = deltas.mean(axis=1).sum()  # (16 neurons of map m, 3 samples)
    assert before[m] - 0.5 * total == pytest.approx(conv.biases[m])  # the reference is right
    text = neuron.explain(max_terms=9)
    # z is the last sample's, made with the kernels and bias from before the nudge
    z_line = line_of(text, "z =")
    assert float(re.search(r"bias " + NUMBER, z_line).group(1)) == pytest.approx(before[m],
                                                                                 rel=1e-2)
    assert numbers(z_line)[-1] == pytest.approx(
        (kernels[m, 0] * window(X[-1], y, x)).sum() + before[m], rel=1e-2, abs=1e-3)
    sum_line = line_of(text, f"map {m}'s bias is shared by 16 neurons")
    assert numbers(sum_line.split("=", 1)[1])[-1] == pytest.approx(total, rel=1e-2, abs=1e-5)
    assert numbers(sum_line.split("this one's")[1])[0] == pytest.approx(
        np.mean(neuron.derivatives_of_cost_by_bias_per_sample), rel=1e-2, abs=1e-5)
    nudge = line_of(text, f"nudge: bias of map {m}")
    shown_before, step, shown_sum, after = numbers(nudge.replace(f"map {m}", ""))
    assert (shown_before, step) == (pytest.approx(before[m], rel=1e-2), 0.5)
    assert shown_sum == pytest.approx(total, rel=1e-2, abs=1e-5)
    assert after == pytest.approx(conv.biases[m], rel=1e-2)


# -- explain: a connection into a convolution layer ------------------------------------------


def sharers_means(conv, k):
    """The mean of the per-sample list of every connection applying kernel entry ``k``."""
    return [np.mean(c.derivatives_of_cost_by_weight_per_sample)
            for c in conv.connections if c._k == k]


def test_a_kernel_entry_moves_by_the_sum_of_the_means_of_all_its_connections():
    net = conv_net()
    X, Y = data()
    conv = net.layers[1]
    kernels_before = conv.kernels.copy()
    net.train_batch(X, Y, 0.5)
    connection = conv[5].inputs[4]  # neuron (0, 1, 1), kernel centre: input (2, 2)
    assert connection.input_neuron.index == 2 * SIDE + 2
    # the kernel entry this connection applies is (0, 0, 1, 1): found from the weights alone
    entry = (0, 0, 1, 1)
    assert connection.weight == conv.kernels[entry]
    means = sharers_means(conv, connection._k)
    assert len(means) == 16
    total = sum(means)
    change = kernels_before[entry] - conv.kernels[entry]
    assert change == pytest.approx(0.5 * total)  # the reference is the real update
    assert total != pytest.approx(np.mean(per_sample := connection.
                                          derivatives_of_cost_by_weight_per_sample), rel=0.1)
    text = connection.explain()
    assert "kernel entry (0, 0, 1, 1) (map, channel, row, column), shared with 15 other" in text
    for s, value in enumerate(per_sample, start=1):
        delta, activation, product = numbers(line_of(text, f"sample {s}:").split(":", 1)[1])
        assert activation == pytest.approx(X[s - 1, 2 * SIDE + 2], rel=1e-2)
        assert product == pytest.approx(value, rel=1e-2, abs=1e-5)
    sum_line = line_of(text, "the nudge moves the shared weight by the SUM")
    assert "of all 16 connections" in sum_line
    assert numbers(sum_line.split("=", 1)[1])[-1] == pytest.approx(total, rel=1e-2, abs=1e-5)
    nudge = line_of(text, "nudge: kernel entry")
    shown_before, step, shown_sum, after = numbers(nudge.split(")", 1)[1])
    assert shown_before == pytest.approx(kernels_before[entry], rel=1e-2)
    assert step == 0.5 and shown_sum == pytest.approx(total, rel=1e-2, abs=1e-5)
    assert after == pytest.approx(conv.kernels[entry], rel=1e-2)
    carried = line_of(text, "carried")
    activation, weight, strength = numbers(carried)
    assert weight == pytest.approx(kernels_before[entry], rel=1e-2)  # the weight z was made with


def test_with_momentum_the_kernel_entry_s_nudge_line_is_the_real_update():
    net = conv_net()
    X, Y = data(4)
    net.fit(X, Y, epochs=2, batch_size=4, learning_rate=0.3, momentum=0.9, shuffle=False,
            engine="object", progress=False)
    conv = net.layers[1]
    connection = conv[10].inputs[0]
    entry = np.unravel_index(connection._k, conv.kernels.shape)
    total = sum(sharers_means(conv, connection._k))
    line = line_of(connection.explain(), "nudge with momentum")
    m, previous, step, shown_sum, velocity, before, velocity_again, after = numbers(
        line.replace("nudge with momentum:", "").replace(f"kernel entry {tuple(map(int, entry))}",
                                                         ""))
    assert (m, step) == (0.9, 0.3)
    assert shown_sum == pytest.approx(total, rel=1e-2, abs=1e-5)
    assert velocity == pytest.approx(conv.weight_velocity[entry], rel=1e-2, abs=1e-6)
    assert velocity == pytest.approx(m * previous - step * total, rel=2e-2, abs=1e-4)
    assert after == pytest.approx(conv.kernels[entry], rel=1e-2)
    assert after == pytest.approx(before + velocity, rel=2e-2, abs=1e-3)


def test_after_a_vectorized_fit_convolution_explanations_are_those_of_the_object_engine():
    X, Y = data(4)
    a, b = conv_net(), conv_net()
    for net, engine in ((a, "object"), (b, "vectorized")):
        net.fit(X, Y, batch_size=4, learning_rate=0.3, momentum=0.5, shuffle=False,
                engine=engine, progress=False)
    for get, trained in ((lambda n: n.layers[1][7], "trained on 4 sample(s)"),
                         (lambda n: n.layers[1][7].inputs[3], "SUM of the means of all 16"),
                         (lambda n: n.layers[2][5], "trained on 4 sample(s)")):
        assert trained in get(a).explain()
        assert get(a).explain() == get(b).explain()


def test_a_fixed_kernel_is_named_but_not_nudged():
    net = Network.convolutional((SIDE, SIDE), [convolution(), max_pooling(2)], [2], seed=0)
    X, Y = data()
    net.train_batch(X, Y, 0.5)
    conv = net.layers[1]
    connection = conv[16 * 4 + 0].inputs[1]  # map 4, entry (4, 0, 0, 1)
    text = connection.explain()
    assert "kernel entry (4, 0, 0, 1)" in text and "(a fixed kernel)" in text
    assert numbers(line_of(text, "nudge: none"))[-1] == pytest.approx(conv.kernels[4, 0, 0, 1])
    assert "a static neuron keeps its bias" in conv[16 * 4].explain()


# -- explain: pooling ----------------------------------------------------------------------------


def test_a_max_pooling_neuron_s_z_is_its_largest_input_and_the_winner_is_named():
    net = conv_net()
    x = np.random.default_rng(5).uniform(-1, 1, SIDE * SIDE)
    net.propagate(x)
    maps = net.layers[1].activations.reshape(2, 4, 4)
    for index in range(8):
        c, y, col = index // 4, index // 2 % 2, index % 2
        values = maps[c, 2 * y:2 * y + 2, 2 * col:2 * col + 2]
        i, j = np.unravel_index(values.argmax(), values.shape)
        winner = (c * 4 + 2 * y + i) * 4 + 2 * col + j
        text = net.layers[2][index].explain()
        z_line = line_of(text, "z = max(")
        assert re.search(rf"from layer 1 #{winner} \(channel {c}, row {2 * y + i}, column "
                         rf"{2 * col + j}\), which won", z_line)
        shown = numbers(z_line.split("max(")[1].split(") =")[0])
        assert shown == pytest.approx(values.ravel().tolist(), rel=1e-2, abs=1e-3)
        assert numbers(z_line.split("=")[2])[0] == pytest.approx(values.max(), rel=1e-2)
        assert "bias" not in z_line


def test_after_training_a_max_pooling_neuron_says_where_each_sample_s_delta_went():
    net = conv_net()
    X, Y = data(4, seed=2)
    conv, pool = net.layers[1], net.layers[2]
    kernels, biases = conv.kernels.copy(), conv.biases.copy()  # what the samples met
    net.train_batch(X, Y, 0.5)
    neuron = pool[6]  # channel 1, row 1, column 0: rows 2-3, columns 0-1 of map 1
    text = neuron.explain()
    deltas = neuron.derivatives_of_cost_by_bias_per_sample
    for s, x in enumerate(X):
        # map 1 for sample s, computed here from the kernels
        a = np.array([[np.tanh((kernels[1, 0] * window(x, y, c)).sum() + biases[1])
                       for c in range(4)] for y in range(4)])
        values = a[2:4, 0:2]
        i, j = np.unravel_index(values.argmax(), values.shape)
        winner = 16 + (2 + i) * 4 + j
        line = line_of(text, f"sample {s + 1}:")
        assert f"all of it to its winner layer 1 #{winner} (channel 1, row {2 + i}, column {j})" \
            in line
        assert numbers(line.split("delta = dC/da x identity'(z) =")[1])[0] == pytest.approx(
            deltas[s], rel=1e-2, abs=1e-5)
    assert "nudge: none, a pooling neuron has no bias and no weights" in text
    assert "mean of derivatives_of_cost_by_bias" not in text


def test_a_max_pooling_connection_is_explained_as_a_switch():
    net = conv_net()
    X, Y = data(4, seed=2)
    net.train_batch(X, Y, 0.5)
    pool = net.layers[2]
    neuron = pool[6]
    winners = [int(w[6]) for w in pool.record.winners]
    values = [c.input_activation for c in neuron.inputs]
    last = neuron.inputs[int(np.argmax(values))]  # the winner of the last sample propagated
    loser = next(c for c in neuron.inputs if c is not last)
    text = loser.explain()
    assert "a switch, not a parameter" in text
    match = re.search(rf"lost to layer 1 #{last.input_neuron.index} .* with {NUMBER}, so it "
                      "carried 0", text)
    assert float(match.group(1)) == pytest.approx(last.input_activation, rel=1e-2)
    for s, w in enumerate(winners, start=1):
        line = line_of(text, f"sample {s}:")
        if w == loser.input_neuron.index:
            assert "won: delta" in line
        else:
            assert f"lost to layer 1 #{w} " in line
    assert "nudge: none, a switch is not a parameter" in text
    assert "won, so it carried it into the receiver's z" in last.explain()


def test_an_average_pooling_neuron_is_the_mean_of_its_window():
    net = conv_net(pool=average_pooling)
    X, Y = data()
    net.train_batch(X, Y, 0.5)
    pool = net.layers[2]
    x = np.random.default_rng(4).uniform(-1, 1, SIDE * SIDE)
    net.propagate(x)
    maps = net.layers[1].activations.reshape(2, 4, 4)
    text = pool[3].explain()  # channel 0, row 1, column 1
    assert "channel 0, row 1, column 1: the mean of its 2 x 2 window (rows 2-3, columns 2-3)" in text
    z_line = line_of(text, "z =")
    pairs = [(float(w), float(a)) for w, a in re.findall(NUMBER + r" x " + NUMBER, z_line)]
    assert [w for w, _ in pairs] == [0.25] * 4 and "bias" not in z_line
    assert sorted(a for _, a in pairs) == pytest.approx(sorted(maps[0, 2:4, 2:4].ravel()),
                                                        rel=1e-2, abs=1e-3)
    assert numbers(z_line)[-1] == pytest.approx(maps[0, 2:4, 2:4].mean(), rel=1e-2, abs=1e-3)
    connection = pool[3].inputs[0]
    assert "its weight is 1/4, the layer's one weight, shared with 31 other connections" in \
        connection.explain()


# -- trace ---------------------------------------------------------------------------------------


def test_a_trace_of_a_convolution_network_trains_like_train_batch_and_sums_shared_derivatives():
    X, Y = data()
    traced, plain = conv_net(), conv_net()
    t = traced.trace(X, Y, step_size=0.5)
    plain.train_batch(X, Y, 0.5)
    for a, b in zip(traced.receiving_layers, plain.receiving_layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.biases, b.biases)
    assert len(t) == 1 + 3 * 6 + 1
    conv = traced.layers[1]
    np.testing.assert_array_equal(t.weights_after[0], conv.kernels)
    # the step that trains the convolution layer for sample 2: dC/dK[m, 0, i, j] is the sum
    # over the map's neurons (y, x) of delta[m, y, x] x input[y + i, x + j]
    step = next(s for s in t.steps if s.title == "5. train hidden layer 1 (sample 2)")
    delta = step.neuron_values[1].reshape(2, 4, 4)
    np.testing.assert_allclose(delta.ravel(), np.asarray(conv.record.deltas[1]), rtol=1e-12)
    image = X[1].reshape(SIDE, SIDE)
    expected = np.array([[[[(delta[m] * image[i:i + 4, j:j + 4]).sum() for j in range(K)]
                           for i in range(K)]] for m in range(2)])
    np.testing.assert_allclose(step.connection_values[0], expected, rtol=1e-10, atol=1e-15)
    assert step.connection_values[1].shape == (0,)  # max pooling: no weight
    # step 7: the kernels' change, and each conv neuron's bias change is its map's
    nudge = t.steps[-1]
    np.testing.assert_allclose(nudge.connection_values[0], conv.kernels - t.weights_before[0])
    assert nudge.connection_values[0].shape == (2, 1, K, K) and np.abs(
        nudge.connection_values[0]).min() > 0
    bias_change = conv.biases - t.biases_before[0]
    np.testing.assert_allclose(nudge.neuron_values[1], np.repeat(bias_change, 16))
    assert np.isnan(nudge.neuron_values[2]).all()  # pooling neurons have no bias


def test_a_trace_of_a_convolution_network_is_not_drawn(tmp_path):
    net = conv_net()
    X, Y = data()
    t = net.trace(X, Y, 0.5)
    with pytest.raises(ValueError, match="cannot draw a trace of a network with Convolution"):
        draw_step(t, 0)
    with pytest.raises(ValueError, match="share weights"):
        animate_trace(t, tmp_path / "trace.gif")
    assert not (tmp_path / "trace.gif").exists()


# -- lesions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("item, message", [
    (lambda n: n.input_layer[7], r"its connections go into ConvolutionLayer.*shared"),
    (lambda n: n.layers[1][3], r"its connections go into MaxPoolingLayer.*switches"),
    (lambda n: n.layers[1][3].inputs[0], r"it goes into ConvolutionLayer.*shared"),
    (lambda n: n.layers[2][0].inputs[0], r"it goes into MaxPoolingLayer.*switches"),
    (lambda n: [n.connections[-1], n.layers[3][0], n.input_layer[0]], "cannot silence Input"),
])
def test_items_feeding_a_shared_layer_are_refused_and_nothing_changes(item, message):
    net = conv_net()
    net.propagate(data(1)[0][0])
    before = [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]
    with pytest.raises(ValueError, match=message):
        with net.lesioned(item(net)):
            pass
    for layer, (w, b) in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)
        np.testing.assert_array_equal(layer.biases, b)


def test_a_pooling_neuron_feeding_the_dense_head_is_silenced_in_both_engines():
    net = conv_net()
    x = data(1)[0][0]
    pool, head, out = net.layers[2], net.layers[3], net.output_layer
    net.propagate(x)
    pooled = pool.activations.copy()
    pooled[5] = 0.0  # by hand: the head without pooling neuron 5
    h = np.maximum(head.weights @ pooled + head.biases, 0.0)
    z = out.weights @ h + out.biases
    expected = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    with net.lesioned(pool[5]):
        np.testing.assert_allclose(net.propagate(x), expected, rtol=1e-12)
        np.testing.assert_allclose(net.predict([x])[0], expected, rtol=1e-12)
    assert head.weights[:, 5].any()  # restored


def test_the_lesion_report_of_a_convolution_network_covers_the_dense_hidden_neurons_only():
    X, Y = data(30, seed=4)
    net = conv_net()
    report = lesion_report(net, X, Y)
    assert sorted((r.neuron.layer.index, r.neuron.index) for r in report) == [(3, 0), (3, 1),
                                                                              (3, 2)]
    baseline = net.evaluate(X, Y)["accuracy"]
    for result in report:
        with net.lesioned(result.neuron):
            assert net.evaluate(X, Y)["accuracy"] == pytest.approx(result.accuracy)
        assert result.change == pytest.approx(result.accuracy - baseline)
    no_head = Network.convolutional((SIDE, SIDE), [convolution(2, seed=0), max_pooling(2)],
                                    [2], seed=0)
    assert lesion_report(no_head, X, Y) == []
