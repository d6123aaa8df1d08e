"""The diagram of a network with convolution and pooling layers: feature maps as tiles, kernels
as small images, one receptive field per map instead of tens of thousands of lines.

The layout is checked without matplotlib, against the layers' own geometry; the drawing (Agg)
against the layout and the network's numbers.
"""
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neurograph import Network, draw_network, network_layout  # noqa: E402
from neurograph.convolution import (average_pooling, convolution, kernel_bank,  # noqa: E402
                                    max_pooling)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def by_gid(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) <= 1
    return found[0] if found else None


def digit_like(side, seed=0):
    """A bright bar on a dark background, with a little noise: maps respond in some places."""
    image = np.random.default_rng(seed).random((side, side)) * 0.1
    image[side // 4: 3 * side // 4, side // 2] = 1.0
    return image.ravel()


def small_conv_net(side=10, seed=0):
    net = Network.convolutional((side, side), [convolution(), max_pooling(2)], [6, 3], seed=seed)
    net.propagate(digit_like(side).tolist())
    return net


def inside(box, point):
    left, right, bottom, top = box
    return left <= point[0] <= right and bottom <= point[1] <= top


# -- the layout -----------------------------------------------------------------------------------

def test_each_map_is_one_tile_and_each_kernel_an_image_equal_to_the_layers_kernels():
    net = small_conv_net()
    conv, pool = net.receiving_layers[:2]
    layout = network_layout(net)
    assert layout.equal_aspect
    grid, maps, pooled = layout.layers[:3]
    assert grid.grid == (10, 10) and grid.tiles is None
    assert maps.tiles.shape == (12, 4) and maps.map_shape == (8, 8)
    assert pooled.tiles.shape == (12, 4) and pooled.map_shape == (4, 4)
    np.testing.assert_array_equal(maps.kernels, conv.kernels)
    np.testing.assert_array_equal(maps.kernels[:, 0], kernel_bank("edges_and_lines"))
    assert maps.kernels is not conv.kernels  # a copy: the layout does not change the network
    assert pooled.kernels is None and pooled.kernel_extents is None
    # square tiles (the layout has equal aspect), one above the other, none overlapping
    widths = maps.tiles[:, 1] - maps.tiles[:, 0]
    heights = maps.tiles[:, 3] - maps.tiles[:, 2]
    np.testing.assert_allclose(widths, heights)
    assert np.all(np.diff(maps.tiles[:, 3]) < 0) and np.all(maps.tiles[1:, 3] < maps.tiles[:-1, 2])
    # each kernel sits left of its map, at its height; the pooled map m beside map m
    assert np.all(maps.kernel_extents[:, 1] < maps.tiles[:, 0])
    np.testing.assert_allclose(maps.kernel_extents[:, 2:].mean(axis=1),
                               maps.tiles[:, 2:].mean(axis=1))
    np.testing.assert_allclose(pooled.tiles[:, 2:].mean(axis=1), maps.tiles[:, 2:].mean(axis=1))
    assert pooled.tiles[:, 0].min() > maps.tiles[:, 1].max()


def test_a_map_neuron_is_drawn_at_its_own_pixel_of_its_own_tile():
    net = small_conv_net()
    conv = net.receiving_layers[0]
    maps = network_layout(net).layers[1]
    for index in (0, 7, 8, 63, 64, 200, conv.size - 1):
        m, y, x = conv.position(index)
        left, right, bottom, top = maps.tiles[m]
        pixel = (right - left) / 8
        expected = (left + (x + 0.5) * pixel, top - (y + 0.5) * pixel)
        assert maps.position(index) == pytest.approx(expected)
        assert maps.pixel(index) == pytest.approx((left + x * pixel, left + (x + 1) * pixel,
                                                   top - (y + 1) * pixel, top - y * pixel))


def test_no_connection_into_a_convolution_or_pooling_layer_is_drawn_as_a_line():
    net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [128, 10], seed=0)
    layout = network_layout(net)
    receivers = {c.output_neuron.layer.index for c in layout.connections}
    assert receivers == {3, 4}  # the fully connected head only
    assert len(layout.connections) == 300 + 300
    assert layout.total_connections == len(net.connections) == 341_984
    assert len(layout.receptive_fields) == 12 + 12
    assert "layers 0-1: 73,008 connections drawn as one receptive field per map" in layout.notes
    assert "layer 1: 8,112 neurons drawn as 12 maps of 26 x 26" in layout.notes


