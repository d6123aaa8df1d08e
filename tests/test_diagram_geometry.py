"""The diagram holds what it draws (issue 13): checked by geometry on the Agg renderer.

Every figure is saved plainly (never ``bbox_inches="tight"``): whatever runs past the figure,
overprints another text or touches another neuron is a fault a teacher would see on a slide.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from figure_checks import outside_figure, overlapping_markers, overlapping_texts  # noqa: E402

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, draw_network  # noqa: E402
from neurograph.convolution import convolution, max_pooling  # noqa: E402
from neurograph.drawing.diagram_text import format_value, luminance  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _propagated(net, seed=0):
    net.propagate(np.random.default_rng(seed).random(net.input_layer.size))
    return net


def _branches():
    inputs, a, b, outputs = InputLayer(3), HiddenLayer(4), HiddenLayer(3), OutputLayer(2)
    inputs.fully_connect_to(a, seed=0)
    inputs.fully_connect_to(b, seed=1)
    a.fully_connect_to(outputs, seed=2)
    b.fully_connect_to(outputs, seed=3)
    inputs.fully_connect_to(outputs, seed=4)
    return Network([inputs, a, b, outputs])


NETWORKS = {
    "2-3-1": lambda: Network.layered([2, 3, 1], seed=0),
    "2-64-1": lambda: Network.layered([2, 64, 1], seed=0),
    "784-10": lambda: Network.layered([784, 10], seed=0),
    "784-16-10": lambda: Network.layered([784, 16, 10], seed=0),
    "784-128-10": lambda: Network.layered([784, 128, 10], seed=0),
    "convolution": lambda: Network.convolutional((8, 8), [convolution(), max_pooling(2)], [10],
                                                 seed=0),
    "skip-all": lambda: Network.layered([3, 4, 3, 2], connect="all", seed=0),
    "branches": _branches,
}


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _colour_bars(fig):
    """The colour bars of ``fig``: inset ones (the diagram's) and ones with Axes of their own."""
    return [a for ax in fig.axes for a in (ax, *ax.child_axes)
            if getattr(a, "_colorbar", None)]


@pytest.mark.parametrize("labels", [False, True])
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_the_diagram_holds_its_artists_without_collisions(name, labels, tmp_path):
    net = _propagated(NETWORKS[name]())
    ax = draw_network(net, labels=labels)
    fig = ax.figure
    assert outside_figure(fig) == []
    assert overlapping_texts(fig) == []
    neurons = _by_gid(ax, "neurons")
    assert neurons and overlapping_markers(neurons[0], ax) == []
    assert len(_colour_bars(fig)) >= 2  # the connections' and the neurons' at least
    fig.savefig(tmp_path / "plain.png")  # what a user gets: the checks above hold for it


@pytest.mark.parametrize("name", ["784-10", "784-16-10", "784-128-10"])
def test_the_input_image_is_square_grey_and_has_its_own_scale(name):
    net = _propagated(NETWORKS[name]())
    ax = draw_network(net)
    fig = ax.figure
    fig.canvas.draw()
    grid = _by_gid(ax, "input-grid")[0]
    box = grid.get_window_extent(fig.canvas.get_renderer())
    assert box.width == pytest.approx(box.height, rel=0.01)
    assert grid.get_cmap().name.startswith("Greys")
    bars = {bar.get_ylabel(): bar for bar in _colour_bars(fig)}
    assert "input value" in bars
    values = np.array([n.activation for n in net.input_layer.neurons])
    assert bars["input value"]._colorbar.vmax == pytest.approx(values.max())


def test_the_diagram_fits_in_a_figure_the_user_made():
    net = _propagated(NETWORKS["784-16-10"]())
    fig, ax = plt.subplots()  # 6.4 x 4.8 inches, as plt.show() would show it
    size = tuple(fig.get_size_inches())
    draw_network(net, ax=ax, labels=True, output_labels=list("0123456789"))
    assert tuple(fig.get_size_inches()) == size  # the user's figure is not resized
    assert outside_figure(fig) == []
    assert overlapping_texts(fig) == []
    assert overlapping_markers(_by_gid(ax, "neurons")[0], ax) == []


@pytest.mark.parametrize("value, text", [
    (0.5234, "0.523"), (-0.000295, "-2.95e-04"), (1.0, "1.00"), (-0.0, "0"), (0.0, "0"),
    (12.345, "12.3"), (-0.0123, "-0.0123"), (2500.0, "2.50e+03"), (0.009999, "1.00e-02"),
])
def test_values_have_three_significant_figures_and_small_ones_are_scientific(value, text):
    assert format_value(value) == text


def test_values_on_neurons_are_readable_against_their_fill():
    net = _propagated(NETWORKS["784-16-10"]())
    ax = draw_network(net, labels=True)
    texts = _by_gid(ax, "value")
    shown = [n for layer in net.layers[1:] for n in layer.neurons]
    assert len(texts) == len(shown) == 26
    assert sorted(t.get_text() for t in texts) == sorted(format_value(n.activation)
                                                        for n in shown)
    for t in texts:
        assert t.get_fontsize() >= 7
        assert "-0.00" not in t.get_text()
        face = t.get_bbox_patch().get_facecolor()
        text = matplotlib.colors.to_rgba(t.get_color())
        # white on dark, black on light: the text is always the colour that contrasts more
        assert abs(luminance(text) - luminance(face)) >= 0.5, (t.get_text(), face)
    assert {t.get_color() for t in texts} == {"white", "black"}  # both kinds of fill occur


def test_a_column_too_dense_to_label_is_left_unlabelled_with_a_note():
    net = _propagated(NETWORKS["2-64-1"]())
    ax = draw_network(net, labels=True)
    hidden_x = 1.0
    texts = _by_gid(ax, "value")
    assert texts and not any(t.get_position()[0] == hidden_x for t in texts)
    assert len(texts) == 2 + 1  # the inputs and the output keep theirs
    note = _by_gid(ax, "left-out")[0].get_text().replace("\n", " ")
    assert "layer 1: values not written" in note
    assert overlapping_texts(ax.figure) == []


def test_classifier_outputs_are_labelled_and_exactly_the_prediction_is_marked():
    net = _propagated(NETWORKS["784-16-10"](), seed=3)
    activations = np.array([n.activation for n in net.output_layer.neurons])
    predicted = int(np.argmax(activations))
    ax = draw_network(net, output_labels=[str(d) for d in range(10)])
    labels = _by_gid(ax, "output-label") + _by_gid(ax, "predicted-label")
    assert sorted(t.get_text() for t in labels) == [str(d) for d in range(10)]
    bold = [t for t in labels if t.get_fontweight() == "bold"]
    assert [t.get_text() for t in bold] == [str(predicted)]
    ring = _by_gid(ax, "predicted")
    assert len(ring) == 1 and len(ring[0].get_offsets()) == 1
    circles = _by_gid(ax, "neurons")[0].get_offsets()
    outputs = circles[-10:]  # the output column, top to bottom
    assert tuple(ring[0].get_offsets()[0]) == tuple(outputs[predicted])
    for t in labels:  # beside its own circle: same height, to the right
        x, y = t.xy
        assert (x, y) == tuple(outputs[int(t.get_text())])
    assert outside_figure(ax.figure) == [] and overlapping_texts(ax.figure) == []


def test_a_network_s_output_labels_are_used_and_bad_labels_are_refused():
    net = _propagated(NETWORKS["2-3-1"]())
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match="`output_labels` must have one label per output"):
        draw_network(net, output_labels=["a", "b"])
    with pytest.raises(TypeError, match="`output_labels` must be a sequence"):
        draw_network(net, output_labels="ab")
    assert plt.get_fignums() == figures  # nothing drawn
    net.output_labels = ["yes"]
    ax = draw_network(net)
    assert [t.get_text() for t in _by_gid(ax, "output-label")] == ["yes"]
    assert _by_gid(ax, "predicted") == []  # one output: nothing to choose between


