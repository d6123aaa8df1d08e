"""The neurograph command, run in-process through main() (and once as python -m neurograph)."""
import gzip
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurograph import HiddenLayer, HiddenNeuron, InputLayer, Network, OutputLayer, load
from neurograph.cli.main import main
from neurograph.datasets import SAMPLE_FOLDER, read_idx

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["train-mnist", "info", "draw", "predict", "gradcheck", "convert"]


@pytest.fixture(scope="module")
def test_images():
    images = read_idx(SAMPLE_FOLDER / "t10k-images-idx3-ubyte.gz")[:20]
    labels = read_idx(SAMPLE_FOLDER / "t10k-labels-idx1-ubyte.gz")[:20]
    return images, labels


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A 784-16-10 network trained a little on the bundled sample, and its file."""
    images = read_idx(SAMPLE_FOLDER / "train-images-idx3-ubyte.gz")[:2000]
    labels = read_idx(SAMPLE_FOLDER / "train-labels-idx1-ubyte.gz")[:2000]
    X = images.reshape(len(images), -1).astype(np.float32) / 255
    Y = np.eye(10, dtype=np.float32)[labels]
    net = Network.layered([784, 16, 10], activation="relu", output_activation="softmax",
                          cost="cross_entropy", init="he", seed=0, dtype="float32")
    net.fit(X, Y, epochs=2, batch_size=32, learning_rate=0.05, momentum=0.9, seed=0,
            progress=False)
    path = tmp_path_factory.mktemp("model") / "small.json"
    net.save(path)
    return net, path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *needles: str) -> None:
    assert err.startswith("neurograph: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


# -- help --------------------------------------------------------------------------------------


def test_python_m_neurograph_help():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-m", "neurograph", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: neurograph")
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: neurograph {command}")


def test_no_command_or_an_unknown_one_is_a_usage_error(capsys):
    code, _, err = run(capsys)
    assert code == 2
    assert_one_line_error(err, "COMMAND")
    code, _, err = run(capsys, "fly")
    assert code == 2
    assert_one_line_error(err, "invalid choice: 'fly'")


# -- train-mnist -------------------------------------------------------------------------------


@pytest.fixture
def bundled_sample_only(monkeypatch, tmp_path):
    monkeypatch.delenv("NEUROGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))


def test_train_mnist_trains_and_saves_the_model(capsys, tmp_path, bundled_sample_only):
    path = tmp_path / "trained.json"
    code, out, err = run(capsys, "train-mnist", "--no-download", "--limit", "500", "--epochs",
                         "1", "--hidden", "16", "--quiet", "--output-activation", "softmax",
                         "-o", path)
    assert code == 0, err
    assert "bundled sample" in err and f"model written to {path}" in out
    net = load(path)
    assert net.sizes == (784, 16, 10) and net.output_layer.dtype == np.float32
    # the saved model is the one that was tested: it scores what the command printed
    test_X = read_idx(SAMPLE_FOLDER / "t10k-images-idx3-ubyte.gz").reshape(-1, 784)
    test_X = test_X.astype(np.float32) / 255
    labels = read_idx(SAMPLE_FOLDER / "t10k-labels-idx1-ubyte.gz")
    accuracy = float(np.mean(net.predict(test_X).argmax(axis=1) == labels))
    printed = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1)) / 100
    assert printed == pytest.approx(accuracy, abs=0.00005)
    assert accuracy > 0.3  # 500 images seen once; chance is 0.10


def test_train_mnist_trains_with_adam_and_the_model_keeps_it(capsys, tmp_path,
                                                             bundled_sample_only):
    path = tmp_path / "adam.json"
    code, out, err = run(capsys, "train-mnist", "--no-download", "--limit", "500", "--epochs",
                         "1", "--hidden", "16", "--quiet", "--optimizer", "adam",
                         "--learning-rate", "0.01", "-o", path)
    assert code == 0, err
    net = load(path)
    assert type(net.optimizer).__name__ == "Adam"
    assert net.optimizer.learning_rate == 0.01 and net.optimizer.steps == 16  # 500 / 32
    assert float(re.search(r"test accuracy: ([\d.]+)%", out).group(1)) > 30


@pytest.mark.parametrize("flags, message", [
    (["--optimizer", "adam", "--momentum", "0.5"], "--momentum is a setting of SGD, not of "
                                                   "'adam'"),
    (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
    (["--limit", "0"], "--limit must be a positive integer"),
    (["--bias-clamp", "-1"], "--bias-clamp must be positive"),
    (["--engine", "gpu"], "invalid choice: 'gpu'"),
    (["--epochs", "two"], "invalid int value: 'two'"),
    (["--output", "sigmoid"], "must end in .json, got 'sigmoid'"),
    (["--dpi", "0"], "--dpi must be an integer from 10 to 1200, got 0"),
])
def test_train_mnist_refuses_bad_flags_in_one_line(capsys, flags, message):
    code, out, err = run(capsys, "train-mnist", "--no-download", *flags)
    assert code == 2 and out == ""
    assert_one_line_error(err, message)


def test_train_mnist_checks_the_output_folder_before_training(capsys, tmp_path):
    missing = tmp_path / "nowhere" / "model.json"
    code, out, err = run(capsys, "train-mnist", "--no-download", "-o", missing)
    assert code == 1 and out == ""
    assert_one_line_error(err, str(missing), "does not exist")


# -- info --------------------------------------------------------------------------------------


def _field(out: str, name: str) -> str:
    return re.search(rf"^{name}: (.*)$", out, re.MULTILINE).group(1)


def test_info_reports_the_models_counts(capsys, trained):
    net, path = trained
    code, out, _ = run(capsys, "info", path)
    assert code == 0
    weights = sum(int(layer.mask.sum()) for layer in net.receiving_layers)
    biases = sum(layer.size for layer in net.receiving_layers)
    assert _field(out, "weights") == f"{weights:,}" == "12,704"
    assert _field(out, "biases") == f"{biases:,}" == "26"
    assert _field(out, "parameters") == f"{weights + biases:,}"
    assert _field(out, "cost") == "cross_entropy"
    assert _field(out, "bias clamp") == "[-0.8, 0.8]"
    assert _field(out, "dtype") == "float32"
    assert _field(out, "momentum velocities").startswith("saved")
    layer_lines = [line.split() for line in out.splitlines() if re.match(r"^\s+\d+\s", line)]
    assert [line[:3] for line in layer_lines] == [["0", "input", "784"], ["1", "hidden", "16"],
                                                  ["2", "output", "10"]]
    assert layer_lines[1][3] == "relu" and layer_lines[2][3] == "softmax"


def test_info_counts_static_neurons_and_sparse_layers(capsys, tmp_path):
    inputs, hidden, outputs = InputLayer(3), HiddenLayer(4, "tanh", static=[0, 2]), OutputLayer(2)
    inputs.fully_connect_to(hidden, seed=0)
    hidden[1].connect_to(outputs[0], 0.5)
    hidden[3].connect_to(outputs[1], -0.5)
    Network([inputs, hidden, outputs], bias_clamp=None).save(tmp_path / "sparse.json")
    code, out, _ = run(capsys, "info", tmp_path / "sparse.json")
    assert code == 0
    hidden_line = next(line for line in out.splitlines() if " hidden " in line)
    assert re.search(r"\b2 static\b", hidden_line) and "12 weights (dense)" in hidden_line
    output_line = next(line for line in out.splitlines() if " output " in line)
    assert "2 weights (of 8 possible)" in output_line
    assert _field(out, "weights") == "14" and _field(out, "parameters") == "20"
    assert _field(out, "bias clamp") == "none" and _field(out, "dtype") == "float64"
    assert _field(out, "momentum velocities") == "zero"


# -- draw --------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [[], ["--color-by", "activation", "--max-connections", "20"]])
def test_draw_writes_the_diagram(capsys, trained, tmp_path, options):
    _, path = trained
    picture = tmp_path / "net.png"
    code, out, err = run(capsys, "draw", path, "-o", picture, *options)
    assert code == 0, err
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert str(picture) in out


@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 64, 1], [784, 16, 10], [784, 128, 10]])
def test_the_drawn_diagram_holds_its_contents_at_the_size_written(capsys, tmp_path,
                                                                  monkeypatch, sizes):
    from PIL import Image

    from figure_checks import outside_figure, overlapping_texts
    import importlib

    cli_main = importlib.import_module("neurograph.cli.main")

    made = []
    real = cli_main.diagram_figure
    monkeypatch.setattr(cli_main, "diagram_figure",
                        lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    Network.layered(sizes, seed=0).save(tmp_path / "net.json")
    code, _, err = run(capsys, "draw", tmp_path / "net.json", "-o", tmp_path / "net.png",
                       "--dpi", "60")
    assert code == 0, err
    figure, = made
    width, height = figure.get_size_inches() * 60
    written = Image.open(tmp_path / "net.png").size
    assert abs(written[0] - width) <= 1 and abs(written[1] - height) <= 1
    figure.set_dpi(60)  # as it was written
    assert outside_figure(figure) == [] and overlapping_texts(figure) == []


def test_draw_and_the_training_plots_default_to_150_dpi():
    from neurograph.cli.main import _make_parser

    parser = _make_parser()
    assert parser.parse_args(["draw", "m.json", "-o", "m.png"]).dpi == 150
    assert parser.parse_args(["train-mnist"]).dpi == 150
    assert parser.parse_args(["train-mnist", "--dpi", "300"]).dpi == 300


def test_draw_refuses_bad_options_and_formats(capsys, trained, tmp_path):
    _, path = trained
    code, _, err = run(capsys, "draw", path, "-o", tmp_path / "x.png", "--color-by", "weight")
    assert code == 2
    assert_one_line_error(err, "invalid choice: 'weight'")
    code, _, err = run(capsys, "draw", path, "-o", tmp_path / "x.png", "--max-connections", "0")
    assert code == 2
    assert_one_line_error(err, "--max-connections", "positive integer")
    code, _, err = run(capsys, "draw", path, "-o", tmp_path / "net.xyz")
    assert code == 1
    assert_one_line_error(err, "xyz")
    code, _, err = run(capsys, "draw", path)
    assert code == 2
    assert_one_line_error(err, "-o/--output")


# -- predict -----------------------------------------------------------------------------------


def _write_png(path: Path, pixels: np.ndarray) -> Path:
    from PIL import Image

    Image.fromarray(pixels, mode="L").save(path)
    return path


def _write_idx(path: Path, images: np.ndarray, compress: bool = False) -> Path:
    header = struct.pack(">I", 0x00000800 | images.ndim) + struct.pack(
        f">{images.ndim}I", *images.shape)
    data = header + images.tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def _parse_predictions(out: str) -> list[tuple[str, int, float, str]]:
    rows = []
    for line in out.splitlines():
        name, digit, what, value, note = re.fullmatch(
            r"(.*): (\d) \((probability|activation) ([\d.]+)(?:; (.*))?\)", line).groups()
        rows.append((name, int(digit), float(value), note or ""))
    return rows


def test_predict_on_png_files_agrees_with_the_network(capsys, trained, test_images, tmp_path):
    net, path = trained
    images, labels = test_images
    files = [_write_png(tmp_path / f"digit{k}.png", images[k]) for k in range(6)]
    code, out, err = run(capsys, "predict", path, *files)
    assert code == 0, err
    expected = net.predict(images[:6].reshape(6, -1).astype(np.float32) / 255)
    rows = _parse_predictions(out)
    assert [r[0] for r in rows] == [str(f) for f in files]
    assert [r[1] for r in rows] == expected.argmax(axis=1).tolist()
    assert [r[2] for r in rows] == pytest.approx(expected.max(axis=1).tolist(), abs=5e-5)
    assert all(r[3] == "" for r in rows)
    assert np.mean(expected.argmax(axis=1) == labels[:6]) >= 0.5  # the model is no coin


def test_predict_inverts_dark_on_light_and_resizes(capsys, trained, test_images, tmp_path):
    net, path = trained
    images, _ = test_images
    inverted = _write_png(tmp_path / "paper.png", 255 - images[0])
    big = _write_png(tmp_path / "big.png", np.kron(images[1], np.ones((2, 2), dtype=np.uint8)))
    code, out, err = run(capsys, "predict", "--no-preprocess", path, inverted, big)
    assert code == 0, err
    (_, digit, _, note), (_, _, _, big_note) = _parse_predictions(out)
    expected = net.predict(images[:1].reshape(1, -1).astype(np.float32) / 255)
    assert digit == int(expected.argmax()) and note.startswith("inverted")
    assert big_note == "resized from 56 x 56"


@pytest.mark.parametrize("compress", [False, True])
def test_predict_on_an_idx_file_gives_a_line_per_image(capsys, trained, test_images, tmp_path,
                                                       compress):
    net, path = trained
    images, _ = test_images
    idx = _write_idx(tmp_path / "images.idx", images, compress)
    code, out, err = run(capsys, "predict", path, idx)
    assert code == 0, err
    rows = _parse_predictions(out)
    expected = net.predict(images.reshape(len(images), -1).astype(np.float32) / 255)
    assert [r[0] for r in rows] == [f"{idx}[{k}]" for k in range(len(images))]
    assert [r[1] for r in rows] == expected.argmax(axis=1).tolist()


def test_predict_refuses_unreadable_images_and_wrong_models(capsys, trained, tmp_path):
    _, path = trained
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    code, out, err = run(capsys, "predict", path, text)
    assert code == 1 and out == ""
    assert_one_line_error(err, str(text), "not an image")
    labels = _write_idx(tmp_path / "labels.idx", np.arange(5, dtype=np.uint8))
    code, _, err = run(capsys, "predict", path, labels)
    assert code == 1
    assert_one_line_error(err, str(labels), "n x height x width")
    code, _, err = run(capsys, "predict", path, tmp_path / "missing.png")
    assert code == 1
    assert_one_line_error(err, "missing.png", "No such file")
    Network.layered([4, 2], seed=0).save(tmp_path / "tiny.json")
    code, _, err = run(capsys, "predict", tmp_path / "tiny.json", text)
    assert code == 1
    assert_one_line_error(err, "tiny.json", "784 inputs, got 4")


# -- gradcheck ---------------------------------------------------------------------------------


def _worst(out: str) -> float:
    return float(re.search(r"^worst relative error: (\S+)", out, re.MULTILINE).group(1))


def test_gradcheck_passes_a_good_model(capsys, tmp_path):
    Network.layered([5, 4, 3], activation="tanh", output_activation="sigmoid",
                    cost="binary_cross_entropy", seed=0).save(tmp_path / "good.json")
    code, out, err = run(capsys, "gradcheck", tmp_path / "good.json", "--samples", "4")
    assert code == 0, err
    assert _worst(out) < 1e-6 and out.rstrip().endswith("ok: below the tolerance 1e-06")
    assert len(re.findall(r"^sample \d: ", out, re.MULTILINE)) == 4
    # 24 + 15 weights and biases, 4 hidden activations, per sample
    assert re.search(r"\(43 derivatives checked\)", out)


def test_gradcheck_checks_a_subset_of_a_big_model(capsys, trained):
    _, path = trained
    code, out, err = run(capsys, "gradcheck", path, "--samples", "2", "--max-parameters", "300",
                         "--seed", "3")
    assert code == 0, err
    assert _worst(out) < 1e-6
    assert len(re.findall(r"\(316 derivatives checked", out)) == 2  # 300 + 16 activations


def test_gradcheck_fails_the_posts_averaging_bug(capsys, tmp_path, monkeypatch):
    def averaged_train(self):  # the Kotlin post's dC/da: a mean, not a sum
        derivative = sum(c.weight * c.output_neuron.delta for c in self.outputs) / len(self.outputs)
        self.layer.record.derivatives_of_cost_by_activation[-1][self.index] = derivative
        self._add_sample(derivative)

    Network.layered([3, 4, 4], activation="sigmoid", seed=0).save(tmp_path / "m.json")
    monkeypatch.setattr(HiddenNeuron, "train", averaged_train)
    code, out, _ = run(capsys, "gradcheck", tmp_path / "m.json", "--samples", "1")
    assert code == 1
    assert _worst(out) == pytest.approx(0.75, abs=1e-6)  # a quarter of four outputs' sum
    assert "FAILED: above the tolerance 1e-06" in out


def test_gradient_check_can_check_a_random_subset():
    from neurograph import gradient_check

    net = Network.layered([6, 5, 4], activation="tanh", seed=2)
    x, y = np.linspace(0, 1, 6), np.linspace(0.2, 0.8, 4)
    everything = gradient_check(net, x, y)
    assert everything.n_checked == 50 + 9 + 5  # weights, biases, hidden activations
    assert gradient_check(net, x, y, max_parameters=59).n_checked == everything.n_checked
    before = [layer.weights.copy() for layer in net.receiving_layers]
    subsets = [gradient_check(net, x, y, max_parameters=10, seed=seed) for seed in (0, 0, 1)]
    assert [r.n_checked for r in subsets] == [15, 15, 15]  # 10 parameters, 5 activations
    assert repr(subsets[0]) == repr(subsets[1])  # seeded
    assert all(r.max_relative_error <= everything.max_relative_error < 1e-6 for r in subsets)
    assert all(np.array_equal(w, layer.weights) for w, layer in zip(before, net.receiving_layers))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="`max_parameters` must be a positive integer"):
            gradient_check(net, x, y, max_parameters=bad)


def test_gradcheck_refuses_bad_counts(capsys, trained):
    _, path = trained
    code, _, err = run(capsys, "gradcheck", path, "--samples", "0")
    assert code == 2
    assert_one_line_error(err, "--samples", "must be a positive integer, got 0")


# -- bad model files ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["info", "draw", "predict", "gradcheck"])
def test_a_bad_model_file_is_one_line_and_exit_1(capsys, tmp_path, command):
    extra = {"draw": ["-o", str(tmp_path / "x.png")], "predict": [str(tmp_path / "x.png")]}
    broken = tmp_path / "broken-model.json"
    broken.write_text('{"format": "neurograph-network", "version": 1, "layers": [')
    missing = tmp_path / "missing-model.json"
    picture = _write_png(tmp_path / "picture.png", np.zeros((28, 28), dtype=np.uint8))
    for model, needle in ((broken, "truncated"), (missing, "No such file or directory"),
                          (picture, "not UTF-8")):
        code, out, err = run(capsys, command, model, *extra.get(command, []))
        assert code == 1 and out == ""
        assert_one_line_error(err, str(model), needle)


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "--epochs must be a positive integer"),
    (["--learning-rate", "-1"], "--learning-rate must be a finite positive number"),
    (["--momentum", "1"], r"--momentum must be in \[0, 1\)"),
    (["--hidden", "0"], "--hidden sizes must be positive integers"),
    (["--activation", "softmax"], "for the output layer only"),
])
def test_train_mnist_refuses_bad_flags_before_loading_anything(flags, message, capsys,
                                                               monkeypatch):
    import neurograph.io.datasets as cli_module
    monkeypatch.setattr(cli_module, "load_mnist", lambda *a, **k: pytest.fail("data loaded"),
                        raising=False)
    assert main(["train-mnist", *flags]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err


def test_predict_refuses_a_model_without_ten_outputs(tmp_path, capsys):
    path = tmp_path / "three.json"
    Network.layered([784, 5, 3], seed=0).save(path)
    image = tmp_path / "blank.png"
    import matplotlib.pyplot as plt
    plt.imsave(image, np.zeros((28, 28)), cmap="gray")
    assert main(["predict", str(path), str(image)]) == 1
    assert "needs 10 outputs" in capsys.readouterr().err


def test_gradcheck_passes_a_saved_relu_convolution_model(capsys, tmp_path):
    """The CLI's kink guard runs the network's own forward pass, for every layer kind (it
    once multiplied the kernels as a matrix and failed with a shape error)."""
    from neurograph.convolution import convolution, max_pooling

    Network.convolutional((6, 6), [convolution(2, kernel_size=3, learn=True), max_pooling(2)],
                          [4, 3], seed=0).save(tmp_path / "conv.json")
    code, out, err = run(capsys, "gradcheck", tmp_path / "conv.json", "--samples", "2",
                         "--seed", "1")
    assert code == 0, err
    assert "Traceback" not in err and _worst(out) < 1e-6
    assert len(re.findall(r"^sample \d: ", out, re.MULTILINE)) == 2


def test_info_names_an_adam_trained_models_optimizer_and_its_state(capsys, tmp_path):
    net = Network.layered([4, 3, 2], seed=0)
    rng = np.random.default_rng(0)
    net.fit(rng.uniform(0, 1, (20, 4)), rng.uniform(0, 1, (20, 2)), epochs=2, batch_size=5,
            optimizer="adam", progress=False)
    net.save(tmp_path / "adam.json")
    code, out, err = run(capsys, "info", tmp_path / "adam.json")
    assert code == 0, err
    assert _field(out, "optimizer") == ("Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, "
                                        "epsilon=1e-08), m, v saved at step 8")
    assert "momentum velocities" not in out


def test_info_says_when_a_model_reproduces_the_posts_averaging(capsys, tmp_path):
    Network.layered([4, 3, 2], seed=0, hidden_derivative="mean").save(tmp_path / "mean.json")
    Network.layered([4, 3, 2], seed=0).save(tmp_path / "sum.json")
    code, out, err = run(capsys, "info", tmp_path / "mean.json")
    assert code == 0, err
    assert _field(out, "hidden dC/da") == ("mean over outgoing connections (the post's "
                                           "averaging)")
    code, out, err = run(capsys, "info", tmp_path / "sum.json")
    assert code == 0 and "hidden dC/da" not in out


def test_info_shows_each_source_block_of_a_graph(capsys, tmp_path):
    inputs, hidden, outputs = InputLayer(3), HiddenLayer(4, "tanh"), OutputLayer(2)
    inputs.fully_connect_to(hidden, seed=0)
    hidden.fully_connect_to(outputs, seed=1)
    inputs[1].connect_to(outputs[0], 0.5)  # a skip connection
    Network([inputs, hidden, outputs]).save(tmp_path / "skip.json")
    code, out, _ = run(capsys, "info", tmp_path / "skip.json")
    assert code == 0 and "version 4" in out.splitlines()[0]
    lines = out.splitlines()
    at = next(k for k, line in enumerate(lines) if " output " in line)
    assert "9 weights (of 14 possible)" in lines[at]
    assert lines[at + 1].split() == ["from", "layer", "1", "(hidden):", "8", "weights",
                                     "(dense)"]
    assert lines[at + 2].split() == ["from", "layer", "0", "(input):", "1", "weights", "(of",
                                     "6", "possible)"]
    hidden_at = next(k for k, line in enumerate(lines) if " hidden " in line)
    assert lines[hidden_at + 1].startswith("weights:") or "from layer" not in lines[hidden_at + 1]
    assert _field(out, "weights") == "21"


def test_info_says_which_layer_a_convolution_branch_reads(capsys, tmp_path):
    from neurograph.convolution import ConvolutionLayer

    inputs = InputLayer(shape=(6, 6))
    left = ConvolutionLayer(inputs, 2, kernel_size=3, seed=0)
    right = ConvolutionLayer(inputs, 1, kernel_size=5, seed=1)
    left.receive_from(inputs)
    right.receive_from(inputs)
    out = OutputLayer(3, "softmax")
    left.fully_connect_to(out, seed=2)
    right.fully_connect_to(out, seed=3)
    Network([inputs, left, right, out], cost="cross_entropy").save(tmp_path / "branches.json")
    code, out_text, _ = run(capsys, "info", tmp_path / "branches.json")
    lines = out_text.splitlines()
    second = next(k for k, line in enumerate(lines) if re.match(r"^\s+2\s", line))
    assert lines[second + 1].split() == ["reads", "layer", "0", "(input)"]
    assert not lines[second - 1].strip().startswith("reads")
