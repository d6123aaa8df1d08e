"""Convolution and pooling layers: neurons that look at a small window of an image.

A convolution layer is a stack of feature maps. Neuron ``(m, y, x)`` of map ``m`` is connected
to the ``k x k`` window of the previous layer at ``(y * stride - padding, x * stride -
padding)``, in every channel, and computes ``z = b_m + sum_{c,i,j} K[m, c, i, j] a[c, y s + i,
x s + j]``. Its connections are ordinary :class:`~neurograph.Connection` objects, but they do
not own their weights: every connection that applies kernel entry ``K[m, c, i, j]`` is a window
onto that one number, and every neuron of map ``m`` shares the bias ``b_m``. So a shared
weight's derivative is the SUM, over the connections that apply it, of their derivatives.

By default the kernels are fixed (the neurons are :class:`~neurograph.StaticNeuron` objects, the
Kotlin post's "ad-hoc convolution layers"): a bank of edge and line detectors, or kernels you
pass. With ``learn=True`` they are trained like any other weight.

A pooling layer shrinks each channel: neuron ``(c, y, x)`` looks at a ``size x size`` window of
channel ``c``. An average-pooling neuron is a static neuron whose connections all share the
weight ``1 / size^2``. A max-pooling neuron's activation is its largest input; its connections
act as switches, weight 1 for the input that won and 0 for the others, so in training the
derivative flows back to that input only.
"""
from __future__ import annotations

import functools
import math
from typing import Optional, Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..core.activations import Activation
from ..core.connection import Connection, SwitchConnection
from ..core.layers import Layer, SampleRecord, SelfConnectingLayer, _float_buffer
from ..core.limits import check_layer_parameters
from ..core.validation import check_dtype, check_positive_int, check_shape
from ..core.neurons import BiaslessNeuron, _mean

__all__ = ["ConvolutionLayer", "MaxPoolingLayer", "AveragePoolingLayer", "MaxPoolingNeuron",
           "AveragePoolingNeuron", "MaxPoolingConnection", "KERNEL_BANKS", "kernel_bank",
           "convolution", "max_pooling", "average_pooling"]


# --------------------------------------------------------------------------------------------
# Fixed kernels


def _edges_and_lines() -> np.ndarray:
    """Eight 3 x 3 edge detectors (Sobel, four directions, both signs) and four line detectors."""
    sobel = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])  # dark above
    diagonal = np.array([[-2.0, -1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]])
    edges = [sobel, sobel.T, diagonal, np.fliplr(diagonal)]
    edges += [-edge for edge in edges]
    line = np.array([[-1.0, -1.0, -1.0], [2.0, 2.0, 2.0], [-1.0, -1.0, -1.0]])  # bright middle row
    diagonal_line = 3.0 * np.eye(3) - 1.0
    lines = [line, line.T, diagonal_line, np.fliplr(diagonal_line)]
    return np.array(edges + lines) / 4.0


KERNEL_BANKS = {"edges_and_lines": _edges_and_lines}
"""Fixed kernel banks by name: ``f() -> array (maps, k, k)``.

``"edges_and_lines"``: maps 0-3 respond to an edge that is dark above, dark on the left, dark
top-left and dark top-right (Sobel kernels), maps 4-7 to the same edges the other way round,
maps 8-11 to a bright horizontal, vertical, falling and rising line on a darker background.
"""


def kernel_bank(name: str) -> np.ndarray:
    """The fixed kernels named ``name`` (see ``KERNEL_BANKS``), as ``(maps, k, k)``.

    Examples
    --------
    >>> kernel_bank("edges_and_lines").shape
    (12, 3, 3)
    """
    try:
        return KERNEL_BANKS[name]()
    except (KeyError, TypeError):
        raise ValueError(f"`kernels` must be one of {', '.join(sorted(KERNEL_BANKS))}, a number "
                         f"of maps or an array of kernels, got {name!r}") from None


# --------------------------------------------------------------------------------------------
# Shapes and windows


def _input_shape(input_shape) -> tuple[int, int, int]:
    """``(channels, height, width)`` from a layer or a 2- or 3-tuple."""
    if isinstance(input_shape, Layer):
        layer = input_shape
        if len(layer.shape) == 1:
            raise ValueError(f"{layer!r} has no image shape: give it one, such as "
                             "InputLayer(shape=(28, 28))")
        input_shape = layer.shape
    shape = check_shape("input_shape", input_shape)
    if len(shape) == 1:
        raise ValueError(f"`input_shape` must be (height, width) or (channels, height, width), "
                         f"got {input_shape!r}")
    return shape if len(shape) == 3 else (1, *shape)


def _output_side(name: str, side: int, k: int, stride: int, padding: int) -> int:
    out = (side + 2 * padding - k) // stride + 1
    if out < 1:
        raise ValueError(f"a {k} x {k} window does not fit the {name} {side}"
                         + (f" with padding {padding}" if padding else ""))
    return out


def _windows(a: np.ndarray, shape, k: tuple[int, int], stride: int,
             padding: int) -> np.ndarray:
    """Every window of ``a`` (batch, C*H*W): a view of shape (batch, C, Ho, Wo, kh, kw)."""
    channels, height, width = shape
    x = a.reshape(len(a), channels, height, width)
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return sliding_window_view(x, k, axis=(2, 3))[:, :, ::stride, ::stride]


def _add_windows(d_windows: np.ndarray, shape, stride: int, padding: int) -> np.ndarray:
    """The inverse of ``_windows`` for derivatives: each input gets the sum over the windows it
    is in. ``d_windows`` is (batch, C, kh, kw, Ho, Wo); returns (batch, C*H*W)."""
    batch, channels, kh, kw, out_h, out_w = d_windows.shape
    _, height, width = shape
    d = np.zeros((batch, channels, height + 2 * padding, width + 2 * padding),
                 dtype=d_windows.dtype)
    for i in range(kh):
        for j in range(kw):
            d[:, :, i:i + stride * (out_h - 1) + 1:stride,
              j:j + stride * (out_w - 1) + 1:stride] += d_windows[:, :, i, j]
    if padding:
        d = d[:, :, padding:-padding, padding:-padding]
    return d.reshape(batch, -1)


def _span(start: int, length: int, side: int) -> str:
    first, last = max(start, 0), min(start + length, side) - 1
    return f"{first}" if first == last else f"{first}-{last}"


