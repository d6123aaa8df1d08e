import numpy as np

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer
from neurograph.convolution import average_pooling, convolution, max_pooling


def test_to_networkx_has_a_node_per_neuron_and_an_edge_per_connection():
    net = Network.layered([3, 4, 2], activation="relu", output_activation="sigmoid", seed=0)
    graph = net.to_networkx()
    assert graph.number_of_nodes() == len(net.neurons)
    assert graph.number_of_edges() == len(net.connections)
    for connection in net.connections:
        a, b = connection.input_neuron, connection.output_neuron
        edge = graph.edges[(a.layer.index, a.index), (b.layer.index, b.index)]
        assert edge["weight"] == connection.weight
    node = graph.nodes[(1, 2)]
    # The function by its name; `activation` is the neuron's value (none propagated yet).
    assert node == {"kind": "HiddenNeuron", "layer": 1, "index": 2,
                    "bias": net.hidden_layers[0][2].bias, "activation_function": "relu",
                    "activation": 0.0, "static": False}
    assert graph.nodes[(0, 1)]["bias"] is None
    assert graph.nodes[(0, 1)]["activation_function"] is None
    assert graph.nodes[(2, 0)]["activation_function"] == "sigmoid"


def test_to_networkx_activation_is_each_neurons_current_value():
    net = Network.layered([3, 4, 2], activation="relu", output_activation="sigmoid", seed=0)
    net.propagate([0.25, -0.5, 1.0])
    graph = net.to_networkx()
    for layer in net.layers:
        for neuron in layer.neurons:
            value = graph.nodes[(layer.index, neuron.index)]["activation"]
            assert isinstance(value, float) and value == neuron.activation
    assert graph.nodes[(0, 1)]["activation"] == -0.5  # an input neuron holds its input
    outputs = [graph.nodes[(2, j)]["activation"] for j in range(2)]
    np.testing.assert_allclose(outputs, net.predict([[0.25, -0.5, 1.0]])[0], atol=1e-12)


def test_sparse_and_static_networks_export_what_exists():
    inputs, hidden, outputs = InputLayer(3), HiddenLayer(2, static=[0]), OutputLayer(1)
    inputs[0].connect_to(hidden[0], 0.5)
    inputs[2].connect_to(hidden[1], -1.0)
    hidden.fully_connect_to(outputs, [[1.0, 2.0]])
    graph = Network([inputs, hidden, outputs]).to_networkx()
    assert sorted(graph.edges) == [((0, 0), (1, 0)), ((0, 2), (1, 1)), ((1, 0), (2, 0)),
                                   ((1, 1), (2, 0))]
    assert graph.nodes[(1, 0)]["static"] and graph.nodes[(1, 0)]["kind"] == "StaticNeuron"
    assert not graph.nodes[(1, 1)]["static"]


def test_a_convolution_network_exports_every_connection_with_the_kernel_entry_it_shares():
    kernels = np.arange(2 * 9, dtype=float).reshape(2, 3, 3) - 8.0  # all different
    net = Network.convolutional((5, 6), [convolution(kernels, stride=1), average_pooling(2)],
                                [2], seed=0)
    graph = net.to_networkx()
    conv, pool = net.receiving_layers[:2]
    assert graph.number_of_nodes() == len(net.neurons)
    assert graph.number_of_edges() == len(net.connections) == 2 * 3 * 4 * 9 + 2 * 1 * 2 * 4 + 8
    for (a, b), edge in ((e[:2], e[2]) for e in graph.edges(data=True)):
        if b[0] != 1:
            continue
        # neuron (m, y, x) reads pixel (y + i, x + j) with kernel entry (m, 0, i, j)
        m, y, x = conv.position(b[1])
        row, column = divmod(a[1], 6)
        entry = (m, 0, row - y, column - x)
        assert edge == {"weight": kernels[m, row - y, column - x], "kernel_entry": entry}
    node = graph.nodes[(1, 13)]  # map 1 is 3 x 4: neuron 13 is map 1, row 0, column 1
    assert (node["map"], node["y"], node["x"]) == (1, 0, 1)
    assert node["bias"] == conv.biases[1] and node["static"] and node["kind"] == "StaticNeuron"
    pooled = [graph.edges[e] for e in graph.in_edges((2, 0))]
    assert pooled == [{"weight": 0.25, "pooling": "average"}] * 4
    assert graph.nodes[(2, 3)]["map"] == 1 and "map" not in graph.nodes[(3, 0)]


def test_max_pooling_edges_weigh_one_for_the_input_that_won():
    net = Network.convolutional((4, 4), [max_pooling(2)], [1], seed=0)
    image = np.array([[1, 5, 0, 0], [2, 3, 0, 9], [4, 4, 7, 1], [4, 0, 2, 2]], dtype=float)
    net.propagate(image.ravel().tolist())
    graph = net.to_networkx()
    winners = {b[1]: a[1] for a, b, w in graph.edges(data="weight") if b[0] == 1 and w == 1.0}
    assert winners == {0: 1, 1: 7, 2: 8, 3: 10}  # 5, 9, the first 4, and 7
    assert {p for _, _, p in graph.edges(data="pooling") if p} == {"max"}
    assert sum(1 for _, b, w in graph.edges(data="weight") if b[0] == 1 and w == 0.0) == 12


def test_a_skip_connection_is_an_edge_from_its_own_layer():
    inputs, hidden, out = InputLayer(3), HiddenLayer(2, "tanh"), OutputLayer(2)
    inputs.fully_connect_to(hidden, seed=0)
    hidden.fully_connect_to(out, seed=1)
    inputs[2].connect_to(out[1], 0.625)  # skips the hidden layer
    net = Network([inputs, hidden, out])
    graph = net.to_networkx()
    assert graph.number_of_edges() == len(net.connections) == 6 + 4 + 1
    assert graph.edges[(0, 2), (2, 1)] == {"weight": 0.625}
    assert not graph.has_edge((1, 2), (2, 1)) and not graph.has_node((1, 2))
    for connection in net.connections:
        a, b = connection.input_neuron, connection.output_neuron
        assert graph.edges[(a.layer.index, a.index), (b.layer.index, b.index)]["weight"] \
            == connection.weight
    assert sorted(graph.predecessors((2, 1))) == [(0, 2), (1, 0), (1, 1)]


def test_a_convolution_branch_has_edges_from_the_layer_it_reads():
    from neurograph.convolution import ConvolutionLayer

    inputs = InputLayer(shape=(4, 4))
    left = ConvolutionLayer(inputs, 1, kernel_size=3, seed=0)
    right = ConvolutionLayer(inputs, 1, kernel_size=2, seed=1)
    left.receive_from(inputs)
    right.receive_from(inputs)
    out = OutputLayer(1)
    left.fully_connect_to(out, seed=2)
    right.fully_connect_to(out, seed=3)
    graph = Network([inputs, left, right, out]).to_networkx()
    assert {u[0] for u, v in graph.in_edges([(2, j) for j in range(right.size)])} == {0}
    assert graph.edges[(0, 5), (2, 0)]["kernel_entry"] == (0, 0, 1, 1)
    assert graph.number_of_edges() == 4 * 9 + 9 * 4 + 4 + 9
