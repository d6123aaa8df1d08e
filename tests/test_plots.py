"""Tests for neurograph.plots: each helper draws the numbers it should, and returns them."""
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from neurograph import Network
from neurograph.drawing.plots import (animate_training, confusion_matrix, plot_confusion_matrix,
                              plot_decision_boundary, plot_history, plot_neuron_maps,
                              plot_weights, weight_mosaic)
from neurograph.training.loop import History
from neurograph.engines.vectorized import forward

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_writes_png(fig, tmp_path, name="figure.png"):
    path = tmp_path / name
    fig.savefig(path)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1000


def xor_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 2))
    Y = ((X[:, 0] >= 0.5) != (X[:, 1] >= 0.5)).astype(float).reshape(-1, 1)
    return X, Y


def pixel_centres(image):
    """The (x, y) of every pixel's centre of an ``origin="lower"`` image, row by row."""
    rows, columns = image.get_array().shape
    x0, x1, y0, y1 = image.get_extent()
    dx, dy = (x1 - x0) / columns, (y1 - y0) / rows
    xs = x0 + dx * (np.arange(columns) + 0.5)
    ys = y0 + dy * (np.arange(rows) + 0.5)
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()])


def test_importing_plots_does_not_import_matplotlib():
    code = ("import sys, neurograph.drawing.plots; "
            "print(sorted(m for m in ('networkx', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- plot_history ----------------------------------------------------------------------------------

HISTORY = History(cost=[0.9, 0.5, 0.25], accuracy=[0.4, 0.7, 0.95],
                  validation_cost=[1.0, 0.6, 0.3], validation_accuracy=[0.5, 0.6, 0.9],
                  seconds=[0.1, 0.1, 0.1])


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.lines}


def test_plot_history_draws_every_list_against_epochs_from_one(tmp_path):
    cost_ax, accuracy_ax = plot_history(HISTORY)
    assert cost_ax is not accuracy_ax and cost_ax.figure is accuracy_ax.figure
    costs, accuracies = lines_by_label(cost_ax), lines_by_label(accuracy_ax)
    assert set(costs) == {"training cost", "validation cost"}
    assert set(accuracies) == {"training accuracy", "validation accuracy"}
    for lines, names in ((costs, ("cost", "validation_cost")),
                         (accuracies, ("accuracy", "validation_accuracy"))):
        for label, name in zip(sorted(lines, key=lambda s: s.startswith("validation")), names):
            assert lines[label].get_xdata().tolist() == [1, 2, 3]
            assert lines[label].get_ydata().tolist() == getattr(HISTORY, name)
    assert (cost_ax.get_xlabel(), cost_ax.get_ylabel()) == ("epoch", "cost")
    assert accuracy_ax.get_ylabel() == "accuracy"
    assert cost_ax.get_legend() is not None and accuracy_ax.get_legend() is not None
    assert_writes_png(cost_ax.figure, tmp_path)


def test_plot_history_on_one_axes_puts_accuracy_on_a_twin(tmp_path):
    fig, ax = plt.subplots()
    result = plot_history(HISTORY, ax=ax)
    assert isinstance(result, tuple) and result[0] is ax
    twin = result[1]
    assert twin is not ax and twin.get_shared_x_axes().joined(ax, twin)
    assert [line.get_ydata().tolist() for line in ax.lines] == [HISTORY.cost,
                                                                HISTORY.validation_cost]
    assert [line.get_ydata().tolist() for line in twin.lines] == [HISTORY.accuracy,
                                                                  HISTORY.validation_accuracy]
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend_texts == ["training cost", "validation cost", "training accuracy",
                            "validation accuracy"]
    assert_writes_png(fig, tmp_path)


def test_plot_history_skips_accuracy_that_was_not_measured():
    history = History(cost=[0.3, 0.2], accuracy=[None, None])
    cost_ax, accuracy_ax = plot_history(history)
    assert [line.get_label() for line in cost_ax.lines] == ["training cost"]
    assert len(accuracy_ax.lines) == 0
    fig, ax = plt.subplots()
    _, twin = plot_history(history, ax=ax)
    assert len(twin.lines) == 0 and not twin.get_visible()


def test_plot_history_of_a_real_fit_and_its_dict():
    X, Y = xor_data()
    history = Network.layered([2, 4, 1], seed=0).fit(X, Y, epochs=4, progress=False, seed=0)
    for source in (history, history.as_dict()):
        cost_ax, accuracy_ax = plot_history(source)
        assert cost_ax.lines[0].get_ydata().tolist() == history.cost
        assert accuracy_ax.lines[0].get_ydata().tolist() == history.accuracy


def test_plot_history_refuses_an_empty_history():
    with pytest.raises(ValueError, match="`history` must hold at least one epoch"):
        plot_history(History())


# -- plot_weights ----------------------------------------------------------------------------------

