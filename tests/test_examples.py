"""Smoke runs of examples/xor.py, rectangle.py and first_contact.py with small flags.

Each run takes a few seconds and is checked on its figures, with thresholds the small run meets
on every seed tried (0-9) but a network that does not learn would miss.
"""
import re

import pytest



@pytest.fixture(scope="module")
def xor(load_example):
    return load_example("xor")


@pytest.fixture(scope="module")
def rectangle(load_example):
    return load_example("rectangle")


@pytest.fixture(scope="module")
def first_contact(load_example):
    return load_example("first_contact")


def test_xor_small_run_classifies_fresh_points(xor, capsys):
    result = xor.main(["--epochs", "15", "--quiet"])
    # 15 epochs reach 97.8-99.4% on fresh points over seeds 0-9; a constant or linear
    # predictor gets about 50-75% on XOR.
    assert result["train_accuracy"] > 0.93
    assert result["test_accuracy"] > 0.93
    assert result["test_cost"] < 0.1
    assert "on 1000 fresh points" in capsys.readouterr().out


def test_xor_data_are_labelled_by_quadrant(xor):
    import numpy as np

    X, Y = xor.make_data(2000, np.random.default_rng(1))
    assert X.shape == (2000, 2) and Y.shape == (2000, 1)
    assert X.min() >= 0.0 and X.max() < 1.0
    expected = ((X[:, 0] >= 0.5) != (X[:, 1] >= 0.5)).astype(float)
    assert np.array_equal(Y[:, 0], expected)
    assert 0.4 < Y.mean() < 0.6


def test_rectangle_small_run_errors_fall(rectangle, capsys):
    result = rectangle.main(["--iterations", "40000", "--report-every", "10000"])
    lines = result["lines"]
    assert [iteration for iteration, _, _ in lines] == [0, 10000, 20000, 30000, 40000]
    _, first_area, first_circumference = lines[1]  # the first full report interval
    assert result["area_error"] < 0.8 * first_area
    assert result["circumference_error"] < 0.6 * first_circumference
    # Seeds 0-9 end this short run at area 6-17%, circumference 0.7-3.7%.
    assert result["area_error"] < 25.0
    assert result["circumference_error"] < 5.0
    out = capsys.readouterr().out
    assert re.search(r"^Iteration 40000 errors: area \d+\.\d{3}%, circumference: \d+\.\d{3}% "
                     r"\(smaller = better\)", out, re.MULTILINE)
    assert "area 17.861%, circumference: 1.123%" in out  # the post's line, printed beside ours


def test_rectangle_targets(rectangle):
    assert rectangle.targets(0.5, 0.2) == pytest.approx([0.1, 0.35])
    assert rectangle.targets(1.0, 1.0) == pytest.approx([1.0, 1.0])


def test_rectangle_run_is_reproducible(rectangle, capsys):
    flags = ["--iterations", "3000", "--report-every", "1000"]
    first = rectangle.main(flags + ["--seed", "3"])
    again = rectangle.main(flags + ["--seed", "3"])
    other = rectangle.main(flags + ["--seed", "4"])
    assert first["lines"] == again["lines"]
    assert first["lines"] != other["lines"]


def test_first_contact_small_run_beats_the_baselines(first_contact, capsys):
    result = first_contact.main(["--epochs", "250"])
    # The training mean's test RMSE is ~0.14-0.20 and the best plane's ~0.07-0.09 over seeds
    # 0-9; 250 epochs bring the network to 0.032-0.047 (the noise alone is 0.03).
    assert result["test_rmse"] < 0.5 * result["mean_test_rmse"]
    assert result["test_rmse"] < 0.8 * result["plane_test_rmse"]
    assert result["train_rmse"] < 0.8 * result["plane_train_rmse"]
    assert result["test_rmse"] < 0.06
    out = capsys.readouterr().out
    assert "baseline: training mean" in out and "2-3-1 sigmoid network" in out


