"""The live view: a callback that redraws the diagram, the cost and the boundary as fit runs."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import neurograph  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, __import__("os").path.dirname(__file__))
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
    view = LiveView(X, Y, refresh=4.0, clock=clock, budget=None)  # refresh alone
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
    ({"budget": 0}, "`budget` must be a share"),
    ({"budget": 1.5}, "`budget` must be a share"),
    ({"budget": True}, "`budget` must be a share"),
    ({"X": np.zeros((2, 2))}, "give both `X` and `Y`"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LiveView(**kwargs)


def xor_view(refresh=1000.0, **kwargs):
    """A 2-16-1 network fitted for 2 epochs of 4 batches, one clock second a call."""
    X, Y = data(40)
    view = LiveView(X, Y, clock=FakeClock(1.0), refresh=refresh, **kwargs)
    net = Network.layered([2, 16, 1], activation="tanh", seed=0)
    history = fit(net, X, Y, view, epochs=2)
    return view, net, history


def test_the_default_figure_holds_its_contents_and_no_texts_collide():
    # the known bug: the diagram's legend printed over its panel's title
    from figure_checks import outside_figure, overlapping_texts

    view, _, _ = xor_view(refresh=6.0)
    assert view.draws == 2  # redrawn in the frozen layout at least once
    assert outside_figure(view.figure) == []
    assert overlapping_texts(view.figure) == []
    plt.close(view.figure)


def test_the_maps_show_each_neuron_over_the_plane_with_a_cap_and_a_note():
    view, net, _ = xor_view(max_maps=9, resolution=12)
    maps, = [ax for ax in view.figure.axes if ax.get_title(loc="left").startswith("each neuron")]
    tiles = {t.get_text() for t in maps.texts if "." in t.get_text() and " " not in t.get_text()}
    assert tiles == {f"1.{j}" for j in range(8)} | {"2.0"}  # the output's, then 8 of 16 hidden
    assert "8 of 16 shown" in maps.texts[-1].get_text()
    # the tile of hidden neuron 3: its activation over the plane, on the layer's scale
    place = [p for p in view._panels.places if p[0].index == 1 and p[1] == 3][0]
    top, left = place[2], place[3]
    tile = maps.images[0].get_array()[top:top + 12, left:left + 12][::-1]
    from neurograph.engines.vectorized import forward
    from neurograph.drawing.live import _pixel_centres
    points = _pixel_centres(view._panels.boundary.images[0].get_extent(), 12)
    hidden = forward(net, points)[1]
    expected = (hidden[:, 3] - hidden.min()) / (hidden.max() - hidden.min())
    np.testing.assert_allclose(tile.ravel(), expected, atol=1e-9)
    # and the boundary's image is the output there
    np.testing.assert_allclose(view._panels.boundary.images[0].get_array().ravel(),
                               net.predict(points)[:, 0])
    plt.close(view.figure)


def test_the_cost_panel_shows_the_network_now_between_epochs():
    X, Y = data(200)
    view = LiveView(X, Y, clock=FakeClock(0.3), refresh=2.0, samples=50)
    draw = view.draw
    view.draw = lambda network, history: draw(network, history) if len(history) == 2 else None
    net = Network.layered([2, 8, 1], activation="tanh", seed=0)
    fit(net, X, Y, view, epochs=2)
    # 20 batches an epoch, the clock read about once a call: measured every 0.2 s of it
    assert len(view.costs) > 2 * 2
    epochs, costs = view.sampled_cost()
    assert np.all(np.diff(epochs) > 0) and 0 < epochs[0] < 1 and epochs[-1] == pytest.approx(2)
    rows = view._sample
    assert costs[-1] == pytest.approx(net.cost(X[rows], Y[rows]))  # after the last epoch
    cost_ax, = [ax for ax in view.figure.axes if ax.get_xlabel() == "epoch"]
    np.testing.assert_allclose(cost_ax.lines[1].get_ydata(), costs)
    plt.close(view.figure)


@pytest.mark.parametrize("budget", [0.08, 0.25])
def test_redraws_stay_within_their_budget_of_the_time_and_still_come(budget):
    # The rule this replaces (wait nine times the last redraw) let the redraws in between take
    # a tenth of the time, with the first drawing on top: 17% of a 12 s run. Now every redraw
    # before the last epoch keeps the drawing so far within the budget of the time elapsed.
    from neurograph.training import TrainingEvent

    X, Y = data()
    clock = FakeClock(0.0)
    view = LiveView(X, Y, refresh=1.0, clock=clock, budget=budget)
    drawn_at = []

    def slow_draw(network, history):  # each redraw "takes" half a clock second
        drawn_at.append(clock.now)
        view.draws += 1
        clock.now += 0.5

    view.draw = slow_draw
    net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    for step in range(1, 101):  # 100 calls, one clock second apart
        clock.now = float(step)
        view(TrainingEvent(net, None, 1, step, 10 * step, epochs=2))
    for k, at in enumerate(drawn_at[1:], start=1):  # the drawing so far and this redraw
        assert 0.5 * (k + 1) <= budget * (at + 0.5 - 1.0) + 1e-9
    # and the budget is used: after the first redraw, the next comes as soon as it fits
    assert len(drawn_at) >= int(budget * 99 / 0.5) - 1
    assert view._drawing == pytest.approx(0.5 * len(drawn_at))


def test_without_a_budget_redraws_come_every_refresh_however_slow():
    from neurograph.training import TrainingEvent

    X, Y = data()
    clock = FakeClock(0.0)
    view = LiveView(X, Y, refresh=2.0, clock=clock, budget=None)
    view.draw = lambda network, history: setattr(view, "draws", view.draws + 1)
    net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    for step in range(1, 21):
        clock.now = float(step)
        view(TrainingEvent(net, None, 1, step, 10 * step, epochs=2))
    assert view.draws == 9  # at 3, 5, ..., 19: two seconds after the first call and apart


class FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, figure):
        self.shown.append(("update", figure))


def test_in_a_notebook_it_updates_one_output_in_place(monkeypatch):
    import sys
    import types

    shown = []
    display = types.SimpleNamespace(
        display=lambda figure, display_id: (shown.append(("display", figure)),
                                            FakeHandle(shown))[1])
    ipython = types.SimpleNamespace(get_ipython=lambda: object(), display=display)
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setattr(matplotlib, "get_backend",
                        lambda: "module://matplotlib_inline.backend_inline")
    X, Y = data(20)
    view = LiveView(X, Y, refresh=0.0)
    fit(Network.layered([2, 4, 1], activation="tanh", seed=0), X, Y, view, epochs=1)
    assert [kind for kind, _ in shown] == ["display"] + ["update"] * 2
    assert all(figure is view.figure for _, figure in shown)
    assert view.figure not in [plt.figure(n) for n in plt.get_fignums()]  # shown once only


def test_without_a_shell_the_inline_backend_only_draws_the_canvas(monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setattr(matplotlib, "get_backend",
                        lambda: "module://matplotlib_inline.backend_inline")
    from neurograph.drawing.live import _display_mode
    assert _display_mode() == "canvas" and "IPython" not in sys.modules


def test_in_a_window_it_repaints_during_fit(monkeypatch):
    import neurograph.drawing.live as live

    monkeypatch.setattr(live, "_display_mode", lambda: "window")
    monkeypatch.setattr(plt, "show", lambda block=None: shows.append(block))
    shows, flushes = [], []
    figure = plt.figure(figsize=(12, 5), layout="constrained")
    monkeypatch.setattr(figure.canvas, "flush_events", lambda: flushes.append(view.draws))
    X, Y = data(20)
    view = LiveView(X, Y, figure=figure, refresh=0.0)
    fit(Network.layered([2, 4, 1], activation="tanh", seed=0), X, Y, view, epochs=1)
    assert shows == [False]  # opened once, without blocking
    assert flushes == [1, 2, 3]  # repainted after each of the 3 redraws (2 batches, epoch)
    plt.close(figure)


@pytest.mark.parametrize("kwargs, message", [
    ({"resolution": 1}, "`resolution` must be an integer of at least 2"),
    ({"max_maps": 0}, "`max_maps` must be an integer of at least 1"),
    ({"samples": 2.5}, "`samples` must be an integer of at least 1"),
    ({"X": np.zeros((3, 2)), "Y": np.zeros((2, 1))}, "`X` and `Y` must have as many rows"),
])
def test_more_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LiveView(**kwargs)


def drawn(ax, gid):
    return [c for c in ax.collections if c.get_gid() == gid][0]


def test_later_redraws_recolour_the_diagram_as_a_fresh_drawing_would():
    from neurograph import draw_network

    X, Y = data(40)
    view = LiveView(X, Y, refresh=0.0)
    net = Network.layered([2, 64, 1], activation="tanh", seed=0)  # 192 connections, 120 drawn
    fit(net, X, Y, view, epochs=3)
    diagram, = [ax for ax in view.figure.axes if ax.get_title().startswith("the network now")]
    assert view.draws == 15 and diagram is view._panels.diagram
    first = view._panels.diagram
    # the same Axes all along: recoloured in place, yet as draw_network draws the network now
    fresh = plt.figure(figsize=view.figure.get_size_inches()).add_axes(first.get_position())
    draw_network(net, ax=fresh, color_by="bias", max_neurons=24, max_connections=120)
    for gid in ("connections", "neurons"):
        np.testing.assert_allclose(drawn(diagram, gid).get_facecolor() if gid == "neurons"
                                   else drawn(diagram, gid).get_color(),
                                   drawn(fresh, gid).get_facecolor() if gid == "neurons"
                                   else drawn(fresh, gid).get_color())
    np.testing.assert_allclose(drawn(diagram, "connections").get_linewidth(),
                               drawn(fresh, "connections").get_linewidth())
    ends = [np.round(s, 9).tolist() for s in drawn(diagram, "connections").get_segments()]
    assert ends == [np.round(s, 9).tolist() for s in drawn(fresh, "connections").get_segments()]
    scales = [(c._colorbar.norm.vmin, c._colorbar.norm.vmax) for c in diagram.child_axes]
    assert scales == [(c._colorbar.norm.vmin, c._colorbar.norm.vmax) for c in fresh.child_axes]
    assert len(scales) == 2 and scales[0][1] == pytest.approx(max(
        abs(c.weight) for layer in net.receiving_layers for n in layer.neurons for c in n.inputs))
    plt.close(fresh.figure)
    plt.close(view.figure)


def test_a_diagram_that_cannot_be_recoloured_is_left_unchanged():
    from neurograph import draw_network
    from neurograph.drawing.diagram_update import recolour_by_bias

    net = Network.layered([2, 4, 3, 1], connect="all", seed=0)  # arcs round the middle column
    ax = plt.figure().add_subplot()
    draw_network(net, ax=ax, color_by="bias", max_neurons=24, max_connections=120)
    before = drawn(ax, "connections").get_color().copy()
    net.layers[2].neurons[0].inputs[0].weight += 5.0
    assert not recolour_by_bias(ax, net, max_neurons=24, max_connections=120)
    np.testing.assert_array_equal(drawn(ax, "connections").get_color(), before)
    plain = Network.layered([2, 4, 1], seed=0)
    assert not recolour_by_bias(ax, plain, max_neurons=24, max_connections=120)  # elsewhere
    plt.close(ax.figure)


def test_the_boundary_panel_shows_the_last_output_unless_told_and_refuses_one_beyond():
    # two-class one-hot targets: by default class 1's probability, the colour of its points
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 5)
    Y = np.eye(2)[[0, 1, 1, 0] * 5]
    shown = {}
    for output in (None, 0, 1):  # the same network, trained the same, shown three ways
        net = Network.layered([2, 3, 2], output_activation="softmax", cost="cross_entropy",
                              seed=0)
        view = LiveView(X, Y, resolution=6, refresh=1000, output=output)
        net.fit(X, Y, epochs=1, progress=False, callbacks=[view], seed=0)
        boundary, = [a for a in view.figure.axes if a.get_title().startswith("output over")]
        shown[output] = np.asarray(boundary.images[0].get_array())
        plt.close(view.figure)
    np.testing.assert_allclose(shown[None], shown[1])
    np.testing.assert_allclose(shown[0], 1 - shown[1], atol=1e-12)  # softmax of two
    with pytest.raises(ValueError, match=r"`output` must be an integer of at least 0"):
        LiveView(X, Y, output=-1)
    view = LiveView(X, Y, resolution=6, refresh=1000, output=2)
    with pytest.raises(ValueError, match=r"`output` must name one of the network's 2 output "
                                         r"neurons \(0 to 1\), got 2"):
        net.fit(X, Y, epochs=1, progress=False, callbacks=[view], seed=0)
    plt.close("all")


def test_keep_open_shows_the_window_only_when_there_is_one(monkeypatch):
    import neurograph.drawing.live as live

    shown = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: shown.append(kwargs))
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0]])
    view = LiveView(X, Y, resolution=4, refresh=1000)
    view.keep_open()  # nothing drawn yet: nothing to keep
    Network.layered([2, 2, 1], seed=0).fit(X, Y, epochs=1, progress=False, callbacks=[view])
    view.keep_open()  # Agg: no window
    assert shown == []
    monkeypatch.setattr(live, "_display_mode", lambda: "window")
    view.keep_open()
    assert shown == [{}]  # blocking: until the window is closed
    plt.close("all")
