"""The post's network-export.json: loading by hand-computed values, round trips, refusals."""
import copy
import json
import math

import numpy as np
import pytest

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, load
from neurograph.cli.main import main
from neurograph.convolution import average_pooling, convolution, max_pooling
from neurograph.io import ModelFileError, save
from neurograph.layers.dropout import dropout


def hand_written(old_names: bool = False, output: str = "NONE") -> dict:
    """2 inputs -> 2 RELU -> 1 output, which reads hidden #0, input #1 and hidden #1 (a skip
    connection), in that order."""
    neurons, source = ("nodes", "fromNode") if old_names else ("neurons", "fromNeuron")

    def inputs(*triples):
        return [{"fromLayer": l, source: i, "weight": w} for l, i, w in triples]

    return {"inputLayerLength": 2, "otherLayers": [
        {neurons: [{"bias": 0.25, "activationFunction": "RELU",
                    "inputs": inputs((0, 1, 2.0), (0, 0, -0.5))},
                   {"bias": -1.0, "activationFunction": "RELU", "inputs": inputs((0, 0, 0.5))}]},
        {neurons: [{"bias": 0.5, "activationFunction": output,
                    "inputs": inputs((1, 0, 2.0), (0, 1, -1.0), (1, 1, 3.0))}]}]}


