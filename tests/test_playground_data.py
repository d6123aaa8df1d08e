"""The TensorFlow Playground's data sets (neurograph.io.playground, via neurograph.datasets):
shapes, balance, each set's geometry, noise, seeds, and bad arguments refused before drawing."""
import math

import numpy as np
import pytest

import neurograph.datasets as datasets
from neurograph.datasets import (CLASSIFICATION, MAX_SAMPLES, PLAYGROUND, REGRESSION, make_circle,
                                 make_gaussians, make_multi_gaussian, make_plane, make_spiral,
                                 make_xor)

ALL = sorted(PLAYGROUND)


def test_neurograph_datasets_exports_the_six_and_still_mnist():
    names = {"make_circle", "make_xor", "make_gaussians", "make_spiral", "make_plane",
             "make_multi_gaussian", "load_mnist", "read_idx"}
    assert names <= set(datasets.__all__)
    assert len(datasets.__all__) == len(set(datasets.__all__))
    assert set(CLASSIFICATION) == {"circle", "xor", "gaussians", "spiral"}
    assert set(REGRESSION) == {"plane", "multi_gaussian"}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_shapes_and_dtypes(name, noise):
    X, Y = PLAYGROUND[name](301, noise, seed=0)
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert Y.shape == ((301, 2) if name in CLASSIFICATION else (301, 1))
    assert Y.dtype == np.float64
    assert np.isfinite(X).all() and np.isfinite(Y).all()


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
@pytest.mark.parametrize("n", [1, 2, 7, 100, 1001])
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_classes_are_one_hot_and_balanced_exactly(name, n, noise):
    # The documented balance: n // 2 of class 0, the rest (n // 2 or one more) of class 1,
    # at every noise level.
    _, Y = CLASSIFICATION[name](n, noise, seed=3)
    assert set(np.unique(Y)) <= {0.0, 1.0}
    assert (Y.sum(axis=1) == 1).all()
    assert Y[:, 0].sum() == n // 2 and Y[:, 1].sum() == n - n // 2


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_rows_come_shuffled(name):
    _, Y = CLASSIFICATION[name](1000, seed=0)
    # In generation order the classes would come in two blocks: one change of class.
    assert np.count_nonzero(np.diff(Y[:, 1])) > 100


def test_circle_class_is_inside_half_the_radius():
    X, Y = make_circle(2000, seed=1)
    radius = np.hypot(X[:, 0], X[:, 1])
    inside = Y[:, 1] == 1
    assert (radius[inside] < 2.5).all()
    assert ((radius[~inside] >= 3.5) & (radius[~inside] <= 5.0)).all()
    assert radius[inside].max() > 2.4 and radius[~inside].min() < 3.6  # the whole band is used


def test_xor_class_is_the_sign_of_the_product_with_padding():
    X, Y = make_xor(2000, seed=2)
    assert ((X[:, 0] * X[:, 1] < 0) == (Y[:, 1] == 1)).all()
    assert (np.abs(X) >= 0.3).all() and (np.abs(X) <= 5.3).all()
    quadrants = {(bool(a), bool(b)) for a, b in X > 0}
    assert len(quadrants) == 4


def test_gaussians_lie_on_their_side_of_the_line():
    X, Y = make_gaussians(4000, seed=4)
    right_side = (X.sum(axis=1) > 0) == (Y[:, 1] == 1)
    assert right_side.mean() >= 0.999  # each point misses with probability about 3e-5
    for k, centre in ((1, 2.0), (0, -2.0)):
        rows = X[Y[:, k] == 1]
        np.testing.assert_allclose(rows.mean(axis=0), [centre, centre], atol=0.1)
        np.testing.assert_allclose(rows.var(axis=0), [0.5, 0.5], rtol=0.15)


def test_gaussians_noise_widens_the_clusters_as_the_playground_scales_it():
    X, Y = make_gaussians(4000, noise=0.5, seed=4)
    rows = X[Y[:, 1] == 1]
    np.testing.assert_allclose(rows.var(axis=0), [4.0, 4.0], rtol=0.15)  # 0.5 + 7 * 0.5


def test_spiral_arms_turn_as_their_radius_grows():
    X, Y = make_spiral(1000, seed=5)
    radius = np.hypot(X[:, 0], X[:, 1])
    for k, turn in ((1, 0.0), (0, math.pi)):
        arm = Y[:, k] == 1
        r = radius[arm]
        # t = 1.75 turns * r / 5 (+ pi for class 0), at (r sin t, r cos t)
        t = 1.75 * 2 * math.pi * r / 5 + turn
        np.testing.assert_allclose(X[arm], np.column_stack([r * np.sin(t), r * np.cos(t)]),
                                   atol=1e-12)
        assert r.min() == 0.0 and 4.98 < r.max() < 5.0
        steps = np.diff(np.sort(r))
        np.testing.assert_allclose(steps, 5 / 500)  # evenly along the arm


def test_spiral_without_noise_is_the_same_points_for_every_seed():
    a, _ = make_spiral(200, seed=1)
    b, _ = make_spiral(200, seed=2)
    assert not np.array_equal(a, b)  # another order
    np.testing.assert_array_equal(np.sort(a, axis=0), np.sort(b, axis=0))


def test_plane_is_linear_in_its_inputs_without_noise():
    X, Y = make_plane(500, seed=6)
    assert (np.abs(X) <= 6).all()
    design = np.column_stack([X, np.ones(len(X))])
    coefficients, residual, *_ = np.linalg.lstsq(design, Y[:, 0], rcond=None)
    np.testing.assert_allclose(coefficients, [0.1, 0.1, 0.0], atol=1e-12)
    assert residual[0] < 1e-20


