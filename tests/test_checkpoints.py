"""fit(checkpoint=...), fit(resume=...) and Ctrl-C: stopping and going on changes nothing."""
import os
import signal

import numpy as np
import pytest

import neurograph.training.loop as training
from neurograph.engines.vectorized import VectorizedEngine
from neurograph import Network, Schedule, load
from neurograph.io import load_checkpoint


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 3))
    labels = (X.sum(axis=1) > 0).astype(int)
    return X, np.eye(2)[labels]


def fresh():
    return Network.layered([3, 5, 2], activation="tanh", output_activation="softmax",
                           cost="cross_entropy", seed=7)


SETTINGS = dict(batch_size=7, learning_rate=0.3, seed=11, progress=False)


def parameters(net):
    return [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]


def assert_same(a, b):
    for (wa, ba), (wb, bb) in zip(parameters(a), parameters(b)):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)


@pytest.mark.parametrize("engine", ["vectorized", "object"])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_resuming_from_an_epoch_checkpoint_ends_where_an_uninterrupted_run_does(
        tmp_path, engine, momentum):
    X, Y = data()
    whole = fresh()
    whole.fit(X, Y, epochs=5, engine=engine, momentum=momentum, **SETTINGS)
    first = fresh()
    path = tmp_path / "run.json"
    first.fit(X, Y, epochs=2, engine=engine, momentum=momentum, checkpoint=path, **SETTINGS)
    _, training_state = load_checkpoint(path)
    assert training_state["epoch"] == 3 and training_state["batch"] == 0
    second = fresh()  # a new process would start from a fresh network too
    history = second.fit(X, Y, epochs=5, engine=engine, momentum=momentum, resume=path,
                         **SETTINGS)
    assert len(history) == 3  # epochs 3, 4 and 5
    assert_same(second, whole)


def test_the_checkpoint_is_a_model_file_too(tmp_path):
    X, Y = data()
    net = fresh()
    path = tmp_path / "model.json"
    net.fit(X, Y, epochs=2, checkpoint=path, **SETTINGS)
    assert_same(load(path), net)
    np.testing.assert_array_equal(load(path).predict(X), net.predict(X))


