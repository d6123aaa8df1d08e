"""ONNX out (issue 17, point 3): onnxruntime computes what ``predict`` does, within 1e-5, for
every layer kind and activation, the post's four networks, and trained MNIST networks; the
file passes ``onnx.checker`` (full check), its nodes and tensors carry the layers' names, it
is written atomically, and what cannot be written is refused in one line, writing nothing."""
import re

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="onnx is not installed (pip install "
                                          "'neurograph[onnx]'): ONNX export cannot be tested")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (pip install "
                                                "'neurograph[onnx]'): ONNX files cannot be run")

import neurograph  # noqa: E402
from neurograph import ACTIVATIONS, HiddenLayer, InputLayer, Network, OutputLayer  # noqa: E402
from neurograph.cli.main import main  # noqa: E402
from neurograph.convolution import (AveragePoolingLayer, ConvolutionLayer,  # noqa: E402
                                    average_pooling, convolution, max_pooling)
from neurograph.core.activations import Activation  # noqa: E402
from neurograph.core.layers import ReceivingLayer  # noqa: E402
from neurograph.io import onnx_export  # noqa: E402
from neurograph.io.onnx_export import ONNX_ACTIVATIONS, to_onnx_model  # noqa: E402
from neurograph.layers import dropout  # noqa: E402
from neurograph.layers.dropout import DropoutLayer  # noqa: E402
from neurograph.layers.kinds import LAYER_KINDS  # noqa: E402
from neurograph.post import post_network  # noqa: E402
from test_cli import assert_one_line_error, run  # noqa: E402
from test_web_engine import sparse_network, static_network  # noqa: E402

TOLERANCE = 1e-5


def run_onnx(model, X: np.ndarray) -> np.ndarray:
    """What onnxruntime computes for ``X`` with ``model`` (a ModelProto or a file)."""
    source = model if isinstance(model, str) else model.SerializeToString()
    session = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": np.asarray(X, dtype=np.float32)})[0]


def convolution_with_a_skip() -> Network:
    """Three input channels, a learned 5 x 5 convolution (stride 2, padding 2), and an output
    that reads the maps and, past them, the image itself."""
    inputs = InputLayer(shape=(3, 7, 7))
    conv = ConvolutionLayer(inputs, 4, kernel_size=5, stride=2, padding=2, learn=True,
                            activation="leaky_relu", seed=3)
    out = OutputLayer(5, "softmax")
    rng = np.random.default_rng(3)
    conv.fully_connect_to(out, rng.normal(0, 0.3, (5, conv.size)))
    inputs.fully_connect_to(out, rng.normal(0, 0.1, (5, inputs.size)))
    conv.biases[:] = rng.normal(0, 0.1, conv.biases.shape)
    return Network([inputs, conv, out], cost="cross_entropy")


def dense_dropout() -> Network:
    """Dropout between two dense layers (outside training it passes its input on)."""
    inputs, hidden, drop, out = (InputLayer(5), HiddenLayer(6, "relu"),
                                 DropoutLayer(6, 0.5, seed=1), OutputLayer(2, "tanh"))
    rng = np.random.default_rng(1)
    inputs.fully_connect_to(hidden, rng.normal(0, 1, (6, 5)))
    drop.fully_connect_to(out, rng.normal(0, 1, (2, 6)))
    return Network([inputs, hidden, drop, out])


