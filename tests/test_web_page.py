"""The web page of ``neurograph web``, driven in headless Chromium with Selenium.

Digits are drawn on ``#pad`` with real pointer input (WebDriver actions: press, move, release
along the ink of MNIST test images, as ``examples/draw_digit.py``'s ``strokes_for`` traces them),
and what the page shows is checked against Python: the digit read, the outputs, a clicked
neuron's arithmetic. Without Chromium, chromedriver or Selenium these tests skip, saying which.

``NEUROGRAPH_SCREENSHOT=docs/images/web_demo.png`` saves a screenshot of the page after a digit is
drawn (the README's picture); without it no file is written outside the test's folder.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import tempfile
import time

import numpy as np
import pytest

from neurograph import Network
from neurograph.digits import preprocess_digit
from neurograph.io.datasets import _load_sample

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
WINDOW = (980, 960)  # the pad and the diagram side by side, the explanation below


def _find(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's chromium and chromium-driver) with a fresh profile."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    chromium = _find("chromium", "chromium-browser", "google-chrome")
    driver_path = _find("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip(f"no headless browser: chromium at {chromium}, chromedriver at {driver_path} "
                    f"(Debian: apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="neurograph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}",
                                  f"--window-size={WINDOW[0]},{WINDOW[1]}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def sample():
    return _load_sample()


@pytest.fixture(scope="module")
def network(sample):
    """784-128-10 trained 3 epochs on the bundled sample (float64, so Python and JavaScript do
    the same arithmetic), outputs named 0-9."""
    X, Y = sample.training_set()
    net = Network.layered([784, 128, 10], activation="relu", output_activation="softmax",
                          cost="cross_entropy", init="he", seed=0, bias_clamp=None)
    net.fit(X, Y, epochs=3, batch_size=32, learning_rate=0.05, momentum=0.9, seed=0,
            progress=False)
    net.output_labels = [str(digit) for digit in range(10)]
    return net


@pytest.fixture
def site(tmp_path, network):
    """The site folder for ``network``, written by ``neurograph.web.write_site``."""
    from neurograph.web import write_site

    write_site(network, tmp_path / "site")
    return tmp_path / "site"


@pytest.fixture
def page(browser, site):
    """The site's index.html opened from file://, once the page says it is ready."""
    return open_page(browser, site)


def open_page(browser, site):
    """Open ``site``'s index.html from file:// and wait until the page says it is ready."""
    browser.get_log("performance")  # forget earlier pages' requests
    browser.get((site / "index.html").as_uri())
    ready = False
    for _ in range(100):  # up to 10 s on a loaded machine
        ready = browser.execute_script(
            "return !!(window.neurograph && window.neurograph.ready === true)")
        if ready:
            break
        time.sleep(0.1)
    assert ready, f"the page did not become ready: {browser.get_log('browser')}"
    return browser


@pytest.fixture(scope="module")
def demo(load_example):
    return load_example("draw_digit")


@pytest.fixture(scope="module")
def readable(demo, sample, network):
    """Three test images of different digits that the network reads right in Python when they
    are drawn with draw_digit's brush along ``strokes_for`` (what the browser test draws)."""
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(9, 5), dpi=50)
    pad = demo.DigitPad(network, figure)
    chosen, labels = [], set()
    for index, label in enumerate(sample.test_labels[:200]):
        if int(label) in labels:
            continue
        pad.clear()
        pad.draw_strokes(demo.strokes_for(sample.test_images[index] / 255, pad.size))
        if pad.prediction()[0] == int(label):
            chosen.append(index)
            labels.add(int(label))
        if len(chosen) == 3:
            break
    plt.close(figure)
    assert len(chosen) == 3
    return chosen