def interrupt_at(monkeypatch, batch_number, real_signal=True):
    """Make Ctrl-C arrive during the given mini-batch (counting from 1 across epochs)."""
    calls = {"n": 0}
    original = VectorizedEngine.train_batch
    flags = []
    catch = training._catch_ctrl_c

    def catching(flag):
        flags.append(flag)
        return catch(flag)

    def step(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == batch_number:  # while the batch trains
            if real_signal:
                os.kill(os.getpid(), signal.SIGINT)  # handled by fit's handler, between bytecodes
            else:
                flags[-1].append(signal.SIGINT)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(training, "_catch_ctrl_c", catching)
    monkeypatch.setattr(VectorizedEngine, "train_batch", step)


@pytest.mark.parametrize("batch_number", [4, 9, 18])  # 9 batches an epoch: 9 ends epoch 1
def test_ctrl_c_stops_after_the_current_batch_saves_and_resumes_exactly(
        tmp_path, monkeypatch, batch_number):
    X, Y = data()
    whole = fresh()
    whole.fit(X, Y, epochs=3, momentum=0.5, **SETTINGS)
    path = tmp_path / "stopped.json"
    stopped = fresh()
    interrupt_at(monkeypatch, batch_number)
    with pytest.raises(KeyboardInterrupt, match="stopped after mini-batch"):
        stopped.fit(X, Y, epochs=3, momentum=0.5, checkpoint=path, **SETTINGS)
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler put back
    _, state = load_checkpoint(path)
    done = batch_number % 9
    assert (state["epoch"], state["batch"]) == (batch_number // 9 + 1, done)
    assert_same(load(path), stopped)  # the network saved is the one in hand
    last_batch = 4 if batch_number % 9 == 0 else 7  # 60 samples: 8 batches of 7, one of 4
    assert len(stopped.output_layer[0].derivatives_of_cost_by_bias_per_sample) == last_batch
    resumed = fresh()
    resumed.fit(X, Y, epochs=3, momentum=0.5, resume=path, **SETTINGS)
    assert_same(resumed, whole)


def test_ctrl_c_without_a_checkpoint_keeps_the_network_consistent(monkeypatch):
    X, Y = data()
    net = fresh()
    interrupt_at(monkeypatch, 5, real_signal=False)
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, Y, epochs=2, **SETTINGS)
    monkeypatch.undo()
    reference = fresh()  # five mini-batches of the same run
    order = np.random.default_rng(SETTINGS["seed"]).permutation(len(X))
    for b in range(5):
        rows = order[7 * b:7 * b + 7]
        reference.fit(X[rows], Y[rows], batch_size=7, learning_rate=0.3, shuffle=False,
                      progress=False)
    assert_same(net, reference)


@pytest.mark.parametrize("network, epochs, message", [
    (lambda: Network.layered([3, 4, 2], seed=0), 5, "holds a different network"),
    (fresh, 2, "past `epochs`"),
])
def test_resume_refuses_a_checkpoint_that_does_not_fit(tmp_path, network, epochs, message):
    X, Y = data()
    path = tmp_path / "run.json"
    fresh().fit(X, Y, epochs=2, checkpoint=path, **SETTINGS)
    net = network()
    before = parameters(net)
    with pytest.raises(ValueError, match=message):
        net.fit(X, Y, epochs=epochs, resume=path, **SETTINGS)
    for (w, b), (w2, b2) in zip(before, parameters(net)):
        np.testing.assert_array_equal(w, w2)


@pytest.mark.parametrize("change, message", [
    (lambda t: t.update(epoch=0), r"`training.epoch`"),
    (lambda t: t.update(batch="3"), r"`training.batch`"),
    (lambda t: t.update(rng={"bit_generator": "MT19937"}), r"`training.rng` must be the state"),
    (lambda t: t.pop("rng"), r"training"),
    (lambda t: t.update(extra=1), r"training"),
])
def test_a_damaged_training_field_is_refused(tmp_path, change, message):
    import json

    from neurograph.io import ModelFileError
    X, Y = data()
    path = tmp_path / "run.json"
    fresh().fit(X, Y, epochs=1, checkpoint=path, **SETTINGS)
    document = json.loads(path.read_text())
    change(document["training"])
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message):
        load_checkpoint(path)


def test_a_plain_model_file_is_not_a_checkpoint(tmp_path):
    from neurograph.io import ModelFileError
    path = tmp_path / "model.json"
    fresh().save(path)
    with pytest.raises(ModelFileError, match="not a checkpoint"):
        load_checkpoint(path)
    with pytest.raises(ModelFileError, match="not a checkpoint"):
        fresh().fit(*data(), epochs=2, resume=path, progress=False)


@pytest.mark.parametrize("bad", ["/no/such/folder/run.json", "."])
def test_a_checkpoint_path_that_cannot_be_written_is_refused_before_training(bad):
    X, Y = data()
    net = fresh()
    before = parameters(net)
    with pytest.raises(ValueError, match="`checkpoint` must be a file path in an existing folder"):
        net.fit(X, Y, epochs=2, checkpoint=bad, **SETTINGS)
    for (w, b), (w2, b2) in zip(before, parameters(net)):
        np.testing.assert_array_equal(w, w2)


def test_resume_refuses_a_checkpoint_with_another_cost_clamp_or_dtype(tmp_path):
    X, Y = data()
    path = tmp_path / "run.json"
    fresh().fit(X, Y, epochs=1, checkpoint=path, **SETTINGS)
    other = Network.layered([3, 5, 2], activation="tanh", output_activation="softmax",
                            cost="quadratic", seed=7)
    with pytest.raises(ValueError, match="holds a different network"):
        other.fit(X, Y, epochs=3, resume=path, **SETTINGS)


