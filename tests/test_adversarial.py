"""Adversarial cases (issue 15): every bad input gets a clear answer, and memory stays bounded."""
import argparse
import errno
import gzip
import fcntl
import importlib
import importlib.util
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

import neurograph
import neurograph as ng

from neurograph import Network, TrainingWarning, gradient_check, load
from neurograph.cli.main import _make_parser, main
from neurograph.convolution import convolution, max_pooling
from neurograph.datasets import SAMPLE_FOLDER, read_idx
from neurograph.io import ModelFileError
from neurograph.io import load_checkpoint
from neurograph.io.datasets import DatasetError, load_mnist
from neurograph.training import loop
from neurograph.training.loop import PREDICT_BYTES, predict_chunk_rows
from test_cli import assert_one_line_error as _one_line, run as _run

ROOT = Path(__file__).resolve().parents[1]


# -- the CLI, predict's preparation, leftovers (issue 15 points 6, 7 and 8) ----


def _parameters(net) -> list:
    """A copy of every parameter array of ``net`` (weights, biases, kernels), layer by layer."""
    return [np.array(layer.parameter(name), copy=True) for layer in net.receiving_layers
            for name in layer.parameter_names]


def _same(before: list, net) -> bool:
    """Whether ``net``'s parameters are bitwise those of ``before`` (a ``_parameters`` copy)."""
    after = _parameters(net)
    return len(before) == len(after) and all(np.array_equal(a, b) for a, b in zip(before, after))


@pytest.fixture(scope="module")
def digit_model(tmp_path_factory):
    """784-32-10 trained for a moment on the bundled sample (it reads MNIST digits well)."""
    images = read_idx(SAMPLE_FOLDER / "train-images-idx3-ubyte.gz")[:3000]
    labels = read_idx(SAMPLE_FOLDER / "train-labels-idx1-ubyte.gz")[:3000]
    X = images.reshape(len(images), -1).astype(np.float32) / 255
    Y = np.eye(10, dtype=np.float32)[labels]
    net = Network.layered([784, 32, 10], activation="relu", output_activation="softmax",
                          cost="cross_entropy", init="he", seed=0, dtype="float32")
    net.fit(X, Y, epochs=3, batch_size=32, learning_rate=0.05, momentum=0.9, seed=0,
            progress=False)
    path = tmp_path_factory.mktemp("digit_model") / "digits.json"
    net.save(path)
    return net, path


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny_model") / "tiny.json"
    Network.layered([4, 3, 2], seed=0).save(path)
    return path


@pytest.mark.parametrize("dpi", ["1", "9", "1201", "100000"])
def test_draw_refuses_a_dpi_out_of_bounds_in_one_line(capsys, tiny_model, tmp_path, dpi):
    # review D: --dpi 1 ended in FreeType's "invalid ppem", --dpi 100000 in std::bad_alloc
    picture = tmp_path / "d.png"
    code, out, err = _run(capsys, "draw", tiny_model, "-o", picture, "--dpi", dpi)
    assert code == 2 and out == ""
    _one_line(err, f"argument --dpi: must be an integer from 10 to 1200, got {dpi}")
    assert not picture.exists()


def test_draw_dpi_1_prints_no_traceback_as_a_process(tiny_model, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-m", "neurograph", "draw", str(tiny_model), "-o",
                             str(tmp_path / "d.png"), "--dpi", "1"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "--dpi" in result.stderr


def test_draw_refuses_more_pixels_than_the_limit_before_drawing(capsys, monkeypatch, tiny_model,
                                                               tmp_path):
    cli = importlib.import_module("neurograph.cli.main")  # the module, not its main()

    drawn = []
    monkeypatch.setattr(cli, "save_picture", lambda *a, **k: drawn.append(a))
    monkeypatch.setattr(cli, "MAX_PIXELS", 1_000)  # a diagram at 10 dpi already has more
    picture = tmp_path / "d.png"
    code, out, err = _run(capsys, "draw", tiny_model, "-o", picture, "--dpi", "10")
    assert code == 1 and out == "" and drawn == []
    _one_line(err, str(picture), "at --dpi 10 the picture would be", "more than the 1,000 "
              "allowed")


def test_the_pixel_limit_allows_every_accepted_dpi_for_an_ordinary_diagram():
    from neurograph.cli.main import DPI_RANGE, MAX_PIXELS, diagram_figure

    figure = diagram_figure(Network.layered([784, 16, 10], seed=0))
    width, height = figure.get_size_inches() * DPI_RANGE[1]
    assert width * height <= MAX_PIXELS


def test_draw_refuses_a_folder_and_names_the_file_really_written(capsys, tiny_model, tmp_path):
    # review #8: `-o /tmp` said "written to /tmp" and wrote /tmp.png
    code, out, err = _run(capsys, "draw", tiny_model, "-o", tmp_path)
    assert code == 2 and out == ""
    _one_line(err, f"-o/--output names the picture file, got '{tmp_path}', which is a folder")
    assert not Path(f"{tmp_path}.png").exists()
    plain = tmp_path / "noext"
    code, out, err = _run(capsys, "draw", tiny_model, "-o", plain, "--dpi", "20")
    assert code == 0, err
    assert out.rstrip().endswith(f"written to {plain}.png")
    assert Path(f"{plain}.png").read_bytes()[:4] == b"\x89PNG" and not plain.exists()


def test_draw_on_a_full_disk_names_the_picture(capsys, monkeypatch, tiny_model, tmp_path):
    from matplotlib.figure import Figure

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full)
    picture = tmp_path / "d.png"
    code, out, err = _run(capsys, "draw", tiny_model, "-o", picture, "--dpi", "20")
    assert code == 1 and out == ""
    _one_line(err, f"{picture}: No space left on device")


