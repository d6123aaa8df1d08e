"""Dropout: active in fit, off in predict and evaluate, the same masks in both engines."""
import numpy as np
import pytest

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer
from neurograph.layers import DropoutLayer, dropout
from neurograph.optimizers import Adam


def build(rate=0.4, seed=3):
    inputs, hidden = InputLayer(6), HiddenLayer(5, "tanh")
    inputs.fully_connect_to(hidden, seed=1)
    drop = DropoutLayer(hidden, rate, seed=seed)
    output = OutputLayer(3, "sigmoid")
    net = Network([inputs, hidden, drop, output], bias_clamp=None)
    drop.fully_connect_to(output, seed=2)
    return net


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 6)), rng.uniform(0, 1, (n, 3))


def assert_same(a, b, tolerance=1e-9):
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        for name in la.parameter_names:
            np.testing.assert_allclose(la.parameter(name), lb.parameter(name), rtol=0,
                                       atol=tolerance)
        for field in ("input_activations", "deltas"):
            np.testing.assert_allclose(np.asarray(getattr(la.record, field)),
                                       np.asarray(getattr(lb.record, field)), rtol=0,
                                       atol=tolerance)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_the_engines_draw_the_same_masks_and_stay_equal(optimizer):
    X, Y = data()
    by_objects, vectorized = build(), build()
    for net, engine in ((by_objects, "object"), (vectorized, "vectorized")):
        net.fit(X, Y, epochs=3, batch_size=5, learning_rate=0.3 if optimizer == "sgd" else 0.01,
                optimizer=optimizer, engine=engine, seed=0, progress=False)
    assert_same(by_objects, vectorized)
    assert by_objects.layers[2].rng.bit_generator.state == \
        vectorized.layers[2].rng.bit_generator.state


def test_dropout_acts_in_training_only():
    X, Y = data()
    net = build(rate=0.5)
    drop = net.layers[2]
    before = net.predict(X)
    # outside training the layer passes its inputs on: the same as without it
    plain = Network.layered([6, 5, 3])
    for target, source in ((plain.layers[1], net.layers[1]), (plain.layers[2], net.layers[3])):
        target.weights[...] = source.weights
        target.biases[...] = source.biases
    plain.layers[1].activation_function = net.layers[1].activation_function
    np.testing.assert_array_equal(before, plain.predict(X))
    np.testing.assert_array_equal(net.predict(X), net.predict(X))  # no mask drawn
    assert [c.weight for n in drop.neurons for c in n.inputs] == [1.0] * drop.size
    net.fit(X, Y, epochs=1, batch_size=24, learning_rate=0.1, seed=0, progress=False)
    # the record of the batch shows dropped neurons: some activations exactly 0
    inputs = np.asarray(net.layers[3].record.input_activations)
    assert (inputs == 0).any() and (inputs != 0).any()
    kept = inputs != 0
    hidden_a = np.asarray(drop.record.input_activations)
    np.testing.assert_allclose(inputs[kept], 2.0 * hidden_a[kept])


def test_a_rate_of_zero_trains_as_without_dropout():
    X, Y = data()
    net = build(rate=0.0)
    plain = Network.layered([6, 5, 3], bias_clamp=None)
    for target, source in ((plain.layers[1], net.layers[1]), (plain.layers[2], net.layers[3])):
        target.weights[...] = source.weights
        target.biases[...] = source.biases
        target.activation_function = source.activation_function
    for n in (net, plain):
        n.fit(X, Y, epochs=2, batch_size=6, learning_rate=0.2, seed=0, progress=False)
    np.testing.assert_array_equal(net.layers[3].weights, plain.layers[2].weights)
    np.testing.assert_array_equal(net.layers[1].weights, plain.layers[1].weights)


def test_the_gradient_check_sees_no_mask_and_passes():
    from neurograph import gradient_check

    X, Y = data(2)
    result = gradient_check(build(), X[0], Y[0])
    assert result.max_relative_error < 1e-6


@pytest.mark.parametrize("make, message", [
    (lambda: DropoutLayer(4, 1.0), r"`rate` must be in \[0, 1\), got 1.0"),
    (lambda: DropoutLayer(4, -0.1), r"`rate` must be in \[0, 1\)"),
    (lambda: DropoutLayer(4, "half"), r"`rate` must be a number in \[0, 1\), got 'half'"),
    (lambda: DropoutLayer(0, 0.5), r"`previous` must be 1 to 3 positive integers"),
])
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_dropout_switch_is_not_a_parameter_and_is_explained():
    net = build()
    connection = net.layers[2].neurons[0].inputs[0]
    with pytest.raises(AttributeError, match="not a parameter"):
        connection.weight = 0.5
    assert "dropout switch" in str(connection.explain())
    with pytest.raises(ValueError, match="dropout switches"):
        with net.lesioned(connection):
            pass


def test_dropout_joins_a_convolutional_front():
    from neurograph.convolution import convolution, max_pooling

    net = Network.convolutional((6, 6), [convolution(2, kernel_size=3, learn=True),
                                         max_pooling(2), dropout(0.25, seed=0)], [3], seed=0)
    assert isinstance(net.layers[3], DropoutLayer) and net.layers[3].shape == (2, 2, 2)
    X = np.random.default_rng(0).uniform(0, 1, (10, 36))
    Y = np.eye(3)[np.arange(10) % 3]
    a, b = (Network.convolutional((6, 6), [convolution(2, kernel_size=3, learn=True),
                                           max_pooling(2), dropout(0.25, seed=0)], [3], seed=0)
            for _ in range(2))
    for n, engine in ((a, "object"), (b, "vectorized")):
        n.fit(X, Y, epochs=2, batch_size=5, optimizer=Adam(0.01), engine=engine, seed=0,
              progress=False)
    assert_same(a, b)


