"""neuron.explain() and connection.explain(): the arithmetic, with numbers that add up."""
import re

import numpy as np
import pytest

from neurograph import Network

NUMBER = r"\(?(-?[0-9.]+(?:e[-+]?\d+)?)\)?"


def numbers(text):
    return [float(v) for v in re.findall(NUMBER, text)]


def trained(fan_in=3, seed=0):
    net = Network.layered([fan_in, 2, 1], activation="tanh", seed=seed, bias_clamp=None)
    X = np.random.default_rng(seed).uniform(-1, 1, (2, fan_in))
    net.train_batch(X, [[0.5], [-0.5]], 0.3)
    return net


def test_the_z_line_adds_up_to_z_with_the_weights_it_was_computed_with():
    net = trained()
    neuron = net.hidden_layers[0][1]
    text = neuron.explain()
    z_line = next(line for line in text.splitlines() if line.strip().startswith("z ="))
    terms, total = z_line.split("=")[1], float(z_line.split("=")[-1].strip(" ()"))
    products = re.findall(NUMBER + r" x " + NUMBER, terms)
    bias = float(re.search(r"bias " + NUMBER, terms).group(1))
    # every number is printed to 3 significant digits
    assert sum(float(w) * float(a) for w, a in products) + bias == pytest.approx(
        total, rel=1e-2, abs=5e-3)
    assert total == pytest.approx(neuron.z, rel=1e-2)
    a_line = next(line for line in text.splitlines() if line.strip().startswith("a = tanh("))
    assert numbers(a_line)[-1] == pytest.approx(neuron.activation, rel=1e-2)


def test_a_large_fan_in_shows_the_largest_terms_and_sums_the_rest():
    net = Network.layered([30, 1], activation="sigmoid", seed=3)
    x = np.random.default_rng(1).uniform(-1, 1, 30)
    net.propagate(x)
    neuron = net.output_layer[0]
    text = neuron.explain(max_terms=4)
    match = re.search(r"\.\.\. and (\d+) more terms summing to " + NUMBER, text)
    assert match and int(match.group(1)) == 26
    products = sorted((c.weight * c.input_activation for c in neuron.inputs), key=abs,
                      reverse=True)
    assert float(match.group(2)) == pytest.approx(sum(products[4:]), abs=1e-3 + 1e-2 * abs(
        sum(products[4:])))
    shown = re.findall(NUMBER + r" x " + NUMBER, text.split("...")[0])
    assert len(shown) == 4
    assert abs(float(shown[0][0]) * float(shown[0][1])) == pytest.approx(abs(products[0]), rel=1e-2)


def test_training_lines_give_each_samples_delta_and_the_nudge():
    net = trained()
    neuron = net.output_layer[0]
    text = neuron.explain()
    assert "trained on 2 sample(s)" in text
    deltas = neuron.derivatives_of_cost_by_bias_per_sample
    for s, delta in enumerate(deltas, start=1):
        line = next(l for l in text.splitlines() if l.strip().startswith(f"sample {s}:"))
        assert numbers(line)[-1] == pytest.approx(delta, rel=1e-2)
    nudge = next(l for l in text.splitlines() if "nudge:" in l)
    before, step, mean, after = numbers(nudge)
    assert after == pytest.approx(neuron.bias, rel=1e-2)
    assert before - step * mean == pytest.approx(after, rel=1e-2, abs=1e-3)
    assert step == 0.3


def test_connection_explains_the_chain_rule_product_and_the_nudge():
    net = trained()
    connection = net.hidden_layers[0][0].inputs[2]
    text = connection.explain()
    values = connection.derivatives_of_cost_by_weight_per_sample
    for s, value in enumerate(values, start=1):
        line = next(l for l in text.splitlines() if l.strip().startswith(f"sample {s}:"))
        delta, activation, product = numbers(line.split(":", 1)[1])
        assert delta * activation == pytest.approx(product, rel=2e-2, abs=1e-4)
        assert product == pytest.approx(value, rel=1e-2, abs=1e-4)
    nudge = next(l for l in text.splitlines() if "nudge:" in l)
    before, step, mean, after = numbers(nudge)
    assert after == pytest.approx(connection.weight, rel=1e-2)
    assert mean == pytest.approx(np.mean(values), rel=1e-2, abs=1e-5)


