"""The diagram of a feed-forward graph: columns by depth, parallel layers stacked, skip
connections as arcs clear of the columns between (headless, Agg)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neurograph import (HiddenLayer, InputLayer, Network, OutputLayer, draw_network,  # noqa: E402
                        network_layout)
from neurograph.convolution import convolution, max_pooling  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def artist(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) <= 1
    return found[0] if found else None


_ROW = [-.4, -.5, -.7, -1, -.7, -.5, -.4]
HORIZONTAL = [_ROW, [0] * 7, [0] * 7, [.7, .8, .9, 1, .9, .8, .7], [0] * 7, [0] * 7, _ROW]
VERTICAL = [list(row) for row in zip(*HORIZONTAL)]
SLASH = [[-2, -1, -.5, 0, 0, 0, .7], [-1, -.5, 0, 0, 0, .8, 0], [-.5, 0, 0, .7, .9, 0, 0],
         [0, 0, .7, 1, .7, 0, 0], [0, 0, .9, .7, 0, 0, -.5], [0, .8, 0, 0, 0, -.5, -1],
         [.7, 0, 0, 0, -.5, -1, -2]]
BACKSLASH = [row[::-1] for row in SLASH]


def attempt_4(seed=0):
    """The post's attempt 4 built by hand: four static 11 x 11 edge maps reading the 28 x 28
    input through 7 x 7 windows (only the non-zero pattern entries connected), all fully
    connected to 10 sigmoid outputs."""
    inputs = InputLayer(784)
    maps = [HiddenLayer(121, "relu", static=True, shape=(11, 11)) for _ in range(4)]
    outputs = OutputLayer(10)
    for pattern, layer in zip((HORIZONTAL, VERTICAL, SLASH, BACKSLASH), maps):
        for neuron in layer:
            y, x = divmod(neuron.index, 11)
            y, x = 3 + 2 * y, 3 + 2 * x
            neuron.bias = -1.0
            for i in range(-3, 4):
                for j in range(-3, 4):
                    if pattern[j + 3][i + 3]:
                        inputs[(y + j) * 28 + x + i].connect_to(neuron, pattern[j + 3][i + 3])
        layer.fully_connect_to(outputs, seed=seed)
    return Network([inputs, *maps, outputs])


def a_seven():
    """A rough handwritten 7: a bar along the top and a slanted stroke down."""
    image = np.zeros((28, 28))
    image[6:9, 6:22] = 1.0
    for row in range(8, 24):
        column = 21 - (row - 8) // 2
        image[row, column - 1:column + 2] = 1.0
    return image.ravel()


def test_parallel_layers_share_a_column_and_keep_their_own_pictures():
    net = attempt_4()
    layout = network_layout(net)
    places = layout.layers
    assert [p.column for p in places] == [0, 1, 1, 1, 1, 2]
    assert len({p.x for p in places[1:5]}) == 1
    assert places[0].x < places[1].x < places[5].x
    assert places[0].grid == (28, 28)
    assert all(p.grid == (11, 11) for p in places[1:5])
    boxes = sorted((p.grid_extent for p in places[1:5]), key=lambda e: -e[3])
    for upper, lower in zip(boxes, boxes[1:]):  # stacked, top to bottom, not overlapping
        assert lower[3] < upper[2]
    # each edge map reads windows: one receptive field per map, drawn in the input grid
    assert [f.layer for f in layout.receptive_fields] == [1, 2, 3, 4]
    left, right, bottom, top = places[0].grid_extent
    for f in layout.receptive_fields:
        assert left <= f.source[0] < f.source[1] <= right
        assert bottom <= f.source[2] < f.source[3] <= top
        assert len(f.senders) == int(net.layers[f.layer].mask[f.neuron].sum())
    # the lines drawn are into the output, the strongest 300 over its four blocks together
    assert all(c.output_neuron.layer is net.output_layer for c in layout.connections)
    assert len(layout.connections) == 300
    weights = np.abs(net.output_layer.weights)
    drawn = {(c.output_neuron.index, net.output_layer.input_column(c))
             for c in layout.connections}
    chosen = np.array([weights[j, i] for j, i in drawn])
    left_out = np.array([weights[j, i] for j in range(10) for i in range(484)
                         if (j, i) not in drawn])
    assert chosen.min() >= left_out.max()
    for c in layout.connections:  # looked up by its column, not its sender's index
        assert c.weight == net.output_layer.weights[c.output_neuron.index,
                                                    net.output_layer.input_column(c)]


def test_attempt_4_draws_like_the_post_input_image_then_four_edge_maps(tmp_path):
    net = attempt_4()
    net.propagate(a_seven())
    ax = draw_network(net)
    grids = {image.get_gid(): image for image in ax.images}
    assert set(grids) == {"input-grid", "grid-1", "grid-2", "grid-3", "grid-4"}
    assert all(grids[f"grid-{k}"].get_array().shape == (11, 11) for k in range(1, 5))
    # the edge maps answer differently to the same 7 (its bar is horizontal)
    horizontal, vertical = (np.asarray(grids[f"grid-{k}"].get_array()) for k in (1, 2))
    assert horizontal.max() > 0 and not np.allclose(horizontal, vertical)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert len(labels) == 3 and labels[1].startswith("4 x hidden\n121 (11 x 11)")
    note = artist(ax, "left-out").get_text()
    assert "layers 1, 2, 3, 4: 121 neurons drawn as a 11 x 11 grid" in note
    # readable: no two texts overprint, nothing is cut off by a plain savefig
    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = [t for t in ax.texts + ax.get_xticklabels() if t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b]), (texts[a].get_text(), texts[b].get_text())
    whole = figure.bbox
    for box in boxes:
        assert whole.x0 <= box.x0 and box.x1 <= whole.x1 and whole.y0 <= box.y0
    figure.savefig(tmp_path / "attempt4.png")


def _skipped_neuron_circles(layout, ax, sizes):
    """Per column: the display centres of its circles and their radius in pixels."""
    scale = ax.figure.dpi / 72.0
    by_column = {}
    for place in layout.layers:
        centres = ax.transData.transform(np.column_stack([np.full(len(place.y), place.x),
                                                          place.y]))
        by_column.setdefault(place.column, []).append(centres)
    radius = np.sqrt(sizes) / 2 * scale  # a scatter's size is the marker's area in points^2
    return {c: np.concatenate(v) for c, v in by_column.items()}, radius


@pytest.mark.parametrize("sizes", [[3, 4, 3, 2], [2, 6, 5, 7, 3], [4, 30, 3]])
def test_skip_connections_are_arcs_clear_of_the_neurons_they_pass(sizes):
    net = Network.layered(sizes, connect="all", seed=0)
    layout = network_layout(net)
    ax = draw_network(net)
    ax.figure.canvas.draw()
    arcs = artist(ax, "skip-connections")
    skipping = [(c, curve) for c, curve in zip(layout.connections, layout.curves)
                if curve is not None]
    spans = [c.output_neuron.layer.index - c.input_neuron.layer.index for c, _ in skipping]
    assert skipping and min(spans) == 2
    assert len(arcs.get_paths()) == len(skipping)
    assert len(artist(ax, "connections").get_segments()) == len(layout.connections) - len(
        skipping)
    centres, radius = _skipped_neuron_circles(layout, ax, artist(ax, "neurons").get_sizes()[0])
    t = np.linspace(0, 1, 201)[:, None]
    for (c, control), path in zip(skipping, arcs.get_paths()):
        start = layout.layers[c.input_neuron.layer.index].position(c.input_neuron.index)
        end = layout.layers[c.output_neuron.layer.index].position(c.output_neuron.index)
        assert np.allclose(path.vertices, [start, control, end])
        points = (1 - t) ** 2 * np.array(start) + 2 * t * (1 - t) * np.array(control) \
            + t ** 2 * np.array(end)
        pixels = ax.transData.transform(points)
        for column in range(c.input_neuron.layer.index + 1, c.output_neuron.layer.index):
            distance = np.linalg.norm(pixels[:, None, :] - centres[column][None], axis=2)
            assert distance.min() > radius, (c, column)


def test_a_straight_line_through_the_skipped_column_would_have_hit_a_neuron():
    # the test above can fail: the chord of a skip connection crosses the middle column
    net = Network.layered([3, 3, 3], connect="all", seed=0)
    layout = network_layout(net)
    [(c, control)] = [(c, curve) for c, curve in zip(layout.connections, layout.curves)
                      if curve is not None and c.input_neuron.index == 1
                      and c.output_neuron.index == 1]
    assert c.input_neuron.layer.index == 0 and c.output_neuron.layer.index == 2
    # the chord from (0, 0) to (2, 0) runs through neuron 1 of column 1 at (1, 0)
    assert layout.layers[1].position(1) == (1.0, 0.0)
    assert abs(control[1]) > 2.0  # the arc bows away from it


def test_the_cap_is_over_all_blocks_together_and_the_notes_name_the_thinned_blocks():
    net = Network.layered([3, 4, 3, 2], connect="all", seed=2)
    layout = network_layout(net, max_connections=5)
    output = net.output_layer
    drawn = [c for c in layout.connections if c.output_neuron.layer is output]
    assert len(drawn) == 5
    strengths = np.sort(np.abs(output.weights).ravel())[::-1]
    assert sorted(abs(c.weight) for c in drawn) == pytest.approx(sorted(strengths[:5]))
    said = {}  # "0-3" -> what the note says of that block
    for note in layout.notes:
        if note.endswith("(the 5 strongest into layer 3)"):
            names, what = note[len("layers "):].split(": ")
            said.update((name, what) for name in names.split(", "))
    for source in output.sources:
        count = sum(c.input_neuron.layer is source for c in drawn)
        there = source.size * output.size
        assert said[f"{source.index}-3"].startswith(f"{count} of {there} connections drawn")
    assert len(said) == len(output.sources)  # every block lost some


def test_connection_values_are_indexed_by_input_column_in_a_graph():
    net = Network.layered([3, 4, 3, 2], connect="all", seed=3)
    layout = network_layout(net)
    # one array per receiving layer, the shape of its weights (all blocks), as trace makes;
    # NaN (drawn grey) at the entries where row + column is a multiple of 3
    values = []
    for layer in net.receiving_layers:
        rows, columns = np.indices(layer.weights.shape)
        values.append(np.where((rows + columns) % 3 == 0, np.nan, layer.weights))
    ax = draw_network(net, connection_values=values, colorbar=False)
    colours = np.concatenate([artist(ax, "connections").get_colors(),
                              artist(ax, "skip-connections").get_edgecolors()])
    straight = [c for c, curve in zip(layout.connections, layout.curves) if curve is None]
    arcs = [c for c, curve in zip(layout.connections, layout.curves) if curve is not None]
    expected = [(c.output_neuron.index + c.output_neuron.layer.input_column(c)) % 3 == 0
                for c in straight + arcs]
    grey = np.all(np.isclose(colours, (0.8, 0.8, 0.8, 0.5)), axis=1)
    assert grey.tolist() == expected
    assert any(expected) and not all(expected)
    # the other entries are the weights themselves: coloured as without values
    plain = draw_network(net, colorbar=False)
    plain_colours = np.concatenate([artist(plain, "connections").get_colors(),
                                    artist(plain, "skip-connections").get_edgecolors()])
    assert np.allclose(colours[~grey, :3], plain_colours[~grey, :3])


@pytest.mark.parametrize("build", [
    lambda: Network.layered([784, 16, 10], seed=0),
    lambda: Network.layered([2, 3, 1], seed=0),
    lambda: Network.layered([3, 50, 4], seed=1),
])
def test_a_chain_is_laid_out_in_consecutive_columns_as_before(build):
    net = build()
    layout = network_layout(net)
    assert [p.column for p in layout.layers] == list(range(len(net.layers)))
    assert [p.x for p in layout.layers] == [float(k) for k in range(len(net.layers))]
    for layer, place in zip(net.layers, layout.layers):
        if place.grid is not None:
            continue
        n = len(place.shown)
        if not place.hidden:  # centred on 0, top to bottom, one slot apart, or (a short
            # column beside a tall one) spread to half the tallest column's height / n slots
            # apart, at most 8 (the two inputs of 2-64-1 were drawn on top of each other)
            tallest = max(len(p.y) + 3 * bool(p.hidden) if p.grid is None else 40
                          for p in layout.layers)
            spacing = min(max(1.0, 0.5 * tallest / n), 8.0)
            assert place.y.tolist() == pytest.approx(
                (spacing * (np.arange(n)[::-1] - (n - 1) / 2)).tolist())
        else:  # first and last 20 around the marker's three slots
            full = np.arange(n + 3)[::-1] - (n + 2) / 2
            assert place.y.tolist() == np.concatenate([full[:20], full[23:]]).tolist()
    assert all(curve is None for curve in layout.curves)
    ax = draw_network(net)
    assert artist(ax, "skip-connections") is None
    assert [t.get_position()[0] for t in ax.get_xticklabels()] == list(
        range(len(net.layers)))


def test_a_convolution_chain_keeps_one_layer_per_column_left_to_right():
    net = Network.convolutional((8, 8), [convolution(), max_pooling(2)], [10], seed=0)
    layout = network_layout(net)
    assert [p.column for p in layout.layers] == [0, 1, 2, 3]
    boxes = [p.box() for p in layout.layers]
    for before, after in zip(boxes, boxes[1:]):
        assert before[1] < after[0]
    assert all(curve is None for curve in layout.curves)


def test_a_graph_with_maps_and_a_skip_connection_arcs_round_the_maps():
    inputs = InputLayer(64)
    detectors = HiddenLayer(16, "relu", shape=(4, 4))
    outputs = OutputLayer(3)
    inputs.fully_connect_to(detectors, seed=0)
    detectors.fully_connect_to(outputs, seed=1)
    inputs.fully_connect_to(outputs, seed=2)
    net = Network([inputs, detectors, outputs])
    layout = network_layout(net, max_connections=40)
    assert layout.equal_aspect and layout.layers[1].grid == (4, 4)
    left, right, bottom, top = layout.layers[1].grid_extent
    arcs = [(c, curve) for c, curve in zip(layout.connections, layout.curves)
            if curve is not None]
    assert arcs and all(c.input_neuron.layer is inputs for c, _ in arcs)
    t = np.linspace(0, 1, 401)[:, None]
    for c, control in arcs:
        start = layout.layers[0].position(c.input_neuron.index)
        end = layout.layers[2].position(c.output_neuron.index)
        points = (1 - t) ** 2 * np.array(start) + 2 * t * (1 - t) * np.array(control) \
            + t ** 2 * np.array(end)
        inside = ((points[:, 0] >= left) & (points[:, 0] <= right)
                  & (points[:, 1] >= bottom) & (points[:, 1] <= top))
        assert not inside.any()
    draw_network(net, max_connections=40)


def test_parallel_convolution_branches_stack_their_tiles_and_say_so_in_one_caption():
    from neurograph.layers import ConvolutionLayer, MaxPoolingLayer

    inputs = InputLayer(shape=(1, 8, 8))
    wide, narrow = ConvolutionLayer((1, 8, 8), 4, seed=0), ConvolutionLayer((1, 8, 8), 2, seed=1)
    wide.receive_from(inputs)
    narrow.receive_from(inputs)
    pooled = MaxPoolingLayer(tuple(wide.shape), 2)
    pooled.receive_from(wide)
    outputs = OutputLayer(5)
    pooled.fully_connect_to(outputs, seed=0)
    narrow.fully_connect_to(outputs, seed=1)  # skips the pooling column
    net = Network([inputs, wide, narrow, pooled, outputs])
    net.propagate(np.linspace(0, 1, 64))
    layout = network_layout(net)
    assert [p.column for p in layout.layers] == [0, 1, 1, 2, 3]
    assert layout.layers[1].x == layout.layers[2].x
    assert len(layout.layers[1].tiles) == 4 and len(layout.layers[2].tiles) == 2
    assert layout.layers[1].tiles[:, 2].min() > layout.layers[2].tiles[:, 3].max()
    assert sorted({f.layer for f in layout.receptive_fields}) == [1, 2, 3]
    for c, control in zip(layout.connections, layout.curves):
        assert (control is not None) == (c.input_neuron.layer is narrow)
    ax = draw_network(net)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert labels[1].startswith("2 x convolution\n4 x 6 x 6 | 2 x 6 x 6\n3 x 3 kernels, fixed")
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    texts = [t for t in ax.texts + ax.get_xticklabels() if t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b]), (texts[a].get_text(), texts[b].get_text())


def two_branches():
    """3 inputs read by two hidden layers side by side, both read by a third, and a skip
    connection from the input to the output."""
    inputs, a, b, c, outputs = (InputLayer(3), HiddenLayer(4), HiddenLayer(3, "tanh"),
                                HiddenLayer(5), OutputLayer(2))
    inputs.fully_connect_to(a, seed=0)
    inputs.fully_connect_to(b, seed=1)
    a.fully_connect_to(c, seed=2)
    b.fully_connect_to(c, seed=3)
    c.fully_connect_to(outputs, seed=4)
    inputs.fully_connect_to(outputs, seed=5)
    return Network([inputs, a, b, c, outputs])


def test_parallel_columns_of_circles_are_stacked_one_slot_apart():
    net = two_branches()
    layout = network_layout(net)
    a, b = layout.layers[1:3]
    assert [p.column for p in layout.layers] == [0, 1, 1, 2, 3]
    assert a.x == b.x == 1.0 and isinstance(a.x, float)
    assert np.allclose(np.diff(a.y), -1) and np.allclose(np.diff(b.y), -1)
    assert a.y.min() - b.y.max() == pytest.approx(2.0)  # an empty slot between them
    assert (a.y.max() + b.y.min()) == pytest.approx(0.0)  # the column centred on 0
    ax = draw_network(net)
    # as many circles in column 1 as 4 + 3 in one: they share its height; and (new) never
    # wider than 0.8 of the closest centres of a column as drawn, so that none touch
    centres = ax.transData.transform(np.column_stack([np.full(len(a.y), a.x), a.y]))
    pitch = np.min(-np.diff(centres[:, 1])) * 72 / ax.figure.dpi
    assert artist(ax, "neurons").get_sizes()[0] == pytest.approx(
        min(2400 / 7, (0.8 * pitch) ** 2))


def test_every_step_of_a_trace_of_a_graph_is_drawn_from_its_values():
    net = two_branches()
    result = net.trace(np.array([[0.1, 0.5, 0.9]]), np.array([[1.0, 0.0]]), 0.5)
    layout = network_layout(net)
    arcs = [c for c, curve in zip(layout.connections, layout.curves) if curve is not None]
    assert arcs and all(c.input_neuron.layer is net.input_layer for c in arcs)
    from neurograph.teaching.trace import draw_step

    kinds = set()
    for k, step in enumerate(result.steps):
        ax = draw_step(result, k)
        values = np.array([step.connection_values[-1][c.output_neuron.index,
                                                      net.output_layer.input_column(c)]
                           for c in arcs])
        drawn = artist(ax, "skip-connections").get_edgecolors()
        assert np.all(np.isclose(drawn, (0.8, 0.8, 0.8, 0.5)).all(axis=1)
                      == ~np.isfinite(values))
        kinds.add(bool(np.isfinite(values).all()))
        plt.close("all")
    assert kinds == {True, False}  # some steps say something of the arcs, some do not
