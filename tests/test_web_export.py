"""The folder ``neurograph web`` writes: its files and size, the network and diagram layout in
it, and the refusals of bad input (which leave everything as it was)."""
import base64
import json
from pathlib import Path

import numpy as np
import pytest

import neurograph
from neurograph import Network
from neurograph.core.activations import Activation
from neurograph.cli import main
from neurograph.drawing.diagram import network_layout
from neurograph.post import post_network
from neurograph.web import export, network_spec, write_site

ENGINE = Path(export.__file__).with_name("engine.js")


@pytest.fixture
def page_files(tmp_path, monkeypatch):
    """The page's own files (engineer w2's page.js and index.html) where the package has them,
    else placeholders in the test's folder, never in the package."""
    engine, page, html = export._page_sources()
    if not (page.exists() and html.exists()):
        folder = tmp_path / "page_sources"
        folder.mkdir()
        page, html = folder / "page.js", folder / "index.html"
        page.write_text("/* the page */\n")
        html.write_text("<!doctype html><script src='network.js'></script>"
                        "<script src='neurograph.js'></script>\n")
        monkeypatch.setattr(export, "_page_sources", lambda: (engine, page, html))
    return engine, page, html


def mnist_network() -> Network:
    return Network.layered([784, 128, 10], activation="relu", output_activation="softmax",
                           cost="cross_entropy", dtype="float32", seed=0)


def read_spec(folder: Path) -> dict:
    text = (folder / "network.js").read_text()
    prefix = "window.NEUROGRAPH_NETWORK = "
    assert text.startswith(prefix) and text.rstrip().endswith(";")
    return json.loads(text[len(prefix):].rstrip().rstrip(";"))


def decoded(array: dict) -> np.ndarray:
    assert array["dtype"] in ("float32", "float64")
    return np.frombuffer(base64.b64decode(array["data"]),
                         dtype="<f4" if array["dtype"] == "float32" else "<f8"
                         ).reshape(array["shape"])


def test_the_default_mnist_model_makes_three_files_under_3_mb(tmp_path, page_files):
    net = mnist_network()
    written = write_site(net, tmp_path / "site")
    assert sorted(path.name for path in written) == ["index.html", "network.js", "neurograph.js"]
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == sorted(export.SITE_FILES)
    size = sum(path.stat().st_size for path in written)
    assert size < 3_000_000
    engine, page, html = page_files
    script = (tmp_path / "site" / "neurograph.js").read_text()
    assert script == engine.read_text() + "\n" + page.read_text()  # the engine, then the page
    assert (tmp_path / "site" / "index.html").read_text() == html.read_text()
    spec = read_spec(tmp_path / "site")
    for layer in net.receiving_layers:  # the weights exactly, in the network's dtype
        exported = spec["layers"][layer.index]
        assert exported["weights"]["dtype"] == "float32"
        assert np.array_equal(decoded(exported["weights"]), layer.weights)
        assert np.array_equal(decoded(exported["biases"]), layer.biases)


def test_a_sparse_layers_mask_is_exported_bit_by_bit():
    inputs, hidden, out = neurograph.InputLayer(9), neurograph.HiddenLayer(3), \
        neurograph.OutputLayer(2)
    for j, neuron in enumerate(hidden):
        inputs[j].connect_to(neuron, weight=0.5)
        inputs[8 - j].connect_to(neuron, weight=-0.5)
    hidden.fully_connect_to(out, np.ones((2, 3)))
    net = Network([inputs, hidden, out])
    layer = network_spec(net)["layers"][1]
    bits = np.unpackbits(np.frombuffer(base64.b64decode(layer["mask"]["data"]), np.uint8),
                         bitorder="little")[:27].reshape(3, 9).astype(bool)
    assert np.array_equal(bits, hidden.mask) and not bits.all()
    assert "mask" not in network_spec(net)["layers"][2]  # fully connected: no mask


def test_the_layout_is_draw_networks(tmp_path):
    """The page's diagram: the neuron positions and the connections network_layout gives
    with draw_network's defaults."""
    net = mnist_network()
    layout = network_layout(net, max_neurons=40, max_connections=300)
    exported = network_spec(net)["layout"]
    assert len(exported["layers"]) == 3
    grid = exported["layers"][0]["image"]
    assert (grid["rows"], grid["cols"]) == (28, 28) and exported["layers"][0]["neurons"] == []
    assert [grid["x0"], grid["x1"], grid["y0"], grid["y1"]] == \
        pytest.approx(np.array(layout.layers[0].grid_extent)[[0, 1, 2, 3]].tolist())
    for place, got in zip(layout.layers[1:], exported["layers"][1:]):
        assert [n["index"] for n in got["neurons"]] == place.shown.tolist()
        assert [n["y"] for n in got["neurons"]] == pytest.approx(place.y.tolist())
        assert all(n["x"] == place.x for n in got["neurons"])
    assert len(exported["layers"][1]["neurons"]) == 40  # 128 summarised
    assert exported["layers"][1]["summary"]["text"] == "\u22ee 88 more \u22ee"
    assert exported["layers"][2]["summary"] is None
    drawn = [((c.input_neuron.layer.index, c.input_neuron.index),
              (c.output_neuron.layer.index, c.output_neuron.index), c.weight)
             for c in layout.connections]
    got = [(tuple(c["from"]), tuple(c["to"]), c["weight"]) for c in exported["connections"]]
    assert got == [(a, b, pytest.approx(w)) for a, b, w in drawn] and len(got) == 600
    x0, x1 = exported["xlim"]
    y0, y1 = exported["ylim"]
    for layer in exported["layers"]:  # everything placed lies inside the limits
        for n in layer["neurons"]:
            assert x0 < n["x"] < x1 and y0 < n["y"] < y1
        if layer["image"]:
            assert x0 < layer["image"]["x0"] < layer["image"]["x1"] < x1
            assert y0 < layer["image"]["y0"] < layer["image"]["y1"] < y1


