"""The network as a networkx graph: a node per neuron, an edge per connection.

Nodes are ``(layer index, index in layer)`` pairs; networkx is imported only when this is used.
"""
from __future__ import annotations

__all__ = ["to_networkx"]


def to_networkx(network):
    """Return ``network`` as a ``networkx.DiGraph``.

    Each neuron is a node ``(layer, index)`` with the attributes ``kind`` (its class name),
    ``layer``, ``index``, ``bias`` (None for input neurons), ``activation`` (the activation
    function's name, None for input neurons) and ``static``; each connection is an edge from
    its input neuron to its output neuron with the attribute ``weight``.

    Examples
    --------
    >>> from neurograph import Network
    >>> graph = Network.layered([2, 3, 1], seed=0).to_networkx()
    >>> graph.number_of_nodes(), graph.number_of_edges()
    (6, 9)
    >>> graph.nodes[(1, 0)]["kind"], graph.nodes[(0, 0)]["bias"]
    ('HiddenNeuron', None)
    """
    import networkx as nx

    graph = nx.DiGraph()
    for layer in network.layers:
        for neuron in layer.neurons:
            receiver = hasattr(neuron, "inputs")
            graph.add_node((layer.index, neuron.index), kind=type(neuron).__name__,
                           layer=layer.index, index=neuron.index,
                           bias=neuron.bias if receiver else None,
                           activation=layer.activation_function.name if receiver else None,
                           static=bool(getattr(neuron, "static", False)))
    for layer in network.receiving_layers:
        rows, columns = layer.mask.nonzero()
        weights = layer.weights[rows, columns].tolist()
        k = layer.index
        graph.add_edges_from(((k - 1, int(i)), (k, int(j)), {"weight": w})
                             for j, i, w in zip(rows, columns, weights))
    return graph