def write(tmp_path, document, name="network-export.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


@pytest.mark.parametrize("old_names", [False, True])
def test_a_hand_written_file_predicts_what_the_post_computes(tmp_path, old_names):
    net = load(write(tmp_path, hand_written(old_names)))
    # x = (1, 0.5): hidden #0: relu(0.25 + 2 x 0.5 - 0.5 x 1) = 0.75; hidden #1: relu(-1 +
    # 0.5 x 1) = 0; output: 0.5 + 2 x 0.75 - 1 x 0.5 + 3 x 0 = 1.5 (every step exact)
    assert net.predict([[1.0, 0.5]]).tolist() == [[1.5]]
    assert net.propagate([1.0, 0.5]).tolist() == [1.5]
    assert net.hidden_layers[0].activations.tolist() == [0.75, 0.0]
    # x = (-2, 4): hidden #0: relu(0.25 + 8 + 1) = 9.25; #1: relu(-2) = 0; out: 0.5 + 18.5 - 4
    assert net.predict([[-2.0, 4.0]]).tolist() == [[15.0]]
    output = net.output_layer
    assert [(c.input_neuron.layer.index, c.input_neuron.index) for c in output[0].inputs] == \
        [(1, 0), (0, 1), (1, 1)]  # the file's order: the object engine sums in it
    assert [source.index for source in output.sources] == [1, 0]  # as they first appear
    assert net.sizes == (2, 2, 1)
    assert [layer.activation_function.name for layer in net.receiving_layers] == \
        ["relu", "identity"]
    assert net.cost_function.name == "quadratic" and net.bias_clamp == (-0.8, 0.8)
    assert all(layer.trainable.all() for layer in net.receiving_layers)


def test_a_sigmoid_output_is_the_logistic_of_the_sum(tmp_path):
    net = load(write(tmp_path, hand_written(output="SIGMOID")))
    assert net.predict([[1.0, 0.5]])[0, 0] == pytest.approx(1 / (1 + math.exp(-1.5)), rel=1e-15)


def assert_same_predictions(a: Network, b: Network, exact: bool = True) -> None:
    X = np.random.default_rng(0).uniform(-1, 1, (9, a.input_layer.size))
    if exact:
        assert b.predict(X).tobytes() == a.predict(X).tobytes()
        for x in X[:3]:
            assert b.propagate(x).tobytes() == a.propagate(x).tobytes()
    else:
        assert np.abs(b.predict(X) - a.predict(X)).max() < 1e-12
        assert np.abs(b.propagate(X[0]) - a.propagate(X[0])).max() < 1e-12


def test_skip_connections_round_trip_exactly(tmp_path):
    net = Network.layered([5, 4, 3, 2], activation="relu", output_activation="sigmoid",
                          connect="all", seed=3)
    path = tmp_path / "post.json"
    net.save(path, format="post")
    again = load(path)
    assert again.sizes == net.sizes
    for la, lb in zip(net.receiving_layers, again.receiving_layers):
        assert [s.index for s in lb.sources] == [s.index for s in la.sources]
        assert lb.weights.tobytes() == la.weights.tobytes()
        assert lb.biases.tobytes() == la.biases.tobytes()
        assert np.array_equal(lb.mask, la.mask)
        assert ([[(c.input_neuron.layer.index, c.input_neuron.index) for c in n.inputs]
                 for n in lb] == [[(c.input_neuron.layer.index, c.input_neuron.index)
                                   for c in n.inputs] for n in la])
    assert_same_predictions(net, again)
    assert json.loads(path.read_text())["inputLayerLength"] == 5


def test_sparse_connections_made_by_hand_round_trip_exactly(tmp_path):
    inputs, hidden, outputs = InputLayer(3), HiddenLayer(3, "identity", static=[1]), \
        OutputLayer(2, "relu")
    inputs[2].connect_to(hidden[0], 0.25)
    inputs[0].connect_to(hidden[0], -1.0)
    inputs[1].connect_to(hidden[1], 2.0)
    inputs[1].connect_to(hidden[2], 0.3)
    hidden[1].connect_to(outputs[1], 0.7)
    inputs[0].connect_to(outputs[1], -0.1)  # a skip connection after a hidden one
    hidden[0].connect_to(outputs[0], 1 / 3)
    hidden[2].connect_to(outputs[0], 0.9)
    net = Network([inputs, hidden, outputs])
    net.output_layer.biases[:] = [0.1, -0.2]
    path = tmp_path / "sparse.json"
    save(net, path, format="post")
    again = load(path)
    assert again.hidden_layers[0].trainable.all()  # the export has no static flag
    assert again.output_layer.n_connections == 4
    assert_same_predictions(net, again)


@pytest.mark.parametrize("window", [2, 3])
def test_convolution_and_average_pooling_are_written_as_connections(tmp_path, window):
    net = Network.convolutional((9, 9), [convolution(3, learn=True, padding=1),
                                         average_pooling(window)], [6, 3],
                                output_activation="sigmoid", cost="quadratic", seed=4)
    path = tmp_path / "conv.json"
    net.save(path, format="post")
    again = load(path)
    assert again.sizes == net.sizes
    convolution_layer, pooling = again.hidden_layers[:2]
    assert convolution_layer.n_connections == net.layers[1].n_connections
    assert pooling.activation_function.name == "identity" and not pooling.biases.any()
    assert set(pooling.weights[pooling.mask].tolist()) == {1 / window ** 2}
    assert_same_predictions(net, again, exact=False)


def test_dropout_is_written_as_identity_neurons(tmp_path):
    inputs, outputs = InputLayer(4), OutputLayer(2)
    drop = dropout(0.5, seed=0)(inputs)
    drop.fully_connect_to(outputs, seed=1)
    net = Network([inputs, drop, outputs])
    path = tmp_path / "dropout.json"
    net.save(path, format="post")
    neurons = json.loads(path.read_text())["otherLayers"][0]["neurons"]
    assert neurons[2] == {"bias": 0.0, "activationFunction": "NONE",
                          "inputs": [{"fromLayer": 0, "fromNeuron": 2, "weight": 1.0}]}
    assert_same_predictions(net, load(path))


@pytest.mark.parametrize("make, reason", [
    (lambda: Network.layered([3, 4, 2], output_activation="softmax", cost="cross_entropy",
                             seed=0), "'softmax' is not one the post's client evaluates"),
    (lambda: Network.layered([3, 4, 2], activation="tanh", seed=0), "'tanh'"),
    (lambda: Network.layered([3, 4, 2], activation="leaky_relu", seed=0), "'leaky_relu'"),
    (lambda: Network.convolutional((6, 6), [convolution(2), max_pooling(2)], [2],
                                   output_activation="sigmoid", seed=0),
     "max pooling's largest input"),
])
def test_what_the_posts_client_cannot_evaluate_is_refused(tmp_path, make, reason):
    path = tmp_path / "kept.json"
    path.write_text("old")
    with pytest.raises(ValueError, match="cannot be written in the post's format") as error:
        make().save(path, format="post")
    assert reason in str(error.value)
    assert path.read_text() == "old"


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="`format` must be 'neurograph' or 'post'"):
        Network.layered([2, 1], seed=0).save(tmp_path / "x.json", format="kotlin")


