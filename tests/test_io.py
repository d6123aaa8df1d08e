"""Model files: round trips bit for bit, strict and safe loading, atomic saving."""
import json
import math
import os
import stat
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from model_file_edits import _delete, _set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurograph
from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, load
from neurograph.io import ModelFileError, save

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
OUTPUTS = [("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy"),
           ("sigmoid", "quadratic"), ("identity", "quadratic"), ("tanh", "quadratic"),
           ("softmax", "quadratic")]


def assert_same_network(a: Network, b: Network) -> None:
    """Structure, parameters (bit for bit), connection order and outputs of both engines."""
    assert b.sizes == a.sizes
    assert [type(layer) for layer in b.layers] == [type(layer) for layer in a.layers]
    assert b.cost_function is a.cost_function
    assert b.bias_clamp == a.bias_clamp
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        assert lb.activation_function is la.activation_function
        assert lb.dtype == la.dtype
        assert np.array_equal(lb.trainable, la.trainable)
        assert [type(n) for n in lb.neurons] == [type(n) for n in la.neurons]
        assert np.array_equal(lb.mask, la.mask)
        for name in ("weights", "biases", "weight_velocity", "bias_velocity"):
            assert getattr(lb, name).tobytes() == getattr(la, name).tobytes(), name
        assert ([[c.input_neuron.index for c in n.inputs] for n in lb.neurons]
                == [[c.input_neuron.index for c in n.inputs] for n in la.neurons])
        assert ([[c.output_neuron.index for c in n.outputs] for n in lb.previous.neurons]
                == [[c.output_neuron.index for c in n.outputs] for n in la.previous.neurons])
    X = np.random.default_rng(0).uniform(-1, 1, (7, a.input_layer.size))
    with np.errstate(all="ignore"):
        assert b.predict(X).tobytes() == a.predict(X).tobytes()
        assert np.array_equal(b.propagate(X[0]), a.propagate(X[0]), equal_nan=True)


def sparse_static_network() -> Network:
    """Connections made out of row-major order, static neurons, no clamp, no dense layer."""
    inputs, hidden, outputs = InputLayer(3), HiddenLayer(4, "tanh", static=[2]), OutputLayer(2)
    hidden[1].connect_to(outputs[0], 0.5)
    inputs[2].connect_to(hidden[0], 0.25)
    inputs[0].connect_to(hidden[0], -1.0)
    inputs[1].connect_to(hidden[3], 2.0)
    hidden[0].connect_to(outputs[1], 0.1)
    hidden[0].connect_to(outputs[0], 1 / 3)
    inputs[0].connect_to(hidden[2], 0.7)
    net = Network([inputs, hidden, outputs], cost="binary_cross_entropy", bias_clamp=None)
    hidden.biases[...] = [0.1, -0.2, 5e-324, -0.0]
    outputs.biases[...] = [math.pi, -1e300]
    return net


# -- round trips -------------------------------------------------------------------------------


def test_a_sparse_static_network_round_trips(tmp_path):
    net = sparse_static_network()
    path = tmp_path / "sparse.json"
    net.save(path)
    again = load(path)
    assert_same_network(net, again)
    assert isinstance(again.hidden_layers[0][2], neurograph.StaticNeuron)
    document = json.loads(path.read_text())
    assert document["layers"][1]["connections"] == [[0, 2], [0, 0], [2, 0], [3, 1]]
    assert document["layers"][2]["connections"] == [[0, 1], [1, 0], [0, 0]]
    assert "weight_velocity" not in document["layers"][1]  # all zero: not written


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output, cost", OUTPUTS[:3])
def test_layered_networks_round_trip(tmp_path, dtype, activation, output, cost):
    net = Network.layered([5, 4, 3, 3], activation=activation, output_activation=output,
                          cost=cost, init="xavier", seed=3, dtype=dtype,
                          bias_clamp=None if activation == "relu" else (-0.5, 0.75))
    net.save(tmp_path / "net.json")
    again = load(tmp_path / "net.json")
    assert_same_network(net, again)
    assert json.loads((tmp_path / "net.json").read_text())["layers"][1]["connections"] == "full"