def test_a_receptive_field_is_the_maps_most_active_neuron_and_the_window_it_reads():
    net = small_conv_net()
    conv, pool = net.receiving_layers[:2]
    layout = network_layout(net)
    fields = {(f.layer, f.map): f for f in layout.receptive_fields}
    assert sorted(fields) == [(k, m) for k in (1, 2) for m in range(12)]
    for layer in (conv, pool):
        activations = np.array([n.activation for n in layer.neurons]).reshape(12, -1)
        senders, receivers = layout.layers[layer.index - 1], layout.layers[layer.index]
        for m in range(12):
            field = fields[(layer.index, m)]
            if activations[m].max() > activations[m].min():
                assert activations[m][field.neuron - m * activations.shape[1]] == \
                    activations[m].max()
            assert layer.position(field.neuron)[0] == m
            # the window: the inputs of that neuron, written out from the geometry
            _, y, x = layer.position(field.neuron)
            k = layer.kernel_size[0]
            side = layer.input_shape[2]
            s = layer.stride
            channel = 0 if layer is conv else m
            expected = sorted((channel * side + y * s + i) * side + x * s + j
                              for i in range(k) for j in range(k))
            assert field.channel == channel and field.senders.tolist() == expected
            assert field.target == pytest.approx(receivers.pixel(field.neuron))
            corners = [senders.pixel(i) for i in (expected[0], expected[-1])]
            assert field.source == pytest.approx((corners[0][0], corners[1][1],
                                                  corners[1][2], corners[0][3]))


def test_a_uniform_map_is_represented_by_its_centre():
    net = Network.convolutional((10, 10), [convolution()], [2], seed=0)
    net.propagate([0.5] * 100)  # a flat image: every edge and line detector gives 0
    for field in network_layout(net).receptive_fields:
        assert net.receiving_layers[0].position(field.neuron) == (field.map, 4, 4)


def test_connections_from_maps_into_a_dense_layer_are_the_strongest_of_all_pixels():
    net = small_conv_net()
    dense = net.receiving_layers[2]
    layout = network_layout(net, max_connections=20)
    drawn = {(c.output_neuron.index, c.input_neuron.index) for c in layout.connections
             if c.output_neuron.layer is dense}
    assert len(drawn) == 20
    weights = np.abs(dense.weights)
    left_out = [weights[j, i] for j in range(6) for i in range(dense.weights.shape[1])
                if (j, i) not in drawn]
    assert min(weights[j, i] for j, i in drawn) >= max(left_out)


