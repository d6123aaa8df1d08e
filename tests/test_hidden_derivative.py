"""hidden_derivative="mean": the Kotlin post's averaging of a hidden neuron's dC/da, as a switch.

The post computes a hidden neuron's dC/da as the MEAN over its outgoing connections of
weight x delta; the chain rule says SUM. Both engines reproduce the mean on request, the
gradient check reports it wrong, and a model file keeps the switch.
"""
import json

import numpy as np
import pytest

from neurograph import HiddenLayer, InputLayer, Network, OutputLayer, load
from neurograph.convolution import average_pooling, convolution, max_pooling
from neurograph.io import ModelFileError
from neurograph.layers import dropout

from test_network import hand_network


def test_the_switch_is_checked_wherever_a_network_is_made():
    for make in (lambda h: Network.layered([2, 3, 1], hidden_derivative=h),
                 lambda h: Network.convolutional((4, 4), [max_pooling(2)], [2],
                                                 hidden_derivative=h),
                 lambda h: hand_network().__setattr__("hidden_derivative", h)):
        with pytest.raises(ValueError, match="`hidden_derivative` must be 'sum' or 'mean', "
                                             "got 'average'"):
            make("average")
    assert Network.layered([2, 3, 1]).hidden_derivative == "sum"
    assert Network.layered([2, 3, 1], hidden_derivative="mean").hidden_derivative == "mean"
    net = Network.convolutional((4, 4), [max_pooling(2)], [2], hidden_derivative="mean")
    assert net.hidden_derivative == "mean"


def test_a_refused_network_leaves_its_layers_free():
    inputs, outputs = InputLayer(2), OutputLayer(1)
    inputs.fully_connect_to(outputs)
    with pytest.raises(ValueError, match="`hidden_derivative`"):
        Network([inputs, outputs], hidden_derivative=None)
    assert Network([inputs, outputs]).layers[1] is outputs  # not taken by the refused one


@pytest.mark.parametrize("engine", ["object", "vectorized"])
def test_one_step_with_the_posts_mean_matches_arithmetic_done_by_hand(engine):
    # test_network.hand_network, sample x = 2, y = (1, -2), one nudge with step 0.1:
    #   a_h = 1.1, a1 = 1.1, a2 = -1.7, delta1 = 0.2, delta2 = 0.6
    #   dC/da_h = MEAN of w x delta = (1.0 x 0.2 + (-2.0) x 0.6) / 2 = -0.5 (the sum: -1.0)
    #   dC/dw_h = -0.5 x 2 = -1.0, dC/db_h = -0.5: w_h = 0.5 + 0.1 = 0.6, b_h = 0.1 + 0.05
    net = hand_network()
    net.hidden_derivative = "mean"
    net.fit([[2.0]], [[1.0, -2.0]], batch_size=1, learning_rate=0.1, engine=engine,
            progress=False)
    hidden = net.hidden_layers[0][0]
    assert hidden.derivatives_of_cost_by_activation == pytest.approx([-0.5], abs=1e-15)
    assert hidden.inputs[0].weight == pytest.approx(0.6, abs=1e-15)
    assert hidden.bias == pytest.approx(0.15, abs=1e-15)
    # the output layer is as with the sum: the switch is about hidden neurons only
    assert net.output_layer.weights[:, 0] == pytest.approx([1.0 - 0.022, -2.0 - 0.066])


def test_explain_says_which_rule_made_dc_da():
    for switch, said in (("sum", "(sum over 2 outgoing"),
                         ("mean", "(mean (the post's averaging) over 2 outgoing")):
        net = hand_network()
        net.hidden_derivative = switch
        net.fit([[2.0]], [[1.0, -2.0]], batch_size=1, learning_rate=0.1, progress=False)
        text = str(net.hidden_layers[0][0].explain())
        expected = -1.0 if switch == "sum" else -0.5
        assert said in text and f"dC/da = ({expected:g})" in text


def test_mean_divides_each_neurons_sum_by_its_own_number_of_outgoing_connections():
    """A sparse layer: the hidden neurons have 1, 2 and 3 outgoing connections."""
    def build(hidden_derivative):
        inputs, hidden, outputs = InputLayer(2), HiddenLayer(3, "tanh"), OutputLayer(3)
        inputs.fully_connect_to(hidden, seed=0)
        rng = np.random.default_rng(1)
        for i in range(3):
            for j in range(i + 1):
                hidden[i].connect_to(outputs[j], weight=rng.uniform(-1, 1))
        return Network([inputs, hidden, outputs], hidden_derivative=hidden_derivative)

    X = np.random.default_rng(2).uniform(-1, 1, (4, 2))
    Y = np.random.default_rng(3).uniform(0, 1, (4, 3))
    lists = {}
    for switch in ("sum", "mean"):
        for engine in ("object", "vectorized"):
            net = build(switch)
            net.fit(X, Y, batch_size=4, learning_rate=0.1, engine=engine, shuffle=False,
                    progress=False)
            lists[switch, engine] = np.array(
                [n.derivatives_of_cost_by_activation for n in net.hidden_layers[0]])
    assert build("sum").output_layer.outgoing_counts().tolist() == [1, 2, 3]
    for engine in ("object", "vectorized"):
        np.testing.assert_allclose(lists["mean", engine],
                                   lists["sum", engine] / np.array([[1], [2], [3]]),
                                   rtol=1e-12)
    np.testing.assert_allclose(lists["mean", "object"], lists["mean", "vectorized"], atol=1e-12)


