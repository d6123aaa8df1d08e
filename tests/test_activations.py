import math

import numpy as np
import pytest

import neurograph
from neurograph import ACTIVATIONS, Activation, Network, get_activation, register_activation

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]

# Independent references, written from the textbook definitions.
REFERENCE = {
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "tanh": math.tanh,
    "relu": lambda z: max(0.0, z),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "identity": lambda z: z,
}
POINTS = [-4.0, -1.3, -0.2, 0.3, 0.9, 2.5]


def test_registry_holds_the_elementwise_activations_and_softmax():
    assert sorted(ACTIVATIONS) == sorted(NAMES + ["softmax"])
    assert [ACTIVATIONS[n].layerwise for n in NAMES] == [False] * 5
    assert ACTIVATIONS["softmax"].layerwise


def test_softmax_is_a_probability_distribution_over_the_last_axis():
    softmax = get_activation("softmax")
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    a = softmax(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(a[0], e / e.sum(), rtol=1e-12)
    np.testing.assert_allclose(a[1], [0.5, 0.5, 0.0])  # no overflow


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_derivative_from_output_agrees_with_derivative(name):
    activation = get_activation(name)
    z = np.array(POINTS)
    np.testing.assert_allclose(activation.derivative_from_output(activation(z)),
                               activation.derivative(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_function_matches_its_definition_on_floats_and_arrays(name):
    activation = get_activation(name)
    for z in POINTS:
        value = activation(z)
        assert isinstance(value, float)
        assert value == pytest.approx(REFERENCE[name](z), rel=1e-12, abs=1e-15)
    array = activation(np.array(POINTS))
    np.testing.assert_allclose(array, [REFERENCE[name](z) for z in POINTS], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    activation = get_activation(name)
    h = 1e-6
    for z in POINTS:  # none at relu's kink
        numeric = (REFERENCE[name](z + h) - REFERENCE[name](z - h)) / (2 * h)
        assert activation.derivative(z) == pytest.approx(numeric, rel=1e-6, abs=1e-9)
        assert float(activation.derivative(np.array([z]))[0]) == pytest.approx(
            activation.derivative(z), rel=1e-12)


def test_sigmoid_does_not_overflow_far_from_zero():
    sigmoid = get_activation("sigmoid")
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(1000.0) == 1.0
    assert np.all(np.isfinite(sigmoid(np.array([-1e4, 1e4]))))


def test_an_activation_object_is_returned_as_is():
    activation = get_activation("relu")
    assert get_activation(activation) is activation
    custom = Activation("square", lambda z: z * z, lambda z: 2 * z, "z^2")
    assert get_activation(custom) is custom


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="identity, leaky_relu, relu, sigmoid, softmax, tanh.*'softsign'"):
        get_activation("softsign")


def test_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="`activation` must be a name"):
        get_activation(3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES + ["softmax"])
def test_arrays_keep_their_float_dtype(name, dtype):
    activation = get_activation(name)
    z = np.array([POINTS, POINTS[::-1]], dtype=dtype)  # (2, 6)
    results = {"function": activation(z), "vectorized": activation.vectorized(z)}
    if activation.derivative is not None:
        results["derivative"] = activation.derivative(z)
    if activation.derivative_from_output is not None:
        results["derivative_from_output"] = activation.derivative_from_output(results["function"])
    reference = get_activation(name)(z.astype(np.float64))
    for what, result in results.items():
        assert result.dtype == dtype, what
    np.testing.assert_allclose(results["function"], reference, rtol=1e-6, atol=1e-7)


def test_non_float_arrays_become_float64():
    for name in NAMES + ["softmax"]:
        activation = get_activation(name)
        assert activation(np.array([-1, 0, 2])).dtype == np.float64, name
        if activation.derivative is not None:
            assert activation.derivative(np.array([-1, 0, 2])).dtype == np.float64, name


def test_floats_stay_python_floats():
    for name in NAMES:
        activation = get_activation(name)
        assert type(activation(0.3)) is float and type(activation.derivative(-0.3)) is float


def test_kinked_marks_the_activations_whose_derivative_jumps():
    assert {name for name, a in ACTIVATIONS.items() if a.kinked} == {"relu", "leaky_relu"}
    assert Activation("square", lambda z: z * z, lambda z: 2 * z, "z^2").kinked is False
    # relu's derivative jumps from 0 to 1 across 0; tanh's does not
    for name, jump in [("relu", 1.0), ("leaky_relu", 0.99), ("tanh", 0.0)]:
        f = get_activation(name)
        assert f.derivative(1e-9) - f.derivative(-1e-9) == pytest.approx(jump, abs=1e-6)


@pytest.fixture
def registry():
    """ACTIVATIONS, put back as it was after the test."""
    saved = dict(ACTIVATIONS)
    yield ACTIVATIONS
    ACTIVATIONS.clear()
    ACTIVATIONS.update(saved)


def arctan():
    return Activation("arctan", np.arctan, lambda z: 1.0 / (1.0 + z * z), "arctan(z)")


def test_a_registered_activation_is_found_by_name(registry):
    custom = arctan()
    assert register_activation(custom) is custom
    assert get_activation("arctan") is custom
    assert neurograph.register_activation is register_activation
    assert "register_activation" in neurograph.__all__
    net = Network.layered([2, 3, 1], activation="arctan", seed=0)
    assert net.hidden_layers[0].activation_function is custom
    register_activation(custom)  # the same object again: nothing to refuse
    assert registry["arctan"] is custom


def test_registering_refuses_a_taken_name_unless_told_to_replace(registry):
    first, second = arctan(), arctan()
    register_activation(first)
    with pytest.raises(ValueError, match="`activation.name` must not be a registered name "
                                         r"\(or pass replace=True\), got 'arctan'"):
        register_activation(second)
    assert registry["arctan"] is first
    with pytest.raises(ValueError, match="got 'relu'"):
        register_activation(Activation("relu", abs, abs, "|z|"))
    assert registry["relu"].formula == "max(0, z)"
    assert register_activation(second, replace=True) is second
    assert get_activation("arctan") is second


@pytest.mark.parametrize("bad, error, message", [
    ("arctan", TypeError, "`activation` must be an Activation, got str"),
    (np.arctan, TypeError, "`activation` must be an Activation, got ufunc"),
    (Activation("", np.arctan, None, "?"), ValueError, "must be a non-empty string, got ''"),
    (Activation(None, np.arctan, None, "?"), ValueError, "must be a non-empty string, got None"),
])
def test_registering_refuses_what_is_not_a_named_activation(registry, bad, error, message):
    before = dict(registry)
    with pytest.raises(error, match=message):
        register_activation(bad)
    assert registry == before


def test_a_registered_activation_survives_save_and_load(registry, tmp_path):
    custom = register_activation(arctan())
    net = Network.layered([3, 4, 2], activation=custom, seed=0)
    X = np.random.default_rng(0).uniform(-2, 2, (10, 3))
    net.fit(X, np.full((10, 2), 0.5), epochs=2, batch_size=5, progress=False)
    path = tmp_path / "arctan.json"
    net.save(path)
    loaded = neurograph.load(path)
    assert loaded.hidden_layers[0].activation_function is custom
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    # an activation that is not the registered one is refused, and so is a file naming an
    # activation that is not registered
    impostor = Network.layered([3, 4, 2], activation=arctan(), seed=0)
    with pytest.raises(ValueError, match="activation 'arctan' of .* is not one of "
                                         "neurograph.ACTIVATIONS, so it cannot be saved"):
        impostor.save(tmp_path / "impostor.json")
    del registry["arctan"]
    with pytest.raises(ValueError, match=r"activation` must be one of .*, got 'arctan'"):
        neurograph.load(path)
    with pytest.raises(ValueError, match="not one of neurograph.ACTIVATIONS"):
        net.save(tmp_path / "unregistered.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arctan.json"]


def test_the_gradcheck_command_avoids_the_kink_of_any_kinked_activation():
    from neurograph.cli.main import _clear_of_kinks
    v_shape = Activation("v_shape", abs, np.sign, "|z|", kinked=True)
    smooth = Activation("square", lambda z: z * z, lambda z: 2 * z, "z^2")
    x = np.zeros(2)
    for activation, clear in [(v_shape, False), (smooth, True), ("relu", False), ("tanh", True)]:
        net = Network.layered([2, 2, 1], activation=activation, seed=0)
        net.hidden_layers[0].biases[:] = [0.0, 0.5]  # the first hidden z is at the kink
        assert _clear_of_kinks(net, x) is clear, activation
        net.hidden_layers[0].biases[:] = [-0.5, 0.5]
        assert _clear_of_kinks(net, x) is True
