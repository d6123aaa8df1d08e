"""Layers: ordered groups of neurons. A receiving layer owns its parameters.

A receiving layer ``L`` keeps ``weights`` (``n_out x n_in``: row ``j`` holds the weights into its
neuron ``j``), ``biases`` (``n_out``) and ``mask`` (which connections exist). Connections and
neurons are windows onto these arrays, so both engines train the same numbers; the connection
objects are made on first use (:meth:`Layer.make_connection_objects`).
"""
from __future__ import annotations

import copy
import itertools
from array import array
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence, Union

import numpy as np

from .activations import Activation, get_activation
from .buffers import copy_buffer
from .connection import Connection
from .costs import Cost, get_cost
from .limits import check_layer_neurons, check_layer_parameters
from .validation import check_dtype, check_positive_int, check_shape
from .neurons import (
    HiddenNeuron,
    InputNeuron,
    Neuron,
    OutputNeuron,
    ReceiverNeuron,
    StaticNeuron,
    TransmitterNeuron,
)

__all__ = ["Layer", "InputLayer", "ReceivingLayer", "HiddenLayer", "OutputLayer", "SampleRecord",
           "Nudge", "SelfConnectingLayer", "check_layers_can_connect"]


def _check_size(size) -> int:
    size = check_positive_int("size", size)
    check_layer_neurons(size)  # before a neuron object is made
    return size


_TYPECODES = {np.dtype(np.float64): "d", np.dtype(np.float32): "f"}

# Numbers each call that connects two layers while their connection objects are not made yet,
# so that making them later replays the calls in the order they came (which fixes the order of
# every neuron's `inputs` and `outputs`).
_connection_calls = itertools.count()


def _float_buffer(n: int, dtype: np.dtype) -> tuple[array, np.ndarray]:
    """``n`` zeros in an ``array.array`` and a numpy view of the same memory."""
    buffer = array(_TYPECODES[dtype], bytes(dtype.itemsize * n))
    return buffer, np.frombuffer(buffer, dtype=dtype)


class Nudge:
    """What a nudge did to a layer: the optimizer that made it (and its step count then), the
    parameters before it, and the optimizer's slots for this layer before and after it."""

    __slots__ = ("optimizer", "steps", "before", "slots_before", "slots_after")

    def __init__(self, optimizer, before: dict, slots_before: dict, slots_after: dict) -> None:
        self.optimizer = optimizer
        self.steps = optimizer.steps
        self.before = before  # parameter name -> its values before the nudge
        self.slots_before = slots_before  # parameter name -> {slot name: values}
        self.slots_after = slots_after

    @property
    def weights_before(self) -> np.ndarray:
        return self.before["weights"]

    @property
    def biases_before(self) -> np.ndarray:
        return self.before["biases"]


class SampleRecord:
    """What a receiving layer remembers of the samples trained since the last ``clear()``.

    Row ``s`` of each table belongs to sample ``s``:

    - ``input_activations``: the activations the layer read (its sources' side by side,
      ``n_in`` values, one per column of ``weights``);
    - ``deltas``: ``dC/dz`` of each neuron of this layer (``n_out`` values);
    - ``derivatives_of_cost_by_activation``: ``dC/da`` of each neuron (hidden layers only);
    - ``winners``: for a max-pooling layer, which input won each neuron's window (else None).

    The object engine appends one row per sample (lists of floats); the vectorized engine stores
    a whole mini-batch at once (2-D arrays). Every per-sample list of the post is read from
    these tables.
    """

    __slots__ = ("input_activations", "deltas", "derivatives_of_cost_by_activation", "_arrays",
                 "nudge", "winners")

    def __init__(self, input_activations=None, deltas=None,
                 derivatives_of_cost_by_activation=None, winners=None) -> None:
        self.input_activations: Union[list, np.ndarray] = (
            [] if input_activations is None else input_activations)
        self.deltas: Union[list, np.ndarray] = [] if deltas is None else deltas
        self.derivatives_of_cost_by_activation: Union[list, np.ndarray] = (
            [] if derivatives_of_cost_by_activation is None else derivatives_of_cost_by_activation)
        self._arrays = None  # (inputs, deltas) as arrays, made once per nudge
        self.nudge: Optional[Nudge] = None  # what the nudge after these samples did, if any
        # max pooling only: per sample, the index (in the layer before) of each neuron's
        # largest input, the one its derivative flows back to
        self.winners: Union[list, np.ndarray, None] = winners

    def __len__(self) -> int:
        return len(self.deltas)

    def mean_derivatives_by_weight(self, j: int) -> list[float]:
        """For every incoming connection ``i`` of neuron ``j``, the mean of its per-sample list.

        The list holds ``delta_sj * a_si`` for each sample ``s``, so its mean is
        ``sum_s delta_sj a_si / samples``: one dot product gives them all, without building a
        list per connection.
        """
        if self._arrays is None:
            self._arrays = (np.asarray(self.input_activations), np.asarray(self.deltas))
        inputs, deltas = self._arrays
        return (deltas[:, j] @ inputs / len(deltas)).tolist()

    def start_sample(self, input_activations: list[float], size: int, hidden: bool) -> None:
        """Open a new row for the next sample (rows filled in as its neurons train)."""
        if not isinstance(self.deltas, list):  # continuing after a vectorized batch
            self.input_activations = np.asarray(self.input_activations).tolist()
            self.deltas = np.asarray(self.deltas).tolist()
            self.derivatives_of_cost_by_activation = np.asarray(
                self.derivatives_of_cost_by_activation).tolist()
            if self.winners is not None:
                self.winners = np.asarray(self.winners).tolist()
        self._arrays = None
        self.input_activations.append(input_activations)
        self.deltas.append([0.0] * size)
        if hidden:
            self.derivatives_of_cost_by_activation.append([0.0] * size)


class Layer:
    """An ordered group of neurons; base of the input, hidden and output layers.

    ``len(layer)``, ``layer[i]`` and iteration give its neurons. ``index`` is its position in
    the network (``None`` until it joins one).
    """

    neuron_class: type = Neuron
    transmits = False  # its neurons send on to a later layer (input and hidden layers)
    receives = False  # its neurons weigh inputs (hidden and output layers)

    def __init__(self, size: int) -> None:
        size = _check_size(size)
        self.index: Optional[int] = None
        self.network = None
        self.shape: tuple[int, ...] = getattr(self, "shape", (size,))
        self.neurons: list[Neuron] = [self._make_neuron(i) for i in range(size)]
        # Whether the neurons' `inputs` (and `outputs`) lists exist, True for a role the layer
        # does not have. Until they do, the weights and mask say which connections there are,
        # and a receiving layer's `_pending` lists the calls that will make their objects.
        self._inputs_made = not self.receives
        self._outputs_made = not self.transmits

    def _make_neuron(self, index: int) -> Neuron:
        return self.neuron_class(self, index)

    def make_connection_objects(self) -> None:
        """Make the :class:`Connection` objects of the connections into this layer and out of
        it (so those into every layer it sends to), if not made yet.

        Building a network only sets weights and masks, which is all the vectorized engine
        reads. The objects are made when first asked for (``neuron.inputs`` makes those into
        the neuron's layer, ``neuron.outputs`` those out of it, ``layer.connections`` those
        into it), each neuron's lists in the order the connections were made; from then on
        they are kept, and a new connection into or out of the layer is made at once.

        Examples
        --------
        >>> from neurograph import Network
        >>> net = Network.layered([2, 3, 1], seed=0)  # no connection object made
        >>> net.layers[1].make_connection_objects()  # as asking for one would
        >>> first = net.layers[0].neurons[0].outputs[0]
        >>> bool(first.weight == net.layers[1].weights[0, 0]), len(net.connections)
        (True, 9)
        >>> net.connections[0] is first  # made once, then kept
        True
        """
        self._make_input_objects()
        self._make_output_objects()

    def _make_input_objects(self) -> None:
        """Make the objects of the connections into this layer (none for an input layer)."""

    def _make_output_objects(self) -> None:
        """Make the objects of the connections out of this layer (none for an output layer)."""

    @property
    def size(self) -> int:
        """The number of neurons."""
        return len(self.neurons)

    def __len__(self) -> int:
        return len(self.neurons)

    def __iter__(self) -> Iterator[Neuron]:
        return iter(self.neurons)

    def __getitem__(self, index: int) -> Neuron:
        return self.neurons[index]

    @property
    def activations(self) -> np.ndarray:
        """The neurons' activations for the sample last propagated, as an array."""
        return np.array([neuron.activation for neuron in self.neurons])

    def _describe(self) -> str:
        return f"{self.size} neurons"

    def forward_numbers(self) -> int:
        """How many numbers the forward pass holds for this layer and one sample while a batch
        goes through (its activations here); ``predict`` sizes its chunks by it."""
        return self.size

    def structure(self) -> tuple:
        """What this layer is apart from its parameters (kind, size, shape, and what each kind
        adds): two networks whose layers agree on it can hand parameters to each other."""
        return (type(self).__name__, self.size, tuple(self.shape))

    # -- hints for the diagram and plots ---------------------------------------------------------

    def diagram_image(self) -> Optional[tuple[tuple[int, int, int], str]]:
        """How the diagram may draw this layer's neurons as an image.

        ``((channels, rows, columns), "channels")`` for a layer with an image shape (neuron
        ``(c, y, x)`` is the pixel at row ``y``, column ``x`` of channel ``c``); ``(shape,
        "maps")`` for a stack of feature maps, drawn as tiles however many there are; None
        for a plain column of neurons.
        """
        shape = tuple(self.shape)
        if len(shape) == 3:
            return shape, "channels"
        if len(shape) == 2:
            return (1, *shape), "channels"
        return None

    def diagram_kernels(self) -> Optional[np.ndarray]:
        """The kernels ``(maps, channels, kh, kw)`` the diagram draws beside the layer's maps (a
        live view), or None (no kernels: the plain case)."""
        return None

    def diagram_caption(self) -> str:
        """The words under the layer in the diagram: its kind and size (and, for a layer of
        maps, their shape and the windows they read)."""
        return f"{type(self).__name__.replace('Layer', '').lower()}\n{self.size}"

    def weight_picture(self) -> tuple[str, np.ndarray]:
        """What :func:`~neurograph.drawing.plots.plot_weights` draws of this layer:
        ``("weights", w)``, ``w`` ``(n_out, n_in)`` with NaN where there is no connection, or
        ``("kernels", k)``, ``k`` ``(maps, channels, kh, kw)``.

        Raises a TypeError here: a layer that receives nothing has no weights.
        """
        raise TypeError(f"`layer` must be a HiddenLayer or OutputLayer, got {self!r}")

    def graph_node_attributes(self, index: int) -> dict:
        """What the networkx export adds to neuron ``index``'s node beyond its kind, place,
        bias, activation and static flag: nothing for a plain layer."""
        return {}

    def __repr__(self) -> str:
        index = "?" if self.index is None else self.index
        return f"{type(self).__name__}(index {index}, {self._describe()})"