def test_plot_weights_tiles_each_neurons_weights_with_nan_gaps_and_masked_connections(tmp_path):
    net = Network.layered([9, 5, 2], seed=0)
    layer = net.hidden_layers[0]
    layer.mask[2, 4] = False  # a connection that does not exist
    layer.weights[2, 4] = 0.0
    ax = plot_weights(layer)
    [image] = ax.images
    mosaic = np.ma.filled(image.get_array().astype(float), np.nan)
    # 5 neurons of 3 x 3 in a 3-column grid of 2 rows: (2 * 4 - 1) x (3 * 4 - 1) pixels.
    assert mosaic.shape == (7, 11)
    for k in range(5):
        top, left = (k // 3) * 4, (k % 3) * 4
        tile = mosaic[top:top + 3, left:left + 3]
        expected = layer.weights[k].reshape(3, 3).copy()
        if k == 2:
            expected[1, 1] = np.nan  # input 4 is the centre of a 3 x 3 tile
        np.testing.assert_array_equal(tile, expected)
    assert np.isnan(mosaic[3, :]).all() and np.isnan(mosaic[:, 3]).all()  # the gaps
    assert np.isnan(mosaic[4:, 8:]).all()  # the sixth tile is unused
    limit = np.abs(layer.weights[layer.mask]).max()
    assert image.norm.vmin == -limit and image.norm.vmax == limit
    assert ax.get_title() == "incoming weights, layer 1: 5 neurons"
    assert len(ax.figure.axes) == 2  # the mosaic and one colour bar
    assert_writes_png(ax.figure, tmp_path)


def test_plot_weights_shows_at_most_max_neurons_and_says_so():
    net = Network.layered([16, 12, 2], seed=0)
    ax = plot_weights(net.hidden_layers[0], max_neurons=5)
    assert ax.get_title() == "incoming weights, layer 1: first 5 of 12 neurons"
    mosaic, tile, grid, shown = weight_mosaic(net.hidden_layers[0], max_neurons=5)
    assert (tile, shown) == ((4, 4), 5)
    assert np.count_nonzero(~np.isnan(mosaic)) == 5 * 16


def test_plot_weights_strips_and_shapes_on_a_given_axes():
    net = Network.layered([6, 3, 2], seed=0)
    fig, ax = plt.subplots()
    assert plot_weights(net.output_layer, ax=ax, colorbar=False) is ax
    # 3 inputs is not a square: each neuron is a 1 x 3 strip, one per row.
    mosaic = np.ma.filled(ax.images[0].get_array().astype(float), np.nan)
    np.testing.assert_array_equal(mosaic[::2], net.output_layer.weights)
    assert np.isnan(mosaic[1]).all()
    mosaic, tile, grid, shown = weight_mosaic(net.hidden_layers[0], shape=(2, 3))
    assert tile == (2, 3)
    np.testing.assert_array_equal(mosaic[:2, :3], net.hidden_layers[0].weights[0].reshape(2, 3))


@pytest.mark.parametrize("kwargs, match", [
    ({"shape": (2, 2)}, r"`shape` must be \(rows, columns\) with rows x columns = 9"),
    ({"shape": 9}, "`shape` must be"),
    ({"max_neurons": 0}, "`max_neurons` must be a positive integer, got 0"),
])
def test_plot_weights_refuses_bad_arguments(kwargs, match):
    net = Network.layered([9, 5, 2], seed=0)
    with pytest.raises(ValueError, match=match):
        plot_weights(net.hidden_layers[0], **kwargs)


def test_plot_weights_refuses_the_input_layer():
    with pytest.raises(TypeError, match="`layer` must be a HiddenLayer or OutputLayer"):
        plot_weights(Network.layered([4, 2], seed=0).input_layer)


def conv_net(input_shape=(10, 10), front=None):
    from neurograph.convolution import convolution, max_pooling

    front = [convolution(), max_pooling(2)] if front is None else front
    return Network.convolutional(input_shape, front, [3], seed=0)


def test_plot_weights_of_a_convolution_layer_shows_its_kernels_on_a_scale_centred_at_0(tmp_path):
    from neurograph.convolution import kernel_bank

    conv = conv_net().receiving_layers[0]
    ax = plot_weights(conv)
    [image] = ax.images
    mosaic = np.ma.filled(image.get_array().astype(float), np.nan)
    # 12 maps of one channel in a 3 x 4 grid of 3 x 3 kernels, one blank pixel between them
    assert mosaic.shape == (3 * 4 - 1, 4 * 4 - 1)
    bank = kernel_bank("edges_and_lines")
    for m in range(12):
        top, left = (m // 4) * 4, (m % 4) * 4
        np.testing.assert_array_equal(mosaic[top:top + 3, left:left + 3], bank[m])
    assert np.isnan(mosaic[3]).all() and np.isnan(mosaic[:, 11]).all()
    assert (image.norm.vmin, image.norm.vmax) == (-0.5, 0.5)  # the largest |entry| is 2 / 4
    assert image.cmap.name == "coolwarm"
    assert ax.get_title() == "kernels, layer 1: 12 maps of 3 x 3 (fixed)"
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if t.startswith("map")] == [f"map {m}" for m in range(12)]
    numbers = [float(t) for t in texts if not t.startswith("map")]
    assert numbers == [v for v in mosaic.ravel().tolist() if not np.isnan(v)]
    assert ax.figure.axes[1].get_ylabel() == "kernel entry"
    assert_writes_png(ax.figure, tmp_path)


def test_plot_weights_of_several_channels_has_a_row_per_map_and_a_column_per_channel():
    from neurograph.convolution import convolution, max_pooling

    net = conv_net((12, 12), [convolution(4), max_pooling(2), convolution(5)])
    conv = net.receiving_layers[2]
    ax = plot_weights(conv, max_neurons=3, colorbar=False)
    mosaic = np.ma.filled(ax.images[0].get_array().astype(float), np.nan)
    assert mosaic.shape == (3 * 4 - 1, 4 * 4 - 1)
    for m in range(3):
        for c in range(4):
            np.testing.assert_array_equal(mosaic[m * 4:m * 4 + 3, c * 4:c * 4 + 3],
                                          conv.kernels[m, c])
    assert ax.get_title() == "kernels, layer 3: first 3 of 5 maps x 4 channels of 3 x 3 (fixed)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["map 0", "map 1", "map 2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"channel {c}" for c in range(4)]
    limit = np.abs(conv.kernels).max()
    assert ax.images[0].norm.vmax == limit and ax.images[0].norm.vmin == -limit
    mosaic, tile, grid, shown = weight_mosaic(conv)
    assert (tile, grid, shown) == ((3, 3), (5, 4), 5)


