"""Adversarial cases (issue 15): each bad input gets a clear answer, and nothing changes."""
import json
import os
import re
import signal
import warnings

import numpy as np
import pytest

import neurograph as ng
from neurograph import Network, TrainingWarning
from neurograph.cli.main import main
from neurograph.io import load_checkpoint
from neurograph.io.datasets import DatasetError, load_mnist
from neurograph.training import loop


def _parameters(network) -> list:
    return [np.array(values, copy=True) for layer in network.receiving_layers
            for values in (layer.parameter(name) for name in layer.parameter_names)]


def _same(before: list, network) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(before, _parameters(network)))


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