def test_first_contact_baselines_are_computed_on_the_training_set(first_contact):
    import numpy as np

    X, Y = first_contact.make_data(300, np.random.default_rng(0))
    assert X.shape == (300, 2) and Y.shape == (300, 1)
    assert 0.0 <= Y.min() and Y.max() <= 1.0 and 0.0 <= X.min() and X.max() <= 1.0
    predict = first_contact.plane_fit(X, Y)
    plane_rmse = first_contact.rmse(predict(X), Y)
    mean_rmse = first_contact.rmse(np.full(len(Y), Y.mean()), Y)
    assert mean_rmse == pytest.approx(float(Y.std()))
    assert plane_rmse < mean_rmse  # least squares with an intercept beats the mean on its data


def test_xor_writes_its_pictures(xor, tmp_path, monkeypatch):
    from saved_figures import assert_size_at_dpi, record_closed_figures

    written = record_closed_figures(monkeypatch)
    result = xor.main(["--epochs", "3", "--quiet", "--plots", str(tmp_path / "pics")])
    names = sorted(p.name for p in result["plots"])
    assert names == ["decision_boundary.png", "network.png", "neuron_maps.png"]
    for path in result["plots"]:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    # slide-ready: 150 dpi by default, uncropped; the plots hold their contents
    assert len(written) == 3
    for path, figure in zip(result["plots"], written):
        assert_size_at_dpi(path, figure["inches"], 150)
        if path.name != "network.png":  # the diagram is tested in test_drawing*
            assert figure["outside"] == [] and figure["overlapping"] == [], path.name
    maps = written[[p.name for p in result["plots"]].index("neuron_maps.png")]["inches"]
    assert maps[0] / maps[1] == pytest.approx(16 / 9, rel=0.01)


def test_xor_plots_take_a_dpi(xor, tmp_path, monkeypatch, capsys):
    from saved_figures import assert_size_at_dpi, record_closed_figures

    written = record_closed_figures(monkeypatch)
    result = xor.main(["--epochs", "1", "--n-train", "50", "--quiet", "--dpi", "40",
                       "--plots", str(tmp_path)])
    for path, figure in zip(result["plots"], written):
        assert_size_at_dpi(path, figure["inches"], 40)
    with pytest.raises(SystemExit) as exit_:
        xor.main(["--dpi", "0", "--epochs", "1"])
    assert exit_.value.code == 2  # as the neurograph command refuses a --dpi
    assert "argument --dpi: must be an integer from 10 to 1200, got 0" in capsys.readouterr().err


@pytest.fixture(scope="module")
def post_attempts(load_example):
    return load_example("post_attempts")


def test_post_attempts_small_run_trains_both_ways_and_draws_the_charts(post_attempts,
                                                                       tmp_path):
    result = post_attempts.main(["--attempts", "1", "2", "--iterations", "2", "--epoch-size",
                                 "400", "--test-every", "3", "--test-limit", "300",
                                 "--no-download", "--quiet", "--plots", str(tmp_path)])
    for attempt in (1, 2):
        for way in ("mean", "sum"):
            run = result[attempt][way]
            history = run["history"]
            assert run["network"].hidden_derivative == way
            # batches of 50 then 60 images: 400 / 50 = 8 and 400 / 60 = 7 batches; a test
            # every 3: after batches 3, 6 (150, 300 images) and 9, 12, 15 (all after)
            assert history.evaluation_samples == [150, 300, 460, 640, 800]
            assert len(history.evaluation_accuracy) == 5
        assert (tmp_path / f"post_attempt_{attempt}.png").exists()
        # 150 dpi by default, uncropped: the chart's 7.5 x 4.6 inches
        from saved_figures import assert_size_at_dpi

        assert_size_at_dpi(tmp_path / f"post_attempt_{attempt}.png", (7.5, 4.6), 150)
    # no hidden layer: the averaging changes nothing
    assert result[1]["mean"]["accuracy"] == result[1]["sum"]["accuracy"]
    assert result[1]["sum"]["accuracy"] > 0.3  # 800 images seen; chance is 0.1