def test_a_float32_file_loads_exactly_as_float64(tmp_path):
    net = Network.layered([4, 3, 2], activation="tanh", seed=1, dtype="float32")
    net.save(tmp_path / "net.json")
    wide = load(tmp_path / "net.json", dtype="float64")
    assert wide.output_layer.dtype == np.float64
    for la, lb in zip(net.receiving_layers, wide.receiving_layers):
        assert np.array_equal(la.weights.astype(np.float64), lb.weights)
        assert np.array_equal(la.biases.astype(np.float64), lb.biases)
    with pytest.raises(ValueError, match="`dtype` must be float64 or float32"):
        load(tmp_path / "net.json", dtype="int8")


def test_momentum_velocities_are_kept_and_training_goes_on_identically(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (40, 4))
    Y = np.eye(3)[rng.integers(0, 3, 40)]
    net = Network.layered([4, 6, 3], activation="relu", output_activation="softmax",
                          cost="cross_entropy", init="he", seed=0)
    net.fit(X, Y, epochs=2, batch_size=8, learning_rate=0.1, momentum=0.9, seed=1,
            progress=False)
    net.save(tmp_path / "net.json")
    again = load(tmp_path / "net.json")
    assert_same_network(net, again)
    assert again.receiving_layers[0].weight_velocity.any()
    for network in (net, again):
        network.fit(X, Y, epochs=1, batch_size=8, learning_rate=0.1, momentum=0.9, seed=2,
                    progress=False)
    assert_same_network(net, again)  # bit for bit after more training with momentum


def test_saving_a_loaded_network_gives_the_same_text(tmp_path):
    sparse_static_network().save(tmp_path / "a.json")
    load(tmp_path / "a.json").save(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_the_file_is_the_documented_format(tmp_path):
    inputs, hidden, outputs = InputLayer(2), HiddenLayer(2, "tanh", static=[1]), OutputLayer(1)
    inputs.fully_connect_to(hidden, [[0.5, -0.25], [0.125, 1.0]])
    hidden[1].connect_to(outputs[0], 0.75)
    net = Network([inputs, hidden, outputs])
    hidden.biases[...] = [0.1, -0.3]
    net.save(tmp_path / "net.json")
    assert json.loads((tmp_path / "net.json").read_text()) == {
        "format": "neurograph-network", "version": 1, "dtype": "float64", "cost": "quadratic",
        "bias_clamp": [-0.8, 0.8],
        "layers": [
            {"kind": "input", "size": 2},
            {"kind": "hidden", "size": 2, "activation": "tanh", "static": [1],
             "connections": "full", "weights": [0.5, -0.25, 0.125, 1.0], "biases": [0.1, -0.3]},
            {"kind": "output", "size": 1, "activation": "sigmoid",
             "connections": [[0, 1]], "weights": [0.75], "biases": [0.0]},
        ]}


def test_saving_and_loading_784_100_10_is_fast(tmp_path):
    net = Network.layered([784, 100, 10], activation="relu", output_activation="softmax",
                          cost="cross_entropy", init="he", seed=0)
    path = tmp_path / "mnist.json"
    saves, loads = [], []
    for _ in range(3):
        started = time.perf_counter()
        net.save(path)
        saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        again = load(path)
        loads.append(time.perf_counter() - started)
    assert min(saves) < 1.0 and min(loads) < 1.0, (saves, loads)
    assert_same_network(net, again)


# -- random networks ---------------------------------------------------------------------------


@st.composite
def networks(draw) -> Network:
    n_layers = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, 5), min_size=n_layers, max_size=n_layers))
    dtype = draw(st.sampled_from(["float64", "float32"]))
    width = 64 if dtype == "float64" else 32
    numbers = st.one_of(st.floats(-3, 3, width=width),
                        st.floats(allow_nan=False, allow_infinity=False, width=width))
    output, cost = draw(st.sampled_from(OUTPUTS))
    layers = [InputLayer(sizes[0])]
    for n in sizes[1:-1]:
        static = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
        layers.append(HiddenLayer(n, draw(st.sampled_from(ACTIVATIONS)), static=static,
                                  dtype=dtype))
    layers.append(OutputLayer(sizes[-1], output, dtype=dtype))
    for previous, layer in zip(layers, layers[1:]):
        if draw(st.booleans()):
            weights = draw(st.lists(numbers, min_size=layer.size * previous.size,
                                    max_size=layer.size * previous.size))
            previous.fully_connect_to(layer, np.reshape(weights, (layer.size, previous.size)))
        else:  # sparse, made in a random order
            pairs = draw(st.lists(st.tuples(st.integers(0, layer.size - 1),
                                            st.integers(0, previous.size - 1)), unique=True))
            for j, i in pairs:
                previous[i].connect_to(layer[j], weight=draw(numbers))
    clamp = draw(st.one_of(st.none(), st.tuples(st.floats(-2, 0), st.floats(0, 2))))
    net = Network(layers, cost=cost, bias_clamp=clamp)
    for layer in net.receiving_layers:
        layer.biases[...] = draw(st.lists(numbers, min_size=layer.size, max_size=layer.size))
        if draw(st.booleans()):  # momentum velocities, where training could have left them
            shape = layer.weights.shape
            velocity = np.reshape(draw(st.lists(st.floats(-1, 1, width=width),
                                                min_size=shape[0] * shape[1],
                                                max_size=shape[0] * shape[1])), shape)
            rows = layer.trainable[:, None]
            layer.weight_velocity[...] = np.where(layer.mask & rows, velocity, 0.0)
            layer.bias_velocity[...] = np.where(layer.trainable, velocity[:, 0], 0.0)
    return net


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_random_networks_round_trip(net):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.json")
        save(net, path)
        assert_same_network(net, load(path))


