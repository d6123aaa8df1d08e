"""Layer kinds: every receiving layer speaks the protocol of :class:`~neurograph.ReceivingLayer`.

The dense layers (:class:`HiddenLayer`, :class:`OutputLayer`) live in the graph core; this
package holds the others: convolution, average and max pooling, dropout. A new kind is one
module here plus its tests.
"""
from ..core.layers import HiddenLayer, InputLayer, Layer, OutputLayer, ReceivingLayer
from .convolution import (AveragePoolingLayer, ConvolutionLayer, MaxPoolingLayer, average_pooling,
                          convolution, max_pooling)
from .dropout import DropoutLayer, dropout

__all__ = ["Layer", "InputLayer", "ReceivingLayer", "HiddenLayer", "OutputLayer",
           "ConvolutionLayer", "AveragePoolingLayer", "MaxPoolingLayer", "convolution",
           "max_pooling", "average_pooling", "DropoutLayer", "dropout"]
