"""Connections that cost nothing until used (issue 16, point 4).

A network built by its builders (``layered``, ``convolutional``, a model file) sets weights and
masks only; its ``Connection`` objects are made on first use, once, in the order the
connections were made, and kept. The vectorized engine never asks for them.
"""
import tracemalloc

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import example, given, settings, strategies as st  # noqa: E402

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer  # noqa: E402
from neurograph.core.connection import Connection  # noqa: E402
from neurograph.layers import (average_pooling, convolution, dropout,  # noqa: E402
                               max_pooling)


@pytest.fixture
def made(monkeypatch):
    """A counter of the Connection objects made (of any kind) while the test runs."""
    count = [0]
    init = Connection.__init__

    def counting(self, *args):
        count[0] += 1
        init(self, *args)

    monkeypatch.setattr(Connection, "__init__", counting)
    return count


def data(n, n_in, n_out, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, n_in))
    Y = np.eye(n_out)[rng.integers(0, n_out, n)]
    return X, Y


NETWORKS = {
    "dense": lambda: Network.layered([6, 5, 3], seed=0),
    "all layers": lambda: Network.layered([6, 4, 3, 3], connect="all", seed=0),
    "convolution, max pooling": lambda: Network.convolutional(
        (8, 8), [convolution(2, kernel_size=3, learn=True), max_pooling(2)], [5, 3], seed=0),
    "average pooling, dropout": lambda: Network.convolutional(
        (1, 8, 8), [convolution(3, kernel_size=3, padding=1, stride=2, learn=True),
                    average_pooling(2), dropout(0.5, seed=1)], [3], seed=0),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_building_and_vectorized_training_make_no_connection(made, name):
    net = NETWORKS[name]()
    X, Y = data(20, net.input_layer.size, net.output_layer.size)
    net.fit(X, Y, epochs=2, batch_size=4, learning_rate=0.01, momentum=0.9, progress=False,
            seed=0)
    net.predict(X)
    net.hidden_derivative = "mean"  # counts outgoing connections: from the mask / windows
    net.fit(X, Y, epochs=1, batch_size=5, learning_rate=0.01, progress=False, seed=1)
    repr(net)
    assert made[0] == 0
    assert sum(layer.n_connections for layer in net.receiving_layers) > 0  # counted, not made


@pytest.mark.parametrize("name", NETWORKS)
def test_first_use_makes_every_connection_once_with_its_weight(made, name):
    net = NETWORKS[name]()
    connections = net.connections
    assert made[0] == len(connections) == sum(layer.n_connections
                                              for layer in net.receiving_layers)
    assert len({id(c) for c in connections}) == len(connections)
    for layer in net.receiving_layers:
        flat = layer._weight_buffer
        for c in layer.connections:
            assert c.output_neuron.layer is layer and c in c.input_neuron.outputs
            if not hasattr(c, "_switch"):
                assert c.weight == flat[c._k]
    again = net.connections  # the same objects, none made again
    assert made[0] == len(connections) and all(a is b for a, b in zip(again, connections))
    neuron = net.output_layer[0]
    assert neuron.inputs is neuron.inputs and neuron.inputs[0] is net.output_layer.connections[0]


def test_asking_for_a_neurons_lists_makes_its_layers_objects_only(made):
    net = Network.layered([5, 4, 3, 2], seed=0)
    first, second, last = net.receiving_layers
    assert len(net.output_layer[0].inputs) == 3 and made[0] == 6  # into the output layer
    assert len(net.layers[2][0].outputs) == 2 and made[0] == 6  # the same ones, sent
    assert len(net.layers[1][1].outputs) == 3 and made[0] == 6 + 12  # into the layer after
    assert len(first.connections) == 20 and made[0] == 6 + 12 + 20
    assert len(net.connections) == 38 and made[0] == 38
    for layer in net.layers:
        for neuron in layer:  # both ends hold the same objects
            for c in getattr(neuron, "inputs", []):
                assert sum(c is d for d in c.input_neuron.outputs) == 1


def test_a_neurons_lists_reach_the_same_objects_from_both_ends():
    net = Network.layered([3, 4, 2], seed=0)
    hidden = net.layers[1]
    sent = net.input_layer[2].outputs  # asked first from the sending end
    assert [c.output_neuron for c in sent] == list(hidden)
    assert [hidden[j].inputs[2] for j in range(4)] == sent
    assert all(a is b for a, b in zip(sent, (hidden[j].inputs[2] for j in range(4))))


def test_a_weight_written_through_a_lazily_made_connection_lands_in_the_layer():
    net = Network.layered([3, 4, 2], dtype="float32", seed=0)
    connection = net.output_layer[1].inputs[3]
    connection.weight = 0.5
    assert net.output_layer.weights[1, 3] == 0.5
    net.output_layer.weights[1, 3] = -2.0
    assert connection.weight == -2.0


def by_hand(lazy: bool):
    """Layers joined in an order unlike theirs, with skip connections, so that a receiver's
    ``inputs`` and a sender's ``outputs`` each mix several calls, and the output layer's
    weights are widened twice after connections into it exist; ``lazy`` as the builders do
    it (objects on first use), else as ``fully_connect_to`` does (objects at once)."""
    i, h1, h2, o = InputLayer(3), HiddenLayer(4), HiddenLayer(2), OutputLayer(2)
    calls = [(h1, o), (i, h1), (h2, o), (i, o), (h1, h2), (i, h2)]
    for n, (source, receiver) in enumerate(calls):
        w = 10 * n + np.arange(receiver.size * source.size).reshape(receiver.size, -1)
        if lazy:
            source._connect_fully(receiver, w)
        else:
            source.fully_connect_to(receiver, w)
    return [i, h1, h2, o]


def ends(layers):
    """Every neuron's inputs and outputs as (sender, receiver, weight), layer by layer."""
    place = {id(n): (k, n.index) for k, layer in enumerate(layers) for n in layer}

    def ends_of(connections):
        return [(place[id(c.input_neuron)], place[id(c.output_neuron)], c.weight)
                for c in connections]

    return [(ends_of(getattr(n, "inputs", [])), ends_of(getattr(n, "outputs", [])))
            for layer in layers for n in layer]


def test_lazily_made_lists_keep_the_order_the_connections_were_made_in(made):
    eager = by_hand(lazy=False)
    made[0] = 0
    lazy = by_hand(lazy=True)
    assert made[0] == 0
    assert lazy[3].sources == [lazy[1], lazy[2], lazy[0]]  # widened twice, none made yet
    assert ends(lazy) == ends(eager)
    assert made[0] == sum(layer.n_connections for layer in lazy[1:])
    for layer in lazy[1:]:
        for c in layer.connections:  # windows in the layout of the widest weights
            assert c.weight == layer.weights[c.output_neuron.index, layer.input_column(c)]


def replay(calls, sizes, lazy: bool):
    """Layers of ``sizes`` (input, hidden..., output) joined by ``calls``, each ``(kind, a,
    b, pick)``: ``"full"`` fully connects layer ``a`` to ``b``, ``"pairs"`` connects the
    pairs ``pick`` chooses as a post-format file does, ``"hand"`` one pair with
    ``connect_to``, ``"look"`` asks for layer ``a``'s connections. ``lazy`` leaves the objects
    to first use, else every layer's are made before the first call."""
    layers = [InputLayer(sizes[0])] + [HiddenLayer(n) for n in sizes[1:-1]] + [
        OutputLayer(sizes[-1])]
    if not lazy:
        for layer in layers:
            layer.make_connection_objects()
    weight = iter(np.arange(1.0, 1000.0))
    for kind, a, b, pick in calls:
        source, receiver = layers[a], layers[b]
        if kind == "look":
            len(source[0].outputs if source.transmits else source[0].inputs)
            continue
        free = ([(j, i) for j in range(receiver.size) for i in range(source.size)]
                if not receiver.receives_from(source) else
                [(j, i) for j, i in np.argwhere(~receiver.block_mask(source)).tolist()])
        if kind == "full" and len(free) == receiver.size * source.size:
            w = np.array([next(weight) for _ in free]).reshape(receiver.size, source.size)
            source._connect_fully(receiver, w)
        elif kind == "pairs" and free:
            chosen = [free[k % len(free)] for k in pick]
            chosen = list(dict.fromkeys(chosen))  # each pair once, in the order picked
            receiver._add_source(source)
            offset = receiver.offset_of(source)
            for j, i in chosen:
                receiver.weights[j, offset + i] = next(weight)
                receiver.mask[j, offset + i] = True
            receiver._make_connections(source, chosen)
        elif kind == "hand" and free:
            j, i = free[pick[0] % len(free)]
            source[i].connect_to(receiver[j], weight=next(weight))
    return layers


CALL = st.tuples(st.sampled_from(["full", "pairs", "pairs", "hand", "look"]),
                 st.integers(0, 3), st.integers(0, 3),
                 st.lists(st.integers(0, 50), min_size=1, max_size=6))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=4, max_size=4), st.lists(CALL, max_size=12))
