"""The network: an ordered list of layers joined by connections.

``Network`` keeps the structure (layers, cost, bias clamp, the optimizer that trains it) and
thin methods with the post's names (``clear``, ``propagate``, ``train_sample``,
``nudge_parameters``, ``train_batch``) that call the object engine
(:mod:`neurograph.engines.object`), plus ``fit``, ``predict`` and ``evaluate``
(:mod:`neurograph.training`).
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Sequence, Union

import numpy as np

from .limits import check_layer_count, check_layer_neurons, check_layer_parameters
from .validation import (as_sample_list, as_samples, check_hidden_derivative, check_momentum,
                         check_positive_int, check_seed, check_step_size)
from .activations import Activation, get_activation
from .connection import Connection
from .costs import Cost, get_cost
from .initializers import get_initializer
from .layers import HiddenLayer, InputLayer, Layer, OutputLayer, ReceivingLayer, check_dtype
from .neurons import Neuron
from ..engines import object as engine
from ..training.loop import History, _predict, check_data, evaluate, fit
from ..training.health import check_reachable_targets

__all__ = ["Network"]

BiasClamp = Optional[tuple]


def _check_bias_clamp(bias_clamp) -> Optional[tuple[float, float]]:
    if bias_clamp is None:
        return None
    try:
        low, high = (float(v) for v in bias_clamp)
    except (TypeError, ValueError):
        raise ValueError(f"`bias_clamp` must be None or a pair (low, high), got {bias_clamp!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise ValueError(f"`bias_clamp` must be finite with low <= high, got {bias_clamp!r}")
    return (low, high)


class Network:
    """A layered network of neuron and connection objects.

    Parameters
    ----------
    layers : sequence of Layer
        An :class:`InputLayer`, any number of :class:`HiddenLayer`, and an :class:`OutputLayer`,
        in an order where each layer comes after every layer it receives from. A receiving
        layer not yet connected to anything reads the layer right before it.
    cost : str or Cost
        The per-sample cost, by default ``"quadratic"``: ``C = sum_j (a_j - y_j)^2``.
    bias_clamp : (float, float) or None
        After each nudge a bias is clamped to this range; ``None`` for no clamp. The post's
        default is ``(-0.8, 0.8)``.
    hidden_derivative : {"sum", "mean"}
        How a hidden neuron's dC/da gathers ``weight x delta`` over its outgoing connections:
        ``"sum"`` (the default) is the chain rule; ``"mean"`` divides that sum by the number of
        outgoing connections, as the Kotlin post does (a bug, kept as a switch to reproduce
        its results; ``gradient_check`` reports it). Both engines follow it; the attribute
        of the same name may be changed later, and a model file keeps ``"mean"``.

    The attribute ``output_labels`` (None, or one label per output neuron, such as ``"0"``
    to ``"9"`` for digits) names what each output stands for: the diagram writes the labels
    beside the outputs, and a model file keeps them. ``input_labels`` (None, or one name per
    input neuron, such as a CSV file's column names) names the inputs: ``neurograph predict``
    reads a CSV file's columns by them, and a model file keeps them too.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([2, 3, 1], activation="tanh", seed=1)
    >>> net
    Network(2-3-1, tanh, quadratic cost, 9 connections)
    >>> net.hidden_layers[0][2]
    HiddenNeuron(layer 1, #2, bias=0.04959, tanh)
    """

    def __init__(self, layers: Sequence[Layer], *, cost: Union[str, Cost] = "quadratic",
                 bias_clamp: BiasClamp = (-0.8, 0.8), hidden_derivative: str = "sum") -> None:
        layers = list(layers)
        check_layer_count(len(layers))
        cost = get_cost(cost)
        bias_clamp = _check_bias_clamp(bias_clamp)
        check_hidden_derivative(hidden_derivative)
        _check_layer_order(layers)
        for layer in layers:
            if layer.network is not None:
                raise ValueError(f"{layer!r} already belongs to another network")
        _check_sources(layers)
        dtypes = {layer.dtype for layer in layers[1:]}
        if len(dtypes) > 1:
            raise ValueError(f"all layers must store parameters in one dtype, got "
                             f"{sorted(map(str, dtypes))}")
        for previous, layer in zip(layers, layers[1:]):  # before anything is joined
            if not layer.sources:
                layer._check_source(previous)
        for previous, layer in zip(layers, layers[1:]):  # a layer that reads nothing yet reads
            if not layer.sources:                        # the one before it
                layer._add_source(previous)
        for index, layer in enumerate(layers):
            layer.index = index
            layer.network = self
        self.layers: list[Layer] = layers
        self.output_layer.cost = cost
        self.bias_clamp: Optional[tuple[float, float]] = bias_clamp
        self.hidden_derivative = hidden_derivative
        # one label per output neuron ("0".."9" for digits), or None: the diagram writes them
        self.output_labels: Optional[list] = None
        self.input_labels: Optional[list] = None  # one name per input neuron, or None
        self._input_scaling: Optional[tuple[np.ndarray, np.ndarray]] = None  # see input_scaling
        from ..optimizers import SGD

        self.optimizer = SGD()

    @property
    def optimizer(self):
        """The optimizer that trains this network, and its state (``fit`` replaces it when
        asked for another; model files and checkpoints keep it). One optimizer trains one
        network: its slots belong to this network's layers."""
        return self._optimizer

    @optimizer.setter
    def optimizer(self, optimizer) -> None:
        optimizer.train(self)  # refuses an optimizer of another network
        self._optimizer = optimizer

    @property
    def hidden_derivative(self) -> str:
        """``"sum"`` (the chain rule) or ``"mean"`` (the post's averaging): see
        :class:`Network`."""
        return self._hidden_derivative

    @hidden_derivative.setter
    def hidden_derivative(self, value: str) -> None:
        self._hidden_derivative = check_hidden_derivative(value)

    @classmethod
    def layered(cls, sizes: Sequence[int], activation: Union[str, Activation] = "sigmoid",
                output_activation: Union[str, Activation, None] = None,
                cost: Union[str, Cost] = "quadratic", init: str = "uniform",
                seed: Union[int, np.random.Generator, None] = None,
                bias_clamp: BiasClamp = (-0.8, 0.8), dtype="float64",
                connect: str = "adjacent", hidden_derivative: str = "sum") -> Network:
        """Build a fully connected network with the given layer sizes.

        Parameters
        ----------
        sizes : sequence of int
            Neurons per layer, inputs first, outputs last: ``[784, 16, 10]``.
        activation : str or Activation
            The hidden layers' activation function.
        output_activation : str or Activation, optional
            The output layer's; by default the same as ``activation``.
        cost : str or Cost
            The per-sample cost.
        init : {"uniform", "xavier", "he"}
            The initial parameters: the post's U(-0.5, 0.5), Glorot's uniform, or He's normal.
        seed : int or numpy.random.Generator, optional
            Makes the initial parameters reproducible.
        bias_clamp : (float, float) or None
            See :class:`Network`.
        dtype : {"float64", "float32"}
            How parameters are stored; float32 halves memory and speeds up the vectorized
            engine, float64 is what the equivalence and gradient checks use.
        connect : {"adjacent", "all"}
            ``"adjacent"``: each layer fully connected to the next. ``"all"``: each layer fully
            connected to every later layer (the post's ``connectAllLayersWithEachOther``).
        hidden_derivative : {"sum", "mean"}
            See :class:`Network`.

        Examples
        --------
        >>> Network.layered([784, 16, 10]).sizes
        (784, 16, 10)
        >>> Network.layered([2, 3, 3, 1], connect="all")  # 6 + 6 + 2 + 9 + 3 + 3
        Network(2-3-3-1, sigmoid, quadratic cost, 29 connections)
        """
        try:
            sizes = list(sizes)
        except TypeError:
            raise ValueError(f"`sizes` must be a sequence of layer sizes, got {sizes!r}") from None
        if len(sizes) < 2:
            raise ValueError(f"`sizes` must name at least an input and an output layer, got {sizes!r}")
        get_activation(activation)
        get_initializer(init)
        get_cost(cost)
        check_seed(seed)
        _check_bias_clamp(bias_clamp)
        check_hidden_derivative(hidden_derivative)
        dtype = check_dtype(dtype)
        if connect not in ("adjacent", "all"):
            raise ValueError(f"`connect` must be 'adjacent' or 'all', got {connect!r}")
        _check_layered_sizes(sizes, connect)
        layers: list[Layer] = [InputLayer(sizes[0])]
        layers += [HiddenLayer(n, activation, dtype=dtype) for n in sizes[1:-1]]
        layers.append(OutputLayer(sizes[-1], activation if output_activation is None
                                  else output_activation, dtype=dtype))
        for k, layer in enumerate(layers[1:], start=1):
            for source in (layers[:k] if connect == "all" else layers[k - 1:k]):
                source._connect_fully(layer, np.zeros((layer.size, source.size)))
        network = cls(layers, cost=cost, bias_clamp=bias_clamp,
                      hidden_derivative=hidden_derivative)
        network.initialize(init, seed)
        return network

    @classmethod
    def convolutional(cls, input_shape, front: Sequence, sizes: Sequence[int],
                      activation: Union[str, Activation] = "relu",
                      output_activation: Union[str, Activation, None] = "softmax",
                      cost: Union[str, Cost] = "cross_entropy", init: str = "he",
                      seed: Union[int, np.random.Generator, None] = None,
                      bias_clamp: BiasClamp = None, dtype="float64",
                      hidden_derivative: str = "sum") -> Network:
        """Build a network with a convolution front-end and a fully connected head.

        Parameters
        ----------
        input_shape : tuple of int
            The image: ``(height, width)`` or ``(channels, height, width)``.
        front : sequence
            Convolution and pooling layers in order, as made by
            :func:`~neurograph.convolution.convolution`,
            :func:`~neurograph.convolution.max_pooling` and
            :func:`~neurograph.convolution.average_pooling`; each reads the shape of the one
            before.
        sizes : sequence of int
            The fully connected head: hidden layer sizes, then the number of outputs.
        activation, output_activation, cost, init, seed, bias_clamp, dtype, hidden_derivative
            As for :meth:`layered`, but with the defaults of a classifier: ReLU hidden layers,
            softmax with cross-entropy, He's initialisation and no bias clamp. ``init`` and
            ``seed`` also draw learned kernels.

        Examples
        --------
        >>> from neurograph.convolution import convolution, max_pooling
        >>> net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [10], seed=0)
        >>> [layer.shape for layer in net.layers]
        [(28, 28), (12, 26, 26), (12, 13, 13), (10,)]
        """
        try:
            sizes, front = list(sizes), list(front)
        except TypeError:
            raise ValueError("`front` and `sizes` must be sequences") from None
        if not sizes:
            raise ValueError("`sizes` must name at least the output layer")
        check_layer_count(2 + len(front) + len(sizes) - 1, "`front` and `sizes` make a network")
        for recipe in front:
            made = getattr(recipe, "layer_class", None)  # what a recipe builds
            if not (callable(recipe) and isinstance(made, type) and issubclass(made, Layer)
                    and made.receives and made.transmits):
                raise ValueError(f"`front` must hold convolution(...), max_pooling(...), "
                                 f"average_pooling(...) or dropout(...), got {recipe!r}")
        for name, check in (("activation", get_activation), ("init", get_initializer),
                            ("cost", get_cost)):
            check(locals()[name])
        check_seed(seed)
        _check_bias_clamp(bias_clamp)
        check_hidden_derivative(hidden_derivative)
        dtype = check_dtype(dtype)
        layers: list[Layer] = [InputLayer(shape=input_shape)]
        for recipe in front:
            layers.append(recipe(layers[-1], dtype=dtype))
        _check_layered_sizes([layers[-1].size] + sizes, "adjacent", shift=-1)  # the head, before it is made
        head = [HiddenLayer(n, activation, dtype=dtype) for n in sizes[:-1]]
        head.append(OutputLayer(sizes[-1], activation if output_activation is None
                                else output_activation, dtype=dtype))
        for previous, layer in zip(layers[-1:] + head, head):
            previous._connect_fully(layer, np.zeros((layer.size, previous.size)))
        network = cls(layers + head, cost=cost, bias_clamp=bias_clamp,
                      hidden_derivative=hidden_derivative)
        network.initialize(init, seed)
        return network

    def initialize(self, init: str = "uniform",
                   seed: Union[int, np.random.Generator, None] = None) -> Network:
        """Draw new weights (for existing connections) and biases; static neurons keep theirs.

        Convolution kernels are drawn too when they learn or were asked for as a number of
        random kernels; a bank of fixed kernels, or kernels given as an array, stay.

        See :mod:`neurograph.initializers` for the schemes. Returns the network.
        """
        scheme = get_initializer(init)
        rng = np.random.default_rng(check_seed(seed))
        for layer in self.receiving_layers:
            layer._initialize(scheme, rng)
        return self

    # -- structure ---------------------------------------------------------------------------

    @property
    def input_layer(self) -> InputLayer:
        return self.layers[0]

    @property
    def output_layer(self) -> OutputLayer:
        return self.layers[-1]

    @property
    def hidden_layers(self) -> list[HiddenLayer]:
        return self.layers[1:-1]

    @property
    def receiving_layers(self) -> list[ReceivingLayer]:
        """Every layer with parameters: the hidden layers and the output layer."""
        return self.layers[1:]

    @property
    def neurons(self) -> list[Neuron]:
        """Every neuron, layer by layer."""
        return [neuron for layer in self.layers for neuron in layer.neurons]

    @property
    def connections(self) -> list[Connection]:
        """Every connection, by receiving layer, then receiving neuron."""
        return [c for layer in self.receiving_layers for c in layer.connections]

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(layer.size for layer in self.layers)

    @property
    def cost_function(self) -> Cost:
        """The per-sample cost (kept by the output layer)."""
        return self.output_layer.cost

    def trace(self, X, Y, step_size: float):
        """Train one mini-batch with the object engine, recording each of the eight steps
        (see :func:`neurograph.trace.trace`); returns the :class:`~neurograph.trace.Trace`."""
        from ..teaching.trace import trace

        return trace(self, X, Y, step_size)

    def lesioned(self, items):
        """A context manager silencing ``items`` (neurons or connections) within its block; see
        :func:`neurograph.lesion.lesioned`."""
        from ..teaching.lesion import lesioned

        return lesioned(self, items)

    def to_networkx(self):
        """This network as a ``networkx.DiGraph`` (see :func:`neurograph.export.to_networkx`)."""
        from ..drawing.export import to_networkx

        return to_networkx(self)

    def save(self, path, format: str = "neurograph") -> None:
        """Write this network to a JSON model file (see :func:`neurograph.io.save`).

        ``neurograph.load(path)`` reads it back: the same structure and parameters, bit for bit.
        ``format="post"`` writes the Kotlin post's ``network-export.json`` instead.
        """
        from ..io.modelfile import write_model
        from ..io.postformat import write_post

        if format not in ("neurograph", "post"):
            raise ValueError(f"`format` must be 'neurograph' or 'post', got {format!r}")
        (write_post if format == "post" else write_model)(self, path)

    def to_onnx(self, path) -> None:
        """Write this network to the ONNX file ``path`` (see
        :func:`neurograph.io.onnx_export.to_onnx_model`): opset 17, float32, input
        ``"input"`` ``(batch, n_inputs)``, output ``"output"``; onnxruntime computes what
        ``predict`` does. Needs the optional ``onnx`` package (``pip install
        'neurograph[onnx]'``). A network that cannot be written (a custom activation) is
        refused with a ValueError and nothing is written.
        """
        from ..io.onnx_export import write_onnx

        write_onnx(self, path)

    def __repr__(self) -> str:
        activations = [layer.activation_function.name for layer in self.receiving_layers]
        shown = activations[0] if len(set(activations)) == 1 else "/".join(activations)
        n_connections = sum(layer.n_connections for layer in self.receiving_layers)
        return (f"Network({'-'.join(map(str, self.sizes))}, {shown}, "
                f"{self.cost_function.name} cost, {n_connections} connections)")

    # -- rich display in Jupyter (see neurograph.drawing.notebook) ----------------------------
    # Two methods, not one _repr_mimebundle_: IPython calls that even in a terminal, which
    # shows text only, and would draw the diagram for nothing at every echo.

    def _repr_png_(self) -> bytes:
        """The diagram as PNG bytes (:func:`~neurograph.draw_network`, 100 dpi)."""
        from ..drawing.notebook import network_png
        return network_png(self)

    def _repr_html_(self) -> str:
        """The diagram above a table of the layers (kind, neurons, activation, sources,
        weights, biases)."""
        from ..drawing.notebook import network_html
        return network_html(self)

    # -- the object engine: the post's eight steps (see neurograph.engines.object) -----------

    def clear(self) -> None:
        """Steps 1-2: empty every per-sample list (the start of a mini-batch)."""
        engine.clear(self)

    def propagate(self, x) -> np.ndarray:
        """Step 3: set the input activations to ``x`` and evaluate every neuron, layer by layer.

        Returns the output activations. Every neuron's ``activation`` (and ``z``) is set.
        """
        engine.propagate(self, as_sample_list("x", x, self.input_layer.size))
        return self.output_layer.activations

    def train_sample(self, x, y, observe=None) -> float:
        """Steps 3-5 for one sample: propagate, set desired activations, train back to front.

        Every receiver adds one value to its per-sample lists. Returns the sample's cost.
        ``observe(layer)``, if given, is called after step 3 with None and after each layer is
        trained with that layer (the output layer first): :meth:`trace` records the steps so.
        """
        cost = engine.train_sample(self, x, y, observe)
        check_reachable_targets(self, y)  # a warning: y is known good by now
        return cost

    def nudge_parameters(self, step_size: Optional[float] = None, momentum: float = 0.0, *,
                         optimizer=None) -> None:
        """Step 7: every receiver nudges its weights and bias by the mean of its lists.

        ``p -= step_size * mean(per-sample derivatives)``; biases are then clamped to
        ``bias_clamp``. Static neurons keep their parameters. With ``momentum`` ``m`` (in
        [0, 1)), each parameter moves by its velocity ``v = m v - step_size * mean(...)``.
        Or give an ``optimizer`` (:mod:`neurograph.optimizers`) to move them by its rule.

        Raises
        ------
        ValueError
            If ``step_size`` is not a finite positive number, or no sample was trained since
            ``clear()``.
        FloatingPointError
            If a parameter would become NaN or infinite; the message names it and the network
            keeps its previous parameters.
        """
        if optimizer is None:
            step_size = check_step_size(step_size)
            if len(self.output_layer.record) == 0:
                engine.nudge_parameters(self, None)  # raises: nothing to nudge
            optimizer = self._sgd(step_size, check_momentum(momentum))
        engine.nudge_parameters(self, optimizer)

    def _sgd(self, learning_rate: float, momentum: float):
        """SGD with these settings, keeping its velocities where this network's SGD keeps
        them (so that momentum carries over from call to call)."""
        from ..core.neurons import _optimizer_for

        return _optimizer_for(self.output_layer, learning_rate, momentum, None)

    def train_batch(self, X, Y, step_size: Optional[float] = None, *, optimizer=None) -> float:
        """Steps 1-7 for one mini-batch with the object engine; returns its mean cost.

        ``X`` is ``(batch, n_inputs)``, ``Y`` is ``(batch, n_outputs)``. All checks come first,
        so a rejected call changes nothing.
        """
        X, Y = check_data(self, X, Y, "X", "Y")
        if optimizer is None:
            optimizer = self._sgd(check_step_size(step_size), 0.0)
        kept = [(layer.record, layer.state()) for layer in self.receiving_layers]
        try:
            total = engine.train_batch(self, X, Y, optimizer)[1]
        except (ValueError, FloatingPointError):
            for layer, (record, state) in zip(self.receiving_layers, kept):
                layer.record = record
                layer.set_state(state)  # parameters, and a dropout layer's generator
            raise
        return total / len(X)

    # -- raw inputs: the scaling fit, predict and evaluate apply --------------------------------

    @property
    def input_scaling(self) -> Optional[tuple[np.ndarray, np.ndarray]]:
        """None, or ``(mean, scale)``: one number each per input neuron, so that the data
        entry points take raw rows and give the input neurons ``(x - mean) / scale``.

        Applied by :meth:`fit` (to ``X`` and the ``validation`` inputs), :meth:`predict` and
        :meth:`evaluate`, and so by what uses them (``neurograph predict``, the plots); a model
        file keeps it. The object engine's steps (:meth:`propagate`, :meth:`train_sample`,
        :meth:`train_batch`, :meth:`cost`, :meth:`trace`, ``gradient_check``) take what the
        input neurons hold: apply :meth:`scale_inputs` first. ``neurograph train
        --standardize`` sets it to each input column's mean and standard deviation.

        Examples
        --------
        >>> net = Network.layered([2, 1], activation="identity", seed=0)
        >>> net.input_scaling = ([10.0, 0.0], [2.0, 1.0])
        >>> net.scale_inputs([[14.0, 3.0]]).tolist()
        [[2.0, 3.0]]
        """
        return self._input_scaling

    @input_scaling.setter
    def input_scaling(self, value) -> None:
        if value is None:
            self._input_scaling = None
            return
        size = self.input_layer.size
        try:
            mean, scale = (np.array(v, dtype=np.float64) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"`input_scaling` must be None or a pair (mean, scale) of "
                             f"{size} numbers each, got {value!r}") from None
        for name, array in (("mean", mean), ("scale", scale)):
            if array.shape != (size,) or not np.isfinite(array).all():
                raise ValueError(f"`input_scaling` {name} must be {size} finite numbers (one "
                                 f"per input neuron), got shape {array.shape}")
        if not (scale > 0).all():
            raise ValueError(f"`input_scaling` scale must be positive, got "
                             f"{scale[~(scale > 0)][0]:g} at input {int(np.argmin(scale > 0))}")
        mean.flags.writeable = scale.flags.writeable = False
        self._input_scaling = (mean, scale)

    def scale_inputs(self, X):
        """Raw rows ``X`` as the input neurons take them: ``(X - mean) / scale`` under
        :attr:`input_scaling` (float64, shape ``(n_samples, n_inputs)``), else ``X`` as it is."""
        if self._input_scaling is None:
            return X
        mean, scale = self._input_scaling
        X = as_samples("X", X, self.input_layer.size, finite=False)
        return (X.astype(np.float64, copy=False) - mean) / scale

    def _scale_data(self, X, validation):
        """``fit``'s ``X`` and ``validation`` with their inputs scaled (under
        :attr:`input_scaling`); a malformed ``validation`` is left for ``fit`` to refuse."""
        if self._input_scaling is None:
            return X, validation
        if isinstance(validation, (tuple, list)) and len(validation) == 2:
            validation = (self.scale_inputs(validation[0]), validation[1])
        return self.scale_inputs(X), validation

    # -- using the network ---------------------------------------------------------------------

    def fit(self, X, Y, epochs: int = 1, batch_size: Union[int, Callable] = 10,
            learning_rate: Union[float, Callable, None] = None, *,
            momentum: Optional[float] = None, optimizer=None, engine: str = "vectorized",
            shuffle: bool = True, seed=None, validation=None, progress: bool = True,
            checkpoint=None, resume=None, epoch_size: Optional[int] = None,
            evaluate_every: Optional[int] = None, callbacks=None,
            validation_name: str = "validation") -> History:
        """Train on ``X, Y`` for some epochs of shuffled mini-batches, and return the history.

        Parameters
        ----------
        X, Y : array-like, shapes (n_samples, n_inputs) and (n_samples, n_outputs)
            Samples and targets (one-hot for classification); raw rows under :attr:`input_scaling`.
        epochs : int
            Passes over the data (each of ``epoch_size`` samples).
        batch_size : int or callable
            Samples per mini-batch (an epoch's last one may be smaller), or a callable of the
            epoch index ``i`` (0 first; a :class:`~neurograph.Schedule`) giving each epoch's.
        learning_rate : float or callable, optional
            The step size of each nudge: 0.1 for SGD, 0.001 for Adam by default; a callable
            of the epoch index sets the optimizer's each epoch (:mod:`.training.schedule`).
        momentum : float, optional
            SGD momentum in [0, 1); 0 (the default) is the post's plain gradient descent.
        optimizer : Optimizer or {"sgd", "adam"}, optional
            How parameters move (:mod:`neurograph.optimizers`); by default SGD with
            ``learning_rate`` and ``momentum``. An object is used as it is (give it its own
            settings); a name takes ``learning_rate`` (and, for SGD, ``momentum``). SGD goes
            on with the velocities the network's SGD had. The network keeps the optimizer it
            was trained with (``network.optimizer``), and its files keep its state.
        engine : {"vectorized", "object"}
            ``"vectorized"`` trains whole mini-batches with matrix products; ``"object"`` runs
            the post's eight steps neuron by neuron. Both leave the same parameters and
            per-sample lists (those of the last mini-batch).
        shuffle, seed, progress : bool, int or numpy.random.Generator (optional), bool
            Shuffle the samples each epoch; make the shuffling reproducible; print a progress
            bar and a line per epoch (on stderr).
        validation, validation_name : (X, Y), optional, and str
            Measured after every epoch (and every ``evaluate_every`` mini-batches); what it is
            called in the progress lines and the history (``"test"`` for the test set).
        checkpoint, resume : str or path, optional
            Save the network and where training stands to this file after every epoch (and on
            Ctrl-C), atomically; go on from such a file, ending as a run never stopped would.
        epoch_size, evaluate_every : int, optional
            Samples per epoch, the first of each epoch's shuffle (by default all); evaluate on
            ``validation`` every so many mini-batches (``History.evaluation_*``).
        callbacks : list of callables, optional
            Called with a :class:`~neurograph.training.callbacks.TrainingEvent` after every
            epoch, or every mini-batch for a callback with ``every = "batch"``; a callback may
            call ``event.stop()`` to end training cleanly at the end of the epoch.

        Returns
        -------
        History
            Per epoch training and validation cost and accuracy, seconds; the evaluations.

        Raises
        ------
        ValueError
            On bad shapes, non-finite values, targets that do not suit the cost, or bad
            settings (any epoch's); nothing is changed then.
        FloatingPointError
            If training diverges to a NaN or infinite parameter, which the error names; the
            network is then put back as it was before the call.

        Examples
        --------
        >>> net = Network.layered([2, 8, 1], activation="tanh", seed=0)
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25, dtype=float)
        >>> Y = X[:, :1] * X[:, 1:]  # AND
        >>> history = net.fit(X, Y, epochs=30, batch_size=4, learning_rate=0.5, seed=0,
        ...                   progress=False)
        >>> history.accuracy[-1]
        1.0
        """
        X, validation = self._scale_data(X, validation)  # raw rows in, as predict takes them
        return fit(self, X, Y, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                   momentum=momentum, optimizer=optimizer, engine=engine, shuffle=shuffle,
                   seed=seed, validation=validation, progress=progress, checkpoint=checkpoint,
                   resume=resume, epoch_size=epoch_size, evaluate_every=evaluate_every,
                   callbacks=callbacks, validation_name=validation_name)

    def predict(self, X) -> np.ndarray:
        """The output activations for each row of ``X``: ``(n_samples, n_outputs)``.

        Uses the vectorized forward pass; neurons' ``activation`` attributes are not touched.
        A float32 network refuses input beyond float32's range (ValueError), as ``fit`` does.
        Under :attr:`input_scaling` the rows are raw, and scaled first.
        """
        X = as_samples("X", self.scale_inputs(X), self.input_layer.size)
        dtype = self.output_layer.dtype
        if X.dtype != dtype:
            with np.errstate(over="ignore"):
                narrow = X.astype(dtype)
            if not np.all(np.isfinite(narrow)):  # finite before the cast, infinite after
                first = tuple(int(i) for i in np.argwhere(~np.isfinite(narrow))[0])
                raise ValueError(f"`X` must be finite as {dtype} (this network's dtype, up to "
                                 f"{np.finfo(dtype).max:.4g}), got {X[first]:g} at index "
                                 f"{first}")
            X = narrow
        return _predict(self, X)

    def evaluate(self, X, Y) -> dict:
        """``{"cost": mean cost, "accuracy": share right or None}`` on ``X, Y``.

        Accuracy is measured when ``Y`` is one-hot (the largest output is the right one) or a
        single 0/1 output (the output rounded is right). Under :attr:`input_scaling` the rows
        of ``X`` are raw, and scaled first.
        """
        return evaluate(self, self.scale_inputs(X), Y)

    def _propagate_with_desired(self, x, y) -> None:
        engine.propagate_with_desired(self, x, y)

    def cost(self, x, y) -> float:
        """The cost of one sample (``x`` 1-D), or the mean cost of a batch (``x`` 2-D).

        A single sample is propagated with the object engine, which sets every activation and
        the output neurons' desired activations; the cost is the sum of their ``cost()``. A
        cross-entropy after softmax (binary cross-entropy after sigmoid) is computed from the
        output layer's weighted sums, exactly, however saturated the output.

        Examples
        --------
        >>> net = Network.layered([1, 1], activation="identity", seed=0)
        >>> net.output_layer[0].bias, net.connections[0].weight = 0.0, 2.0
        >>> net.cost([1.5], [1.0])  # (2 x 1.5 - 1)^2
        4.0
        """
        if np.ndim(x) <= 1:
            engine.propagate_with_desired(self, x, y)
            return engine.sample_cost(self)
        return evaluate(self, x, y)["cost"]


def _check_layered_sizes(sizes: list, connect: str, shift: int = 0) -> None:
    """Refuse sizes (a ValueError naming the size asked for and the limit) before any layer
    is made: too many layers, or a layer of more neurons or parameters than
    :data:`neurograph.LIMITS` allows."""
    if not shift:
        check_layer_count(len(sizes), "`sizes` make a network")
    sizes = [check_positive_int("size", n) for n in sizes]
    for k, n in enumerate(sizes):
        check_layer_neurons(n, f"`sizes[{k + shift}]` asks for a layer")
        inputs = sum(sizes[:k]) if connect == "all" else sizes[k - 1] if k else 0
        if k:
            check_layer_parameters(n * inputs + n, f"`sizes[{k + shift}]`: a layer of {n:,} neurons "
                                                   f"reading {inputs:,} inputs")


def _check_sources(layers: list) -> None:
    """Every layer after the layers it receives from, all in ``layers``; every layer but the
    output sends to a later one. (A layer that reads nothing yet will read the one before.)"""
    position = {id(layer): k for k, layer in enumerate(layers)}
    for k, layer in enumerate(layers[1:], start=1):
        for source in layer.sources:
            where = position.get(id(source))
            if where is None:
                raise ValueError(f"{layer!r} receives from {source!r}, which is not in "
                                 "`layers`")
            if where >= k:
                raise ValueError(f"layers must come after the layers they receive from: "
                                 f"{layer!r} at position {k} receives from {source!r} at "
                                 f"position {where}")
    for k, layer in enumerate(layers[:-1]):
        for receiver in layer.receivers:
            if id(receiver) not in position:
                raise ValueError(f"{layer!r} sends to {receiver!r}, which is not in `layers`")
        if not layer.receivers and layers[k + 1].sources:
            raise ValueError(f"{layer!r} sends to no later layer: connect it to one, or leave "
                             "it out")


_ROLES = {(False, True): "an InputLayer", (True, True): "a HiddenLayer",
          (True, False): "an OutputLayer"}  # (receives, transmits) -> what such a layer is


def _check_layer_order(layers: list) -> None:
    """An input layer first, an output layer last, hidden layers between: by the roles the
    layers play (whatever their kind), as ``receives`` and ``transmits`` say."""
    if len(layers) < 2:
        raise ValueError(f"a network needs an input and an output layer, got {len(layers)} layers")
    for position, layer in enumerate(layers):
        expected = ((False, True) if position == 0 else
                    (True, False) if position == len(layers) - 1 else (True, True))
        if not isinstance(layer, Layer) or (layer.receives, layer.transmits) != expected:
            raise TypeError(f"layer {position} must be {_ROLES[expected]}, got {layer!r}")
    if len({id(layer) for layer in layers}) != len(layers):
        raise ValueError("a layer appears twice in `layers`")
