"""Model files keep the optimizer: its kind, settings, steps and named slots (format version 3),
while SGD networks are still written as versions 1 and 2, byte for byte as before."""
import json
import math
import signal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_file_edits import _delete, _set

import neurograph.training.loop as training
from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, load
from neurograph.convolution import average_pooling, convolution, max_pooling
from neurograph.io import ModelFileError, load_checkpoint
from neurograph.optimizers import SGD, Adam



def sparse_static_network() -> Network:
    """Connections made out of row-major order, a static neuron, an unconnected neuron."""
    inputs, hidden, outputs = InputLayer(3), HiddenLayer(4, "tanh", static=[2]), OutputLayer(2)
    hidden[1].connect_to(outputs[0], 0.5)
    inputs[2].connect_to(hidden[0], 0.25)
    inputs[0].connect_to(hidden[0], -1.0)
    inputs[1].connect_to(hidden[3], 2.0)
    hidden[0].connect_to(outputs[1], 0.1)
    hidden[0].connect_to(outputs[0], 1 / 3)
    inputs[0].connect_to(hidden[2], 0.7)
    inputs[1].connect_to(hidden[1], -0.3)
    return Network([inputs, hidden, outputs], cost="binary_cross_entropy", bias_clamp=None)


def conv_net(seed=0) -> Network:
    """input 6 x 6 -> learned conv 3 x 6 x 6 -> max pool -> average pool -> 4 -> 2."""
    front = [convolution(3, kernel_size=3, padding=1, learn=True, seed=5), max_pooling(2),
             average_pooling(3)]
    return Network.convolutional((6, 6), front, [4, 2], seed=seed)


def dense_data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 3)), rng.uniform(0, 1, (n, 2))


def image_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 36))
    images = X.reshape(n, 6, 6)
    labels = (images[:, :, :3].sum(axis=(1, 2)) > images[:, :, 3:].sum(axis=(1, 2))).astype(int)
    return X, np.eye(2)[labels]


def assert_same_training_state(a: Network, b: Network) -> None:
    """Parameters, optimizer kind, settings, steps and every slot, bit for bit; predictions."""
    assert type(b.optimizer) is type(a.optimizer)
    assert b.optimizer.hyperparameters() == a.optimizer.hyperparameters()
    assert b.optimizer.steps == a.optimizer.steps
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        for name in la.parameter_names:
            assert lb.parameter(name).tobytes() == la.parameter(name).tobytes(), (la, name)
            slots_a = a.optimizer.slots(la, name).arrays
            slots_b = b.optimizer.slots(lb, name).arrays
            assert slots_b.keys() == slots_a.keys()
            for slot in slots_a:
                assert slots_b[slot].shape == slots_a[slot].shape
                assert slots_b[slot].tobytes() == slots_a[slot].tobytes(), (la, name, slot)
    X = np.random.default_rng(1).uniform(-1, 1, (5, a.input_layer.size))
    assert b.predict(X).tobytes() == a.predict(X).tobytes()


# -- Adam round trips ----------------------------------------------------------------------------


def adam_dense(tmp_path):
    net = sparse_static_network()
    X, Y = dense_data()
    net.fit(X, Y, epochs=3, batch_size=7, optimizer=Adam(0.01, beta1=0.8), seed=1,
            progress=False)
    path = tmp_path / "adam.json"
    net.save(path)
    return net, path


def test_an_adam_trained_dense_network_round_trips_bit_for_bit(tmp_path):
    net, path = adam_dense(tmp_path)
    assert net.optimizer.steps == 15  # 3 epochs of 5 mini-batches
    hidden = net.hidden_layers[0]
    assert net.optimizer.slots(hidden, "weights").arrays["m"][hidden.mask].any()
    again = load(path)
    assert_same_training_state(net, again)
    assert again.hidden_layers[0].trainable.tolist() == [True, True, False, True]
    document = json.loads(path.read_text())
    assert document["version"] == 3
    assert document["optimizer"] == {"name": "adam", "learning_rate": 0.01, "beta1": 0.8,
                                     "beta2": 0.999, "epsilon": 1e-08, "steps": 15}
    layer = document["layers"][1]
    assert layer["connections"] == [[0, 2], [0, 0], [2, 0], [3, 1], [1, 1]]  # as made
    for field in ("weight_m", "bias_m", "weight_v", "bias_v"):
        assert len(layer[field]) == len(layer["weights" if field[0] == "w" else "biases"])
    assert layer["weight_m"][2] == 0.0 and layer["bias_v"][2] == 0.0  # static neuron 2
    assert layer["weight_m"][4] != 0.0 and layer["bias_v"][1] != 0.0
    assert "weight_velocity" not in layer
    again.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_a_loaded_adam_network_trains_on_exactly_like_the_original(tmp_path):
    net, path = adam_dense(tmp_path)
    again = load(path)
    X, Y = dense_data(seed=2)
    for network in (net, again):
        network.fit(X, Y, epochs=2, batch_size=7, optimizer="adam", learning_rate=0.01,
                    seed=3, progress=False)
    assert_same_training_state(net, again)


