"""The engines that train a network: the object engine (the post's eight steps, neuron by
neuron) and the vectorized engine (the same steps for a whole mini-batch with matrix
products). Both leave the network in the same state; ``fit`` picks one by name.
"""
