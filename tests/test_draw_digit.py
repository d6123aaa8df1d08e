"""Tests for neurograph.digits and examples/draw_digit.py, headless.

The demo is driven by synthetic mouse events: matplotlib ``MouseEvent``s at display coordinates
of points of the canvas Axes, processed by the figure canvas's own callback registry, so the
real wiring (``DigitPad.connect`` and the "clear" ``Button``) is what runs.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backend_bases import MouseButton, MouseEvent

import neurograph
from neurograph import Network
from neurograph.io.datasets import _load_sample, load_mnist
from neurograph.digits import preprocess_digit

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo(load_example):
    return load_example("draw_digit")


@pytest.fixture(scope="module")
def sample():
    """The bundled sample, whatever else is on disk, so the network is the same everywhere."""
    return _load_sample()


def train(X, Y, hidden=128, epochs=3):
    net = Network.layered([784, hidden, 10], activation="relu", output_activation="softmax",
                          cost="cross_entropy", init="he", seed=0, bias_clamp=None,
                          dtype="float32")
    net.fit(X, Y, epochs=epochs, batch_size=32, learning_rate=0.05, momentum=0.9, seed=0,
            progress=False)
    return net


@pytest.fixture(scope="module")
def network(sample):
    """784-128-10 trained 3 epochs on the 10,000 sample images (about 0.4 s; 92.7% on its
    2,000 test images)."""
    return train(*sample.training_set(dtype="float32"))


@pytest.fixture
def pad(demo, network):
    figure = plt.figure(figsize=(9, 5), dpi=50)
    pad = demo.DigitPad(network, figure)
    figure.canvas.draw()  # lay out once, as a window would before the first click
    yield pad
    plt.close(figure)


def send(pad, name, x, y, ax=None, button=MouseButton.LEFT):
    """Process a synthetic mouse event at data point (x, y) of ``ax`` (the canvas by default)."""
    ax = pad.ax_canvas if ax is None else ax
    px, py = ax.transData.transform((x, y))
    event = MouseEvent(name, pad.figure.canvas, round(px), round(py), button=button)
    pad.figure.canvas.callbacks.process(name, event)
    return event


def stroke(pad, points):
    send(pad, "button_press_event", *points[0])
    for point in points[1:]:
        send(pad, "motion_notify_event", *point, button=None)
    send(pad, "button_release_event", *points[-1])


def click(pad, ax):
    """A click in the middle of ``ax`` (axes coordinates (0.5, 0.5))."""
    middle = ax.transAxes.transform((0.5, 0.5))
    for name in ("button_press_event", "button_release_event"):
        event = MouseEvent(name, pad.figure.canvas, *middle, button=MouseButton.LEFT)
        pad.figure.canvas.callbacks.process(name, event)


def distance_to_segment(shape, start, end):
    """Each pixel centre's distance to the segment start-end, in canvas pixels."""
    py, px = np.indices(shape) + 0.5
    (x0, y0), (x1, y1) = start, end
    d = np.array([x1 - x0, y1 - y0])
    t = np.clip(((px - x0) * d[0] + (py - y0) * d[1]) / (d @ d), 0, 1)
    return np.hypot(px - x0 - t * d[0], py - y0 - t * d[1])


# -- preprocess_digit ------------------------------------------------------------------------


def test_preprocessing_crops_scales_to_20_and_centres_by_mass():
    canvas = np.zeros((280, 280))
    canvas[30:130, 200:250] = 1.0  # 100 x 50 in a corner: scaled by 0.2 to 20 x 10
    image = preprocess_digit(canvas).reshape(28, 28)
    rows, columns = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert len(rows) == 20 and len(columns) == 10
    assert image.sum() == pytest.approx(200.0)  # area averaging keeps the mass: 20 x 10 x 1
    centre = np.array([image.sum(axis=1) @ np.arange(28), image.sum(axis=0) @ np.arange(28)])
    assert np.all(np.abs(centre / image.sum() - 14) <= 0.5)


def test_preprocessing_keeps_the_aspect_ratio_and_anti_aliases():
    canvas = np.zeros((90, 300))
    canvas[10:70, 0:150] = 1.0  # 60 x 300, scaled by 1/15: 4 x 20 exactly
    canvas[10:70, 150:300] = 0.5
    image = preprocess_digit(canvas).reshape(28, 28)
    assert np.flatnonzero(image.any(axis=1)).size == 4
    row = image[np.flatnonzero(image.any(axis=1))[0]]
    assert row[row > 0].tolist() == pytest.approx([1.0] * 10 + [0.5] * 10)  # 15-pixel means
    thin = np.zeros((200, 200))
    thin[:, 100:103] = 1.0  # 3 pixels wide, scaled by 0.1: one grey column, 0.3
    column = preprocess_digit(thin).reshape(28, 28)
    assert sorted(set(np.round(column[column > 0], 12))) == [0.3]


