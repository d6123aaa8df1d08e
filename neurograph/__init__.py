"""neurograph: an object-graph neural-network simulator.

A network is an explicit graph of neuron and connection objects, modelled after the Kotlin post
"Neural network from scratch": transmitters and receivers, per-sample lists of derivatives of the
cost, parameters nudged by the mean of those lists. ``import neurograph`` needs numpy only.

The sub-packages show the architecture: :mod:`~neurograph.core` (neurons, connections, layers,
the network), :mod:`~neurograph.layers` (layer kinds), :mod:`~neurograph.engines` (object and
vectorized), :mod:`~neurograph.optimizers`, :mod:`~neurograph.training`,
:mod:`~neurograph.teaching`, :mod:`~neurograph.drawing`, :mod:`~neurograph.io` (files and
data) and :mod:`~neurograph.cli`.
"""
from .core.activations import ACTIVATIONS, Activation, get_activation, register_activation
from .core.connection import Connection
from .core.costs import COSTS, Cost, get_cost, register_cost
from .core.limits import LIMITS, Limits, limits
from .core.layers import HiddenLayer, InputLayer, Layer, OutputLayer, ReceivingLayer, SampleRecord
from .core.network import Network
from .core.validation import TrainingWarning
from .core.neurons import (HiddenNeuron, InputNeuron, Neuron, OutputNeuron, ReceiverNeuron,
                           StaticNeuron, TransmitterNeuron)
from .drawing.diagram import NetworkLayout, draw_network, network_layout
from .drawing.lesion_plot import plot_lesion_report
from .drawing.live import LiveView
from .drawing.plots import (animate_training, plot_confusion_matrix, plot_decision_boundary,
                            plot_history, plot_neuron_maps, plot_weights)
from .io import load
from .io.onnx_import import from_onnx  # imports onnx only when called
from .layers.convolution import (AveragePoolingLayer, AveragePoolingNeuron, ConvolutionLayer,
                                 MaxPoolingConnection, MaxPoolingLayer, MaxPoolingNeuron)
from .optimizers import SGD, Adam, Optimizer
from .teaching.gradcheck import GradientCheckResult, gradient_check
from .teaching.lesion import LesionReport, LesionResult, lesion_report
from .teaching.trace import Trace, animate_trace, draw_step
from .training import History, Schedule

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "animate_training",
    "Activation",
    "Adam",
    "Optimizer",
    "SGD",
    "AveragePoolingLayer",
    "AveragePoolingNeuron",
    "ConvolutionLayer",
    "MaxPoolingConnection",
    "MaxPoolingLayer",
    "MaxPoolingNeuron",
    "COSTS",
    "Connection",
    "Cost",
    "GradientCheckResult",
    "HiddenLayer",
    "History",
    "HiddenNeuron",
    "InputLayer",
    "InputNeuron",
    "NetworkLayout",
    "Layer",
    "LiveView",
    "Network",
    "Neuron",
    "OutputLayer",
    "Schedule",
    "OutputNeuron",
    "ReceiverNeuron",
    "ReceivingLayer",
    "SampleRecord",
    "StaticNeuron",
    "Trace",
    "TrainingWarning",
    "TransmitterNeuron",
    "draw_network",
    "draw_step",
    "animate_trace",
    "get_activation",
    "get_cost",
    "gradient_check",
    "load",
    "from_onnx",
    "lesion_report",
    "LesionReport",
    "LesionResult",
    "network_layout",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_history",
    "plot_lesion_report",
    "plot_neuron_maps",
    "plot_weights",
    "register_activation",
    "register_cost",
    "LIMITS",
    "Limits",
    "limits",
]
