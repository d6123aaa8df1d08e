"""Rich display in Jupyter, and the tour notebook executed afresh in a Python kernel."""
import base64
import json
import os
import re
import sys
from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from neurograph import Network, draw_network, draw_step, plot_history  # noqa: E402
from neurograph.drawing.notebook import png_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "examples" / "tour.ipynb"


def saved_size(figure, dpi: int = 100) -> tuple:
    """The pixel size of ``figure`` saved with a plain ``savefig`` at ``dpi`` (then closed)."""
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return decoded(buffer.getvalue()).size


def decoded(png: bytes) -> Image.Image:
    image = Image.open(BytesIO(png))
    image.load()
    return image


def xor_data():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 5, dtype=float)
    return X, (X[:, :1] != X[:, 1:]).astype(float)


# -- the pictures: PNG bytes drawn off screen --------------------------------------------------

def test_a_network_shows_its_diagram_and_a_table_of_its_layers():
    net = Network.layered([784, 16, 10], seed=0)
    plt.figure()  # the user's own figure stays open and current
    mine = plt.gcf()
    before = plt.get_fignums()
    try:
        png = net._repr_png_()
        assert plt.get_fignums() == before and plt.gcf() is mine
        image = decoded(png)
        assert image.format == "PNG" and image.width >= 400 and image.height >= 300
        # the same picture a plain draw_network makes, saved at 100 dpi
        assert image.size == saved_size(draw_network(net).figure)
        page = net._repr_html_()
        assert plt.get_fignums() == before and plt.gcf() is mine
        pictures = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
        assert len(pictures) == 1 and decoded(base64.b64decode(pictures[0])).size == image.size
        rows = re.findall(r"<tr>(.*?)</tr>", page)[1:]
        cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
        assert [c[:3] for c in cells] == [["0", "input", "784"], ["1", "hidden", "16"],
                                          ["2", "output", "10"]]
        assert [c[5:] for c in cells] == [["", ""], ["12,544", "16"], ["160", "10"]]
    finally:
        plt.close("all")


def test_a_terminal_that_shows_only_text_draws_nothing():
    # IPython calls _repr_mimebundle_ even where only text/plain is shown
    assert not hasattr(Network.layered([2, 1], seed=0), "_repr_mimebundle_")


def test_a_failing_drawing_leaves_no_figure_open_and_pyplot_as_it_was():
    plt.figure()
    before, interactive = plt.get_fignums(), matplotlib.is_interactive()

    def half_drawn():
        plt.figure()
        raise RuntimeError("boom")

    try:
        with pytest.raises(RuntimeError, match="boom"):
            png_of(half_drawn)
        assert plt.get_fignums() == before and matplotlib.is_interactive() == interactive
    finally:
        plt.close("all")


def test_a_history_shows_its_curves_and_a_table_of_its_epochs():
    net = Network.layered([2, 3, 1], activation="tanh", seed=0)
    X, Y = xor_data()
    history = net.fit(X, Y, epochs=3, batch_size=4, learning_rate=0.5, seed=0, progress=False,
                      validation=(X, Y))
    before = plt.get_fignums()
    page = history._repr_html_()
    assert plt.get_fignums() == before
    pictures = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(pictures) == 1  # the curves plot_history draws, saved at 100 dpi
    assert decoded(base64.b64decode(pictures[0])).size == saved_size(
        plot_history(history)[0].figure)
    header = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", page)
    assert header == ["epoch", "cost", "accuracy", "validation cost", "validation accuracy",
                      "seconds"]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>",
                                                                          page)[1:]]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    for row, cost, accuracy in zip(rows, history.cost, history.accuracy):
        assert float(row[1]) == pytest.approx(cost, rel=1e-3)
        assert row[2] == f"{accuracy:.2%}"


def test_a_long_history_shows_its_first_and_last_epochs():
    net = Network.layered([2, 3, 1], seed=0)
    X, Y = xor_data()
    history = net.fit(X, Y, epochs=30, batch_size=4, progress=False)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row)[0]
            for row in re.findall(r"<tr>(.*?)</tr>", history._repr_html_())[1:]]
    assert rows == ["1", "2", "3", "4", "5", "\u22ee", "26", "27", "28", "29", "30"]
    assert "30 epochs" in history._repr_html_()


