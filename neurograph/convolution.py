"""``neurograph.convolution``, the import path the README documents: it now lives in
:mod:`neurograph.layers.convolution` (the layer kinds package); this module re-exports its public names."""
from .layers.convolution import *  # noqa: F401,F403
from .layers.convolution import __all__  # noqa: F401
