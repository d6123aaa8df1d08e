"""The network as a networkx graph: a node per neuron, an edge per connection.

Nodes are ``(layer index, index in layer)`` pairs; networkx is imported only when this is used.
"""
from __future__ import annotations

__all__ = ["to_networkx"]


def to_networkx(network):
    """Return ``network`` as a ``networkx.DiGraph``.

    Each neuron is a node ``(layer, index)`` with the attributes ``kind`` (its class name),
    ``layer``, ``index``, ``bias`` (None for input neurons), ``activation_function`` (its
    name, None for input neurons), ``activation`` (the neuron's current value, as the last
    propagation left it: 0.0 before any) and ``static``; each connection is an edge from
    its input neuron to its output neuron with the attribute ``weight``, whatever earlier
    layer that input neuron is in (a skip connection is an edge from two or more layers back).

    A neuron of a convolution or pooling layer also has ``map``, ``y`` and ``x`` (its place,
    as ``layer.position(index)``; its ``bias`` is its map's shared bias, 0.0 for pooling).
    The connections into it share weights, so each edge also says which:

    - into a convolution layer, ``kernel_entry``: ``(m, c, i, j)``, the entry of
      ``layer.kernels`` it applies (every edge with the same entry has the same weight);
    - into a pooling layer, ``pooling``: ``"average"`` (the weight is ``1 / size^2``) or
      ``"max"`` (the weight is 1.0 for the input that was largest for the sample last
      propagated and 0.0 for the others; all 0.0 before the first sample).

    Examples
    --------
    >>> from neurograph import Network
    >>> graph = Network.layered([2, 3, 1], seed=0).to_networkx()
    >>> graph.number_of_nodes(), graph.number_of_edges()
    (6, 9)
    >>> graph.nodes[(1, 0)]["kind"], graph.nodes[(0, 0)]["bias"]
    ('HiddenNeuron', None)
    >>> graph.nodes[(1, 0)]["activation_function"], graph.nodes[(1, 0)]["activation"]
    ('sigmoid', 0.0)

    >>> from neurograph.convolution import convolution, max_pooling
    >>> net = Network.convolutional((4, 4), [convolution(), max_pooling(2)], [2], seed=0)
    >>> graph = net.to_networkx()
    >>> graph.nodes[(1, 5)]["map"], graph.nodes[(1, 5)]["y"], graph.nodes[(1, 5)]["x"]
    (1, 0, 1)
    >>> graph.edges[(0, 0), (1, 0)]
    {'weight': -0.25, 'kernel_entry': (0, 0, 0, 0)}
    """
    import networkx as nx

    graph = nx.DiGraph()
    for layer in network.layers:
        for neuron in layer.neurons:
            receiver = neuron.receives
            attributes = dict(kind=type(neuron).__name__, layer=layer.index, index=neuron.index,
                              bias=neuron.bias if receiver else None,
                              activation_function=(layer.activation_function.name
                                                   if receiver else None),
                              activation=float(neuron.activation),
                              static=bool(neuron.static))
            attributes.update(layer.graph_node_attributes(neuron.index))
            graph.add_node((layer.index, neuron.index), **attributes)
    for layer in network.receiving_layers:  # each edge from the source layer its column reads
        k, senders = layer.index, layer.input_neurons()
        graph.add_edges_from(((senders[i].layer.index, senders[i].index), (k, j), attributes)
                             for i, j, attributes in layer.graph_edges())
    return graph