def test_a_trace_shows_its_steps_and_their_pictures():
    net = Network.layered([2, 3, 1], seed=0)
    trace = net.trace([[0.0, 1.0], [1.0, 1.0]], [[1.0], [0.0]], step_size=0.5)
    before = plt.get_fignums()
    page = trace._repr_html_()
    assert plt.get_fignums() == before
    titles = re.findall(r"<tr><td[^>]*>\d+</td><td>(.*?)</td>", page)
    assert titles == [step.title for step in trace.steps]
    pictures = re.findall(r'data:image/png;base64,([^"]+)"', page)
    assert len(pictures) == len(trace) == 10
    sizes = [decoded(base64.b64decode(p)).size for p in pictures]
    # each step's picture is the one draw_step makes, saved at 100 dpi (the diagram is sized to
    # what it draws: a step with a delta colour bar is wider than one without)
    assert sizes == [saved_size(draw_step(trace, k).figure) for k in range(len(trace))]
    assert min(min(size) for size in sizes) >= 300


def test_a_long_trace_draws_the_first_steps_and_the_nudge_and_says_so():
    net = Network.layered([2, 3, 1], seed=0)
    X, Y = xor_data()
    trace = net.trace(X[:4], Y[:4], step_size=0.5)
    assert len(trace) == 18
    page = trace._repr_html_()
    alts = re.findall(r'alt="(step \d+ of 18)"', page)
    assert alts == [f"step {k} of 18" for k in range(1, 12)] + ["step 18 of 18"]
    assert "6 steps not drawn here" in page


def test_a_trace_that_cannot_be_drawn_shows_its_table_and_why():
    from neurograph.convolution import convolution

    net = Network.convolutional((8, 8), [convolution()], [2], seed=0)
    rng = np.random.default_rng(0)
    trace = net.trace(rng.uniform(size=(1, 64)), [[1.0, 0.0]], step_size=0.1)
    page = trace._repr_html_()
    assert "<img" not in page and "cannot draw a trace" in page
    assert page.count("<tr>") == 1 + len(trace)


# -- the tour, executed afresh ------------------------------------------------------------------

def tagged(notebook, tag: str):
    cells = [c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, tag
    return cells[0]


def outputs_of(cell, kind: str) -> list:
    return [o["data"][kind] for o in cell.outputs if kind in o.get("data", {})]


def test_the_tour_is_committed_without_outputs():
    notebook = json.loads(TOUR.read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_the_tour_runs_in_a_python_kernel_and_shows_what_it_says(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    # A kernel spec of this interpreter, found first: a "python3" of the user's own (another
    # Python, without neurograph) must not be the one run.
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (neurograph tests)", "language": "python"}))
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel's inline one
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env["JUPYTER_PATH"] = os.pathsep.join([str(tmp_path)] + [p for p in [env.get(
        "JUPYTER_PATH")] if p])
    env["NEUROGRAPH_DATA"] = str(tmp_path / "no-data")  # the bundled sample, as for a new user
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    saved = os.environ.copy()
    os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]  # where this process looks for the spec
    try:
        notebook = nbformat.read(str(TOUR), as_version=4)
        client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120,
                                         resources={"metadata": {"path": str(ROOT)}})
        client.execute(env=env)  # raises CellExecutionError on any cell's error
    finally:
        os.environ.clear()
        os.environ.update(saved)

    # the network's own display: its diagram and a table of its layers
    network = tagged(notebook, "network")
    assert [decoded(base64.b64decode(p)).width >= 400
            for p in outputs_of(network, "image/png")] == [True]
    assert "<td>hidden</td>" in outputs_of(network, "text/html")[0]
    # the diagram drawn by draw_network, shown by the inline backend (the displays before it
    # must not have switched it off)
    diagram = tagged(notebook, "diagram")
    assert len(outputs_of(diagram, "image/png")) == 1
    # the live view: one output, updated in place at each of its nine drawings (3 epochs of
    # 2 mini-batches, and each epoch's end), not nine pictures
    live = tagged(notebook, "live")
    assert len(outputs_of(live, "image/png")) == 1
    assert "9 drawings, shown in one output" in "".join(o.get("text", "") for o in live.outputs)
    # tables: the history's epochs, the gradient check, the lesion report
    assert "<td style=\"text-align:right\">200</td>" in \
        outputs_of(tagged(notebook, "history"), "text/html")[0]
    check = outputs_of(tagged(notebook, "gradient-check"), "text/html")[0]
    error = float(re.search(r"<td>worst relative error</td><td>(.*?)</td>", check).group(1))
    assert error < 1e-6
    report = outputs_of(tagged(notebook, "lesion-report"), "text/html")[0]
    assert report.count("<tr>") == 1 + 32  # the header and the 32 hidden neurons
    # the accuracy printed: a number, and what two epochs on 5,000 digits give
    printed = "".join(o.get("text", "") for o in tagged(notebook, "accuracy").outputs)
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", printed).group(1))
    assert 75.0 <= accuracy <= 100.0
    assert "bundled sample" in printed