def draw(driver, strokes):
    """Draw ``strokes`` (lists of pad points) with real pointer input, then let a frame pass."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    pad = driver.find_element(By.ID, "pad")
    width = driver.execute_script("return arguments[0].clientWidth", pad)
    assert width == 280, f"the pad is {width} CSS pixels wide, the strokes assume 280"
    actions = ActionChains(driver, duration=1)
    for stroke in strokes:
        (x, y), rest = stroke[0], stroke[1:]
        # offsets from the pad's centre, in CSS pixels
        actions.move_to_element_with_offset(pad, round(x - 140), round(y - 140)).click_and_hold()
        for x, y in rest:
            actions.move_to_element_with_offset(pad, round(x - 140), round(y - 140))
        actions.release()
    actions.perform()
    next_frames(driver)


def next_frames(driver):
    """Wait until the page has had two animation frames (its updates run in them)."""
    driver.execute_async_script(
        "var done = arguments[0]; requestAnimationFrame(function () { "
        "requestAnimationFrame(function () { done(); }); });")


def text_of(driver, element_id):
    return driver.execute_script(f"return document.getElementById('{element_id}').textContent")


def page_state(driver):
    """The pad's ink and the outputs the page shows, as numpy arrays."""
    ink, outputs = driver.execute_script(
        "var ng = window.neurograph, acts = ng.forward(ng.network, "
        "ng.preprocess(ng.ink, 280, 280));"
        "return [Array.from(ng.ink), Array.from(acts[acts.length - 1])];")
    return np.array(ink).reshape(280, 280), np.array(outputs)


def test_page_reads_three_drawn_digits(page, demo, sample, network, readable):
    for index in readable:
        page.find_element("id", "clear").click()
        draw(page, demo.strokes_for(sample.test_images[index] / 255, 280))
        label = str(int(sample.test_labels[index]))
        assert text_of(page, "prediction") == label, f"test image {index}"
        ink, outputs = page_state(page)
        # The page's preprocessing and forward pass of its own drawing are Python's.
        x = preprocess_digit(ink)
        assert np.abs(np.array(page.execute_script(
            "return Array.from(window.neurograph.preprocess(window.neurograph.ink, 280, 280))"))
            - x).max() < 1e-6
        assert np.abs(outputs - network.predict(x[None, :])[0]).max() < 1e-6
        winner = page.execute_script(
            "return document.querySelector('#bars .winner .digit').textContent")
        assert winner == label
        confidence = text_of(page, "confidence")
        assert confidence == f"{round(100 * outputs.max())}% sure"
        shot = os.environ.get("NEUROGRAPH_SCREENSHOT")
        if shot and index == readable[0]:
            # the README's picture: this digit, and its most active hidden neuron explained
            shown = page.execute_script(
                "return window.neurograph.layout(window.neurograph.network).layers[1].neurons"
                ".map(function (n) { return n.index; })")
            hidden = _hidden(network, x)
            page.execute_script("window.neurograph.select(1, arguments[0])",
                                max(shown, key=lambda i: hidden[i]))
            assert page.save_screenshot(shot), f"could not write the screenshot to {shot}"


def _hidden(network, x):
    """Layer 1's activations for input ``x`` (784,)."""
    layer = network.layers[1]
    return np.maximum(layer.weights @ x + layer.biases, 0.0)


def test_predict_hook_matches_python_on_test_images(page, sample, network):
    X = sample.test_images[:300].reshape(300, -1) / 255.0
    outputs = np.array(page.execute_script(
        "return arguments[0].map(function (x) { return window.neurograph.predict(x); });",
        X.tolist()))
    assert outputs.shape == (300, 10)
    difference = np.abs(outputs - network.predict(X)).max()
    print(f"largest difference page vs Python over 300 test images: {difference:.2e}")
    assert difference < 1e-6