def test_gradcheck_seed_minus_one_exits_2_naming_the_flag(capsys, tiny_model):
    # review #9: exit 1 with numpy's "expected non-negative integer"
    code, out, err = _run(capsys, "gradcheck", tiny_model, "--seed", "-1")
    assert code == 2 and out == ""
    _one_line(err, "argument --seed: must be an integer >= 0, got -1")


TRAIN_SMALL = ["train-mnist", "--no-download", "--quiet", "--limit", "200", "--hidden", "8",
               "--epochs", "1"]


def test_train_mnist_refuses_plots_onto_a_file_before_training(capsys, tmp_path):
    # review #12: trained, then "File exists", and the model was not saved
    not_a_folder = tmp_path / "plots"
    not_a_folder.write_text("mine")
    model = tmp_path / "m.json"
    code, out, err = _run(capsys, *TRAIN_SMALL, "-o", model, "--plots", not_a_folder)
    assert code == 2 and out == ""  # nothing trained: no line about the network
    _one_line(err, "--plots names a folder to write into", "which is a file")
    assert not model.exists() and not_a_folder.read_text() == "mine"


def test_train_mnist_refuses_an_unwritable_model_folder_before_training(capsys, monkeypatch,
                                                                        tmp_path):
    # review #12: on a read-only file system it trained fully, then failed
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    model = tmp_path / "m.json"
    code, out, err = _run(capsys, *TRAIN_SMALL, "-o", model)
    assert code == 1 and out == ""
    _one_line(err, str(model), "cannot be written", "Read-only file system")
    assert not model.exists()


def test_train_mnist_refuses_a_folder_named_like_a_model(capsys, tmp_path):
    folder = tmp_path / "model.json"
    folder.mkdir()
    code, out, err = _run(capsys, *TRAIN_SMALL, "-o", folder)
    assert code == 2 and out == ""
    _one_line(err, "-o/--output names the model file", "which is a folder")


def test_train_mnist_saves_the_model_even_when_the_plots_fail(capsys, monkeypatch, tmp_path):
    cli = importlib.import_module("neurograph.cli.main")  # the module, not its main()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "p/history.png"))

    monkeypatch.setattr(cli, "write_training_plots", full)
    model = tmp_path / "m.json"
    code, out, err = _run(capsys, *TRAIN_SMALL, "-o", model, "--plots", tmp_path / "p")
    assert code == 1
    error, = [line for line in err.splitlines() if not line.startswith("neurograph: full MNIST")]
    _one_line(error + "\n", "history.png: No space left on device")  # after the data notice
    assert f"model written to {model}" in out
    assert load(model).sizes == (784, 8, 10)


def test_a_full_disk_names_the_model_file_and_leaves_no_temporary(capsys, monkeypatch,
                                                                  tiny_model, tmp_path):
    # review #10: "[Errno 28] No space left on device" with no file name
    import neurograph.io.atomic as atomic

    def full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    target = tmp_path / "copy.json"
    code, out, err = _run(capsys, "convert", tiny_model, target)
    assert code == 1 and out == ""
    _one_line(err, f"{target}: No space left on device")
    assert os.listdir(tmp_path) == []


