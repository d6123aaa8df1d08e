"""Lesions: silenced neurons and connections, restored exactly."""
import numpy as np
import pytest

from neurograph import Network, lesion_report


def test_a_silenced_neuron_is_seen_as_activation_zero_by_both_engines():
    net = Network.layered([2, 3, 1], activation="tanh", seed=0)
    hidden = net.hidden_layers[0][1]
    x = np.array([0.3, -0.8])
    with net.lesioned(hidden):
        lesioned_object = net.propagate(x)
        lesioned_vector = net.predict([x])[0]
    # by hand: the output without hidden neuron 1's contribution
    h = np.tanh(net.hidden_layers[0].weights @ x + net.hidden_layers[0].biases)
    h[1] = 0.0
    expected = np.tanh(net.output_layer.weights @ h + net.output_layer.biases)
    np.testing.assert_allclose(lesioned_object, expected, rtol=1e-12)
    np.testing.assert_allclose(lesioned_vector, expected, rtol=1e-12)
    assert not np.allclose(net.propagate(x), expected)  # restored: the neuron counts again


def test_everything_is_restored_exactly_even_on_an_exception():
    net = Network.layered([3, 4, 2], seed=1)
    before = [l.weights.copy() for l in net.receiving_layers]
    items = [net.hidden_layers[0][0], net.connections[5], net.input_layer[2]]
    with pytest.raises(RuntimeError):
        with net.lesioned(items):
            assert net.connections[5].weight == 0.0
            assert all(c.weight == 0.0 for c in net.input_layer[2].outputs)
            raise RuntimeError("boom")
    for layer, w in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)


@pytest.mark.parametrize("items, error, message", [
    (lambda n: n.output_layer[0], ValueError, "no outgoing connections to silence"),
    (lambda n: Network.layered([2, 1], seed=0).input_layer[0], ValueError, "not in this network"),
    (lambda n: [n.connections[0], "x"], TypeError, "must be neurons or connections"),
    (lambda n: 3, TypeError, "must be neurons or connections"),
])
def test_bad_items_are_refused_before_anything_changes(items, error, message):
    net = Network.layered([2, 3, 1], seed=0)
    before = [l.weights.copy() for l in net.receiving_layers]
    with pytest.raises(error, match=message):
        with net.lesioned(items(net)):
            pass
    for layer, w in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)


def test_the_report_lists_each_hidden_neuron_largest_drop_first():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (200, 2))
    Y = ((X[:, 0] > 0.5) != (X[:, 1] > 0.5)).astype(float).reshape(-1, 1)
    net = Network.layered([2, 6, 1], activation="tanh", seed=2, bias_clamp=None)
    net.fit(X - 0.5, Y, epochs=200, batch_size=10, learning_rate=0.5, seed=0, progress=False)
    baseline = net.evaluate(X - 0.5, Y)["accuracy"]
    report = lesion_report(net, X - 0.5, Y)
    assert [r.neuron for r in report] != [] and len(report) == 6
    assert sorted(r.neuron.index for r in report) == list(range(6))
    changes = [r.change for r in report]
    assert changes == sorted(changes)
    for result in report:
        with net.lesioned(result.neuron):
            assert net.evaluate(X - 0.5, Y)["accuracy"] == pytest.approx(result.accuracy)
        assert result.change == pytest.approx(result.accuracy - baseline)
    assert report[0].change < 0  # some neuron matters
    with pytest.raises(ValueError, match="accuracy can be measured"):
        lesion_report(net, X - 0.5, Y * 0.5)


def test_a_neuron_sending_to_two_layers_is_silenced_in_both():
    net = Network.layered([2, 3, 2, 1], connect="all", activation="tanh", seed=0)
    hidden = net.layers[1][1]
    assert {c.output_neuron.layer.index for c in hidden.outputs} == {2, 3}
    x = np.array([0.3, -0.8])
    with net.lesioned(hidden):
        assert all(c.weight == 0.0 for c in hidden.outputs)
        lesioned_object, lesioned_vector = net.propagate(x), net.predict([x])[0]
    # by hand: hidden neuron 1's activation read as 0 by both later layers
    h1, h2, out = net.layers[1], net.layers[2], net.layers[3]
    a1 = np.tanh(h1.weights @ x + h1.biases)
    a1[1] = 0.0
    a2 = np.tanh(h2.weights @ np.concatenate([x, a1]) + h2.biases)
    expected = np.tanh(out.weights @ np.concatenate([x, a1, a2]) + out.biases)
    np.testing.assert_allclose(lesioned_object, expected, rtol=1e-12)
    np.testing.assert_allclose(lesioned_vector, expected, rtol=1e-12)
    assert not np.allclose(net.propagate(x), expected)


def test_a_neuron_sending_through_dropout_and_past_it_is_silenced_on_both_paths():
    from neurograph import HiddenLayer, InputLayer, OutputLayer
    from neurograph.layers.dropout import DropoutLayer

    inputs, hidden, drop, out = InputLayer(2), HiddenLayer(3, "tanh"), DropoutLayer(3, 0.5), \
        OutputLayer(1, "identity")
    inputs.fully_connect_to(hidden, seed=0)
    drop.receive_from(hidden)
    drop.fully_connect_to(out, seed=1)
    hidden[0].connect_to(out[0], 0.75)  # and straight past the dropout layer
    net = Network([inputs, hidden, drop, out])
    x = np.array([0.5, -0.25])
    with net.lesioned(hidden[0]):
        silenced = net.predict([x])[0]
    a = np.tanh(hidden.weights @ x + hidden.biases)
    a[0] = 0.0
    expected = out.weights @ np.concatenate([a, a]) + out.biases
    np.testing.assert_allclose(silenced, expected, rtol=1e-12)