def test_a_dropout_layer_is_drawn_with_one_switch_per_neuron_and_exported():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurograph import draw_network

    net = build()
    ax = draw_network(net)
    try:
        lines = next(c for c in ax.collections if c.get_gid() == "connections")
        segments = lines.get_segments()
        assert len(segments) == 30 + 5 + 15
        xs = sorted({round(float(s[0][0]), 6) for s in segments})
        switches = [s for s in segments if round(float(s[0][0]), 6) == xs[1]]
        assert len(switches) == 5 and all(s[0][1] == s[1][1] for s in switches)  # level
        assert any("dropout 0.4" in t.get_text() for t in ax.texts + ax.get_xticklabels())
    finally:
        plt.close(ax.figure)
    graph = net.to_networkx()
    assert graph.number_of_edges() == 50
    assert graph.edges[(1, 2), (2, 2)] == {"weight": 1.0, "dropout": 0.4}


def test_a_dropout_network_saves_and_loads_and_a_resumed_run_draws_the_same_masks(tmp_path):
    import json

    from neurograph import load

    X, Y = data()
    whole, first = build(), build()
    whole.fit(X, Y, epochs=4, batch_size=6, learning_rate=0.2, seed=0, progress=False)
    path = tmp_path / "run.json"
    first.fit(X, Y, epochs=2, batch_size=6, learning_rate=0.2, seed=0, checkpoint=path,
              progress=False)
    document = json.loads(path.read_text())
    assert document["version"] == 3
    assert document["layers"][2]["kind"] == "dropout" and document["layers"][2]["rate"] == 0.4
    loaded = load(path)
    assert isinstance(loaded.layers[2], DropoutLayer)
    np.testing.assert_array_equal(loaded.predict(X), first.predict(X))
    assert loaded.layers[2].rng.bit_generator.state == first.layers[2].rng.bit_generator.state
    resumed = build()
    resumed.fit(X, Y, epochs=4, batch_size=6, learning_rate=0.2, seed=0, resume=path,
                progress=False)
    for a, b in zip(resumed.receiving_layers, whole.receiving_layers):
        assert a.weights.tobytes() == b.weights.tobytes()
        assert a.biases.tobytes() == b.biases.tobytes()


@pytest.mark.parametrize("edit, message", [
    (lambda layer: layer.update(rate=1.5), r"`layers\[2\].rate` must be in \[0, 1\), got 1.5"),
    (lambda layer: layer.update(rng={"bit_generator": "MT19937"}),
     r"`layers\[2\].rng` must be the state of numpy's PCG64 generator"),
    (lambda layer: layer.update(size=4), r"`layers\[2\].size` must be the 5 neurons"),
    (lambda layer: layer.update(weights=[]), r"unknown|weights"),
])
def test_a_damaged_dropout_layer_is_refused(tmp_path, edit, message):
    import json

    from neurograph import load
    from neurograph.io import ModelFileError

    path = tmp_path / "net.json"
    build().save(path)
    document = json.loads(path.read_text())
    edit(document["layers"][2])
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message):
        load(path)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_failed_fit_puts_the_generator_back_too():
    X, Y = data()
    X[20, 0] = np.nan  # reaches a weight in the last batch
    net = build()
    before = net.layers[2].rng.bit_generator.state
    with pytest.raises(ValueError, match="`X` must be finite"):
        net.fit(X, Y, epochs=1, batch_size=6, learning_rate=0.2, progress=False)
    assert net.layers[2].rng.bit_generator.state == before


def test_a_lesioned_neuron_before_a_dropout_layer_is_silenced_through_it():
    from neurograph import lesion_report

    X, Y = data()
    Y = np.eye(3)[Y.argmax(axis=1)]
    net = build()
    hidden = net.layers[1][2]
    with net.lesioned(hidden):
        # the dropout neuron carrying it on sends nothing: as if its activation were 0
        assert [c.weight for c in net.layers[2][2].outputs] == [0.0] * 3
    report = lesion_report(net, X, Y)
    assert [r.neuron for r in report] != [] and {r.neuron.layer.index for r in report} == {1}


def test_a_trace_applies_dropout_as_train_batch_does():
    X, Y = data(6)
    traced, trained = build(), build()
    traced.trace(X, Y, 0.3)
    trained.train_batch(X, Y, 0.3)
    for a, b in zip(traced.receiving_layers, trained.receiving_layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    assert traced.layers[2].rng.bit_generator.state == trained.layers[2].rng.bit_generator.state
    assert (np.asarray(traced.layers[3].record.input_activations) == 0).any()  # some dropped


def test_a_rejected_train_batch_puts_the_generator_back(monkeypatch):
    import neurograph.engines.object as engine

    def diverging(network, optimizer):
        raise FloatingPointError("nudge_parameters stopped: the weight of ... must be finite")

    X, Y = data(6)
    net = build()
    before = net.layers[2].rng.bit_generator.state
    monkeypatch.setattr(engine, "nudge_parameters", diverging)
    with pytest.raises(FloatingPointError, match="nudge_parameters stopped"):
        net.train_batch(X, Y, 0.1)
    assert net.layers[2].rng.bit_generator.state == before  # the masks drawn are undrawn
