"""The web page's engine (neurograph/web/engine.js) run under node against neurograph itself:
forward propagation equals ``network.predict`` for every layer kind, the page's preparation
equals ``preprocess_digit``, and a neuron's explained arithmetic is the network's."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer
from neurograph.convolution import average_pooling, convolution, max_pooling
from neurograph.digits import preprocess_digit
from neurograph.layers import dropout
from neurograph.post import post_network
from neurograph.web import network_spec

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the page's "
                                "JavaScript engine cannot be run outside a browser")
ENGINE = Path(__file__).resolve().parents[1] / "neurograph" / "web" / "engine.js"

# Reads a job (JSON) and prints what the engine makes of it: the outputs of every input, the
# inputs prepared from every canvas, and the explanation of every neuron asked for.
RUNNER = """
const ng = require(process.argv[2]);
const job = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
const out = {};
if (job.spec) {
  const net = ng.load(job.spec);
  out.outputs = (job.inputs || []).map(x => Array.from(ng.predict(x, net)));
  out.layers = (job.all_layers || []).map(x => ng.forward(net, x).map(a => Array.from(a)));
  out.explained = (job.explain || []).map(e => {
    const acts = ng.forward(net, e.input);
    return ng.explain(net, acts, e.layer, e.index, e.max_terms);
  });
}
out.prepared = (job.canvases || []).map(c => Array.from(ng.preprocess(c.values, c.width,
                                                                      c.height)));
