from neurograph import HiddenLayer, InputLayer, Network, OutputLayer


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
    assert node == {"kind": "HiddenNeuron", "layer": 1, "index": 2,
                    "bias": net.hidden_layers[0][2].bias, "activation": "relu", "static": False}
    assert graph.nodes[(0, 1)]["bias"] is None and graph.nodes[(2, 0)]["activation"] == "sigmoid"


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
