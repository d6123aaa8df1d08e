"""Backpropagation against finite differences, on random networks of several shapes."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from neurograph import HiddenNeuron, Network, gradient_check
from neurograph.engines.vectorized import forward

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
KINKED = {"relu", "leaky_relu"}


def pre_activations(net, x):
    """Every receiving layer's z for one sample, from the parameters directly."""
    a, zs = np.asarray(x, dtype=float), []
    for layer in net.receiving_layers:
        z = layer.weights @ a + layer.biases
        zs.append(z)
        a = layer.activation_function(z)
    return np.concatenate(zs)


@st.composite
def networks_and_samples(draw, activation):
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    init = draw(st.sampled_from(["uniform", "xavier", "he"]))
    seed = draw(st.integers(0, 2**32 - 1))
    output = draw(st.sampled_from([None, "identity", "sigmoid"]))
    net = Network.layered(sizes, activation=activation, output_activation=output, init=init,
                          seed=seed)
    rng = np.random.default_rng(seed)
    # he/xavier leave biases at zero; give them some so every term is exercised
    for layer in net.receiving_layers:
        layer.biases[...] = rng.uniform(-0.5, 0.5, layer.size)
    x = rng.uniform(-1, 1, sizes[0])
    y = rng.uniform(-1, 1, sizes[-1])
    return net, x, y


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_per_sample_derivative_matches_finite_differences(activation):
    @given(networks_and_samples(activation))
    def check(case):
        net, x, y = case
        if activation in KINKED:
            # central differences are exact on straight pieces, meaningless across the kink
            assume(np.min(np.abs(pre_activations(net, x))) > 0.02)
        result = gradient_check(net, x, y)
        assert result.max_relative_error < 1e-6, result
        n_params = sum(int(l.mask.sum()) + l.size for l in net.receiving_layers)
        n_hidden = sum(l.size for l in net.hidden_layers)
        assert result.n_checked == n_params + n_hidden

    check()


def test_gradient_check_changes_no_parameter_and_no_list():
    net = Network.layered([3, 4, 2], activation="tanh", seed=7)
    net.clear()
    net.train_sample([0.1, 0.2, 0.3], [1.0, 0.0])
    params = [(l.weights.copy(), l.biases.copy()) for l in net.receiving_layers]
    lists = [c.derivatives_of_cost_by_weight_per_sample for c in net.connections]
    gradient_check(net, [0.9, -0.5, 0.4], [0.0, 1.0])
    for layer, (w, b) in zip(net.receiving_layers, params):
        np.testing.assert_array_equal(layer.weights, w)
        np.testing.assert_array_equal(layer.biases, b)
    assert [c.derivatives_of_cost_by_weight_per_sample for c in net.connections] == lists


def test_the_posts_averaging_bug_fails_the_check(monkeypatch):
    """The Kotlin post averages dC/da over a hidden neuron's outgoing connections."""

    def averaged_train(self):
        derivative = sum(c.weight * c.output_neuron.delta for c in self.outputs) / len(self.outputs)
        self.layer.record.derivatives_of_cost_by_activation[-1][self.index] = derivative
        self._add_sample(derivative)

    net = Network.layered([2, 3, 4], activation="sigmoid", seed=0)
    x, y = [0.3, 0.8], [1.0, 0.0, 0.0, 1.0]
    assert gradient_check(net, x, y).max_relative_error < 1e-6
    monkeypatch.setattr(HiddenNeuron, "train", averaged_train)
    result = gradient_check(net, x, y)
    # averaging over 4 outputs makes dC/da a quarter of what it is: a 75% error
    assert result.max_relative_error == pytest.approx(0.75, abs=1e-6)
    assert result.quantity in {"activation", "bias", "weight"}
    assert isinstance(result.where, HiddenNeuron) or isinstance(
        result.where.output_neuron, HiddenNeuron)


@pytest.mark.parametrize("sizes, share", [([2, 3, 4], 4), ([2, 3, 2, 5], 5)])
def test_the_posts_averaging_switch_fails_the_check(sizes, share):
    """The same bug as above, asked for by name: Network(..., hidden_derivative="mean")."""
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1, sizes[0]), rng.uniform(0, 1, sizes[-1])
    summed = Network.layered(sizes, activation="sigmoid", seed=0)
    averaged = Network.layered(sizes, activation="sigmoid", seed=0, hidden_derivative="mean")
    assert gradient_check(summed, x, y).max_relative_error < 1e-6
    result = gradient_check(averaged, x, y)
    # the last hidden layer's dC/da is 1/share of what it is; deeper layers compound it
    assert result.max_relative_error >= 1 - 1 / share - 1e-6
    assert result.max_relative_error > 0.5


