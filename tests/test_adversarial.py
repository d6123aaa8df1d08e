"""Adversarial cases: every bad input gets a clear answer, bounded memory, true numbers."""
import re

import numpy as np
import pytest

from neurograph import Network, gradient_check
from neurograph.cli.main import main


# -- costs that are true (issue 15 point 4) ----
# Cross-entropy after softmax and binary cross-entropy after sigmoid are computed from the
# logits: a saturated output costs what it should, not the 34.54 of an output clipped at 1e-15,
# and the gradient check's finite differences (of that cost) agree with backpropagation.

def _two_logits(gap: float, dtype: str = "float64") -> Network:
    """A 1-2 softmax network whose logits are (0, gap) for any input."""
    net = Network.layered([1, 2], activation="identity", output_activation="softmax",
                          cost="cross_entropy", seed=0, dtype=dtype, bias_clamp=None)
    net.output_layer[0].bias, net.output_layer[1].bias = 0.0, gap
    for connection in net.connections:
        connection.weight = 0.0
    return net


def _one_logit(z: float, dtype: str = "float64") -> Network:
    """A 1-1 sigmoid network whose logit is ``z`` for any input."""
    net = Network.layered([1, 1], activation="identity", output_activation="sigmoid",
                          cost="binary_cross_entropy", seed=0, dtype=dtype,
                          bias_clamp=None)
    net.output_layer[0].bias, net.connections[0].weight = z, 0.0
    return net


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("gap", [100.0, 1000.0])
def test_cross_entropy_of_a_saturated_softmax_is_the_logit_gap(gap, dtype):
    net = _two_logits(gap, dtype)
    x, y = [1.0], [1.0, 0.0]  # the right class's logit is `gap` below the other's
    assert net.predict([x])[0, 0] < 1e-15  # the activation itself rounds (to 0 for 1000)
    assert net.evaluate([x], [y])["cost"] == pytest.approx(gap, rel=1e-6)  # vectorized
    assert net.cost(x, y) == pytest.approx(gap, rel=1e-6)  # object engine, one sample
    assert net.cost(np.array([x, x]), np.array([y, y])) == pytest.approx(gap, rel=1e-6)
    assert [n.cost() for n in net.output_layer.neurons] == pytest.approx([gap, 0.0], rel=1e-6)
    # the right answer, as saturated, costs e^-gap (0 in float64 for 1000: ln(1 + e^-1000))
    assert net.cost(x, [0.0, 1.0]) == pytest.approx(np.exp(-gap), abs=1e-30)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("z, y, expected", [(800.0, 0.0, 800.0), (-800.0, 1.0, 800.0),
                                            (800.0, 1.0, 0.0), (40.0, 0.25, 30.0)])
def test_binary_cross_entropy_of_a_saturated_sigmoid_is_exact(z, y, expected, dtype):
    # ln(1 + e^z) - y z: 800 for a wrong saturated output, 0 for a right one; 0.75 x 40 for
    # a target of 0.25
    net = _one_logit(z, dtype)
    assert net.evaluate([[1.0]], [[y]])["cost"] == pytest.approx(expected, rel=1e-6, abs=1e-12)
    assert net.cost([1.0], [y]) == pytest.approx(expected, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("engine", ["vectorized", "object"])
def test_fit_reports_the_true_cost_of_a_saturated_network(engine):
    # a step too small to move the outputs: fit's epoch cost is that of the outputs before it,
    # as evaluate gives them (100), on training and validation data alike
    net = _two_logits(100.0)
    X, Y = np.ones((4, 1)), np.tile([1.0, 0.0], (4, 1))
    history = net.fit(X, Y, epochs=1, batch_size=2, learning_rate=1e-12, engine=engine,
                      validation=(X, Y), evaluate_every=1, progress=False)
    assert history.cost[0] == pytest.approx(100.0, rel=1e-9)
    assert history.validation_cost[0] == pytest.approx(100.0, rel=1e-9)
    assert history.evaluation_cost == pytest.approx([100.0, 100.0], rel=1e-9)
    assert history.evaluation_training_cost == pytest.approx([100.0, 100.0], rel=1e-9)


def test_train_sample_and_train_batch_return_the_true_cost():
    assert _two_logits(100.0).train_sample([1.0], [1.0, 0.0]) == pytest.approx(100.0)
    assert _one_logit(800.0).train_batch([[1.0]], [[0.0]], 1e-12) == pytest.approx(800.0)


@pytest.mark.parametrize("make, y", [(lambda: _two_logits(100.0), [1.0, 0.0]),
                                     (lambda: _one_logit(800.0), [0.0]),
                                     (lambda: _one_logit(-60.0), [1.0])])
def test_gradient_check_agrees_on_a_saturated_output(make, y):
    result = gradient_check(make(), [1.0], y)
    assert result.max_relative_error < 1e-6, result  # was 1: numeric 0 against analytic -1


def test_cross_entropy_after_another_activation_keeps_its_clipped_cost():
    # sigmoid outputs with cross_entropy have no exact logit form here: the activations are
    # clipped at 1e-15, so a right class at sigmoid(-100) costs -ln(1e-15) = 34.54, as documented
    net = Network.layered([1, 2], activation="identity", output_activation="sigmoid",
                          cost="cross_entropy", seed=0)
    net.output_layer[0].bias, net.output_layer[1].bias = -100.0, 0.0
    for connection in net.connections:
        connection.weight = 0.0
    assert net.evaluate([[1.0]], [[1.0, 0.0]])["cost"] == pytest.approx(-np.log(1e-15))
    assert net.cost([1.0], [1.0, 0.0]) == pytest.approx(-np.log(1e-15))


def test_cli_gradcheck_passes_a_saturated_correct_model(capsys, tmp_path):
    # a smaller 784-4000-10: ReLU/softmax, float32, output weights large enough that the
    # logits of each sample lie hundreds apart (every wrong class's activation rounds to 0)
    net = Network.layered([20, 30, 10], activation="relu", output_activation="softmax",
                          cost="cross_entropy", seed=0, dtype="float32")
    net.output_layer.weights[...] *= 200.0
    path = tmp_path / "saturated.json"
    net.save(path)
    code = main(["gradcheck", str(path), "--samples", "3", "--seed", "0"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    worst = float(re.search(r"^worst relative error: (\S+)", out, re.MULTILINE).group(1))
    assert worst < 1e-6 and out.rstrip().endswith("ok: below the tolerance 1e-06")


# -- small API checks (issue 15 point 8) ----

def _parameters(net: Network) -> list:
    return [layer.parameter(name).copy() for layer in net.receiving_layers
            for name in layer.parameter_names]


@pytest.mark.parametrize("call, error, message", [
    (lambda n: n.propagate(["a", "b"]), ValueError, r"`x` must be a sequence of 2 numbers"),
    (lambda n: n.propagate([10**400, 1.0]), ValueError,
     r"`x` must hold finite numbers, got an integer too large"),
    (lambda n: n.fit(np.zeros((4, 2)), np.zeros((4, 1)), shuffle="no", progress=False),
     TypeError, r"`shuffle` must be True or False, got 'no'"),
    (lambda n: n.fit(np.zeros((4, 2)), np.zeros((4, 1)), learning_rate="0.1", progress=False),
     ValueError, r"`learning_rate` must be a positive number, got '0.1'"),
])
def test_api_refuses_strings_and_huge_integers_and_changes_nothing(call, error, message):
    net = Network.layered([2, 3, 1], seed=0)
    before = _parameters(net)
    with pytest.raises(error, match=message):
        call(net)
    assert all(np.array_equal(a, b) for a, b in zip(before, _parameters(net)))
