"""Layer kinds by the name a model file gives them: ``LAYER_KINDS[kind]`` is the class.

Every layer class says its own ``file_kind`` and writes and checks its own object of the file
(see the "model file" methods of :class:`~neurograph.ReceivingLayer`); the file code looks the
class up here and never asks which kind a layer is. A new kind registers itself with
:func:`register_layer_kind`.
"""
from __future__ import annotations

from ..core.layers import HiddenLayer, InputLayer, Layer, OutputLayer
from .convolution import AveragePoolingLayer, ConvolutionLayer, MaxPoolingLayer

__all__ = ["LAYER_KINDS", "register_layer_kind"]

LAYER_KINDS: dict = {}
"""``file_kind -> layer class``, in the order the format's documentation lists them."""


def register_layer_kind(layer_class: type) -> type:
    """Let model files hold layers of ``layer_class`` (under its ``file_kind``); returns it.

    Examples
    --------
    >>> register_layer_kind(HiddenLayer) is LAYER_KINDS["hidden"]
    True
    """
    if not (isinstance(layer_class, type) and issubclass(layer_class, Layer)):
        raise TypeError(f"`layer_class` must be a Layer class, got {layer_class!r}")
    kind = layer_class.file_kind
    if LAYER_KINDS.get(kind, layer_class) is not layer_class:
        raise ValueError(f"the kind {kind!r} is already {LAYER_KINDS[kind].__name__}'s")
    LAYER_KINDS[kind] = layer_class
    return layer_class


for _kind in (InputLayer, HiddenLayer, OutputLayer, ConvolutionLayer, MaxPoolingLayer,
              AveragePoolingLayer):
    register_layer_kind(_kind)
del _kind