class _SharedWeightsLayer(SelfConnectingLayer):
    """What convolution and pooling layers have in common: an image shape in and out, neurons
    that are windows, weights shared between connections (no ``mask``): the layer protocol's
    batch operations work on windows instead of a matrix product."""

    def _setup_shapes(self, input_shape, k: tuple[int, int], stride: int, padding: int,
                      channels_out: int, window: int) -> int:
        self.input_shape = _input_shape(input_shape)
        self.kernel_size = k
        self.stride = check_positive_int("stride", stride)
        self.padding = check_positive_int("padding", padding, 0)
        _, height, width = self.input_shape
        if padding >= min(k):
            raise ValueError(f"`padding` must be smaller than the window, got {padding} for a "
                             f"{k[0]} x {k[1]} window")
        out_h = _output_side("height", height, k[0], self.stride, self.padding)
        out_w = _output_side("width", width, k[1], self.stride, self.padding)
        size = channels_out * out_h * out_w
        # measured as a model file measures it: a connection per window entry, and the neurons
        check_layer_parameters(size * window + size,
                               f"{type(self).__name__}: {channels_out:,} maps of {out_h:,} x "
                               f"{out_w:,} neurons reading {window:,} inputs each")
        self.shape = (channels_out, out_h, out_w)
        self._n_connections = 0  # until it is attached to the layer before
        return size

    @property
    def n_connections(self) -> int:
        return self._n_connections

    def forward_numbers(self) -> int:
        """``z``, ``a`` and the windows copied out as im2col columns (each input once per
        window it is in), with the padded image, for one sample."""
        channels, height, width = self.input_shape
        kh, kw = self.kernel_size
        _, out_h, out_w = self.shape
        padded = channels * (height + 2 * self.padding) * (width + 2 * self.padding)
        return 2 * self.size + channels * kh * kw * out_h * out_w + padded

    def position(self, index: int) -> tuple[int, int, int]:
        """``(map, y, x)`` of neuron ``index``."""
        _, out_h, out_w = self.shape
        return index // (out_h * out_w), index // out_w % out_h, index % out_w

    def _check_source(self, previous: Layer) -> None:
        """Raise unless ``previous`` has as many neurons as the image this layer reads."""
        if previous.size != int(np.prod(self.input_shape)):
            raise ValueError(f"{self!r} reads a {' x '.join(map(str, self.input_shape))} image, "
                             f"but {previous!r} has {previous.size} neurons")

    def _window_pairs(self, per_channel: bool):
        """For every connection: (receiver, sender, kernel entry), in receiver order."""
        channels, height, width = self.input_shape
        kh, kw = self.kernel_size
        maps, out_h, out_w = self.shape
        m, y, x, c, i, j = np.meshgrid(np.arange(maps), np.arange(out_h), np.arange(out_w),
                                       np.arange(1 if per_channel else channels),
                                       np.arange(kh), np.arange(kw), indexing="ij")
        if per_channel:
            c = m  # pooling: map c reads channel c only
        row = y * self.stride + i - self.padding
        column = x * self.stride + j - self.padding
        inside = (row >= 0) & (row < height) & (column >= 0) & (column < width)
        receiver = (m * out_h + y) * out_w + x
        sender = (c * height + row) * width + column
        entry = ((m * channels + c) * kh + i) * kw + j
        return receiver[inside], sender[inside], entry[inside]

    _connection_class = Connection
    """The kind of connection a window is made of (a switch for max pooling)."""
    _per_channel = False
    """Pooling: map ``c`` reads channel ``c`` only, through one weight for all (or none)."""

    def _connect(self, previous: Layer) -> None:
        """Count the windows' connections; their objects are made on first use (see
        :meth:`_connection_objects`)."""
        self._outgoing = self._window_counts()
        self._n_connections = int(self._outgoing.sum())  # each leaves one input
        self._make_connections(previous)

    def _window_counts(self) -> np.ndarray:
        """How many connections leave each input, counted without listing them.

        Input ``(c, r, q)`` is read by window offset ``i`` of output row ``y`` when
        ``y stride + i - padding = r``, and likewise for columns, so its count is (the maps
        reading channel ``c``) x (such ``(y, i)`` pairs for ``r``) x (``(x, j)`` pairs for
        ``q``).
        """
        channels, height, width = self.input_shape
        maps, out_h, out_w = self.shape

        def readers(out: int, k: int, side: int) -> np.ndarray:  # (side,)
            at = (np.arange(out)[:, None] * self.stride + np.arange(k) - self.padding).ravel()
            return np.bincount(at[(at >= 0) & (at < side)], minlength=side)

        per_pixel = np.outer(readers(out_h, self.kernel_size[0], height),
                             readers(out_w, self.kernel_size[1], width))  # (height, width)
        per_pixel *= 1 if self._per_channel else maps
        return np.tile(per_pixel.ravel(), channels)

    def _connection_objects(self, source: Layer, pairs) -> list[Connection]:
        """Make the windows' connection objects, receiver by receiver, each a window onto its
        shared weight (``pairs`` is None: the windows say which); see
        :meth:`ReceivingLayer._connection_objects`."""
        receivers, senders, entries = self._window_pairs(self._per_channel)
        if self._per_channel:  # pooling: one weight for all (or, for max pooling, none)
            entries = np.zeros_like(entries)
        buffer, connection_class = self._weight_buffer, self._connection_class
        senders_, receivers_ = source.neurons, self.neurons
        made = []
        for j, i, k in zip(receivers.tolist(), senders.tolist(), entries.tolist()):
            receiver = receivers_[j]
            connection = connection_class(senders_[i], receiver, buffer, k)
            receiver._inputs.append(connection)
            made.append(connection)
        return made

    def outgoing_counts(self) -> np.ndarray:
        """How many windows each input is in (padding and stride leave some in fewer)."""
        return self._outgoing

    def _shared_parameters(self, n_weights: int, n_biases: int) -> None:
        """Replace the per-neuron buffers with ``n_weights`` shared weights and ``n_biases``."""
        self._weight_buffer, self.weights = _float_buffer(n_weights, self.dtype)
        self._bias_buffer, self.biases = _float_buffer(n_biases, self.dtype)

    def _initialize(self, scheme, rng: np.random.Generator) -> None:
        """Fixed weights keep their values."""

    # -- the layer protocol ------------------------------------------------------------------

    def structure(self) -> tuple:
        """Also the windows its neurons read and the shape of its shared weights."""
        return super().structure() + (self.input_shape, self.kernel_size, self.stride,
                                      self.padding, self.weights.shape,
                                      self.trainable_entries("weights"))

    # -- hints for the diagram and plots ---------------------------------------------------------

    def diagram_image(self) -> tuple[tuple[int, int, int], str]:
        """A stack of feature maps, ``((maps, rows, columns), "maps")``."""
        return tuple(self.shape), "maps"

    def input_image(self) -> tuple[int, int, int]:
        """The image its windows are cut from, ``input_shape``."""
        return tuple(self.input_shape)

    def receptive_field(self, index: int) -> tuple[int, np.ndarray]:
        """The ``kh x kw`` window (less what falls in the padding) that neuron ``index`` reads,
        in the channel :meth:`_field_channel` picks for its map."""
        m, y, x = self.position(index)
        _, height, width = self.input_shape
        kh, kw = self.kernel_size
        rows = y * self.stride - self.padding + np.arange(kh)
        columns = x * self.stride - self.padding + np.arange(kw)
        rows = rows[(rows >= 0) & (rows < height)]
        columns = columns[(columns >= 0) & (columns < width)]
        channel = self._field_channel(m)
        return channel, ((channel * height + rows[:, None]) * width + columns).ravel()

    def graph_node_attributes(self, index: int) -> dict:
        """The neuron's place in its map: ``map``, ``y`` and ``x`` (see :meth:`position`)."""
        return dict(zip(("map", "y", "x"), (int(v) for v in self.position(index))))

    def trainable_entries(self, name: str):
        """Shared weights train all together or not at all (fixed kernels, pooling)."""
        return False

    def nudge(self, optimizer, bias_clamp=None) -> None:
        """Fixed weights: nothing to nudge."""

    def nudge_neuron(self, neuron, optimizer, bias_clamp=None) -> None:
        if self.trainable_entries("weights") is not False:
            raise TypeError(f"{neuron!r} shares its weights with its feature map: nudge its "
                            "layer instead (layer.nudge_parameters)")

    def first_non_finite(self, name: str, values: np.ndarray) -> str:
        """A convolution layer's kernel entry or per-map bias."""
        if name == "biases":
            return f"bias of map {np.flatnonzero(~np.isfinite(values))[0]} of {self!r}"
        entry = tuple(int(i) for i in np.argwhere(~np.isfinite(values))[0])
        return f"kernel entry {entry} of {self!r}"

    # -- hints for the teaching tools (explain, trace, lesion, gradient_check) ----------------

    def entry_name(self, name: str, k: int) -> str:
        if name == "biases":
            return f"bias of map {k}"
        return f"kernel entry {tuple(int(i) for i in np.unravel_index(k, self.weights.shape))}"

    def explain_where(self, neuron) -> str:
        """Which map the neuron belongs to and which window of the image it reads."""
        m, y, x = self.position(neuron.index)
        channels, height, width = self.input_shape
        kh, kw = self.kernel_size
        row, column = y * self.stride - self.padding, x * self.stride - self.padding
        where = f"rows {_span(row, kh, height)}, columns {_span(column, kw, width)}"
        return self._explain_window(neuron, (m, y, x), where)

    def _explain_window(self, neuron, position, where: str) -> str:
        raise NotImplementedError

    def sender_name(self, i: int) -> str:
        """Input ``i`` as ``layer L #i (channel c, row y, column x)`` of the image before."""
        channels, height, width = self.input_shape
        c, y, x = i // (height * width), i // width % height, i % width
        place = f"channel {c}, row {y}, column {x}" if channels > 1 else f"row {y}, column {x}"
        index = self.previous.index
        return f"layer {'?' if index is None else index} #{i} ({place})"

    def _connection_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every connection: its receiver, its sender and its shared weight."""
        connections = self.connections
        return (np.array([c.output_neuron.index for c in connections], dtype=np.intp),
                np.array([c.input_neuron.index for c in connections], dtype=np.intp),
                np.array([c._k for c in connections], dtype=np.intp))

    def sample_derivatives_by_weight(self, deltas, inputs) -> np.ndarray:
        """Per shared weight, the sum over the connections applying it of ``delta_j a_i``."""
        if not self.weights.size:  # max pooling: switches, no weight
            return np.empty(self.weights.shape)
        receivers, senders, entries = self._connection_arrays()
        return np.bincount(entries, weights=deltas[receivers] * inputs[senders],
                           minlength=self.weights.size).reshape(self.weights.shape)

    def weights_shown(self, weights=None) -> np.ndarray:
        return (self.weights if weights is None else weights).copy()

    def refuses_per_connection_values(self) -> str:
        return (f"its connections share weights, so the trace holds one value per shared "
                f"weight, not per connection (read them from trace.steps[k].connection_values"
                f"[{self.index - 1}])")

    def refuses_silencing(self) -> str:
        return ("whose weights are shared between connections (zeroing one would silence "
                "it in every window)")

    def lesion_candidates(self) -> list:
        """None: most send into a layer with shared weights, and a map has thousands."""
        return []

    def _onnx_maps(self, builder, a_in: str, op: str, inputs: list, doc: str,
                   **attributes) -> str:
        """ONNX: ``a_in`` reshaped to the image (batch, C, H, W), the windowed ``op`` (Conv,
        MaxPool or AveragePool, reading ``inputs`` too), then flattened back to the neurons'
        order, ``(map * out_height + y) * out_width + x`` (ONNX's row-major NCHW is that)."""
        channels, height, width = self.input_shape
        maps, out_h, out_w = self.shape
        shape = builder.integers("image_shape", [-1, channels, height, width],
                                 "(batch, channels, height, width)")
        image = builder.node("Reshape", [a_in, shape], "image",
                             f"the {channels} x {height} x {width} image read, as NCHW")
        s, p = self.stride, self.padding
        windows = builder.node(op, [image, *inputs], "maps",
                               f"{doc}: {maps} x {out_h} x {out_w} from {channels} x {height} x "
                               f"{width}, {self.kernel_size[0]} x {self.kernel_size[1]} windows, "
                               f"stride {s}, padding {p}",
                               kernel_shape=list(self.kernel_size), strides=[s, s],
                               pads=[p, p, p, p], **attributes)
        return builder.node("Flatten", [windows], "z", "the maps as the layer's neurons: "
                            "index (map * height + y) * width + x", axis=1)

    def _web_window(self) -> dict:
        """The image read and the windows, for :meth:`web_spec`."""
        return {"input_shape": list(self.input_shape), "kernel_size": list(self.kernel_size),
                "stride": self.stride, "padding": self.padding}

    def check_entries(self, deltas, inputs):
        """A shared weight (a kernel entry) is one parameter applied by many connections: its
        derivative is the sum of theirs, and so is a feature map's shared bias's."""
        weights = self.weights.reshape(-1)
        by_weight = [0.0] * weights.size
        by_bias = [0.0] * self.biases.size
        for neuron in self.neurons:
            if by_bias:
                by_bias[neuron._b] += deltas[neuron.index]
            for connection in neuron.inputs:
                if by_weight:
                    by_weight[connection._k] += (deltas[neuron.index]
                                                 * inputs[connection.input_neuron.index])
        for b, analytic in enumerate(by_bias):
            yield self.biases, b, analytic, self, self.entry_name("biases", b)
        for w, analytic in enumerate(by_weight):
            yield weights, w, analytic, self, self.entry_name("weights", w)

    def n_check_entries(self) -> int:
        return self.weights.size + self.biases.size

    _info_kind = "conv"

    def summary(self) -> tuple[str, str, int, int]:
        kh, kw = self.kernel_size
        padding = f", padding {self.padding}" if self.padding else ""
        function, state, parameters, weights, biases = self._summary_parameters()
        dims = lambda shape: " x ".join(map(str, shape))  # noqa: E731
        return (self._info_kind,
                f"{function:<10} {state:>12}  {dims(self.shape)} from {dims(self.input_shape)}, "
                f"{kh} x {kw} {'kernels' if weights else 'windows'}, stride {self.stride}"
                f"{padding}: {self.n_connections:,} connections{parameters}", weights, biases)

    def _summary_parameters(self) -> tuple:
        """Its function, learned or static, and what it has to learn (a convolution's)."""
        weights, biases = self.weights.size, self.biases.size
        return (self.activation_function.name, "learned" if self.learn else "static",
                f" sharing {weights:,} weights and {biases:,} biases", weights, biases)

    def _describe(self) -> str:
        return (f"{' x '.join(map(str, self.shape))} from {' x '.join(map(str, self.input_shape))}"
                f", {self.kernel_size[0]} x {self.kernel_size[1]} windows")

    # -- the model file ----------------------------------------------------------------------
    # (see ReceivingLayer's "the model file"; version 2 brought these kinds.) The connections
    # are not listed: they follow from the shapes, made in the order the layer makes them.

    file_since = 2

    @classmethod
    def check_file_shape(cls, reader, fields: dict, where: str, before: dict) -> tuple:
        """The image read (``input_shape``, holding as many values as the layer before has
        neurons), the window and stride, and a ``size`` the shapes give; a layer is measured
        by what it makes: ``size x window`` connections plus ``size`` neurons."""
        reader.fields(fields, where, cls._file_fields, cls._file_optional(reader))
        size = reader.integer(fields["size"], f"{where}.size", 1, reader.max_size)
        spec = {"kind": cls.file_kind, "size": size}
        input_shape = reader.shape(fields["input_shape"], f"{where}.input_shape", (3,))
        channels, height, width = input_shape
        source = reader.source(fields, where, spec)
        n_in = reader.earlier[source]["size"]
        if reader.product(input_shape) != n_in:
            read = "the layer before" if "from" not in spec else f"layer {source}, which it reads,"
            raise reader.fail(f"`{where}.input_shape` {reader.dims(input_shape)} holds "
                              f"{reader.product(input_shape):,} values, but {read} "
                              f"has {n_in:,} neurons")
        maps, (kh, kw), padding, window = cls._check_file_window(reader, fields, spec, channels,
                                                                 where)
        stride = reader.integer(fields["stride"], f"{where}.stride", 1, reader.max_size)
        sides = []
        for name, side, k in (("height", height, kh), ("width", width, kw)):
            if side + 2 * padding < k:
                raise reader.fail(f"`{where}`: a {kh} x {kw} window does not fit the input "
                                  f"{name} {side}" + (f" with padding {padding}" if padding
                                                      else ""))
            sides.append((side + 2 * padding - k) // stride + 1)
        if size != maps * sides[0] * sides[1]:
            raise reader.fail(f"`{where}.size` must be {maps:,} x {sides[0]:,} x {sides[1]:,} = "
                              f"{maps * sides[0] * sides[1]:,} (the {cls._file_maps} its "
                              f"shapes give), got {size:,}")
        spec.update(input_shape=input_shape, stride=stride)
        parameters = size * window + size
        if parameters > reader.max_size:
            raise reader.fail(f"`{where}` declares {size:,} neurons reading {window:,} inputs "
                              f"each: {parameters:,} connections and neurons, more than the "
                              f"{reader.max_size:,} a layer may have")
        return spec, parameters

    @classmethod
    def _file_optional(cls, reader) -> tuple:
        """The optional fields: the slots of the file's optimizer, and from version 4 the
        layer it reads (``from``) when that is not the one before."""
        return reader.slot_fields(cls.file_names) + reader.source_fields()

    def connect_from_file(self, earlier: list, spec: dict) -> None:
        """Read the layer ``spec`` names (``from``), or else the layer before, making the
        windows' connections now (in layer order, as the network was built)."""
        self.receive_from(earlier[spec.get("from", len(earlier) - 1)])

    def restore_from_file(self, spec: dict, optimizer) -> None:
        """Once the network is made: the biases, and ``optimizer``'s slots from ``spec``."""
        self.biases[...] = spec["biases"]
        for name, slots in spec["slots"].items():
            for slot, values in slots.items():
                target = optimizer.slots(self, name).arrays[slot]
                target[...] = values.reshape(target.shape)


# --------------------------------------------------------------------------------------------
# Convolution


class ConvolutionLayer(_SharedWeightsLayer):
    """Feature maps: each neuron applies its map's kernel to one window of the image before.

    Parameters
    ----------
    input_shape : tuple or Layer
        The image this layer reads: ``(height, width)``, ``(channels, height, width)``, or the
        layer before (its ``shape``).
    kernels : str, int or array-like
        ``"edges_and_lines"`` (the default): twelve fixed 3 x 3 edge and line detectors (see
        :data:`KERNEL_BANKS`); an array ``(maps, kh, kw)`` (applied to every channel) or
        ``(maps, channels, kh, kw)``; or a number of maps, whose ``kernel_size`` kernels are
        drawn at random (He's normal, with ``seed``, and again by ``Network.initialize``).
    kernel_size : int
        The side of the drawn kernels (only with a number of maps).
    stride : int
        How far apart the windows of neighbouring neurons are.
    padding : int
        Zeros added around the image (a window over them has fewer connections).
    activation : str or Activation
        ``"relu"`` by default: an edge detector's response means something only when positive.
    learn : bool
        False (the default): the kernels and biases are fixed and the neurons are static.
        True: they are trained, each shared weight by the sum of its connections' derivatives.
    dtype : {"float64", "float32"}
    seed : int or numpy.random.Generator, optional
        For kernels drawn at random.

    Attributes
    ----------
    kernels : numpy.ndarray, shape (maps, channels, kh, kw)
        The kernels, a live view (also ``weights``); ``biases`` has one bias per map.
    shape : (maps, out_height, out_width)
        The feature maps; neuron ``(m, y, x)`` has index ``(m * out_height + y) * out_width + x``.

    Examples
    --------
    >>> from neurograph import InputLayer
    >>> conv = ConvolutionLayer((28, 28))
    >>> conv
    ConvolutionLayer(index ?, 12 x 26 x 26 from 1 x 28 x 28, 3 x 3 windows, relu, static)
    >>> conv.kernels.shape, conv.biases.shape
    ((12, 1, 3, 3), (12,))
    """

    def __init__(self, input_shape, kernels: Union[str, int, np.ndarray] = "edges_and_lines", *,
                 kernel_size: int = 3, stride: int = 1, padding: int = 0,
                 activation: Union[str, Activation] = "relu", learn: bool = False,
                 dtype="float64", seed=None) -> None:
        shape = _input_shape(input_shape)
        channels = shape[0]
        dtype = check_dtype(dtype)
        if not isinstance(learn, (bool, np.bool_)):
            raise ValueError(f"`learn` must be True or False, got {learn!r}")
        values = _kernels(kernels, channels, kernel_size, seed)
        maps, _, kh, kw = values.shape
        size = self._setup_shapes(shape, (kh, kw), stride, padding, maps, channels * kh * kw)
        super().__init__(size, activation, static=not learn, dtype=dtype)
        self._shared_parameters(values.size, maps)
        self.weights = self.weights.reshape(values.shape)
        self.weights[...] = values
        if not np.isfinite(self.weights).all():
            raise ValueError("`kernels` must be finite (also when stored in "
                             f"{self.dtype.name})")
        self.learn = bool(learn)
        self.random_kernels = not isinstance(kernels, str) and np.ndim(kernels) == 0
        for neuron in self.neurons:
            neuron._b = neuron.index // (self.shape[1] * self.shape[2])

    @property
    def kernels(self) -> np.ndarray:
        """The kernels ``(maps, channels, kh, kw)``: the layer's weights, a live view."""
        return self.weights

    # -- hints for the diagram and plots ---------------------------------------------------------

    def diagram_kernels(self) -> np.ndarray:
        """The kernels, drawn beside their maps."""
        return self.kernels

    def diagram_caption(self) -> str:
        """Kind, the maps' shape, the kernels' size and whether they are learned."""
        kh, kw = self.kernel_size
        return (f"{type(self).__name__.replace('Layer', '').lower()}\n"
                f"{' x '.join(map(str, self.shape))}\n{kh} x {kw} kernels, "
                f"{'learned' if self.learn else 'fixed'}")

    def _field_channel(self, m: int) -> int:
        """The channel a receptive field of map ``m`` is drawn in: the one whose kernel slice is
        the largest, by ``sum |K[m, c]|``."""
        return int(np.argmax(np.abs(self.kernels[m]).sum(axis=(1, 2))))

    def weight_picture(self) -> tuple[str, np.ndarray]:
        """The kernels, ``("kernels", k)``, ``k`` a float copy ``(maps, channels, kh, kw)``:
        every neuron of a map applies its map's kernel."""
        return "kernels", np.array(self.kernels, dtype=float)

    def graph_edges(self) -> list[tuple[int, int, dict]]:
        """Each connection with its ``weight`` and ``kernel_entry``, the index ``(m, c, i, j)``
        in ``kernels`` of the weight it shares."""
        shape = self.kernels.shape
        return [(connection.input_neuron.index, neuron.index,
                 {"weight": connection.weight,
                  "kernel_entry": tuple(int(v) for v in np.unravel_index(connection._k, shape))})
                for neuron in self.neurons for connection in neuron.inputs]

    def _describe(self) -> str:
        return (f"{super()._describe()}, {self.activation_function.name}, "
                f"{'learned' if self.learn else 'static'}")

    # -- the model file ----------------------------------------------------------------------

    file_kind = "convolution"
    _file_fields = ("kind", "size", "input_shape", "kernel_shape", "stride", "padding",
                    "activation", "learn", "kernels", "biases")
    _file_maps = "feature maps"

    def describe_for_file(self, optimizer) -> dict:
        """Its shapes, activation, ``learn``, kernels and biases, and the optimizer's slots laid
        out like them (fixed kernels must have none)."""
        slots = self._file_slots(optimizer)
        if not self.learn and any(v.any() for values in slots.values()
                                  for v in values.values()):
            raise ValueError(f"{self!r} cannot be saved: its kernels are fixed (learn=False) "
                             f"but it has a non-zero {' or '.join(slots)}")
        described = {"kind": self.file_kind, "size": self.size,
                     "input_shape": list(self.input_shape),
                     "kernel_shape": list(self.weights.shape), "stride": self.stride,
                     "padding": self.padding, "activation": self.activation_function.name,
                     "learn": self.learn, "kernels": self.weights.ravel().tolist(),
                     "biases": self.biases.tolist()}
        for slot, values in slots.items():
            described[f"weight_{slot}"] = values["weights"].ravel().tolist()
            described[f"bias_{slot}"] = values["biases"].tolist()
        return self._with_source(described)

    @classmethod
    def _check_file_window(cls, reader, fields: dict, spec: dict, channels: int,
                           where: str) -> tuple:
        """``kernel_shape`` ``[maps, channels, kh, kw]`` and a ``padding`` smaller than the
        kernel: returns the maps, the window, the padding and how many inputs a neuron reads."""
        kernel_shape = reader.shape(fields["kernel_shape"], f"{where}.kernel_shape", (4,))
        maps, kernel_channels, kh, kw = kernel_shape
        if kernel_channels != channels:
            raise reader.fail(f"`{where}.kernel_shape` {reader.dims(kernel_shape)} has "
                              f"{kernel_channels:,} channels, but `input_shape` has "
                              f"{channels:,}")
        padding = reader.integer(fields["padding"], f"{where}.padding", 0, min(kh, kw) - 1)
        spec.update(kernel_shape=kernel_shape, padding=padding)
        return maps, (kh, kw), padding, channels * kh * kw

    @classmethod
    def check_file_parameters(cls, reader, fields: dict, spec: dict, before: dict, where: str,
                              dtype: np.dtype) -> None:
        """The activation, ``learn``, kernels, biases and slots (zero for fixed kernels)."""
        spec["activation"] = reader.activation(fields["activation"], f"{where}.activation",
                                               hidden=True)
        spec["learn"] = learn = reader.boolean(fields["learn"], f"{where}.learn")
        maps, channels, kh, kw = spec["kernel_shape"]
        counts = {"weights": maps * channels * kh * kw, "biases": maps}
        whats = {"weights": f"{maps:,} x {channels:,} x {kh:,} x {kw:,} kernel entries in that "
                            "order", "biases": "one per map"}
        spec["kernels"], spec["biases"] = (
            reader.numbers(fields[field], f"{where}.{field}", counts[name], whats[name], dtype)
            for field, name in (("kernels", "weights"), ("biases", "biases")))
        spec["slots"] = slots = reader.slots(fields, where, cls.file_names, counts, whats, dtype)
        for slot in slots["weights"]:
            if not learn and (slots["weights"][slot].any() or slots["biases"][slot].any()):
                raise reader.fail(f"`{where}`: the kernels are fixed (learn is false), so the "
                                  f"{reader.slot_words(slot)} must be zero")

    @classmethod
    def from_file(cls, spec: dict, dtype: np.dtype) -> "ConvolutionLayer":
        return cls(spec["input_shape"], spec["kernels"].reshape(spec["kernel_shape"]),
                   stride=spec["stride"], padding=spec["padding"],
                   activation=spec["activation"], learn=spec["learn"], dtype=dtype)

    def _initialize(self, scheme, rng: np.random.Generator) -> None:
        """Learned or random kernels are drawn again (fan-in ``channels x kh x kw``), with the
        biases; kernels given by name or as an array stay."""
        if not (self.learn or self.random_kernels):
            return
        maps = self.weights.shape[0]
        weights, biases = scheme(rng, maps, self.weights[0].size)
        self.weights[...] = weights.reshape(self.weights.shape)
        self.biases[...] = biases

    def trainable_entries(self, name: str):
        """Learned kernels train every entry and every map's bias; fixed ones none."""
        return self.learn

    def nudge(self, optimizer, bias_clamp=None) -> None:
        """Step 7 for shared weights: each kernel entry moves by the SUM, over the connections
        that apply it, of the means of their per-sample lists (and each map's bias by the sum
        over its neurons). Fixed kernels do not move."""
        if not self.learn:
            return
        record = self.record
        weight_gradients = [0.0] * len(self._weight_buffer)
        bias_gradients = [0.0] * len(self._bias_buffer)
        for neuron in self.neurons:
            means = record.mean_derivatives_by_weight(neuron.index)
            for connection in neuron.inputs:
                weight_gradients[connection._k] += means[connection.input_neuron.index]
            bias_gradients[neuron._b] += _mean(neuron.derivatives_of_cost_by_bias_per_sample)
        slots = optimizer.slots(self, "weights")
        for k, gradient in enumerate(weight_gradients):
            _move(self, self._weight_buffer, k, optimizer.change(gradient, slots, k), None,
                  "weight")
        slots = optimizer.slots(self, "biases")
        for k, gradient in enumerate(bias_gradients):
            _move(self, self._bias_buffer, k, optimizer.change(gradient, slots, k), bias_clamp,
                  "bias")

    def _explain_window(self, neuron, position, where: str) -> str:
        m, y, x = position
        channels, height, width = self.input_shape
        sharing = sum(1 for n in self.neurons if n._b == neuron._b)
        every = "every channel of " if channels > 1 else ""
        return (f"  map {m}, row {y}, column {x}: kernel {m} on {where} of {every}the "
                f"{channels} x {height} x {width} image before; the bias is map {m}'s, shared by "
                f"its {sharing} neurons")

    def web_spec(self, encode) -> dict:
        """``z[m, y, x] = b[m] + sum K[m, c, i, j] a[c, y s + i - p, x s + j - p]`` (zero
        outside the image): the kernels ``(maps, channels, kh, kw)`` and a bias per map."""
        return {"op": "convolution", **self._web_window(), "weights": encode(self.weights),
                "biases": encode(self.biases)}

    def onnx_nodes(self, builder, a_in: str) -> str:
        """ONNX: a ``Conv`` with the kernels ``(maps, channels, kh, kw)`` and a bias per map,
        between a ``Reshape`` to the image and a ``Flatten`` back to the neurons."""
        kernels = builder.constant("kernels", self.weights,
                                   "(maps, channels, kh, kw), shared by every window of a map")
        biases = builder.constant("biases", self.biases, "one bias per map")
        return self._onnx_maps(builder, a_in, "Conv", [kernels, biases],
                               "z[m, y, x] = b[m] + sum K[m, c, i, j] a[c, y s + i - p, "
                               "x s + j - p]")

    def explain_weight(self, connection, sharers: int) -> str:
        entry = tuple(int(v) for v in np.unravel_index(connection._k, self.weights.shape))
        return (f"  its weight is kernel entry {entry} (map, channel, row, column), shared "
                f"with {sharers - 1} other connections: the same entry in the "
                f"window of every neuron of map {entry[0]}"
                + ("" if self.learn else " (a fixed kernel)"))

    # -- the vectorized engine ---------------------------------------------------------------

    def forward_batch(self, a: np.ndarray, keep: bool = False):
        """``z`` for a batch (batch, n_out), and the windows as columns if ``keep``."""
        maps = self.weights.shape[0]
        windows = _windows(a, self.input_shape, self.kernel_size, self.stride, self.padding)
        batch, channels, out_h, out_w, kh, kw = windows.shape
        # im2col: (batch, C*kh*kw, Ho*Wo), so one product per sample gives (maps, Ho*Wo)
        columns = windows.transpose(0, 1, 4, 5, 2, 3).reshape(batch, channels * kh * kw,
                                                              out_h * out_w)
        z = np.matmul(self.weights.reshape(maps, -1), columns)  # (batch, maps, Ho*Wo)
        z += self.biases[:, None]
        return z.reshape(batch, -1), (columns if keep else None)

    def backward_batch(self, delta: np.ndarray, a_in: np.ndarray, cache) -> np.ndarray:
        """dC/da of the layer before: each input sums weight x delta over its windows.

        With several channels it is worked channels last (the image as (batch, H, W, C)):
        adding what the windows send back into the image then moves runs of Wo*C numbers, not
        of Wo (numpy's cost goes by the run: with 8 outputs a row, channels first took two
        thirds of the pass)."""
        maps, channels, kh, kw = self.weights.shape
        _, height, width = self.input_shape
        _, out_h, out_w = self.shape
        s, p, batch = self.stride, self.padding, len(delta)
        if channels == 1:  # both orders are one; a product per sample beats one per offset
            d_columns = np.matmul(self.weights.reshape(maps, -1).T,
                                  delta.reshape(batch, maps, out_h * out_w))
            return _add_windows(d_columns.reshape(batch, channels, kh, kw, out_h, out_w),
                                self.input_shape, self.stride, self.padding)
        delta_rows = delta.reshape(batch, maps, -1).transpose(0, 2, 1).reshape(-1, maps)
        # one product per kernel offset (i, j): what each window sends its pixel (i, j)
        per_offset = self.weights.transpose(2, 3, 0, 1).reshape(kh * kw, maps, channels)
        sent = np.matmul(delta_rows, per_offset).reshape(kh, kw, batch, out_h, out_w, channels)
        d = np.zeros((batch, height + 2 * p, width + 2 * p, channels), dtype=delta.dtype)
        for i in range(kh):  # an input sums what every window it is in sends it
            for j in range(kw):
                d[:, i:i + s * (out_h - 1) + 1:s, j:j + s * (out_w - 1) + 1:s] += sent[i, j]
        d = d[:, p:p + height, p:p + width]
        return d.transpose(0, 3, 1, 2).reshape(batch, -1)  # (batch, C*H*W), channels first

    def gradients_batch(self, delta: np.ndarray, a_in: np.ndarray, cache, scale: float,
                        out=None) -> dict:
        """``scale`` x the batch's summed derivatives of the shared weights and biases (sum
        over samples, and over the connections sharing each weight)."""
        maps, channels, _, _ = self.weights.shape
        delta = delta.reshape(len(delta), maps, -1)  # (batch, maps, Ho*Wo)
        # one product per sample, then the sum over samples. Measured in training: with one
        # channel (few kernel entries, long rows of outputs) reading the columns transposed is
        # faster; with several, copying delta transposed (small) so that both operands are
        # row-major is twice as fast as reading the big columns transposed
        if channels == 1:
            weight_step = np.matmul(delta, cache.transpose(0, 2, 1)).sum(axis=0)
        else:
            delta_t = np.ascontiguousarray(delta.transpose(0, 2, 1))  # (batch, Ho*Wo, maps)
            weight_step = np.matmul(cache, delta_t).sum(axis=0).T  # (maps, C*kh*kw)
        return {"weights": (weight_step * scale).reshape(self.weights.shape),
                "biases": delta.sum(axis=(0, 2)) * scale}


def _kernels(kernels, channels: int, kernel_size: int, seed) -> np.ndarray:
    """The initial kernels as (maps, channels, kh, kw) float64."""
    if isinstance(kernels, str):
        values = kernel_bank(kernels)
    elif isinstance(kernels, (int, np.integer)) and not isinstance(kernels, (bool, np.bool_)):
        maps = check_positive_int("kernels", kernels)
        k = check_positive_int("kernel_size", kernel_size)
        check_layer_parameters(maps * channels * k * k, f"{maps:,} kernels of {channels:,} x "
                               f"{k:,} x {k:,}")  # before they are drawn
        from ..core.validation import check_seed

        rng = np.random.default_rng(check_seed(seed))
        fan_in = channels * k * k
        return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(maps, channels, k, k))
    else:
        try:
            values = np.array(kernels, dtype=float)
        except (TypeError, ValueError):
            values = None
        if values is None or values.ndim not in (3, 4) or 0 in values.shape:
            raise ValueError(f"`kernels` must be a bank name, a number of maps, or an array "
                             f"(maps, kh, kw) or (maps, channels, kh, kw), got {kernels!r}")
        if not np.isfinite(values).all():
            raise ValueError("`kernels` must be finite")
        if values.ndim == 4:
            if values.shape[1] != channels:
                raise ValueError(f"`kernels` has {values.shape[1]} channels, but the input has "
                                 f"{channels}")
            return values
    return np.repeat(values[:, None], channels, axis=1)  # one kernel for every channel


def _move(layer, buffer, k: int, change: float, clamp, what: str) -> None:
    """``p += change`` for a shared parameter, clamped if a bias; refuse a non-finite result."""
    value = buffer[k] + change
    if clamp is not None:
        value = min(max(value, clamp[0]), clamp[1])
    old = buffer[k]
    buffer[k] = value
    if not math.isfinite(buffer[k]):
        buffer[k] = old
        name = (f"kernel entry {np.unravel_index(k, layer.weights.shape)}" if what == "weight"
                else f"bias of map {k}")
        raise ValueError(f"{name} of {layer!r} must be finite, got {value}")


# --------------------------------------------------------------------------------------------
# Pooling


class _PoolingNeuron(BiaslessNeuron):
    """A pooling neuron has no bias (it reads as 0) and never learns."""

    kind = "pooling"


def _largest_input(neuron):
    """The connection carrying the largest input (the first of equals, as ``eval`` picks),
    worked out from the inputs, so that it holds for the activations the neuron has now."""
    winner = neuron.inputs[0]
    for connection in neuron.inputs:
        if connection.input_activation > winner.input_activation:
            winner = connection
    return winner


class AveragePoolingNeuron(_PoolingNeuron):
    """A static neuron whose connections all have weight ``1 / size^2``: ``z`` is the mean of
    its window (identity activation)."""


class MaxPoolingNeuron(_PoolingNeuron):
    """A neuron whose activation is the largest of its inputs.

    ``winner`` is the connection it came through for the sample last propagated. Its
    connections (:class:`MaxPoolingConnection`) weigh 1 for the winner and 0 for the others, so
    ``z = sum w_i a_i`` is the maximum and training sends the derivative to the winner only.
    """

    def __init__(self, layer, index: int) -> None:
        super().__init__(layer, index)
        self._winner: Optional[MaxPoolingConnection] = None
        self._winner_from: Optional[int] = None  # the winner's sender, left by a batch

    @property
    def winner(self) -> Optional[MaxPoolingConnection]:
        """The connection the largest input came through for the sample last propagated."""
        if self._winner_from is not None:  # left by a vectorized batch: found on first use,
            i, self._winner_from = self._winner_from, None  # since that makes the connections
            self._winner = next(c for c in self.inputs if c.input_neuron.index == i)
        return self._winner

    @winner.setter
    def winner(self, connection: Optional[MaxPoolingConnection]) -> None:
        self._winner, self._winner_from = connection, None

    def eval(self) -> None:
        """``z = a = max_i a_i``; the first of equal inputs wins."""
        winner = self.inputs[0]
        largest = winner.input_neuron.activation
        for connection in self.inputs:
            if connection.input_neuron.activation > largest:
                winner, largest = connection, connection.input_neuron.activation
        self.winner = winner
        self.z = self.activation = largest


class MaxPoolingConnection(SwitchConnection):
    """A connection into a max-pooling neuron: a switch, not a parameter.

    ``weight`` is 1.0 when this connection carried the largest input of the sample last
    propagated, else 0.0; it cannot be set.
    """

    __slots__ = ()
    refusal = ("goes into a max-pooling neuron: its weight is 1 for the largest input and 0 "
               "for the others, not a parameter")

    def _switch(self) -> float:
        return 1.0 if self.output_neuron.winner is self else 0.0


class _PoolingLayer(_SharedWeightsLayer):
    def __init__(self, input_shape, size: int = 2, stride: Optional[int] = None, *,
                 dtype="float64") -> None:
        shape = _input_shape(input_shape)
        size = check_positive_int("size", size)
        stride = size if stride is None else stride
        n = self._setup_shapes(shape, (size, size), stride, 0, shape[0], size * size)
        super().__init__(n, "identity", static=True, dtype=dtype)

    def _make_neuron(self, index: int):
        return self.neuron_class(self, index)

    def _offsets(self, a: np.ndarray):
        """For each window offset ``(i, j)``: ``(i, j, values)``, where ``values[b, c, y, x]``
        is input ``(c, y s + i, x s + j)`` of sample ``b``, a strided view.

        Pooling loops over the k^2 offsets with whole-array operations: numpy reduces over
        the small window axes of a window view about 25 times more slowly.
        """
        channels, height, width = self.input_shape
        _, out_h, out_w = self.shape
        x = a.reshape(len(a), channels, height, width)
        s = self.stride
        for i in range(self.kernel_size[0]):
            for j in range(self.kernel_size[1]):
                yield i, j, x[:, :, i:i + s * (out_h - 1) + 1:s, j:j + s * (out_w - 1) + 1:s]

    # -- hints for the diagram and plots ---------------------------------------------------------

    pooling: str = ""
    """How a neuron pools its window, ``"average"`` or ``"max"``: each edge's ``pooling`` in
    the networkx export."""

    weights_in_words: str = ""
    """What the layer's weights are, in words: why :func:`plot_weights` has none to show."""

    def diagram_caption(self) -> str:
        """Kind, the maps' shape, the windows' size and stride."""
        kh, kw = self.kernel_size
        name = type(self).__name__.replace("Layer", "").lower().replace("pooling", " pooling")
        return f"{name}\n{' x '.join(map(str, self.shape))}\n{kh} x {kw}, stride {self.stride}"

    def _field_channel(self, m: int) -> int:
        """Map ``m`` pools channel ``m``: its receptive fields are drawn there."""
        return m

    def weight_picture(self) -> tuple[str, np.ndarray]:
        """Refuses: a pooling layer has no weights of its own to show."""
        raise ValueError(f"`layer` must be a fully connected or convolution layer, got {self!r}: "
                         f"a pooling layer has no weights to show ({self.weights_in_words})")

    def graph_edges(self) -> list[tuple[int, int, dict]]:
        """Each connection with its ``weight`` and how its neuron pools (``pooling``)."""
        return [(connection.input_neuron.index, neuron.index,
                 {"weight": connection.weight, "pooling": self.pooling})
                for neuron in self.neurons for connection in neuron.inputs]

    def _describe(self) -> str:
        return f"{super()._describe()}, stride {self.stride}"

    def without_parameters(self) -> str:
        return "a pooling neuron has no bias and no weights to learn"

    def _summary_parameters(self) -> tuple:
        """Pooling: nothing to learn (average pooling's weight is 1 / window size)."""
        kh, kw = self.kernel_size
        return (self._function, "static", ", no parameters" if not self.weights.size
                else f" of weight 1/{kh * kw}, no parameters", 0, 0)

    def _explain_window(self, neuron, position, where: str) -> str:
        m, y, x = position
        kh, kw = self.kernel_size
        return (f"  channel {m}, row {y}, column {x}: the {self._what} of its {kh} x {kw} "
                f"window ({where})")
    # -- the model file ----------------------------------------------------------------------

    _file_fields = ("kind", "size", "input_shape", "window", "stride")
    _file_maps = "pooled channels"

    def describe_for_file(self, optimizer) -> dict:
        """Its shapes: the image read, the square window and the stride (no parameters; the
        optimizer must have no state for it)."""
        slots = self._file_slots(optimizer)
        if slots:
            raise ValueError(f"{self!r} cannot be saved: a pooling layer never learns, but it "
                             f"has a {' or '.join(slots)}")
        return self._with_source({"kind": self.file_kind, "size": self.size,
                                  "input_shape": list(self.input_shape),
                                  "window": self.kernel_size[0], "stride": self.stride})

    @classmethod
    def _file_optional(cls, reader) -> tuple:
        return reader.source_fields()  # no slots: a pooling layer never learns

    @classmethod
    def _check_file_window(cls, reader, fields: dict, spec: dict, channels: int,
                           where: str) -> tuple:
        """A square ``window``: one pooled channel per channel (reading that channel only), no
        padding."""
        k = spec["window"] = reader.integer(fields["window"], f"{where}.window", 1,
                                            reader.max_size)
        return channels, (k, k), 0, k * k

    @classmethod
    def check_file_parameters(cls, reader, fields: dict, spec: dict, before: dict, where: str,
                              dtype: np.dtype) -> None:
        """Nothing more (max pooling has no parameters)."""

    @classmethod
    def from_file(cls, spec: dict, dtype: np.dtype) -> "_PoolingLayer":
        return cls(spec["input_shape"], spec["window"], spec["stride"], dtype=dtype)

    def restore_from_file(self, spec: dict, optimizer) -> None:
        """Nothing to restore: no bias, no state."""


class AveragePoolingLayer(_PoolingLayer):
    """Each channel shrunk by averaging ``size x size`` windows (``stride`` apart, by default
    ``size``). Its neurons are static with one shared weight ``1 / size^2`` and no bias.

    Examples
    --------
    >>> AveragePoolingLayer((12, 26, 26), 2)
    AveragePoolingLayer(index ?, 12 x 13 x 13 from 12 x 26 x 26, 2 x 2 windows, stride 2)
    """

    neuron_class = AveragePoolingNeuron

    # -- hints for the diagram and plots ---------------------------------------------------------

    pooling = "average"
    weights_in_words = "its one shared weight is 1 / size^2"

    def __init__(self, input_shape, size: int = 2, stride: Optional[int] = None, *,
                 dtype="float64") -> None:
        super().__init__(input_shape, size, stride, dtype=dtype)
        self._shared_parameters(1, 0)
        self.weights[0] = 1.0 / (size * size)

    _per_channel = True

    def forward_batch(self, a: np.ndarray, keep: bool = False):
        z = None
        for _, _, values in self._offsets(a):
            z = values.copy() if z is None else np.add(z, values, out=z)
        z *= self.weights[0]
        return z.reshape(len(a), -1), None

    def web_spec(self, encode) -> dict:
        """``z`` is the sum of the window (channel by channel) times the shared ``weight``."""
        return {"op": "average_pooling", **self._web_window(), "weight": float(self.weights[0])}

    def onnx_nodes(self, builder, a_in: str) -> str:
        """ONNX: an ``AveragePool`` (no padding, the windows that fit: neurograph drops the
        edge a window does not fill, as ``ceil_mode=0`` does). Its weight must be the mean's,
        ``1 / size^2``, as for the model file."""
        k = self.kernel_size[0]
        if self.weights[0] != self.dtype.type(1.0 / (k * k)):
            raise ValueError(f"{self!r} cannot go to ONNX: its weight must be 1/{k * k} (an "
                             f"average), got {float(self.weights[0])!r}")
        return self._onnx_maps(builder, a_in, "AveragePool", [], "the mean of each window, "
                               "channel by channel", ceil_mode=0)

    _what = "mean"
    _function, _info_kind = "mean", "avgpool"

    def explain_weight(self, connection, sharers: int) -> str:
        size = self.kernel_size[0] * self.kernel_size[1]
        return (f"  its weight is 1/{size}, the layer's one weight, shared with "
                f"{sharers - 1} other connections and fixed: the receiver averages its window")

    def explain_delta_route(self, neuron):
        share = float(self.weights[0])
        from ..teaching.explain import _number

        return lambda s, d: (f", {_number(share)} x {_number(d)} = {_number(share * d)} to each "
                             f"of its {len(neuron.inputs)} inputs")

    def backward_batch(self, delta: np.ndarray, a_in: np.ndarray, cache) -> np.ndarray:
        channels, out_h, out_w = self.shape
        k = self.kernel_size[0]
        share = (delta * self.weights[0]).reshape(len(delta), channels, 1, 1, out_h, out_w)
        d_windows = np.broadcast_to(share, (len(delta), channels, k, k, out_h, out_w))
        return _add_windows(d_windows, self.input_shape, self.stride, 0)

    # -- the model file ----------------------------------------------------------------------

    file_kind = "average_pooling"
    _file_fields = _PoolingLayer._file_fields + ("weight",)

    def describe_for_file(self, optimizer) -> dict:
        """Also the ``weight``, which must be ``1 / window^2`` (in the layer's dtype)."""
        described = super().describe_for_file(optimizer)
        k = self.kernel_size[0]
        mean = self.dtype.type(1.0 / (k * k))
        if self.weights[0] != mean:
            raise ValueError(f"{self!r} cannot be saved: its weight must be 1/{k * k} = "
                             f"{float(mean)!r} (an average), got {float(self.weights[0])!r}")
        described["weight"] = float(self.weights[0])
        return described

    @classmethod
    def check_file_parameters(cls, reader, fields: dict, spec: dict, before: dict, where: str,
                              dtype: np.dtype) -> None:
        """The ``weight``: ``1 / window^2`` in the file's dtype."""
        weight = reader.number(fields["weight"], f"{where}.weight")
        k = spec["window"]
        mean = reader.file_dtype.type(1.0 / (k * k))
        with np.errstate(over="ignore"):
            stored = reader.file_dtype.type(weight)
        if stored != mean:
            raise reader.fail(f"`{where}.weight` must be 1/{k * k:,} = {float(mean)!r} (the "
                              f"mean of a {k:,} x {k:,} window), got {weight!r}")


class MaxPoolingLayer(_PoolingLayer):
    """Each channel shrunk to the largest value of each ``size x size`` window (``stride``
    apart, by default ``size``). See :class:`MaxPoolingNeuron`.

    Examples
    --------
    >>> MaxPoolingLayer((12, 26, 26), 2).shape
    (12, 13, 13)
    """

    neuron_class = MaxPoolingNeuron

    # -- hints for the diagram and plots ---------------------------------------------------------

    pooling = "max"
    weights_in_words = "each neuron passes on the largest input of its window"

    def __init__(self, input_shape, size: int = 2, stride: Optional[int] = None, *,
                 dtype="float64") -> None:
        super().__init__(input_shape, size, stride, dtype=dtype)
        self._shared_parameters(0, 0)

    _connection_class, _per_channel = MaxPoolingConnection, True

    def start_sample(self, input_activations: list[float]) -> None:
        super().start_sample(input_activations)
        record = self.record
        if record.winners is None:
            record.winners = []
        record.winners.append([n.winner.input_neuron.index for n in self.neurons])

    def leave_last_sample(self) -> None:
        """Each neuron's ``winner``: the connection its last sample's maximum came through
        (its sender's index, until the winner is asked for: the connections may not be made)."""
        for neuron, i in zip(self.neurons, np.asarray(self.record.winners[-1]).tolist()):
            neuron._winner, neuron._winner_from = None, i

    _what = "largest value"
    _function, _info_kind = "max", "maxpool"

    def refuses_silencing(self) -> str:
        return "whose connections are switches (1 for the largest input), not weights"

    def kink_branches(self, z, codes):
        """Which input won each window: the max is a piecewise function of its inputs."""
        return None if codes is None else self._winners(codes)

    def explain_z(self, neuron, max_terms: int) -> str:
        from ..teaching.explain import _number

        winner = _largest_input(neuron)
        values = [c.input_activation for c in neuron.inputs]
        shown = ", ".join(_number(v) for v in values[:max_terms])
        more = f", ... and {len(values) - max_terms} more" if len(values) > max_terms else ""
        return (f"  z = max({shown}{more}) = {_number(neuron.z)}, from "
                f"{self.sender_name(winner.input_neuron.index)}, which won")

    def explain_delta_route(self, neuron):
        winners = self.record.winners
        return lambda s, d: (f", all of it to its winner "
                             f"{self.sender_name(int(winners[s][neuron.index]))}")

    def explain_connection(self, connection) -> str:
        """A switch: which samples it won, and that nothing is nudged."""
        from ..teaching.explain import _number, _samples

        receiver = connection.output_neuron
        i = connection.input_neuron.index
        winner = _largest_input(receiver)
        lines = [repr(connection),
                 "  a switch, not a parameter: its weight is 1 when its input is the largest of "
                 "the receiver's window, else 0",
                 f"  last sample: its input {_number(connection.input_activation)} "
                 + ("won, so it carried it into the receiver's z" if winner is connection else
                    f"lost to {self.sender_name(winner.input_neuron.index)} with "
                    f"{_number(winner.input_activation)}, so it carried 0")]
        deltas = receiver.derivatives_of_cost_by_bias_per_sample
        if not deltas:
            lines.append("  (no sample trained since clear())")
            return "\n".join(lines)
        winners = self.record.winners
        lines.append("  backwards, the receiver's delta goes to the winner only:")

        def describe(s, d):
            w = int(winners[s][receiver.index])
            if w == i:
                return f"won: delta {_number(d)} flows back to its sender"
            return f"lost to {self.sender_name(w)}: 0 flows back through it"

        lines += _samples(deltas, describe)
        lines.append("  nudge: none, a switch is not a parameter")
        return "\n".join(lines)

    def batch_record(self, a_in, delta, dcda, codes):
        """The record of a batch, with the input that won each window (from the cache of the
        pass, which offset of the window won)."""
        return SampleRecord(a_in, delta, dcda, None if codes is None else self._winners(codes))

    def forward_batch(self, a: np.ndarray, keep: bool = False):
        """The maxima; with ``keep``, also which offset ``(i, j)`` of its window won each, as
        the code ``i * k + j`` (the first of equals wins, as in MaxPoolingNeuron.eval)."""
        z = codes = None
        n_offsets = self.kernel_size[0] * self.kernel_size[1]
        for code, (_, _, values) in enumerate(self._offsets(a)):
            if z is None:
                z = values.copy()
                codes = (np.zeros(z.shape, dtype=np.min_scalar_type(n_offsets - 1)) if keep
                         else None)  # (batch, C, Ho, Wo), uint8 up to 16 x 16 windows
                continue
            if keep:
                # where this offset beats every earlier one it wins; codes grow offset by
                # offset, so the winner's code is the largest code of an offset that beat the
                # ones before it: a maximum, which runs many times faster than an assignment
                # masked by data-dependent booleans
                larger = np.greater(values, z).view(np.uint8)
                np.maximum(codes, larger * codes.dtype.type(code), out=codes)
            np.maximum(z, values, out=z)
        return z.reshape(len(a), -1), codes

    def _winners(self, codes: np.ndarray) -> np.ndarray:
        """The input index of the winner of each window (batch, n_out), from the offsets'
        codes: the index of the window's top-left corner plus the offset's step."""
        _, height, width = self.input_shape
        k = self.kernel_size[1]
        steps = np.array([i * width + j for i in range(k) for j in range(k)])
        return (self._corners() + steps[codes]).reshape(len(codes), -1)  # corners: (C, Ho, Wo)

    def web_spec(self, encode) -> dict:
        """``z`` is the largest value of the window (channel by channel)."""
        return {"op": "max_pooling", **self._web_window()}

    def onnx_nodes(self, builder, a_in: str) -> str:
        """ONNX: a ``MaxPool`` (no padding, ``ceil_mode=0``: the windows that fit, as here)."""
        return self._onnx_maps(builder, a_in, "MaxPool", [], "the largest value of each "
                               "window, channel by channel", ceil_mode=0)

    def _corners(self) -> np.ndarray:
        """The input index of each window's top-left corner, (C, Ho, Wo)."""
        if getattr(self, "_corner_indices", None) is None:
            channels, height, width = self.input_shape
            _, out_h, out_w = self.shape
            c = np.arange(channels)[:, None, None]
            y = np.arange(out_h)[:, None] * self.stride
            x = np.arange(out_w) * self.stride
            self._corner_indices = (c * height + y) * width + x
        return self._corner_indices

    def backward_batch(self, delta: np.ndarray, a_in: np.ndarray, codes) -> np.ndarray:
        """Each window's derivative goes to the input that won it (the others get 0)."""
        batch, n_in = len(delta), self.previous.size
        # the winners' indices in the batch's inputs laid end to end, (batch * n_out,)
        won = (self._winners(codes) + np.arange(batch)[:, None] * n_in).ravel()
        if self.stride >= self.kernel_size[0]:  # windows do not overlap: one winner per input
            d = np.zeros(batch * n_in, dtype=delta.dtype)
            d[won] = delta.ravel()
        else:  # an input in several windows sums what it won in each
            d = np.bincount(won, weights=delta.ravel(), minlength=batch * n_in).astype(delta.dtype)
        return d.reshape(batch, n_in)

    # -- the model file ----------------------------------------------------------------------

    file_kind = "max_pooling"


# --------------------------------------------------------------------------------------------
# Recipes for Network.convolutional


def _recipe(layer_class, *args, **kwargs):
    recipe = functools.partial(layer_class, *args, **kwargs)
    recipe.layer_class = layer_class
    return recipe


def convolution(kernels: Union[str, int, np.ndarray] = "edges_and_lines", **options):
    """A convolution layer for :meth:`Network.convolutional`, its input shape still to come.

    Takes the options of :class:`ConvolutionLayer` except ``input_shape`` and ``dtype``.
    """
    return _recipe(ConvolutionLayer, kernels=kernels, **options)


def max_pooling(size: int = 2, stride: Optional[int] = None):
    """A max-pooling layer for :meth:`Network.convolutional` (see :class:`MaxPoolingLayer`)."""
    return _recipe(MaxPoolingLayer, size=size, stride=stride)


def average_pooling(size: int = 2, stride: Optional[int] = None):
    """An average-pooling layer for :meth:`Network.convolutional` (see
    :class:`AveragePoolingLayer`)."""
    return _recipe(AveragePoolingLayer, size=size, stride=stride)
