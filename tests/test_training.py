"""fit, predict and evaluate: the training API over a data set."""
import numpy as np
import pytest

from neurograph import History, Network


def blobs(n=200, seed=0):
    """Three separable clusters in the plane, one-hot labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.array([[0.2, 0.2], [0.8, 0.3], [0.5, 0.9]])
    X = centres[labels] + rng.normal(0, 0.05, (n, 2))
    return X, np.eye(3)[labels], labels


def test_fit_learns_and_reports_each_epoch():
    X, Y, labels = blobs()
    net = Network.layered([2, 8, 3], activation="tanh", output_activation="softmax",
                          cost="cross_entropy", init="xavier", seed=0)
    history = net.fit(X, Y, epochs=15, batch_size=10, learning_rate=0.5, seed=0,
                      validation=(X[:50], Y[:50]), progress=False)
    assert isinstance(history, History) and len(history) == 15
    assert history.cost[-1] < 0.5 * history.cost[0]
    assert history.accuracy[-1] > 0.95
    assert len(history.validation_cost) == len(history.validation_accuracy) == 15
    assert all(s > 0 for s in history.seconds)
    assert np.mean(net.predict(X).argmax(axis=1) == labels) == pytest.approx(
        net.evaluate(X, Y)["accuracy"])
    assert history.validation_accuracy[-1] == pytest.approx(net.evaluate(X[:50], Y[:50])["accuracy"])
    assert history.as_dict()["cost"] == history.cost


def test_training_accuracy_for_one_zero_or_one_output_and_none_for_regression():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 10, dtype=float)
    Y = (X[:, :1] != X[:, 1:]).astype(float)  # XOR
    net = Network.layered([2, 6, 1], activation="tanh", seed=1, bias_clamp=None)
    history = net.fit(X, Y, epochs=200, batch_size=4, learning_rate=0.5, seed=0, progress=False)
    assert history.accuracy[-1] == 1.0
    regression = Network.layered([2, 1], seed=0).fit(X, Y * 0.5, progress=False)
    assert regression.accuracy == [None]


def test_fit_is_reproducible_with_a_seed():
    X, Y, _ = blobs()
    a = Network.layered([2, 5, 3], seed=3)
    b = Network.layered([2, 5, 3], seed=3)
    a.fit(X, Y, epochs=2, seed=11, progress=False)
    b.fit(X, Y, epochs=2, seed=11, progress=False)
    np.testing.assert_array_equal(a.output_layer.weights, b.output_layer.weights)
    c = Network.layered([2, 5, 3], seed=3)
    c.fit(X, Y, epochs=2, seed=12, progress=False)
    assert not np.array_equal(a.output_layer.weights, c.output_layer.weights)


def test_progress_prints_a_line_per_epoch(capsys):
    X, Y, _ = blobs(50)
    Network.layered([2, 3, 3], seed=0).fit(X, Y, epochs=3, validation=(X, Y), progress=True)
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"]
    assert "accuracy" in lines[-1] and "validation accuracy" in lines[-1]


def test_the_held_out_set_is_called_what_fit_is_told_in_every_picture_of_it(capsys):
    import re

    import matplotlib.pyplot as plt

    from neurograph import plot_history

    X, Y, _ = blobs(50)
    history = Network.layered([2, 3, 3], seed=0).fit(X, Y, epochs=2, validation=(X, Y),
                                                     validation_name="test")
    lines = capsys.readouterr().err.strip().splitlines()
    assert "test cost" in lines[-1] and "test accuracy" in lines[-1]
    assert "validation" not in "".join(lines)
    assert history.validation_name == "test"
    cost_ax, accuracy_ax = plot_history(history)
    labels = [line.get_label() for ax in (cost_ax, accuracy_ax) for line in ax.lines]
    assert "test cost" in labels and "test accuracy" in labels
    assert not any("validation" in label for label in labels)
    plt.close(cost_ax.figure)
    header = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", history._repr_html_())
    assert "test cost" in header and "test accuracy" in header
    unnamed = Network.layered([2, 3, 3], seed=0).fit(X, Y, validation=(X, Y), progress=False)
    assert unnamed.validation_name == "validation"


@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=0), "`epochs` must be a positive integer, got 0"),
    (dict(epochs=1.5), "`epochs` must be a positive integer"),
    (dict(batch_size=0), "`batch_size` must be a positive integer"),
    (dict(learning_rate=-1.0), "`learning_rate` must be a finite positive number"),
    (dict(learning_rate=float("nan")), "`learning_rate` must be a finite positive number"),
    (dict(momentum=1.0), r"`momentum` must be in \[0, 1\)"),
    (dict(momentum=-0.1), r"`momentum` must be in \[0, 1\)"),
    (dict(engine="gpu"), "`engine` must be one of vectorized, object, got 'gpu'"),
    (dict(validation=([[0.0, 0.0]],)), r"`validation` must be a pair \(X, Y\)"),
    (dict(validation=([[0.0, 0.0]], [[1.0, 0.0]])), r"`validation Y` must have shape \(n_samples, 3\)"),
    (dict(validation_name=""), "`validation_name` must be a non-empty string"),
    (dict(validation_name=3), "`validation_name` must be a non-empty string"),
    (dict(X=np.zeros((5, 3))), r"`X` must have shape \(n_samples, 2\), got \(5, 3\)"),
    (dict(Y=np.zeros((4, 3))), "`X` and `Y` must hold as many samples, got 5 and 4"),
    (dict(X=np.full((5, 2), np.inf)), r"`X` must be finite, got inf at index \(0, 0\)"),
    (dict(Y=np.full((5, 3), 2.0)), r"`Y` must lie in \[0, 1\] for the cross_entropy cost"),
])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_bad_fit_arguments_are_refused_and_change_nothing(kwargs, message):
    net = Network.layered([2, 4, 3], output_activation="softmax", cost="cross_entropy", seed=0)
    arguments = dict(X=np.zeros((5, 2)), Y=np.eye(3)[[0, 1, 2, 0, 1]], progress=False)
    arguments.update(kwargs)
    before = [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]
    with pytest.raises(ValueError, match=message):
        net.fit(**arguments)
    for layer, (w, b) in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)
        np.testing.assert_array_equal(layer.biases, b)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("engine", ["vectorized", "object"])
def test_divergence_stops_with_the_parameter_named_and_the_network_as_before(engine):
    net = Network.layered([1, 2, 1], activation="identity", seed=0, bias_clamp=None)
    X = np.array([[1e200], [1e200]])
    Y = np.zeros((2, 1))
    before = [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]
    with pytest.raises(FloatingPointError, match=r"(weight|bias) of (Connection|HiddenNeuron|Output)"):
        net.fit(X, Y, batch_size=2, learning_rate=1.0, engine=engine, progress=False)
    for layer, (w, b) in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)
        np.testing.assert_array_equal(layer.biases, b)


def test_predict_and_evaluate_check_shapes():
    net = Network.layered([2, 3, 1], seed=0)
    assert net.predict(np.zeros((4, 2))).shape == (4, 1)
    with pytest.raises(ValueError, match=r"`X` must have shape \(n_samples, 2\)"):
        net.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="at least one sample"):
        net.predict(np.zeros((0, 2)))
    result = net.evaluate([[0.0, 0.0]], [[1.0]])
    assert result["accuracy"] in (0.0, 1.0)
    assert result["cost"] == pytest.approx(net.cost([0.0, 0.0], [1.0]))


@pytest.mark.parametrize("engine", ["vectorized", "object"])
def test_a_nan_deep_in_the_data_names_its_row_and_undoes_the_batches_before_it(engine):
    X, Y, _ = blobs(100)
    X[37, 1] = np.nan
    net = Network.layered([2, 4, 3], seed=0)
    net.fit(X[:10], Y[:10], progress=False)  # some per-sample lists to keep
    before = [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]
    lists = [c.derivatives_of_cost_by_weight_per_sample for c in net.connections]
    with pytest.raises(ValueError, match=r"`X` must be finite, got nan at index \(37, 1\)"):
        net.fit(X, Y, epochs=2, batch_size=5, seed=0, engine=engine, progress=False)
    for layer, (w, b) in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)
        np.testing.assert_array_equal(layer.biases, b)
    assert [c.derivatives_of_cost_by_weight_per_sample for c in net.connections] == lists