def test_ctrl_c_leaves_every_layer_the_last_batchs_lists_and_winners(monkeypatch):
    """A static convolution front-end is trained forward only, but a Ctrl-C still leaves its
    layers (and the max-pooling winners) the lists of the last mini-batch, as the object
    engine would."""
    from neurograph.convolution import convolution, max_pooling

    def conv():
        return Network.convolutional((6, 6), [convolution(), max_pooling(2)], [5, 3], seed=0)

    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 1, (40, 36)), np.eye(3)[rng.integers(0, 3, 40)]
    settings = dict(batch_size=6, learning_rate=0.1, seed=2, progress=False)
    net = conv()
    interrupt_at(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt, match="after mini-batch 3 of epoch 1"):
        net.fit(X, Y, epochs=2, **settings)
    monkeypatch.undo()
    reference = conv()  # the same three batches by the object engine
    order = np.random.default_rng(settings["seed"]).permutation(len(X))
    for b in range(3):
        rows = order[6 * b:6 * b + 6]
        reference.fit(X[rows], Y[rows], batch_size=6, learning_rate=0.1, shuffle=False,
                      engine="object", progress=False)
    for mine, theirs in zip(net.receiving_layers, reference.receiving_layers):
        assert len(mine.record) == len(mine.record.input_activations) == 6, mine
        for field in ("input_activations", "deltas"):
            np.testing.assert_allclose(np.asarray(getattr(mine.record, field)),
                                       np.asarray(getattr(theirs.record, field)), atol=1e-12)
    pool = net.layers[2]
    np.testing.assert_array_equal(np.asarray(pool.record.winners),
                                  np.asarray(reference.layers[2].record.winners))
    assert [n.winner for n in pool.neurons] != [None] * pool.size
    assert "no sample trained" not in str(net.layers[1][0].explain())


# -- schedules and epoch_size (the post's training) stop and go on bit for bit ---------------

POST_LIKE = dict(batch_size=Schedule(3, step=2), learning_rate=Schedule(0.4, factor=0.9),
                 epoch_size=25, seed=11, progress=False)


@pytest.mark.parametrize("engine", ["vectorized", "object"])
@pytest.mark.parametrize("optimizer", [None, "adam"])
def test_a_scheduled_run_resumed_from_an_epoch_checkpoint_ends_as_an_unbroken_one(
        tmp_path, engine, optimizer):
    X, Y = data()
    whole = fresh()
    whole.fit(X, Y, epochs=4, engine=engine, optimizer=optimizer, **POST_LIKE)
    path = tmp_path / "run.json"
    fresh().fit(X, Y, epochs=2, engine=engine, optimizer=optimizer, checkpoint=path,
                **POST_LIKE)
    second = fresh()
    history = second.fit(X, Y, epochs=4, engine=engine, optimizer=optimizer, resume=path,
                         **POST_LIKE)
    assert len(history) == 2
    assert_same(second, whole)
    assert second.optimizer.learning_rate == whole.optimizer.learning_rate == 0.4 * 0.9 ** 3


@pytest.mark.parametrize("batch_number", [3, 5, 9])  # epochs of 25: 9, 6, 5 batches
def test_ctrl_c_in_a_scheduled_run_resumes_exactly(tmp_path, monkeypatch, batch_number):
    X, Y = data()
    whole = fresh()
    whole.fit(X, Y, epochs=3, momentum=0.5, **POST_LIKE)
    path = tmp_path / "stopped.json"
    stopped = fresh()
    interrupt_at(monkeypatch, batch_number)
    with pytest.raises(KeyboardInterrupt, match="stopped after mini-batch"):
        stopped.fit(X, Y, epochs=3, momentum=0.5, checkpoint=path, **POST_LIKE)
    monkeypatch.undo()
    _, state = load_checkpoint(path)
    assert (state["epoch"], state["batch"]) == ((1, batch_number) if batch_number < 9
                                                 else (2, 0))
    resumed = fresh()
    history = resumed.fit(X, Y, epochs=3, momentum=0.5, resume=path, evaluate_every=2,
                          validation=(X, Y), **POST_LIKE)
    assert_same(resumed, whole)
    assert history.evaluation_samples[0] == (6 if batch_number < 9 else 10)  # counted anew


def test_resume_refuses_a_checkpoint_with_another_hidden_derivative(tmp_path):
    X, Y = data()
    path = tmp_path / "run.json"
    fresh().fit(X, Y, epochs=1, checkpoint=path, **SETTINGS)
    other = fresh()
    other.hidden_derivative = "mean"
    with pytest.raises(ValueError, match="holds a different network"):
        other.fit(X, Y, epochs=3, resume=path, **SETTINGS)