NETWORKS = {
    "post attempt 1": lambda: post_network(1, seed=0),
    "post attempt 2": lambda: post_network(2, seed=0),
    "post attempt 3 (every layer to every later one)": lambda: post_network(3, seed=0),
    "post attempt 4 (static windows, four sources)": lambda: post_network(4, seed=0),
    "dense, float32": lambda: Network.layered([5, 4, 3], dtype="float32", seed=8),
    "skip connections": lambda: Network.layered([4, 5, 3, 2], connect="all", seed=0),
    "sparse, two sources": sparse_network,
    "static neurons": static_network,
    "fixed convolution + max pooling": lambda: Network.convolutional(
        (28, 28), [convolution(), max_pooling(2)], [32, 10], seed=0),
    "learned convolution, stride 2, padding 1, average pooling": lambda: Network.convolutional(
        (12, 12), [convolution(4, kernel_size=3, stride=2, padding=1, learn=True,
                               activation="tanh", seed=1), average_pooling(2)],
        [7, 3], activation="sigmoid", seed=1),
    "two convolutions (channels), max pooling stride 1, average pooling 3": lambda:
        Network.convolutional((10, 10), [convolution(3, learn=True, seed=2),
                                         convolution(2, learn=True, seed=3),
                                         max_pooling(2, stride=1), average_pooling(3)],
                              [4], seed=2),
    "pooling that leaves an edge: max 2 on 7 x 7, average 3 on 5 x 5 (stride 2)": lambda:
        Network.convolutional((2, 9, 9), [convolution(3, kernel_size=3, learn=True, seed=5),
                                          max_pooling(2), average_pooling(3, stride=2)],
                              [3], seed=5),
    "convolution 5 x 5, stride 2, padding 2, three channels in, skip past it": convolution_with_a_skip,
    "dropout after pooling, float32": lambda: Network.convolutional(
        (6, 6), [convolution(2, kernel_size=3, learn=True, seed=4), max_pooling(2),
                 dropout(0.25, seed=0)], [3], seed=0, dtype="float32"),
    "dense dropout": dense_dropout,
}


def largest_difference(net: Network, n: int = 64, seed: int = 0) -> float:
    X = np.random.default_rng(seed).uniform(0, 1, (n, net.layers[0].size))
    got = run_onnx(to_onnx_model(net), X)
    expected = net.predict(X)
    assert got.shape == expected.shape
    assert np.ptp(expected, axis=0).max() > 1e-3  # the inputs matter: a test that can fail
    return float(np.max(np.abs(got - expected)))


@pytest.mark.parametrize("name", list(NETWORKS))
def test_onnxruntime_computes_what_predict_does(name):
    assert largest_difference(NETWORKS[name]()) < TOLERANCE


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_goes_to_onnx(name):
    hidden = "relu" if name == "softmax" else name  # softmax is for an output layer only
    net = Network.layered([5, 6, 4], activation=hidden, output_activation=name, seed=1)
    for layer in net.receiving_layers:  # z well away from 0 both ways
        layer.weights *= 3.0
    model = to_onnx_model(net)
    ops = {node.op_type for node in model.graph.node}
    op = ONNX_ACTIVATIONS[name][0]
    assert op is None or op in ops
    assert largest_difference(net) < TOLERANCE


def test_every_registered_activation_has_an_onnx_operator():
    assert set(ONNX_ACTIVATIONS) == set(ACTIVATIONS)


