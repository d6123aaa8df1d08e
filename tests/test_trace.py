"""network.trace: the eight steps of one mini-batch, recorded and drawn."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from neurograph import Network, animate_trace, draw_step  # noqa: E402

X = [[0.0, 1.0], [1.0, 0.5]]
Y = [[1.0], [0.0]]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_a_trace_trains_like_train_batch_and_records_every_step():
    traced = Network.layered([2, 3, 2, 1], activation="tanh", seed=4)
    plain = Network.layered([2, 3, 2, 1], activation="tanh", seed=4)
    t = traced.trace(X, Y, step_size=0.3)
    plain.train_batch(X, Y, 0.3)
    for a, b in zip(traced.receiving_layers, plain.receiving_layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    titles = [s.title for s in t.steps]
    per_sample = ["3. propagate sample {s}", "3. set the desired activations (sample {s})",
                  "4. train the output layer (sample {s})", "5. train hidden layer 2 (sample {s})",
                  "5. train hidden layer 1 (sample {s})"]
    assert titles == (["1-2. clear the per-sample lists"]
                      + [p.format(s=s) for s in (1, 2) for p in per_sample]
                      + ["7. nudge every weight and bias by the mean of its list"])
    assert [s.step for s in t.steps] == [1] + [3, 3, 4, 5, 5] * 2 + [7]


def test_each_step_holds_the_numbers_the_network_had_then():
    net = Network.layered([2, 3, 1], seed=0)
    t = net.trace(X, Y, step_size=0.5)
    # step 3 of sample 2: the activations then; the inputs are the sample
    propagate = t.steps[5]
    assert propagate.title == "3. propagate sample 2"
    np.testing.assert_array_equal(propagate.neuron_values[0], X[1])
    # step 4 of sample 2: the output deltas, and dC/dw = delta x input activation
    train = t.steps[7]
    output = net.output_layer
    assert train.neuron_values[2][0] == output[0].derivatives_of_cost_by_bias_per_sample[1]
    expected = [c.derivatives_of_cost_by_weight_per_sample[1] for c in output[0].inputs]
    np.testing.assert_allclose(train.connection_values[1][0], expected)
    assert np.isnan(train.neuron_values[1]).all()  # hidden layer not trained yet at step 4
    # step 7: the changes are after - before
    nudge = t.steps[-1]
    np.testing.assert_allclose(nudge.connection_values[0],
                               t.weights_after[0] - t.weights_before[0])
    np.testing.assert_allclose(nudge.neuron_values[2], t.biases_after[1] - t.biases_before[1])
    assert not np.allclose(t.weights_after[1], t.weights_before[1])


def test_draw_step_colours_by_the_steps_values_and_animate_writes_every_step(tmp_path):
    net = Network.layered([2, 3, 1], seed=0)
    t = net.trace(X, Y, step_size=0.5)
    ax = draw_step(t, 3)
    assert "train the output layer" in ax.get_title()
    lines = next(a for a in ax.get_children() if a.get_gid() == "connections")
    colors = lines.get_colors()
    derivatives = t.steps[3].connection_values
    from neurograph import network_layout
    for connection, color in zip(network_layout(net).connections, colors):
        value = derivatives[connection.output_neuron.layer.index - 1][
            connection.output_neuron.index, connection.input_neuron.index]
        if np.isnan(value):
            assert tuple(color) == pytest.approx((0.8, 0.8, 0.8, 0.5))
        elif value != 0:
            assert (color[0] > color[2]) == (value > 0)
    path = animate_trace(t, tmp_path / "trace.gif")
    assert Image.open(path).n_frames == len(t) == 10


@pytest.mark.parametrize("call, error, message", [
    (lambda n, t: n.trace([[0.0]], [[1.0]], 0.5), ValueError, r"`X` must have shape"),
    (lambda n, t: n.trace(X, Y, 0.0), ValueError, "`step_size` must be a finite positive"),
    (lambda n, t: n.trace(X, [[1.0]], 0.5), ValueError, "as many samples"),
    (lambda n, t: draw_step(t, 99), ValueError, "`k` must be a step number from 0 to 9"),
    (lambda n, t: animate_trace(t, "/no/such/folder/t.gif"), FileNotFoundError, "does not exist"),
])
def test_bad_arguments(call, error, message):
    net = Network.layered([2, 3, 1], seed=0)
    t = net.trace(X, Y, step_size=0.5)
    weights = [l.weights.copy() for l in net.receiving_layers]
    with pytest.raises(error, match=message):
        call(net, t)
    for layer, w in zip(net.receiving_layers, weights):
        np.testing.assert_array_equal(layer.weights, w)


def test_a_trace_of_a_graph_lays_each_layers_values_out_like_its_weights():
    traced = Network.layered([2, 3, 2, 1], connect="all", activation="tanh", seed=4)
    plain = Network.layered([2, 3, 2, 1], connect="all", activation="tanh", seed=4)
    t = traced.trace(X, Y, step_size=0.3)
    plain.train_batch(X, Y, 0.3)
    for a, b in zip(traced.receiving_layers, plain.receiving_layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    output = traced.output_layer
    assert output.weights.shape == (1, 2 + 3 + 2)
    train = next(s for s in t.steps if s.title == "4. train the output layer (sample 2)")
    values = train.connection_values[2]
    assert values.shape == output.weights.shape
    # column by column: every source's block, from the input (the skip connection) on
    expected = [c.derivatives_of_cost_by_weight_per_sample[1] for c in output[0].inputs]
    columns = [output.input_column(c) for c in output[0].inputs]
    assert columns == list(range(7))
    np.testing.assert_allclose(values[0, columns], expected)
    np.testing.assert_allclose(values[0, :2], train.neuron_values[3][0] * np.array(X[1]))
    nudge = t.steps[-1]
    np.testing.assert_allclose(nudge.connection_values[2],
                               t.weights_after[2] - t.weights_before[2])