class _TransmittingLayer(Layer):
    """A layer whose neurons send on to later layers (input and hidden layers)."""

    transmits = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # cooperative: a hidden layer is also a receiver
        self.receivers: list = []  # the later layers this one sends to, in the order joined

    def _make_output_objects(self) -> None:
        """Make every neuron's ``outputs``, once: the objects of the connections into each
        layer this one sends to are made (see :meth:`ReceivingLayer._make_input_objects`),
        and those from this layer handed to their senders in the order of the calls that
        made them, whichever layer each went to."""
        if self._outputs_made:
            return
        calls = []
        for receiver in self.receivers:
            receiver._make_input_objects()
            calls += [call for call in receiver._unsent if call[1] is self]
            receiver._unsent = [call for call in receiver._unsent if call[1] is not self]
        for neuron in self.neurons:
            neuron._outputs = []
        self._outputs_made = True
        for _, _, made in sorted(calls, key=lambda call: call[0]):
            for connection in made:
                connection.input_neuron._outputs.append(connection)

    def fully_connect_to(self, later_layer: ReceivingLayer, weights=None, *,
                         seed=None) -> list[Connection]:
        """Connect every neuron of this layer to every neuron of ``later_layer``.

        Parameters
        ----------
        later_layer : HiddenLayer or OutputLayer
            Any layer after this one: the next, or a later one (a skip connection), which may
            already receive from other layers; no neuron of this layer may already be
            connected to it.
        weights : array-like of shape (len(later_layer), len(self)), optional
            The weights (row ``j`` into neuron ``j``); by default U(-0.5, 0.5) as in the post.
        seed : int or numpy.random.Generator, optional
            Where the default weights are drawn from.

        Returns
        -------
        list of Connection
            The new connections, receiver by receiver (which makes the connection objects of
            the layers joined, see :meth:`Layer.make_connection_objects`; the network builders
            leave them to be made on first use).

        Examples
        --------
        >>> from neurograph import InputLayer, HiddenLayer
        >>> hidden = HiddenLayer(3)
        >>> len(InputLayer(2).fully_connect_to(hidden, seed=0)), hidden.weights.shape
        (6, (3, 2))
        """
        self._connect_fully(later_layer, weights, seed)
        return [c for neuron in later_layer.neurons for c in neuron.inputs
                if c.input_neuron.layer is self]

    def _connect_fully(self, later_layer: ReceivingLayer, weights=None, seed=None) -> None:
        """:meth:`fully_connect_to`, leaving the connection objects to be made on first use
        when neither layer's are made yet (what the network builders call)."""
        if not isinstance(later_layer, ReceivingLayer):
            raise TypeError(f"`later_layer` must be a HiddenLayer or OutputLayer, got "
                            f"{later_layer!r}")
        later_layer._refuse_connections_by_hand(f"{later_layer!r} makes its own connections "
                                                "(a window per neuron); it cannot be fully "
                                                "connected")
        check_layers_can_connect(self, later_layer)
        later_layer._check_room_for(self)  # before the weights are drawn
        if later_layer.receives_from(self) and later_layer.block_mask(self).any():
            raise ValueError(f"{self!r} is already connected to {later_layer!r}; "
                             "use connect_to for single connections")
        w = _checked_weights(weights, (later_layer.size, self.size), seed)
        later_layer._add_source(self)
        later_layer.block(self)[...] = w
        later_layer.block_mask(self)[...] = True
        later_layer._make_connections(self)