@example([2, 2, 2, 2], [("pairs", 0, 1, [0]), ("pairs", 0, 2, [0]),  # a sender's outputs
                        ("pairs", 0, 1, [1]), ("look", 0, 0, [0])])  # alternate layers
@example([2, 3, 2, 2], [("full", 1, 3, [0]), ("pairs", 0, 3, [4, 1]), ("look", 3, 3, [0]),
                        ("full", 0, 1, [0]), ("hand", 0, 2, [3]), ("pairs", 1, 2, [2])])
def test_any_mix_of_calls_gives_the_lists_of_objects_made_at_once(sizes, calls):
    calls = [(kind, min(a, b), max(a, b), pick) for kind, a, b, pick in calls
             if kind == "look" or a != b]
    lazy = replay(calls, sizes, lazy=True)
    assert ends(lazy) == ends(replay(calls, sizes, lazy=False))
    for layer in lazy[1:]:  # every window where its weight is, each weight once
        seen = [[c.output_neuron.index, layer.input_column(c)] for c in layer.connections]
        assert [layer.weights[j, i] for j, i in seen] == [c.weight for c in layer.connections]
        assert sorted(seen) == (np.argwhere(layer.mask).tolist() if layer.sources else [])


def test_a_connection_made_by_hand_after_lazy_ones_comes_once_and_last(made):
    inputs, hidden = InputLayer(2), HiddenLayer(2)
    hidden._add_source(inputs)  # some pairs only, noted as a post-format file's are
    hidden.weights[...] = [[1.0, 2.0], [0.0, 4.0]]
    hidden.mask[...] = [[True, True], [False, True]]
    hidden._make_connections(inputs, [(0, 0), (0, 1), (1, 1)])
    assert made[0] == 0
    added = inputs[0].connect_to(hidden[1], weight=5.0)
    assert made[0] == 4
    assert [c.weight for c in hidden[1].inputs] == [4.0, 5.0] and hidden[1].inputs[1] is added
    assert [c.weight for c in inputs[0].outputs] == [1.0, 5.0] and inputs[0].outputs[1] is added
    assert [c.weight for c in hidden.connections] == [1.0, 2.0, 4.0, 5.0]
    assert made[0] == 4


