"""fit's settings by epoch (Schedule or a callable), epoch_size, and evaluate_every."""
import numpy as np
import pytest

from neurograph import Network, Schedule
from neurograph.optimizers import SGD, Adam


def data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 3))
    labels = (X.sum(axis=1) > 0).astype(int)
    return X, np.eye(2)[labels]


def fresh(seed=7):
    return Network.layered([3, 5, 2], activation="tanh", seed=seed)


def parameters(net):
    return [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]


def assert_same(a, b):
    for (wa, ba), (wb, bb) in zip(parameters(a), parameters(b)):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)


# -- Schedule --------------------------------------------------------------------------------

def test_a_schedule_gives_the_posts_values_and_says_what_it_is():
    batch, rate = Schedule(50, step=10), Schedule(1.0, factor=0.97)
    assert [batch(i) for i in range(12)] == [50 + 10 * i for i in range(12)]
    assert all(type(batch(i)) is int for i in range(12))
    assert [rate(i) for i in range(12)] == pytest.approx([0.97 ** i for i in range(12)],
                                                         rel=1e-15)
    assert Schedule(3, step=2, factor=0.5)(2) == 3 * 0.25 + 4
    assert repr(batch) == "Schedule(50, step=10)"
    assert repr(rate) == "Schedule(1.0, factor=0.97)"
    assert repr(Schedule(0.1)) == "Schedule(0.1)"
    assert Schedule(50, step=10) == Schedule(50, step=10) != Schedule(50)


@pytest.mark.parametrize("kwargs, message", [
    (dict(start="1"), "`start` must be a number, got '1'"),
    (dict(start=float("nan")), "`start` must be finite"),
    (dict(start=1, step=float("inf")), "`step` must be finite"),
    (dict(start=1, factor=0), "`factor` must be a finite positive number, got 0"),
    (dict(start=True), "`start` must be a number"),
])
def test_a_bad_schedule_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Schedule(**kwargs)


# -- by epoch --------------------------------------------------------------------------------

def test_a_schedule_trains_as_epochs_fitted_one_by_one_with_its_values():
    X, Y = data()
    scheduled = fresh()
    scheduled.fit(X, Y, epochs=3, batch_size=Schedule(4, step=3),
                  learning_rate=Schedule(0.5, factor=0.5), seed=5, progress=False)
    by_hand = fresh()
    rng = np.random.default_rng(5)  # one generator across the calls: the same shuffles
    for batch_size, rate in [(4, 0.5), (7, 0.25), (10, 0.125)]:
        by_hand.fit(X, Y, epochs=1, batch_size=batch_size, learning_rate=rate, seed=rng,
                    progress=False)
    assert_same(scheduled, by_hand)
    assert not np.array_equal(parameters(fresh())[0][0], parameters(scheduled)[0][0])


@pytest.mark.parametrize("make", [lambda r: SGD(r, momentum=0.5), lambda r: Adam(r)])
def test_a_schedule_sets_an_optimizer_objects_learning_rate_each_epoch(make):
    X, Y = data()
    scheduled, optimizer = fresh(), make(99.0)  # 99 is replaced before the first nudge
    scheduled.fit(X, Y, epochs=3, batch_size=6, learning_rate=lambda i: 0.1 / (i + 1),
                  optimizer=optimizer, seed=2, progress=False)
    assert optimizer.learning_rate == pytest.approx(0.1 / 3)  # the last epoch's stays
    by_hand, other = fresh(), make(0.1)
    rng = np.random.default_rng(2)
    for i in range(3):
        other.learning_rate = 0.1 / (i + 1)
        by_hand.fit(X, Y, epochs=1, batch_size=6, optimizer=other, seed=rng, progress=False)
    assert_same(scheduled, by_hand)


def test_a_plain_learning_rate_with_an_optimizer_object_is_still_refused():
    with pytest.raises(ValueError, match="give `learning_rate` and `momentum` to the optimizer"):
        fresh().fit(*data(), learning_rate=0.1, optimizer=Adam(), progress=False)