# -- damaged files -------------------------------------------------------------------------------


def edit(change):
    def edited():
        document = hand_written()
        change(document)
        return document
    return edited


def neuron(document, k=0, j=0):
    return document["otherLayers"][k]["neurons"][j]


def first_input(document):
    return neuron(document)["inputs"][0]


DAMAGED = [
    (lambda: "{", "the JSON ends too early"),
    (lambda: '{"inputLayerLength": 2, "otherLayers": [} ', "not valid JSON"),
    (lambda: json.dumps(hand_written()).replace("0.25", "NaN"), "NaN is not allowed"),
    (lambda: json.dumps(hand_written()).replace("0.25", "1e400"), "must be finite"),
    (edit(lambda d: d.pop("inputLayerLength")), "lacks the field 'inputLayerLength'"),
    (edit(lambda d: d.update(format="post")), "unknown field 'format'"),
    (edit(lambda d: d.update(inputLayerLength="2")), "`inputLayerLength` must be an integer"),
    (edit(lambda d: d.update(inputLayerLength=0)), "`inputLayerLength` must be in [1,"),
    (edit(lambda d: d.update(otherLayers=[])), "`otherLayers` must be a list of at least"),
    (edit(lambda d: d["otherLayers"][0].update(neurons=[])),
     "`otherLayers[0].neurons` must be a list of at least one neuron"),
    (edit(lambda d: d["otherLayers"][0].update(nodes=[])), "has both 'neurons' and 'nodes'"),
    (edit(lambda d: neuron(d).pop("bias")), "`otherLayers[0].neurons[0]` lacks the field 'bias'"),
    (edit(lambda d: neuron(d).update(static=True)), "unknown field 'static'"),
    (edit(lambda d: neuron(d).update(bias="0.25")),
     "`otherLayers[0].neurons[0].bias` must be a number, got '0.25'"),
    (edit(lambda d: neuron(d).update(bias=True)), "must be a number, got true"),
    (edit(lambda d: neuron(d).update(activationFunction="TANH")),
     "`otherLayers[0].neurons[0].activationFunction` must be one of NONE, RELU, SIGMOID"),
    (edit(lambda d: neuron(d, 0, 1).update(activationFunction="SIGMOID")),
     "is 'SIGMOID' but `otherLayers[0].neurons[0]` has 'RELU'"),
    (edit(lambda d: neuron(d).update(inputs={})), "`otherLayers[0].neurons[0].inputs` must be "
     "a list"),
    (edit(lambda d: first_input(d).pop("weight")), "lacks the field 'weight'"),
    (edit(lambda d: first_input(d).update(fromNode=1)), "has both 'fromNeuron' and 'fromNode'"),
    (edit(lambda d: first_input(d).update(fromLayer=1)),
     "`otherLayers[0].neurons[0].inputs[0].fromLayer` must be an earlier layer than this one "
     "(layer 1: 0 to 0), got 1"),
    (edit(lambda d: first_input(d).update(fromLayer=2)), "must be an earlier layer"),
    (edit(lambda d: first_input(d).update(fromLayer=-1)), "must be in [0, 0], got -1"),
    (edit(lambda d: first_input(d).update(fromLayer=0.0)), "must be an integer, got 0.0"),
    (edit(lambda d: first_input(d).update(fromNeuron=2)),
     "`otherLayers[0].neurons[0].inputs[0].fromNeuron` must be in [0, 1], got 2"),
    (edit(lambda d: neuron(d, 1, 0)["inputs"][0].update(fromNeuron=2)), "must be in [0, 1]"),
    (edit(lambda d: first_input(d).update(weight=None)), "must be a number, got null"),
    (edit(lambda d: neuron(d)["inputs"].append(copy.deepcopy(first_input(d)))),
     "`otherLayers[0].neurons[0].inputs[2]` repeats the input from layer 0, neuron 1 (already "
     "`otherLayers[0].neurons[0].inputs[0]`)"),
    (edit(lambda d: d["otherLayers"][1]["neurons"][0].update(inputs=[
        {"fromLayer": 0, "fromNeuron": 0, "weight": 1.0}])),
     "`otherLayers[0]` (layer 1) is read by no later layer"),
    (edit(lambda d: d.update(inputLayerLength=10 ** 8)), "must be in [1, 10,000,000]"),
    (edit(lambda d: d.update(inputLayerLength=10 ** 7)),
     "`otherLayers[0]` declares 20,000,002 parameters"),
]


