import numpy as np
import pytest

from neurograph import get_cost


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