def test_a_max_pooling_winner_left_by_a_batch_is_one_of_its_inputs(made):
    net = NETWORKS["convolution, max pooling"]()
    X, Y = data(8, 64, 3)
    net.fit(X, Y, epochs=1, batch_size=8, learning_rate=0.1, progress=False, seed=0)
    assert made[0] == 0
    pooling = net.layers[2]
    winners = np.asarray(pooling.record.winners[-1])
    for neuron, i in zip(pooling.neurons, winners.tolist()):
        winner = neuron.winner
        assert winner.input_neuron.index == i and any(winner is c for c in neuron.inputs)
        assert winner.weight == 1.0 and neuron.winner is winner
    assert made[0] == pooling.n_connections  # those into the pooling layer only


WINDOWS = {
    "padding and stride": [convolution(2, kernel_size=3, stride=2, padding=1, learn=True)],
    "channels": [convolution(2, kernel_size=2, learn=True),
                 convolution(3, kernel_size=3, stride=3, padding=2, learn=True)],
    "overlapping max pooling": [convolution(2, kernel_size=2, learn=True),
                                max_pooling(3, stride=2)],
    "average pooling past the edge": [average_pooling(3, stride=2)],
}


@pytest.mark.parametrize("name", WINDOWS)
def test_windows_are_counted_as_the_connections_made_later_count(name):
    net = Network.convolutional((1, 9, 10), WINDOWS[name], [2], seed=0)
    for layer in net.layers[1:-1]:
        counted, outgoing = layer.n_connections, layer.outgoing_counts().tolist()
        senders = [c.input_neuron.index for c in layer.connections]
        assert counted == len(senders) > 0
        assert outgoing == np.bincount(senders, minlength=layer.previous.size).tolist()


def twins(make):
    """Two copies of a network: one whose objects are made now, one that leaves them."""
    lazy, made_now = make(), make()
    for layer in made_now.layers:
        layer.make_connection_objects()
    return lazy, made_now


