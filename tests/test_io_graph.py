"""Model files of graphs (format version 4): a layer reading several earlier layers, or one
that is not the layer before, saves and loads bit for bit; damaged files are refused."""
import json

import numpy as np
import pytest

import neurograph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_file_edits import _delete, _set
from test_graph import graphs

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, load
from neurograph.io import ModelFileError, load_checkpoint, save
from neurograph.io import modelfile as model_io
from neurograph.optimizers import SGD, Adam


def wiring(net):
    """Every neuron's inputs and outputs as (layer, neuron) pairs, in their order."""
    def ends(connections, attribute):
        return [(getattr(c, attribute).layer.index, getattr(c, attribute).index)
                for c in connections]
    return [([ends(n.inputs, "input_neuron") if hasattr(n, "inputs") else None,
              ends(n.outputs, "output_neuron") if hasattr(n, "outputs") else None])
            for layer in net.layers for n in layer.neurons]


def assert_same_graph(a: Network, b: Network) -> None:
    """Sources, parameters, slots (bit for bit), connection order and predictions."""
    assert [type(layer) for layer in b.layers] == [type(layer) for layer in a.layers]
    assert [tuple(layer.shape) for layer in b.layers] == [tuple(layer.shape) for layer in a.layers]
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        assert [s.index for s in lb.sources] == [s.index for s in la.sources]
        assert lb.offsets == la.offsets
        assert np.array_equal(lb.mask, la.mask) and np.array_equal(lb.trainable, la.trainable)
        for name in lb.parameter_names:
            assert lb.parameter(name).tobytes() == la.parameter(name).tobytes(), name
    assert wiring(b) == wiring(a)
    assert b.optimizer.name == a.optimizer.name
    if a.optimizer.name != "sgd":  # SGD's steps are not kept (it does not need them)
        assert b.optimizer.steps == a.optimizer.steps
    slots_a = {key: {n: v.tobytes() for n, v in s.arrays.items() if v.any()}
               for key, s in a.optimizer.state.items()}
    slots_b = {key: {n: v.tobytes() for n, v in s.arrays.items() if v.any()}
               for key, s in b.optimizer.state.items()}
    assert {k: v for k, v in slots_b.items() if v} == {k: v for k, v in slots_a.items() if v}
    X = np.random.default_rng(0).uniform(-1, 1, (5, a.input_layer.size))
    assert b.predict(X).tobytes() == a.predict(X).tobytes()
    assert b.propagate(X[0]).tobytes() == a.propagate(X[0]).tobytes()


def reads_only_previous(net) -> bool:
    return all(layer.sources == [net.layers[layer.index - 1]] for layer in net.receiving_layers)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(graphs(), st.sampled_from(["sgd", "momentum", "adam"]),
       st.sampled_from(["object", "vectorized"]), st.integers(0, 100))
def test_any_graph_saves_and_loads_bit_for_bit(tmp_path, description, optimizer, engine, seed):
    layers, clamp = description
    net = Network(layers, bias_clamp=clamp)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (9, net.input_layer.size))
    Y = rng.uniform(0, 1, (9, net.output_layer.size))
    made = {"sgd": SGD(0.3), "momentum": SGD(0.3, momentum=0.9), "adam": Adam(0.05)}[optimizer]
    net.fit(X, Y, epochs=1, batch_size=4, optimizer=made, engine=engine, seed=seed,
            progress=False)
    path = tmp_path / "graph.json"
    save(net, path)
    version = json.loads(path.read_text())["version"]
    assert (version <= 3) == reads_only_previous(net)
    loaded = load(path)
    assert_same_graph(net, loaded)
    # the slots came back too: one more epoch goes the same way
    for each in (net, loaded):
        each.fit(X, Y, epochs=1, batch_size=4, engine=engine, seed=seed + 1, progress=False)
    assert_same_graph(net, loaded)


def test_connect_all_round_trips_as_version_4(tmp_path):
    net = Network.layered([4, 3, 2, 2], connect="all", seed=0)
    path = tmp_path / "all.json"
    save(net, path)
    document = json.loads(path.read_text())
    assert document["version"] == 4
    assert "connections" in document["layers"][1]  # it reads only the layer before
    assert [block["from"] for block in document["layers"][3]["inputs"]] == [0, 1, 2]
    assert_same_graph(net, load(path))


def test_a_chain_network_is_written_as_before(tmp_path):
    net = Network.layered([4, 3, 2], seed=0)
    save(net, tmp_path / "chain.json")
    assert json.loads((tmp_path / "chain.json").read_text())["version"] == 1
    assert model_io.version_of(net) == 1