@pytest.mark.parametrize("damage, message", DAMAGED)
def test_a_damaged_file_is_refused_in_one_line_naming_it(tmp_path, damage, message):
    path = write(tmp_path, damage())
    with pytest.raises(ModelFileError) as error:
        load(path)
    text = str(error.value)
    assert text.startswith(f"{path}: ") and "\n" not in text, text
    assert message in text, text


def test_float32_loading_refuses_what_float32_cannot_hold(tmp_path):
    path = write(tmp_path, json.dumps(hand_written()).replace("0.25", "1e300"))
    assert load(path).hidden_layers[0].biases[0] == 1e300
    with pytest.raises(ModelFileError, match="must be a finite float32 number, got 1e"):
        load(path, dtype="float32")
    assert load(write(tmp_path, hand_written()), dtype="float32").output_layer.dtype == \
        np.float32


# -- the command line ----------------------------------------------------------------------------


def chain(old_names: bool = False) -> dict:
    """The hand-written network without its skip connection (a chain, as every model-file
    version so far can hold)."""
    document = hand_written(old_names)
    del document["otherLayers"][1]["nodes" if old_names else "neurons"][0]["inputs"][1]
    return document


def test_convert_goes_both_ways(tmp_path, capsys):
    post = write(tmp_path, chain(old_names=True))
    native, back = tmp_path / "native.json", tmp_path / "back.json"
    assert main(["convert", str(post), str(native)]) == 0
    assert json.loads(native.read_text())["format"] == "neurograph-network"
    assert main(["convert", str(native), str(back), "--format", "post"]) == 0
    assert "written in the post format" in capsys.readouterr().out
    document = json.loads(back.read_text())
    assert document == chain()  # the new key names, the same numbers and order
    assert load(back).predict([[1.0, 0.5]]).tolist() == [[2.0]]  # 0.5 + 2 x 0.75 + 3 x 0