process.stdout.write(JSON.stringify(out));
"""


def run_engine(tmp_path: Path, job: dict) -> dict:
    """Run the page's engine under node on ``job`` (see RUNNER) and return its answer."""
    runner, job_file = tmp_path / "runner.js", tmp_path / "job.json"
    runner.write_text(RUNNER)
    job_file.write_text(json.dumps(job))
    done = subprocess.run([NODE, str(runner), str(ENGINE), str(job_file)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def mnist_network(**options) -> Network:
    """The default MNIST model's shape (as ``neurograph train-mnist`` makes it)."""
    return Network.layered([784, 128, 10], activation="relu", output_activation="softmax",
                           cost="cross_entropy", dtype="float32", **options)


def sparse_network() -> Network:
    """Sparse blocks from two sources: each hidden and output neuron reads a few neurons of
    the layer before, and the output also a few inputs (a masked skip block)."""
    inputs, hidden, out = InputLayer(6), HiddenLayer(5, "tanh"), OutputLayer(3, "identity")
    rng = np.random.default_rng(0)
    for sender, receiver in ((inputs, hidden), (hidden, out), (inputs, out)):
        for j, neuron in enumerate(receiver):
            for i in sorted({j % sender.size, int(rng.integers(sender.size))}):
                sender[i].connect_to(neuron, weight=float(rng.uniform(-1, 1)))
    for layer in (hidden, out):
        layer.biases[:] = rng.uniform(-0.5, 0.5, layer.size)
    return Network([inputs, hidden, out], bias_clamp=None)


def static_network() -> Network:
    inputs, hidden, out = InputLayer(3), HiddenLayer(4, "sigmoid", static=[1, 3]), \
        OutputLayer(2, "sigmoid")
    rng = np.random.default_rng(6)
    inputs.fully_connect_to(hidden, rng.uniform(-1, 1, (4, 3)))
    hidden.fully_connect_to(out, rng.uniform(-1, 1, (2, 4)))
    return Network([inputs, hidden, out])


SMALL_NETWORKS = {
    "post 1": lambda: post_network(1),
    "post 2": lambda: post_network(2),
    "post 3": lambda: post_network(3),
    "post 4": lambda: post_network(4),
    "conv + max pooling": lambda: Network.convolutional(
        (28, 28), [convolution(), max_pooling(2)], [32, 10], seed=0),
    "learned conv, stride 2, padding 1, average pooling": lambda: Network.convolutional(
        (12, 12), [convolution(4, kernel_size=3, stride=2, padding=1, learn=True,
                               activation="tanh", seed=1), average_pooling(2)],
        [7, 3], activation="sigmoid", seed=1),
    "two conv layers, max pooling stride 1, average pooling 3": lambda: Network.convolutional(
        (10, 10), [convolution(3, learn=True, seed=2), convolution(2, learn=True, seed=3),
                   max_pooling(2, stride=1), average_pooling(3)], [4], seed=2),
    "dropout after pooling": lambda: Network.convolutional(
        (6, 6), [convolution(2, kernel_size=3, learn=True, seed=4), max_pooling(2),
                 dropout(0.25, seed=0)], [3], seed=0),
    "skip connections": lambda: Network.layered([4, 5, 3, 2], connect="all", seed=0),
    "tanh, identity out": lambda: Network.layered(
        [5, 4, 3, 2], activation="tanh", output_activation="identity", seed=4),
    "leaky relu, softmax out": lambda: Network.layered(
        [5, 6, 4], activation="leaky_relu", output_activation="softmax", seed=5),
    "sigmoid float32": lambda: Network.layered([5, 4, 3], dtype="float32", seed=8),
    "sparse, two sources": sparse_network,
    "static neurons": static_network,
}


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    """Every small network's outputs and layers under node, one node run per network."""
    rng = np.random.default_rng(0)
    results = {}
    for name, make in SMALL_NETWORKS.items():
        net = make()
        X = rng.uniform(0, 1, (20, net.layers[0].size))
        answer = run_engine(tmp_path_factory.mktemp("engine"),
                            {"spec": network_spec(net), "inputs": X.tolist(),
                             "all_layers": X[:2].tolist()})
        results[name] = net, X, answer
    return results


@pytest.mark.parametrize("name", list(SMALL_NETWORKS))
def test_the_engine_computes_what_predict_does(small_results, name):
    net, X, answer = small_results[name]
    expected = net.predict(X)
    assert np.max(np.abs(np.array(answer["outputs"]) - expected)) < 1e-6


@pytest.mark.parametrize("name", list(SMALL_NETWORKS))
def test_every_layer_of_the_engine_is_the_vectorized_engines(small_results, name):
    from neurograph.engines.vectorized import forward

    net, X, answer = small_results[name]
    expected = forward(net, X[:2])
    assert len(answer["layers"][0]) == len(net.layers)
    for k, layer in enumerate(expected):
        got = np.array([sample[k] for sample in answer["layers"]])
        assert got.shape == layer.shape
        assert np.max(np.abs(got - layer)) < 1e-6, f"layer {k}"


def test_the_layer_kinds_are_all_exercised():
    """The small networks hold every op the page computes and every activation."""
    ops, activations = set(), set()
    for make in SMALL_NETWORKS.values():
        for layer in network_spec(make())["layers"][1:]:
            ops.add(layer["op"])
            activations.add(layer["activation"])
            if "mask" in layer:
                ops.add("masked")
            if "static" in layer:
                ops.add("static")
            if len(layer["sources"]) > 1:
                ops.add("several sources")
    assert ops == {"dense", "convolution", "average_pooling", "max_pooling", "identity",
                   "masked", "static", "several sources"}
    assert activations == {"sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"}


@pytest.fixture(scope="module")
def mnist_data():
    """The full MNIST set beside the project, or the bundled sample when it is absent."""
    from conftest import MNIST_FOLDER
    from neurograph.io.datasets import _load_sample, load_mnist

    return load_mnist(MNIST_FOLDER, quiet=True) if MNIST_FOLDER.is_dir() else _load_sample()


def test_the_default_mnist_network_reads_1000_test_images_as_predict_does(mnist_data, tmp_path):
    """The page computes in float64. On the float32 model, ``predict``'s own float32 rounding
    (about 2e-6 on these outputs) is larger than 1e-6, so the model is checked twice: loaded
    in float64 (the same weights exactly), the page equals ``predict`` within 1e-6; in float32
    the page is never further from ``predict`` than float32 rounding makes ``predict`` from
    the float64 answer (plus 1e-9), and it reads every image as ``predict`` does."""
    import neurograph

    net = mnist_network(seed=0)
    X, Y = mnist_data.training_set(dtype="float32", limit=3000)
    net.fit(X, Y, epochs=1, batch_size=32, learning_rate=0.1, seed=0, progress=False)
    X_test, Y_test = mnist_data.test_set(dtype="float32", limit=1000)
    expected = net.predict(X_test)
    assert (expected.argmax(axis=1) == Y_test.argmax(axis=1)).mean() > 0.7  # it was trained
    net.save(tmp_path / "m.json")
    wide = neurograph.load(tmp_path / "m.json", dtype="float64")
    assert wide.layers[1].weights.dtype == np.float64
    exact = wide.predict(X_test.astype(np.float64))
    answers = [run_engine(tmp_path, {"spec": network_spec(model), "inputs": X_test.tolist()})
               for model in (net, wide)]
    narrow_got, wide_got = (np.array(answer["outputs"]) for answer in answers)
    assert narrow_got.shape == wide_got.shape == (1000, 10)
    assert np.max(np.abs(wide_got - exact)) < 1e-6
    assert np.max(np.abs(narrow_got - exact)) < 1e-9  # float32 weights widened exactly
    assert np.all(np.abs(narrow_got - expected) <= np.abs(exact - expected) + 1e-9)
    assert (narrow_got.argmax(axis=1) == expected.argmax(axis=1)).all()


def strokes(rng, height: int, width: int, n: int = 3) -> np.ndarray:
    """A canvas with ``n`` random thick strokes, soft at the edges (values in [0, 1])."""
    canvas = np.zeros((height, width))
    rows, columns = np.mgrid[0:height, 0:width]
    radius = max(1.0, 0.04 * min(height, width))
    for _ in range(n):
        (y0, y1), (x0, x1) = rng.uniform(0, height, 2), rng.uniform(0, width, 2)
        for t in np.linspace(0, 1, 30):
            distance = np.hypot(rows - (y0 + t * (y1 - y0)), columns - (x0 + t * (x1 - x0)))
            canvas = np.maximum(canvas, np.clip(radius + 0.5 - distance, 0, 1))
    return canvas


def canvases() -> list:
    rng = np.random.default_rng(1)
    made = [strokes(rng, 280, 280) for _ in range(4)]
    made += [strokes(rng, h, w, n=2) for h, w in ((28, 28), (100, 60), (37, 211), (9, 5))]
    one_pixel = np.zeros((280, 280))
    one_pixel[100, 37] = 1.0
    corner = np.zeros((50, 80))
    corner[49, 79] = 0.4
    bar = np.zeros((280, 280))
    bar[40:240, 100:145] = 1.0  # preprocess_digit's own example
    mnist_like = np.zeros((28, 28))
    mnist_like[4:24, 10:18] = rng.uniform(0, 1, (20, 8))
    return made + [one_pixel, corner, bar, np.zeros((280, 280)), np.zeros((1, 1)), mnist_like]


def test_the_page_prepares_a_drawing_as_preprocess_digit_does(tmp_path):
    drawn = canvases()
    answer = run_engine(tmp_path, {"canvases": [
        {"values": c.ravel().tolist(), "width": c.shape[1], "height": c.shape[0]}
        for c in drawn]})
    for canvas, got in zip(drawn, answer["prepared"]):
        expected = preprocess_digit(canvas)
        assert len(got) == 784
        assert np.max(np.abs(np.array(got) - expected)) < 1e-6, canvas.shape
    assert sum(preprocess_digit(c).any() for c in drawn) == len(drawn) - 2  # two are empty


def test_the_page_prepares_mnist_images_as_preprocess_digit_does(mnist_data, tmp_path):
    images = mnist_data.test_images[:200] / 255.0
    answer = run_engine(tmp_path, {"canvases": [
        {"values": image.ravel().tolist(), "width": 28, "height": 28} for image in images]})
    expected = np.array([preprocess_digit(image) for image in images])
    assert np.max(np.abs(np.array(answer["prepared"]) - expected)) < 1e-6


EXPLAINED = {"mnist": lambda: mnist_network(seed=1), **{name: SMALL_NETWORKS[name] for name in (
    "conv + max pooling", "learned conv, stride 2, padding 1, average pooling",
    "skip connections", "sparse, two sources", "leaky relu, softmax out", "static neurons")}}


@pytest.mark.parametrize("name", list(EXPLAINED))
def test_explain_in_the_page_is_the_networks_arithmetic(name, tmp_path):
    """Each neuron asked for: its terms are its connections' weights and inputs (read from
    the object graph after ``propagate``), the largest |w a| first; z and a are the neuron's."""
    net = EXPLAINED[name]()
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, net.layers[0].size)
    asked = [(k, int(j)) for k in range(1, len(net.layers))
             for j in rng.choice(net.layers[k].size, min(3, net.layers[k].size), replace=False)]
    answer = run_engine(tmp_path, {"spec": network_spec(net), "explain": [
        {"input": x.tolist(), "layer": k, "index": j, "max_terms": 5} for k, j in asked]})
    net.propagate(x)
    for (k, j), got in zip(asked, answer["explained"]):
        neuron = net.layers[k][j]
        weights = {(c.input_neuron.layer.index, c.input_neuron.index): c.weight
                   for c in neuron.inputs}
        inputs = {(c.input_neuron.layer.index, c.input_neuron.index): c.input_activation
                  for c in neuron.inputs}
        assert (got["layer"], got["index"]) == (k, j)
        assert len(got["terms"]) == min(5, len(weights))
        assert got["omitted"] == len(weights) - len(got["terms"])
        products = [abs(t["product"]) for t in got["terms"]]
        assert products == sorted(products, reverse=True)
        smallest_shown = products[-1]
        for term in got["terms"]:
            key = (term["layer"], term["index"])
            assert term["weight"] == pytest.approx(weights[key], abs=1e-12)
            assert term["input"] == pytest.approx(inputs[key], abs=1e-9)
        others = [abs(weights[key] * inputs[key]) for key in weights
                  if key not in {(t["layer"], t["index"]) for t in got["terms"]}]
        assert all(p <= smallest_shown + 1e-12 for p in others)  # the largest were shown
        assert got["z"] == pytest.approx(neuron.z, abs=1e-9)
        assert got["activation"] == pytest.approx(neuron.activation, abs=1e-9)
        assert got["activationName"] == neuron.activation_function.name
        assert "\n  z = " in got["text"]
        assert got["text"].splitlines()[-1].startswith(f"  a = {got['activationName']}(")


def test_explain_text_is_explain_neurons_first_lines(tmp_path):
    """For a dense neuron the page writes what ``explain_neuron`` writes for the sample."""
    net = Network.layered([6, 4, 3], activation="tanh", output_activation="softmax", seed=3)
    x = np.random.default_rng(4).uniform(0, 1, 6)
    asked = [(1, 0), (1, 3), (2, 1)]
    answer = run_engine(tmp_path, {"spec": network_spec(net), "explain": [
        {"input": x.tolist(), "layer": k, "index": j, "max_terms": 4} for k, j in asked]})
    net.propagate(x)
    for (k, j), got in zip(asked, answer["explained"]):
        expected = str(net.layers[k][j].explain(max_terms=4)).splitlines()[:3]
        assert got["text"].splitlines() == expected