def test_the_result_names_where_the_worst_error_is(monkeypatch):
    net = Network.layered([2, 2, 1], activation="tanh", seed=2)
    target = net.output_layer[0]
    original = type(target)._add_sample

    def wrong_output_delta(self, derivative):
        original(self, derivative * 1.5 if self is target else derivative)

    monkeypatch.setattr(type(target), "_add_sample", wrong_output_delta)
    result = gradient_check(net, [0.4, -0.3], [0.5])
    assert result.max_relative_error == pytest.approx(1 / 3, rel=1e-6)  # |1.5 d - d| / 1.5 d
    assert "dC/d" in repr(result) and "derivatives checked" in repr(result)


def test_forward_from_a_hidden_layer_matches_the_whole_pass():
    net = Network.layered([3, 4, 4, 2], activation="tanh", seed=1)
    X = np.random.default_rng(0).uniform(-1, 1, (5, 3))
    full = forward(net, X)
    again = forward(net, full[2], start=2)
    np.testing.assert_allclose(again[-1], full[-1], rtol=1e-15)


OUTPUT_COSTS = [
    ("softmax", "cross_entropy"),
    ("softmax", "quadratic"),
    ("sigmoid", "binary_cross_entropy"),
    ("sigmoid", "cross_entropy"),
    ("identity", "quadratic"),
]


@pytest.mark.parametrize("output, cost", OUTPUT_COSTS)
def test_output_layers_and_costs_match_finite_differences(output, cost):
    @given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.integers(2, 5),
           st.sampled_from(["sigmoid", "tanh"]), st.integers(0, 2**32 - 1))
    def check(hidden, n_out, activation, seed):
        sizes = [3] + hidden + [n_out]
        net = Network.layered(sizes, activation=activation, output_activation=output, cost=cost,
                              seed=seed)
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1, 1, 3)
        y = rng.dirichlet(np.ones(n_out)) if output == "softmax" else rng.uniform(0, 1, n_out)
        result = gradient_check(net, x, y)
        assert result.max_relative_error < 1e-6, result

    check()


@pytest.mark.parametrize("output, cost, y, message", [
    ("softmax", "cross_entropy", [0.5, 0.2, 0.2], "must sum to 1 per sample"),
    ("sigmoid", "binary_cross_entropy", [1.5, 0.0, 0.0], r"must lie in \[0, 1\]"),
    ("softmax", "cross_entropy", [-0.5, 1.0, 0.5], r"must lie in \[0, 1\]"),
])
def test_targets_that_do_not_suit_the_cost_are_refused(output, cost, y, message):
    net = Network.layered([2, 3], output_activation=output, cost=cost, seed=0)
    with pytest.raises(ValueError, match=message):
        gradient_check(net, [0.1, 0.2], y)
    with pytest.raises(ValueError, match=message):
        net.train_sample([0.1, 0.2], y)
    with pytest.raises(ValueError, match=message):
        net.fit([[0.1, 0.2]], [y], progress=False)
    assert len(net.output_layer.record) == 0


def test_softmax_is_for_the_output_layer_only():
    with pytest.raises(ValueError, match="for the output layer only"):
        Network.layered([2, 3, 2], activation="softmax")


def test_derivatives_at_a_max_pooling_tie_are_counted_not_compared():
    """Dead ReLU maps tie at 0 in a max-pooling window: nudging one of them makes it win, so
    a central difference there is no derivative. Those are counted apart; the rest agree."""
    from neurograph.convolution import convolution, max_pooling

    net = Network.convolutional((6, 6), [convolution(), max_pooling(2)], [10], seed=0)
    x = np.random.default_rng(1).uniform(0, 1, 36)
    y = np.eye(10)[3]
    result = gradient_check(net, x, y)
    assert result.n_at_kinks > 0
    assert result.max_relative_error < 1e-6
    # the same network without the kinks (tanh maps, so no ties at 0) compares everything
    smooth = Network.convolutional((6, 6), [convolution(activation="tanh"), max_pooling(2)],
                                   [10], seed=0)
    assert gradient_check(smooth, x, y).n_at_kinks == 0


def test_the_result_shows_as_an_html_table_in_a_notebook():
    net = Network.layered([2, 3, 1], seed=0)
    result = gradient_check(net, [0.2, 0.3], [1.0])
    page = result._repr_html_()
    assert page.count("<tr>") == 7  # a header and six rows
    assert f"<td>worst relative error</td><td>{result.max_relative_error:.3g}</td>" in page
    assert f"<td>{result.analytic:.6g}</td>" in page and f"<td>{result.numeric:.6g}</td>" in page
    assert f"<td>derivatives compared</td><td>{result.n_checked}</td>" in page
    assert "-&gt;" in page and "->" not in page  # the connection's name, escaped