def test_explanations_before_training_and_for_inputs_and_static_neurons():
    from neurograph import HiddenLayer, InputLayer, OutputLayer
    inputs, hidden, outputs = InputLayer(2), HiddenLayer(1, static=True), OutputLayer(1)
    inputs.fully_connect_to(hidden, seed=0)
    hidden.fully_connect_to(outputs, seed=1)
    net = Network([inputs, hidden, outputs])
    net.propagate([0.2, 0.4])
    assert "no sample trained since clear()" in hidden[0].explain()
    assert "set from the sample" in inputs[1].explain()
    net.train_batch([[0.2, 0.4]], [[1.0]], 0.5)
    assert "a static neuron keeps its bias" in hidden[0].explain()
    assert "leads into a static neuron" in hidden[0].inputs[0].explain()
    assert repr(hidden[0].explain()) == str(hidden[0].explain())  # shows itself in a REPL


def test_after_a_vectorized_fit_the_explanation_is_the_same_as_after_the_object_engine():
    X = np.random.default_rng(0).uniform(-1, 1, (4, 3))
    Y = [[0.5], [-0.5], [0.2], [0.1]]
    a = Network.layered([3, 2, 1], activation="tanh", seed=1, bias_clamp=None)
    b = Network.layered([3, 2, 1], activation="tanh", seed=1, bias_clamp=None)
    a.fit(X, Y, batch_size=4, learning_rate=0.2, shuffle=False, engine="object", progress=False)
    b.fit(X, Y, batch_size=4, learning_rate=0.2, shuffle=False, progress=False)
    assert a.hidden_layers[0][1].explain() == b.hidden_layers[0][1].explain()
    assert a.connections[4].explain() == b.connections[4].explain()


def test_after_a_nudge_and_a_new_propagation_z_is_explained_with_the_current_parameters():
    net = Network.layered([1, 1], activation="identity", seed=0, bias_clamp=None)
    connection, out = net.connections[0], net.output_layer[0]
    connection.weight, out.bias = 2.0, 0.0
    net.train_batch([[1.5]], [[1.0]], 0.1)  # weight 2 -> 1.4, bias 0 -> -0.4
    net.propagate([1.0])
    z_line = next(l for l in out.explain().splitlines() if l.strip().startswith("z ="))
    assert z_line.strip() == "z = 1.4 x 1 + bias (-0.4) = 1"
    assert "activation 1 x weight 1.4 = 1.4" in connection.explain()


def test_with_momentum_the_nudge_line_is_the_real_update():
    net = Network.layered([1, 1], activation="identity", seed=0, bias_clamp=None)
    net.fit([[1.5]] * 2, [[1.0]] * 2, epochs=2, batch_size=1, learning_rate=0.1, momentum=0.9,
            shuffle=False, progress=False)
    connection = net.connections[0]
    line = next(l for l in connection.explain().splitlines() if "nudge" in l)
    m, previous, step, mean, velocity, before, velocity_again, after = numbers(
        line.replace("nudge with momentum:", ""))
    assert velocity == pytest.approx(m * previous - step * mean, rel=1e-2, abs=1e-3)
    assert after == pytest.approx(before + velocity, rel=1e-2, abs=1e-3)
    assert after == pytest.approx(connection.weight, rel=1e-2)
    assert velocity == pytest.approx(net.output_layer.weight_velocity[0, 0], rel=1e-2)


def test_the_clamp_note_appears_for_a_float32_network_too():
    net = Network.layered([1, 1], activation="identity", seed=0, bias_clamp=(-0.05, 0.05),
                          dtype="float32")
    net.output_layer[0].bias = 0.0
    net.train_batch([[1.0]], [[10.0]], step_size=1.0)  # pushes the bias far past 0.05
    assert net.output_layer[0].bias == np.float32(0.05)
    assert "(clamped to [-0.05, 0.05])" in str(net.output_layer[0].explain())