@pytest.mark.parametrize("kind, match", [
    ("max", "a pooling layer has no weights to show \\(each neuron passes on the largest"),
    ("average", "a pooling layer has no weights to show \\(its one shared weight is 1 / "),
])
def test_plot_weights_refuses_a_pooling_layer(kind, match):
    from neurograph.convolution import average_pooling, max_pooling

    net = conv_net((8, 8), [max_pooling(2) if kind == "max" else average_pooling(2)])
    with pytest.raises(ValueError, match="`layer` must be a fully connected or convolution "
                                         "layer, got (Max|Average)PoolingLayer"):
        plot_weights(net.receiving_layers[0])
    with pytest.raises(ValueError, match=match):
        weight_mosaic(net.receiving_layers[0])


def test_plot_weights_refuses_a_shape_for_kernels_and_values_for_a_dense_layer():
    with pytest.raises(ValueError, match="`shape` must be None for a convolution layer"):
        plot_weights(conv_net().receiving_layers[0], shape=(3, 3))
    with pytest.raises(ValueError, match="`annotate` is for the kernels of a convolution"):
        plot_weights(Network.layered([4, 2], seed=0).output_layer, annotate=True)
    assert plt.get_fignums() == []  # refused before drawing anything


# -- plot_decision_boundary ------------------------------------------------------------------------

def test_plot_decision_boundary_image_is_the_prediction_on_the_grid(tmp_path):
    X, Y = xor_data()
    net = Network.layered([2, 5, 1], activation="tanh", seed=0)
    ax = plot_decision_boundary(net, X, Y, resolution=30)
    [image] = ax.images
    values = image.get_array()
    assert values.shape == (30, 30)
    centres = pixel_centres(image)
    np.testing.assert_allclose(values.ravel(), net.predict(centres)[:, 0], rtol=0, atol=1e-12)
    # the grid covers the data and more
    x0, x1, y0, y1 = image.get_extent()
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max() and y0 < X[:, 1].min() and y1 > X[:, 1].max()
    [points] = [c for c in ax.collections if len(c.get_offsets()) == len(X)]
    np.testing.assert_array_equal(points.get_offsets(), X)
    np.testing.assert_array_equal(points.get_array(), Y[:, 0])  # coloured by the label
    assert points.norm is image.norm  # on the image's scale
    assert_writes_png(ax.figure, tmp_path)


def test_plot_decision_boundary_one_hot_labels_one_colour_per_class():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    labels = np.arange(30) % 3
    Y = np.eye(3)[labels]
    net = Network.layered([2, 4, 3], activation="tanh", output_activation="softmax",
                          cost="cross_entropy", seed=0)
    fig, ax = plt.subplots()
    assert plot_decision_boundary(net, X, Y, ax=ax, output=2, resolution=12) is ax
    values = ax.images[0].get_array()
    np.testing.assert_allclose(values.ravel(), net.predict(pixel_centres(ax.images[0]))[:, 2],
                               atol=1e-12)
    scatters = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in scatters] == ["class 0", "class 1", "class 2"]
    for k, collection in enumerate(scatters):
        np.testing.assert_array_equal(collection.get_offsets(), X[labels == k])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1",
                                                                   "class 2"]