def branches():
    from neurograph.convolution import ConvolutionLayer, MaxPoolingLayer

    inputs = InputLayer(shape=(6, 6))
    left = ConvolutionLayer(inputs, 2, kernel_size=3, learn=True, seed=0)
    right = ConvolutionLayer(inputs, 1, kernel_size=5, learn=True, seed=1)
    pooled = MaxPoolingLayer(left, 2)
    left.receive_from(inputs)
    right.receive_from(inputs)
    pooled.receive_from(left)
    out = OutputLayer(3, "softmax")
    pooled.fully_connect_to(out, seed=2)
    right.fully_connect_to(out, seed=3)
    inputs.fully_connect_to(out, seed=4)
    return Network([inputs, left, right, pooled, out], cost="cross_entropy", bias_clamp=None)


def test_parallel_convolution_branches_round_trip_with_adam(tmp_path):
    net = branches()
    rng = np.random.default_rng(1)
    X, labels = rng.uniform(0, 1, (8, 36)), rng.integers(0, 3, 8)
    net.fit(X, np.eye(3)[labels], epochs=1, batch_size=4, optimizer=Adam(0.01), seed=0,
            progress=False)
    path = tmp_path / "branches.json"
    save(net, path)
    document = json.loads(path.read_text())
    assert document["version"] == 4
    assert "from" not in document["layers"][1] and document["layers"][2]["from"] == 0
    assert document["layers"][3]["from"] == 1
    assert [block["from"] for block in document["layers"][4]["inputs"]] == [3, 2, 0]
    assert "weight_m" in document["layers"][4]["inputs"][0] and "bias_m" in document["layers"][4]
    assert_same_graph(net, load(path))


def test_a_hidden_layers_shape_is_kept(tmp_path):
    inputs, hidden, out = InputLayer(4), HiddenLayer(6, "relu", shape=(2, 3)), OutputLayer(1)
    inputs.fully_connect_to(hidden, seed=0)
    hidden.fully_connect_to(out, seed=1)
    net = Network([inputs, hidden, out])
    save(net, tmp_path / "shaped.json")
    document = json.loads((tmp_path / "shaped.json").read_text())
    assert document["version"] == 4 and document["layers"][1]["shape"] == [2, 3]
    assert load(tmp_path / "shaped.json").layers[1].shape == (2, 3)


def test_a_skip_connection_made_sparse_and_out_of_order_round_trips(tmp_path):
    inputs, hidden, out = InputLayer(3), HiddenLayer(2, "tanh"), OutputLayer(2)
    inputs[2].connect_to(hidden[1], 0.5)
    inputs[0].connect_to(out[1], -0.25)  # a skip connection before the hidden layer's
    inputs[0].connect_to(hidden[0], 0.75)
    hidden[1].connect_to(out[1], 1.5)
    hidden[0].connect_to(out[0], 2.0)
    inputs[1].connect_to(out[0], 0.125)
    net = Network([inputs, hidden, out])
    assert [s.index for s in out.sources] == [0, 1]
    save(net, tmp_path / "skip.json")
    block = json.loads((tmp_path / "skip.json").read_text())["layers"][2]["inputs"]
    assert block[0] == {"from": 0, "connections": [[0, 1], [1, 0]], "weights": [0.125, -0.25]}
    loaded = load(tmp_path / "skip.json")
    for la, lb in zip(net.receiving_layers, loaded.receiving_layers):
        assert lb.weights.tobytes() == la.weights.tobytes()
    # every receiver's inputs keep their order: out[1] reads input 0, then hidden 1
    assert ([(c.input_neuron.layer.index, c.input_neuron.index) for c in loaded.layers[2][1].inputs]
            == [(0, 0), (1, 1)])


def test_interleaved_inputs_are_saved_grouped_by_source(tmp_path):
    """Loading makes a layer's blocks one after another, so a receiver whose inputs
    interleave sources comes back with them grouped (the documented canonical order)."""
    inputs, hidden, out = InputLayer(2), HiddenLayer(1, "tanh"), OutputLayer(1)
    inputs.fully_connect_to(hidden, seed=0)
    inputs[0].connect_to(out[0], 0.5)
    hidden[0].connect_to(out[0], 0.25)
    inputs[1].connect_to(out[0], -0.5)
    net = Network([inputs, hidden, out])
    save(net, tmp_path / "interleaved.json")
    loaded = load(tmp_path / "interleaved.json")
    assert ([(c.input_neuron.layer.index, c.input_neuron.index) for c in loaded.layers[2][0].inputs]
            == [(0, 0), (0, 1), (1, 0)])
    np.testing.assert_allclose(loaded.predict([[0.3, -0.7]]), net.predict([[0.3, -0.7]]),
                               rtol=1e-15)


