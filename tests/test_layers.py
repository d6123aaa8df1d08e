"""Building graphs by hand: layers, connect_to, fully_connect_to, and what they refuse."""
import numpy as np
import pytest

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, StaticNeuron


def snapshot(*layers):
    """Everything a rejected call must leave unchanged."""
    state = []
    for layer in layers:
        state.append([len(getattr(n, "outputs", [])) + len(getattr(n, "inputs", []))
                      for n in layer])
        state.append(getattr(layer, "previous", None))
        state.append(getattr(layer, "next", None))
        mask = getattr(layer, "mask", None)
        state.append(None if mask is None else mask.copy().tolist())
    return state


def test_layers_make_their_neurons():
    hidden = HiddenLayer(3, "tanh", static=[1])
    assert len(hidden) == 3
    assert [type(n).__name__ for n in hidden] == ["HiddenNeuron", "StaticNeuron", "HiddenNeuron"]
    assert [n.index for n in hidden] == [0, 1, 2]
    assert hidden.trainable.tolist() == [True, False, True]
    assert repr(hidden) == "HiddenLayer(index ?, 3 neurons, tanh)"


@pytest.mark.parametrize("make", [InputLayer, HiddenLayer, OutputLayer])
@pytest.mark.parametrize("size", [0, -2, 1.5, True, "3"])
def test_an_empty_or_odd_layer_size_is_refused(make, size):
    with pytest.raises(ValueError, match="`size` must be a positive integer"):
        make(size)


def test_static_indices_are_checked():
    with pytest.raises(ValueError, match=r"`static` indices must be in \[0, 2\), got \[5\]"):
        HiddenLayer(2, static=[5])


def test_connect_to_makes_one_connection_window():
    inputs, outputs = InputLayer(3), OutputLayer(2)
    connection = inputs[2].connect_to(outputs[1], weight=0.75)
    assert connection.input_neuron is inputs[2] and connection.output_neuron is outputs[1]
    assert inputs[2].outputs == [connection] and outputs[1].inputs == [connection]
    assert outputs.weights.shape == (2, 3)
    assert outputs.weights[1, 2] == 0.75 and outputs.mask.sum() == 1
    connection.weight = -1.5
    assert outputs.weights[1, 2] == -1.5
    outputs.weights[1, 2] = 4.0
    assert connection.weight == 4.0


def test_fully_connect_to_connects_every_pair_with_given_weights():
    inputs, hidden = InputLayer(2), HiddenLayer(3)
    weights = np.arange(6.0).reshape(3, 2)
    made = inputs.fully_connect_to(hidden, weights)
    assert len(made) == 6 and hidden.mask.all()
    for c in made:
        assert c.weight == weights[c.output_neuron.index, c.input_neuron.index]
    assert [len(n.outputs) for n in inputs] == [3, 3]


def test_fully_connect_to_default_weights_are_the_posts_uniform_and_seeded():
    a, b = InputLayer(20), HiddenLayer(30)
    a.fully_connect_to(b, seed=4)
    c, d = InputLayer(20), HiddenLayer(30)
    c.fully_connect_to(d, seed=4)
    np.testing.assert_array_equal(b.weights, d.weights)
    assert -0.5 <= b.weights.min() < -0.4 and 0.4 < b.weights.max() <= 0.5


def two_layers_and_a_third():
    inputs, hidden, outputs = InputLayer(2), HiddenLayer(2), OutputLayer(1)
    inputs.fully_connect_to(hidden, seed=0)
    hidden.fully_connect_to(outputs, seed=1)
    return inputs, hidden, outputs