@pytest.mark.parametrize("sizes, kwargs, match", [
    ([3, 4, 1], {}, "`network` must have 2 inputs .*got 3 inputs"),
    ([2, 4, 1], {"output": 1}, r"`output` must be an output neuron's index in \[0, 1\), got 1"),
    ([2, 4, 1], {"resolution": 1}, "`resolution` must be an integer >= 2, got 1"),
    ([2, 4, 1], {"Y": np.zeros(5)}, r"`Y` must have one row per sample of `X` \(40\)"),
])
def test_plot_decision_boundary_refuses_bad_arguments(sizes, kwargs, match):
    X, Y = xor_data()
    net = Network.layered(sizes, seed=0)
    Y = kwargs.pop("Y", Y)
    with pytest.raises(ValueError, match=match):
        plot_decision_boundary(net, np.ones((40, sizes[0])), Y, **kwargs)


# -- plot_neuron_maps ------------------------------------------------------------------------------

def test_plot_neuron_maps_one_heatmap_per_receiving_neuron_from_forward(tmp_path):
    net = Network.layered([2, 3, 2, 1], activation="tanh", seed=0)
    fig = plot_neuron_maps(net, resolution=12)
    assert isinstance(fig, matplotlib.figure.Figure)
    labels = [ax.get_label() for ax in fig.axes]
    expected = [f"layer {k}, neuron {j}" for k, n in ((1, 3), (2, 2), (3, 1)) for j in range(n)]
    # the heatmaps first, then (issue 13) one colour bar per layer
    assert labels == expected + [f"layer {k} colour bar" for k in (1, 2, 3)]
    maps = fig.axes[:len(expected)]
    # the unit square, by default
    image = fig.axes[0].images[0]
    centres = pixel_centres(image)
    assert np.allclose(centres[[0, -1]], [[0.0, 0.0], [1.0, 1.0]])
    activations = forward(net, centres)
    for ax in maps:
        k, j = (int(word.strip(",")) for word in ax.get_label().split()[1::2])
        [image] = ax.images
        np.testing.assert_allclose(image.get_array().ravel(), activations[k][:, j], atol=1e-12)
    # layout like the diagram: one column per layer, neurons top to bottom, columns centred
    boxes = {ax.get_label(): ax.get_position() for ax in maps}
    assert boxes["layer 1, neuron 0"].x0 < boxes["layer 2, neuron 0"].x0 < boxes[
        "layer 3, neuron 0"].x0
    assert boxes["layer 1, neuron 0"].y0 > boxes["layer 1, neuron 1"].y0 > boxes[
        "layer 1, neuron 2"].y0
    middle = (boxes["layer 1, neuron 1"].y0 + boxes["layer 1, neuron 1"].y1) / 2
    assert abs((boxes["layer 3, neuron 0"].y0 + boxes["layer 3, neuron 0"].y1) / 2 - middle) < 1e-6
    assert_writes_png(fig, tmp_path)


def test_plot_neuron_maps_extent_from_the_data_or_given():
    net = Network.layered([2, 2, 1], seed=0)
    X = np.array([[-2.0, 10.0], [2.0, 12.0]])
    # the data's range and 10% of it on each side
    centres = pixel_centres(plot_neuron_maps(net, X, resolution=5).axes[0].images[0])
    assert np.allclose(centres[[0, -1]], [[-2.4, 9.8], [2.4, 12.2]])
    fig = plot_neuron_maps(net, X, resolution=5, extent=(0, 1, 0, 2))
    centres = pixel_centres(fig.axes[0].images[0])
    assert np.allclose(centres[[0, -1]], [[0.0, 0.0], [1.0, 2.0]])