def test_an_adam_trained_convolution_network_round_trips_bit_for_bit(tmp_path):
    net = conv_net()
    X, Y = image_data()
    net.fit(X, Y, epochs=2, batch_size=7, optimizer="adam", learning_rate=0.01, seed=11,
            progress=False)
    conv = net.layers[1]
    assert net.optimizer.slots(conv, "weights").arrays["v"].any()
    net.save(tmp_path / "conv.json")
    again = load(tmp_path / "conv.json")
    assert_same_training_state(net, again)
    document = json.loads((tmp_path / "conv.json").read_text())
    assert document["version"] == 3 and document["optimizer"]["steps"] == 12
    assert len(document["layers"][1]["weight_m"]) == conv.kernels.size == 27
    assert len(document["layers"][1]["bias_v"]) == 3
    assert not any(key.endswith(("_m", "_v")) for layer in document["layers"][2:4]
                   for key in layer)  # pooling never learns
    again.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "conv.json").read_bytes()


def test_an_sgd_network_still_writes_version_1_with_velocities(tmp_path):
    net = sparse_static_network()
    X, Y = dense_data()
    net.fit(X, Y, epochs=2, batch_size=7, learning_rate=0.1, momentum=0.9, seed=1,
            progress=False)
    net.save(tmp_path / "sgd.json")
    document = json.loads((tmp_path / "sgd.json").read_text())
    assert document["version"] == 1 and "optimizer" not in document
    assert "weight_velocity" in document["layers"][1]
    again = load(tmp_path / "sgd.json")
    assert isinstance(again.optimizer, SGD)
    for la, lb in zip(net.receiving_layers, again.receiving_layers):
        assert lb.weight_velocity.tobytes() == la.weight_velocity.tobytes()
        assert lb.bias_velocity.tobytes() == la.bias_velocity.tobytes()


# -- checkpoints -------------------------------------------------------------------------------


def test_adam_fit_interrupted_and_resumed_ends_bit_for_bit_like_an_uninterrupted_run(
        tmp_path, monkeypatch):
    X, Y = image_data()  # 40 samples: 6 batches an epoch
    settings = dict(batch_size=7, optimizer="adam", learning_rate=0.01, seed=11,
                    progress=False)
    whole = conv_net()
    whole.fit(X, Y, epochs=3, **settings)
    flags, calls = [], []
    catch, step = training._catch_ctrl_c, training.VectorizedEngine.train_batch

    def catching(flag):
        flags.append(flag)
        return catch(flag)

    def stepping(*args, **kwargs):
        calls.append(1)
        if len(calls) == 9:  # Ctrl-C during the third batch of epoch 2
            flags[-1].append(signal.SIGINT)
        return step(*args, **kwargs)

    monkeypatch.setattr(training, "_catch_ctrl_c", catching)
    monkeypatch.setattr(training.VectorizedEngine, "train_batch", stepping)
    path = tmp_path / "stopped.json"
    stopped = conv_net()
    with pytest.raises(KeyboardInterrupt, match="mini-batch 3 of epoch 2"):
        stopped.fit(X, Y, epochs=3, checkpoint=path, **settings)
    monkeypatch.undo()
    saved, state = load_checkpoint(path)
    assert (state["epoch"], state["batch"]) == (2, 3)
    assert isinstance(saved.optimizer, Adam) and saved.optimizer.steps == 9
    assert_same_training_state(stopped, saved)
    resumed = conv_net()
    resumed.fit(X, Y, epochs=3, resume=path, **settings)
    assert_same_training_state(whole, resumed)


