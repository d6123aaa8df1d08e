import numpy as np
import pytest

import neurograph
from neurograph import COSTS, Cost, Network, get_activation, get_cost, register_cost
from neurograph.core.costs import output_deltas


def test_quadratic_cost_is_the_sum_of_squares_without_a_half():
    quadratic = get_cost("quadratic")
    assert float(quadratic([0.2, 0.9], [0.0, 1.0])) == pytest.approx(0.04 + 0.01)
    batch = quadratic(np.array([[0.2, 0.9], [1.0, 1.0]]), np.array([[0.0, 1.0], [0.0, 0.0]]))
    np.testing.assert_allclose(batch, [0.05, 2.0])


def test_quadratic_derivative_is_twice_the_error():
    quadratic = get_cost("quadratic")
    assert quadratic.derivative(0.75, 1.0) == pytest.approx(-0.5)
    h = 1e-6
    numeric = (float(quadratic([0.3 + h], [0.8])) - float(quadratic([0.3 - h], [0.8]))) / (2 * h)
    assert quadratic.derivative(0.3, 0.8) == pytest.approx(numeric, rel=1e-8)


def test_unknown_cost_lists_the_valid_names():
    with pytest.raises(ValueError, match="must be one of .*quadratic.*'hinge'"):
        get_cost("hinge")


COST_NAMES = ["quadratic", "cross_entropy", "binary_cross_entropy"]
ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]


def outputs_and_targets(dtype):
    """Weighted sums of 3 samples for 4 outputs (below 1 in size, so that no activation is
    clipped at 1, where float32 clips lower), their softmax, and one-hot targets, in ``dtype``."""
    rng = np.random.default_rng(0)
    z = rng.uniform(-0.9, 0.9, (3, 4)).astype(dtype)
    a = get_activation("softmax")(z)
    y = np.eye(4, dtype=dtype)[[2, 0, 3]]
    return z, a, y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", COST_NAMES)
def test_costs_keep_the_float_dtype_of_the_activations(name, dtype):
    cost = get_cost(name)
    z, a, y = outputs_and_targets(dtype)
    for what, result in [("cost", cost(a, y)), ("term", cost.term(a, y)),
                         ("derivative", cost.derivative(a, y))]:
        assert result.dtype == dtype, what
    _, a64, y64 = outputs_and_targets(np.float64)
    np.testing.assert_allclose(cost(a, y), cost(a64, y64), rtol=1e-5)
    for activation in ACTIVATION_NAMES:
        f = get_activation(activation)
        out = f(z)
        deltas = output_deltas(cost, f, z, out, y)
        assert deltas.dtype == dtype, activation
        reference = output_deltas(cost, f, z.astype(np.float64), f(z.astype(np.float64)),
                                  y.astype(np.float64))
        np.testing.assert_allclose(deltas, reference, rtol=1e-4, atol=1e-5, err_msg=activation)


def test_a_cost_of_lists_or_integers_is_float64_and_of_floats_a_float():
    quadratic = get_cost("quadratic")
    assert quadratic([1, 2], [0, 0]).dtype == np.float64
    assert float(quadratic([1, 2], [0, 0])) == 5.0
    assert type(quadratic.derivative(0.5, 1.0)) is float


def test_float32_outputs_at_0_and_1_give_finite_cross_entropies():
    # 1 - 1e-15 rounds to 1 in float32: the clip must stop below 1 there, or ln(1 - a) is -inf
    # and the derivative divides by zero.
    a = np.array([[0.0, 1.0]], dtype=np.float32)
    for name in ["cross_entropy", "binary_cross_entropy"]:
        cost = get_cost(name)
        for y in (np.array([[0.0, 1.0]], dtype=np.float32), np.array([[1.0, 0.0]], np.float32)):
            assert np.isfinite(cost(a, y)).all() and cost(a, y).dtype == np.float32
            assert np.isfinite(cost.derivative(a, y)).all()
    # a wrong saturated output costs about -ln(2^-24) = 16.6 per output in float32
    wrong = get_cost("binary_cross_entropy")(a, np.array([[1.0, 0.0]], np.float32))
    assert float(wrong[0]) == pytest.approx(34.539 + 16.636, rel=1e-3)


@pytest.fixture
def registry():
    """COSTS, put back as it was after the test."""
    saved = dict(COSTS)
    yield COSTS
    COSTS.clear()
    COSTS.update(saved)


def quartic():
    return Cost("quartic", lambda a, y: (a - y) ** 4, lambda a, y: 4.0 * (a - y) ** 3,
                "sum_j (a_j - y_j)^4")


def test_a_registered_cost_is_found_by_name_and_a_taken_name_refused(registry):
    first, second = quartic(), quartic()
    assert register_cost(first) is first
    assert get_cost("quartic") is first
    assert neurograph.register_cost is register_cost and "register_cost" in neurograph.__all__
    assert float(first([0.5, 3.0], [1.0, 1.0])) == 0.0625 + 16.0
    register_cost(first)  # the same object again: nothing to refuse
    with pytest.raises(ValueError, match="`cost.name` must not be a registered name "
                                         r"\(or pass replace=True\), got 'quartic'"):
        register_cost(second)
    with pytest.raises(ValueError, match="got 'quadratic'"):
        register_cost(Cost("quadratic", abs, abs, "?"))
    assert registry["quadratic"].formula == "sum_j (a_j - y_j)^2"
    assert register_cost(second, replace=True) is second and get_cost("quartic") is second


@pytest.mark.parametrize("bad, error, message", [
    ("quartic", TypeError, "`cost` must be a Cost, got str"),
    (lambda a, y: a - y, TypeError, "`cost` must be a Cost, got function"),
    (Cost("", abs, abs, "?"), ValueError, "must be a non-empty string, got ''"),
])
def test_registering_refuses_what_is_not_a_named_cost(registry, bad, error, message):
    before = dict(registry)
    with pytest.raises(error, match=message):
        register_cost(bad)
    assert registry == before


def test_a_registered_cost_survives_save_and_load(registry, tmp_path):
    custom = register_cost(quartic())
    net = Network.layered([3, 4, 2], activation="tanh", cost="quartic", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(-1, 1, (10, 3)), rng.uniform(0, 1, (10, 2))
    net.fit(X, Y, epochs=2, batch_size=5, progress=False)
    path = tmp_path / "quartic.json"
    net.save(path)
    loaded = neurograph.load(path)
    assert loaded.cost_function is custom
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert loaded.cost(X[0], Y[0]) == net.cost(X[0], Y[0])
    impostor = Network.layered([3, 4, 2], cost=quartic(), seed=0)
    with pytest.raises(ValueError, match="the cost 'quartic' is not one of neurograph.COSTS, "
                                         "so it cannot be saved"):
        impostor.save(tmp_path / "impostor.json")
    del registry["quartic"]
    with pytest.raises(ValueError, match=r"cost` must be one of .*, got 'quartic'"):
        neurograph.load(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quartic.json"]
