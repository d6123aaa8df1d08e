import math

import numpy as np
import pytest

from neurograph import ACTIVATIONS, Activation, get_activation

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