# -- the loader's refusals ---------------------------------------------------------------------


def valid_document() -> dict:
    """A document with every kind of field: sparse and full layers, static, velocities."""
    net = sparse_static_network()
    hidden = net.hidden_layers[0]
    hidden.weight_velocity[0, 2] = 0.5
    hidden.bias_velocity[3] = -0.25
    with tempfile.TemporaryDirectory() as folder:
        net.save(os.path.join(folder, "net.json"))
        with open(os.path.join(folder, "net.json")) as file:
            return json.load(file)


def test_the_valid_document_loads(tmp_path):
    document = valid_document()
    assert "weight_velocity" in document["layers"][1]
    (tmp_path / "m.json").write_text(json.dumps(document))
    assert load(tmp_path / "m.json").sizes == (3, 4, 2)


def _full_hidden(document):  # a dense first layer for the cases that need one
    document["layers"][1]["connections"] = "full"
    document["layers"][1]["weights"] = [0.5] * 12
    document["layers"][1]["weight_velocity"] = [0.0] * 12


def _static_velocity(document):
    document["layers"][1]["bias_velocity"][2] = 0.5  # neuron 2 is static


def _big_layers(document):  # 3,000 x 4,000 = 12 million weights
    document["layers"][0]["size"] = 3000
    document["layers"][1]["size"] = 4000