def test_the_catalogue_holds_every_operator_and_layer_kind():
    """The networks above exercise every layer kind and every operator the export writes."""
    ops, kinds, several = set(), set(), False
    for make in NETWORKS.values():
        net = make()
        kinds |= {type(layer).__name__ for layer in net.layers}
        several |= any(len(layer.sources) > 1 for layer in net.receiving_layers)
        ops |= {node.op_type for node in to_onnx_model(net).graph.node}
    assert {"Gemm", "Concat", "Reshape", "Conv", "MaxPool", "AveragePool", "Flatten",
            "Identity", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu"} <= ops
    assert {cls.__name__ for cls in LAYER_KINDS.values()} | {"DropoutLayer"} <= kinds
    assert several


def test_every_layer_kind_with_its_own_arithmetic_has_its_own_onnx_nodes():
    """A kind that computes ``z`` its own way (``forward_batch``) must say how in ONNX too: a
    kind that inherited the dense Gemm would export the wrong network."""
    for cls in [*LAYER_KINDS.values(), DropoutLayer]:
        if not issubclass(cls, ReceivingLayer):
            continue
        computes = next(c for c in cls.__mro__ if "forward_batch" in vars(c))
        exports = next(c for c in cls.__mro__ if "onnx_nodes" in vars(c))
        assert issubclass(exports, computes), cls.__name__


@pytest.mark.parametrize("name", [name for name in NETWORKS if "post" not in name])
def test_the_model_passes_the_full_check_and_runs_any_batch(name):
    net = NETWORKS[name]()
    model = to_onnx_model(net)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == neurograph.io.onnx_support.OPSET
    (graph_input,) = model.graph.input
    dims = graph_input.type.tensor_type.shape.dim
    assert graph_input.name == "input" and dims[0].dim_param == "batch"
    assert dims[1].dim_value == net.layers[0].size
    assert graph_input.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    X = np.random.default_rng(1).uniform(0, 1, (7, net.layers[0].size))
    whole = run_onnx(model, X)
    one = run_onnx(model, X[3:4])
    assert whole.shape == (7, net.layers[-1].size)
    assert np.max(np.abs(one[0] - whole[3])) < 1e-6


def test_nodes_and_tensors_carry_the_layers_names():
    net = NETWORKS["convolution 5 x 5, stride 2, padding 2, three channels in, skip past it"]()
    net.output_labels = list("abcde")
    model = to_onnx_model(net)
    graph = model.graph
    names = [node.name for node in graph.node]
    assert names == ["layer1_convolution_image", "layer1_convolution_maps", "layer1_convolution_z",
                     "layer1_convolution_a", "layer2_output_inputs", "layer2_output_z",
                     "layer2_output_a"]
    assert [node.op_type for node in graph.node] == ["Reshape", "Conv", "Flatten", "LeakyRelu",
                                                     "Concat", "Gemm", "Softmax"]
    assert all(node.doc_string for node in graph.node)
    assert {t.name for t in graph.initializer} == {
        "layer1_convolution_image_shape", "layer1_convolution_kernels",
        "layer1_convolution_biases", "layer2_output_weights", "layer2_output_biases"}
    assert all(t.doc_string for t in graph.initializer)
    assert graph.output[0].name == "output" and "a, b, c, d, e" in graph.output[0].doc_string
    assert "3 x 7 x 7 image" in graph.input[0].doc_string
    assert dict((p.key, p.value) for p in model.metadata_props)["output_labels"] == \
        '["a", "b", "c", "d", "e"]'
    concat = graph.node[4]
    assert list(concat.input) == ["layer1_convolution_a", "input"]  # the columns' order
    kernels = next(t for t in graph.initializer if t.name == "layer1_convolution_kernels")
    assert np.array_equal(onnx.numpy_helper.to_array(kernels),
                          net.layers[1].kernels.astype(np.float32))


def test_a_sparse_layer_exports_zeros_where_there_is_no_connection():
    net = sparse_network()
    net.layers[1].weights[~net.layers[1].mask] = 5.0  # never read by neurograph
    model = to_onnx_model(net)
    weights = next(onnx.numpy_helper.to_array(t) for t in model.graph.initializer
                   if t.name == "layer1_hidden_weights")
    mask = net.layers[1].mask
    assert np.all(weights[~mask] == 0) and np.array_equal(
        weights[mask], net.layers[1].weights[mask].astype(np.float32))
    assert "sparse" in model.graph.node[0].doc_string


def mnist_data():
    from conftest import MNIST_FOLDER
    from neurograph.io.datasets import _load_sample, load_mnist

    return load_mnist(MNIST_FOLDER, quiet=True) if MNIST_FOLDER.is_dir() else _load_sample()


@pytest.fixture(scope="module")
def mnist():
    data = mnist_data()
    X, Y = data.training_set(dtype="float32", limit=2000)
    X_test, Y_test = data.test_set(dtype="float32", limit=1000)
    return X, Y, X_test, Y_test


@pytest.mark.parametrize("kind", ["dense 784-128-10", "convolution + max pooling"])
def test_a_trained_mnist_network_reads_1000_test_images_as_predict_does(mnist, kind,
                                                                        tmp_path):
    X, Y, X_test, Y_test = mnist
    if kind.startswith("dense"):
        net = Network.layered([784, 128, 10], activation="relu", output_activation="softmax",
                              cost="cross_entropy", dtype="float32", seed=0)
    else:
        net = Network.convolutional((28, 28), [convolution(8, kernel_size=5, learn=True,
                                                           seed=0), max_pooling(2)],
                                    [10], dtype="float32", seed=0)
    net.fit(X, Y, epochs=1, batch_size=32, learning_rate=0.1, seed=0, progress=False)
    expected = net.predict(X_test)
    assert (expected.argmax(axis=1) == Y_test.argmax(axis=1)).mean() > 0.7  # it was trained
    net.to_onnx(tmp_path / "mnist.onnx")
    got = run_onnx(str(tmp_path / "mnist.onnx"), X_test)
    assert got.shape == (1000, 10)
    assert np.max(np.abs(got - expected)) < TOLERANCE
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).mean() > 0.999