def test_clicking_a_neuron_shows_its_arithmetic(page, demo, sample, network, readable):
    from selenium.webdriver.common.action_chains import ActionChains

    draw(page, demo.strokes_for(sample.test_images[readable[0]] / 255, 280))
    ink, _ = page_state(page)
    x = preprocess_digit(ink)
    layer = network.layers[1]
    z_all = layer.weights @ x + layer.biases
    # a neuron the diagram draws (the layout shows the first and last 20 of 128) with a clear z
    shown = [int(n["index"]) for n in page.execute_script(
        "return window.neurograph.layout(window.neurograph.network).layers[1].neurons")]
    j = max(shown, key=lambda i: z_all[i])
    point = page.execute_script("return window.neurograph.neuronPoint(1, arguments[0])", j)
    diagram = page.find_element("id", "diagram")
    size = diagram.size
    ActionChains(page, duration=1).move_to_element_with_offset(
        diagram, round(point["x"] - size["width"] / 2),
        round(point["y"] - size["height"] / 2)).click().perform()
    text = text_of(page, "explain")
    assert re.search(rf"#\s*{j}\b", text), text
    assert re.search(r"\b(layer\s*1|hidden)", text, re.IGNORECASE), text
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]

    def written(value):
        return any(abs(n - value) <= 5e-3 * max(1.0, abs(value)) for n in numbers)

    z = z_all[j]
    terms = layer.weights[j] * x
    top = int(np.argmax(np.abs(terms)))
    assert written(z), f"z = {z} not in {text!r}"
    assert written(max(z, 0.0)), f"a = relu(z) not in {text!r}"
    assert written(layer.biases[j]), f"bias {layer.biases[j]} not in {text!r}"
    assert written(layer.weights[j, top]) and written(x[top]), (
        f"the largest term {layer.weights[j, top]} x {x[top]} not in {text!r}")


def test_clear_empties_the_prediction(page):
    assert text_of(page, "prediction") == ""  # nothing drawn yet
    draw(page, [[(100.0, 60.0), (180.0, 60.0), (140.0, 230.0)]])
    assert text_of(page, "prediction") != ""
    page.find_element("id", "clear").click()
    assert text_of(page, "prediction") == ""
    ink, _ = page_state(page)
    assert ink.max() == 0.0
    widths = page.execute_script(
        "return Array.from(document.querySelectorAll('#bars .fill')).map("
        "function (e) { return parseFloat(e.style.width); })")
    assert widths == [0] * 10


def test_update_time_is_measured(page, demo, sample, readable):
    """Each update's time is exposed; the median and largest of 200 are printed (README)."""
    draw(page, demo.strokes_for(sample.test_images[readable[1]] / 255, 280))
    after_drawing = page.execute_script("return window.neurograph.lastUpdateMs")
    assert isinstance(after_drawing, (int, float)) and after_drawing > 0
    times = page.execute_script(
        "var ng = window.neurograph, t = [];"
        "for (var i = 0; i < 200; i++) { var s = performance.now(); ng.update(); "
        "t.push(performance.now() - s); }"
        "return [t, ng.lastUpdateMs];")
    measured, last = times
    assert len(measured) == 200 and last > 0
    print(f"update (preprocess + forward + redraw), 784-128-10, headless Chromium: median "
          f"{statistics.median(measured):.2f} ms, max {max(measured):.2f} ms over 200")