def test_the_post_chart_takes_a_dpi_and_holds_everything(post_attempts, tmp_path,
                                                         monkeypatch):
    from saved_figures import assert_size_at_dpi, record_closed_figures

    written = record_closed_figures(monkeypatch)
    post_attempts.main(["--attempts", "1", "--iterations", "1", "--epoch-size", "100",
                        "--test-every", "1", "--test-limit", "50", "--no-download", "--quiet",
                        "--dpi", "50", "--plots", str(tmp_path)])
    [figure] = written
    assert_size_at_dpi(tmp_path / "post_attempt_1.png", figure["inches"], 50)
    assert figure["outside"] == [] and figure["overlapping"] == []
    with pytest.raises(SystemExit):
        post_attempts.main(["--dpi", "0"])


def test_the_post_chart_holds_its_labels_and_legend(post_attempts):
    import matplotlib.pyplot as plt

    result = post_attempts.main(["--attempts", "2", "--iterations", "1", "--epoch-size", "200",
                                 "--test-every", "2", "--test-limit", "100", "--no-download",
                                 "--quiet"])
    figure = post_attempts.chart(2, result[2])
    try:
        renderer = figure.canvas.get_renderer()
        figure.canvas.draw()
        box = figure.bbox
        artists = [t for a in figure.axes for t in (a.title, a.xaxis.label, a.yaxis.label)]
        artists += figure.legends
        for artist in artists:
            extent = artist.get_window_extent(renderer)
            assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, artist
            assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1, artist
        legend = figure.legends[0].get_window_extent(renderer)
        plot = figure.axes[0].get_window_extent(renderer)
        assert legend.y1 <= plot.y0  # below the plot, over no line
    finally:
        plt.close(figure)


