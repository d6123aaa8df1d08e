"""Adversarial cases (issue 15): each bad input gets a clear answer, changes nothing, and memory
stays bounded."""
import gzip
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import neurograph
from neurograph import Network, load
from neurograph.convolution import convolution, max_pooling
from neurograph.datasets import DatasetError, read_idx
from neurograph.io import ModelFileError
from neurograph.training.loop import PREDICT_BYTES, predict_chunk_rows
from test_cli import assert_one_line_error as _one_line, run as _run

ROOT = Path(__file__).resolve().parents[1]


# -- sizes and reads (issue 15 points 2 and 3) ----------------------------------------------------


# Each of these grew to many GB (or until the OOM killer) before; now a ValueError naming the
# size asked for and the limit, raised before numpy or the neuron list allocates (a MemoryError,
# or a test that takes minutes, would be the old fault).
@pytest.mark.parametrize("build, asked", [
    (lambda: Network.layered([10 ** 9, 10 ** 9, 1]), "1,000,000,000 neurons"),
    (lambda: Network.layered([2, 10 ** 12, 1]), "1,000,000,000,000 neurons"),
    (lambda: Network.layered([784, 100_000, 10]), "78,500,000 parameters"),
    (lambda: Network.layered([4000, 4000, 10], connect="all"), "16,004,000 parameters"),
    (lambda: Network.convolutional((28, 28), [convolution(100_000, kernel_size=3)], [10]),
     "676,000,000 parameters"),
    (lambda: Network.convolutional((28, 28), [convolution(10 ** 9, kernel_size=3)], [10]),
     "9,000,000,000 parameters"),
    (lambda: Network.convolutional((28, 28), [convolution(16, kernel_size=3)], [100_000, 10]),
     "1,081,700,000 parameters"),
    (lambda: neurograph.HiddenLayer(10 ** 9), "1,000,000,000 neurons"),
])
def test_a_network_too_big_is_refused_before_allocating(build, asked):
    with pytest.raises(ValueError, match="more than the limit of 10,000,000") as caught:
        build()
    assert asked in str(caught.value)
    assert "neurograph.limits(layer_parameters=...)" in str(caught.value)


def test_fully_connecting_layers_too_big_is_refused_before_the_weights_exist():
    inputs, hidden = neurograph.InputLayer(5000), neurograph.HiddenLayer(5000)
    with pytest.raises(ValueError, match="25,005,000 parameters, more than the limit"):
        inputs.fully_connect_to(hidden)  # the default weights would be drawn first
    assert hidden.weights is None and hidden.sources == [] and inputs.receivers == []


def test_too_many_layers_are_refused_by_the_builders():
    with pytest.raises(ValueError, match="20,000 layers, more than the limit of 1,000"):
        Network.layered([1] * 20_000)
    with pytest.raises(ValueError, match="1,002 layers, more than the limit of 1,000"):
        Network.convolutional((8, 8), [], [1] * 1001)
    layers = [neurograph.InputLayer(1)] + [neurograph.HiddenLayer(1) for _ in range(3)]
    layers.append(neurograph.OutputLayer(1))
    with neurograph.limits(layers=4):
        with pytest.raises(ValueError, match="a network of 5 layers, more than the limit of 4"):
            Network(layers)
    assert all(layer.network is None for layer in layers)  # nothing was joined


def test_limits_can_be_raised_and_lowered_on_purpose_and_come_back():
    with neurograph.limits(layer_parameters=100) as in_force:
        assert in_force is neurograph.LIMITS and in_force.layer_parameters == 100
        with pytest.raises(ValueError, match="220 parameters, more than the limit of 100"):
            Network.layered([10, 20, 1])
    assert neurograph.LIMITS.layer_parameters == 10 ** 7
    with neurograph.limits(layers=20_001, layer_parameters=2 * 10 ** 7):
        assert Network.layered([1] * 2).sizes == (1, 1)  # still builds small ones
        with pytest.raises(ValueError, match=r"sizes\[1\]`: a layer of 10,000 neurons reading "
                                             "3,000 inputs would have 30,010,000"):
            Network.layered([3000, 10_000, 1])
    assert (neurograph.LIMITS.layers, neurograph.LIMITS.layer_parameters) == (1000, 10 ** 7)


@pytest.mark.parametrize("changes, error, message", [
    ({"layer_parameter": 5}, TypeError, "unknown limit 'layer_parameter'"),
    ({"layers": 0}, ValueError, "`layers` must be a positive integer, got 0"),
    ({"file_bytes": 1.5}, ValueError, "`file_bytes` must be a positive integer, got 1.5"),
    ({"layers": 5, "parameters": True}, ValueError, "`parameters` must be a positive integer"),
])
def test_bad_limits_are_refused_and_change_nothing(changes, error, message):
    before = repr(neurograph.LIMITS)
    with pytest.raises(error, match=message):
        with neurograph.limits(**changes):
            pass
    assert repr(neurograph.LIMITS) == before


@pytest.mark.parametrize("flags, needle", [
    (["--hidden", "100000"], "78,500,000 parameters, more than the limit of 10,000,000"),
    (["--front", "conv:100000x3"], "676,000,000 parameters, more than the limit of 10,000,000"),
])
def test_train_mnist_refuses_a_network_too_big_before_loading_data(capsys, tmp_path, flags,
                                                                   needle):
    code, out, err = _run(capsys, "train-mnist", "-o", tmp_path / "m.json", *flags)
    assert code == 2 and out == ""
    _one_line(err, needle)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "m.json"
    Network.layered([784, 4, 10], activation="relu", output_activation="softmax",
                    cost="cross_entropy", seed=0).save(path)
    return path