def test_page_works_offline_from_file(page, demo, sample, readable):
    """Everything the page loads is a file:// (or data:) URL, and nothing logs an error."""
    draw(page, demo.strokes_for(sample.test_images[readable[2]] / 255, 280))
    urls = []
    for entry in page.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert any(url.endswith("/network.js") for url in urls), urls
    assert any(url.endswith("/neurograph.js") for url in urls), urls
    elsewhere = [url for url in urls if not url.startswith(("file://", "data:"))]
    assert elsewhere == []
    errors = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_page_layout(page):
    """The pad takes touch and pen input, and the page's parts sit side by side without
    overlapping, inside the window, with every neuron of the diagram inside its canvas."""
    boxes = page.execute_script(
        "var r = {}; ['pad', 'bars', 'diagram', 'explain', 'clear', 'input', 'prediction']"
        ".forEach(function (id) { var b = document.getElementById(id).getBoundingClientRect();"
        " r[id] = [b.left, b.top, b.right, b.bottom]; });"
        "r.touch = getComputedStyle(document.getElementById('pad')).touchAction;"
        "r.inner = [window.innerWidth, window.innerHeight]; return r;")
    assert boxes.pop("touch") == "none"
    width, height = boxes.pop("inner")

    def overlap(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    names = sorted(boxes)
    for i, a in enumerate(names):
        assert boxes[a][2] <= width, f"#{a} runs past the window's right edge"
        for b in names[i + 1:]:
            assert not overlap(boxes[a], boxes[b]), f"#{a} overlaps #{b}"
    points = page.execute_script(
        "var ng = window.neurograph, L = ng.layout(ng.network), p = [];"
        "L.layers.forEach(function (layer) { layer.neurons.forEach(function (n) {"
        " p.push(ng.neuronPoint(layer.index, n.index)); }); });"
        "var c = document.getElementById('diagram'); return [p, c.clientWidth, c.clientHeight];")
    points, w, h = points
    assert len(points) == 40 + 10
    outside = [p for p in points if not (0 < p["x"] < w and 0 < p["y"] < h)]
    assert outside == []


# -- the diagram of networks that are not a dense chain ---------------------------------------------

def _conv_network():
    from neurograph.convolution import convolution, max_pooling

    return Network.convolutional((28, 28), [convolution(), max_pooling(2)], [32, 10],
                                 output_activation="softmax", cost="cross_entropy", seed=0)


def _post_attempt_3():
    from neurograph.post import post_network

    return post_network(3, seed=0)  # connections that skip layers


OTHER_NETWORKS = {"convolution": _conv_network, "post attempt 3": _post_attempt_3}
STROKE = [[(100.0, 60.0), (180.0, 60.0), (140.0, 230.0)]]  # a 7


@pytest.fixture(scope="module", params=sorted(OTHER_NETWORKS))
def other(request, browser, tmp_path_factory):
    """(name, network, site folder) for a network whose diagram has maps or arcs."""
    from neurograph.web import write_site

    network = OTHER_NETWORKS[request.param]()
    folder = tmp_path_factory.mktemp("site") / "site"
    write_site(network, folder)
    return request.param, network, folder


PICTURE_INK = (  # per picture box: how many of its canvas pixels are not white, and their sum
    "var c = document.getElementById('diagram'), g = c.getContext('2d'),"
    " b = window.neurograph.diagramBoxes(), s = b.scale;"
    "return b.pictures.map(function (p) {"
    " var x0 = Math.ceil(p.box[0] * s) + 1, y0 = Math.ceil(p.box[1] * s) + 1,"
    " w = Math.floor(p.box[2] * s) - 1 - x0, h = Math.floor(p.box[3] * s) - 1 - y0;"
    " var d = g.getImageData(x0, y0, Math.max(w, 1), Math.max(h, 1)).data, n = 0, t = 0;"
    " for (var i = 0; i < d.length; i += 4) {"
    "  if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) n++; t += d[i] + 3 * d[i + 1] + 7 * d[i + 2]; }"
    " return [p.layer, n / (d.length / 4), t]; });")


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_other_networks_predict_as_python(browser, other, sample):
    name, network, folder = other
    page = open_page(browser, folder)
    X = sample.test_images[:100].reshape(100, -1) / 255.0
    outputs = np.array(page.execute_script(
        "return arguments[0].map(function (x) { return window.neurograph.predict(x); });",
        X.tolist()))
    assert np.abs(outputs - network.predict(X)).max() < 1e-6, name
    errors = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], name