def test_the_outgoing_counts_of_convolution_pooling_and_dropout_layers():
    net = Network.convolutional((6, 6), [convolution(2, kernel_size=3, padding=1),
                                         max_pooling(2), dropout(0.5, seed=0)], [3], seed=0)
    conv, pool, drop = net.layers[1:4]
    counts = conv.outgoing_counts().reshape(6, 6)
    # 2 maps, each input in as many 3 x 3 windows (padding 1) as fit around it: 4 at a
    # corner, 6 on an edge, 9 inside
    assert counts[0, 0] == 2 * 4 and counts[0, 3] == 2 * 6 and counts[3, 3] == 2 * 9
    np.testing.assert_array_equal(pool.outgoing_counts(), np.ones(2 * 6 * 6))
    np.testing.assert_array_equal(drop.outgoing_counts(), np.ones(2 * 3 * 3))
    for layer in (conv, pool, drop, net.layers[4]):  # the windows' count is the connections'
        senders = [c.input_neuron.index for c in layer.connections]
        np.testing.assert_array_equal(layer.outgoing_counts(),
                                      np.bincount(senders, minlength=layer.previous.size))
    overlapping = Network.convolutional((5, 5), [average_pooling(3, stride=1)], [2])
    assert overlapping.layers[1].outgoing_counts().reshape(5, 5)[2, 2] == 9


@pytest.mark.parametrize("switch", ["sum", "mean"])
def test_the_engines_agree_on_a_convolution_pooling_dropout_network(switch):
    def build():
        return Network.convolutional(
            (6, 6), [convolution(2, kernel_size=3, learn=True, padding=1), max_pooling(2),
                     dropout(0.25, seed=0)], [4, 3], seed=0, hidden_derivative=switch)

    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 1, (10, 36)), np.eye(3)[np.arange(10) % 3]
    a, b = build(), build()
    for net, engine in ((a, "object"), (b, "vectorized")):
        net.fit(X, Y, epochs=2, batch_size=5, learning_rate=0.2, engine=engine, seed=0,
                progress=False)
    for la, lb in zip(a.receiving_layers, b.receiving_layers):
        for name in la.parameter_names:
            np.testing.assert_allclose(la.parameter(name), lb.parameter(name), rtol=0,
                                       atol=1e-9)
    if switch == "mean":  # and the switch changed what they learned
        summed = build()
        summed.hidden_derivative = "sum"
        summed.fit(X, Y, epochs=2, batch_size=5, learning_rate=0.2, seed=0, progress=False)
        assert not np.allclose(summed.layers[1].weights, b.layers[1].weights, atol=1e-6)


# -- the model file ----------------------------------------------------------------------------

def test_mean_is_saved_as_a_version_3_field_and_loaded_back(tmp_path):
    path = tmp_path / "mean.json"
    net = Network.layered([2, 3, 1], seed=0, hidden_derivative="mean")
    net.save(path)
    document = json.loads(path.read_text())
    assert document["version"] == 3 and document["hidden_derivative"] == "mean"
    assert "optimizer" not in document
    loaded = load(path)
    assert loaded.hidden_derivative == "mean"
    X = np.random.default_rng(0).uniform(-1, 1, (6, 2))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_sum_is_not_written_and_the_version_stays(tmp_path):
    path = tmp_path / "sum.json"
    Network.layered([2, 3, 1], seed=0).save(path)
    document = json.loads(path.read_text())
    assert document["version"] == 1 and "hidden_derivative" not in document
    assert load(path).hidden_derivative == "sum"


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(hidden_derivative="average"),
     "`hidden_derivative` must be one of mean, sum, got 'average'"),
    (lambda d: d.update(hidden_derivative=1), "`hidden_derivative` must be a string"),
    (lambda d: d.update(version=2), "unknown field 'hidden_derivative'"),
])
def test_a_bad_hidden_derivative_field_is_refused(tmp_path, edit, message):
    path = tmp_path / "mean.json"
    Network.layered([2, 3, 1], seed=0, hidden_derivative="mean").save(path)
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message):
        load(path)