@pytest.mark.parametrize("sizes, kwargs, match", [
    ([3, 2, 1], {}, "`network` must have 2 inputs .*got 3 inputs"),
    ([2, 2, 1], {"extent": (1, 0, 0, 1)}, "`extent` must be four finite numbers"),
    ([2, 2, 1], {"resolution": 0}, "`resolution` must be an integer >= 2"),
])
def test_plot_neuron_maps_refuses_bad_arguments(sizes, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_neuron_maps(Network.layered(sizes, seed=0), **kwargs)


# -- plot_confusion_matrix -------------------------------------------------------------------------

def identity_network(n):
    """A network whose outputs are its inputs: the predicted class is the argmax of a row."""
    net = Network.layered([n, n], activation="identity", seed=0, bias_clamp=None)
    net.output_layer.weights[...] = np.eye(n)
    net.output_layer.biases[...] = 0.0
    return net


def test_plot_confusion_matrix_counts_by_hand(tmp_path):
    net = identity_network(3)
    # predicted classes (argmax of each row): 0, 1, 2, 2, 1, 0
    X = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0], [1, 0, 0]]
    labels = [0, 1, 2, 1, 1, 2]
    # true 0: predicted 0 once; true 1: predicted 1 twice, 2 once; true 2: 2 once, 0 once
    expected = np.array([[1, 0, 0],
                         [0, 2, 1],
                         [1, 0, 1]])
    np.testing.assert_array_equal(confusion_matrix(net, X, labels), expected)
    ax = plot_confusion_matrix(net, X, labels)
    matrix = ax.images[0].get_array()
    np.testing.assert_array_equal(matrix, expected)
    assert matrix.sum() == len(X)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted", "true")
    assert ax.get_title() == "6 samples, accuracy 66.7%"
    assert_writes_png(ax.figure, tmp_path)


def test_plot_confusion_matrix_normalized_rows_and_a_single_output():
    net = identity_network(1)  # class 1 when the output is at least 0.5
    X = [[0.2], [0.9], [0.7], [0.1], [0.5]]
    fig, ax = plt.subplots()
    assert plot_confusion_matrix(net, X, np.array([0, 1, 0, 0, 1]), ax=ax, normalize=True) is ax
    np.testing.assert_allclose(ax.images[0].get_array(), [[2 / 3, 1 / 3], [0.0, 1.0]])
    assert [t.get_text() for t in ax.texts] == ["0.67", "0.33", "0.00", "1.00"]


@pytest.mark.parametrize("labels, match", [
    ([0, 1], r"`labels` must hold one label per sample of `X` \(3\), got shape \(2,\)"),
    ([0, 1, -1], "`labels` must be whole numbers >= 0"),
    ([0, 1, 0.5], "`labels` must be whole numbers >= 0"),
])
def test_plot_confusion_matrix_refuses_bad_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        plot_confusion_matrix(identity_network(2), [[0, 1], [1, 0], [1, 1]], labels)


# -- animate_training ------------------------------------------------------------------------------

FAST_FRAMES = {"figsize": (3, 2.4), "dpi": 50}


def test_animate_training_writes_one_frame_per_epoch_and_trains_like_fit(tmp_path):
    from PIL import Image

    X, Y = xor_data(60)
    net = Network.layered([2, 6, 1], activation="tanh", seed=0)
    twin = Network.layered([2, 6, 1], activation="tanh", seed=0)
    before = [layer.weights.copy() for layer in net.receiving_layers]
    fit_kwargs = {"batch_size": 10, "learning_rate": 0.5, "seed": 3}
    history, path = animate_training(net, X, Y, tmp_path / "training.gif", epochs=3, fps=5,
                                     fit_kwargs=fit_kwargs,
                                     frame_kwargs={"resolution": 20}, **FAST_FRAMES)
    assert path == tmp_path / "training.gif"
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4
        assert gif.info["duration"] == 200
    # it trained, exactly as one fit of 3 epochs with the same seed does
    assert not np.allclose(before[0], net.receiving_layers[0].weights)
    expected = twin.fit(X, Y, epochs=3, progress=False, **fit_kwargs)
    for layer, other in zip(net.receiving_layers, twin.receiving_layers):
        np.testing.assert_array_equal(layer.weights, other.weights)
        np.testing.assert_array_equal(layer.biases, other.biases)
    assert history.cost == expected.cost and history.accuracy == expected.accuracy
    assert len(history.seconds) == 3


def test_animate_training_keeps_validation_in_the_history(tmp_path):
    X, Y = xor_data(20)
    net = Network.layered([2, 3, 1], seed=0)
    history, _ = animate_training(net, X, Y, tmp_path / "v.gif", epochs=2,
                                  fit_kwargs={"validation": (X[:5], Y[:5])},
                                  frame_kwargs={"resolution": 10}, **FAST_FRAMES)
    assert len(history.validation_cost) == len(history.validation_accuracy) == 2


def test_animate_training_diagram_frames(tmp_path):
    pytest.importorskip("neurograph.drawing")
    from PIL import Image

    X, Y = xor_data(20)
    net = Network.layered([2, 3, 1], seed=0)
    history, path = animate_training(net, X, Y, tmp_path / "diagram.gif", epochs=2,
                                     frame="diagram", **FAST_FRAMES)
    with Image.open(path) as gif:
        assert gif.n_frames == 3
    assert len(history) == 2


