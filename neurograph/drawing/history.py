"""The training curves: cost and accuracy per epoch, for training and the held-out set.

Kept apart from the other plots, which train networks (``animate_training``) and so import the
training loop: this module imports nothing of the training, so a ``History`` can draw itself in
a notebook through it. matplotlib is imported inside the functions.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

__all__ = ["plot_history"]


def _history_lists(history) -> dict:
    names = ("cost", "accuracy", "validation_cost", "validation_accuracy")
    if isinstance(history, dict):
        return {name: list(history.get(name) or []) for name in names}
    if not all(hasattr(history, name) for name in names):
        raise TypeError(f"`history` must be a History (or its as_dict()), got "
                        f"{type(history).__name__}")
    return {name: list(getattr(history, name)) for name in names}


def _held_out_name(history) -> str:
    """What the history's held-out set is called (a dict may say so too)."""
    if isinstance(history, dict):
        return history.get("validation_name") or "validation"
    return getattr(history, "validation_name", None) or "validation"


def _as_curve(values: list) -> Optional[np.ndarray]:
    """``values`` as floats with None as NaN; None when nothing is left to draw."""
    curve = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    return None if curve.size == 0 or np.isnan(curve).all() else curve


def plot_history(history, *, ax=None, validation_label: Optional[str] = None,
                 **style):
    """Draw cost and accuracy per epoch, for training and (if measured) validation.

    Parameters
    ----------
    history : History or dict
        What :meth:`Network.fit` returned (or its ``as_dict()``). Accuracy entries that are
        ``None`` (targets with no natural accuracy) are left out; a curve with none left is not
        drawn, nor is validation that was not measured.
    ax : matplotlib.axes.Axes, optional
        Where to draw. Without it a new figure gets two Axes side by side, cost on the left and
        accuracy on the right. With it, cost goes on ``ax`` (left y-axis) and accuracy on a twin
        Axes sharing its x-axis (right y-axis, hidden when there is no accuracy), with one
        legend for both above the Axes (where a title would go).
    validation_label : str, optional
        What the held-out set is called in the legend: by default what ``fit`` was told
        (``history.validation_name``, ``"test"`` after ``fit(..., validation_name="test")``,
        as in the MNIST command), else ``"validation"``.
    **style
        Passed to every ``Axes.plot`` call (``linewidth``, ``marker``, ...).

    Returns
    -------
    (cost_ax, accuracy_ax)
        Without ``ax``: a numpy array of the two new Axes. With ``ax``: the tuple
        ``(ax, twin)``. Epochs are on x, starting at 1; training curves are solid, validation
        curves dashed; accuracy is drawn as a share (0 to 1) labelled in percent.

    Raises
    ------
    ValueError
        If ``history`` holds no epoch.
    TypeError
        If ``validation_label`` is not a non-empty string.

    Examples
    --------
    >>> from neurograph.training import History
    >>> history = History(cost=[0.5, 0.3, 0.2], accuracy=[0.6, 0.8, 0.9])
    >>> cost_ax, accuracy_ax = plot_history(history)
    >>> cost_ax.lines[0].get_ydata().tolist(), accuracy_ax.get_ylabel()
    ([0.5, 0.3, 0.2], 'accuracy')
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    lists = _history_lists(history)
    n = len(lists["cost"])
    if n == 0:
        raise ValueError("`history` must hold at least one epoch, got none")
    if validation_label is None:  # what fit called the held-out set
        validation_label = _held_out_name(history)
    if not isinstance(validation_label, str) or not validation_label.strip():
        raise TypeError(f"`validation_label` must be a non-empty string, got "
                        f"{validation_label!r}")
    cost_ax, accuracy_ax, result = _history_axes(ax)
    _draw_history_curves(lists, cost_ax, accuracy_ax, {"marker": "o" if n <= 30 else None,
                                                       **style}, validation_label)
    _label_history_axes(cost_ax, accuracy_ax)
    cost_ax.set_xlim(0.5, n + 0.5)  # whole epochs, also for one (no ticks at 0.945, ...)
    accuracy_ax.set_xlim(0.5, n + 0.5)
    if ax is None:
        _explain_history_side_by_side(cost_ax, accuracy_ax)
    else:
        _explain_history_twins(cost_ax, accuracy_ax)
    return result


def _history_axes(ax) -> tuple:
    """``(cost_ax, accuracy_ax, what plot_history returns)``: two new Axes side by side, or
    ``ax`` and a twin of it."""
    if ax is None:
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
        cost_ax, accuracy_ax = axes
        return cost_ax, accuracy_ax, axes
    accuracy_ax = ax.twinx()
    return ax, accuracy_ax, (ax, accuracy_ax)


def _draw_history_curves(lists: dict, cost_ax, accuracy_ax, style: dict,
                         held_out: str = "validation") -> None:
    """Every curve with something to draw, against epochs 1, 2, ...; the held-out curves
    labelled with the set's name, ``held_out``."""
    # Training solid, held out dashed; cost in C0, accuracy in C1 (distinct on a twin axis).
    curves = [(cost_ax, "cost", "training cost", "C0", "-"),
              (cost_ax, "validation_cost", f"{held_out} cost", "C0", "--"),
              (accuracy_ax, "accuracy", "training accuracy", "C1", "-"),
              (accuracy_ax, "validation_accuracy", f"{held_out} accuracy", "C1", "--")]
    for target, name, label, color, linestyle in curves:
        curve = _as_curve(lists[name])
        if curve is not None:
            epochs = np.arange(1, len(curve) + 1)
            target.plot(epochs, curve, **{"label": label, "color": color,
                                          "linestyle": linestyle, **style})


def _label_history_axes(cost_ax, accuracy_ax) -> None:
    """Axis labels, accuracy in percent, whole epochs."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    cost_ax.set_xlabel("epoch")
    cost_ax.set_ylabel("cost")
    accuracy_ax.set_ylabel("accuracy")
    accuracy_ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    for each in (cost_ax, accuracy_ax):
        each.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def _explain_history_side_by_side(cost_ax, accuracy_ax) -> None:
    """Titles and a legend on each Axes, or a word where no accuracy was measured."""
    accuracy_ax.set_xlabel("epoch")
    cost_ax.set_title("cost")
    accuracy_ax.set_title("accuracy")
    cost_ax.legend()
    if accuracy_ax.lines:
        accuracy_ax.legend()
    else:
        accuracy_ax.text(0.5, 0.5, "no accuracy measured", ha="center", va="center",
                         transform=accuracy_ax.transAxes, color="0.4")


def _explain_history_twins(cost_ax, accuracy_ax) -> None:
    """One legend for both y-axes, above the Axes where no curve can be; the accuracy axis
    hidden when it has no curve."""
    has_accuracy = bool(accuracy_ax.lines)
    accuracy_ax.set_visible(has_accuracy)
    if has_accuracy:
        handles, labels = (a + b for a, b in zip(cost_ax.get_legend_handles_labels(),
                                                 accuracy_ax.get_legend_handles_labels()))
        cost_ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                       ncol=2, fontsize="small", frameon=False)
    else:
        cost_ax.legend()