def test_resume_refuses_an_adam_checkpoint_for_sgd(tmp_path):
    X, Y = image_data()
    path = tmp_path / "run.json"
    conv_net().fit(X, Y, epochs=1, batch_size=7, optimizer="adam", seed=1, progress=False,
                   checkpoint=path)
    with pytest.raises(ValueError, match="was trained with Adam"):
        conv_net().fit(X, Y, epochs=2, batch_size=7, seed=1, progress=False, resume=path)


# -- refusals ----------------------------------------------------------------------------------


def adam_document(tmp_path) -> dict:
    return json.loads(adam_dense(tmp_path)[1].read_text())


def sgd_document() -> dict:
    """A version 1 document with velocities."""
    return json.loads(VERSION_1_FILE)


REJECTED = [
    ("unknown optimizer", _set(["optimizer", "name"], "rmsprop"),
     r"`optimizer.name` must be one of adam, sgd, got 'rmsprop'"),
    ("no name", _delete(["optimizer", "name"]), r"`optimizer` must be a JSON object with a"),
    ("not an object", _set(["optimizer"], "adam"), r"`optimizer` must be a JSON object"),
    ("missing hyperparameter", _delete(["optimizer", "beta2"]),
     r"`optimizer` lacks the field 'beta2'"),
    ("unknown hyperparameter", _set(["optimizer", "momentum"], 0.9),
     r"`optimizer` has an unknown field 'momentum'"),
    ("missing steps", _delete(["optimizer", "steps"]), r"`optimizer` lacks the field 'steps'"),
    ("steps negative", _set(["optimizer", "steps"], -1), r"`optimizer.steps` must be in \[0,"),
    ("steps float", _set(["optimizer", "steps"], 2.0), r"`optimizer.steps` must be an integer"),
    ("hyperparameter string", _set(["optimizer", "beta1"], "0.9"),
     r"`optimizer.beta1` must be a number, got '0.9'"),
    ("hyperparameter out of range", _set(["optimizer", "beta1"], 1.5),
     r"`optimizer`: `beta1` must be in \[0, 1\), got 1.5"),
    ("slot too short", lambda d: d["layers"][1]["weight_m"].pop(),
     r"`layers\[1\].weight_m` must hold 5 numbers \(one per connection\), got 4"),
    ("slot alone", _delete(["layers", 2, "bias_v"]),
     r"`layers\[2\]` has 'weight_v' but lacks 'bias_v'"),
    ("velocity in an adam file", _set(["layers", 2, "weight_velocity"], [0.0] * 3),
     r"`layers\[2\]` has an unknown field 'weight_velocity'"),
    ("static neuron moving", lambda d: d["layers"][1]["bias_m"].__setitem__(2, 0.5),
     r"static neuron 2 must have zero 'm' slots"),
    ("optimizer in version 2", _set(["version"], 2), r"unknown field 'optimizer'"),
]


@pytest.mark.parametrize("mutate, message", [case[1:] for case in REJECTED],
                         ids=[case[0] for case in REJECTED])
def test_a_bad_optimizer_or_slot_is_refused_with_a_clear_message(tmp_path, mutate, message):
    document = adam_document(tmp_path)
    mutate(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message) as error:
        load(path)
    assert str(error.value).startswith(str(path) + ": ")
    assert "\n" not in str(error.value) and len(str(error.value)) < 300


