"""Callbacks: called after every epoch or mini-batch with what stands; one may stop training."""
import numpy as np
import pytest

from neurograph import Network


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


def test_epoch_and_batch_callbacks_see_the_training_as_it_goes():
    X, Y = data()
    seen = []

    def after_epoch(event):
        seen.append(("epoch", event.epoch, event.batch, event.samples, len(event.history.cost)))

    def after_batch(event):
        seen.append(("batch", event.epoch, event.batch, event.samples,
                     float(event.network.output_layer.weights[0, 0])))

    after_batch.every = "batch"
    net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    net.fit(X, Y, epochs=2, batch_size=16, learning_rate=0.5, seed=0, progress=False,
            callbacks=[after_epoch, after_batch])
    kinds = [entry[:4] for entry in seen]
    assert kinds == [("batch", 1, 1, 16), ("batch", 1, 2, 32), ("batch", 1, 3, 40),
                     ("epoch", 1, None, 40), ("batch", 2, 1, 56), ("batch", 2, 2, 72),
                     ("batch", 2, 3, 80), ("epoch", 2, None, 80)]
    assert [entry[4] for entry in seen if entry[0] == "epoch"] == [1, 2]  # history so far
    weights = [entry[4] for entry in seen if entry[0] == "batch"]
    assert len(set(weights)) == len(weights)  # each call sees the network after its batch


def test_a_callback_stops_training_cleanly_at_the_end_of_the_epoch(tmp_path):
    X, Y = data()

    def stop_in_epoch_2(event):
        if event.epoch == 2 and event.batch == 1:
            event.stop()

    stop_in_epoch_2.every = "batch"
    net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    path = tmp_path / "run.json"
    history = net.fit(X, Y, epochs=5, batch_size=16, learning_rate=0.5, seed=0,
                      progress=False, callbacks=[stop_in_epoch_2], checkpoint=path)
    assert len(history) == 2  # epoch 2 finished, then no more
    # the same two epochs without a callback: the same network, the last batch's lists
    plain = Network.layered([2, 4, 1], activation="tanh", seed=0)
    plain.fit(X, Y, epochs=2, batch_size=16, learning_rate=0.5, seed=0, progress=False)
    for a, b in zip(net.receiving_layers, plain.receiving_layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(np.asarray(a.record.deltas), np.asarray(b.record.deltas))
    from neurograph.io import load_checkpoint

    assert load_checkpoint(path)[1]["epoch"] == 3


def test_an_epoch_callback_that_stops_leaves_its_epochs_last_batch_recorded():
    X, Y = data()
    net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    net.fit(X, Y, epochs=4, batch_size=16, learning_rate=0.5, seed=0, progress=False,
            callbacks=[lambda event: event.stop()])
    assert len(net.output_layer.record) == 8  # 40 = 16 + 16 + 8


@pytest.mark.parametrize("callbacks, message", [
    (3, "`callbacks` must be a list of callables"),
    ([3], "`callbacks` must hold callables"),
])
def test_bad_callbacks_are_refused_before_training(callbacks, message):
    X, Y = data()
    net = Network.layered([2, 4, 1], seed=0)
    before = net.output_layer.weights.copy()
    with pytest.raises(ValueError, match=message):
        net.fit(X, Y, progress=False, callbacks=callbacks)
    np.testing.assert_array_equal(net.output_layer.weights, before)


def test_a_callback_with_an_unknown_every_is_refused():
    def callback(event):
        pass

    callback.every = "sample"
    with pytest.raises(ValueError, match="'batch', 'epoch' or 'both'"):
        Network.layered([2, 1], seed=0).fit(*data(), progress=False, callbacks=[callback])


def test_a_callback_may_be_told_after_every_batch_and_every_epoch():
    X, Y = data()
    seen = []

    def both(event):
        seen.append((event.epoch, event.batch, event.epochs, event.last))

    both.every = "both"
    Network.layered([2, 4, 1], seed=0).fit(X, Y, epochs=2, batch_size=20, learning_rate=0.5,
                                           seed=0, progress=False, callbacks=[both])
    assert seen == [(1, 1, 2, False), (1, 2, 2, False), (1, None, 2, False),
                    (2, 1, 2, False), (2, 2, 2, False), (2, None, 2, True)]