REJECTED = [
    ("format", _set(["format"], "keras"), "not a neurograph model file"),
    ("no format", _delete(["format"]), "not a neurograph model file"),
    ("newer version", _set(["version"], 5), "version 5 cannot be read .*newer"),
    ("version string", _set(["version"], "1"), r"`version` must be an integer, got '1'"),
    ("version bool", _set(["version"], True), r"`version` must be an integer, got true"),
    ("missing field", _delete(["cost"]), "lacks the field 'cost'"),
    ("extra field", _set(["comment"], "hi"), "unknown field 'comment'"),
    ("missing layer field", _delete(["layers", 2, "biases"]), r"`layers\[2\]` lacks .*'biases'"),
    ("extra layer field", _set(["layers", 0, "activation"], "tanh"), "unknown field 'activation'"),
    ("size string", _set(["layers", 1, "size"], "4"), r"`layers\[1\].size` must be an integer"),
    ("size bool", _set(["layers", 0, "size"], True), r"`layers\[0\].size` must be an integer"),
    ("size float", _set(["layers", 0, "size"], 3.0), r"`layers\[0\].size` must be an integer"),
    ("size zero", _set(["layers", 2, "size"], 0), r"`layers\[2\].size` must be in \[1,"),
    ("absurd size", _set(["layers", 1, "size"], 10 ** 12), r"`layers\[1\].size` must be in"),
    ("layer too big", _big_layers, "12,004,000 parameters, more than the 10,000,000"),
    ("weights count", _set(["layers", 2, "weights"], [0.5, 0.1]),
     r"`layers\[2\].weights` must hold 3 numbers \(one per connection\), got 2"),
    ("full weights count", lambda d: (_full_hidden(d), d["layers"][1]["weights"].pop()),
     r"`layers\[1\].weights` must hold 12 numbers \(4 x 3, row by row\), got 11"),
    ("bias count", _set(["layers", 1, "biases"], [0.0] * 5), r"`layers\[1\].biases` must hold 4"),
    ("weight string", _set(["layers", 1, "weights", 2], "0.5"),
     r"`layers\[1\].weights\[2\]` must be a number, got '0.5'"),
    ("weight bool", _set(["layers", 1, "weights", 0], False),
     r"`layers\[1\].weights\[0\]` must be a number, got false"),
    ("bias null", _set(["layers", 2, "biases", 1], None),
     r"`layers\[2\].biases\[1\]` must be a number, got null"),
    ("weights not a list", _set(["layers", 2, "weights"], 0.5), "must be a list of numbers"),
    ("float32 overflow", lambda d: (d.update(dtype="float32"),
                                    d["layers"][1]["weights"].__setitem__(0, 1e39)),
     r"`layers\[1\].weights\[0\]` must be a finite float32 number"),
    ("clamp order", _set(["bias_clamp"], [0.8, -0.8]), "low <= high"),
    ("clamp type", _set(["bias_clamp"], "0.8"), "`bias_clamp` must be null or a list"),
    ("clamp length", _set(["bias_clamp"], [0.8]), "`bias_clamp` must be null or a list"),
    ("unknown activation", _set(["layers", 1, "activation"], "swish"),
     r"`layers\[1\].activation` must be one of .*got 'swish'"),
    ("softmax hidden", _set(["layers", 1, "activation"], "softmax"), "output layer only"),
    ("unknown cost", _set(["cost"], "hinge"), r"`cost` must be one of .*got 'hinge'"),
    ("unknown dtype", _set(["dtype"], "float16"), r"`dtype` must be one of"),
    ("kind order", _set(["layers", 2, "kind"], "hidden"), r"`layers\[2\].kind` must be 'output'"),
    ("one layer", lambda d: d.update(layers=d["layers"][:1]), "at least an input and an output"),
    ("layers object", _set(["layers"], {}), "`layers` must be a list"),
    ("layer not object", _set(["layers", 1], [4]), r"`layers\[1\]` must be a JSON object"),
    ("connection range", _set(["layers", 2, "connections", 1], [2, 0]),
     r"`layers\[2\].connections\[1\]` must join a neuron j in \[0, 2\)"),
    ("connection negative", _set(["layers", 1, "connections", 0], [0, -1]), "must join a neuron"),
    ("connection twice", _set(["layers", 2, "connections", 2], [0, 1]),
     r"`layers\[2\].connections\[2\]` repeats the connection \[0, 1\]"),
    ("connection shape", _set(["layers", 2, "connections", 0], [0]), "must be a pair"),
    ("connection floats", _set(["layers", 2, "connections", 0], [0.0, 1]), "must be a pair"),
    ("connection bools", _set(["layers", 2, "connections", 0], [False, True]), "must be a pair"),
    ("connections word", _set(["layers", 2, "connections"], "dense"), 'must be "full" or a list'),
    ("static range", _set(["layers", 1, "static"], [4]), r"`layers\[1\].static\[0\]` must be in"),
    ("static twice", _set(["layers", 1, "static"], [2, 2]), "must not repeat an index"),
    ("static bool", _set(["layers", 1, "static"], [True]), "must be an integer"),
    ("static velocity", _static_velocity, "static neuron 2 must have zero velocities"),
    ("velocity alone", _delete(["layers", 1, "bias_velocity"]), "lacks 'bias_velocity'"),
]