def _checked_weights(weights, shape: tuple, seed) -> np.ndarray:
    """``weights`` as a finite float array of ``shape``, or U(-0.5, 0.5) drawn with ``seed``."""
    if weights is None:
        from .validation import check_seed

        return np.random.default_rng(check_seed(seed)).uniform(-0.5, 0.5, size=shape)
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`weights` must be an array of numbers of shape {shape}, "
                         f"got {weights!r}") from None
    if w.shape != shape:
        raise ValueError(f"`weights` must have shape {shape} (receivers x senders), "
                         f"got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("`weights` must be finite")
    return w


class InputLayer(_TransmittingLayer):
    """The first layer: one :class:`InputNeuron` per input value.

    Parameters
    ----------
    size : int, optional
        The number of inputs (may be left out when ``shape`` is given).
    shape : tuple of int, optional
        How the inputs are arranged: ``(height, width)`` for an image, ``(channels, height,
        width)`` for several; neuron ``(c, y, x)`` has index ``(c * height + y) * width + x``.
        A convolution or pooling layer after this one reads it. By default ``(size,)``.

    Examples
    --------
    >>> InputLayer(shape=(28, 28))
    InputLayer(index ?, 784 neurons, 28 x 28)
    """

    neuron_class = InputNeuron

    def __init__(self, size: Optional[int] = None, *, shape=None) -> None:
        if shape is not None:
            shape = check_shape("shape", shape)
            if size is not None and _check_size(size) != int(np.prod(shape)):
                raise ValueError(f"`shape` {shape} holds {int(np.prod(shape))} inputs, not "
                                 f"`size` = {size}")
            size = int(np.prod(shape))
            self.shape = shape
        elif size is None:
            raise ValueError("give `size` or `shape`")
        super().__init__(size)

    def _describe(self) -> str:
        if len(self.shape) == 1:
            return super()._describe()
        return f"{self.size} neurons, {' x '.join(map(str, self.shape))}"

    # -- the model file ----------------------------------------------------------------------
    # (see ReceivingLayer's "the model file": each kind writes and checks its own object)

    file_kind = "input"
    """This kind's ``kind`` in a model file."""
    file_place = "first"
    """Where it stands among the file's layers."""
    file_since = 1
    """The format version that brought this kind (``shape`` came with version 2)."""

    def file_version(self) -> int:
        """1, or 2 when the inputs have an image shape."""
        return 1 if tuple(self.shape) == (self.size,) else 2

    def describe_for_file(self, optimizer) -> dict:
        """``{"kind": "input", "size": n}``, and the ``shape`` if it is not ``[n]``."""
        described = {"kind": self.file_kind, "size": self.size}
        if tuple(self.shape) != (self.size,):
            described["shape"] = list(self.shape)
        return described

    @classmethod
    def check_file_shape(cls, reader, fields: dict, where: str, before) -> tuple:
        """The size and, from version 2, the optional ``shape`` (1 to 3 numbers whose product
        is the size); an input layer declares no parameters."""
        optional = ("shape",) if reader.version >= 2 else ()
        reader.fields(fields, where, ("kind", "size"), optional)
        size = reader.integer(fields["size"], f"{where}.size", 1, reader.max_size)
        spec = {"kind": cls.file_kind, "size": size}
        if "shape" in fields:
            shape = spec["shape"] = reader.shape(fields["shape"], f"{where}.shape", (1, 2, 3))
            count = reader.product(shape)
            if count != size:
                raise reader.fail(f"`{where}.shape` {reader.dims(shape)} holds {count:,} inputs, "
                                  f"not `size` = {size:,}")
        return spec, 0

    @classmethod
    def check_file_parameters(cls, reader, fields: dict, spec: dict, before, where: str,
                              dtype: np.dtype) -> None:
        """Nothing more: an input layer has no parameters."""

    @classmethod
    def from_file(cls, spec: dict, dtype: np.dtype) -> "InputLayer":
        return cls(shape=spec["shape"]) if "shape" in spec else cls(spec["size"])

    def restore_from_file(self, spec: dict, optimizer) -> None:
        """Nothing to restore."""


class ReceivingLayer(Layer):
    """A layer whose neurons receive from earlier layers (hidden and output layers).

    This class is also the **layer protocol**: every receiving-layer kind (dense here,
    convolution, pooling and dropout in :mod:`neurograph.layers`) implements the methods below
    the "protocol" banner, and the engines, the model file, the diagram and the teaching tools
    call only those, never asking which kind a layer is.

    Attributes
    ----------
    activation_function : Activation
        ``f`` in ``a = f(z)``, shared by the layer's neurons.
    sources : list of Layer
        The earlier layers it receives from, in the order they were joined (the first
        connection from a layer, or the network, joins it). ``previous`` is the one source of a
        layer that has one.
    offsets : list of int
        Each source's first column in ``weights``; ``n_inputs`` is the number of columns.
    weights : numpy.ndarray, shape (n_out, n_inputs)
        ``weights[j, offset + i]`` is the weight from neuron ``i`` of a source to neuron ``j``
        (one block of columns per source, :meth:`block`); zero where there is no
        connection. A live view: writing into it changes the network.
    biases : numpy.ndarray, shape (n_out,)
        A live view of the neurons' biases.
    weight_velocity, bias_velocity : numpy.ndarray
        Each parameter's velocity for SGD with momentum: the slots of the network's optimizer
        (zero until trained with momentum).
    dtype : numpy.dtype
        float64 (the default) or float32, the type the parameters are stored in.
    mask : numpy.ndarray of bool, shape (n_out, n_inputs)
        Where connections exist.
    trainable : numpy.ndarray of bool, shape (n_out,)
        False for static neurons, whose parameters never change in training.
    record : SampleRecord
        The per-sample tables of the samples trained since the last ``clear()``.
    """

    receives = True

    def __init__(self, size: int, activation: Union[str, Activation] = "sigmoid", *,
                 dtype="float64") -> None:
        self.activation_function = get_activation(activation)
        self.dtype = check_dtype(dtype)
        super().__init__(size)
        self.sources: list = []  # the earlier layers it receives from, in the order joined
        self.offsets: list = []  # each source's first column in `weights`
        self.n_inputs = 0  # columns of `weights`: the sources' sizes added up
        self._input_neurons: list = []  # the sources' neurons, one per column
        self._bias_buffer, self.biases = _float_buffer(self.size, self.dtype)
        self._weight_buffer: Optional[array] = None
        self.weights: Optional[np.ndarray] = None
        self.mask: Optional[np.ndarray] = None
        self.trainable = np.array([not neuron.static for neuron in self.neurons])
        self.record = SampleRecord()
        # the calls whose connection objects are still to be made: (call number, source,
        # pairs or None for every pair), see `_make_connections`; then, once made, those not
        # yet in their senders' `outputs`: (call number, source, the objects)
        self._pending: list = []
        self._unsent: list = []

    def _describe(self) -> str:
        return f"{self.size} neurons, {self.activation_function.name}"

    def __deepcopy__(self, memo: dict) -> "ReceivingLayer":
        """A copy whose ``weights`` and ``biases`` are again views of its own buffers (see
        :mod:`neurograph.core.buffers`), so its two engines read the same numbers."""
        copy_buffer(self._weight_buffer, [self.weights], memo)
        copy_buffer(self._bias_buffer, [self.biases], memo)
        new = object.__new__(type(self))
        memo[id(self)] = new
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def forward_numbers(self) -> int:
        """``z`` and ``a`` for one sample, plus a copy of the inputs side by side when it reads
        several layers (see :meth:`Layer.forward_numbers`)."""
        return 2 * self.size + (self.n_inputs if len(self.sources) > 1 else 0)

    # -- sources: the earlier layers it reads, each a block of columns of `weights` ----------

    @property
    def previous(self) -> Optional[Layer]:
        """The one layer this one receives from (None before it has one)."""
        if len(self.sources) > 1:
            raise AttributeError(f"{self!r} receives from several layers: see `sources`")
        return self.sources[0] if self.sources else None

    def receives_from(self, layer: Layer) -> bool:
        """Whether ``layer`` is one of this layer's sources."""
        return any(source is layer for source in self.sources)

    def offset_of(self, layer: Layer) -> int:
        """The first column of ``layer``'s block in ``weights``."""
        for source, offset in zip(self.sources, self.offsets):
            if source is layer:
                return offset
        raise ValueError(f"{self!r} does not receive from {layer!r}")

    def block(self, layer: Layer) -> np.ndarray:
        """The weights from source ``layer``: a live view ``(n_out, len(layer))``."""
        offset = self.offset_of(layer)
        return self.weights[:, offset:offset + layer.size]

    def block_mask(self, layer: Layer) -> np.ndarray:
        """Which connections from source ``layer`` exist: a live view like :meth:`block`."""
        offset = self.offset_of(layer)
        return self.mask[:, offset:offset + layer.size]

    def input_neurons(self) -> list:
        """The neurons this layer reads, one per column of ``weights``: the sources' in turn."""
        return self._input_neurons

    def input_column(self, connection: Connection) -> int:
        """The column of ``connection`` (into this layer): where its sender's activation sits
        in the layer's inputs, ``weights`` and per-sample record."""
        return connection._k - connection.output_neuron.index * self.n_inputs

    @property
    def connections(self) -> list[Connection]:
        """The connections into this layer, receiver by receiver (made on first use, see
        :meth:`Layer.make_connection_objects`)."""
        self._make_input_objects()
        return [c for neuron in self.neurons for c in neuron._inputs]

    @property
    def n_connections(self) -> int:
        """How many connections come into this layer."""
        return 0 if self.mask is None else int(self.mask.sum())

    def structure(self) -> tuple:
        """Also the activation, which connections exist and which neurons are static."""
        return super().structure() + (self.activation_function.name,
                                      tuple(source.index for source in self.sources),
                                      None if self.mask is None else self.mask.tobytes(),
                                      self.trainable.tobytes())

    # -- hints for the diagram and plots ---------------------------------------------------------

    def diagram_caption(self) -> str:
        """Kind and size, and the shape of a layer with an image shape (a map of feature
        detectors): ``hidden\n121 (11 x 11)``."""
        caption = super().diagram_caption()
        return caption if len(self.shape) < 2 else \
            f"{caption} ({' x '.join(map(str, self.shape))})"

    def input_image(self) -> Optional[tuple[int, int, int]]:
        """The image ``(channels, rows, columns)`` this layer reads the layer before as (the
        diagram draws that layer so), or None when it reads a plain vector (a dense layer)."""
        return None

    def receptive_field(self, index: int) -> Optional[tuple[int, np.ndarray]]:
        """The window neuron ``index`` reads, which the diagram draws instead of the layer's
        connections: ``(channel, inputs)``, the channel of the layer before that the window is
        drawn in and the sorted indices (in the layer before) of its inputs in that channel.
        None for a layer whose connections are drawn as lines (a dense layer).

        A map of feature detectors (a layer with an image shape, such as the post's 11 x 11
        edge maps) that reads one image-shaped layer through windows, not through every
        pixel, answers with the pixels neuron ``index`` is connected to, in the channel of
        its first one."""
        source = self.sources[0] if len(self.sources) == 1 else None
        if len(self.shape) < 2 or source is None or self.mask is None or self.mask.all():
            return None
        inputs = np.flatnonzero(self.mask[index])
        if inputs.size == 0:
            return 0, inputs
        per_channel = int(np.prod(source.shape[-2:]))  # a plain vector: one channel
        channel = int(inputs[0]) // per_channel
        return channel, inputs[inputs // per_channel == channel]

    def weight_picture(self) -> tuple[str, np.ndarray]:
        """Each neuron's incoming weights, ``("weights", w)``: ``w`` is a float copy of
        ``weights`` ``(n_out, n_in)``, NaN where there is no connection. Raises a ValueError
        when nothing is connected yet."""
        if self.weights is None:
            raise ValueError(f"`layer` must have incoming connections, got {self!r} with none")
        return "weights", np.where(self.mask, self.weights, np.nan).astype(float)

    def graph_edges(self) -> list[tuple[int, int, dict]]:
        """The networkx export's edges into this layer: ``(i, j, attributes)`` for each
        connection from the neuron of column ``i`` of ``weights`` (``input_neurons()[i]``, in
        whichever source it is; the sender's index when the layer reads one layer) to neuron
        ``j``, the attributes holding its ``weight``."""
        rows, columns = self.mask.nonzero()
        weights = self.weights[rows, columns].tolist()
        return [(int(i), int(j), {"weight": w}) for j, i, w in zip(rows, columns, weights)]

    def connection_strengths(self) -> tuple[np.ndarray, np.ndarray]:
        """Which connections exist, ``(n_out, n_in)`` bools, and how strong each is (the
        diagram draws the strongest): the mask and ``|weights|``."""
        return self.mask, np.abs(self.weights)

    # -- the optimizer's slots, under the names they had before optimizers were objects ------

    def _slot(self, name: str, slot: str) -> np.ndarray:
        optimizer = getattr(self.network, "optimizer", None)
        if optimizer is None:  # not in a network yet: nothing has moved
            return np.zeros_like(self.parameter(name))
        if slot not in optimizer.slot_names:
            raise AttributeError(f"{self!r} is trained by {optimizer!r}, which keeps "
                                 f"{', '.join(optimizer.slot_names) or 'no state'}, not a {slot}")
        return optimizer.slots(self, name).arrays[slot]

    @property
    def weight_velocity(self) -> np.ndarray:
        """The weights' SGD velocities (a live view of the network optimizer's slot)."""
        return self._slot("weights", "velocity")

    @property
    def bias_velocity(self) -> np.ndarray:
        """The biases' SGD velocities (a live view of the network optimizer's slot)."""
        return self._slot("biases", "velocity")

    def _save_state(self) -> tuple:
        """Parameters and velocities, copied (what the tests compare bit for bit)."""
        return (self.weights.copy(), self.biases.copy(), self.weight_velocity.copy(),
                self.bias_velocity.copy())

    # -- the layer protocol ------------------------------------------------------------------

    parameter_names: tuple = ("weights", "biases")
    """The names of the layer's parameters, as its model file and the optimizer know them."""

    def parameter(self, name: str) -> np.ndarray:
        """Parameter ``name`` (one of ``parameter_names``), a live view."""
        if name not in self.parameter_names:
            raise KeyError(f"{self!r} has no parameter {name!r}")
        return getattr(self, name)

    def state(self) -> dict:
        """Everything training changes in this layer besides records and the optimizer's
        slots, copied: its parameters (and, for a kind that draws at random, its generator)."""
        return {name: self.parameter(name).copy() for name in self.parameter_names}

    def set_state(self, state: dict) -> None:
        """Put back what :meth:`state` returned (of this layer or of one of the same
        structure)."""
        for name in self.parameter_names:
            self.parameter(name)[...] = state[name]

    def trainable_entries(self, name: str) -> Union[bool, np.ndarray]:
        """Which entries of parameter ``name`` training may move: True for all, False for
        none, or a bool array of its shape."""
        rows = self.trainable
        if not rows.any():
            return False
        if name == "biases":
            return True if rows.all() else rows
        if rows.all() and self.mask.all():
            return True
        return self.mask & rows[:, None]

    def forward_batch(self, a_in: np.ndarray, keep: bool = False):
        """``z`` for a batch, ``(batch, n_out)``, from the inputs ``a_in`` ``(batch, n_in)``,
        and what :meth:`backward_batch` will need of this pass (None for a dense layer)."""
        z = a_in @ self.weights.T  # (batch, n_out)
        z += self.biases
        return z, None

    def backward_batch(self, delta: np.ndarray, a_in: np.ndarray, cache) -> np.ndarray:
        """dC/da of each input column (the sources' neurons side by side): each sums ``weight x
        delta`` over its connections into this layer, ``Delta @ W``."""
        return delta @ self.weights

    def outgoing_counts(self) -> np.ndarray:
        """Per input column (a source's neuron), how many of this layer's connections leave
        it, ``(n_inputs,)`` ints: the mask's column sums. A source neuron's number of
        outgoing connections is the sum of these over the layers it sends to (what
        ``hidden_derivative="mean"`` divides by)."""
        return self.mask.sum(axis=0)

    def gradients_batch(self, delta: np.ndarray, a_in: np.ndarray, cache, scale: float,
                        out: Optional[dict] = None) -> dict:
        """Each parameter's per-sample derivatives summed over the batch, times ``scale``:
        ``scale x Delta.T @ A_in`` for the weights, ``scale x sum of Delta`` for the biases.
        ``out`` may hold a buffer per parameter to write into."""
        weights = np.matmul((delta * scale).T, a_in,  # scale the small delta, not the product
                            out=None if out is None else out.get("weights"))
        return {"weights": weights, "biases": np.add.reduce(delta, axis=0) * scale}

    def restrict_to_trainable(self, name: str, gradient: np.ndarray) -> None:
        """Zero, in place, the entries of ``gradient`` (of parameter ``name``) that training
        must not move: absent connections and static neurons."""
        if name == "weights" and not self.mask.all():
            gradient *= self.mask
        if not self.trainable.all():
            gradient[~self.trainable] = 0.0

    def leave_last_sample(self) -> None:
        """After a vectorized batch, set what the neurons keep of the last sample beyond
        ``activation`` and ``z`` (nothing, for a dense layer)."""

    acts_in_training = False
    """Whether the layer behaves differently in training (dropout): only then do the engines
    call :meth:`begin_batch` and :meth:`end_batch` around each mini-batch."""

    def begin_batch(self, batch: int) -> None:
        """A mini-batch of ``batch`` samples starts training (either engine): a layer that
        behaves differently in training (dropout) gets ready here."""

    def end_batch(self) -> None:
        """The mini-batch is trained: back to how the layer behaves outside training."""

    def clamp_biases(self, clamp: tuple, rows=None) -> None:
        """Clamp the trainable biases to ``clamp = (low, high)`` (after each nudge); ``rows``
        is ``trainable_entries("biases")`` when the caller has it at hand."""
        rows = self.trainable_entries("biases") if rows is None else rows
        if rows is True:  # np.clip's own steps, without its Python layers: a batch's overhead
            np.minimum(np.maximum(self.biases, clamp[0], out=self.biases), clamp[1],
                       out=self.biases)
        elif rows is not False:
            self.biases[rows] = np.clip(self.biases[rows], clamp[0], clamp[1])

    def batch_record(self, a_in: np.ndarray, delta: np.ndarray, dcda: Optional[np.ndarray],
                     cache) -> SampleRecord:
        """The per-sample tables of a mini-batch trained at once (as the object engine would
        leave them sample by sample); the one place a batch's record is made."""
        return SampleRecord(a_in, delta, dcda)

    def start_sample(self, input_activations: list[float]) -> None:
        """Object engine: open this layer's row of the record for the sample just propagated."""
        self.record.start_sample(input_activations, self.size,
                                 hidden=self.transmits)

    def nudge(self, optimizer, bias_clamp=None) -> None:
        """Object engine, step 7 for this layer: every neuron nudges its own weights and bias."""
        for neuron in self.neurons:
            neuron.nudge_parameters(bias_clamp=bias_clamp, optimizer=optimizer)

    def nudge_parameters(self, step_size: Optional[float] = None, bias_clamp=None,
                         momentum: float = 0.0, *, optimizer=None) -> None:
        """Step 7 for this layer, by SGD with ``step_size`` and ``momentum`` or by
        ``optimizer`` (see :meth:`nudge`)."""
        from .neurons import _optimizer_for

        self.nudge(_optimizer_for(self, step_size, momentum, optimizer), bias_clamp)

    def nudge_neuron(self, neuron, optimizer, bias_clamp=None) -> None:
        """Object engine: ``neuron`` moves its own weights and bias (a dense layer's neurons
        own them; a layer whose neurons share weights refuses)."""
        neuron._nudge_own(optimizer, bias_clamp)

    def check_connection(self, sender: TransmitterNeuron, receiver: ReceiverNeuron) -> None:
        """Raise unless a new connection may go from ``sender`` to ``receiver``, a neuron of
        this layer (:meth:`TransmitterNeuron.connect_to` asks)."""
        check_can_connect(sender, receiver)

    def _refuse_connections_by_hand(self, message: str) -> None:
        """Raise ``ValueError(message)`` if this layer makes its own connections (a dense one
        does not: connections into it are made by hand or by ``fully_connect_to``)."""

    def first_non_finite(self, name: str, values: np.ndarray) -> str:
        """Name the first NaN or infinite entry of ``values`` (parameter ``name``):
        ``"weight of Connection(...)"`` or ``"bias of HiddenNeuron(...)"``."""
        if name == "biases":
            return f"bias of {self.neurons[np.flatnonzero(~np.isfinite(values))[0]]!r}"
        j, i = np.argwhere(~np.isfinite(values))[0]
        connection = next(c for c in self.neurons[j].inputs if self.input_column(c) == i)
        return f"weight of {connection!r}"

    # -- hints for the teaching tools (explain, trace, lesion, gradient_check) ----------------

    def entry_name(self, name: str, k: int) -> str:
        """How explain and gradient_check call entry ``k`` (flat) of parameter ``name``: a
        dense layer's entries are each one connection's weight or one neuron's bias."""
        return "bias" if name == "biases" else "weight"

    def explain_where(self, neuron) -> Optional[str]:
        """A line saying where ``neuron`` looks, or None (a dense neuron sees its inputs)."""
        return None

    def explain_z(self, neuron, max_terms: int) -> Optional[str]:
        """The line explaining ``neuron.z`` when it is not a weighted sum plus a bias (None)."""
        return None

    def explain_delta_route(self, neuron):
        """``(s, delta) -> text`` appended to sample ``s``'s delta line: where it goes."""
        return lambda s, d: ""

    def explain_connection(self, connection) -> Optional[str]:
        """A whole explanation of ``connection`` when it is not a weight (None: it is one)."""
        return None

    def explain_weight(self, connection, sharers: int) -> Optional[str]:
        """A line on what ``connection``'s weight is, when it is shared by ``sharers``
        connections or fixed (None for a weight of its own)."""
        return None

    def without_parameters(self) -> Optional[str]:
        """Why nothing in this layer is nudged at all, or None if it has parameters."""
        return None

    def sample_derivatives_by_weight(self, deltas: np.ndarray,
                                     inputs: np.ndarray) -> np.ndarray:
        """One sample's dC/dw, laid out like ``weights``: ``delta_j a_i`` for each connection
        (NaN where there is none; a shared weight gets the sum over its connections)."""
        return np.where(self.mask, np.outer(deltas, inputs), np.nan)

    def weights_shown(self, weights: Optional[np.ndarray] = None) -> np.ndarray:
        """``weights`` (by default the layer's) as a trace shows them: NaN where there is no
        connection."""
        weights = self.weights if weights is None else weights
        return np.where(self.mask, weights, np.nan)

    def refuses_per_connection_values(self) -> Optional[str]:
        """Why a diagram cannot colour this layer's connections one by one (None: it can)."""
        return None

    def refuses_silencing(self) -> Optional[str]:
        """Why connections into this layer cannot be silenced (set to 0) one by one, or None."""
        return None

    def carries_on(self, neuron):
        """The neuron of this layer that passes ``neuron``'s activation on unchanged, outside
        training (so silencing it silences ``neuron``), or None: a dense layer weighs it."""
        return None

    def lesion_candidates(self) -> list:
        """The neurons ``lesion_report`` silences one at a time: a dense layer's all."""
        return list(self.neurons)

    # -- the web page (:mod:`neurograph.web`) -----------------------------------------------

    def web_spec(self, encode) -> dict:
        """How the web page's engine computes ``z`` of this layer: ``{"op": "dense", "weights",
        "biases"}`` (``z = W a_in + b``), plus ``"mask"`` where some connections are absent
        (sparse) and ``"static"``, the indices of static neurons, if any. ``encode`` turns an
        array into the page's base64 form."""
        spec = {"op": "dense", "weights": encode(self.weights), "biases": encode(self.biases)}
        if not self.mask.all():
            spec["mask"] = encode(self.mask)
        if not self.trainable.all():
            spec["static"] = np.flatnonzero(~self.trainable).tolist()
        return spec

    # -- ONNX (:mod:`neurograph.io.onnx_export`) ----------------------------------------------

    def onnx_nodes(self, builder, a_in: str) -> str:
        """Add to ``builder`` the ONNX nodes computing this layer's ``z`` (batch, size) from
        the tensor ``a_in`` (batch, n_inputs), and return the name of ``z``: one ``Gemm``,
        ``z = a_in @ weights.T + biases``, the weights zero where there is no connection."""
        present = int(self.mask.sum())
        how = ("dense" if present == self.mask.size else
               f"sparse: {present:,} of {self.mask.size:,} connections, the others zero")
        static = np.flatnonzero(~self.trainable)
        fixed = "" if not static.size else (
            f"; neurons {', '.join(map(str, static[:20]))}{' ...' if static.size > 20 else ''} "
            "are static (fixed in training, weighed alike here)")
        weights = builder.constant("weights", np.where(self.mask, self.weights, 0.0),
                                   f"weights[j, i]: from input column i to neuron j ({how})")
        biases = builder.constant("biases", self.biases, "one bias per neuron")
        return builder.node("Gemm", [a_in, weights, biases], "z",
                            f"z = a_in @ weights.T + biases: {self.size} neurons reading "
                            f"{self.n_inputs} inputs ({how}){fixed}", transB=1)

    def kink_branches(self, z: np.ndarray, cache) -> Optional[np.ndarray]:
        """Which piece of a piecewise function each neuron is on for a forward pass (``z``
        and the cache kept), or None if the layer is smooth: a kinked activation's side of
        0. gradient_check skips a finite difference whose points change pieces."""
        return (z > 0) if self.activation_function.kinked else None

    def check_entries(self, deltas, inputs):
        """Each parameter entry gradient_check perturbs, with its derivative for one sample:
        ``(array, index, analytic, where, quantity)``, neuron by neuron (bias, then weights)."""
        for neuron in self.neurons:
            j = neuron.index
            yield self.biases, j, float(deltas[j]), neuron, "bias"
            for connection in neuron.inputs:
                i = self.input_column(connection)  # its column: its source's block + index
                yield self.weights, (j, i), float(deltas[j] * inputs[i]), connection, "weight"

    def n_check_entries(self) -> int:
        """How many entries :meth:`check_entries` yields."""
        return self.size + self.n_connections

    def summary(self) -> tuple[str, str, int, int]:
        """One line of ``neurograph info``: a short kind name, what the layer is, and how many
        weights and biases it has."""
        weights = int(self.mask.sum())
        possible = self.mask.size
        shape = "dense" if weights == possible else f"of {possible:,} possible"
        kind = type(self).__name__.replace("Layer", "").lower()
        static = (f"{int((~self.trainable).sum()):>5,} static" if self.transmits
                  else " " * 12)
        return (kind, f"{self.activation_function.name:<10} {static}  {weights:>9,} weights "
                      f"({shape})  {self.size:>6,} biases", weights, self.size)
    def source_summary(self) -> list[str]:
        """The lines ``neurograph info`` prints under :meth:`summary`'s when this layer reads
        a layer other than the one before it, or several: one per source block, such as
        ``"from layer 0 (input): 784 weights (dense)"``; none for a chain layer."""
        if self._reads_only_previous():
            return []
        lines = []
        for source in self.sources:
            mask = self.block_mask(source)
            weights = int(mask.sum())
            shape = "dense" if weights == mask.size else f"of {mask.size:,} possible"
            lines.append(f"from layer {source.index} ({source.file_kind}): {weights:,} weights "
                         f"({shape})")
        return lines

    # -- the model file ----------------------------------------------------------------------
    # Each layer kind writes and checks its own object of the model file
    # (:mod:`neurograph.io.modelfile`); the file code finds the class by ``file_kind`` in
    # :data:`neurograph.layers.kinds.LAYER_KINDS` and never asks which kind a layer is.

    file_kind = "output"
    """This kind's ``kind`` in a model file (a dense layer that sends on is ``"hidden"``)."""
    file_place = "last"
    """Where a layer of this kind stands among the file's layers: "first", "between", "last"."""
    file_since = 1
    """The format version that brought this kind."""
    file_names = {"weights": "weight", "biases": "bias"}
    """Each parameter's singular: slot ``velocity`` of ``weights`` is the field
    ``weight_velocity``."""

    def __init_subclass__(cls, **kwargs) -> None:
        # A dense layer that sends on is "hidden" and stands between the others; a kind of its
        # own sets `file_kind` in its class body.
        super().__init_subclass__(**kwargs)
        if issubclass(cls, _TransmittingLayer) and "file_kind" not in vars(cls):
            cls.file_kind, cls.file_place = "hidden", "between"

    def _reads_only_previous(self) -> bool:
        """Whether this layer reads exactly the layer right before it in its network (what
        format versions 1 to 3 can describe)."""
        network = self.network
        return (network is not None and len(self.sources) == 1
                and self.sources[0] is network.layers[self.index - 1])

    def file_version(self) -> int:
        """The format version a file holding this layer needs: 4 when it reads a layer other
        than the one right before it (or several), or for a hidden layer with a ``shape``."""
        shaped = self.file_kind == "hidden" and tuple(self.shape) != (self.size,)
        return max(self.file_since, 4) if shaped or not self._reads_only_previous() \
            else self.file_since

    def _file_slots(self, optimizer) -> dict:
        """``{slot: {parameter: values}}`` of ``optimizer`` for this layer, for every slot that
        is not all +0.0 (what the file keeps), after checking that everything is savable: a
        registered activation, finite parameters and slots."""
        from .activations import ACTIVATIONS

        f = self.activation_function
        if ACTIVATIONS.get(f.name) is not f:
            raise ValueError(f"the activation {f.name!r} of {self!r} is not one of "
                             "neurograph.ACTIVATIONS, so it cannot be saved by name")
        kept = {}
        for slot in optimizer.slot_names:
            values = {}
            for name in self.parameter_names:
                slots = optimizer.state.get((self.index, name))
                values[name] = (np.zeros_like(self.parameter(name)) if slots is None
                                else slots.arrays[slot])
            if any(v.any() or np.signbit(v).any() for v in values.values()):
                kept[slot] = values
        arrays = [(name, self.parameter(name)) for name in self.parameter_names]
        arrays += [(f"{self.file_names[name]}_{slot}", v) for slot, values in kept.items()
                   for name, v in values.items()]
        for name, values in arrays:
            if not np.isfinite(values).all():
                raise ValueError(f"{self!r} cannot be saved: its {name} hold NaN or infinity")
        return kept

    def describe_for_file(self, optimizer) -> dict:
        """This layer's object in a model file, with ``optimizer``'s slots that are not zero;
        raise ValueError if the file cannot hold the layer faithfully. A layer reading only
        the layer before lists its ``connections`` and ``weights`` as in version 1; any other
        lists ``inputs``, one object per source (version 4)."""
        slots = self._file_slots(optimizer)
        absent = ~self.mask
        if self.weights[absent].any() or any(v["weights"][absent].any() for v in slots.values()):
            raise ValueError(f"{self!r} cannot be saved: it has a non-zero "
                             f"{' or '.join(('weight',) + tuple(optimizer.slot_names))} where no "
                             "connection exists (the file keeps only connections' weights)")
        static = np.flatnonzero(~self.trainable)
        for slot, values in slots.items():
            if values["biases"][static].any() or values["weights"][static].any():
                raise ValueError(f"{self!r} cannot be saved: a static neuron has a non-zero "
                                 f"{slot}")
        described = {"kind": self.file_kind, "size": self.size,
                     "activation": self.activation_function.name}
        if self.file_kind == "hidden":
            described["static"] = static.tolist()
            if tuple(self.shape) != (self.size,):
                described["shape"] = list(self.shape)
        if self._reads_only_previous():
            block = self._file_block(self.sources[0], slots)
            described.update(connections=block["connections"], weights=block["weights"],
                             biases=self.biases.tolist())
            for slot, values in slots.items():
                described[f"weight_{slot}"] = block[f"weight_{slot}"]
                described[f"bias_{slot}"] = values["biases"].tolist()
            return described
        described["inputs"] = [{"from": source.index, **self._file_block(source, slots)}
                               for source in self.sources]
        described["biases"] = self.biases.tolist()
        for slot, values in slots.items():
            described[f"bias_{slot}"] = values["biases"].tolist()
        return described

    def _file_block(self, source: Layer, slots: dict) -> dict:
        """The ``connections``, ``weights`` and weight slots of ``source``'s block."""
        order = self._file_connection_order(source)
        offset = self.offset_of(source)
        columns = slice(offset, offset + source.size)
        if order is None:
            connections, laid_out = "full", lambda values: values[:, columns].ravel()
        else:
            rows, picked = (np.array([p[k] for p in order], dtype=np.intp) for k in (0, 1))
            picked += offset
            connections, laid_out = [list(p) for p in order], lambda values: values[rows, picked]
        block = {"connections": connections, "weights": laid_out(self.weights).tolist()}
        for slot, values in slots.items():
            block[f"weight_{slot}"] = laid_out(values["weights"]).tolist()
        return block

    def _file_connection_order(self, source: Layer) -> Optional[list[tuple[int, int]]]:
        """The order to make the connections from ``source`` in: None for "full" (every
        connection, made in row-major order), else a list of ``(j, i)`` pairs.

        The list keeps every receiver's ``inputs`` from ``source`` and every sender's
        ``outputs`` into this layer in their present order: it is the order the connections
        were made in, or one equivalent to it, found by merging the two kinds of lists (a
        topological sort; ties go row-major). Loading makes a layer's blocks one after the
        other and the layers in order, so a receiver's ``inputs`` come grouped by source and
        a sender's ``outputs`` grouped by receiving layer (see :mod:`neurograph.io.modelfile`).
        """
        n_out, n_in = self.size, source.size
        calls = [pairs for _, caller, pairs in self._pending if caller is source]
        if not self._inputs_made and len(calls) == 1 and calls[0] is None \
                and self.block_mask(source).all():
            return None  # one call made them all, row by row (their objects are not made yet)
        inputs = [[c.input_neuron.index for c in neuron.inputs if c.input_neuron.layer is source]
                  for neuron in self.neurons]
        outputs = [[c.output_neuron.index for c in neuron.outputs
                    if c.output_neuron.layer is self] for neuron in source.neurons]
        mask = self.block_mask(source)
        count = sum(map(len, inputs))
        seen = np.zeros((n_out, n_in), dtype=bool)
        for j, senders in enumerate(inputs):
            seen[j, senders] = True
        if count != int(mask.sum()) or not np.array_equal(seen, mask) \
                or count != sum(map(len, outputs)):
            raise ValueError(f"{self!r} cannot be saved: its neurons' connections do not match "
                             "its mask")
        everything = list(range(n_in))
        if count == n_out * n_in and all(s == everything for s in inputs) \
                and all(r == list(range(n_out)) for r in outputs):
            return None
        return _merged_order(inputs, outputs, count)

    @classmethod
    def check_file_shape(cls, reader, fields: dict, where: str, before: dict) -> tuple:
        """First look at this kind's object ``fields`` of a model file (``where``, after a
        layer of spec ``before``), before anything is allocated: its fields and size.

        Returns the layer's spec so far (a dict with ``kind`` and ``size``) and how many
        parameters it declares; ``reader`` (:class:`neurograph.io.strict.StrictReader`)
        raises :class:`~neurograph.io.ModelFileError` for anything wrong.
        """
        hidden = cls.file_kind == "hidden"
        graph = reader.version >= 4 and "inputs" in fields
        required = ("kind", "size", "activation") + (("static",) if hidden else ()) + (
            ("inputs",) if graph else ("connections", "weights")) + ("biases",)
        names = {"biases": "bias"} if graph else cls.file_names
        optional = reader.slot_fields(names) + (("shape",) if hidden and reader.version >= 4
                                                else ())
        reader.fields(fields, where, required, optional)
        size = reader.integer(fields["size"], f"{where}.size", 1, reader.max_size)
        spec = {"kind": cls.file_kind, "size": size}
        if "shape" in fields:
            spec["shape"] = reader.shape(fields["shape"], f"{where}.shape", (1, 2, 3))
            if reader.product(spec["shape"]) != size:
                raise reader.fail(f"`{where}.shape` {reader.dims(spec['shape'])} must hold its "
                                  f"{size:,} neurons")
        if graph:
            spec["sources"] = reader.sources(fields["inputs"], f"{where}.inputs",
                                             reader.slot_fields({"weights": "weight"}))
        else:
            spec["sources"] = [len(reader.earlier) - 1]
        previous = sum(reader.earlier[k]["size"] for k in spec["sources"])
        parameters = size * previous + size
        if parameters > reader.max_size:
            after = f"reading {previous:,} inputs" if graph else f"after {previous:,}"
            raise reader.fail(f"`{where}` declares {size:,} neurons {after}: "
                              f"{parameters:,} parameters, more than the {reader.max_size:,} a "
                              "layer may have")
        return spec, parameters

    @classmethod
    def check_file_parameters(cls, reader, fields: dict, spec: dict, before: dict, where: str,
                              dtype: np.dtype) -> None:
        """Then the rest of the object (activation, static neurons, connections, parameters
        and slots), checked into ``spec`` as ``dtype`` arrays: ``spec["blocks"]`` holds one
        ``(pairs, weights, weight slots)`` per source."""
        n_out = spec["size"]
        hidden = cls.file_kind == "hidden"
        spec["activation"] = reader.activation(fields["activation"], f"{where}.activation",
                                               hidden)
        spec["static"] = static = cls._check_file_static(reader, fields, n_out, where)
        graph = "inputs" in fields
        names = {"biases": "bias"} if graph else cls.file_names
        places = ([(block, f"{where}.inputs[{m}]") for m, block in enumerate(fields["inputs"])]
                  if graph else [(fields, where)])
        spec["blocks"] = blocks = [
            cls._check_file_block(reader, block, place, n_out, reader.earlier[k]["size"], dtype)
            for (block, place), k in zip(places, spec["sources"])]
        spec["biases"] = reader.numbers(fields["biases"], f"{where}.biases", n_out,
                                        "one per neuron", dtype)
        counts = {"weights": len(blocks[0][1]), "biases": n_out}
        whats = {"weights": blocks[0][3], "biases": "one per neuron"}
        bias_slots = reader.slots(fields, where, names, counts, whats, dtype)
        if not graph:  # the weight slots came with the biases'
            blocks[0] = blocks[0][:2] + (bias_slots.pop("weights"), blocks[0][3])
        spec["bias_slots"] = bias_slots = bias_slots["biases"]
        for (pairs, weights, slots, what), (block, place) in zip(blocks, places):
            if set(slots) != set(bias_slots):
                slot = sorted(set(slots) ^ set(bias_slots))[0]
                raise reader.fail(f"`{where}`: the {reader.slot_words(slot)} come together: "
                                  f"`{place}` {'has' if slot in slots else 'lacks'} "
                                  f"'weight_{slot}' and `{where}` "
                                  f"{'has' if slot in bias_slots else 'lacks'} 'bias_{slot}'")
            cls._check_file_static_slots(reader, where, static, n_out, pairs, slots,
                                         bias_slots, len(weights) // n_out)

    @classmethod
    def _check_file_block(cls, reader, fields: dict, where: str, n_out: int, n_in: int,
                          dtype: np.dtype) -> tuple:
        """One source's ``connections`` and ``weights`` (and, in an ``inputs`` object, its
        weight slots): ``(pairs or None, weights, {slot: values}, what)``."""
        connections = fields["connections"]
        if connections == "full":
            pairs, count, what = None, n_out * n_in, f"{n_out:,} x {n_in:,}, row by row"
        elif isinstance(connections, list):
            pairs = cls._check_file_pairs(reader, connections, f"{where}.connections", n_out,
                                          n_in)
            count, what = len(connections), "one per connection"
        else:
            raise reader.fail(f"`{where}.connections` must be \"full\" or a list of [j, i] "
                              f"pairs, got {reader.show(connections)}")
        weights = reader.numbers(fields["weights"], f"{where}.weights", count, what, dtype)
        slots = ({} if "from" not in fields else
                 reader.slots(fields, where, {"weights": "weight"}, {"weights": count},
                              {"weights": what}, dtype)["weights"])
        return pairs, weights, slots, what

    @staticmethod
    def _check_file_static_slots(reader, where: str, static: list, n_out: int, pairs,
                                 slots: dict, bias_slots: dict, n_in: int) -> None:
        """Static neurons never learn: their slots must be zero."""
        is_static = np.zeros(n_out, dtype=bool)
        is_static[static] = True
        receivers = np.repeat(np.arange(n_out), n_in) if pairs is None else pairs[:, 0]
        for slot, bias_values in bias_slots.items():
            moving = (is_static & (bias_values != 0)) | np.bincount(
                receivers[is_static[receivers] & (slots[slot] != 0)],
                minlength=n_out).astype(bool)
            if moving.any():
                raise reader.fail(f"`{where}`: static neuron {int(np.flatnonzero(moving)[0])} "
                                  f"must have zero {reader.slot_words(slot)}, since it never "
                                  "learns")

    @classmethod
    def _check_file_static(cls, reader, fields: dict, n_out: int, where: str) -> list:
        """A hidden layer's ``static``: distinct neuron indices, sorted (none for output)."""
        if cls.file_kind != "hidden":
            return []
        static = fields["static"]
        if not isinstance(static, list):
            raise reader.fail(f"`{where}.static` must be a list of neuron indices, got "
                              f"{reader.show(static)}")
        for k, index in enumerate(static):
            reader.integer(index, f"{where}.static[{k}]", 0, n_out - 1)
        if len(set(static)) != len(static):
            raise reader.fail(f"`{where}.static` must not repeat an index, got "
                              f"{sorted(i for i in set(static) if static.count(i) > 1)[:5]} "
                              "more than once")
        return sorted(static)

    @staticmethod
    def _check_file_pairs(reader, connections: list, where: str, n_out: int,
                          n_in: int) -> np.ndarray:
        """The ``[j, i]`` pairs as an ``(n, 2)`` integer array, each checked."""
        for k, pair in enumerate(connections):
            if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int
                    and type(pair[1]) is int):
                raise reader.fail(f"`{where}[{k}]` must be a pair [j, i] of integers, got "
                                  f"{reader.show(pair)}")
            j, i = pair
            if not (0 <= j < n_out and 0 <= i < n_in):
                raise reader.fail(f"`{where}[{k}]` must join a neuron j in [0, {n_out}) of this "
                                  f"layer and i in [0, {n_in}) of the layer it reads, got {pair}")
        array = np.array(connections, dtype=np.int64).reshape(-1, 2)
        keys = array[:, 0] * n_in + array[:, 1]
        unique, first = np.unique(keys, return_index=True)
        if len(unique) != len(keys):
            repeated = np.setdiff1d(np.arange(len(keys)), first)[0]
            raise reader.fail(f"`{where}[{repeated}]` repeats the connection "
                              f"{connections[repeated]}")
        return array

    @classmethod
    def from_file(cls, spec: dict, dtype: np.dtype) -> "ReceivingLayer":
        """A new layer as checked ``spec`` describes it, not yet connected."""
        if cls.file_kind == "hidden":
            return cls(spec["size"], spec["activation"], static=spec["static"], dtype=dtype,
                       shape=spec.get("shape"))
        return cls(spec["size"], spec["activation"], dtype=dtype)

    def connect_from_file(self, earlier: list, spec: dict) -> None:
        """Make the connections that ``spec`` lists from the ``earlier`` layers (all the
        layers before this one), source by source, each in its order."""
        for k, (pairs, weights, _, _) in zip(spec["sources"], spec["blocks"]):
            source = earlier[k]
            check_layers_can_connect(source, self)
            self._add_source(source)  # the block in its place, even with no connection
            if pairs is None:
                source._connect_fully(self, weights.reshape(self.size, source.size))
                continue
            # the reader checked the pairs (in range, none twice) and the weights (finite), so
            # they are set as `connect_to` would set them one by one, in the file's order
            columns = self.offset_of(source) + pairs[:, 1]
            self.weights[pairs[:, 0], columns] = weights
            self.mask[pairs[:, 0], columns] = True
            self._make_connections(source, pairs)

    def restore_from_file(self, spec: dict, optimizer) -> None:
        """Once the network is made: the biases, and ``optimizer``'s slots from ``spec``."""
        self.biases[...] = spec["biases"]
        for slot, values in spec["bias_slots"].items():
            optimizer.slots(self, "biases").arrays[slot][...] = values
        for source, (pairs, _, slots, _) in zip(self.sources, spec["blocks"]):
            offset = self.offset_of(source)
            for slot, values in slots.items():
                target = optimizer.slots(self, "weights").arrays[slot]
                if pairs is None:
                    target[:, offset:offset + source.size] = values.reshape(self.size,
                                                                            source.size)
                else:
                    target[pairs[:, 0], offset + pairs[:, 1]] = values

    # -- building ----------------------------------------------------------------------------

    def _initialize(self, scheme, rng: np.random.Generator) -> None:
        """Draw new weights (for existing connections) and biases; static neurons keep theirs.
        The fan-in is every input, whatever source it comes from."""
        weights, biases = scheme(rng, self.size, self.n_inputs)
        rows = self.trainable
        self.weights[rows] = np.where(self.mask, weights, 0.0)[rows]
        self.biases[rows] = biases[rows]

    def _check_source(self, layer: Layer) -> None:
        """Raise unless this layer can receive from ``layer`` (any layer can, for a dense
        one)."""

    def _check_room_for(self, layer: Layer) -> None:
        """Refuse (a ValueError) reading ``layer`` too when the weights would be more than
        ``neurograph.LIMITS.layer_parameters`` allows; checked before they are allocated."""
        if not self.receives_from(layer):
            new = self.n_inputs + layer.size
            check_layer_parameters(self.size * new + self.size,
                                   f"{self!r} reading {new:,} inputs")

    def _add_source(self, layer: Layer) -> None:
        """Receive from ``layer`` too: a new block of columns, no connections in it yet.

        The weights move to a wider buffer and every connection's window follows them, so this
        is for building a network, not for one under training (refused once the optimizer
        holds state for these weights)."""
        if self.receives_from(layer):
            return
        self._check_source(layer)
        network = self.network
        if network is not None and (self.index, "weights") in network.optimizer.state:
            raise ValueError(f"cannot connect {layer!r} to {self!r}: the optimizer keeps state "
                             f"for the weights of {self!r} (join layers before training)")
        self._check_room_for(layer)
        old, new = self.n_inputs, self.n_inputs + layer.size
        buffer, flat = _float_buffer(self.size * new, self.dtype)
        weights, mask = flat.reshape(self.size, new), np.zeros((self.size, new), dtype=bool)
        if old:
            weights[:, :old], mask[:, :old] = self.weights, self.mask
        if old and self._inputs_made:  # (those not made yet will be, in the new layout)
            for connection in self.connections:  # the same column, in a wider row
                j = connection.output_neuron.index
                connection._k += j * (new - old)
                connection._weights = buffer
        self._weight_buffer, self.weights, self.mask = buffer, weights, mask
        self.sources.append(layer)
        self.offsets.append(old)
        self.n_inputs = new
        self._input_neurons = self._input_neurons + list(layer.neurons)
        layer.receivers.append(self)
        self.record = SampleRecord()  # the lists had the old columns: they are no longer this
                                      # layer's

    def _add_connection(self, sender: TransmitterNeuron, receiver: ReceiverNeuron,
                        weight: float) -> Connection:
        """One connection made by hand: made at once (with the objects of every connection
        the two layers already have, so that it comes after them in the lists)."""
        self._add_source(sender.layer)
        j, i = receiver.index, self.offset_of(sender.layer) + sender.index
        self.weights[j, i] = weight
        self.mask[j, i] = True
        return self._made_at_once(sender.layer, [(j, sender.index)])[0]

    def _made_at_once(self, source: Layer, pairs) -> list[Connection]:
        """Make the objects of the connections from ``source`` for ``pairs`` now, after every
        earlier one into this layer and out of ``source`` (which are made first)."""
        self._make_input_objects()
        source._make_output_objects()
        made = self._connection_objects(source, pairs)
        for connection in made:
            connection.input_neuron._outputs.append(connection)
        return made

    def _make_connections(self, source: Layer, pairs=None) -> None:
        """The connections from neuron ``i`` of ``source`` to neuron ``j`` for each ``(j, i)``
        of ``pairs`` (by default every pair, row by row; the weights and mask are set
        already): made now if the objects into this layer or out of ``source`` are made, else
        noted in ``_pending`` (the pairs copied) to be made on first use."""
        if self._inputs_made or source._outputs_made:
            self._made_at_once(source, pairs)
        else:
            if pairs is not None:  # a copy: the caller's pairs may change or be an iterator
                pairs = np.array(pairs if isinstance(pairs, np.ndarray) else list(pairs),
                                 dtype=np.intp).reshape(-1, 2)
            self._pending.append((next(_connection_calls), source, pairs))

    def _make_input_objects(self) -> None:
        """Make every neuron's ``inputs``, once: the pending calls in the order they came. The
        objects wait in ``_unsent`` until their senders' ``outputs`` are asked for."""
        if self._inputs_made:
            return
        for neuron in self.neurons:
            neuron._inputs = []
        self._inputs_made = True
        pending, self._pending = self._pending, []
        for number, source, pairs in pending:
            self._unsent.append((number, source, self._connection_objects(source, pairs)))

    def _connection_objects(self, source: Layer, pairs) -> list[Connection]:
        """Make the objects of the connections from neuron ``i`` of ``source`` to neuron ``j``
        for each ``(j, i)`` of ``pairs`` (every pair, row by row, when None): windows onto
        ``weights[j, offset + i]`` in the present layout, each added to its receiver's
        ``inputs``; returns them in that order (for their senders' ``outputs``)."""
        if pairs is None:
            pairs = np.ndindex(self.size, source.size)
        elif isinstance(pairs, np.ndarray):
            pairs = pairs.tolist()
        senders, n_in, offset = source.neurons, self.n_inputs, self.offset_of(source)
        buffer = self._weight_buffer
        made = []
        for j, i in pairs:
            receiver = self.neurons[j]
            connection = Connection(senders[i], receiver, buffer, j * n_in + offset + i)
            receiver._inputs.append(connection)
            made.append(connection)
        return made

    _weights_read: Optional[list] = None
    """Within :meth:`weights_read_once`: every weight of the layer as a Python float, in the
    order of its buffer (what a connection's ``_k`` indexes), for :meth:`ReceiverNeuron.eval`."""

    @contextmanager
    def weights_read_once(self) -> Iterator[None]:
        """Within the block, the neurons read their weights from one list of Python floats,
        read out of the layer's buffer as the block begins; for a block in which no weight
        changes.

        Reading a connection's weight out of the buffer makes a new float every time, and
        for every connection of every sample that cost more than the sums themselves.
        :meth:`eval` reads the list for its own pass; the object engine holds one for all
        the samples of a mini-batch, whose weights change only in the nudge after them. A
        block inside another uses the outer one's list.
        """
        if self._weights_read is not None:
            yield
            return
        buffer = self._weight_buffer
        self._weights_read = [] if buffer is None else buffer.tolist()
        try:
            yield
        finally:
            self._weights_read = None

    def eval(self) -> None:
        """Propagate into this layer: every neuron computes its activation.

        The weights are read out of the layer's buffer once for all its neurons (see
        :meth:`weights_read_once`). A layerwise activation (softmax) is applied to all the
        neurons' ``z`` at once.
        """
        with self.weights_read_once():
            for neuron in self.neurons:
                neuron.eval()
        if self.activation_function.layerwise:
            activations = self.activation_function(np.array([n.z for n in self.neurons]))
            for neuron, activation in zip(self.neurons, activations.tolist()):
                neuron.activation = activation


class HiddenLayer(_TransmittingLayer, ReceivingLayer):
    """A layer of :class:`HiddenNeuron` (or :class:`StaticNeuron`) objects.

    Parameters
    ----------
    size : int
        The number of neurons.
    activation : str or Activation
        The activation function, by default ``"sigmoid"``.
    static : bool or sequence of int, optional
        ``True`` makes every neuron a :class:`StaticNeuron`; a sequence of indices makes just
        those static.
    shape : tuple of int, optional
        How its neurons are arranged, such as ``(11, 11)`` for a map of feature detectors
        (neuron ``(y, x)`` has index ``y * width + x``); by default ``(size,)``. The diagram
        draws such a layer as an image.
    """

    def __init__(self, size: int, activation: Union[str, Activation] = "sigmoid",
                 static: Union[bool, Sequence[int]] = False, *, dtype="float64",
                 shape=None) -> None:
        n = _check_size(size)
        if shape is not None:
            shape = check_shape("shape", shape)
            if int(np.prod(shape)) != n:
                raise ValueError(f"`shape` {shape} holds {int(np.prod(shape))} neurons, not "
                                 f"`size` = {n}")
            self.shape = shape
        if get_activation(activation).layerwise:
            raise ValueError(f"`activation` {get_activation(activation).name!r} acts on a whole "
                             "layer and is for the output layer only")
        if isinstance(static, (bool, np.bool_)):
            self._static = set(range(n)) if static else set()
        else:
            try:
                self._static = {int(i) for i in static}
            except (TypeError, ValueError):
                raise ValueError(f"`static` must be True, False or neuron indices, got "
                                 f"{static!r}") from None
            bad = [i for i in self._static if not 0 <= i < n]
            if bad:
                raise ValueError(f"`static` indices must be in [0, {n}), got {sorted(bad)}")
        super().__init__(n, activation, dtype=dtype)

    def _make_neuron(self, index: int) -> Neuron:
        return (StaticNeuron if index in self._static else HiddenNeuron)(self, index)


class SelfConnectingLayer(HiddenLayer):
    """A hidden layer that makes its own connections when it meets the layer before (a
    window per neuron, or one input per neuron): kinds such as convolution, pooling and
    dropout derive from it and say in ``_connect`` which connections they make."""

    def _add_source(self, layer: Layer) -> None:
        """Read ``layer`` (one layer, any earlier one) and make the connections."""
        if self.receives_from(layer):
            return
        if self.sources:
            raise ValueError(f"{self!r} reads one layer, {self.sources[0]!r}; it cannot also "
                             f"read {layer!r}")
        self._check_source(layer)
        self.sources.append(layer)
        self.offsets.append(0)
        self.n_inputs = layer.size
        self._input_neurons = list(layer.neurons)
        layer.receivers.append(self)
        self._connect(layer)

    def input_column(self, connection: Connection) -> int:
        """Its sender's index: one source, so the columns are that layer's neurons."""
        return connection.input_neuron.index

    def receive_from(self, layer: Layer) -> None:
        """Read ``layer``, any earlier layer (by default a network joins this layer to the one
        before it): the windows' connections are made now. Parallel branches, such as two
        convolutions of the input, are built so."""
        check_layers_can_connect(layer, self)
        self._add_source(layer)

    def _connect(self, previous: Layer) -> None:
        raise NotImplementedError

    def outgoing_counts(self) -> np.ndarray:
        """Counted from the connections it made (no mask)."""
        senders = [connection.input_neuron.index for connection in self.connections]
        return np.bincount(np.array(senders, dtype=np.intp), minlength=self.previous.size)

    def source_summary(self) -> list[str]:
        """One line, ``"reads layer k (kind)"``, when the layer it reads is not the one
        before."""
        if self._reads_only_previous():
            return []
        source = self.sources[0]
        return [f"reads layer {source.index} ({source.file_kind})"]

    def _with_source(self, described: dict) -> dict:
        """A model file's object ``described``, with ``"from"``, the index of the layer this
        one reads, when that is not the layer before (format version 4)."""
        if not self._reads_only_previous():
            described["from"] = self.sources[0].index
        return described

    def _refuse_connections_by_hand(self, message: str) -> None:
        raise ValueError(message)


class OutputLayer(ReceivingLayer):
    """The last layer: one :class:`OutputNeuron` per output value.

    ``cost`` is the network's cost function (set by the network; quadratic until then).
    """

    neuron_class = OutputNeuron

    def __init__(self, size: int, activation: Union[str, Activation] = "sigmoid", *,
                 dtype="float64") -> None:
        super().__init__(size, activation, dtype=dtype)
        self.cost: Cost = get_cost("quadratic")

    def check_targets(self, name: str, targets: np.ndarray) -> None:
        """Raise a ValueError unless ``targets`` suit the cost (and softmax, if used).

        The cross-entropies need targets in [0, 1]; softmax with cross-entropy needs each
        sample's targets to sum to 1 (a probability distribution, such as a one-hot label).
        """
        if not self.cost.probabilities:
            return
        if np.any((targets < 0.0) | (targets > 1.0)):
            raise ValueError(f"`{name}` must lie in [0, 1] for the {self.cost.name} cost, got "
                             f"values from {targets.min():g} to {targets.max():g}")
        f = self.activation_function
        if f.layerwise and f.name in self.cost.shortcuts:  # a - y holds only when sum y = 1
            sums = targets.sum(axis=-1)
            if not np.allclose(sums, 1.0, atol=1e-6):
                raise ValueError(f"`{name}` must sum to 1 per sample for softmax with "
                                 f"{self.cost.name}, got sums from {sums.min():g} to {sums.max():g}")


def _merged_order(inputs: list, outputs: list, count: int) -> list[tuple[int, int]]:
    """An order of the ``(j, i)`` connections that keeps receiver ``j``'s list ``inputs[j]``
    and sender ``i``'s list ``outputs[i]`` (a topological sort, ties row-major); the receivers'
    order alone when the lists cannot both be kept (they were reordered by hand)."""
    import heapq

    next_input = [0] * len(inputs)  # the next connection in each receiver's inputs
    next_output = [0] * len(outputs)  # and in each sender's outputs

    def ready(j: int, i: int) -> bool:
        return (next_input[j] < len(inputs[j]) and inputs[j][next_input[j]] == i
                and next_output[i] < len(outputs[i]) and outputs[i][next_output[i]] == j)

    heap = [(j, senders[0]) for j, senders in enumerate(inputs)
            if senders and ready(j, senders[0])]
    heapq.heapify(heap)
    order = []
    while heap:
        j, i = heapq.heappop(heap)
        order.append((j, i))
        next_input[j] += 1
        next_output[i] += 1
        if next_input[j] < len(inputs[j]) and ready(j, inputs[j][next_input[j]]):
            heapq.heappush(heap, (j, inputs[j][next_input[j]]))
        if next_output[i] < len(outputs[i]) and ready(outputs[i][next_output[i]], i):
            heapq.heappush(heap, (outputs[i][next_output[i]], i))
    if len(order) != count:  # the lists were reordered by hand: keep the receivers' order
        order = [(j, i) for j, senders in enumerate(inputs) for i in senders]
    return order


def _is_before(a: Layer, b: Layer) -> bool:
    """Whether layer ``a`` comes before layer ``b``: earlier in their network, or, before there
    is one, among the layers ``b`` reads (directly or through others)."""
    if a.network is not None and a.network is b.network:
        return a.index < b.index
    seen, stack = set(), list(getattr(b, "sources", ()))
    while stack:
        layer = stack.pop()
        if layer is a:
            return True
        if id(layer) not in seen:
            seen.add(id(layer))
            stack.extend(getattr(layer, "sources", ()))
    return False


def check_layers_can_connect(sender_layer: Layer, receiver_layer: Layer) -> None:
    """Raise unless connections may go from ``sender_layer`` to ``receiver_layer``: any later
    layer (a connection to itself or to an earlier layer would make a cycle)."""
    if receiver_layer is sender_layer:
        raise ValueError(f"cannot connect {sender_layer!r} to itself: connections go to a "
                         "later layer")
    if _is_before(receiver_layer, sender_layer):
        raise ValueError(f"cannot connect {sender_layer!r} to the earlier {receiver_layer!r}: "
                         "connections go to a later layer (a network has no cycles)")
    network = sender_layer.network
    if network is not None or receiver_layer.network is not None:
        if network is not receiver_layer.network:
            raise ValueError(f"cannot connect {sender_layer!r} to {receiver_layer!r}: they are "
                             "not in one network")


def check_can_connect(sender: TransmitterNeuron, receiver) -> None:
    """Raise unless a new connection may go from neuron ``sender`` to neuron ``receiver``."""
    if receiver is sender:
        raise ValueError(f"cannot connect {sender!r} to itself")
    if not isinstance(receiver, ReceiverNeuron):
        raise TypeError(f"`receiver` must be a hidden or output neuron, got {receiver!r}")
    if receiver.layer is sender.layer:
        raise ValueError(f"cannot connect {sender!r} to {receiver!r}: they are in the same layer")
    if _is_before(receiver.layer, sender.layer):
        raise ValueError(f"cannot connect {sender!r} to {receiver!r}: it is in an earlier layer, "
                         f"{receiver.layer!r}, which {sender.layer!r} reads (a cycle)")
    check_layers_can_connect(sender.layer, receiver.layer)
    layer = receiver.layer
    layer._refuse_connections_by_hand(f"cannot connect {sender!r} to {receiver!r}: its layer "
                                      "makes its own connections (a window per neuron)")
    if layer.receives_from(sender.layer) and \
            layer.mask[receiver.index, layer.offset_of(sender.layer) + sender.index]:
        raise ValueError(f"{sender!r} and {receiver!r} are already connected")
