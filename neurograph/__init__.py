"""neurograph: an object-graph neural-network simulator.

A network is an explicit graph of neuron and connection objects, modelled after the Kotlin post
"Neural network from scratch": transmitters and receivers, per-sample lists of derivatives of the
cost, parameters nudged by the mean of those lists. ``import neurograph`` needs numpy only.
"""
from .activations import ACTIVATIONS, Activation, get_activation, register_activation
from .connection import Connection
from .convolution import (AveragePoolingLayer, AveragePoolingNeuron, ConvolutionLayer,
                          MaxPoolingConnection, MaxPoolingLayer, MaxPoolingNeuron)
from .costs import COSTS, Cost, get_cost, register_cost
from .trace import Trace, animate_trace, draw_step
from .drawing import NetworkLayout, draw_network, network_layout
from .gradcheck import GradientCheckResult, gradient_check
from .io import load
from .layers import HiddenLayer, InputLayer, Layer, OutputLayer, ReceivingLayer, SampleRecord
from .lesion import lesion_report
from .network import Network
from .plots import (animate_training, plot_confusion_matrix, plot_decision_boundary, plot_history,
                    plot_neuron_maps, plot_weights)
from .training import History
from .neurons import (
    HiddenNeuron,
    InputNeuron,
    Neuron,
    OutputNeuron,
    ReceiverNeuron,
    StaticNeuron,
    TransmitterNeuron,
)

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "animate_training",
    "Activation",
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
    "Network",
    "Neuron",
    "OutputLayer",
    "OutputNeuron",
    "ReceiverNeuron",
    "ReceivingLayer",
    "SampleRecord",
    "StaticNeuron",
    "Trace",
    "TransmitterNeuron",
    "draw_network",
    "draw_step",
    "animate_trace",
    "get_activation",
    "get_cost",
    "gradient_check",
    "load",
    "lesion_report",
    "network_layout",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_history",
    "plot_neuron_maps",
    "plot_weights",
    "register_activation",
    "register_cost",
]