def test_other_networks_diagram_geometry(browser, other):
    """The column words never overprint; every neuron and picture is inside the canvas; the
    pictures show the current activations (they change when a digit is drawn); the diagram
    fills the canvas's height; skip connections are arcs that pass outside the columns they
    skip."""
    name, network, folder = other
    page = open_page(browser, folder)
    before = page.execute_script(PICTURE_INK)
    draw(page, STROKE)
    after = page.execute_script(PICTURE_INK)
    boxes = page.execute_script("return window.neurograph.diagramBoxes()")
    w, h = boxes["width"], boxes["height"]
    words = boxes["labels"]
    assert len(words) == len(network_layers_columns(page))
    for i, a in enumerate(words):
        assert 0 <= a[0] and a[2] <= w and 0 <= a[1] and a[3] <= h, (name, a)
        for b in words[i + 1:]:
            assert not _overlap(a, b), f"{name}: column words {a} and {b} overprint"
    drawn = boxes["neurons"] + [p["box"] for p in boxes["pictures"]]
    outside = [b for b in drawn if not (0 <= b[0] and b[2] <= w and 0 <= b[1] and b[3] <= h)]
    assert outside == [], name
    for (layer, ink, total), (_, _, old_total) in zip(after, before):
        if layer == 0:  # the input grid: white but for the drawn stroke
            assert ink > 0.02, f"{name}: the input grid shows no ink"
        else:  # a map or a shaped layer: coloured pixels everywhere, changed by the drawing
            assert ink > 0.9, f"{name}: a picture of layer {layer} is blank ({ink:.0%} coloured)"
    changed = {layer for (layer, _, t), (_, _, t0) in zip(after, before) if t != t0}
    assert changed == {p["layer"] for p in boxes["pictures"]}, name
    tops = [b[1] for b in drawn] + [a["apex"][1] for a in boxes["arcs"]]
    bottoms = [b[3] for b in drawn] + [a["apex"][1] for a in boxes["arcs"]]
    assert max(bottoms) - min(tops) >= 0.5 * h, f"{name}: the diagram is squashed"
    if name == "convolution":
        assert len(boxes["pictures"]) == 1 + 12 + 12  # the input, 12 maps of two layers
        assert boxes["arcs"] == []
    else:  # the skip connections pass above or below every column between their ends
        columns = {k: page.execute_script(
            "return window.neurograph.layout(window.neurograph.network).layers[arguments[0]]"
            ".column", k) for k in range(len(network.layers))}
        assert boxes["arcs"], name
        for arc in boxes["arcs"]:
            first, last = columns[arc["from"][0]], columns[arc["to"][0]]
            assert last - first >= 2
            between = [b for b, k in zip(boxes["neurons"], _neuron_layers(page))
                       if first < columns[k] < last]
            y = arc["apex"][1]
            assert y < min(b[1] for b in between) or y > max(b[3] for b in between), arc


def network_layers_columns(page):
    return page.execute_script(
        "return window.neurograph.layout(window.neurograph.network).columns")


def _neuron_layers(page):
    """The layer of each circle, in diagramBoxes' order."""
    return page.execute_script(
        "var p = []; window.neurograph.layout(window.neurograph.network).layers.forEach("
        "function (L) { L.neurons.forEach(function () { p.push(L.index); }); }); return p;")


def test_clicking_a_map_pixel_explains_its_neuron(browser, tmp_path):
    """A click on a feature map's pixel shows which map, row and column, and that neuron's
    arithmetic: its activation is Python's."""
    from selenium.webdriver.common.action_chains import ActionChains

    from neurograph.web import write_site

    network = _conv_network()
    write_site(network, tmp_path / "site")
    page = open_page(browser, tmp_path / "site")
    draw(page, STROKE)
    ink, _ = page_state(page)
    network.propagate(preprocess_digit(ink))
    boxes = page.execute_script("return window.neurograph.diagramBoxes()")
    tile = next(p for p in boxes["pictures"] if p["layer"] == 1 and p["map"] == 2)
    left, top, right, bottom = tile["box"]
    x, y = (left + right) / 2, (top + bottom) / 2
    diagram = page.find_element("id", "diagram")
    size = diagram.size
    ActionChains(page, duration=1).move_to_element_with_offset(
        diagram, round(x - size["width"] / 2), round(y - size["height"] / 2)).click().perform()
    text = text_of(page, "explain")
    found = re.search(r"layer 1, map (\d+), row (\d+), column (\d+)", text)
    assert found, text
    m, r, c = (int(v) for v in found.groups())
    assert m == 2 and abs(r - 12.5) <= 2 and abs(c - 12.5) <= 2, text  # near the tile's middle
    index = m * 26 * 26 + r * 26 + c
    assert re.search(rf"#{index}\b", text), text
    a = float(re.search(r"a = relu\(.*\) = \(?(-?[\d.e+-]+)\)?\s*$", text).group(1))
    assert abs(a - network.layers[1].activations[index]) <= 5e-3 * max(1.0, abs(a)), text
