"""What a script's written pictures were: each figure checked as it is closed.

``record_closed_figures(monkeypatch)`` patches ``pyplot.close`` so that every figure closed
through it (the examples and the CLI save, then close) is measured first: its size in inches
and what ``outside_figure`` and ``overlapping_texts`` find. The list it returns fills in the
order the figures are closed, which is the order their files were written.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from PIL import Image

from figure_checks import outside_figure, overlapping_texts


def record_closed_figures(monkeypatch) -> list:
    records = []
    close = plt.close

    def measuring_close(figure=None):
        if figure is not None and not isinstance(figure, (str, int)) \
                and hasattr(figure, "get_size_inches"):
            records.append({"inches": tuple(figure.get_size_inches()),
                            "outside": outside_figure(figure),
                            "overlapping": overlapping_texts(figure)})
        return close(figure)

    monkeypatch.setattr(plt, "close", measuring_close)
    return records


def pixel_size(path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def assert_size_at_dpi(path, inches, dpi) -> None:
    """A file saved uncropped is its figure's inches times ``dpi`` pixels (to rounding)."""
    width, height = pixel_size(path)
    assert abs(width - inches[0] * dpi) <= 1 and abs(height - inches[1] * dpi) <= 1, \
        (path.name, (width, height), inches, dpi)