def test_a_convolutional_layout_has_tiles_and_receptive_fields():
    from neurograph.convolution import convolution, max_pooling

    net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [32, 10], seed=0)
    layout = network_layout(net)
    exported = network_spec(net)["layout"]
    conv = exported["layers"][1]
    assert conv["image"]["channels"] == 12 and (conv["image"]["rows"], conv["image"]["cols"]) \
        == (26, 26)
    assert np.allclose(conv["tiles"], layout.layers[1].tiles)
    assert len(exported["fields"]) == len(layout.receptive_fields) == 24
    assert exported["equal_aspect"] is True  # draw_network draws maps at equal aspect
    assert np.allclose(conv["kernels"], layout.layers[1].kernel_extents)
    assert [c["label"].split("\n")[0] for c in exported["columns"]] == [
        "input", "convolution", "max pooling", "hidden", "output"]


def test_parallel_layers_share_one_column_named_once():
    """Attempt 4's four 11 x 11 layers stand in one column, named as draw_network names it."""
    exported = network_spec(post_network(4, seed=0))["layout"]
    assert exported["columns"][1] == {"x": exported["layers"][1]["x"], "layers": [1, 2, 3, 4],
                                      "label": "4 x hidden\n121 (11 x 11)"}
    assert exported["layers"][1]["image"]["rows"] == 11


def test_the_limits_hold_the_arcs_but_do_not_outgrow_them():
    """Attempt 3's skip connections are arcs; the limits reach their highest and lowest points
    (halfway from their ends' middle to the control point), not the control points."""
    layout = network_spec(post_network(3, seed=0))["layout"]
    assert layout["equal_aspect"] is False
    ends = {(layer["index"], n["index"]): n["y"] for layer in layout["layers"]
            for n in layer["neurons"]}
    grid = layout["layers"][0]["image"]
    apexes = []
    for c in layout["connections"]:
        if c["curve"] is None:
            continue
        y0 = ends.get(tuple(c["from"]))
        if y0 is None:  # from the input grid: its pixel's row
            row = c["from"][1] // grid["cols"]
            y0 = grid["y1"] - (row + 0.5) * (grid["y1"] - grid["y0"]) / grid["rows"]
        apexes.append((y0 + ends[tuple(c["to"])]) / 4 + c["curve"][1] / 2)
    assert len(apexes) > 100
    low, high = layout["ylim"]
    assert low < min(apexes) and max(apexes) < high
    control = [c["curve"][1] for c in layout["connections"] if c["curve"] is not None]
    assert high < max(control) and low > min(control)  # the control points lie beyond the arcs
    assert high - max(apexes) < 0.2 * (high - low)


def refused_and_untouched(folder: Path, call, error, match: str) -> None:
    before = sorted((p.name, p.read_bytes()) for p in folder.iterdir()) if folder.is_dir() \
        else None
    with pytest.raises(error, match=match):
        call()
    after = sorted((p.name, p.read_bytes()) for p in folder.iterdir()) if folder.is_dir() \
        else None
    assert after == before


def test_bad_input_is_refused_and_nothing_is_written(tmp_path, page_files):
    net = mnist_network()
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    refused_and_untouched(full, lambda: write_site(net, full), ValueError,
                          "`folder` .* is not empty")
    room = tmp_path / "room"
    room.mkdir()
    a_file = room / "a_file"
    a_file.write_text("x")
    refused_and_untouched(room, lambda: write_site(net, a_file), ValueError,
                          "`folder` must be a folder")
    refused_and_untouched(room, lambda: write_site("net.json", room / "new"),
                          TypeError, "`network` must be a Network")
    square = Activation("square", lambda z: z * z, lambda z: 2 * z, "z^2")
    odd = Network.layered([2, 3, 1], activation=square, seed=0)
    refused_and_untouched(room, lambda: write_site(odd, room / "new"), ValueError,
                          "activation 'square'")
    assert not (room / "new").exists()
    write_site(net, full, force=True)  # replaces the page's files, keeps the others
    assert sorted(p.name for p in full.iterdir()) == sorted(export.SITE_FILES + ("notes.txt",))
    assert (full / "notes.txt").read_text() == "mine"


def test_the_web_command(tmp_path, page_files, capsys):
    model = tmp_path / "m.json"
    mnist_network().save(model)
    assert main(["web", str(model), "-o", str(tmp_path / "site")]) == 0
    out = capsys.readouterr().out
    assert "MB" in out and "index.html" in out
    assert read_spec(tmp_path / "site")["layers"][1]["size"] == 128
    assert main(["web", str(model), "-o", str(tmp_path / "site")]) == 1  # not empty
    assert "not empty" in capsys.readouterr().err
    assert main(["web", str(model), "-o", str(tmp_path / "site"), "--force"]) == 0
    assert main(["web", str(tmp_path / "missing.json"), "-o", str(tmp_path / "x")]) == 1
    assert "missing.json" in capsys.readouterr().err and not (tmp_path / "x").exists()
    assert main(["web", str(model)]) == 2  # -o is required


def test_the_web_command_reads_the_posts_format(tmp_path, page_files):
    net = post_network(1)
    post = tmp_path / "network-export.json"
    net.save(post, format="post")
    assert main(["web", str(post), "-o", str(tmp_path / "site")]) == 0
    spec = read_spec(tmp_path / "site")
    assert [layer["size"] for layer in spec["layers"]] == list(net.sizes)
    first = net.receiving_layers[0]
    assert np.allclose(decoded(spec["layers"][1]["weights"]), first.weights)
