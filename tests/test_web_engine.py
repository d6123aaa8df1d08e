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