TEXT_REJECTED = [
    ("NaN", lambda t: t.replace("0.25", "NaN", 1), "NaN is not allowed"),
    ("Infinity", lambda t: t.replace("0.25", "Infinity", 1), "Infinity is not allowed"),
    ("-Infinity", lambda t: t.replace("0.25", "-Infinity", 1), "-Infinity is not allowed"),
    ("overflow", lambda t: t.replace("0.25", "1e400", 1), r"must be a finite float64 number"),
    ("long integer", lambda t: t.replace('"size": 3', '"size": ' + "9" * 5000, 1),
     "5000 digits"),
    ("duplicate key", lambda t: t.replace('"cost":', '"cost": "quadratic", "cost":', 1),
     "'cost' appears twice"),
    ("truncated", lambda t: t[: len(t) // 2], "ends too early .*truncated"),
    ("invalid JSON", lambda t: t.replace(":", "=", 1), "not valid JSON"),
    ("empty", lambda t: "", "it is empty"),
    ("list", lambda t: "[1, 2]", "not a neurograph model file"),
    ("nested", lambda t: "[" * 100_000 + "]" * 100_000, "not a neurograph model file"),
    ("byte order mark", lambda t: "\ufeff" + t, "not valid JSON"),
]


@pytest.mark.parametrize("mutate, message", [case[1:] for case in REJECTED],
                         ids=[case[0] for case in REJECTED])
def test_the_loader_refuses_a_bad_document(tmp_path, mutate, message):
    document = valid_document()
    mutate(document)
    path = tmp_path / "bad-model.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message) as error:
        load(path)
    assert str(error.value).startswith(str(path) + ": ")
    assert "\n" not in str(error.value) and len(str(error.value)) < 300


@pytest.mark.parametrize("mutate, message", [case[1:] for case in TEXT_REJECTED],
                         ids=[case[0] for case in TEXT_REJECTED])
def test_the_loader_refuses_bad_text(tmp_path, mutate, message):
    text = json.dumps(valid_document())
    assert '"size": 3' in text and "0.25" in text
    path = tmp_path / "bad-model.json"
    path.write_text(mutate(text), encoding="utf-8")
    with pytest.raises(ModelFileError, match=message) as error:
        load(path)
    assert str(error.value).startswith(str(path) + ": ")
    assert "\n" not in str(error.value)


def test_the_loader_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps(valid_document()).encode().replace(b'"cost"', b'"c\xf6st"'))
    with pytest.raises(ModelFileError, match="latin.json: .*not UTF-8"):
        load(path)
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ModelFileError, match="not UTF-8"):
        load(path)


def test_an_absurd_size_is_refused_before_anything_is_allocated(tmp_path):
    document = valid_document()
    _big_layers(document)  # 3,000 inputs, 4,000 hidden neurons: 12 million weights
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="more than the 10,000,000 a layer may have"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # a 12-million weight matrix would be 96 MB


def test_the_whole_model_has_a_limit_too(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(valid_document()))
    with neurograph.limits(parameters=20):
        with pytest.raises(ModelFileError, match=r"up to `layers\[2\]` declare 26 parameters, "
                                                 r"more than the 20 a model may have"):
            load(path)


def test_load_reports_an_unreadable_file_as_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.json")
    with pytest.raises(TypeError, match="`path` must be a str or os.PathLike"):
        load(42)


# -- random damage -----------------------------------------------------------------------------