# -- refusals: one line naming the problem, nothing written ------------------------------------


def custom_network() -> Network:
    square = Activation("square", lambda z: z * z, lambda z: 2 * z, "z^2")
    return Network([InputLayer(2), HiddenLayer(3, square), OutputLayer(1)])


def refused_networks():
    nan = Network.layered([2, 3, 1], seed=0)
    nan.layers[2].weights[0, 1] = np.nan
    huge = Network.layered([2, 3, 1], seed=0)
    huge.layers[1].biases[2] = 1e300
    average = Network.convolutional((4, 4), [average_pooling(2)], [2], seed=0)
    average.layers[1].weights[0] = 0.5
    return [(custom_network(), "layer 1 (hidden) has the activation 'square'"),
            (nan, "layer2_output: its weights hold NaN"),
            (huge, "layer1_hidden: its biases do not fit float32"),
            (average, "its weight must be 1/4")]


@pytest.mark.parametrize("case", range(4))
def test_what_cannot_be_written_is_refused_and_the_old_file_kept(case, tmp_path):
    net, message = refused_networks()[case]
    path = tmp_path / "model.onnx"
    path.write_bytes(b"the old file")
    with pytest.raises(ValueError, match=re.escape(message)):
        net.to_onnx(path)
    assert path.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]  # no temporary left


def test_not_a_network_is_refused():
    with pytest.raises(TypeError, match="`network` must be a Network, got list"):
        to_onnx_model([1, 2])


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def model_file(tmp_path):
    net = NETWORKS["learned convolution, stride 2, padding 1, average pooling"]()
    path = tmp_path / "model.json"
    net.save(path)
    return path


def test_export_writes_the_file_and_refuses_to_replace_it_without_force(capsys, tmp_path,
                                                                        model_file):
    target = tmp_path / "out.onnx"
    code, out, err = run(capsys, "export", model_file, target)
    assert (code, err) == (0, "")
    assert str(target) in out and "opset 17" in out
    assert f"({target.stat().st_size:,} bytes)" in out  # a small file is not "0.00 MB"
    net = neurograph.load(model_file)
    X = np.random.default_rng(2).uniform(0, 1, (10, 144))
    assert np.max(np.abs(run_onnx(str(target), X) - net.predict(X))) < TOLERANCE
    target.write_bytes(b"mine")
    code, out, err = run(capsys, "export", model_file, target)
    assert code == 1 and out == ""
    assert_one_line_error(err, str(target), "exists", "--force")
    assert target.read_bytes() == b"mine"
    code, out, err = run(capsys, "export", model_file, target, "--force")
    assert code == 0 and target.read_bytes() != b"mine"
    onnx.checker.check_model(str(target), full_check=True)


def test_export_answers_bad_input_in_one_line(capsys, tmp_path, model_file):
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    cases = [(["export", tmp_path / "missing.json", tmp_path / "a.onnx"], 1, "missing.json"),
             (["export", text, tmp_path / "a.onnx"], 1, "notes.txt"),
             (["export", model_file, tmp_path], 1, "must be a file"),
             (["export", model_file, tmp_path / "nowhere" / "a.onnx"], 1, "nowhere"),
             (["export", model_file], 2, "OUT")]
    for argv, expected, needle in cases:
        code, out, err = run(capsys, *argv)
        assert code == expected, (argv, err)
        assert_one_line_error(err, needle)
    assert not (tmp_path / "a.onnx").exists()


def test_export_without_onnx_says_how_to_install_it(capsys, tmp_path, model_file,
                                                    monkeypatch):
    def missing(name="onnx"):
        raise ImportError(f"{name} is needed for ONNX files but is not installed: "
                          "pip install 'neurograph[onnx]'")

    monkeypatch.setattr(onnx_export, "require", missing)
    code, out, err = run(capsys, "export", model_file, tmp_path / "a.onnx")
    assert code == 1 and out == ""
    assert_one_line_error(err, "pip install 'neurograph[onnx]'")
    assert "unexpected" not in err and not (tmp_path / "a.onnx").exists()


def test_export_has_help(capsys):
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0 and out.startswith("usage: neurograph export")
    assert "--force" in out and "onnx" in out
    code, out, _ = run(capsys, "--help")
    assert "export" in out
