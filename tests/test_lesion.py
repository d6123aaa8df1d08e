"""Lesions: silenced neurons and connections, restored exactly."""
import numpy as np
import pytest

from neurograph import Network, lesion_report


def test_a_silenced_neuron_is_seen_as_activation_zero_by_both_engines():
    net = Network.layered([2, 3, 1], activation="tanh", seed=0)
    hidden = net.hidden_layers[0][1]
    x = np.array([0.3, -0.8])
    with net.lesioned(hidden):
        lesioned_object = net.propagate(x)
        lesioned_vector = net.predict([x])[0]
    # by hand: the output without hidden neuron 1's contribution
    h = np.tanh(net.hidden_layers[0].weights @ x + net.hidden_layers[0].biases)
    h[1] = 0.0
    expected = np.tanh(net.output_layer.weights @ h + net.output_layer.biases)
    np.testing.assert_allclose(lesioned_object, expected, rtol=1e-12)
    np.testing.assert_allclose(lesioned_vector, expected, rtol=1e-12)
    assert not np.allclose(net.propagate(x), expected)  # restored: the neuron counts again


def test_everything_is_restored_exactly_even_on_an_exception():
    net = Network.layered([3, 4, 2], seed=1)
    before = [l.weights.copy() for l in net.receiving_layers]
    items = [net.hidden_layers[0][0], net.connections[5], net.input_layer[2]]
    with pytest.raises(RuntimeError):
        with net.lesioned(items):
            assert net.connections[5].weight == 0.0
            assert all(c.weight == 0.0 for c in net.input_layer[2].outputs)
            raise RuntimeError("boom")
    for layer, w in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)


@pytest.mark.parametrize("items, error, message", [
    (lambda n: n.output_layer[0], ValueError, "no outgoing connections to silence"),
    (lambda n: Network.layered([2, 1], seed=0).input_layer[0], ValueError, "not in this network"),
    (lambda n: [n.connections[0], "x"], TypeError, "must be neurons or connections"),
    (lambda n: 3, TypeError, "must be neurons or connections"),
])
def test_bad_items_are_refused_before_anything_changes(items, error, message):
    net = Network.layered([2, 3, 1], seed=0)
    before = [l.weights.copy() for l in net.receiving_layers]
    with pytest.raises(error, match=message):
        with net.lesioned(items(net)):
            pass
    for layer, w in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, w)


def test_the_report_lists_each_hidden_neuron_largest_drop_first():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (200, 2))
    Y = ((X[:, 0] > 0.5) != (X[:, 1] > 0.5)).astype(float).reshape(-1, 1)
    net = Network.layered([2, 6, 1], activation="tanh", seed=2, bias_clamp=None)
    net.fit(X - 0.5, Y, epochs=200, batch_size=10, learning_rate=0.5, seed=0, progress=False)
    baseline = net.evaluate(X - 0.5, Y)["accuracy"]
    report = lesion_report(net, X - 0.5, Y)
    assert [r.neuron for r in report] != [] and len(report) == 6
    assert sorted(r.neuron.index for r in report) == list(range(6))
    changes = [r.change for r in report]
    assert changes == sorted(changes)
    for result in report:
        with net.lesioned(result.neuron):
            assert net.evaluate(X - 0.5, Y)["accuracy"] == pytest.approx(result.accuracy)
        assert result.change == pytest.approx(result.accuracy - baseline)
    assert report[0].change < 0  # some neuron matters
    with pytest.raises(ValueError, match="accuracy can be measured"):
        lesion_report(net, X - 0.5, Y * 0.5)


def test_a_neuron_sending_to_two_layers_is_silenced_in_both():
    net = Network.layered([2, 3, 2, 1], connect="all", activation="tanh", seed=0)
    hidden = net.layers[1][1]
    assert {c.output_neuron.layer.index for c in hidden.outputs} == {2, 3}
    x = np.array([0.3, -0.8])
    with net.lesioned(hidden):
        assert all(c.weight == 0.0 for c in hidden.outputs)
        lesioned_object, lesioned_vector = net.propagate(x), net.predict([x])[0]
    # by hand: hidden neuron 1's activation read as 0 by both later layers
    h1, h2, out = net.layers[1], net.layers[2], net.layers[3]
    a1 = np.tanh(h1.weights @ x + h1.biases)
    a1[1] = 0.0
    a2 = np.tanh(h2.weights @ np.concatenate([x, a1]) + h2.biases)
    expected = np.tanh(out.weights @ np.concatenate([x, a1, a2]) + out.biases)
    np.testing.assert_allclose(lesioned_object, expected, rtol=1e-12)
    np.testing.assert_allclose(lesioned_vector, expected, rtol=1e-12)
    assert not np.allclose(net.propagate(x), expected)


