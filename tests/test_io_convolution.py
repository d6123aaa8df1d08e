"""Model files with convolution and pooling layers: round trips bit for bit, checkpoints that
resume exactly, strict loading, and `neurograph info`."""
import json
import os
import re
import signal
import tempfile
import tracemalloc

import numpy as np
import pytest
from model_file_edits import _delete, _set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurograph.training.loop as training
from neurograph.engines.vectorized import VectorizedEngine
from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, load
from neurograph.cli.main import main
from neurograph.convolution import (AveragePoolingLayer, ConvolutionLayer, MaxPoolingLayer,
                                    average_pooling, convolution, max_pooling)
from neurograph.io import ModelFileError, load_checkpoint, save

SETTINGS = dict(batch_size=7, learning_rate=0.2, seed=11, progress=False)


def data(n=40, seed=0):
    """6 x 6 images; the label says whether the left half is brighter than the right."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 36))
    images = X.reshape(n, 6, 6)
    labels = (images[:, :, :3].sum(axis=(1, 2)) > images[:, :, 3:].sum(axis=(1, 2))).astype(int)
    return X, np.eye(2)[labels]


def conv_net(learn=True, dtype="float64", kernel_size=3, padding=1, seed=0) -> Network:
    """input 6 x 6 -> conv 3 x 6 x 6 -> max pool 3 x 3 x 3 -> average pool 3 x 1 x 1 -> 4 -> 2."""
    front = [convolution(3, kernel_size=kernel_size, padding=padding, learn=learn, seed=5),
             max_pooling(2), average_pooling(3)]
    return Network.convolutional((6, 6), front, [4, 2], seed=seed, dtype=dtype)


def assert_same_network(a: Network, b: Network) -> None:
    """Structure, parameters and velocities (bit for bit), connections and outputs."""
    assert [type(layer) for layer in b.layers] == [type(layer) for layer in a.layers]
    assert [layer.shape for layer in b.layers] == [layer.shape for layer in a.layers]
    assert b.cost_function is a.cost_function and b.bias_clamp == a.bias_clamp
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        assert lb.activation_function is la.activation_function
        assert lb.dtype == la.dtype
        assert np.array_equal(lb.trainable, la.trainable)
        if hasattr(la, "kernel_size"):  # convolution or pooling
            assert (lb.input_shape, lb.kernel_size, lb.stride, lb.padding) == \
                (la.input_shape, la.kernel_size, la.stride, la.padding)
            assert getattr(lb, "learn", None) == getattr(la, "learn", None)
        for name in ("weights", "biases", "weight_velocity", "bias_velocity"):
            assert getattr(lb, name).shape == getattr(la, name).shape, name
            assert getattr(lb, name).tobytes() == getattr(la, name).tobytes(), name
        assert ([[(c.input_neuron.index, c._k) for c in n.inputs] for n in lb.neurons]
                == [[(c.input_neuron.index, c._k) for c in n.inputs] for n in la.neurons])
    X = np.random.default_rng(1).uniform(0, 1, (5, a.input_layer.size))
    assert b.predict(X).tobytes() == a.predict(X).tobytes()
    assert np.array_equal(b.propagate(X[0]), a.propagate(X[0]))  # the object engine too


# -- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("learn", [True, False])
def test_a_trained_conv_network_round_trips(tmp_path, dtype, learn):
    X, Y = data()
    net = conv_net(learn=learn, dtype=dtype)
    kernels_before = net.layers[1].kernels.copy()
    net.fit(X, Y, epochs=2, momentum=0.9, **SETTINGS)
    conv = net.layers[1]
    assert (conv.kernels.tobytes() != kernels_before.tobytes()) == learn
    assert conv.weight_velocity.any() == learn  # fixed kernels never get a velocity
    path = tmp_path / "conv.json"
    net.save(path)
    again = load(path)
    assert_same_network(net, again)
    document = json.loads(path.read_text())
    assert document["version"] == 2 and document["dtype"] == dtype
    assert [layer["kind"] for layer in document["layers"]] == [
        "input", "convolution", "max_pooling", "average_pooling", "hidden", "output"]
    assert document["layers"][0]["shape"] == [6, 6]
    assert document["layers"][1]["kernel_shape"] == [3, 1, 3, 3]
    assert document["layers"][1]["learn"] is learn
    assert ("weight_velocity" in document["layers"][1]) == learn
    assert document["layers"][3]["weight"] == float(np.dtype(dtype).type(1 / 9))
    # training goes on identically, momentum and all
    for network in (net, again):
        network.fit(X, Y, epochs=1, momentum=0.9, **SETTINGS)
    assert_same_network(net, again)


def test_every_layer_option_round_trips(tmp_path):
    """Several channels, stride, padding, non-square kernels, -0.0 and a sparse dense layer."""
    inputs = InputLayer(shape=(2, 7, 5))
    kernels = np.random.default_rng(0).normal(size=(4, 2, 3, 2))
    kernels[0, 0, 0, 0] = -0.0
    conv = ConvolutionLayer(inputs, kernels, stride=2, padding=1, activation="tanh", learn=True)
    pool = MaxPoolingLayer(conv, 2, stride=1)
    average = AveragePoolingLayer(pool, 2)
    hidden = HiddenLayer(3, "sigmoid", static=[1])
    outputs = OutputLayer(2, "identity")
    average.fully_connect_to(hidden, seed=1)
    hidden[2].connect_to(outputs[1], 0.5)
    hidden[0].connect_to(outputs[0], -0.25)
    net = Network([inputs, conv, pool, average, hidden, outputs], bias_clamp=(-0.5, 0.5))
    conv.biases[...] = [0.1, -0.0, 5e-324, -0.2]
    conv.weight_velocity[1, 1, 2, 0] = 0.125
    path = tmp_path / "options.json"
    net.save(path)
    again = load(path)
    assert_same_network(net, again)
    assert np.signbit(again.layers[1].kernels[0, 0, 0, 0])
    assert again.layers[1].shape == (4, 4, 3) and again.layers[3].shape == (4, 1, 1)
    again.save(tmp_path / "again.json")  # saving what was loaded gives the same text
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_a_float32_conv_file_loads_as_float64(tmp_path):
    net = conv_net(dtype="float32")
    net.save(tmp_path / "net.json")
    wide = load(tmp_path / "net.json", dtype="float64")
    assert wide.layers[1].kernels.dtype == np.float64
    assert np.array_equal(wide.layers[1].kernels, net.layers[1].kernels.astype(np.float64))
    assert wide.layers[3].weights[0] == 1 / 9  # the float64 mean, not float32's 1/9 widened


def test_networks_without_images_are_still_version_1_and_an_input_shape_makes_2(tmp_path):
    Network.layered([3, 2], seed=0).save(tmp_path / "plain.json")
    assert json.loads((tmp_path / "plain.json").read_text())["version"] == 1
    inputs, outputs = InputLayer(shape=(2, 3)), OutputLayer(1)
    inputs.fully_connect_to(outputs, [[1, 2, 3, 4, 5, 6]])
    Network([inputs, outputs]).save(tmp_path / "shaped.json")
    document = json.loads((tmp_path / "shaped.json").read_text())
    assert document["version"] == 2 and document["layers"][0] == {"kind": "input", "size": 6,
                                                                  "shape": [2, 3]}
    assert load(tmp_path / "shaped.json").input_layer.shape == (2, 3)


def test_the_documented_example_loads(tmp_path):
    layers = [
        {"kind": "input", "size": 36, "shape": [6, 6]},
        {"kind": "convolution", "size": 48, "input_shape": [1, 6, 6],
         "kernel_shape": [3, 1, 2, 2], "stride": 2, "padding": 1, "activation": "relu",
         "learn": True, "kernels": [0.5, -0.5, 0.25, 1.0] * 3, "biases": [0.0, 0.1, -0.1]},
        {"kind": "max_pooling", "size": 12, "input_shape": [3, 4, 4], "window": 2, "stride": 2},
        {"kind": "average_pooling", "size": 3, "input_shape": [3, 2, 2], "window": 2,
         "stride": 2, "weight": 0.25},
        {"kind": "output", "size": 1, "activation": "sigmoid", "connections": "full",
         "weights": [1.0, 2.0, 3.0], "biases": [0.0]}]
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"format": "neurograph-network", "version": 2,
                                "dtype": "float64", "cost": "quadratic", "bias_clamp": None,
                                "layers": layers}))
    net = load(path)
    assert [layer.shape for layer in net.layers] == [(6, 6), (3, 4, 4), (3, 2, 2), (3, 1, 1),
                                                     (1,)]
    # An all-ones image. Map 0 at (0, 0): of its window only kernel entry (1, 1) = 1.0 lies
    # inside the image (the rest is padding); at (1, 1): all four, 0.5 - 0.5 + 0.25 + 1.0.
    conv = net.layers[1]
    net.propagate(np.ones(36))
    assert conv.neurons[0].activation == 1.0 and conv.neurons[5].activation == 1.25


# -- checkpoints -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["vectorized", "object"])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_resuming_a_conv_network_ends_where_an_uninterrupted_run_does(tmp_path, engine,
                                                                      momentum):
    X, Y = data()
    whole = conv_net()
    whole.fit(X, Y, epochs=3, engine=engine, momentum=momentum, **SETTINGS)
    path = tmp_path / "run.json"
    conv_net().fit(X, Y, epochs=1, engine=engine, momentum=momentum, checkpoint=path,
                   **SETTINGS)
    saved, state = load_checkpoint(path)
    assert (state["epoch"], state["batch"]) == (2, 0)
    assert isinstance(saved.layers[1], ConvolutionLayer)
    resumed = conv_net()
    history = resumed.fit(X, Y, epochs=3, engine=engine, momentum=momentum, resume=path,
                          **SETTINGS)
    assert len(history) == 2
    assert_same_network(resumed, whole)
    assert resumed.layers[1].kernels.tobytes() != conv_net().layers[1].kernels.tobytes()


def test_ctrl_c_in_the_middle_of_an_epoch_resumes_a_conv_network_exactly(tmp_path, monkeypatch):
    X, Y = data()  # 40 samples: 6 batches an epoch
    whole = conv_net()
    whole.fit(X, Y, epochs=2, momentum=0.5, **SETTINGS)
    flags, calls = [], []
    catch, step = training._catch_ctrl_c, VectorizedEngine.train_batch

    def catching(flag):
        flags.append(flag)
        return catch(flag)

    def stepping(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 8:  # during the second batch of epoch 2
            flags[-1].append(signal.SIGINT)
        return step(self, *args, **kwargs)

    monkeypatch.setattr(training, "_catch_ctrl_c", catching)
    monkeypatch.setattr(VectorizedEngine, "train_batch", stepping)
    path = tmp_path / "stopped.json"
    with pytest.raises(KeyboardInterrupt, match="mini-batch 2 of epoch 2"):
        conv_net().fit(X, Y, epochs=2, momentum=0.5, checkpoint=path, **SETTINGS)
    monkeypatch.undo()
    assert (load_checkpoint(path)[1]["epoch"], load_checkpoint(path)[1]["batch"]) == (2, 2)
    resumed = conv_net()
    resumed.fit(X, Y, epochs=2, momentum=0.5, resume=path, **SETTINGS)
    assert_same_network(resumed, whole)


@pytest.mark.parametrize("other", [
    lambda: conv_net(kernel_size=1, padding=0),  # the same sizes, 1 x 1 kernels
    lambda: conv_net(learn=False),
    lambda: Network.convolutional((6, 6), [convolution(3, padding=1, learn=True, seed=5),
                                           average_pooling(2), average_pooling(3)], [4, 2]),
])
def test_resume_refuses_a_conv_checkpoint_of_another_structure(tmp_path, other):
    X, Y = data()
    path = tmp_path / "run.json"
    conv_net().fit(X, Y, epochs=1, checkpoint=path, **SETTINGS)
    net = other()
    assert net.sizes == conv_net().sizes  # only the structure tells them apart
    before = [layer.weights.copy() for layer in net.receiving_layers]
    with pytest.raises(ValueError, match="holds a different network"):
        net.fit(X, Y, epochs=3, resume=path, **SETTINGS)
    for layer, weights in zip(net.receiving_layers, before):
        assert np.array_equal(layer.weights, weights)


# -- saving refuses what it cannot write faithfully --------------------------------------------


def test_save_refuses_conv_layers_it_cannot_write_faithfully(tmp_path):
    path = tmp_path / "net.json"
    cases = [
        (lambda net: net.layers[1].kernels.__setitem__((0, 0, 0, 0), np.inf), "NaN or infinity"),
        (lambda net: net.layers[3].weights.__setitem__(0, 0.5), r"weight must be 1/9"),
        (lambda net: net.layers[3].weight_velocity.__setitem__(0, 0.5), "never learns"),
    ]
    for damage, message in cases:
        net = conv_net()
        damage(net)
        with pytest.raises(ValueError, match=message):
            save(net, path)
    static = conv_net(learn=False)
    static.layers[1].bias_velocity[0] = 0.5
    with pytest.raises(ValueError, match=r"fixed \(learn=False\) but it has a non-zero velocity"):
        save(static, path)
    assert list(tmp_path.iterdir()) == []


# -- the loader's refusals ---------------------------------------------------------------------


def valid_document() -> dict:
    """input 6 x 6, a learned convolution with velocities, max and average pooling, 4, 2."""
    net = conv_net()
    net.layers[1].weight_velocity[0, 0, 1, 1] = 0.5
    net.layers[1].bias_velocity[1] = -0.25
    with tempfile.TemporaryDirectory() as folder:
        net.save(os.path.join(folder, "net.json"))
        with open(os.path.join(folder, "net.json")) as file:
            return json.load(file)


def _both(*mutations):
    def mutate(document):
        for mutation in mutations:
            mutation(document)
    return mutate


def _huge_image(document):  # 1000 x 1000 inputs, 3 maps of 3 x 3: 27 million connections
    document["layers"][0].update(size=10 ** 6, shape=[1000, 1000])
    document["layers"][1].update(size=3 * 10 ** 6, input_shape=[1, 1000, 1000])


CONV = ["layers", 1]
MAX = ["layers", 2]
AVERAGE = ["layers", 3]

REJECTED = [
    ("input shape product", _set(["layers", 0, "shape"], [6, 5]),
     r"`layers\[0\].shape` 6 x 5 holds 30 inputs, not `size` = 36"),
    ("input shape zero", _set(["layers", 0, "shape"], [6, 0]),
     r"`layers\[0\].shape` must be a list of 1 to 3 integers in \[1, 10,000,000\], got \[6, 0\]"),
    ("input shape four", _set(["layers", 0, "shape"], [1, 1, 6, 6]), "must be a list of 1 to 3"),
    ("input shape text", _set(["layers", 0, "shape"], "6x6"), "must be a list of 1 to 3"),
    ("input shape bool", _set(["layers", 0, "shape"], [True, 36]), r"got \[true, 36\]"),
    ("shape in version 1", _set(["version"], 1),
     r"`layers\[0\]` has an unknown field 'shape' \(its fields are kind, size\)"),
    ("conv in version 1", _both(_set(["version"], 1), _delete(["layers", 0, "shape"])),
     r"`layers\[1\].kind` 'convolution' needs format version 2, but the file says version 1"),
    ("unknown kind", _set(CONV + ["kind"], "dense"),
     r"`layers\[1\].kind` must be 'hidden' or, from version 2, one of 'convolution', "
     r"'max_pooling', 'average_pooling' .*got 'dense'"),
    ("conv as output", _set(["layers", 5, "kind"], "convolution"),
     r"`layers\[5\].kind` must be 'output'"),
    ("conv as input", _set(["layers", 0, "kind"], "convolution"),
     r"`layers\[0\].kind` must be 'input'"),
    ("conv image too small", _set(CONV + ["input_shape"], [1, 6, 5]),
     r"`layers\[1\].input_shape` 1 x 6 x 5 holds 30 values, but the layer before has 36"),
    ("conv image not 3-d", _set(CONV + ["input_shape"], [6, 6]),
     r"`layers\[1\].input_shape` must be a list of 3 integers"),
    ("pooling image too big", _set(MAX + ["input_shape"], [3, 6, 7]),
     r"`layers\[2\].input_shape` 3 x 6 x 7 holds 126 values, but the layer before has 108"),
    ("pooling image transposed", _set(MAX + ["input_shape"], [6, 6, 3]),
     r"`layers\[2\].size` must be 6 x 3 x 1 = 18 \(the pooled channels its shapes give\), "
     r"got 27"),
    ("kernel channels", _set(CONV + ["kernel_shape"], [3, 2, 3, 3]),
     r"`layers\[1\].kernel_shape` 3 x 2 x 3 x 3 has 2 channels, but `input_shape` has 1"),
    ("kernel 3-d", _set(CONV + ["kernel_shape"], [3, 3, 3]),
     r"`layers\[1\].kernel_shape` must be a list of 4 integers"),
    ("no maps", _set(CONV + ["kernel_shape"], [0, 1, 3, 3]), "must be a list of 4 integers"),
    ("kernel too big", _set(CONV + ["kernel_shape"], [3, 1, 9, 9]),
     r"`layers\[1\]`: a 9 x 9 window does not fit the input height 6 with padding 1"),
    ("negative padding", _set(CONV + ["padding"], -1),
     r"`layers\[1\].padding` must be in \[0, 2\], got -1"),
    ("padding as wide as the kernel", _set(CONV + ["padding"], 3),
     r"`layers\[1\].padding` must be in \[0, 2\], got 3"),
    ("padding float", _set(CONV + ["padding"], 1.0), r"`layers\[1\].padding` must be an integer"),
    ("stride zero", _set(CONV + ["stride"], 0), r"`layers\[1\].stride` must be in \[1,"),
    ("stride changes the size", _set(CONV + ["stride"], 2),
     r"`layers\[1\].size` must be 3 x 3 x 3 = 27 \(the feature maps its shapes give\), got 108"),
    ("conv size", _set(CONV + ["size"], 100), r"`layers\[1\].size` must be 3 x 6 x 6 = 108"),
    ("kernels count", lambda d: d["layers"][1]["kernels"].pop(),
     r"`layers\[1\].kernels` must hold 27 numbers \(3 x 1 x 3 x 3 kernel entries in that "
     r"order\), got 26"),
    ("kernel string", _set(CONV + ["kernels", 4], "0.5"),
     r"`layers\[1\].kernels\[4\]` must be a number, got '0.5'"),
    ("kernel NaN", _set(CONV + ["kernels", 0], float("nan")), "NaN is not allowed"),
    ("a bias per neuron", _set(CONV + ["biases"], [0.0] * 108),
     r"`layers\[1\].biases` must hold 3 numbers \(one per map\), got 108"),
    ("learn string", _set(CONV + ["learn"], "yes"),
     r"`layers\[1\].learn` must be true or false, got 'yes'"),
    ("learn number", _set(CONV + ["learn"], 1), r"`layers\[1\].learn` must be true or false"),
    ("learn missing", _delete(CONV + ["learn"]), r"`layers\[1\]` lacks the field 'learn'"),
    ("softmax conv", _set(CONV + ["activation"], "softmax"), "for the output layer only"),
    ("unknown activation", _set(CONV + ["activation"], "swish"),
     r"`layers\[1\].activation` must be one of"),
    ("fixed kernels moving", _set(CONV + ["learn"], False),
     r"`layers\[1\]`: the kernels are fixed \(learn is false\), so the velocities must be zero"),
    ("velocity count", lambda d: d["layers"][1]["weight_velocity"].pop(),
     r"`layers\[1\].weight_velocity` must hold 27 numbers"),
    ("velocity alone", _delete(CONV + ["bias_velocity"]), "lacks 'bias_velocity'"),
    ("conv connections", _set(CONV + ["connections"], "full"), "unknown field 'connections'"),
    ("pooling bias", _set(MAX + ["biases"], []), r"`layers\[2\]` has an unknown field 'biases'"),
    ("pooling velocity", _set(AVERAGE + ["weight_velocity"], [0.0]),
     r"`layers\[3\]` has an unknown field 'weight_velocity'"),
    ("max pooling weight", _set(MAX + ["weight"], 1.0), "unknown field 'weight'"),
    ("window zero", _set(MAX + ["window"], 0), r"`layers\[2\].window` must be in \[1,"),
    ("window too big", _set(MAX + ["window"], 7),
     r"`layers\[2\]`: a 7 x 7 window does not fit the input height 6"),
    ("pooling size", _set(MAX + ["size"], 28),
     r"`layers\[2\].size` must be 3 x 3 x 3 = 27 \(the pooled channels"),
    ("average weight", _set(AVERAGE + ["weight"], 0.1),
     r"`layers\[3\].weight` must be 1/9 = 0.1111111111111111 \(the mean of a 3 x 3 window\), "
     r"got 0.1"),
    ("average weight missing", _delete(AVERAGE + ["weight"]), "lacks the field 'weight'"),
    ("average weight text", _set(AVERAGE + ["weight"], "1/9"),
     r"`layers\[3\].weight` must be a number"),
    ("dense after pooling", lambda d: d["layers"][4]["weights"].pop(),
     r"`layers\[4\].weights` must hold 12 numbers \(4 x 3, row by row\), got 11"),
    ("huge image", _huge_image,
     r"`layers\[1\]` declares 3,000,000 neurons reading 9 inputs each: 30,000,000 connections "
     r"and neurons, more than the 10,000,000 a layer may have"),
]


@pytest.mark.parametrize("mutate, message", [case[1:] for case in REJECTED],
                         ids=[case[0] for case in REJECTED])
def test_the_loader_refuses_a_bad_conv_document(tmp_path, mutate, message):
    document = valid_document()
    assert document["layers"][1]["weight_velocity"][4] == 0.5  # the base case is as described
    mutate(document)
    path = tmp_path / "bad-conv.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message) as error:
        load(path)
    assert str(error.value).startswith(str(path) + ": ")
    assert "\n" not in str(error.value) and len(str(error.value)) < 300


def test_the_valid_conv_document_loads(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(valid_document()))
    net = load(path)
    assert net.layers[1].weight_velocity[0, 0, 1, 1] == 0.5
    assert net.layers[1].bias_velocity.tolist() == [0.0, -0.25, 0.0]


def test_a_float32_average_weight_is_checked_in_float32(tmp_path):
    document = valid_document()
    document["dtype"] = "float32"
    document["layers"][3]["weight"] = 1 / 9  # float64's 1/9 rounds to float32's: accepted
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document))
    assert load(path).layers[3].weights[0] == np.float32(1 / 9)
    document["layers"][3]["weight"] = 0.11111
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=r"must be 1/9 = 0.1111111119389534"):
        load(path)


def test_a_huge_conv_layer_is_refused_before_anything_is_allocated(tmp_path):
    document = valid_document()
    _huge_image(document)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="more than the 10,000,000 a layer may have"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # three million neurons would take hundreds of MB


# -- neurograph info ---------------------------------------------------------------------------


def test_info_describes_conv_and_pooling_layers(capsys, tmp_path):
    X, Y = data()
    net = conv_net()
    net.fit(X, Y, epochs=1, momentum=0.9, **SETTINGS)
    path = tmp_path / "conv.json"
    net.save(path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{path}: neurograph-network version 2"
    lines = {line.split()[1]: line for line in out.splitlines() if re.match(r"^\s+\d+\s", line)}
    assert list(lines) == ["input", "conv", "maxpool", "avgpool", "hidden", "output"]
    assert lines["input"].split()[2:] == ["36", "6", "x", "6"]
    # Each axis of the padded 6 x 6 image: 6 positions x 3 kernel offsets, less the 2 that
    # fall on the padding, so 16 x 16 connections per map: 768 for 3 maps.
    assert lines["conv"].split()[2:5] == ["108", "relu", "learned"]
    assert ("3 x 6 x 6 from 1 x 6 x 6, 3 x 3 kernels, stride 1, padding 1: 768 connections "
            "sharing 27 weights and 3 biases") in lines["conv"]
    assert ("3 x 3 x 3 from 3 x 6 x 6, 2 x 2 windows, stride 2: 108 connections, "
            "no parameters") in lines["maxpool"]
    assert lines["maxpool"].split()[2:5] == ["27", "max", "static"]
    assert "3 x 3 windows, stride 3: 27 connections of weight 1/9, no parameters" \
        in lines["avgpool"]
    assert "12 weights (dense)" in lines["hidden"]
    fields = dict(re.findall(r"^([a-z ]+): (.*)$", out, re.MULTILINE))
    assert fields["weights"] == "47"  # 27 kernel entries + 4 x 3 + 2 x 4
    assert fields["biases"] == "9"  # 3 maps + 4 + 2
    assert fields["parameters"] == "56"
    assert fields["connections"] == f"{768 + 108 + 27 + 12 + 8:,}" == str(
        sum(layer.n_connections for layer in net.receiving_layers))
    assert fields["momentum velocities"].startswith("saved")


def test_info_says_static_for_fixed_kernels_and_version_1_for_plain_files(capsys, tmp_path):
    Network.convolutional((8, 8), [convolution(), max_pooling(2)], [3], seed=0).save(
        tmp_path / "edges.json")
    assert main(["info", str(tmp_path / "edges.json")]) == 0
    out = capsys.readouterr().out
    conv = next(line for line in out.splitlines() if " conv " in line)
    assert conv.split()[2:5] == ["432", "relu", "static"]  # 12 maps of 6 x 6
    assert "12 x 6 x 6 from 1 x 8 x 8, 3 x 3 kernels, stride 1: 3,888 connections" in conv
    Network.layered([3, 2], seed=0).save(tmp_path / "plain.json")
    assert main(["info", str(tmp_path / "plain.json")]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("version 1")


# -- random damage -----------------------------------------------------------------------------


def _places(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, path + (key,))
    elif isinstance(value, list) and (len(value) <= 4 or isinstance(value[0], dict)):
        # the layers and the shapes, not every number of the kernels and weights
        for k, item in enumerate(value):
            yield from _places(item, path + (k,))


VALID = valid_document()
PLACES = [path for path, _ in _places(VALID) if len(path) > 2]  # in the layers
JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 12),
                        st.sampled_from([10 ** 7, 10 ** 12, 2 ** 63]), st.floats(-2, 2),
                        st.sampled_from(["convolution", "max_pooling", "hidden", "relu", ""]),
                        st.just([]), st.just([1, 6, 6]), st.just([3, 1, 3, 3]), st.just({}))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PLACES), st.booleans(), JSON_VALUES), min_size=1,
                max_size=3))
def test_damaged_conv_files_raise_model_file_error_or_load_whole(changes):
    document = json.loads(json.dumps(VALID))
    for path, delete, value in changes:
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete:
                del parent[path[-1]]
            else:  # a copy: st.just({}) is one object, which a later change could fill
                parent[path[-1]] = json.loads(json.dumps(value))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "damaged.json")
        with open(path, "w") as file:
            json.dump(document, file)
        try:
            net = load(path)
        except ModelFileError as error:
            assert str(error).startswith(path + ": ") and "\n" not in str(error)
            return
        assert all(layer.network is net for layer in net.layers)
        assert net.predict(np.zeros((1, net.input_layer.size))).shape == (1, net.sizes[-1])
        save(net, path)
        assert load(path).sizes == net.sizes