def all_document(tmp_path):
    net = Network.layered([3, 2, 2], connect="all", seed=0)
    net.fit(np.ones((2, 3)), np.zeros((2, 2)), epochs=1, batch_size=2, momentum=0.9, seed=0,
            progress=False)
    save(net, tmp_path / "ok.json")
    return json.loads((tmp_path / "ok.json").read_text())


OUT = ["layers", 2]
REJECTED = [
    ("from after", _set(OUT + ["inputs", 1, "from"], 2), r"inputs\[1\]\.from` must be the "
     r"index of an earlier layer, 0 to 1, got 2"),
    ("from negative", _set(OUT + ["inputs", 0, "from"], -1), "earlier layer, 0 to 1, got -1"),
    ("from not a number", _set(OUT + ["inputs", 0, "from"], "0"), "earlier layer"),
    ("from repeated", _set(OUT + ["inputs", 1, "from"], 0), r"inputs\[1\]\.from` repeats "
     "layer 0"),
    ("no inputs", _set(OUT + ["inputs"], []), "must be a non-empty list"),
    ("input without from", _delete(OUT + ["inputs", 0, "from"]), "lacks the field 'from'"),
    ("too few weights", _set(OUT + ["inputs", 1, "weights"], [0.5]),
     r"inputs\[1\]\.weights` must hold 4"),
    ("connection out of range", _set(OUT + ["inputs", 1, "connections"], [[0, 2]]),
     r"inputs\[1\]\.connections\[0\]` must join"),
    ("a slot without its bias slot", _delete(OUT + ["bias_velocity"]), "come together"),
    ("a slot without its weight slot", _delete(OUT + ["inputs", 0, "weight_velocity"]),
     "come together"),
    ("inputs and connections", _set(OUT + ["connections"], "full"), "unknown field"),
]


@pytest.mark.parametrize("mutate, message", [case[1:] for case in REJECTED],
                         ids=[case[0] for case in REJECTED])
def test_a_damaged_graph_file_is_refused(tmp_path, mutate, message):
    document = all_document(tmp_path)
    mutate(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message) as error:
        load(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_inputs_are_refused_in_a_version_3_file(tmp_path):
    document = all_document(tmp_path)
    document["version"] = 3
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="lacks the field 'connections'"):
        load(path)


def test_the_size_limit_counts_every_input(tmp_path):
    document = all_document(tmp_path)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document))
    with neurograph.limits(layer_parameters=10):  # out: 2 x (3 + 2) + 2 = 12
        with pytest.raises(ModelFileError, match="declares 2 neurons reading 5 inputs: 12 "
                           "parameters"):
            load(path)


def test_a_convolution_reading_a_missing_layer_is_refused(tmp_path):
    save(branches(), tmp_path / "ok.json")
    document = json.loads((tmp_path / "ok.json").read_text())
    document["layers"][2]["from"] = 1  # the left convolution: 2 x 4 x 4 values, not 36
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="input_shape` 1 x 6 x 6 holds 36 values, but "
                       "layer 1, which it reads, has 32 neurons"):
        load(path)


@pytest.mark.parametrize("engine", ["vectorized", "object"])
def test_a_graph_checkpoint_resumes_bit_for_bit(tmp_path, engine):
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(-1, 1, (30, 3)), rng.uniform(0, 1, (30, 2))

    def fresh():
        return Network.layered([3, 4, 3, 2], connect="all", activation="tanh", seed=7)

    settings_ = dict(batch_size=7, seed=11, progress=False, engine=engine)
    whole = fresh()
    whole.fit(X, Y, epochs=4, momentum=0.9, learning_rate=0.2, **settings_)
    first, path = fresh(), tmp_path / "run.json"
    first.fit(X, Y, epochs=2, momentum=0.9, learning_rate=0.2, checkpoint=path, **settings_)
    assert json.loads(path.read_text())["version"] == 4
    second, (_, training) = fresh(), load_checkpoint(path)
    assert training["epoch"] == 3
    second.fit(X, Y, epochs=4, momentum=0.9, learning_rate=0.2, resume=path, **settings_)
    assert_same_graph(whole, second)


def test_a_source_block_without_connections_keeps_its_place(tmp_path):
    net = Network.layered([3, 2, 2], connect="all", seed=0)
    save(net, tmp_path / "ok.json")
    document = json.loads((tmp_path / "ok.json").read_text())
    document["layers"][2]["inputs"][0].update(connections=[], weights=[])
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(document))
    out = load(path).output_layer
    assert [s.index for s in out.sources] == [0, 1] and out.offsets == [0, 3]
    assert not out.block_mask(out.sources[0]).any()
    assert out.block(out.sources[1]).tobytes() == net.output_layer.block(
        net.layers[1]).tobytes()