def test_a_neuron_sending_through_dropout_and_past_it_is_silenced_on_both_paths():
    from neurograph import HiddenLayer, InputLayer, OutputLayer
    from neurograph.layers.dropout import DropoutLayer

    inputs, hidden, drop, out = InputLayer(2), HiddenLayer(3, "tanh"), DropoutLayer(3, 0.5), \
        OutputLayer(1, "identity")
    inputs.fully_connect_to(hidden, seed=0)
    drop.receive_from(hidden)
    drop.fully_connect_to(out, seed=1)
    hidden[0].connect_to(out[0], 0.75)  # and straight past the dropout layer
    net = Network([inputs, hidden, drop, out])
    x = np.array([0.5, -0.25])
    with net.lesioned(hidden[0]):
        silenced = net.predict([x])[0]
    a = np.tanh(hidden.weights @ x + hidden.biases)
    a[0] = 0.0
    expected = out.weights @ np.concatenate([a, a]) + out.biases
    np.testing.assert_allclose(silenced, expected, rtol=1e-12)


# -- the report as a table and a plot ---------------------------------------------------------

def _trained_report(hidden: int = 6):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (200, 2)) - 0.5
    Y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(float).reshape(-1, 1)
    net = Network.layered([2, hidden, 1], activation="tanh", seed=2, bias_clamp=None)
    net.fit(X, Y, epochs=200, batch_size=10, learning_rate=0.5, seed=0, progress=False)
    return net, X, Y, lesion_report(net, X, Y)


def test_the_report_is_still_a_list_of_results_and_prints_as_an_aligned_table():
    from neurograph import LesionReport, LesionResult

    net, X, Y, report = _trained_report()
    assert isinstance(report, list) and isinstance(report, LesionReport)
    assert all(isinstance(r, LesionResult) for r in report)
    assert report.baseline == pytest.approx(net.evaluate(X, Y)["accuracy"])
    lines = str(report).splitlines()
    assert f"{report.baseline:.2%}" in lines[0] and "200 samples" in lines[0]
    assert lines[1].split() == ["layer", "neuron", "accuracy", "change"]
    assert len(lines) == 2 + len(report)
    assert len({len(line) for line in lines[1:]}) == 1  # every row as wide: aligned
    for line, result in zip(lines[2:], report):
        layer, neuron, accuracy, change = line.split()
        assert (int(layer), int(neuron)) == (result.neuron.layer.index, result.neuron.index)
        assert float(accuracy.rstrip("%")) == pytest.approx(100 * result.accuracy, abs=0.005)
        assert float(change.rstrip("%")) == pytest.approx(100 * result.change, abs=0.005)


def test_the_report_shows_as_an_html_table_in_a_notebook():
    _, _, _, report = _trained_report()
    page = report._repr_html_()
    assert page.count("<tr>") == 1 + len(report)  # the header and one row per neuron
    first = report[0]
    assert (f"<td style=\"text-align:right\">{first.neuron.index}</td>"
            f"<td style=\"text-align:right\">{first.accuracy:.2%}</td>") in page
    assert f"{first.change:+.2%}" in page and f"{report.baseline:.2%}" in page


def test_an_empty_report_says_so():
    from neurograph import LesionReport

    report = LesionReport([], baseline=0.5, n_samples=4)
    assert report == [] and "no fully connected hidden neuron" in str(report)


def test_the_plot_draws_one_labelled_bar_per_neuron_largest_drop_on_top():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from figure_checks import outside_figure, overlapping_texts
    from neurograph import plot_lesion_report

    _, _, _, report = _trained_report()
    ax = plot_lesion_report(report)
    try:
        widths = [bar.get_width() for bar in ax.patches]
        assert widths == pytest.approx([100 * r.change for r in report])
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == [f"layer 1, neuron {r.neuron.index}" for r in report]
        tops = [bar.get_y() for bar in ax.patches]
        assert ax.yaxis_inverted() and tops == sorted(tops)  # the first bar highest
        assert outside_figure(ax.figure) == []
        assert overlapping_texts(ax.figure) == []
    finally:
        plt.close(ax.figure)


def test_a_long_report_draws_the_largest_drops_and_says_how_many_are_left_out():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from figure_checks import outside_figure, overlapping_texts
    from neurograph import plot_lesion_report

    _, _, _, report = _trained_report(hidden=40)
    ax = plot_lesion_report(report, max_neurons=15)
    try:
        assert len(ax.patches) == 15
        assert [bar.get_width() for bar in ax.patches] == \
            pytest.approx([100 * r.change for r in report[:15]])
        notes = [t.get_text() for t in ax.texts if "25 more neurons" in t.get_text()]
        assert len(notes) == 1
        assert outside_figure(ax.figure) == []
        assert overlapping_texts(ax.figure) == []
    finally:
        plt.close(ax.figure)


@pytest.mark.parametrize("report, max_neurons, error, message", [
    (3, 20, TypeError, "`report` must be what lesion_report returns"),
    ([1.0, 2.0], 20, TypeError, "`report` must hold LesionResult items"),
    ([], 0, ValueError, "max_neurons"),
])
def test_the_plot_refuses_what_is_not_a_report(report, max_neurons, error, message):
    import matplotlib.pyplot as plt
    from neurograph import plot_lesion_report

    before = plt.get_fignums()
    with pytest.raises(error, match=message):
        plot_lesion_report(report, max_neurons=max_neurons)
    assert plt.get_fignums() == before  # refused before drawing