def _locations(value, path=()):
    """Every place in a JSON value: (path, value) pairs, the root first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _locations(item, path + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _locations(item, path + (k,))


JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10), st.sampled_from([10 ** 12, -1, 2 ** 63]),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["full", "tanh", "", "1"]),
    st.just([]), st.just({}), st.just([0, 0]), st.just([[0, 0]]))


@st.composite
def damaged_files(draw) -> bytes:
    document = valid_document()
    if draw(st.booleans()):
        document["layers"][1]["connections"] = "full"
        document["layers"][1]["weights"] = [0.5] * 12
        document["layers"][1]["weight_velocity"] = [0.0] * 12
    kind = draw(st.sampled_from(["delete", "add", "replace", "nan", "huge", "truncate",
                                 "flip", "insert"]))
    places = list(_locations(document))
    path, value = draw(st.sampled_from(places))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    text = None
    if kind == "delete" and path:
        del parent[path[-1]]
    elif kind == "add" and isinstance(value, dict):
        value[draw(st.sampled_from(["kind", "size", "extra", "weights", "static"]))] = draw(
            JSON_VALUES)
    elif kind == "add" and isinstance(value, list):
        value.insert(draw(st.integers(0, len(value))), draw(JSON_VALUES))
    elif kind == "replace" and path:
        parent[path[-1]] = draw(JSON_VALUES)
    elif kind == "nan" and path:
        parent[path[-1]] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    elif kind == "huge" and path:
        parent[path[-1]] = draw(st.sampled_from([10 ** 7, 10 ** 9, 10 ** 12, 3 * 10 ** 6]))
    text = json.dumps(document).encode()  # writes NaN and Infinity, as json allows
    if kind == "truncate":
        text = text[:draw(st.integers(0, len(text) - 1))]
    elif kind == "flip":
        k = draw(st.integers(0, len(text) - 1))
        text = text[:k] + bytes([text[k] ^ (1 << draw(st.integers(0, 7)))]) + text[k + 1:]
    elif kind == "insert":
        k = draw(st.integers(0, len(text)))
        text = text[:k] + bytes([draw(st.integers(0, 255))]) + text[k:]
    return text


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_files())
def test_damaged_files_raise_model_file_error_or_load_whole(content):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "damaged.json")
        with open(path, "wb") as file:
            file.write(content)
        try:
            net = load(path)
        except ModelFileError as error:
            assert str(error).startswith(path + ": ")
            return
        # The damage left a valid file: what came back is a whole, working network.
        assert isinstance(net, Network) and net.sizes[0] >= 1
        assert all(layer.network is net for layer in net.layers)
        for layer in net.receiving_layers:
            assert np.isfinite(layer.weights).all() and np.isfinite(layer.biases).all()
            assert not layer.weights[~layer.mask].any()
        with np.errstate(all="ignore"):
            assert net.predict(np.zeros((1, net.input_layer.size))).shape == (1, net.sizes[-1])
        save(net, path)
        assert load(path).sizes == net.sizes


# -- saving ------------------------------------------------------------------------------------


def test_saving_twice_keeps_the_file_valid_and_its_permissions(tmp_path):
    path = tmp_path / "net.json"
    first = Network.layered([3, 2], seed=0)
    first.save(path)
    os.chmod(path, 0o640)
    second = Network.layered([3, 4, 2], seed=1)
    second.save(path)
    assert_same_network(second, load(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    Network.layered([2, 1], seed=0).save(tmp_path / "net.json")
    assert stat.S_IMODE(os.stat(tmp_path / "net.json").st_mode) == 0o666 & ~umask


class Interrupted(BaseException):
    """Stands for KeyboardInterrupt without stopping pytest."""


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), Interrupted()])
def test_a_save_that_fails_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch,
                                                                       failure):
    path = tmp_path / "net.json"
    old = Network.layered([3, 4, 2], seed=0)
    old.save(path)
    before = path.read_bytes()
    real_dumps = json.dumps
    calls = []

    def failing_dumps(*args, **kwargs):  # two calls per header field, then one per layer:
        calls.append(1)                  # the header and the input layer are written, and
        if len(calls) == 12:             # the hidden layer fails
            raise failure
        return real_dumps(*args, **kwargs)

    monkeypatch.setattr(json, "dumps", failing_dumps)
    with pytest.raises(type(failure)):
        Network.layered([3, 5, 2], seed=1).save(path)
    assert len(calls) == 12
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]
    assert_same_network(old, load(path))


def test_a_failing_fsync_or_rename_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    Network.layered([3, 2], seed=0).save(path)
    before = path.read_bytes()
    for name in ("fsync", "replace"):
        def fail(*args, **kwargs):
            raise OSError(5, "Input/output error")
        with monkeypatch.context() as patch:
            patch.setattr(os, name, fail)
            with pytest.raises(OSError, match="Input/output error"):
                Network.layered([3, 3, 2], seed=1).save(path)
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_saving_into_a_missing_folder_names_the_file(tmp_path):
    target = tmp_path / "nowhere" / "net.json"
    with pytest.raises(FileNotFoundError) as error:
        Network.layered([2, 1], seed=0).save(target)
    assert error.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_what_it_cannot_write_faithfully_and_writes_nothing(tmp_path):
    path = tmp_path / "net.json"
    net = Network.layered([3, 2], seed=0)
    net.output_layer.weights[0, 1] = np.nan  # only a direct write can do this
    with pytest.raises(ValueError, match="its weights hold NaN or infinity"):
        net.save(path)
    inputs, outputs = InputLayer(2), OutputLayer(1)
    inputs[0].connect_to(outputs[0], 0.5)
    sparse = Network([inputs, outputs])
    sparse.output_layer.weights[0, 1] = 0.25  # a weight without a connection
    with pytest.raises(ValueError, match="non-zero weight or velocity where no connection"):
        sparse.save(path)
    custom = Network.layered([2, 1], activation=neurograph.Activation(
        "sigmoid", lambda z: z, lambda z: 1.0, "z"), seed=0)
    with pytest.raises(ValueError, match="not one of neurograph.ACTIVATIONS"):
        custom.save(path)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(TypeError, match="`network` must be a Network"):
        save("net", path)
    with pytest.raises(TypeError, match="`path` must be a str or os.PathLike"):
        save(Network.layered([2, 1]), 3)


def test_load_is_exported_and_save_is_a_method(tmp_path):
    assert neurograph.load is load and "load" in neurograph.__all__
    Network.layered([2, 2], seed=0).save(str(tmp_path / "a.json"))
    assert isinstance(neurograph.load(Path(tmp_path / "a.json")), Network)