def test_save_onto_a_folder_names_the_folder_not_the_temporary(tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as error:
        Network.layered([2, 1], seed=0).save(folder)
    assert error.value.filename == str(folder) and ".tmp" not in str(error.value)
    assert os.listdir(tmp_path) == ["adir"] and os.listdir(folder) == []


def _subparsers(parser):
    action, = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action.choices


def _assert_every_flag_explained(parser, where: str) -> None:
    assert parser.formatter_class is argparse.ArgumentDefaultsHelpFormatter, where
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help and action.help.strip(), f"{where}: {name} has no help sentence"
    text = parser.format_help()
    for action in parser._actions:  # the default is shown for every flag that takes a value
        if action.option_strings and action.nargs != 0 and action.default is not None:
            assert f"(default: {action.default})" in " ".join(text.split()), (where, action)


def test_every_flag_of_every_command_has_a_sentence_and_shows_its_default():
    for command, parser in _subparsers(_make_parser()).items():
        _assert_every_flag_explained(parser, f"neurograph {command}")


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"adversarial_{name}",
                                                  ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE_BAD_FLAGS = [
    ("first_contact", ["--epochs", "-1"], "argument --epochs: must be a positive integer"),
    ("first_contact", ["--learning-rate", "nan"], "argument --learning-rate: must be a finite"),
    ("first_contact", ["--test-fraction", "1.5"], "argument --test-fraction: must be a number "
                                                  "between 0 and 1"),
    ("first_contact", ["--seed", "-1"], "argument --seed: must be an integer >= 0"),
    ("xor", ["--epochs", "0"], "argument --epochs: must be a positive integer"),
    ("xor", ["--hidden", "-3"], "argument --hidden: must be a positive integer"),
    ("xor", ["--refresh", "-2"], "argument --refresh: must be a finite number above 0"),
    ("xor", ["--dpi", "1"], "argument --dpi: must be an integer from 10 to 1200"),
    ("rectangle", ["--iterations", "-5"], "argument --iterations: must be a positive integer"),
    ("rectangle", ["--constant-fraction", "2"], "argument --constant-fraction: must be a number "
                                                "from 0 to 1"),
    ("rectangle", ["--learning-rate", "-0.3"], "argument --learning-rate: must be a finite"),
    ("post_attempts", ["--iterations", "-1"], "argument --iterations: must be a positive"),
    ("post_attempts", ["--test-limit", "0"], "argument --test-limit: must be a positive"),
    ("post_attempts", ["--seed", "-2"], "argument --seed: must be an integer >= 0"),
    ("draw_digit", ["--epochs", "-1"], "argument --epochs: must be a positive integer"),
    ("draw_digit", ["--hidden", "0"], "argument --hidden: must be a positive integer"),
    ("train_mnist", ["--epochs", "-1"], "--epochs must be a positive integer"),
    ("train_mnist", ["--dpi", "5"], "--dpi must be an integer from 10 to 1200"),
]


@pytest.mark.parametrize("name, flags, message", EXAMPLE_BAD_FLAGS)
def test_examples_refuse_bad_flags_as_the_command_does(capsys, name, flags, message):
    module = _example(name)
    with pytest.raises(SystemExit) as exit_:
        module.parse_args(flags)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_download_flag_means_the_same_in_every_script():
    seen = {}
    for name in ("train_mnist", "post_attempts", "draw_digit"):
        module = _example(name)
        seen[name] = (module.parse_args([]).no_download, module.parse_args(["--no-download"])
                      .no_download)
        with pytest.raises(SystemExit):
            module.parse_args(["--download"])  # no script has the opposite flag
    assert set(seen.values()) == {(False, True)}
    parser = _subparsers(_make_parser())["train-mnist"]
    assert parser.parse_args(["--no-download"]).no_download is True


def _write_idx(path: Path, images: np.ndarray) -> Path:
    header = struct.pack(">I", 0x00000800 | images.ndim) + struct.pack(
        f">{images.ndim}I", *images.shape)
    path.write_bytes(header + images.tobytes())
    return path


def _bad_inputs(tmp_path: Path, model: Path) -> list:
    """Sub-commands with bad inputs, each of which must end in one line, exit 1 or 2."""
    text = tmp_path / "notes.txt"
    text.write_text("not a model, not an image")
    empty_idx = _write_idx(tmp_path / "zero_h.idx", np.zeros((1, 0, 28), np.uint8))
    return [
        ["frobnicate"],
        ["info"], ["info", tmp_path / "missing.json"], ["info", tmp_path], ["info", text],
        ["draw", model, "-o", tmp_path / "d.png", "--dpi", "1"],
        ["draw", model, "-o", tmp_path / "d.png", "--dpi", "100000"],
        ["draw", model, "-o", tmp_path], ["draw", model, "-o", tmp_path / "d.xyz"],
        ["draw", model, "-o", tmp_path / "nowhere" / "d.png"],
        ["draw", text, "-o", tmp_path / "d.png"], ["draw", model, "--max-neurons", "-1"],
        ["predict", model, text], ["predict", model, empty_idx], ["predict", text, text],
        ["predict", model, tmp_path / "missing.png"], ["predict", model, tmp_path],
        ["gradcheck", model, "--seed", "-1"], ["gradcheck", model, "--samples", "0"],
        ["gradcheck", model, "--tolerance", "nan"], ["gradcheck", text],
        ["convert", model, tmp_path / "out.json", "--format", "kotlin"],
        ["convert", text, tmp_path / "out.json"], ["convert", model, tmp_path],
        ["web", model], ["web", text, "-o", tmp_path / "site"],
        ["train-mnist", "--no-download", "--epochs", "-1"],
        ["train-mnist", "--no-download", "--dpi", "1"],
        ["train-mnist", "--no-download", "--seed", "-1"],
        ["train-mnist", "--no-download", "--plots", text],
        ["train-mnist", "--no-download", "-o", tmp_path],
        ["train-mnist", "--no-download", "-o", tmp_path / "nowhere" / "m.json"],
    ]


def test_every_command_answers_bad_input_in_one_line_without_a_traceback(capsys, tiny_model,
                                                                         digit_model, tmp_path):
    _, model = digit_model
    for argv in _bad_inputs(tmp_path, model):
        code, out, err = _run(capsys, *argv)
        assert code in (1, 2), (argv, code, out, err)
        assert "Traceback" not in err and err.count("\n") == 1, (argv, err)
        assert err.startswith("neurograph: error: "), (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "zero_h.idx"]


def _pil_seven(path: Path) -> Path:
    """A thick 7 drawn with Pillow on a white 200 x 200 picture, as a user would."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(image).line([(40, 30), (160, 30), (90, 180)], fill=0, width=14)
    image.save(path)
    return path


def _predictions(out: str) -> list:
    return [int(line.split(": ")[1].split()[0]) for line in out.splitlines()]


def test_predict_prepares_a_drawn_seven_as_mnist_and_reads_7(capsys, digit_model, tmp_path):
    # review / issue: a PIL "7" was read as "2 (0.43)" after a plain resize
    _, model = digit_model
    seven = _pil_seven(tmp_path / "seven.png")
    code, out, err = _run(capsys, "predict", model, seven)
    assert code == 0, err
    assert _predictions(out) == [7]
    assert "prepared as MNIST from 200 x 200" in out and "inverted" in out
    code, out, err = _run(capsys, "predict", "--no-preprocess", model, seven)
    assert code == 0, err
    assert _predictions(out) != [7] and "resized from 200 x 200" in out  # why it matters


def test_predict_preparation_leaves_mnist_digits_as_they_are(digit_model, tmp_path):
    from PIL import Image

    from neurograph.cli.main import read_images

    images = read_idx(SAMPLE_FOLDER / "t10k-images-idx3-ubyte.gz")[:20]
    for k, image in enumerate(images):
        Image.fromarray(image, mode="L").save(tmp_path / f"{k}.png")
        prepared, _, notes = read_images(tmp_path / f"{k}.png", preprocess=True)
        assert np.array_equal(prepared[0], image) and notes == [""]


def test_predict_refuses_an_idx_image_of_no_pixels(capsys, digit_model, tmp_path):
    # review #16: a 1 x 0 x 28 IDX file was predicted ("resized from 28 x 0")
    _, model = digit_model
    for shape in [(1, 0, 28), (1, 28, 0), (0, 28)]:
        idx = _write_idx(tmp_path / "flat.idx", np.zeros(shape, np.uint8))
        code, out, err = _run(capsys, "predict", model, idx)
        assert code == 1 and out == ""
        _one_line(err, f"{idx}: an IDX file of images must be n x height x width, each at least "
                       f"1, got shape")


def test_predict_refuses_nan_pixels_in_one_line(capsys, digit_model, tmp_path):
    # review #16: a NaN float TIFF printed numpy's RuntimeWarning, then a prediction
    from PIL import Image

    _, model = digit_model
    tiff = tmp_path / "nan.tiff"
    Image.fromarray(np.full((28, 28), np.nan, dtype=np.float32), mode="F").save(tiff)
    code, out, err = _run(capsys, "predict", model, tiff)
    assert code == 1 and out == ""
    _one_line(err, f"{tiff}: its pixels must be numbers, got NaN or infinity")


@pytest.mark.parametrize("side", [101, 150])  # above the limit (a warning) and twice it (an error)
def test_predict_refuses_a_decompression_bomb_in_one_line(capsys, monkeypatch, digit_model,
                                                          tmp_path, side):
    # review #16: a 10000 x 10000 PNG printed Pillow's 2-line warning and used 431 MB. The
    # limit is Pillow's Image.MAX_IMAGE_PIXELS; lowered here so the picture stays small.
    from PIL import Image

    _, model = digit_model
    bomb = tmp_path / "bomb.png"
    Image.new("L", (side, side), 0).save(bomb)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100 // 2)
    code, out, err = _run(capsys, "predict", model, bomb)
    assert code == 1 and out == ""
    _one_line(err, f"{bomb}: refused as a possible decompression bomb")


def test_save_removes_stale_temporaries_of_the_same_file_only(tmp_path):
    # review #11: kill -9 during save left zero-byte .model.json.XXXXXXXX.tmp files
    target = tmp_path / "model.json"
    stale = [tmp_path / ".model.json.0badf00d.tmp", tmp_path / ".model.json.deadbeef.tmp"]
    others = [tmp_path / ".other.json.deadbeef.tmp", tmp_path / ".model.json.notmine.tmp"]
    for path in stale + others:
        path.write_bytes(b"")
    alive = tmp_path / ".model.json.12345678.tmp"  # a writer at work holds its lock
    descriptor = os.open(alive, os.O_WRONLY | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        net = Network.layered([3, 2], seed=1)
        net.save(target)
    finally:
        os.close(descriptor)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in others) and alive.exists()
    assert all(np.array_equal(a, b) for a, b in zip(_parameters(load(target)), _parameters(net)))


def test_a_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    code = (f"import os, signal\n"
            f"import neurograph.io.atomic as atomic\n"
            f"def pieces():\n"
            f"    yield 'x' * 1000\n"
            f"    os.kill(os.getpid(), signal.SIGKILL)\n"
            f"atomic.write_atomically({str(tmp_path / 'model.json')!r}, pieces())\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == -9
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".model.json.") and left[0].endswith(".tmp")
    Network.layered([3, 2], seed=1).save(tmp_path / "model.json")
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_save_onto_a_symlink_writes_through_to_its_target(tmp_path):
    # review #14: the link was replaced by a regular file and the target left as it was
    target = tmp_path / "good.json"
    Network.layered([3, 2], seed=0).save(target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    net = Network.layered([3, 2], seed=7)
    net.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    for loaded in (load(target), load(link)):
        assert all(np.array_equal(a, b) for a, b in zip(_parameters(loaded), _parameters(net)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.json", "link.json"]


def test_draw_digit_without_a_display_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "draw_digit.py"),
                             "--no-download", "--quiet"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("draw_digit.py: error: no display to open a window on")
    assert "--no-show --screenshot" in result.stderr


def test_the_draw_digit_window_has_a_title(digit_model):
    import matplotlib.pyplot as plt

    net, _ = digit_model
    module = _example("draw_digit")
    pad = module.DigitPad(net)
    try:
        assert pad.figure.canvas.manager.get_window_title() == "neurograph: draw a digit"
    finally:
        plt.close(pad.figure)


# -- costs that are true (issue 15 point 4) ----
# Cross-entropy after softmax and binary cross-entropy after sigmoid are computed from the
# logits: a saturated output costs what it should, not the 34.54 of an output clipped at 1e-15,
# and the gradient check's finite differences (of that cost) agree with backpropagation.

def _two_logits(gap: float, dtype: str = "float64") -> Network:
    """A 1-2 softmax network whose logits are (0, gap) for any input."""
    net = Network.layered([1, 2], activation="identity", output_activation="softmax",
                          cost="cross_entropy", seed=0, dtype=dtype, bias_clamp=None)
    net.output_layer[0].bias, net.output_layer[1].bias = 0.0, gap
    for connection in net.connections:
        connection.weight = 0.0
    return net


def _one_logit(z: float, dtype: str = "float64") -> Network:
    """A 1-1 sigmoid network whose logit is ``z`` for any input."""
    net = Network.layered([1, 1], activation="identity", output_activation="sigmoid",
                          cost="binary_cross_entropy", seed=0, dtype=dtype,
                          bias_clamp=None)
    net.output_layer[0].bias, net.connections[0].weight = z, 0.0
    return net


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("gap", [100.0, 1000.0])
def test_cross_entropy_of_a_saturated_softmax_is_the_logit_gap(gap, dtype):
    net = _two_logits(gap, dtype)
    x, y = [1.0], [1.0, 0.0]  # the right class's logit is `gap` below the other's
    assert net.predict([x])[0, 0] < 1e-15  # the activation itself rounds (to 0 for 1000)
    assert net.evaluate([x], [y])["cost"] == pytest.approx(gap, rel=1e-6)  # vectorized
    assert net.cost(x, y) == pytest.approx(gap, rel=1e-6)  # object engine, one sample
    assert net.cost(np.array([x, x]), np.array([y, y])) == pytest.approx(gap, rel=1e-6)
    assert [n.cost() for n in net.output_layer.neurons] == pytest.approx([gap, 0.0], rel=1e-6)
    # the right answer, as saturated, costs e^-gap (0 in float64 for 1000: ln(1 + e^-1000))
    assert net.cost(x, [0.0, 1.0]) == pytest.approx(np.exp(-gap), abs=1e-30)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("z, y, expected", [(800.0, 0.0, 800.0), (-800.0, 1.0, 800.0),
                                            (800.0, 1.0, 0.0), (40.0, 0.25, 30.0)])
def test_binary_cross_entropy_of_a_saturated_sigmoid_is_exact(z, y, expected, dtype):
    # ln(1 + e^z) - y z: 800 for a wrong saturated output, 0 for a right one; 0.75 x 40 for
    # a target of 0.25
    net = _one_logit(z, dtype)
    assert net.evaluate([[1.0]], [[y]])["cost"] == pytest.approx(expected, rel=1e-6, abs=1e-12)
    assert net.cost([1.0], [y]) == pytest.approx(expected, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("engine", ["vectorized", "object"])
def test_fit_reports_the_true_cost_of_a_saturated_network(engine):
    # a step too small to move the outputs: fit's epoch cost is that of the outputs before it,
    # as evaluate gives them (100), on training and validation data alike
    net = _two_logits(100.0)
    X, Y = np.ones((4, 1)), np.tile([1.0, 0.0], (4, 1))
    history = net.fit(X, Y, epochs=1, batch_size=2, learning_rate=1e-12, engine=engine,
                      validation=(X, Y), evaluate_every=1, progress=False)
    assert history.cost[0] == pytest.approx(100.0, rel=1e-9)
    assert history.validation_cost[0] == pytest.approx(100.0, rel=1e-9)
    assert history.evaluation_cost == pytest.approx([100.0, 100.0], rel=1e-9)
    assert history.evaluation_training_cost == pytest.approx([100.0, 100.0], rel=1e-9)


def test_train_sample_and_train_batch_return_the_true_cost():
    assert _two_logits(100.0).train_sample([1.0], [1.0, 0.0]) == pytest.approx(100.0)
    assert _one_logit(800.0).train_batch([[1.0]], [[0.0]], 1e-12) == pytest.approx(800.0)


@pytest.mark.parametrize("make, y", [(lambda: _two_logits(100.0), [1.0, 0.0]),
                                     (lambda: _one_logit(800.0), [0.0]),
                                     (lambda: _one_logit(-60.0), [1.0])])
def test_gradient_check_agrees_on_a_saturated_output(make, y):
    result = gradient_check(make(), [1.0], y)
    assert result.max_relative_error < 1e-6, result  # was 1: numeric 0 against analytic -1


def test_cross_entropy_after_another_activation_keeps_its_clipped_cost():
    # sigmoid outputs with cross_entropy have no exact logit form here: the activations are
    # clipped at 1e-15, so a right class at sigmoid(-100) costs -ln(1e-15) = 34.54, as documented
    net = Network.layered([1, 2], activation="identity", output_activation="sigmoid",
                          cost="cross_entropy", seed=0)
    net.output_layer[0].bias, net.output_layer[1].bias = -100.0, 0.0
    for connection in net.connections:
        connection.weight = 0.0
    assert net.evaluate([[1.0]], [[1.0, 0.0]])["cost"] == pytest.approx(-np.log(1e-15))
    assert net.cost([1.0], [1.0, 0.0]) == pytest.approx(-np.log(1e-15))


def test_cli_gradcheck_passes_a_saturated_correct_model(capsys, tmp_path):
    # a smaller 784-4000-10: ReLU/softmax, float32, output weights large enough that the
    # logits of each sample lie hundreds apart (every wrong class's activation rounds to 0)
    net = Network.layered([20, 30, 10], activation="relu", output_activation="softmax",
                          cost="cross_entropy", seed=0, dtype="float32")
    net.output_layer.weights[...] *= 200.0
    path = tmp_path / "saturated.json"
    net.save(path)
    code = main(["gradcheck", str(path), "--samples", "3", "--seed", "0"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    worst = float(re.search(r"^worst relative error: (\S+)", out, re.MULTILINE).group(1))
    assert worst < 1e-6 and out.rstrip().endswith("ok: below the tolerance 1e-06")


# -- small API checks (issue 15 point 8) ----

@pytest.mark.parametrize("call, error, message", [
    (lambda n: n.propagate(["a", "b"]), ValueError, r"`x` must be a sequence of 2 numbers"),
    (lambda n: n.propagate([10**400, 1.0]), ValueError,
     r"`x` must hold finite numbers, got an integer too large"),
    (lambda n: n.fit(np.zeros((4, 2)), np.zeros((4, 1)), shuffle="no", progress=False),
     TypeError, r"`shuffle` must be True or False, got 'no'"),
    (lambda n: n.fit(np.zeros((4, 2)), np.zeros((4, 1)), learning_rate="0.1", progress=False),
     ValueError, r"`learning_rate` must be a positive number, got '0.1'"),
])
def test_api_refuses_strings_and_huge_integers_and_changes_nothing(call, error, message):
    net = Network.layered([2, 3, 1], seed=0)
    before = _parameters(net)
    with pytest.raises(error, match=message):
        call(net)
    assert all(np.array_equal(a, b) for a, b in zip(before, _parameters(net)))


def _training_warnings(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, TrainingWarning)]


# -- resume (issue 15 point 1) ----------------------------------------------------------------

def _classes(n=100, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(n, 4)), np.eye(3)[rng.integers(0, 3, n)]


def _small(seed=0):
    return Network.layered([4, 5, 3], activation="relu", output_activation="softmax",
                           cost="cross_entropy", seed=seed)


@pytest.fixture
def stopped_mid_epoch(tmp_path):
    """A checkpoint as Ctrl-C leaves it: after mini-batch 3 of epoch 2 (100 rows, batches of
    10), made by editing an epoch checkpoint (fit wrote epoch 2, batch 0)."""
    X, Y = _classes()
    _small().fit(X, Y, epochs=2, batch_size=10, seed=0, progress=False,
                 checkpoint=tmp_path / "c.json", callbacks=[_stop_after_epoch_1])
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["training"]["epoch"] == 2 and doc["training"]["batch"] == 0
    doc["training"]["batch"] = 3
    path = tmp_path / "mid.json"
    path.write_text(json.dumps(doc))
    return path, doc


def _stop_after_epoch_1(event):
    event.stop()


def test_a_checkpoint_records_the_data_and_batches_a_resume_must_match(stopped_mid_epoch):
    _, doc = stopped_mid_epoch
    assert (doc["training"]["samples"], doc["training"]["epoch_size"],
            doc["training"]["batch_size"]) == (100, 100, 10)
    _, training = load_checkpoint(stopped_mid_epoch[0])
    assert (training["samples"], training["epoch_size"], training["batch_size"]) == (100, 100, 10)


@pytest.mark.parametrize("rows, batch_size, message", [
    (20, 10, r"rows in `X` 100 then, 20 now; `epoch_size` 100 then, 20 now"),
    (100, 20, r"`batch_size` 10 then, 20 now"),
    (100, 5, r"`batch_size` 10 then, 5 now"),
])
def test_a_resume_with_other_data_or_batches_is_refused_and_changes_nothing(
        stopped_mid_epoch, rows, batch_size, message):
    path, _ = stopped_mid_epoch
    X, Y = _classes()
    net = _small(seed=7)
    before = _parameters(net)
    with pytest.raises(ValueError, match=r"stopped after mini-batch 3 of epoch 2, with other "
                                         r"data or batches \(" + message):
        net.fit(X[:rows], Y[:rows], epochs=3, batch_size=batch_size, seed=0, progress=False,
                resume=path)
    assert _same(before, net)  # not the checkpoint's parameters: nothing changed


def test_a_resume_with_the_same_data_and_batches_goes_on(stopped_mid_epoch):
    path, _ = stopped_mid_epoch
    X, Y = _classes()
    net = _small(seed=7)
    history = net.fit(X, Y, epochs=2, batch_size=10, seed=0, progress=False, resume=path)
    assert len(history.cost) == 1 and np.isfinite(history.cost[0])


@pytest.mark.parametrize("batch", [10, 10 ** 9])
def test_a_crafted_position_beyond_the_data_is_refused_and_changes_nothing(
        stopped_mid_epoch, tmp_path, batch):
    _, doc = stopped_mid_epoch
    for key in ("samples", "epoch_size", "batch_size"):  # as a checkpoint before issue 15
        doc["training"].pop(key, None)
    doc["training"]["batch"] = batch
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(doc))
    X, Y = _classes()
    net = _small(seed=7)
    before = _parameters(net)
    with pytest.raises(ValueError, match=rf"after mini-batch {batch:,} of epoch 2, but an epoch "
                                         r"of 100 samples in batches of 10 has only 10"):
        net.fit(X, Y, epochs=3, batch_size=10, seed=0, progress=False, resume=path)
    assert _same(before, net)


def test_a_failure_inside_training_puts_the_network_back(tmp_path):
    X, Y = _classes()
    net = _small()
    before = _parameters(net)

    def broken(event):
        raise ZeroDivisionError("a callback's own bug")

    broken.every = "batch"
    with pytest.raises(ZeroDivisionError):
        net.fit(X, Y, epochs=1, batch_size=10, progress=False, callbacks=[broken])
    assert _same(before, net)


# -- silent training failures (issue 15 point 5) ------------------------------------------------

def test_training_warning_is_a_user_warning_exported_at_the_top():
    assert issubclass(ng.TrainingWarning, UserWarning) and "TrainingWarning" in ng.__all__


def test_healthy_training_warns_nothing():
    X, Y = _classes(200)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        history = _small().fit(X, Y, epochs=3, learning_rate=0.1, seed=0, progress=False)
    assert history.cost[-1] < history.cost[0]


def test_a_cost_that_climbs_warns_naming_the_learning_rate():
    rng = np.random.default_rng(0)
    net = Network.layered([3, 3], activation="identity", seed=0)
    with pytest.warns(TrainingWarning) as record:
        net.fit(rng.uniform(size=(50, 3)), rng.uniform(size=(50, 3)), epochs=3,
                learning_rate=1e3, progress=False)
    rise = [m for m in _training_warnings(record) if "training cost ended epoch 2" in m]
    assert len(rise) == 1, _training_warnings(record)  # once per call, not once per epoch
    assert "learning rate (1000) is probably too large" in rise[0]


def test_a_first_epoch_that_overshoots_and_recovers_is_not_a_failure():
    # The lesion_report example: AND with tanh and a step of 1; epoch 1 ends above its start
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 5, dtype=float)
    net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        history = net.fit(X, X[:, :1] * X[:, 1:], epochs=100, batch_size=4,
                          learning_rate=1.0, seed=0, progress=False)
    assert history.cost[0] > 2 * history.cost[-1]


def test_dead_relus_warn():
    X, Y = _classes(200)
    with pytest.warns(TrainingWarning) as record:
        _small().fit(X, Y, epochs=1, learning_rate=1e6, seed=0, progress=False)
    dead = re.compile(r"(\d) of the \1 hidden neurons are dead \(ReLU output 0\).*learning "
                      r"rate is probably too large")
    assert any(dead.search(m) for m in _training_warnings(record)), _training_warnings(record)


def test_pixels_not_scaled_warn_once_and_the_sigmoids_saturate():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(200, 784)).astype(np.float64)
    Y = np.eye(10)[rng.integers(0, 10, 200)]
    net = Network.layered([784, 16, 10], activation="sigmoid", output_activation="softmax",
                          cost="cross_entropy", seed=0)
    with pytest.warns(TrainingWarning) as record:
        net.fit(X, Y, epochs=2, learning_rate=0.1, seed=0, progress=False)
    told = _training_warnings(record)
    scale = [m for m in told if "divide the pixels by 255" in m]
    assert len(scale) == 1 and "values up to 255" in scale[0]
    assert any("16 of the 16 hidden neurons are saturated (sigmoid at its bounds)" in m
               for m in told), told


def test_inputs_far_outside_the_usual_range_warn():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 4))
    X[3, 2] = 1000.0
    Y = np.eye(3)[rng.integers(0, 3, 40)]
    with pytest.warns(TrainingWarning, match=r"`X` holds values from .* to 1000, far outside "
                                             r"the usual range.*scale the inputs"):
        _small().fit(X, Y, epochs=1, progress=False)


def test_divergence_is_one_clear_error_without_numpy_overflow_warnings():
    rng = np.random.default_rng(0)
    net = Network.layered([3, 3], activation="identity", seed=0)
    before = _parameters(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # an overflow warning would raise
        warnings.simplefilter("ignore", TrainingWarning)
        with pytest.raises(FloatingPointError, match="training diverged"):
            net.fit(rng.uniform(size=(50, 3)), rng.uniform(size=(50, 3)), epochs=30,
                    learning_rate=1e3, progress=False)
    assert _same(before, net)


def test_an_explicit_mnist_folder_that_is_missing_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match=r"nowhere: the MNIST folder asked for does not exist"):
        load_mnist(tmp_path / "nowhere", quiet=True)
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"lacks train-labels-idx1-ubyte\[.gz\], "
                                           r"t10k-images-idx3-ubyte\[.gz\], t10k-labels"):
        load_mnist(tmp_path / "half", quiet=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetError, match="is not a folder"):
        load_mnist(tmp_path / "file", quiet=True)


def test_train_mnist_with_a_mistyped_data_folder_stops_in_one_line(tmp_path, capsys):
    output = tmp_path / "m.json"
    code = main(["train-mnist", "--no-download", "--data", str(tmp_path / "typo"), "-o",
                 str(output), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [
        f"neurograph: error: {tmp_path / 'typo'}: the MNIST folder asked for does not exist"]
    assert not output.exists()


def test_train_mnist_that_diverges_says_so_in_one_line_per_warning(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NEUROGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the default search: the sample
    code = main(["train-mnist", "--no-download", "--limit", "500", "--epochs", "1",
                 "--hidden", "16", "--learning-rate", "1e6", "-o", str(tmp_path / "m.json")])
    err = capsys.readouterr().err
    assert code == 0 and "bundled sample" in err
    told = [line for line in err.splitlines() if line.startswith("neurograph: warning: ")]
    assert any("learning rate (1e+06) is probably too large" in line for line in told), err
    assert "Traceback" not in err and "TrainingWarning" not in err and "warnings.warn" not in err


def test_predict_on_a_float32_network_refuses_input_beyond_float32():
    net = Network.layered([20, 32, 2], activation="relu", output_activation="softmax",
                          cost="cross_entropy", seed=0, dtype="float32")
    X = np.zeros((2, 20))
    X[1, 3] = 1e39
    with pytest.raises(ValueError, match=r"`X` must be finite as float32 .* got 1e\+39 at "
                                         r"index \(1, 3\)"):
        net.predict(X)
    wide = Network.layered([20, 32, 2], activation="relu", output_activation="softmax",
                           cost="cross_entropy", seed=0)
    assert wide.predict(X).shape == (2, 2)  # float64 holds 1e39


def test_ctrl_c_during_the_last_validation_raises(monkeypatch, tmp_path):
    X, Y = _classes()
    net = _small()
    original = loop._Run.validate

    def interrupted(self, validation, history):
        if len(history.cost) == 2:  # the last epoch's validation, after its last batch
            os.kill(os.getpid(), signal.SIGINT)  # fit's handler turns it into a flag
        return original(self, validation, history)

    monkeypatch.setattr(loop._Run, "validate", interrupted)
    path = tmp_path / "c.json"
    with pytest.raises(KeyboardInterrupt, match=r"stopped at the end of epoch 2; saved to"):
        net.fit(X, Y, epochs=2, batch_size=10, seed=0, progress=False,
                validation=(X[:20], Y[:20]), checkpoint=path)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert load_checkpoint(path)[1]["epoch"] == 3  # the whole run is saved


def test_a_network_without_connections_warns(tmp_path):
    net = Network.layered([2, 1], activation="identity", seed=0)
    path = tmp_path / "m.json"
    net.save(path)
    doc = json.loads(path.read_text())
    doc["layers"][1].update(connections=[], weights=[])
    path.write_text(json.dumps(doc))
    empty = ng.load(path)
    with pytest.warns(TrainingWarning, match="has no connections: its outputs do not depend"):
        empty.fit([[0.0, 1.0]], [[1.0]], progress=False)


def test_train_sample_warns_of_targets_a_sigmoid_cannot_reach():
    net = Network.layered([2, 2, 1], activation="sigmoid", seed=0)
    with pytest.warns(TrainingWarning, match=r"`y` holds the target 2, but a sigmoid output "
                                             r"only reaches \[0, 1\]"):
        net.train_sample([0.1, 0.2], [2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        net.train_sample([0.1, 0.2], [1.0])  # reachable (in the limit): no warning


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


def test_a_large_input_is_judged_by_rows_spread_through_it():
    # 300,000 rows of 8 are more entries than the range check reads: it looks at rows spread
    # evenly, so data unscaled in every 50th row (a tenth of the rows it reads) still warns
    from neurograph.training.health import _RANGE_ENTRIES, check_input_range

    X = np.zeros((300_000, 8), dtype=np.float32)
    assert X.size > _RANGE_ENTRIES
    X[::50] = 1000.0
    net = Network.layered([8, 3], seed=0)
    with pytest.warns(TrainingWarning, match=r"holds values from 0 to 1000, far outside"):
        check_input_range(net, X)
    X[::50] = 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        check_input_range(net, X)