def failing(i):
    raise ZeroDivisionError("no")


@pytest.mark.parametrize("settings, message", [
    (dict(learning_rate=lambda i: 0.1 if i < 3 else -0.1),
     r"`learning_rate` for epoch index 3 \(0-based\) must be a finite positive number, "
     r"got -0.1"),
    (dict(learning_rate=lambda i: [0.1, float("nan")][i]),
     r"`learning_rate` for epoch index 1 \(0-based\) must be a finite positive number, got nan"),
    (dict(learning_rate=lambda i: "fast"), "`learning_rate` for epoch index 0"),
    (dict(batch_size=lambda i: 10 - 3 * i),
     r"`batch_size` for epoch index 4 \(0-based\) must be a positive integer, got -2"),
    (dict(batch_size=Schedule(5, factor=0.5)),
     r"`batch_size` for epoch index 0 \(0-based\) must be a positive integer, got 5.0"),
    (dict(batch_size=failing), r"`batch_size` failed for epoch index 0: ZeroDivisionError"),
    (dict(epoch_size=0), "`epoch_size` must be a positive integer, got 0"),
    (dict(epoch_size=31), "`epoch_size` must be at most the number of samples, 30, got 31"),
    (dict(epoch_size=2.5), "`epoch_size` must be a positive integer"),
    (dict(evaluate_every=0), "`evaluate_every` must be a positive integer, got 0"),
    (dict(evaluate_every=5), "`evaluate_every` needs a `validation` set"),
])
def test_bad_settings_of_any_epoch_are_refused_and_change_nothing(settings, message):
    X, Y = data()
    net, optimizer = fresh(), SGD(0.3, momentum=0.9)
    net.fit(X, Y, epochs=1, optimizer=optimizer, progress=False)  # some velocity to keep
    before = parameters(net), optimizer.snapshot()[0], net.optimizer.learning_rate
    settings = {"epochs": 5, "learning_rate": 0.1, **settings}
    with pytest.raises(ValueError, match=message):
        net.fit(X, Y, progress=False, **settings)
    assert_same_as(net, before)


def assert_same_as(net, before):
    params, steps, rate = before
    for (wa, ba), (wb, bb) in zip(params, parameters(net)):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)
    assert (net.optimizer.snapshot()[0], net.optimizer.learning_rate) == (steps, rate)


def test_a_schedule_is_asked_only_for_the_epochs_of_the_call():
    X, Y = data()
    asked = []
    rates = [0.3, 0.2]
    fresh().fit(X, Y, epochs=2, learning_rate=lambda i: asked.append(i) or rates[i],
                progress=False)
    assert asked == [0, 1]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point
def test_a_diverging_scheduled_run_puts_the_optimizers_learning_rate_back():
    X, Y = data()
    net = Network.layered([3, 5, 2], activation="identity", bias_clamp=None, seed=0)
    optimizer = SGD(0.5)
    before = parameters(net)
    with pytest.raises(FloatingPointError, match="training diverged"):
        net.fit(X, Y, epochs=3, optimizer=optimizer, learning_rate=lambda i: 0.01 * 1e3 ** i,
                progress=False)
    assert optimizer.learning_rate == 0.5
    assert_same_as(net, (before, 0, 0.1))  # the network's own SGD as it was, too


# -- epoch_size ------------------------------------------------------------------------------

def test_an_epoch_trains_the_first_epoch_size_samples_of_its_shuffle():
    X, Y = data()
    net = fresh()
    history = net.fit(X, Y, epochs=2, epoch_size=12, batch_size=5, learning_rate=0.3, seed=4,
                      progress=False)
    reference = fresh()
    rng = np.random.default_rng(4)
    for _ in range(2):
        rows = rng.permutation(30)[:12]  # no sample twice in an epoch
        reference.fit(X[rows], Y[rows], batch_size=5, learning_rate=0.3, shuffle=False,
                      progress=False)
    assert_same(net, reference)
    assert len(history) == 2
    # the last mini-batch (12 = 5 + 5 + 2) left its per-sample lists
    assert len(net.output_layer[0].derivatives_of_cost_by_bias_per_sample) == 2