def test_many_maps_wrap_into_columns_and_channels_into_a_kernel_mosaic():
    net = Network.convolutional((3, 12, 12), [convolution(20, stride=2), average_pooling(2)],
                                [4], seed=0)
    net.propagate(np.random.default_rng(1).random(3 * 144).tolist())
    layout = network_layout(net)
    inputs, maps, pooled = layout.layers[:3]
    assert inputs.grid is None and inputs.tiles.shape == (3, 4) and inputs.map_shape == (12, 12)
    assert len(maps.tiles) == 20 and len(np.unique(maps.tiles[:, 0])) == 2  # 12 + 8
    assert len(np.unique(maps.tiles[:12, 0])) == 1 and maps.tiles[12, 0] > maps.tiles[0, 1]
    np.testing.assert_array_equal(maps.kernels, net.receiving_layers[0].kernels)
    kernels = net.receiving_layers[0].kernels
    for field in layout.receptive_fields[:20]:  # the window is in the strongest channel
        strength = np.abs(kernels[field.map]).sum(axis=(1, 2))
        assert field.channel == int(np.argmax(strength))
        assert np.all(field.senders // 144 == field.channel)


def test_a_network_without_maps_keeps_its_layout():
    layout = network_layout(Network.layered([784, 100, 10], seed=0))
    assert not layout.equal_aspect and layout.receptive_fields == []
    assert [p.x for p in layout.layers] == [0.0, 1.0, 2.0]
    assert all(p.tiles is None for p in layout.layers)


# -- the drawing ----------------------------------------------------------------------------------

def test_the_maps_show_the_activations_and_the_kernels_the_kernels(tmp_path):
    net = small_conv_net()
    conv, pool = net.receiving_layers[:2]
    ax = draw_network(net)
    images = {image.get_gid(): image for image in ax.images}
    assert sorted(g for g in images if g.startswith("kernel-")) == \
        sorted(f"kernel-1-{m}" for m in range(12))
    assert not any(g.startswith("kernel-2-") for g in images)  # pooling has no kernels
    for layer in (conv, pool):
        activations = np.array([n.activation for n in layer.neurons]).reshape(layer.shape)
        for m in range(12):
            image = images[f"map-{layer.index}-{m}"]
            np.testing.assert_array_equal(image.get_array(), activations[m])
    for m in range(12):
        np.testing.assert_array_equal(images[f"kernel-1-{m}"].get_array(), conv.kernels[m, 0])
    np.testing.assert_array_equal(images["input-grid"].get_array(),
                                  digit_like(10).reshape(10, 10))
    # one colour scale for the tiles of a layer, from 0 to its largest activation (said under
    # the layer); one for all the kernels
    captions = [t.get_text() for t in ax.get_xticklabels()]
    for layer in (conv, pool):
        norms = {id(images[f"map-{layer.index}-{m}"].norm) for m in range(12)}
        assert len(norms) == 1
        norm = images[f"map-{layer.index}-0"].norm
        largest = max(n.activation for n in layer.neurons)
        assert (norm.vmin, norm.vmax) == (0.0, largest)
        assert captions[layer.index].endswith(f"activation 0 to {largest:.3g}")
    assert images["map-1-0"].norm is not images["map-2-0"].norm
    kernel_norm = images["kernel-1-0"].norm
    assert (kernel_norm.vmin, kernel_norm.vmax) == (-0.5, 0.5)
    assert ax.get_aspect() == 1.0
    path = tmp_path / "conv.png"
    ax.figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000


def test_receptive_fields_are_drawn_as_bands_and_the_lines_are_only_the_dense_ones():
    net = small_conv_net()
    layout = network_layout(net)
    ax = draw_network(net)
    bands = by_gid(ax, "receptive-fields")
    assert len(bands.get_paths()) == len(layout.receptive_fields) == 24
    for path, field in zip(bands.get_paths(), layout.receptive_fields):
        vertices = path.vertices
        assert vertices[0] == pytest.approx((field.source[1], field.source[3]))
        assert inside(field.target, vertices[1]) and inside(field.target, vertices[2])
    lines = by_gid(ax, "connections")
    assert len(lines.get_segments()) == len(layout.connections)
    assert all(c.output_neuron.layer.index == 3 or c.output_neuron.layer.index == 4
               for c in layout.connections)
    note = by_gid(ax, "left-out").get_text()
    assert "connections drawn as one receptive field per map" in note
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "receptive field (one per map)" in legend


def test_tiles_are_filled_by_bias_or_by_the_values_given():
    net = small_conv_net()
    conv = net.receiving_layers[0]
    conv.biases[:] = np.linspace(-0.6, 0.5, 12)
    ax = draw_network(net, color_by="bias")
    images = {image.get_gid(): image for image in ax.images}
    for m in range(12):
        np.testing.assert_array_equal(images[f"map-1-{m}"].get_array(),
                                      np.full((8, 8), conv.biases[m]))
    grid = np.ma.filled(images["input-grid"].get_array().astype(float), np.nan)
    assert np.isnan(grid).all()  # input neurons have no bias
    assert images["map-1-0"].norm.vmin == -0.6 and images["map-1-0"].norm.vmax == 0.6
    values = [np.arange(layer.size, dtype=float) - 50.0 for layer in net.layers]
    ax = draw_network(net, neuron_values=values, neuron_label="index - 50")
    images = {image.get_gid(): image for image in ax.images}
    np.testing.assert_array_equal(images["map-2-3"].get_array(),
                                  values[2].reshape(12, 4, 4)[3])
    largest = net.layers[2].size - 1 - 50.0  # signed values: a symmetric scale per layer
    assert (images["map-2-3"].norm.vmin, images["map-2-3"].norm.vmax) == (-largest, largest)


def test_drawing_the_mnist_convolution_network_is_quick_and_draws_no_line_per_connection():
    net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [128, 10], seed=0)
    net.propagate(digit_like(28).tolist())
    start = time.perf_counter()
    ax = draw_network(net)
    seconds = time.perf_counter() - start
    assert seconds < 3.0  # about 0.2 s; a line per connection would be 80,000 lines
    assert len(by_gid(ax, "connections").get_segments()) == 600
    assert len(by_gid(ax, "receptive-fields").get_paths()) == 24
    assert len(ax.images) == 1 + 12 + 12 + 12  # the input, the maps, the kernels, pooled maps
