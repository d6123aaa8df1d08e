"""The graph core: neurons, connections, layers and the network that joins them.

Everything the two engines, the files and the teaching tools share: the neuron roles of the
post (transmitter, receiver), the connection as a window onto one weight, the base layers and
the protocol every layer kind speaks, the activation and cost registries, the initial
parameters, and the argument checks. Nothing here imports from the other sub-packages at
module level.
"""
