"""Pictures of a network: the diagram (``network_layout``, ``draw_network``), the plots of
training (history, weights, decision boundary, neuron maps, confusion matrix, animations) and
the networkx export. matplotlib and networkx are imported inside the functions that use them.
"""