def test_multi_gaussian_values_stay_in_range_and_peak_at_the_centres():
    X, Y = make_multi_gaussian(20_000, seed=7)
    assert Y.min() >= -1 and Y.max() <= 1
    assert Y.min() < -0.95 and Y.max() > 0.95
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
               (4, -2.5, -1)]
    distance = np.stack([np.hypot(X[:, 0] - cx, X[:, 1] - cy) for cx, cy, _ in centres])
    for (_, _, sign), d in zip(centres, distance):
        near = d < 0.2
        assert near.any()
        # within 0.2 of a centre: that cone, sign * (1 - d / 2), is the largest there
        np.testing.assert_allclose(Y[near, 0], sign * (1 - d[near] / 2))
    far = distance.min(axis=0) >= 2
    assert far.any() and (Y[far, 0] == 0).all()


@pytest.mark.parametrize("name", ALL)
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(name):
    make = PLAYGROUND[name]
    X1, Y1 = make(100, 0.1, seed=11)
    X2, Y2 = make(100, 0.1, seed=11)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    X3, _ = make(100, 0.1, seed=12)
    assert not np.array_equal(X1, X3)
    X4, _ = make(100, 0.1, seed=np.random.default_rng(11))  # a Generator is taken too
    assert X4.shape == (100, 2)


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_noise_moves_points_across_the_boundary(name):
    clean, Y = CLASSIFICATION[name](2000, 0.0, seed=8)
    noisy, Y_noisy = CLASSIFICATION[name](2000, 0.5, seed=8)
    assert not np.allclose(clean, noisy)
    np.testing.assert_array_equal(Y.sum(axis=0), Y_noisy.sum(axis=0))
    if name == "circle":
        crossed = (np.hypot(noisy[:, 0], noisy[:, 1]) < 2.5) != (Y_noisy[:, 1] == 1)
    elif name == "xor":
        crossed = (noisy[:, 0] * noisy[:, 1] < 0) != (Y_noisy[:, 1] == 1)
    elif name == "gaussians":
        crossed = (noisy.sum(axis=1) > 0) != (Y_noisy[:, 1] == 1)
    else:
        radius = np.hypot(noisy[:, 0], noisy[:, 1])
        crossed = np.abs(radius - np.hypot(clean[:, 0], clean[:, 1])) > 0  # every point moved
    assert crossed.mean() > 0.02


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_noise_is_in_the_labels(name):
    X, Y = REGRESSION[name](1000, 0.0, seed=9)
    X_noisy, Y_noisy = REGRESSION[name](1000, 0.2, seed=9)
    np.testing.assert_array_equal(X, X_noisy)  # the points stay where they are
    assert np.abs(Y - Y_noisy).max() > 0.1


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("arguments, match", [
    ((0,), "`n` must be a positive integer, got 0"),
    ((-5,), "`n` must be a positive integer"),
    ((2.0,), "`n` must be a positive integer, got 2.0"),
    ((True,), "`n` must be a positive integer, got True"),
    (("10",), "`n` must be a positive integer"),
    ((MAX_SAMPLES + 1,), "`n` must be at most 10,000,000"),
    ((10, -0.1), r"`noise` must be a finite number >= 0, got -0.1"),
    ((10, float("nan")), "`noise` must be a finite number >= 0, got nan"),
    ((10, float("inf")), "`noise` must be a finite number >= 0, got inf"),
    ((10, "0.1"), "`noise` must be a finite number >= 0"),
    ((10, None), "`noise` must be a finite number >= 0"),
    ((10, True), "`noise` must be a finite number >= 0"),
    ((10, 0.0, -1), "`seed` must be None, a non-negative integer or a numpy Generator"),
    ((10, 0.0, 1.5), "`seed` must be None"),
    ((10, 0.0, "0"), "`seed` must be None"),
])
def test_bad_arguments_are_named(name, arguments, match):
    with pytest.raises(ValueError, match=match):
        PLAYGROUND[name](*arguments)


@pytest.mark.parametrize("name", ALL)
def test_a_rejected_call_draws_nothing(name):
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    for arguments in ((0, 0.0), (10, -1.0)):
        with pytest.raises(ValueError):
            PLAYGROUND[name](*arguments, seed=rng)
    assert rng.bit_generator.state == before


@pytest.mark.parametrize("name", ALL)
def test_numpy_numbers_are_taken(name):
    X, _ = PLAYGROUND[name](np.int64(10), np.float32(0.1), seed=np.int64(1))
    assert X.shape == (10, 2)


def test_one_hot_targets_draw_a_two_class_boundary_and_a_live_view():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurograph import LiveView, Network, plot_decision_boundary

    X, Y = make_circle(200, seed=0)
    net = Network.layered([2, 4, 2], activation="tanh", output_activation="softmax",
                          cost="cross_entropy", init="xavier", seed=0, bias_clamp=None)
    view = LiveView(X, Y, resolution=10, refresh=1000)
    net.fit(X, Y, epochs=2, progress=False, callbacks=[view], seed=0)
    try:
        assert view.draws == 1
        boundary, = [a for a in view.figure.axes if a.get_title().startswith("output over")]
        assert [t.get_text() for t in boundary.get_legend().get_texts()] == ["class 0", "class 1"]
        ax = plot_decision_boundary(net, X, Y, output=1, resolution=10)
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
        np.testing.assert_allclose(ax.images[0].get_array(),
                                   net.predict(_grid(ax, 10))[:, 1].reshape(10, 10))
    finally:
        plt.close("all")


def _grid(ax, resolution):
    """The pixel centres of ``ax``'s image, row by row from the bottom (origin="lower")."""
    left, right, bottom, top = ax.images[0].get_extent()
    xs = left + (np.arange(resolution) + 0.5) * (right - left) / resolution
    ys = bottom + (np.arange(resolution) + 0.5) * (top - bottom) / resolution
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])