def _record_frames(monkeypatch):
    """Patch the GIF writer so that each grabbed frame is checked as it is drawn."""
    from matplotlib.animation import PillowWriter

    frames = []

    def grab_frame(self, **kwargs):
        fig = self.fig
        if not hasattr(fig.canvas, "get_renderer"):  # a bare Figure: check it on Agg
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig)
        frames.append((len(_colour_bars(fig)), outside_figure(fig), overlapping_texts(fig)))

    monkeypatch.setattr(PillowWriter, "grab_frame", grab_frame)
    monkeypatch.setattr(PillowWriter, "finish", lambda self: None)
    return frames


def test_every_frame_of_animate_trace_has_its_colour_bars_inside(monkeypatch, tmp_path):
    from neurograph.teaching.trace import animate_trace

    net = Network.layered([2, 3, 1], seed=0)
    result = net.trace([[0.0, 1.0], [1.0, 1.0]], [[1.0], [0.0]], step_size=0.5)
    frames = _record_frames(monkeypatch)
    animate_trace(result, tmp_path / "trace.gif")
    assert len(frames) == len(result)
    for bars, outside, overlaps in frames:
        assert bars == 2 and outside == [] and overlaps == []


@pytest.mark.parametrize("frame, bars", [("diagram", 2), ("boundary", 1)])
def test_every_frame_of_animate_training_has_its_colour_bars_inside(monkeypatch, tmp_path,
                                                                    frame, bars):
    from neurograph.drawing.plots import animate_training

    net = Network.layered([2, 3, 1], seed=0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    Y = np.array([[0], [1], [1], [0]], dtype=float)
    frames = _record_frames(monkeypatch)
    animate_training(net, X, Y, tmp_path / "training.gif", epochs=2, frame=frame)
    assert len(frames) == 3
    for drawn, outside, overlaps in frames:
        assert drawn == bars and outside == [] and overlaps == []


def test_a_step_picture_keeps_its_delta_bar_and_writes_readable_deltas():
    from neurograph.teaching.trace import draw_step

    net = Network.layered([2, 3, 1], seed=0)
    result = net.trace([[0.0, 1.0], [1.0, 1.0]], [[1.0], [0.0]], step_size=0.5)
    k = next(k for k, s in enumerate(result.steps) if s.neuron_label == "delta = dC/dz")
    ax = draw_step(result, k)
    fig = ax.figure
    assert outside_figure(fig) == [] and overlapping_texts(fig) == []
    assert "delta = dC/dz" in [bar.get_ylabel() for bar in _colour_bars(fig)]
    deltas = [v for values in result.steps[k].neuron_values for v in values if np.isfinite(v)]
    texts = _by_gid(ax, "value")
    assert sorted(t.get_text() for t in texts) == sorted(format_value(v) for v in deltas)
    assert all(t.get_fontsize() >= 7 for t in texts)


def test_a_model_file_keeps_output_labels_and_older_files_load_without(tmp_path):
    import json

    from neurograph import load
    from neurograph.io import ModelFileError

    net = Network.layered([2, 3, 2], seed=0)
    net.save(tmp_path / "plain.json")
    assert load(tmp_path / "plain.json").output_labels is None
    assert "output_labels" not in json.loads((tmp_path / "plain.json").read_text())
    net.output_labels = ["no", "yes"]
    net.save(tmp_path / "labelled.json")
    assert load(tmp_path / "labelled.json").output_labels == ["no", "yes"]
    document = json.loads((tmp_path / "labelled.json").read_text())
    document["output_labels"] = ["only one"]
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="`output_labels` must have one label per output"):
        load(tmp_path / "bad.json")
