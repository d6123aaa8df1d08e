"""The live view: a callback that redraws the diagram, the cost and the boundary as fit runs."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import neurograph  # noqa: E402
from neurograph import LiveView, Network  # noqa: E402


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


class FakeClock:
    """Advances by ``step`` seconds at every reading."""

    def __init__(self, step):
        self.step, self.now = step, 0.0

    def __call__(self):
        self.now += self.step
        return self.now


def fit(net, X, Y, view, epochs=3):
    return net.fit(X, Y, epochs=epochs, batch_size=10, learning_rate=0.5, seed=0,
                   progress=False, callbacks=[view])


def inside(figure):
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    box = figure.bbox
    for ax in figure.axes:
        tight = ax.get_tightbbox(renderer)
        assert tight.x0 >= box.x0 - 1 and tight.y0 >= box.y0 - 1, ax
        assert tight.x1 <= box.x1 + 1 and tight.y1 <= box.y1 + 1, ax


def test_the_view_is_exported():
    assert neurograph.LiveView is LiveView and "LiveView" in neurograph.__all__


def test_it_redraws_no_more_often_than_refresh_allows_and_after_the_last_epoch():
    X, Y = data()
    clock = FakeClock(1.0)
    view = LiveView(X, Y, refresh=4.0, clock=clock)
    drawn = []
    draw = view.draw
    view.draw = lambda network, history: (drawn.append((clock.now, len(history))),
                                          draw(network, history))
    history = fit(Network.layered([2, 4, 1], activation="tanh", seed=0), X, Y, view)
    # 3 epochs of 4 batches: 15 calls, the clock read once a call (twice when it draws)
    times = [t for t, _ in drawn]
    assert len(drawn) == view.draws >= 3
    assert all(b - a >= 4.0 for a, b in zip(times[:-2], times[1:-1]))  # all but the last
    assert drawn[-1][1] == 3  # the last drawing shows all three epochs
    costs = [ax for ax in view.figure.axes if ax.get_xlabel() == "epoch"][0].lines[0]
    np.testing.assert_allclose(costs.get_ydata(), history.cost)
    plt.close(view.figure)


def test_a_slow_clock_redraws_only_after_the_last_epoch():
    X, Y = data()
    view = LiveView(X, Y, clock=lambda: 0.0)
    history = fit(Network.layered([2, 4, 1], activation="tanh", seed=0), X, Y, view)
    assert view.draws == 1
    costs = [ax for ax in view.figure.axes if ax.get_xlabel() == "epoch"][0].lines[0]
    np.testing.assert_allclose(costs.get_ydata(), history.cost)
    plt.close(view.figure)


def test_a_stop_asked_by_another_callback_still_gets_the_final_drawing():
    X, Y = data()
    view = LiveView(clock=lambda: 0.0)
    net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, Y, epochs=5, batch_size=10, learning_rate=0.5, seed=0, progress=False,
                      callbacks=[lambda event: event.stop(), view])
    assert len(history) == 1 and view.draws == 1
    plt.close(view.figure)


def test_a_zero_refresh_redraws_at_every_call():
    X, Y = data()
    view = LiveView(X, Y, refresh=0.0)
    fit(Network.layered([2, 4, 1], activation="tanh", seed=0), X, Y, view, epochs=1)
    assert view.draws == 5  # 4 batches and the epoch
    plt.close(view.figure)


def test_the_panels_hold_the_diagram_the_cost_and_the_boundary_inside_the_figure():
    X, Y = data()
    figure = plt.figure(figsize=(12, 4.2), layout="constrained")
    view = LiveView(X, Y, figure=figure, clock=lambda: 0.0)
    net = Network.layered([2, 5, 1], activation="tanh", seed=0)
    fit(net, X, Y, view)
    assert view.figure is figure
    axes = figure.axes
    # the diagram is drawn anew at each redraw (so it is not the first Axes): found by its title
    diagram, = [ax for ax in axes if ax.get_title().startswith("the network now")]
    assert len(diagram.collections) + len(diagram.patches) > 0  # neurons and connections
    assert any(ax.get_xlabel() == "epoch" for ax in axes)
    assert any(ax.images for ax in axes)  # the decision boundary's image
    inside(figure)
    plt.close(figure)


def test_a_network_without_two_inputs_has_no_boundary_panel():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, 3))
    Y = (X.sum(axis=1, keepdims=True) > 0).astype(float)
    view = LiveView(X, Y, clock=lambda: 0.0)
    history = Network.layered([3, 4, 1], activation="tanh", seed=0).fit(
        X, Y, epochs=2, batch_size=10, learning_rate=0.5, seed=0, progress=False,
        callbacks=[view])
    assert not any(ax.images for ax in view.figure.axes)
    costs = [ax for ax in view.figure.axes if ax.get_xlabel() == "epoch"][0].lines[0]
    np.testing.assert_allclose(costs.get_ydata(), history.cost)
    inside(view.figure)
    plt.close(view.figure)


@pytest.mark.parametrize("kwargs, message", [
    ({"refresh": -1}, "`refresh` must be at least 0"),
    ({"X": np.zeros((2, 2))}, "give both `X` and `Y`"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LiveView(**kwargs)
