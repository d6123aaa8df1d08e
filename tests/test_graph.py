"""Any feed-forward graph of layers: connections from any earlier layer, the engines equal
and the gradients right on random graphs, refusals that name both ends."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurograph import (HiddenLayer, InputLayer, Network, OutputLayer, gradient_check)
from neurograph.optimizers import SGD, Adam


@st.composite
def graphs(draw):
    """A random feed-forward graph: 1 to 3 hidden layers; each receiving layer reads a
    non-empty set of earlier layers, each block dense or sparse; some static neurons; every
    hidden layer read by a later one."""
    n_hidden = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(n_hidden + 2)]
    activations = [draw(st.sampled_from(["tanh", "sigmoid"])) for _ in range(n_hidden)]
    layers = [InputLayer(sizes[0])]
    for k in range(n_hidden):
        static = draw(st.lists(st.integers(0, sizes[k + 1] - 1), max_size=1, unique=True))
        layers.append(HiddenLayer(sizes[k + 1], activations[k], static=static))
    layers.append(OutputLayer(sizes[-1], draw(st.sampled_from(["sigmoid", "identity"]))))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    read = {k: set() for k in range(1, len(layers))}
    for k in range(1, len(layers)):
        earlier = draw(st.lists(st.integers(0, k - 1), min_size=1, max_size=k, unique=True))
        read[k].update(earlier)
    for k in range(1, len(layers) - 1):  # every hidden layer is read by someone later
        if not any(k in read[m] for m in range(k + 1, len(layers))):
            read[draw(st.integers(k + 1, len(layers) - 1))].add(k)
    for k in range(1, len(layers)):
        for source in sorted(read[k]):
            sender, receiver = layers[source], layers[k]
            if draw(st.booleans()):
                sender.fully_connect_to(receiver, rng.uniform(-1, 1, (receiver.size, sender.size)))
            else:  # sparse: each receiving neuron gets at least one connection
                for j, neuron in enumerate(receiver):
                    for i in sorted({j % sender.size, int(rng.integers(sender.size))}):
                        sender[i].connect_to(neuron, weight=float(rng.uniform(-1, 1)))
    for layer in layers[1:]:
        layer.biases[:] = rng.uniform(-0.5, 0.5, layer.size)
    clamp = draw(st.sampled_from([None, (-0.8, 0.8), (-0.2, 0.2)]))
    return layers, clamp


def build(description):
    layers, clamp = description
    return Network(layers, bias_clamp=clamp)


def copy_of(description):
    """The same graph again, from its description (layers can join one network only)."""
    import copy

    return copy.deepcopy(description)


def state(net):
    params = [layer.parameter(name).copy() for layer in net.receiving_layers
              for name in layer.parameter_names]
    slots = [values.copy() for _, s in sorted(net.optimizer.state.items())
             for values in s.arrays.values()]
    records = [np.asarray(getattr(layer.record, field)) for layer in net.receiving_layers
               for field in ("input_activations", "deltas")]
    return params, slots, records


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.sampled_from(["sgd", "momentum", "adam"]), st.integers(0, 100),
       st.sampled_from(["sum", "mean"]))
def test_the_engines_agree_on_any_graph(description, optimizer, seed, hidden_derivative):
    twin = copy_of(description)
    a, b = build(description), build(twin)
    a.hidden_derivative = b.hidden_derivative = hidden_derivative  # "mean": the post's bug
    n_in, n_out = a.input_layer.size, a.output_layer.size
    rng = np.random.default_rng(seed)
    X, Y = rng.uniform(-1, 1, (11, n_in)), rng.uniform(0, 1, (11, n_out))
    for net, engine in ((a, "object"), (b, "vectorized")):
        made = {"sgd": SGD(0.3), "momentum": SGD(0.3, momentum=0.9), "adam": Adam(0.05)}
        net.fit(X, Y, epochs=2, batch_size=4, optimizer=made[optimizer], engine=engine,
                seed=seed, progress=False)
    for part_a, part_b in zip(state(a), state(b)):
        assert len(part_a) == len(part_b)
        for x, y in zip(part_a, part_b):
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=0, atol=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(0, 100))
def test_backpropagation_is_right_on_any_graph(description, seed):
    net = build(description)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, net.input_layer.size)
    y = rng.uniform(0, 1, net.output_layer.size)
    assert gradient_check(net, x, y).max_relative_error < 1e-6


def test_connect_all_joins_every_layer_to_every_later_one():
    net = Network.layered([4, 3, 2, 2], connect="all", seed=0)
    assert [[s.index for s in layer.sources] for layer in net.receiving_layers] == \
        [[0], [0, 1], [0, 1, 2]]
    assert net.output_layer.weights.shape == (2, 4 + 3 + 2)
    assert len(net.input_layer[0].outputs) == 3 + 2 + 2
    chain = Network.layered([4, 3, 2, 2], seed=0)
    assert [[s.index for s in layer.sources] for layer in chain.receiving_layers] == \
        [[0], [1], [2]]


def test_a_hidden_neurons_derivative_sums_over_every_later_layer_it_reaches():
    """dC/da of a neuron read by two layers: the sum over all its outgoing connections."""
    inputs, hidden, hidden2, out = InputLayer(1), HiddenLayer(1, "identity"), \
        HiddenLayer(1, "identity"), OutputLayer(1, "identity")
    inputs.fully_connect_to(hidden, [[1.0]])
    hidden.fully_connect_to(hidden2, [[2.0]])
    hidden.fully_connect_to(out, [[3.0]])   # a skip connection
    hidden2.fully_connect_to(out, [[5.0]])
    net = Network([inputs, hidden, hidden2, out], bias_clamp=None)
    for layer in net.receiving_layers:
        layer.biases[:] = 0.0
    net.train_sample([1.0], [0.0])
    # a = 1, h2 = 2, out = 3 + 10 = 13; dC/dout = 26; dC/dh2 = 5 x 26 = 130;
    # dC/dh = 3 x 26 (to the output) + 2 x 130 (to h2) = 78 + 260 = 338
    assert hidden[0].derivatives_of_cost_by_activation == [338.0]


@pytest.mark.parametrize("make, message", [
    (lambda i, h, o: Network([i, o, h]), "layer 1 must be a HiddenLayer"),
    (lambda i, h, o: Network([i, HiddenLayer(2), o]),
     r"OutputLayer.* receives from HiddenLayer.*which is not in `layers`"),
])
def test_a_network_refuses_layers_out_of_order(make, message):
    i, h, o = InputLayer(2), HiddenLayer(2), OutputLayer(1)
    i.fully_connect_to(h)
    h.fully_connect_to(o)
    with pytest.raises((ValueError, TypeError), match=message):
        make(i, h, o)
    assert i.network is None and h.network is None


def test_the_order_must_put_every_layer_after_its_sources():
    i, h1, h2, o = InputLayer(2), HiddenLayer(2), HiddenLayer(2), OutputLayer(1)
    i.fully_connect_to(h1)
    h1.fully_connect_to(h2)
    h2.fully_connect_to(o)
    with pytest.raises(ValueError, match=r"layers must come after the layers they receive from: "
                                         r"HiddenLayer.* at position 1 receives from "
                                         r"HiddenLayer.* at position 2"):
        Network([i, h2, h1, o])


def test_parallel_convolution_branches_read_the_input():
    from neurograph.convolution import ConvolutionLayer

    inputs = InputLayer(shape=(6, 6))
    left = ConvolutionLayer(inputs, 2, kernel_size=3, learn=True, seed=0)
    right = ConvolutionLayer(inputs, 1, kernel_size=5, learn=True, seed=1)
    left.receive_from(inputs)
    right.receive_from(inputs)
    out = OutputLayer(3, "softmax")
    left.fully_connect_to(out, seed=2)
    right.fully_connect_to(out, seed=3)
    net = Network([inputs, left, right, out], cost="cross_entropy", bias_clamp=None)
    assert out.sources == [left, right] and out.weights.shape == (3, 2 * 16 + 4)
    x = np.random.default_rng(0).uniform(0, 1, 36)
    assert gradient_check(net, x, [0.0, 1.0, 0.0]).max_relative_error < 1e-6
    with pytest.raises(ValueError, match="reads one layer"):
        right.receive_from(left)


def test_explain_counts_every_outgoing_connection_and_reads_the_right_column():
    inputs, hidden, out = InputLayer(2), HiddenLayer(2, "identity"), OutputLayer(1, "identity")
    inputs.fully_connect_to(hidden, [[1.0, 0.0], [0.0, 1.0]])
    hidden.fully_connect_to(out, [[2.0, 3.0]])
    skip = inputs[1].connect_to(out[0], weight=5.0)
    net = Network([inputs, hidden, out], bias_clamp=None)
    for layer in net.receiving_layers:
        layer.biases[:] = 0.0
    net.train_batch([[1.0, 2.0]], [[0.0]], step_size=0.01)
    # out = 2 x 1 + 3 x 2 + 5 x 2 = 18, delta = 36; the skip connection's dC/dw = 36 x 2
    assert "36 x 2 = 72" in str(skip.explain())
    z_line = str(out[0].explain()).splitlines()[1]
    assert z_line == "  z = 2 x 1 + 3 x 2 + 5 x 2 + bias 0 = 18"  # the skip term read too


# -- found in review: a weight's column, not its sender's index, in every later block --------


def test_gradient_check_perturbs_every_weight_of_every_block():
    from neurograph.teaching import gradcheck

    net = Network.layered([2, 3, 1], activation="tanh", connect="all", seed=0)
    record = net.output_layer.record
    entries = list(net.output_layer.check_entries([0.5], [1.0, 2.0, 3.0, 4.0, 5.0]))
    assert [index for array, index, *_ in entries if array is net.output_layer.weights] == \
        [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4)]
    # analytic: delta 0.5 x each column's input, the hidden block's too
    assert [e[2] for e in entries if e[4] == "weight"] == [0.5, 1.0, 1.5, 2.0, 2.5]
    assert record is net.output_layer.record
    original = gradcheck._one_sample_records

    def corrupted(network, x, y):  # what an engine bug in the hidden block would look like
        records = original(network, x, y)
        rows = records[-1].input_activations
        records[-1].input_activations = [row[:2] + [10 * v for v in row[2:]] for row in rows]
        return records

    gradcheck._one_sample_records = corrupted
    try:
        result = gradient_check(net, [0.3, -0.2], [1.0])
    finally:
        gradcheck._one_sample_records = original
    assert result.max_relative_error > 0.5 and result.quantity == "weight"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_graph_is_put_back_and_the_weight_named():
    inputs = InputLayer(2)
    hidden = HiddenLayer(3, "identity", static=True)
    out = OutputLayer(1, "identity")
    inputs.fully_connect_to(hidden, [[0, 0], [1e200, 0], [0, 1e200]])
    inputs.fully_connect_to(out, [[0.1, 0.1]])
    hidden.fully_connect_to(out, [[0.1, 0.1, 0.1]])
    net = Network([inputs, hidden, out], bias_clamp=None)
    before = out.weights.copy()
    with pytest.raises(FloatingPointError, match=r"weight of Connection\(layer 1 #1 -> layer 2"):
        net.fit([[1.0, 1.0]], [[0.0]], learning_rate=0.1, progress=False)
    np.testing.assert_array_equal(out.weights, before)


def test_explain_shows_the_activation_a_later_block_really_read():
    net = Network.layered([2, 2, 1], connect="all", seed=0)
    net.train_sample([0.3, 0.7], [1.0])
    connection = next(c for c in net.output_layer[0].inputs if c.input_neuron.layer.index == 1)
    sender = connection.input_neuron.activation
    assert f"x {sender:.3g} = " in str(connection.explain())


def test_a_source_added_after_training_a_sample_starts_the_lists_afresh():
    net = Network.layered([2, 2, 1], seed=0)
    net.train_sample([0.3, 0.7], [1.0])
    skip = net.input_layer[0].connect_to(net.output_layer[0], weight=0.5)
    assert skip.derivatives_of_cost_by_weight_per_sample == []
    assert len(net.output_layer.record) == 0


def test_gradient_check_recomputes_only_what_a_perturbed_layer_feeds():
    """Two parallel branches: nudging the left branch's parameters (or activations) never runs
    the right branch again."""
    inputs, left, right = InputLayer(2), HiddenLayer(3, "tanh"), HiddenLayer(2, "tanh")
    out = OutputLayer(1)
    for branch in (left, right):
        inputs.fully_connect_to(branch, seed=1)
        branch.fully_connect_to(out, seed=2)
    net = Network([inputs, left, right, out])
    calls = []
    original = right.forward_batch
    right.forward_batch = lambda *a, **k: calls.append(1) or original(*a, **k)
    result = gradient_check(net, [0.2, -0.4], [1.0])
    assert result.max_relative_error < 1e-6
    n_right = right.size + right.n_connections  # 4 evaluations each; 4 whole passes besides
    assert len(calls) == 4 * n_right + 4
