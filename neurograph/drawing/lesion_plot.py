"""The lesion report as a picture: one horizontal bar per silenced neuron, its length the
accuracy it cost (``accuracy lesioned - accuracy intact``, in percentage points), the largest
drop at the top.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..core.validation import check_positive_int

__all__ = ["plot_lesion_report"]


def _checked_results(report) -> list:
    """``report`` as a list of results (each with ``neuron``, ``accuracy``, ``change``)."""
    try:
        results = list(report)
    except TypeError:
        raise TypeError(f"`report` must be what lesion_report returns, got {report!r}") from None
    for result in results:
        if not all(hasattr(result, name) for name in ("neuron", "accuracy", "change")):
            raise TypeError(f"`report` must hold LesionResult items, got {result!r}")
    return results


def plot_lesion_report(report, *, ax=None, max_neurons: int = 20, color: str = "C3",
                       **style):
    """Draw a lesion report (:func:`~neurograph.lesion_report`) as horizontal bars; return the Axes.

    One bar per silenced neuron, labelled by its layer and index and written with its change;
    bars to the left lost accuracy. The neurons are sorted as the report is (largest drop at
    the top); only the first ``max_neurons`` are drawn, and a note says how many more there
    are. A new figure is made tall enough for the bars when ``ax`` is None.

    Parameters
    ----------
    report : LesionReport or list of LesionResult
    ax : matplotlib.axes.Axes, optional
    max_neurons : int
        How many bars at most.
    color : str
        The bars' colour (a bar of no change is grey).
    **style
        Passed to :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ``report`` does not hold lesion results.
    ValueError
        If ``max_neurons`` is not a positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> from neurograph import Network, lesion_report
    >>> net = Network.layered([2, 4, 1], activation="tanh", seed=0)
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> ax = plot_lesion_report(lesion_report(net, X, X[:, :1] * X[:, 1:]))
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()][0]
    (4, 'layer 1, neuron 0')
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    import matplotlib.pyplot as plt

    results = _checked_results(report)
    max_neurons = check_positive_int("max_neurons", max_neurons)
    shown = results[:max_neurons]
    if ax is None:
        height = 1.6 + 0.3 * max(len(shown), 3)
        _, ax = plt.subplots(figsize=(6.4, height), layout="constrained")
    changes = np.array([100.0 * r.change for r in shown])  # percentage points
    places = np.arange(len(shown))
    colors = [color if c != 0 else "0.6" for c in changes]
    bars = ax.barh(places, changes, color=colors, **{"height": 0.7, **style})
    ax.bar_label(bars, labels=[_signed(c) for c in changes], padding=3, fontsize=8)
    ax.set_yticks(places, [f"layer {r.neuron.layer.index}, neuron {r.neuron.index}"
                           for r in shown])
    ax.invert_yaxis()  # the report's first (largest drop) at the top
    ax.axvline(0, color="black", linewidth=0.8)
    _frame(ax, changes, report, len(results) - len(shown))
    return ax


def _signed(points: float) -> str:
    """``"+2.5"``, ``"\u22122.5"`` (a minus sign, as on the axis), ``"0"``."""
    if round(points, 1) == 0:
        return "0"
    return f"{points:+.1f}".replace("-", "\u2212")


def _frame(ax, changes: np.ndarray, report, left_out: int) -> None:
    """Room for the bars' labels on both sides, axis names, the title and the note."""
    reach = float(np.max(np.abs(changes))) if changes.size else 0.0
    reach = reach or 1.0
    ax.set_xlim(-1.3 * reach if (changes < 0).any() or not changes.size else -0.1 * reach,
                1.3 * reach if (changes > 0).any() or not changes.size else 0.1 * reach)
    low, high = ax.get_xlim()
    ax.set_xticks([t for t in ax.get_xticks() if low <= t <= high])  # none left past the ends
    ax.set_xlabel("accuracy change when silenced (percentage points)")
    baseline = getattr(report, "baseline", None)
    title = "each hidden neuron silenced in turn"
    if baseline is not None:
        title += f" (intact: {baseline:.2%})"
    ax.set_title(title, fontsize=10)
    if not changes.size:
        ax.text(0.5, 0.5, "no fully connected hidden neuron to silence", ha="center",
                va="center", transform=ax.transAxes, color="0.4")
    if left_out:
        ax.annotate(f"{left_out} more neurons with smaller drops are not drawn "
                    f"(max_neurons={len(changes)})", xy=(0.5, 0.0), xycoords=ax.xaxis.label,
                    xytext=(0, -4), textcoords="offset points", ha="center", va="top",
                    fontsize=8, color="0.3")