def test_preprocessing_does_not_depend_on_size_or_place():
    small = np.zeros((100, 100))
    small[20:60, 30:50] = 1.0
    small[40:44, 10:30] = 0.7
    big = np.kron(small, np.ones((3, 3)))  # the same drawing, three times bigger
    moved = np.roll(small, (25, -8), axis=(0, 1))
    expected = preprocess_digit(small)
    assert np.allclose(preprocess_digit(big), expected, atol=1e-12)
    assert np.allclose(preprocess_digit(moved), expected, atol=1e-12)


def test_preprocessing_gives_back_mnist_images(sample):
    images = sample.test_images[:200] / 255
    processed = np.array([preprocess_digit(image) for image in images])
    assert np.allclose(processed, images.reshape(200, 784), atol=1e-12)


def test_empty_canvas_gives_zeros():
    result = preprocess_digit(np.zeros((5, 7)))
    assert result.shape == (784,) and not result.any()


@pytest.mark.parametrize("canvas, match", [
    (np.zeros(784), "2-D"),
    (np.zeros((0, 5)), "non-empty"),
    (np.full((28, 28), np.nan), "finite"),
    (np.full((28, 28), 255.0), r"\[0, 1\].*divide"),
    (-np.ones((28, 28)), r"\[0, 1\]"),
    ("digit", "2-D array of numbers"),
])
def test_preprocessing_refuses_bad_canvases(canvas, match):
    with pytest.raises(ValueError, match=match):
        preprocess_digit(canvas)