REFUSED = [
    ("itself", lambda i, h, o: h[0].connect_to(h[0]), ValueError, "to itself"),
    ("same layer", lambda i, h, o: h[0].connect_to(h[1]), ValueError, "same layer"),
    ("to an input neuron", lambda i, h, o: h[0].connect_to(i[0]), TypeError,
     "must be a hidden or output neuron"),
    ("twice", lambda i, h, o: i[0].connect_to(h[1]), ValueError, "already connected"),
    ("layer twice", lambda i, h, o: i.fully_connect_to(h), ValueError, "already connected"),
    ("layer to itself", lambda i, h, o: h.fully_connect_to(h), ValueError, "to itself"),
]


def test_a_layer_may_send_to_any_later_layer_and_receive_from_several():
    """A skip connection: the input feeds the hidden layer and the output; the output reads
    both, one block of columns each, and every connection is a window onto its block."""
    i, h, o = two_layers_and_a_third()
    made = i.fully_connect_to(o, [[0.25, -0.5]])
    assert o.sources == [h, i] and i.receivers == [h, o]
    assert o.weights.shape == (1, 4) and o.offset_of(i) == 2
    np.testing.assert_array_equal(o.block(i), [[0.25, -0.5]])
    made[1].weight = 0.75
    assert o.weights[0, 3] == 0.75 and o.input_column(made[1]) == 3
    first = o.neurons[0].inputs[0]  # from h, made before the block was added: moved with it
    assert first.input_neuron is h[0] and o.weights[0, 0] == first.weight
    assert [c.output_neuron.layer for c in i[0].outputs] == [h, h, o]


@pytest.mark.parametrize("name, call, error, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_connections_change_nothing(name, call, error, message):
    i, h, o = two_layers_and_a_third()
    before = snapshot(i, h, o)
    weights = (h.weights.copy(), o.weights.copy())
    with pytest.raises(error, match=message):
        call(i, h, o)
    assert snapshot(i, h, o) == before
    np.testing.assert_array_equal(h.weights, weights[0])
    np.testing.assert_array_equal(o.weights, weights[1])


def test_connecting_back_to_an_earlier_layer_is_refused():
    inputs, hidden, hidden2 = InputLayer(1), HiddenLayer(2), HiddenLayer(2)
    inputs.fully_connect_to(hidden)
    hidden.fully_connect_to(hidden2)
    before = snapshot(inputs, hidden, hidden2)
    with pytest.raises(ValueError, match="earlier layer"):
        hidden2[0].connect_to(hidden[1])
    with pytest.raises(ValueError, match="earlier"):
        hidden2.fully_connect_to(hidden)
    assert snapshot(inputs, hidden, hidden2) == before


def test_a_non_finite_weight_is_refused_before_anything_changes():
    inputs, outputs = InputLayer(1), OutputLayer(1)
    with pytest.raises(ValueError, match="`weight` must be finite, got inf"):
        inputs[0].connect_to(outputs[0], weight=float("inf"))
    assert outputs.previous is None and inputs[0].outputs == []
    with pytest.raises(ValueError, match="`weights` must have shape"):
        inputs.fully_connect_to(outputs, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="`weights` must be finite"):
        inputs.fully_connect_to(outputs, [[np.nan]])
    assert outputs.previous is None and inputs[0].outputs == []


def test_a_sparse_network_by_hand():
    inputs, hidden, outputs = InputLayer(3), HiddenLayer(2, "identity"), OutputLayer(1, "identity")
    inputs[0].connect_to(hidden[0], 1.0)
    inputs[2].connect_to(hidden[1], 2.0)
    hidden[0].connect_to(outputs[0], 1.0)
    hidden[1].connect_to(outputs[0], 1.0)
    net = Network([inputs, hidden, outputs], bias_clamp=None)
    assert len(net.connections) == 4
    assert hidden.mask.tolist() == [[True, False, False], [False, False, True]]
    assert net.propagate([1.0, 10.0, 3.0]).tolist() == [1.0 + 6.0]


def test_static_neuron_is_a_hidden_neuron():
    layer = HiddenLayer(1, static=True)
    assert isinstance(layer[0], StaticNeuron) and layer[0].static
