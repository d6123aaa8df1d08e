"""Teaching tools: ``explain`` (the arithmetic behind a number), ``trace`` (the eight steps of
a mini-batch, recorded and drawn), ``lesion`` (silence neurons and connections) and
``gradient_check`` (finite differences against backpropagation).
"""
