"""Tests for tests/figure_checks.py: it reports what a plain savefig cuts, and only that."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator  # noqa: E402

from figure_checks import outside_figure  # noqa: E402


def test_outside_figure_skips_ticks_outside_the_view_but_not_drawn_ones_cut_off():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 3], [0, 1])
    ax.set_xlim(0.9, 3.1)
    # An Axis keeps ticks its locator put far outside the view; they are never drawn.
    ax.xaxis.set_major_locator(FixedLocator([-40, 1, 2, 3, 40]))
    assert outside_figure(fig) == []
    fig.subplots_adjust(left=0.0)  # now the y tick labels really are cut off
    problems = outside_figure(fig)
    assert any("Text('0.0')" in problem for problem in problems)
    assert not any("'-40'" in problem or "'40'" in problem for problem in problems)
    plt.close(fig)
