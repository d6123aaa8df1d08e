"""Rich display in Jupyter: pictures as PNG bytes and small HTML tables.

IPython shows an object by its ``_repr_png_``, ``_repr_html_`` or ``_repr_mimebundle_``
method. neurograph's objects build theirs from these helpers: :func:`png_of` draws a figure off
screen and renders it with Agg (a plain ``savefig``: what a file would hold), closing it so
that no figure is left open in pyplot; :func:`html_table` writes an escaped table.
"""
from __future__ import annotations

import base64
import html
from io import BytesIO
from typing import Callable, Optional, Sequence

__all__ = ["png_of", "html_table", "html_image", "network_png", "network_html", "history_html",
           "history_png"]

DPI = 100
"""Pixels per inch of a picture shown in a notebook (a file written by the examples has 150)."""


def _figure_of(drawn):
    """The figure of what a drawing function returned: an Axes, or a sequence of them."""
    while not hasattr(drawn, "figure"):
        drawn = drawn.flat[0] if hasattr(drawn, "flat") else drawn[0]
    return drawn.figure


def png_of(draw: Callable[[], object], *, dpi: int = DPI) -> bytes:
    """PNG bytes of the figure ``draw()`` makes (it returns an Axes or a sequence of them).

    The figure is made with interactive mode off (no window opens), saved with a plain
    ``savefig`` (no ``bbox_inches="tight"``: the picture is what a file would show) and closed;
    pyplot's current figure is the one that was current before.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> png = png_of(lambda: plt.figure(figsize=(2, 1)).add_subplot())
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", plt.get_fignums()
    (True, [])
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib._pylab_helpers import Gcf

    active = Gcf.get_active()
    before = set(plt.get_fignums())
    interactive = matplotlib.is_interactive()
    matplotlib.interactive(False)
    try:
        try:
            figure = _figure_of(draw())
        finally:
            # Jupyter's inline backend switches interactive mode on when it is first loaded,
            # which may be now: keep that (its figures are shown only so), else restore
            if not matplotlib.is_interactive():
                matplotlib.interactive(interactive)
        buffer = BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()
    finally:
        for number in set(plt.get_fignums()) - before:  # also on an error half way
            plt.close(number)
        if active is not None and Gcf.has_fignum(active.num):
            Gcf.set_active(active)


def html_image(png: bytes, alt: str, width: Optional[int] = None) -> str:
    """An ``<img>`` holding ``png`` inline (base64), described by ``alt``."""
    data = base64.b64encode(png).decode("ascii")
    size = "" if width is None else f' style="width:{int(width)}px"'
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"{size}>'


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]],
               caption: Optional[str] = None, right: Sequence[int] = ()) -> str:
    """An HTML table; every cell is escaped, columns ``right`` are aligned right (numbers).

    Examples
    --------
    >>> html_table(["a", "b"], [[1, "<x>"]], caption="t")
    '<table><caption>t</caption><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>&lt;x&gt;</td></tr></tbody></table>'
    """
    def row(cells, tag):
        aligned = ' style="text-align:right"'
        return "<tr>" + "".join(
            f"<{tag}{aligned if k in right else ''}>{html.escape(str(cell))}</{tag}>"
            for k, cell in enumerate(cells)) + "</tr>"

    top = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = "".join(row(cells, "td") for cells in rows)
    return (f"<table>{top}<thead>{row(header, 'th')}</thead>"
            f"<tbody>{body}</tbody></table>")


def _layer_rows(network) -> list:
    """One row per layer: index, kind, neurons, activation, reads from, weights, biases."""
    rows = []
    for layer in network.layers:
        shape = " x ".join(map(str, layer.shape)) if len(layer.shape) > 1 else ""
        neurons = f"{layer.size:,}" + (f" ({shape})" if shape else "")
        if layer.receives:
            kind, _, weights, biases = layer.summary()
            sources = ", ".join(str(source.index) for source in layer.sources)
            rows.append([layer.index, kind, neurons, layer.activation_function.name,
                         sources, f"{weights:,}", f"{biases:,}"])
        else:
            rows.append([layer.index, "input", neurons, "", "", "", ""])
    return rows


def network_png(network, *, dpi: int = DPI) -> bytes:
    """The diagram of ``network`` (:func:`~neurograph.draw_network`) as PNG bytes."""
    from .diagram import draw_network

    return png_of(lambda: draw_network(network), dpi=dpi)


def network_html(network, *, dpi: int = DPI) -> str:
    """The diagram of ``network`` above a table of its layers."""
    table = html_table(["layer", "kind", "neurons", "activation", "reads from", "weights",
                        "biases"], _layer_rows(network), caption=repr(network),
                       right=(0, 2, 5, 6))
    image = html_image(network_png(network, dpi=dpi), "diagram of " + repr(network))
    return f"<div>{image}{table}</div>"


def _cell(value, format_: str) -> str:
    return "" if value is None else format(value, format_)


def history_html(history, *, head: int = 5, tail: int = 5) -> str:
    """A table of ``history``'s epochs (cost, accuracy, validation cost and accuracy, seconds:
    the columns measured), the first ``head`` and last ``tail`` rows of a long one."""
    held_out = getattr(history, "validation_name", "validation")
    columns = [("cost", "cost", ".4g"), ("accuracy", "accuracy", ".2%"),
               ("validation_cost", f"{held_out} cost", ".4g"),
               ("validation_accuracy", f"{held_out} accuracy", ".2%"),
               ("seconds", "seconds", ".3g")]
    shown = [(name, title, form) for name, title, form in columns
             if any(v is not None for v in getattr(history, name))]
    n = history.epochs
    epochs = list(range(n)) if n <= head + tail + 1 else \
        list(range(head)) + [None] + list(range(n - tail, n))
    rows = []
    for epoch in epochs:
        if epoch is None:
            rows.append(["\u22ee"] + [""] * len(shown))
            continue
        values = [getattr(history, name) for name, _, _ in shown]
        rows.append([epoch + 1] + [_cell(v[epoch] if epoch < len(v) else None, form)
                                   for v, (_, _, form) in zip(values, shown)])
    caption = f"History of {n} epoch{'s' * (n != 1)}"
    if history.evaluation_samples:
        caption += f" and {len(history.evaluation_samples)} evaluations"
    table = html_table(["epoch"] + [title for _, title, _ in shown], rows, caption=caption,
                       right=range(len(shown) + 1))
    if n == 0:
        return table
    return f"<div>{html_image(history_png(history), 'curves of ' + caption)}{table}</div>"


def history_png(history, *, dpi: int = DPI) -> bytes:
    """The curves of ``history`` (:func:`~neurograph.plot_history`) as PNG bytes."""
    from .history import plot_history

    return png_of(lambda: plot_history(history), dpi=dpi)