def test_a_20000_layer_file_is_refused_before_its_layers_are_read(model_file, tmp_path):
    document = json.loads(model_file.read_text())
    hidden = {"kind": "hidden", "size": 1}  # not even valid: the count is checked first
    document["layers"] = document["layers"][:1] + [hidden] * 19_998 + document["layers"][-1:]
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="`layers` holds 20,000 layers, more than the limit "
                                             "of 1,000"):
        load(path)
    post = {"inputLayerLength": 1, "otherLayers": [{}] * 20_000}
    (tmp_path / "post.json").write_text(json.dumps(post))
    with pytest.raises(ModelFileError, match="`otherLayers` holds 20,000 layers"):
        load(tmp_path / "post.json")


def test_device_files_are_refused_without_reading_them(capsys):
    with pytest.raises(ModelFileError, match="/dev/zero is a device, not a regular model file"):
        load("/dev/zero")
    with pytest.raises(DatasetError, match="/dev/zero is a device, not a regular IDX file"):
        read_idx("/dev/zero")
    code, out, err = _run(capsys, "info", "/dev/zero")
    assert code == 1 and out == ""
    _one_line(err, "/dev/zero is a device")


def test_a_folder_is_refused_as_a_model_file(tmp_path):
    with pytest.raises(ModelFileError, match="is a folder, not a regular model file"):
        load(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipes_are_refused_and_nothing_hangs(tmp_path, model_file):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # in a child process with a timeout: a hang fails the test instead of stalling the suite
    script = ("import sys, neurograph\n"
              "from neurograph.datasets import read_idx\n"
              "for read in (neurograph.load, read_idx):\n"
              "    try: read(sys.argv[1])\n"
              "    except ValueError as e: print(type(e).__name__, e)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [[sys.executable, "-c", script, str(fifo)],
            [sys.executable, "-m", "neurograph", "info", str(fifo)],
            [sys.executable, "-m", "neurograph", "predict", str(model_file), str(fifo)]]
    done = [subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
            for argv in runs]
    api, info, predict = done
    assert api.returncode == 0 and api.stdout.splitlines() == [
        f"ModelFileError {fifo} is a named pipe, not a regular model file",
        f"DatasetError {fifo} is a named pipe, not a regular IDX file"]
    for cli, what in ((info, "model file"), (predict, "image file")):
        assert cli.returncode == 1 and cli.stdout == ""
        assert cli.stderr == f"neurograph: error: {fifo} is a named pipe, not a regular {what}\n"


def test_a_model_file_over_the_limit_is_refused_before_it_is_read(tmp_path, model_file):
    big = tmp_path / "big.json"
    with open(big, "wb") as file:  # sparse: 600 MB on paper, nothing on disk
        file.truncate(600 * 2 ** 20)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="the model file is 629,145,600 bytes, more "
                                                 "than the limit of 268,435,456"):
            load(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 ** 6  # the old reader took about 6 times the file's size
    size = model_file.stat().st_size
    with neurograph.limits(file_bytes=size - 1):
        with pytest.raises(ModelFileError, match=f"{size:,} bytes, more than the limit of "
                                                 f"{size - 1:,}"):
            load(model_file)
    with neurograph.limits(file_bytes=size):
        assert load(model_file).sizes == (784, 4, 10)


def test_a_gzip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    header = b"\x00\x00\x08\x03" + (3000).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    path = tmp_path / "bomb.idx.gz"
    path.write_bytes(gzip.compress(header + bytes(3000 * 784)))
    assert path.stat().st_size < 10_000
    assert read_idx(path).shape == (3000, 28, 28)
    with neurograph.limits(file_bytes=10 ** 6):
        with pytest.raises(DatasetError, match="bomb.idx.gz: it decompresses to more than "
                                               "1,000,000 bytes"):
            read_idx(path)


def test_predict_streams_an_idx_file_in_chunks(capsys, tmp_path, model_file, monkeypatch):
    n = 25_000
    header = b"\x00\x00\x08\x03" + n.to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    path = tmp_path / "many.idx.gz"
    path.write_bytes(gzip.compress(header + bytes(n * 784)))
    seen = []
    predict = Network.predict

    def spy(self, X):
        seen.append(X.shape)
        return predict(self, X)

    monkeypatch.setattr(Network, "predict", spy)
    code, out, err = _run(capsys, "predict", model_file, path)
    assert code == 0 and err == ""
    assert len(out.splitlines()) == n and out.splitlines()[-1].startswith(f"{path}[{n - 1}]: ")
    rows = predict_chunk_rows(load(model_file))
    assert [shape[0] for shape in seen] == [rows, rows, n - 2 * rows]  # never 25,000 at once
    assert rows == 10_000


def test_predict_chunks_keep_the_readme_convolution_network_under_budget():
    # the README's learned network: 16 5x5 kernels, max pooling 2, 32 5x5, max pooling 2, 128
    net = Network.convolutional((28, 28), [convolution(16, kernel_size=5, learn=True),
                                           max_pooling(2),
                                           convolution(32, kernel_size=5, learn=True),
                                           max_pooling(2)], [128, 10], seed=0)
    rows = predict_chunk_rows(net)
    assert 1 <= rows < 10_000  # the old fixed chunk took 4.2 GB on 10,000 images
    X = np.random.default_rng(0).uniform(size=(rows + 5, 784))  # two chunks
    tracemalloc.start()
    try:
        outputs = net.predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outputs.shape == (rows + 5, 10)
    assert peak < PREDICT_BYTES <= 500 * 2 ** 20, peak
    # and the chunking changes nothing: one row at a time gives the same outputs
    from neurograph.training.loop import _predict
    np.testing.assert_allclose(_predict(net, X[:7], chunk=1), net.predict(X[:7]), rtol=1e-12)