def test_epoch_size_all_of_them_is_the_default_bit_for_bit():
    X, Y = data()
    a, b = fresh(), fresh()
    a.fit(X, Y, epochs=2, batch_size=4, seed=1, progress=False)
    b.fit(X, Y, epochs=2, batch_size=4, seed=1, epoch_size=30, progress=False)
    assert_same(a, b)


def test_without_shuffle_an_epoch_is_the_first_epoch_size_samples():
    X, Y = data()
    a, b = fresh(), fresh()
    a.fit(X, Y, epochs=2, batch_size=4, epoch_size=10, shuffle=False, progress=False)
    b.fit(X[:10], Y[:10], epochs=2, batch_size=4, shuffle=False, progress=False)
    assert_same(a, b)


# -- evaluate_every --------------------------------------------------------------------------

def test_evaluations_at_the_end_of_each_epoch_agree_with_the_epoch_measurements():
    X, Y = data()
    X_val, Y_val = data(20, seed=9)
    history = fresh().fit(X, Y, epochs=3, batch_size=5, evaluate_every=6, seed=0,
                          validation=(X_val, Y_val), progress=False)  # 6 batches an epoch
    assert history.evaluation_samples == [30, 60, 90]
    assert history.evaluation_cost == history.validation_cost
    assert history.evaluation_accuracy == history.validation_accuracy
    np.testing.assert_allclose(history.evaluation_training_cost, history.cost, rtol=1e-12)


def test_evaluations_every_n_batches_across_epochs_and_schedules():
    X, Y = data()
    X_val, Y_val = data(20, seed=9)
    net = fresh()
    history = net.fit(X, Y, epochs=3, batch_size=Schedule(5, step=5), evaluate_every=2,
                      epoch_size=20, seed=0, validation=(X_val, Y_val), progress=False)
    # batches of 5, 5, 5, 5 | 10, 10 | 15, 5: evaluations after batches 2, 4, 6, 8
    assert history.evaluation_samples == [10, 20, 40, 60]
    # the training cost windows cover every sample once: their weighted sum is the epochs'
    sizes = np.diff([0] + history.evaluation_samples)
    np.testing.assert_allclose(np.dot(history.evaluation_training_cost, sizes),
                               20 * np.sum(history.cost), rtol=1e-12)
    # the last evaluation is of the network as it ends
    assert history.evaluation_cost[-1] == pytest.approx(net.evaluate(X_val, Y_val)["cost"],
                                                        rel=1e-15)
    assert history.evaluation_accuracy[-1] == net.evaluate(X_val, Y_val)["accuracy"]
    assert len(set(history.evaluation_cost)) == 4  # each measured anew
    as_dict = history.as_dict()
    for name in ("evaluation_samples", "evaluation_cost", "evaluation_accuracy",
                 "evaluation_training_cost"):
        assert as_dict[name] == getattr(history, name)
    assert as_dict["cost"] == history.cost and len(history) == 3


def test_evaluations_change_no_parameter():
    X, Y = data()
    a, b = fresh(), fresh()
    a.fit(X, Y, epochs=2, batch_size=4, seed=3, progress=False)
    history = b.fit(X, Y, epochs=2, batch_size=4, seed=3, evaluate_every=1, validation=(X, Y),
                    progress=False)
    assert_same(a, b)
    assert len(history.evaluation_samples) == 16  # 8 batches an epoch
    assert history.evaluation_samples[:3] == [4, 8, 12]


def test_without_evaluate_every_the_evaluation_lists_are_empty():
    history = fresh().fit(*data(), validation=data(10, seed=1), progress=False)
    assert history.evaluation_samples == history.evaluation_cost == []
    assert len(history.validation_cost) == 1