@pytest.mark.parametrize("sizes, kwargs, error, match", [
    ([2, 3, 1], {"fps": 0}, ValueError, "`fps` must be a number > 0, got 0"),
    ([2, 3, 1], {"epochs": 0}, ValueError, "`epochs` must be a positive integer, got 0"),
    ([2, 3, 1], {"frame": "movie"}, ValueError,
     "`frame` must be one of boundary, diagram, got 'movie'"),
    ([2, 3, 1], {"fit_kwargs": {"epochs": 5}}, ValueError, "`fit_kwargs` must not set 'epochs'"),
    ([3, 3, 1], {}, ValueError, "`network` must have 2 inputs .*got 3 inputs"),
    ([2, 3, 1], {"path": "missing-folder/x.gif"}, FileNotFoundError, "existing folder"),
    # refused by fit itself, after the first frame: the network is put back
    ([2, 3, 1], {"fit_kwargs": {"learning_rate": -1}}, ValueError, "learning_rate"),
])
def test_animate_training_refuses_bad_arguments_and_changes_nothing(tmp_path, sizes, kwargs,
                                                                    error, match):
    X, Y = np.ones((20, sizes[0])), xor_data(20)[1]
    path = tmp_path / kwargs.pop("path", "x.gif")
    net = Network.layered(sizes, seed=0)
    before = [layer.weights.copy() for layer in net.receiving_layers]
    with pytest.raises(error, match=match):
        animate_training(net, X, Y, path, epochs=kwargs.pop("epochs", 2), **kwargs)
    for layer, weights in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, weights)
    assert not path.exists()


def test_animate_training_puts_the_network_back_when_a_later_frame_fails(tmp_path, monkeypatch):
    import neurograph.drawing.plots

    calls = []
    draw = neurograph.drawing.plots.plot_decision_boundary

    def fails_after_training(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the frame after the second epoch
            raise RuntimeError("drawing failed")
        return draw(*args, **kwargs)

    monkeypatch.setattr(neurograph.drawing.plots, "plot_decision_boundary", fails_after_training)
    X, Y = xor_data(20)
    net = Network.layered([2, 3, 1], seed=0)
    before = [(layer.weights.copy(), layer.biases.copy()) for layer in net.receiving_layers]
    path = tmp_path / "x.gif"
    with pytest.raises(RuntimeError, match="drawing failed"):
        animate_training(net, X, Y, path, epochs=3, fit_kwargs={"learning_rate": 1.0},
                         frame_kwargs={"resolution": 10}, **FAST_FRAMES)
    assert len(calls) == 3
    for layer, (weights, biases) in zip(net.receiving_layers, before):
        np.testing.assert_array_equal(layer.weights, weights)
        np.testing.assert_array_equal(layer.biases, biases)
    assert not path.exists()  # no half-made GIF


def test_neuron_maps_wrap_a_big_layer_into_columns():
    from neurograph import Network, plot_neuron_maps
    net = Network.layered([2, 20, 1], activation="tanh", seed=0)
    fig = plot_neuron_maps(net, resolution=8, per_column=8)
    lefts = sorted({round(ax.get_position().x0, 3) for ax in fig.axes[:20]})
    assert len(lefts) == 3  # 20 neurons, 8 to a column
    rows = sorted({round(ax.get_position().y0, 3) for ax in fig.axes[:20]})
    assert len(rows) == 8
    with pytest.raises(ValueError, match="`per_column` must be"):
        plot_neuron_maps(net, per_column=0)


def test_plot_weights_draws_one_source_block_of_a_graph_layer():
    from neurograph import HiddenLayer, InputLayer, OutputLayer

    inputs, hidden, out = InputLayer(shape=(3, 3)), HiddenLayer(4, "tanh", shape=(2, 2)), \
        OutputLayer(5)
    inputs.fully_connect_to(hidden, seed=0)
    hidden.fully_connect_to(out, seed=1)
    inputs.fully_connect_to(out, seed=2)  # the skip connection: 9 more columns
    out[1].inputs[0].weight = 0.0
    Network([inputs, hidden, out])
    with pytest.raises(ValueError, match=r"`source` must be given: .* reads layers 1, 0"):
        plot_weights(out)
    with pytest.raises(ValueError, match="`source` must be a layer that"):
        plot_weights(out, source=out)
    mosaic, tile, grid, shown = weight_mosaic(out, source=inputs)
    assert (tile, grid, shown) == ((3, 3), (2, 3), 5)  # 5 tiles of 3 x 3, 3 to a row
    assert mosaic.shape == (2 * 4 - 1, 3 * 4 - 1)
    for j in range(5):
        row, column = divmod(j, 3)
        np.testing.assert_array_equal(mosaic[row * 4:row * 4 + 3, column * 4:column * 4 + 3],
                                      out.block(inputs)[j].reshape(3, 3))
    mosaic, tile, grid, shown = weight_mosaic(out, source=hidden)
    assert tile == (2, 2) and mosaic[0, 0] == out.block(hidden)[0, 0]
    fig, ax = plt.subplots(figsize=(4, 3))
    assert plot_weights(out, source=inputs, ax=ax) is ax
    assert ax.get_title() == "incoming weights, layer 2: 5 neurons\nfrom layer 0"
    fig.canvas.draw()
    title = ax.title.get_window_extent()
    figure = fig.bbox
    assert figure.x0 <= title.x0 and title.x1 <= figure.x1 and title.y1 <= figure.y1
    plt.close(fig)


# -- pictures for a slide (issue 13) ---------------------------------------------------------------

def _xor_trained():
    X, Y = xor_data(60)
    net = Network.layered([2, 64, 1], activation="relu", output_activation="identity",
                          cost="quadratic", seed=0)
    net.fit(X - 0.5, Y, epochs=3, batch_size=5, learning_rate=0.05, progress=False, seed=0)
    return net, X - 0.5, Y


def _conv_layer():
    from neurograph.convolution import convolution, max_pooling

    net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [10], seed=0)
    return net.receiving_layers[0]