@pytest.mark.parametrize("name", NETWORKS)
def test_the_object_engine_trains_a_lazily_built_network_as_before(name):
    lazy, made_now = twins(NETWORKS[name])
    X, Y = data(6, lazy.input_layer.size, lazy.output_layer.size)
    for net in (lazy, made_now):
        net.fit(X, Y, epochs=1, batch_size=3, learning_rate=0.1, progress=False, seed=0)
        net.fit(X, Y, epochs=1, batch_size=3, learning_rate=0.1, progress=False, seed=0,
                engine="object")
    for a, b in zip(lazy.receiving_layers, made_now.receiving_layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.biases, b.biases)


def test_explain_trace_and_diagram_see_a_lazily_built_network_as_before():
    import matplotlib.pyplot as plt

    from neurograph.drawing.diagram import draw_network

    lazy, made_now = twins(lambda: Network.layered([4, 3, 2], seed=3))
    X, Y = data(2, 4, 2)
    texts = [str(net.layers[1][2].explain()) + str(net.connections[5].explain())
             for net in (lazy, made_now)]
    assert texts[0] == texts[1] and "weight" in texts[0]
    traces = [net.trace(X, Y, 0.5) for net in (lazy, made_now)]
    assert len(traces[0]) == len(traces[1]) > 0
    for a, b in zip(traces[0].steps, traces[1].steps):
        assert repr(a) == repr(b)
    lazy2, made_now2 = twins(lambda: Network.layered([4, 3, 2], seed=3))
    segments = []
    for net in (lazy2, made_now2):
        fig, ax = plt.subplots()
        draw_network(net, ax=ax)
        segments.append([np.asarray(c.get_segments()).round(6).tolist()
                         for c in ax.collections if hasattr(c, "get_segments")])
        plt.close(fig)
    assert segments[0] == segments[1] and any(segments[0])


def test_a_saved_lazy_network_loads_lazily_and_the_same(tmp_path, made):
    from neurograph import io

    net = Network.layered([5, 4, 3], connect="all", seed=0, dtype="float32")
    io.save(net, tmp_path / "a.json")
    loaded = io.load(tmp_path / "a.json")
    assert made[0] == 0  # neither saving "full" blocks nor loading them made one
    io.save(loaded, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    assert ends(loaded.layers) == ends(net.layers)


def test_a_sparse_network_made_by_hand_loads_lazily_in_its_order(tmp_path, made):
    from neurograph import io

    inputs, hidden, outputs = InputLayer(3), HiddenLayer(3), OutputLayer(2)
    for i, j in [(2, 0), (0, 1), (1, 0), (0, 0), (2, 2)]:  # not row by row
        inputs[i].connect_to(hidden[j], weight=i + 0.5 * j)
    hidden.fully_connect_to(outputs, seed=0)
    inputs[1].connect_to(outputs[1], weight=-1.0)  # a skip connection, by hand
    net = Network([inputs, hidden, outputs])
    io.save(net, tmp_path / "sparse.json")
    made[0] = 0
    loaded = io.load(tmp_path / "sparse.json")
    assert made[0] == 0
    assert ends(loaded.layers) == ends(net.layers)
    assert made[0] == 5 + 6 + 1


def test_building_keeps_no_more_than_16_bytes_per_connection_beyond_the_parameters():
    build = lambda: Network.layered([784, 256, 10], dtype="float32", seed=0)  # noqa: E731
    build()  # imports and caches warmed up
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    net = build()
    allocated = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    connections = sum(layer.n_connections for layer in net.receiving_layers)
    parameters = sum(layer.weights.nbytes + layer.biases.nbytes
                     for layer in net.receiving_layers)
    assert connections == 784 * 256 + 256 * 10
    assert (allocated - parameters) / connections <= 16


def test_a_list_of_connections_set_by_hand_stays_as_set():
    # before connections were made on first use, `inputs` and `outputs` were plain attributes
    net = Network.layered([3, 4, 2], seed=0)
    receiver, sender = net.output_layer[0], net.layers[1][2]
    reordered = list(reversed(receiver.inputs))
    receiver.inputs = reordered
    assert receiver.inputs is reordered
    fresh = Network.layered([3, 4, 2], seed=0)
    chosen, kept = fresh.layers[1][2], []
    chosen.outputs = kept  # set before any connection object of the network was made
    assert len(fresh.output_layer.connections) == 8  # making them must not overwrite it
    assert chosen.outputs is kept
    assert [c.weight for c in sender.outputs] == list(net.output_layer.weights[:, 2])