def test_xor_live_view_draws_under_agg(xor, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = xor.main(["--epochs", "2", "--quiet", "--live", "--refresh", "1000"])
    assert result["live_draws"] == 1  # never due in 2 epochs: only the final drawing
    plt.close("all")


# -- examples/playground.py: the Playground's data sets -----------------------------------------

@pytest.fixture(scope="module")
def playground(load_example):
    return load_example("playground")


# Short runs, each with the fewest epochs that met its threshold on every seed tried (0-9);
# a network that does not learn gets about 50% (the classes are balanced; the spiral's short
# runs ranged 84-99% over those seeds), and predicting the mean gives an RMSE of 0.49 (plane)
# or 0.30 (multi_gaussian; its short runs ranged 0.15-0.23).
PLAYGROUND_RUNS = [
    ("circle", ["--epochs", "15", "--points", "400"], "test_accuracy", 0.95),
    ("xor", ["--epochs", "15", "--points", "400"], "test_accuracy", 0.95),
    ("gaussians", ["--epochs", "15", "--points", "400"], "test_accuracy", 0.95),
    ("spiral", ["--epochs", "150", "--points", "500"], "test_accuracy", 0.8),
    ("plane", ["--epochs", "15", "--points", "400"], "test_rmse", 0.06),
    ("multi_gaussian", ["--epochs", "60", "--points", "400"], "test_rmse", 0.25),
]


@pytest.mark.parametrize("data, flags, figure, threshold", PLAYGROUND_RUNS)
def test_playground_learns_each_data_set(playground, capsys, data, flags, figure, threshold):
    result = playground.main(["--data", data, "--quiet", *flags])
    if figure == "test_accuracy":
        assert result[figure] >= threshold
    else:
        assert result[figure] <= threshold
    network = result["network"]
    assert list(network.sizes) == [2, 8, 8, 2 if figure == "test_accuracy" else 1]
    shown = "accuracy on the" if figure == "test_accuracy" else "RMSE on the"
    assert capsys.readouterr().out.startswith(f"{data}: {shown}")


def test_playground_linear_model_cannot_separate_the_circle(playground, capsys):
    # No hidden layer: one straight boundary, no better than guessing on the ring and disc.
    result = playground.main(["--data", "circle", "--hidden", "--quiet", "--epochs", "15",
                              "--points", "400"])
    assert list(result["network"].sizes) == [2, 2]
    assert result["test_accuracy"] < 0.8


def test_playground_held_out_points_are_the_requested_share(playground, capsys):
    playground.main(["--data", "xor", "--epochs", "1", "--points", "50", "--test-fraction",
                     "0.3", "--hidden", "3", "--activation", "relu"])
    out = capsys.readouterr().out
    assert "35 training and 15 held-out points" in out
    assert "Network(2-3-2, relu/softmax" in out


@pytest.mark.parametrize("flags, message", [
    (["--data", "moons"], "argument --data: invalid choice: 'moons'"),
    (["--noise", "-1"], "argument --noise: must be a finite number of at least 0"),
    (["--hidden", "0"], "argument --hidden: must be a positive integer, got 0"),
    (["--test-fraction", "1"], "argument --test-fraction: must be a number between 0 and 1"),
])
def test_playground_refuses_bad_flags(playground, capsys, flags, message):
    with pytest.raises(SystemExit) as exit_:
        playground.main(flags)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_playground_refuses_an_empty_split(playground):
    with pytest.raises(SystemExit, match="leaves 0 held out and 3 to train on"):
        playground.main(["--points", "3", "--test-fraction", "0.1"])


def test_playground_live_view_draws_under_agg(playground, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = playground.main(["--data", "spiral", "--epochs", "2", "--quiet", "--live",
                              "--refresh", "1000"])
    assert result["live_draws"] == 1  # never due in 2 epochs: only the final drawing
    plt.close("all")


def test_playground_writes_its_pictures(playground, tmp_path, monkeypatch, capsys):
    from saved_figures import assert_size_at_dpi, record_closed_figures

    written = record_closed_figures(monkeypatch)
    result = playground.main(["--data", "multi_gaussian", "--epochs", "2", "--quiet",
                              "--dpi", "60", "--plots", str(tmp_path / "pics")])
    assert [p.name for p in result["plots"]] == ["network.png", "decision_boundary.png",
                                                 "neuron_maps.png"]
    for path, figure in zip(result["plots"], written):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert_size_at_dpi(path, figure["inches"], 60)
        if path.name != "network.png":  # the diagram is tested in test_drawing*
            assert figure["outside"] == [] and figure["overlapping"] == [], path.name


def test_playground_boundary_shows_class_one(playground, tmp_path, monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    images, close = [], plt.close

    def keep_and_close(figure=None):
        if figure is not None and figure.axes and figure.axes[0].images:
            images.append(np.asarray(figure.axes[0].images[0].get_array()))
        close(figure)

    monkeypatch.setattr(plt, "close", keep_and_close)
    result = playground.main(["--data", "gaussians", "--epochs", "15", "--points", "400",
                              "--quiet", "--plots", str(tmp_path)])
    assert result["test_accuracy"] >= 0.95
    boundary = images[0]  # the diagram has no image; the neuron maps come after
    # class 1 is the cluster about (2, 2): its probability is high at the top right
    # (origin="lower": the last row is the top) and low at the bottom left
    assert boundary[-1, -1] > 0.9 and boundary[0, 0] < 0.1


@pytest.fixture(scope="module")
def onnx_round_trip(load_example):
    pytest.importorskip("onnxruntime", reason="the ONNX round trip needs neurograph[onnx]")
    return load_example("onnx_round_trip")


def test_onnx_round_trip_reads_the_same_digits_three_ways(onnx_round_trip, tmp_path, capsys):
    out = tmp_path / "small.onnx"
    figures = onnx_round_trip.main(["--hidden", "16", "--test-images", "300", "-o", str(out)])
    rows = figures["rows"]
    assert set(rows) == {"neurograph", "onnxruntime", "read back"}
    for difference, same, accuracy in rows.values():
        assert difference <= 1e-5 and same == 300
        assert accuracy > 0.6  # one epoch of 16 hidden neurons: about 85%; chance is 10%
    assert tuple(figures["back"].sizes) == (784, 16, 10) and out.stat().st_size == figures["bytes"]
    printed = capsys.readouterr().out
    assert re.search(r"onnxruntime +\d\.\de-\d\d +300/300", printed), printed
