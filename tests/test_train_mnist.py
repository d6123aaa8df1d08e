"""Smoke runs of examples/train_mnist.py with small flags: real data, real accuracy."""

import numpy as np
import pytest

from neurograph import Network



@pytest.fixture(scope="module")
def train_mnist(load_example):
    return load_example("train_mnist")


@pytest.fixture
def no_full_set(monkeypatch, tmp_path):
    """Make sure only the bundled sample can be found."""
    monkeypatch.delenv("NEUROGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))


def test_default_network_on_the_bundled_sample(train_mnist, no_full_set, capsys):
    result = train_mnist.main(["--no-download", "--epochs", "1", "--limit", "3000", "--quiet"])
    assert result["is_sample"] and result["source"] == "bundled sample"
    assert result["test_accuracy"] > 0.80  # one epoch on 3,000 images; chance is 0.10
    out = capsys.readouterr()
    assert "test accuracy" in out.out and "bundled sample" in out.err


def test_the_posts_network_on_the_full_set(train_mnist, mnist_folder):
    result = train_mnist.main([
        "--data", str(mnist_folder), "--hidden", "16", "--activation", "sigmoid",
        "--output", "sigmoid", "--cost", "quadratic", "--init", "uniform", "--bias-clamp", "0.8",
        "--momentum", "0", "--learning-rate", "0.5", "--batch-size", "10", "--epochs", "1",
        "--limit", "10000", "--dtype", "float64", "--quiet"])
    assert not result["is_sample"]
    assert result["test_accuracy"] > 0.85  # on the 10,000 test images
    assert result["network"].bias_clamp == (-0.8, 0.8)
    assert all(abs(b) <= 0.8 for l in result["network"].receiving_layers for b in l.biases)


def test_the_object_engine_on_a_few_hundred_images(train_mnist, no_full_set):
    result = train_mnist.main(["--no-download", "--engine", "object", "--limit", "300",
                               "--hidden", "16", "--epochs", "1", "--batch-size", "10",
                               "--learning-rate", "0.1", "--quiet"])
    net = result["network"]
    assert net.sizes == (784, 16, 10)
    assert len(net.output_layer[0].derivatives_of_cost_by_bias_per_sample) == 10
    assert result["test_accuracy"] > 0.3  # 300 images seen once, neuron by neuron


@pytest.mark.parametrize("flags, message", [
    (["--limit", "0"], "--limit must be a positive integer"),
    (["--bias-clamp", "-1"], "--bias-clamp must be positive"),
    (["--engine", "gpu"], "invalid choice"),
])
def test_bad_flags_exit_with_a_message(train_mnist, flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train_mnist.main(flags)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_the_example_writes_its_pictures(train_mnist, no_full_set, tmp_path, monkeypatch):
    from saved_figures import assert_size_at_dpi, record_closed_figures

    written = record_closed_figures(monkeypatch)
    result = train_mnist.main(["--no-download", "--epochs", "1", "--limit", "1000", "--quiet",
                               "--hidden", "16", "--plots", str(tmp_path)])
    names = sorted(p.name for p in result["plots"])
    assert names == ["confusion.png", "history.png", "network.png", "weights.png"]
    for path in result["plots"]:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert result["history"].validation_accuracy  # the curves include the test set
    # slide-ready: 150 dpi by default, uncropped (the file is the figure at 150 dpi)
    assert len(written) == 4
    for path, figure in zip(result["plots"], written):
        assert_size_at_dpi(path, figure["inches"], 150)
        if path.name != "network.png":  # the diagram is tested in test_drawing*
            assert figure["outside"] == [] and figure["overlapping"] == [], path.name


def test_the_training_plots_take_a_dpi_and_call_the_test_set_test(train_mnist, tmp_path,
                                                                    monkeypatch):
    import matplotlib.pyplot as plt

    from saved_figures import assert_size_at_dpi, record_closed_figures

    rng = np.random.default_rng(0)
    X, labels = rng.random((40, 784)), rng.integers(0, 10, 40)
    net = Network.layered([784, 8, 10], seed=0)
    history = net.fit(X, np.eye(10)[labels], epochs=2, validation=(X, np.eye(10)[labels]),
                      progress=False, seed=0)
    legends = []
    real_close = plt.close

    def note_legends(figure=None):  # the history figure's legends, before it is closed
        if figure is not None and hasattr(figure, "axes"):
            legends.extend(t.get_text() for ax in figure.axes if ax.get_legend()
                           for t in ax.get_legend().get_texts())
        return real_close(figure)

    monkeypatch.setattr(plt, "close", note_legends)
    written = record_closed_figures(monkeypatch)
    paths = train_mnist.write_plots(net, history, X, labels, tmp_path, dpi=60)
    for path, figure in zip(paths, written):
        assert_size_at_dpi(path, figure["inches"], 60)
    assert "test cost" in legends and "test accuracy" in legends
    assert not any("validation" in text for text in legends)
    with pytest.raises(SystemExit):
        train_mnist.main(["--dpi", "0"])