def test_convert_refuses_in_one_line(tmp_path, capsys):
    source = tmp_path / "softmax.json"
    Network.layered([2, 2], output_activation="softmax", cost="cross_entropy", seed=0).save(source)
    assert main(["convert", str(source), str(tmp_path / "out.json"), "--format", "post"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("neurograph: error: ") and err.count("\n") == 1
    assert "'softmax'" in err and not (tmp_path / "out.json").exists()


# -- random graphs against the post's own arithmetic ---------------------------------------------


def random_document(seed: int) -> dict:
    """A random feed-forward graph in the post's format: 2 to 4 layers after the input, each
    neuron reading a random subset of the earlier layers' neurons in a random order (every
    layer read by the next, so neurograph can hold it)."""
    rng = np.random.default_rng(seed)
    sizes = [int(rng.integers(1, 6))]
    layers = []
    for k in range(int(rng.integers(2, 5))):
        activation = str(rng.choice(["SIGMOID", "RELU", "NONE"]))
        neurons = []
        for j in range(int(rng.integers(1, 5))):
            candidates = [(layer, i) for layer, size in enumerate(sizes) for i in range(size)]
            chosen = [candidates[c] for c in rng.permutation(len(candidates))
                      [:int(rng.integers(0, len(candidates) + 1))]]
            if j == 0 and (k, 0) not in chosen:
                chosen.append((k, 0))  # the layer before is read
            neurons.append({"bias": float(rng.uniform(-1, 1)), "activationFunction": activation,
                            "inputs": [{"fromLayer": layer, "fromNeuron": i,
                                        "weight": float(rng.uniform(-1, 1))}
                                       for layer, i in chosen]})
        layers.append({"neurons": neurons})
        sizes.append(len(neurons))
    return {"inputLayerLength": sizes[0], "otherLayers": layers}


def post_client(document: dict, x) -> list:
    """What the post's client computes: per neuron, the weighted sum of its inputs in the
    file's order, plus the bias, through the activation."""
    functions = {"SIGMOID": lambda z: 1 / (1 + math.exp(-z)), "RELU": lambda z: max(0.0, z),
                 "NONE": lambda z: z}
    activations = [list(x)]
    for layer in document["otherLayers"]:
        activations.append([functions[n["activationFunction"]](
            sum(i["weight"] * activations[i["fromLayer"]][i["fromNeuron"]] for i in n["inputs"])
            + n["bias"]) for n in layer["neurons"]])
    return activations[-1]


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_compute_what_the_posts_client_does_and_save_as_read(tmp_path, seed):
    document = random_document(seed)
    path = write(tmp_path, document)
    net = load(path)
    X = np.random.default_rng(seed).uniform(-1, 1, (5, document["inputLayerLength"]))
    expected = np.array([post_client(document, x) for x in X])
    # the same terms in the same order; the object engine adds the bias first, the post last,
    # so the two agree to rounding
    assert np.allclose(net.predict(X), expected, rtol=1e-13, atol=1e-14)
    assert np.allclose([net.propagate(x) for x in X], expected, rtol=1e-13, atol=1e-14)
    net.save(tmp_path / "again.json", format="post")
    assert json.loads((tmp_path / "again.json").read_text()) == document


def test_info_names_the_posts_format(tmp_path, capsys):
    path = write(tmp_path, hand_written())
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: the post's network-export format\n")
    assert "quadratic" in out


def test_a_weight_without_a_connection_is_refused(tmp_path):
    net = Network.layered([2, 2, 1], seed=0)
    net.hidden_layers[0].mask[0, 1] = False  # the weight stays: predict would still use it
    with pytest.raises(ValueError, match="non-zero weight where no connection exists"):
        net.save(tmp_path / "x.json", format="post")


def test_a_layer_without_inputs_reads_the_layer_before_with_no_connections(tmp_path):
    document = hand_written()
    document["otherLayers"].insert(1, {"neurons": [
        {"bias": 0.125, "activationFunction": "NONE", "inputs": []}]})
    document["otherLayers"][2]["neurons"][0]["inputs"].append(
        {"fromLayer": 2, "fromNeuron": 0, "weight": 2.0})
    net = load(write(tmp_path, document))
    empty = net.hidden_layers[1]
    assert empty.n_connections == 0 and [s.index for s in empty.sources] == [1]
    assert net.predict([[1.0, 0.5]]).tolist() == [[1.75]]  # 1.5 + 2 x 0.125
    net.save(tmp_path / "again.json", format="post")
    assert json.loads((tmp_path / "again.json").read_text()) == document


def test_parallel_static_layers_like_the_posts_export_round_trip_exactly(tmp_path):
    """The shape of the network the post exported (attempt 4): layers of static detectors,
    each reading a few inputs, all fully connected to the output. Loaded back, the detectors
    are trainable (the export has no static flag) and predict the same, bit for bit."""
    rng = np.random.default_rng(5)
    inputs, outputs = InputLayer(9), OutputLayer(3)
    detectors = [HiddenLayer(4, "relu", static=True) for _ in range(3)]
    for layer in detectors:
        for neuron in layer:
            for i in rng.permutation(9)[:4].tolist():
                inputs[i].connect_to(neuron, weight=float(rng.uniform(-1, 1)))
        layer.biases[:] = -0.25
        layer.fully_connect_to(outputs, seed=rng)
    net = Network([inputs, *detectors, outputs])
    path = tmp_path / "attempt4.json"
    net.save(path, format="post")
    again = load(path)
    assert [[s.index for s in layer.sources] for layer in again.receiving_layers] == \
        [[0], [0], [0], [1, 2, 3]]
    assert all(layer.trainable.all() for layer in again.receiving_layers)
    assert_same_predictions(net, again)