def _adam_places(value, path=()):
    """The places of an Adam document worth damaging: the header, the optimizer, the layers'
    fields and the first entries of each list."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _adam_places(item, path + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value[:2]):
            yield from _adam_places(item, path + (k,))


def _adam_document_text() -> str:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return adam_dense(Path(folder))[1].read_text()


ADAM_TEXT = _adam_document_text()
ADAM_PLACES = [path for path in _adam_places(json.loads(ADAM_TEXT)) if path]
DAMAGE = st.one_of(st.none(), st.booleans(), st.integers(-2, 10), st.just(10 ** 30),
                   st.floats(-2, 2), st.sampled_from(["adam", "sgd", "m", ""]), st.just([]),
                   st.just({}), st.just([0.0, 1.0]))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ADAM_PLACES), st.booleans(), DAMAGE), min_size=1,
                max_size=3))
def test_damaged_adam_files_raise_model_file_error_or_load_whole(tmp_path_factory, changes):
    document = json.loads(ADAM_TEXT)
    for path, delete, value in changes:
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = json.loads(json.dumps(value))  # a fresh copy each time
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    path = tmp_path_factory.mktemp("damaged") / "damaged.json"
    path.write_text(json.dumps(document))
    try:
        net = load(path)
    except ModelFileError as error:
        assert str(error).startswith(str(path) + ": ") and "\n" not in str(error)
        return
    assert all(layer.network is net for layer in net.layers)
    assert net.predict(np.zeros((1, net.input_layer.size))).shape == (1, net.sizes[-1])
    net.save(path)
    assert load(path).optimizer.steps == net.optimizer.steps


@pytest.mark.parametrize("field", ["weight_m", "bias_v"])
def test_slots_of_an_optimizer_the_file_does_not_name_are_refused(tmp_path, field):
    document = sgd_document()
    document["layers"][1][field] = [0.0] * 3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=rf"`layers\[1\]` has an unknown field '{field}'"):
        load(path)


def test_an_optimizer_that_is_not_registered_is_not_saved(tmp_path):
    class Halving(SGD):
        name = "halving"

    net = sparse_static_network()
    net.optimizer = Halving()
    with pytest.raises(ValueError, match="not one of neurograph.optimizers.OPTIMIZERS"):
        net.save(tmp_path / "net.json")
    assert list(tmp_path.iterdir()) == []


# -- files from before -------------------------------------------------------------------------

# Written by neurograph before optimizers were objects (format version 1): sparse and full
# layers, a static neuron, momentum velocities (one of them -0.0), a subnormal bias.
VERSION_1_FILE = """{
  "format": "neurograph-network",
  "version": 1,
  "dtype": "float64",
  "cost": "binary_cross_entropy",
  "bias_clamp": [-0.8, 0.8],
  "layers": [
    {"kind": "input", "size": 2},
    {"kind": "hidden", "size": 3, "activation": "tanh", "static": [1], "connections": "full", \
"weights": [0.5, -0.25, 0.125, 1.0, 0.3333333333333333, -0.0], "biases": [0.1, -0.3, 5e-324], \
"weight_velocity": [0.015625, -0.0, 0.0, 0.0, 0.1, 0.2], "bias_velocity": [-0.5, 0.0, 0.25]},
    {"kind": "output", "size": 1, "activation": "sigmoid", "connections": [[0, 2], [0, 0]], \
"weights": [0.75, -1.5], "biases": [3.141592653589793]}
  ]
}
"""

# Version 2: an image input, a learned convolution with velocities, both poolings.
VERSION_2_FILE = """{
  "format": "neurograph-network",
  "version": 2,
  "dtype": "float64",
  "cost": "quadratic",
  "bias_clamp": null,
  "layers": [
    {"kind": "input", "size": 16, "shape": [4, 4]},
    {"kind": "convolution", "size": 18, "input_shape": [1, 4, 4], "kernel_shape": [2, 1, 2, 2], \
"stride": 1, "padding": 0, "activation": "relu", "learn": true, "kernels": [0.5, -0.5, 0.25, \
1.0, 0.125, 0.0, -0.75, 2.0], "biases": [0.0, 0.1], "weight_velocity": [0.0, 0.0, 0.0, 0.5, \
0.0, 0.0, 0.0, 0.0], "bias_velocity": [-0.25, 0.0]},
    {"kind": "max_pooling", "size": 8, "input_shape": [2, 3, 3], "window": 2, "stride": 1},
    {"kind": "average_pooling", "size": 2, "input_shape": [2, 2, 2], "window": 2, "stride": 2, \
"weight": 0.25},
    {"kind": "output", "size": 1, "activation": "identity", "connections": "full", \
"weights": [0.5, -0.5], "biases": [0.0]}
  ]
}
"""


@pytest.mark.parametrize("text", [VERSION_1_FILE, VERSION_2_FILE], ids=["version 1", "version 2"])
def test_a_file_from_before_loads_and_writes_back_byte_identically(tmp_path, text):
    path = tmp_path / "old.json"
    path.write_text(text)
    net = load(path)
    assert isinstance(net.optimizer, SGD)
    assert net.receiving_layers[0].weight_velocity.any()
    if text is VERSION_1_FILE:
        velocity = net.receiving_layers[0].weight_velocity
        assert math.copysign(1.0, velocity[0, 1]) == -1.0  # -0.0 kept
    net.save(tmp_path / "new.json")
    assert (tmp_path / "new.json").read_bytes() == path.read_bytes()