def test_importing_digits_needs_numpy_only():
    import subprocess
    import sys

    code = ("import sys, neurograph.digits; "
            "print(sorted(m for m in ('matplotlib', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def accuracies(net, images, labels):
    """Accuracy on MNIST images as given, and on ``preprocess_digit(image / 255)`` of each."""
    X = images.reshape(len(images), -1) / 255
    P = np.array([preprocess_digit(image / 255) for image in images])
    return [float(np.mean(net.predict(Z).argmax(axis=1) == labels)) for Z in (X, P)]


def test_preprocessing_keeps_accuracy_on_the_sample_test_images(network, sample):
    given, processed = accuracies(network, sample.test_images, sample.test_labels)
    print(f"sample test images: {given:.2%} as given, {processed:.2%} preprocessed")
    assert given > 0.88
    assert abs(given - processed) <= 0.01


def test_preprocessing_keeps_accuracy_on_the_full_test_set(mnist_folder):
    data = load_mnist(mnist_folder)
    net = train(*data.training_set(dtype="float32"), epochs=1)  # about 1 s
    given, processed = accuracies(net, data.test_images, data.test_labels)
    print(f"full test set: {given:.2%} as given, {processed:.2%} preprocessed")
    assert given > 0.94
    assert abs(given - processed) <= 0.01


# -- the demo, through mouse events ----------------------------------------------------------


def test_a_stroke_lands_where_the_mouse_went(pad):
    points = [(60.0, 100.0), (140.0, 100.0), (220.0, 120.0)]
    stroke(pad, points)
    canvas = pad.canvas
    near = np.minimum(distance_to_segment(canvas.shape, points[0], points[1]),
                      distance_to_segment(canvas.shape, points[1], points[2]))
    # Event positions are whole display pixels (1.4 canvas pixels here): allow 2.
    full, reach = pad.brush - pad.softness / 2, pad.brush + pad.softness / 2
    assert np.all(canvas[near < full - 2] == 1.0)
    assert not canvas[near > reach + 2].any()
    assert canvas[near < reach - 2].all()
    assert np.array_equal(pad.canvas_artist.get_array(), canvas)  # what the window shows
    assert not pad._drawing


def test_reading_updates_as_you_draw(pad):
    stroke(pad, [(140.0, 40.0), (140.0, 240.0)])  # a one
    first = pad.outputs.copy()
    assert first.sum() == pytest.approx(1.0, abs=1e-5) and first.argmax() == 1
    assert [bar.get_height() for bar in pad.bars] == pytest.approx(first.tolist())
    assert pad.prediction() == (1, pytest.approx(first[1]))
    assert pad.title.get_text().startswith("I read a 1 (")
    assert np.array_equal(pad.image_artist.get_array().ravel(), preprocess_digit(pad.canvas))

    send(pad, "button_press_event", 60.0, 40.0)  # a seven: the outputs change mid-stroke
    send(pad, "motion_notify_event", 220.0, 40.0, button=None)
    middle = pad.outputs.copy()
    assert not np.allclose(middle, first)
    assert middle.sum() == pytest.approx(1.0, abs=1e-5)
    send(pad, "motion_notify_event", 110.0, 240.0, button=None)
    send(pad, "button_release_event", 110.0, 240.0)
    assert pad.outputs.argmax() == 7 and pad.title.get_text().startswith("I read a 7")


def test_other_buttons_axes_and_loose_motion_draw_nothing(pad):
    send(pad, "button_press_event", 100.0, 100.0, button=MouseButton.RIGHT)
    send(pad, "motion_notify_event", 200.0, 200.0, button=None)
    send(pad, "button_press_event", 5.0, 0.5, ax=pad.ax_bars)  # a click on the bar chart
    send(pad, "motion_notify_event", 200.0, 200.0, button=None)
    send(pad, "button_release_event", 200.0, 200.0)
    assert not pad.canvas.any() and not pad.outputs.any()
    assert pad.prediction() is None and pad.title.get_text() == "Draw a digit"


def test_traced_mnist_digits_are_read_right(pad, demo, sample, monkeypatch):
    """Trace ten test images (one of each digit) on the canvas, row by row, with the mouse."""
    redraws = []
    # Agg renders the whole figure on every draw_idle (30 ms); a window coalesces them.
    monkeypatch.setattr(pad.figure.canvas, "draw_idle", lambda: redraws.append(1))
    right = []
    for digit in range(10):
        index = int(np.argmax(sample.test_labels == digit))
        for points in demo.strokes_for(sample.test_images[index] / 255, pad.size):
            stroke(pad, points)
        right.append(pad.prediction()[0] == digit)
        click(pad, pad.ax_button)
        assert not pad.canvas.any()
    print(f"traced digits read right: {sum(right)} of 10")
    assert sum(right) >= 8  # 10 of 10 when this was written
    assert len(redraws) > 100


def test_the_clear_button_empties_canvas_and_bars(pad):
    stroke(pad, [(80.0, 60.0), (200.0, 60.0), (120.0, 230.0)])
    assert pad.canvas.any() and pad.outputs.any()
    click(pad, pad.ax_button)
    assert not pad.canvas.any() and not pad.outputs.any()
    assert not pad.canvas_artist.get_array().any() and not pad.image_artist.get_array().any()
    assert [bar.get_height() for bar in pad.bars] == [0.0] * 10
    assert pad.title.get_text() == "Draw a digit"
    stroke(pad, [(140.0, 40.0), (140.0, 240.0)])  # and drawing works again afterwards
    assert pad.prediction()[0] == 1


def test_a_pad_nobody_names_still_draws(demo, network):
    import gc

    figure = plt.figure(figsize=(9, 5), dpi=50)
    demo.DigitPad(network, figure)  # not kept: the figure's event handlers must keep it
    gc.collect()
    canvas = figure.canvas
    try:
        px, py = figure.axes[0].transData.transform((140.0, 140.0))
        for name in ("button_press_event", "button_release_event"):
            canvas.callbacks.process(name, MouseEvent(name, canvas, round(px), round(py),
                                                      button=MouseButton.LEFT))
        shown = figure.axes[0].images[0].get_array()
        assert shown[140, 140] == 1.0 and shown.sum() > 100
    finally:
        plt.close(figure)


def test_a_network_of_the_wrong_shape_is_refused(demo):
    with pytest.raises(ValueError, match="784 inputs and 10 outputs"):
        demo.DigitPad(Network.layered([784, 5, 3], seed=0))


# -- main ----------------------------------------------------------------------------------------


@pytest.fixture
def no_full_set(monkeypatch, tmp_path):
    monkeypatch.delenv("NEUROGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_main_trains_then_saves_a_screenshot(demo, no_full_set, tmp_path, capsys):
    path = tmp_path / "pad.png"
    pad = demo.main(["--no-show", "--quiet", "--epochs", "1", "--hidden", "32", "--no-download",
                     "--screenshot", str(path)])
    try:
        assert pad.network.sizes == (784, 32, 10)
        assert pad.prediction()[0] == 7 and pad.title.get_text().startswith("I read a 7")
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and 5_000 < len(data) < 100_000
        assert capsys.readouterr().out == ""
    finally:
        plt.close(pad.figure)


def test_main_loads_a_model_file(demo, network, tmp_path):
    if not hasattr(neurograph, "load"):
        pytest.skip("neurograph.load (model files) is not there yet")
    path = tmp_path / "model.json"
    network.save(path)
    pad = demo.main([str(path), "--no-show", "--quiet"])
    try:
        X = np.random.default_rng(0).random((3, 784))
        assert np.allclose(pad.network.predict(X), network.predict(X), atol=1e-6)
    finally:
        plt.close(pad.figure)