def _digits_like(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)), rng.integers(0, 10, n)


FIGURES = {
    "history": lambda: plot_history(HISTORY)[0].figure,
    "history, test set": lambda: plot_history(HISTORY, validation_label="test")[0].figure,
    "weights 784-16-10 layer 1": lambda: plot_weights(
        Network.layered([784, 16, 10], seed=0).hidden_layers[0]).figure,
    "weights 784-128-10 layer 1": lambda: plot_weights(
        Network.layered([784, 128, 10], seed=0).hidden_layers[0], max_neurons=64).figure,
    "weights 784-16-10 outputs": lambda: plot_weights(
        Network.layered([784, 16, 10], seed=0).output_layer).figure,
    "weights 784-128-10 outputs": lambda: plot_weights(
        Network.layered([784, 128, 10], seed=0).output_layer).figure,
    "weights 2-64-1 hidden": lambda: plot_weights(
        Network.layered([2, 64, 1], seed=0).hidden_layers[0]).figure,
    "weights 2-64-1 output": lambda: plot_weights(
        Network.layered([2, 64, 1], seed=0).output_layer).figure,
    "kernels": lambda: plot_weights(_conv_layer()).figure,
    "boundary xor": lambda: plot_decision_boundary(*_xor_trained(), resolution=40).figure,
    "boundary classes": lambda: plot_decision_boundary(
        Network.layered([2, 4, 3], seed=0), *xor_data(30)[:1], np.arange(30) % 3,
        resolution=20).figure,
    "neuron maps 2-3-1": lambda: plot_neuron_maps(Network.layered([2, 3, 1], seed=0),
                                                  resolution=12),
    "neuron maps 2-64-1": lambda: plot_neuron_maps(_xor_trained()[0], resolution=12),
    "neuron maps 2-8-8-3": lambda: plot_neuron_maps(Network.layered([2, 8, 8, 3], seed=0),
                                                    resolution=12),
    "confusion": lambda: plot_confusion_matrix(Network.layered([784, 10], seed=0),
                                               *_digits_like()).figure,
    "confusion normalized": lambda: plot_confusion_matrix(
        Network.layered([784, 10], seed=0), *_digits_like(), normalize=True).figure,
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_plot_holds_its_contents_and_no_texts_overlap(name):
    from figure_checks import outside_figure, overlapping_texts

    fig = FIGURES[name]()
    assert outside_figure(fig) == []  # as a plain savefig or plt.show() shows it
    assert overlapping_texts(fig) == []


def test_plot_history_calls_the_held_out_set_what_it_is():
    cost_ax, accuracy_ax = plot_history(HISTORY, validation_label="test")
    assert set(lines_by_label(cost_ax)) == {"training cost", "test cost"}
    assert set(lines_by_label(accuracy_ax)) == {"training accuracy", "test accuracy"}
    assert [t.get_text() for t in accuracy_ax.get_legend().get_texts()] == [
        "training accuracy", "test accuracy"]
    fig, ax = plt.subplots()
    plot_history(HISTORY, ax=ax, validation_label="test")
    assert "test cost" in [t.get_text() for t in ax.get_legend().get_texts()]
    # one epoch: whole epochs on the axis, not 0.945, 0.96, ...
    cost_ax, _ = plot_history(History(cost=[0.5], accuracy=[0.8]))
    cost_ax.figure.canvas.draw()
    low, high = cost_ax.get_xlim()
    assert [t for t in cost_ax.get_xticks() if low <= t <= high] == [1.0]
    for bad in ("", " ", 3):
        with pytest.raises(TypeError, match="`validation_label` must be a non-empty string"):
            plot_history(HISTORY, validation_label=bad)
    # by default, what fit called it (None: the history's validation_name)
    named = History(cost=[0.5], validation_cost=[0.6], validation_name="held-out digits")
    cost_ax, _ = plot_history(named)
    assert "held-out digits cost" in lines_by_label(cost_ax)
    cost_ax, _ = plot_history(named.as_dict())  # a dict without the name: "validation"
    assert "validation cost" in lines_by_label(cost_ax)


def test_neuron_maps_of_2_64_1_fill_a_16_by_9_slide_with_names_numbers_and_colour_bars():
    net = Network.layered([2, 64, 1], seed=0)
    fig = plot_neuron_maps(net, resolution=8)
    width, height = fig.get_size_inches()
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    maps = [ax for ax in fig.axes if ", neuron " in ax.get_label()]
    assert len(maps) == 65
    hidden = maps[:64]
    columns = {round(ax.get_position().x0, 4) for ax in hidden}
    rows = {round(ax.get_position().y0, 4) for ax in hidden}
    assert len(columns) > len(rows) > 1  # a wide grid, not a column of 64
    fig.canvas.draw()
    boxes = [ax.get_window_extent() for ax in maps]
    for i, a in enumerate(boxes):  # no two maps overlap
        for b in boxes[i + 1:]:
            assert min(a.x1, b.x1) - max(a.x0, b.x0) <= 0 or min(a.y1, b.y1) - max(a.y0, b.y0) <= 0
    for ax in maps:  # each map numbered with its neuron
        j = int(ax.get_label().split()[-1])
        assert str(j) in [t.get_text() for t in ax.texts]
    bars = [ax for ax in fig.axes if ax.get_label().endswith("colour bar")]
    assert [ax.get_label() for ax in bars] == ["layer 1 colour bar", "layer 2 colour bar"]
    named = [ax for ax in maps if ax.get_xlabel() or ax.get_ylabel()]
    assert [(ax.get_xlabel(), ax.get_ylabel()) for ax in named] == [("x1", "x2")]
    assert named[0].get_label().startswith("layer 1,")
    fig = plot_neuron_maps(net, resolution=8, input_names=("sleep", "study"))
    assert ("sleep", "study") in [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]
    for bad in ("xy", ("x",), ("x", 2)):
        with pytest.raises(ValueError, match="`input_names` must be two strings"):
            plot_neuron_maps(net, input_names=bad)


def test_plot_weights_names_which_neuron_and_which_input():
    net = Network.layered([784, 16, 10], seed=0)
    ax = plot_weights(net.output_layer)
    fig = ax.figure
    fig.canvas.draw()
    # a row per output neuron, numbered; a column per hidden neuron, numbered
    assert ax.get_ylabel() == "neuron of layer 2"
    assert ax.get_xlabel() == "input: neuron of layer 1"
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(j) for j in range(10)]
    np.testing.assert_array_equal(ax.get_yticks(), np.arange(0, 20, 2))
    mosaic = np.ma.filled(ax.images[0].get_array().astype(float), np.nan)
    np.testing.assert_array_equal(mosaic[::2], net.output_layer.weights)
    shown = [t.get_text() for t in ax.get_xticklabels()
             if ax.get_xlim()[0] <= t.get_position()[0] <= ax.get_xlim()[1]]
    assert shown and all(label.isdigit() for label in shown)
    # hidden neurons are no picture: 2-64-1's output is a 1 x 64 row, not an 8 x 8 tile
    _, tile, grid, _ = weight_mosaic(Network.layered([2, 64, 1], seed=0).output_layer)
    assert tile == (1, 64) and grid == (1, 1)
    # tiles of pixels carry their neuron's number
    ax = plot_weights(net.hidden_layers[0])
    assert sorted(int(t.get_text()) for t in ax.texts) == list(range(16))
    assert "layer 0" in ax.get_xlabel() and "28 x 28" in ax.get_xlabel()


def _luminance(rgba) -> float:
    r, g, b = np.asarray(rgba, dtype=float)[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_decision_boundary_points_stand_out_and_a_legend_names_the_classes():
    net, X, Y = _xor_trained()
    ax = plot_decision_boundary(net, X, Y, resolution=40)
    [points] = [c for c in ax.collections if len(c.get_offsets()) == len(X)]
    assert points.get_sizes().min() >= 30  # points^2: about 6 points across
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    # every point's ring or fill differs clearly from the background under it
    image = ax.images[0]
    faces = points.to_rgba(points.get_array())
    [edge] = points.get_edgecolors()
    predicted = net.predict(X)[:, 0]
    for face, value in zip(faces, predicted):
        background = image.cmap(image.norm(value))
        assert max(abs(_luminance(edge) - _luminance(background)),
                   abs(_luminance(face) - _luminance(background))) > 0.25
    assert points.get_linewidths().min() >= 1.0
    # regression targets are no classes: no legend
    rng = np.random.default_rng(0)
    ax = plot_decision_boundary(net, X, rng.random(len(X)), resolution=10)
    assert ax.get_legend() is None
