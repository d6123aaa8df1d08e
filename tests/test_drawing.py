"""The network diagram, checked on what it draws (headless, Agg)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neurograph import (HiddenLayer, InputLayer, Network, OutputLayer, draw_network,  # noqa: E402
                        network_layout)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def artist(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) <= 1
    return found[0] if found else None


def small_network():
    net = Network.layered([3, 4, 2], activation="tanh", seed=0)
    net.propagate([0.2, -0.5, 0.9])
    return net


def test_every_connection_of_a_small_network_is_one_segment_coloured_by_its_sign():
    net = small_network()
    ax = draw_network(net)
    lines = artist(ax, "connections")
    segments = lines.get_segments()
    assert len(segments) == len(net.connections) == 20
    layout = network_layout(net)
    colors = lines.get_colors()
    widths = lines.get_linewidths()
    for connection, segment, color, width in zip(layout.connections, segments, colors, widths):
        start = layout.layers[connection.input_neuron.layer.index].position(
            connection.input_neuron.index)
        assert tuple(segment[0]) == pytest.approx(start)
        red, blue = color[0], color[2]
        assert (red > blue) == (connection.weight > 0)  # coolwarm: red positive, blue negative
    strongest = int(np.argmax([abs(c.weight) for c in layout.connections]))
    assert widths[strongest] == pytest.approx(max(widths))


def test_neurons_are_filled_by_activation_or_bias():
    net = small_network()
    ax = draw_network(net, color_by="activation", colorbar=False)
    neurons = artist(ax, "neurons")
    assert len(neurons.get_offsets()) == 3 + 4 + 2
    # viridis grows lighter from one end to the other: ordered by activation, the fills'
    # luminance must not decrease, and different activations give different fills
    order = np.argsort([n.activation for n in net.neurons])
    faces = neurons.get_facecolors()[order]
    luminance = faces[:, :3] @ [0.2126, 0.7152, 0.0722]
    assert np.all(np.diff(luminance) >= -1e-9)
    assert luminance[-1] > luminance[0] + 0.2
    ax = draw_network(net, color_by="bias", colorbar=False)
    faces = artist(ax, "neurons").get_facecolors()
    assert np.allclose(faces[0], [0.85, 0.85, 0.85, 1.0])  # input neurons have no bias


def test_a_big_network_is_summarised_and_says_what_it_left_out():
    net = Network.layered([784, 100, 10], seed=0)
    ax = draw_network(net, max_neurons=40, max_connections=250)
    marker = artist(ax, "hidden-marker")
    assert "60 more" in marker.get_text()
    grid = artist(ax, "input-grid")
    assert grid.get_array().shape == (28, 28)
    assert len(artist(ax, "connections").get_segments()) == 500
    note = artist(ax, "left-out").get_text()
    assert "500 of 79,400 connections drawn" in note
    assert "60 of 100 neurons not drawn" in note
    assert len(artist(ax, "neurons").get_offsets()) == 40 + 10


def test_the_drawn_connections_are_the_strongest_among_the_shown_neurons():
    net = Network.layered([5, 60, 3], seed=1)
    layout = network_layout(net, max_neurons=20, max_connections=30)
    hidden = layout.layers[1]
    assert hidden.hidden == 40 and list(hidden.shown) == list(range(10)) + list(range(50, 60))
    first = [c for c in layout.connections if c.output_neuron.layer.index == 1]
    assert len(first) == 30
    assert all(c.output_neuron.index in hidden.shown for c in first)
    drawn = {(c.output_neuron.index, c.input_neuron.index) for c in first}
    weights = np.abs(net.hidden_layers[0].weights)
    left_out = [weights[j, i] for j in hidden.shown for i in range(5) if (j, i) not in drawn]
    assert min(weights[j, i] for j, i in drawn) >= max(left_out)


def test_static_neurons_dashed_inputs_and_clamped_biases_are_marked():
    inputs, hidden, outputs = InputLayer(2), HiddenLayer(3, "tanh", static=[1]), OutputLayer(1)
    inputs.fully_connect_to(hidden, seed=0)
    hidden.fully_connect_to(outputs, seed=1)
    net = Network([inputs, hidden, outputs], bias_clamp=(-0.5, 0.5))
    hidden[0].bias = 0.5
    ax = draw_network(net)
    assert len(artist(ax, "static-neurons").get_offsets()) == 1
    assert len(artist(ax, "clamped").get_offsets()) == 1
    lines = artist(ax, "connections")
    layout = network_layout(net)
    dashed = [style[1] is not None for style in lines.get_linestyles()]
    assert dashed == [c.output_neuron.static for c in layout.connections]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "static neuron (fixed)" in legend and "bias at the clamp" in legend


def test_draw_on_a_given_axes_and_write_a_png(tmp_path, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("the library called show"))
    figure, ax = plt.subplots()
    returned = draw_network(small_network(), ax=ax, labels=True)
    assert returned is ax
    path = tmp_path / "net.png"
    figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


@pytest.mark.parametrize("kwargs, message", [
    (dict(color_by="weight"), "`color_by` must be one of activation, bias"),
    (dict(max_neurons=0), "`max_neurons` must be a positive integer"),
    (dict(max_connections=-1), "`max_connections` must be a positive integer"),
    (dict(image_shape=(2, 2)), "`image_shape` must hold the 3 inputs"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw_network(small_network(), **kwargs)
