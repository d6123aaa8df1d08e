"""The post's own networks, built as its repository builds them."""
import numpy as np
import pytest

from neurograph.post import EDGE_PATTERNS, post_network


@pytest.mark.parametrize("attempt, sizes, sources", [
    (1, (784, 10), [[0]]),
    (2, (784, 16, 16, 10), [[0], [1], [2]]),
    (3, (784, 16, 10, 10), [[0], [0, 1], [0, 1, 2]]),
    (4, (784, 121, 121, 121, 121, 10), [[0], [0], [0], [0], [1, 2, 3, 4]]),
])
def test_the_four_attempts_have_the_posts_shape(attempt, sizes, sources):
    net = post_network(attempt, seed=0)
    assert net.sizes == sizes
    assert [[s.index for s in layer.sources] for layer in net.receiving_layers] == sources
    assert net.cost_function.name == "quadratic" and net.bias_clamp == (-0.8, 0.8)
    assert net.output_layer.activation_function.name == "sigmoid"
    assert net.output_labels == [str(digit) for digit in range(10)]  # drawn beside the outputs
    trained = [layer for layer in net.receiving_layers if layer.trainable.any()]
    for layer in trained:  # U(-0.5, 0.5) weights, zero biases
        weights = layer.weights[layer.mask]
        assert -0.5 <= weights.min() and weights.max() <= 0.5 and weights.std() > 0.2
        np.testing.assert_array_equal(layer.biases, 0.0)


def test_attempt_2_uses_relu_and_the_same_seed_gives_the_same_network():
    a, b = post_network(2, seed=7), post_network(2, seed=7)
    assert [l.activation_function.name for l in a.receiving_layers] == ["relu", "relu",
                                                                        "sigmoid"]
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        np.testing.assert_array_equal(la.weights, lb.weights)
    assert not np.array_equal(post_network(2, seed=8).output_layer.weights,
                              a.output_layer.weights)


def test_attempt_4s_edge_detectors_follow_the_posts_rule():
    net = post_network(4, seed=0)
    for layer, (name, pattern) in zip(net.layers[1:5], EDGE_PATTERNS.items()):
        assert layer.shape == (11, 11) and layer.activation_function.name == "relu"
        assert not layer.trainable.any()
        np.testing.assert_array_equal(layer.biases, -1.0)
        # neuron 13 is row 1, column 2 of the map: centred at x = 3 + 2 * 2, y = 3 + 2 * 1
        x, y = 7, 5
        expected = [((y + j) * 28 + (x + i), pattern[j + 3][i + 3])
                    for i in range(-3, 4) for j in range(-3, 4) if pattern[j + 3][i + 3] != 0]
        got = [(c.input_neuron.index, c.weight) for c in layer.neurons[13].inputs]
        assert got == expected, name
    np.testing.assert_array_equal(EDGE_PATTERNS["vertical"], EDGE_PATTERNS["horizontal"].T)
    np.testing.assert_array_equal(EDGE_PATTERNS["backslash"][0], [.7, 0, 0, 0, -.5, -1, -2])


def test_a_horizontal_detector_fires_on_a_horizontal_line_only():
    net = post_network(4, seed=0)
    image = np.zeros((28, 28))
    image[11, 2:26] = 1.0  # a horizontal stroke along row 11: detectors are centred at y = 11
    net.propagate(image.ravel())
    horizontal, vertical = net.layers[1], net.layers[2]
    row = [n.activation for n in horizontal.neurons[4 * 11:5 * 11]]  # map row 4: y = 11
    # inside the stroke: .7 + .8 + .9 + 1 + .9 + .8 + .7 - 1 (the bias) = 4.8
    assert row[3:8] == pytest.approx([4.8] * 5)
    assert max(n.activation for n in vertical.neurons) == 0.0  # ReLU of -1 + at most 1


@pytest.mark.parametrize("attempt", [0, 5, "1", True, 2.0])
def test_only_four_attempts(attempt):
    with pytest.raises(ValueError, match="`attempt` must be 1, 2, 3 or 4"):
        post_network(attempt)
