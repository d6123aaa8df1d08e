"""Check backpropagation against finite differences of the cost.

For a parameter ``p``, ``dC/dp`` is estimated with the fourth-order central difference
``(8 (C(p+h) - C(p-h)) - (C(p+2h) - C(p-2h))) / 12h``, which uses only the forward pass, so it is
an independent reference for the derivatives that training records.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ..core.costs import cost_terms
from ..core.validation import as_sample
from ..engines.vectorized import forward, forward_pass

__all__ = ["gradient_check", "GradientCheckResult"]


@dataclass(frozen=True)
class GradientCheckResult:
    """The outcome of :func:`gradient_check`.

    Attributes
    ----------
    max_relative_error : float
        The worst ``|analytic - numeric| / max(|analytic|, |numeric|, floor)`` (the floor
        scaled by the sample's cost when that is above 1).
    where : Connection, Neuron or Layer
        The connection or neuron where it occurs (the layer, for a shared weight).
    quantity : str
        ``"weight"``, ``"bias"`` or ``"activation"``: which derivative of the cost; for a
        convolution layer's shared weights, ``"kernel entry (m, c, i, j)"`` or ``"bias of map
        m"``.
    analytic, numeric : float
        The two values compared there.
    n_checked : int
        How many derivatives were compared.
    n_at_kinks : int
        How many were not compared because their finite differences straddle a kink (a
        max-pooling window changing hands, a ReLU's ``z`` changing sign): there the derivative
        the network records is one-sided and a central difference is no derivative at all.
    """

    max_relative_error: float
    where: Any
    quantity: str
    analytic: float
    numeric: float
    n_checked: int
    n_at_kinks: int = 0

    def __repr__(self) -> str:
        return (f"GradientCheckResult(max_relative_error={self.max_relative_error:.3g} at "
                f"dC/d{self.quantity} of {self.where!r}: analytic {self.analytic:.6g}, "
                f"numeric {self.numeric:.6g}; {self.n_checked} derivatives checked)")

    def _repr_html_(self) -> str:
        """Jupyter shows a table: the worst relative error, where, the two values compared
        there, and how many derivatives were compared (and skipped at kinks)."""
        from ..drawing.notebook import html_table
        rows = [("worst relative error", f"{self.max_relative_error:.3g}"),
                ("where", f"dC/d{self.quantity} of {self.where!r}"),
                ("backpropagation (analytic)", f"{self.analytic:.6g}"),
                ("finite differences (numeric)", f"{self.numeric:.6g}"),
                ("derivatives compared", f"{self.n_checked:,}"),
                ("skipped at kinks", f"{self.n_at_kinks:,}")]
        return html_table(["", "value"], rows, caption="gradient check")


def _choose_parameters(layers, max_parameters, seed) -> Optional[set]:
    """Positions of the parameters to check (see ``gradient_check``); None for all of them."""
    if max_parameters is None:
        return None
    if isinstance(max_parameters, (bool, np.bool_)) or not isinstance(
            max_parameters, (int, np.integer)) or max_parameters < 1:
        raise ValueError(f"`max_parameters` must be a positive integer or None, got "
                         f"{max_parameters!r}")
    total = sum(_n_parameters(layer) for layer in layers)
    if max_parameters >= total:
        return None
    rng = np.random.default_rng(seed)
    return set(rng.choice(total, size=int(max_parameters), replace=False).tolist())


def _n_parameters(layer) -> int:
    return layer.n_check_entries()


def _parameters(layer, record):
    """Each parameter of ``layer`` to check: ``(array, index, analytic derivative, where,
    quantity)``, with the analytic derivative read from the record of one sample (the layer
    says which entries it has: a shared weight is one entry, its derivative the sum over the
    connections applying it)."""
    return layer.check_entries(record.deltas[0], record.input_activations[0])


class _Worst:
    """Keeps the worst relative error of the comparisons made, and counts them."""

    def __init__(self, floor: float) -> None:
        self.floor, self.worst, self.n_checked, self.n_at_kinks = floor, None, 0, 0

    def __call__(self, analytic: float, numeric: Optional[float], where, quantity: str) -> None:
        if numeric is None:  # at a kink: no derivative to compare with
            self.n_at_kinks += 1
            return
        self.n_checked += 1
        error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), self.floor)
        if self.worst is None or error > self.worst.max_relative_error:
            self.worst = GradientCheckResult(error, where, quantity, analytic, numeric, 0)


def _one_sample_records(network, x: np.ndarray, y: np.ndarray) -> list:
    """The records of training ``x, y`` alone (object engine); the network keeps its own."""
    layers = network.receiving_layers
    saved_records = [layer.record for layer in layers]
    try:
        network.clear()
        network.train_sample(x, y)
        return [layer.record for layer in layers]
    finally:
        for layer, record in zip(layers, saved_records):
            layer.record = record


def _checked_sample(network, x, y) -> tuple[np.ndarray, np.ndarray]:
    if not hasattr(network, "receiving_layers"):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    x = as_sample("x", x, network.input_layer.size)
    y = as_sample("y", y, network.output_layer.size)
    network.output_layer.check_targets("y", y)
    return x, y


def _cost_of_outputs(network, y: np.ndarray):
    """``cost(passed)``: the sample's cost from a forward pass, as training computes it (from
    the output layer's weighted sums where that is exact, ``costs.cost_terms``)."""
    target, output = y[None, :], network.output_layer
    cost, f = output.cost, output.activation_function
    return lambda passed: float(np.sum(cost_terms(cost, f, passed.zs[-1],
                                                  passed.activations[-1], target)))


def _evaluator(network, cost_of_outputs, start: int, kinks: bool, every: list, only: set):
    """``evaluate(inputs) -> (cost, branches)`` for activations of layer ``start``: the cost,
    and (when ``kinks``) which piece of each piecewise function every layer is on. Only the
    layers in ``only`` (what the perturbed layer feeds) are computed again; the others keep
    their activations in ``every``."""
    layers = network.layers[start + 1:]
    settings = dict(start=start, earlier=every[:start], known=every, only=only)

    def evaluate(inputs: np.ndarray):
        if not kinks:
            return cost_of_outputs(forward_pass(network, inputs, **settings)), None
        passed = forward_pass(network, inputs, keep_from=0, **settings)
        branches = [None if z is None else layer.kink_branches(z, cache)
                    for layer, z, cache in zip(layers, passed.zs, passed.caches)]
        return cost_of_outputs(passed), branches
    return evaluate


def _fed_by(layer) -> set:
    """The indices of ``layer`` and of every layer it feeds, directly or through others."""
    found, stack = set(), [layer]
    while stack:
        current = stack.pop()
        if current.index not in found:
            found.add(current.index)
            stack.extend(getattr(current, "receivers", ()))
    return found


def _has_kinks(network, x: np.ndarray) -> bool:
    passed = forward_pass(network, x[None, :], keep_from=0)
    return any(layer.kink_branches(z, cache) is not None for layer, z, cache in
               zip(network.receiving_layers, passed.zs, passed.caches))


def _perturbed(inputs: np.ndarray, evaluate, array: np.ndarray, index,
               h: float) -> Optional[float]:
    """The finite-difference derivative of the cost by ``array[index]`` (put back after), the
    layers from ``evaluate``'s start on computed again from ``inputs``; None at a kink."""
    original = float(array[index])

    def cost(value: float):
        array[index] = value
        return evaluate(inputs)

    try:
        return _numeric_derivative(cost, original, h)
    finally:
        array[index] = original


def _activation_derivatives(network, layer, record, x, cost_of_outputs, kinks: bool,
                            h: float):
    """dC/da of each neuron of hidden ``layer``: the recorded one and a finite difference
    (its activation perturbed and propagated through the layers after it; None at a kink)."""
    every = forward(network, x[None, :])
    activations = np.array(every[layer.index])  # (1, size)
    evaluate = _evaluator(network, cost_of_outputs, layer.index, kinks, every,
                          _fed_by(layer) - {layer.index})

    def cost_from(value: float, j: int):
        activations[0, j] = value
        return evaluate(activations)

    for neuron in layer.neurons:
        j = neuron.index
        original = float(activations[0, j])
        numeric = _numeric_derivative(lambda v: cost_from(v, j), original, h)
        activations[0, j] = original
        yield float(record.derivatives_of_cost_by_activation[0][j]), numeric, neuron


def _numeric_derivative(evaluate, value: float, h: float) -> Optional[float]:
    """Fourth-order central difference of ``evaluate(v) -> (cost, branches)`` at ``value``;
    None when the points do not all lie on the branches of ``value`` (a kink in between)."""
    (c1, b1), (m1, d1), (c2, b2), (m2, d2) = (evaluate(value + d * h) for d in (1, -1, 2, -2))
    if b1 is not None:
        here = evaluate(value)[1]
        if not all(_same_branches(here, other) for other in (b1, d1, b2, d2)):
            return None
    return (8.0 * (c1 - m1) - (c2 - m2)) / (12.0 * h)


def _same_branches(a: list, b: list) -> bool:
    return all((x is None and y is None) or np.array_equal(x, y) for x, y in zip(a, b))


def gradient_check(network, x, y, *, h: float = 1e-3, floor: float = 1e-5,
                   max_parameters: Optional[int] = None, seed=None) -> GradientCheckResult:
    """Compare every per-sample derivative of one sample with finite differences.

    The sample is trained with the object engine (``train_sample``), then each derivative of the
    cost by a weight, a bias and a hidden neuron's activation is compared with a central finite
    difference of the cost. The network's parameters and per-sample lists are as before when it
    returns (neurons' activations are those of ``x``).

    Max pooling and ReLU have kinks, where the derivative jumps (a window changing hands, a
    ``z`` crossing 0): a finite difference whose points lie on different pieces, as each
    layer's ``kink_branches`` tells, is no derivative; it is counted in ``n_at_kinks`` and not
    compared.

    Parameters
    ----------
    network : Network
        Best in float64 (``neurograph.load(path, dtype="float64")``): in float32 the finite
        differences themselves are only good to about 1e-4, far above the 1e-6 a correct
        float64 network reaches.
    x, y : array-like
        One sample and its desired outputs.
    h : float
        The finite-difference step.
    floor : float
        Below this magnitude derivatives are compared absolutely rather than relatively:
        rounding leaves an absolute error of about ``1e-16 * C / h`` (``1e-12`` for a cost near
        3) in the estimate, which would swamp a relative comparison of tiny derivatives; so
        for a cost ``C`` above 1 (a saturated output's) the floor used is ``floor * C``.
    max_parameters : int, optional
        Check the derivatives of at most this many weights and biases, a random subset drawn
        with ``seed`` (each costs four forward passes, so checking all of a big network is
        slow); every hidden neuron's ``dC/da`` is still checked. None (the default) checks
        every parameter.
    seed : int or numpy.random.Generator, optional
        Where the subset is drawn from (unused without ``max_parameters``).

    Returns
    -------
    GradientCheckResult
        The worst relative error and where it occurs.

    Examples
    --------
    >>> from neurograph import Network, gradient_check
    >>> net = Network.layered([2, 3, 2], activation="tanh", seed=0)
    >>> gradient_check(net, [0.3, -0.7], [1.0, 0.0]).max_relative_error < 1e-6
    True
    """
    x, y = _checked_sample(network, x, y)
    layers = network.receiving_layers
    chosen = _choose_parameters(layers, max_parameters, seed)
    records = _one_sample_records(network, x, y)
    cost_of_outputs = _cost_of_outputs(network, y)
    kinks = _has_kinks(network, x)
    passed = forward_pass(network, x[None, :])
    every = passed.activations  # what a perturbation does not reach keeps these
    # rounding in the finite differences grows with the cost: so does the absolute floor
    compare = _Worst(floor * max(1.0, cost_of_outputs(passed)))
    k = -1  # each parameter's position, biases and weights layer by layer, neuron by neuron
    for layer, record in zip(layers, records):
        start = layer.index - 1  # a parameter of this layer changes it and what it feeds
        evaluate = _evaluator(network, cost_of_outputs, start, kinks, every, _fed_by(layer))
        for array, index, analytic, where, quantity in _parameters(layer, record):
            k += 1
            if chosen is None or k in chosen:
                numeric = _perturbed(every[start], evaluate, array, index, h)
                compare(analytic, numeric, where, quantity)
        if layer is not network.output_layer:
            for analytic, numeric, neuron in _activation_derivatives(
                    network, layer, record, x, cost_of_outputs, kinks, h):
                compare(analytic, numeric, neuron, "activation")

    worst = compare.worst
    if worst is None:
        raise ValueError("every derivative of this sample lies at a kink (a max-pooling tie or "
                         "a ReLU at 0): try another sample")
    return GradientCheckResult(worst.max_relative_error, worst.where, worst.quantity,
                               worst.analytic, worst.numeric, compare.n_checked,
                               compare.n_at_kinks)
