"""Draw a digit with the mouse and watch an MNIST network read it.

The window shows a 280 x 280 canvas to draw on (hold the left button down), the network's ten
outputs as a bar chart updated as you draw, the 28 x 28 image the network is given (your
drawing cropped, scaled to fit 20 x 20 and centred by its centre of mass, as the MNIST digits
were: ``neurograph.digits.preprocess_digit``), and a "clear" button. The title says which digit
the network reads and how sure it is.

Without a model file it first trains 784-128-10 (ReLU, softmax with cross-entropy) for a few
epochs on MNIST: the full set when it is on disk, else the sample bundled with neurograph
(seconds either way). With a model file (``Network.save``) it loads that instead::

    python examples/draw_digit.py
    python examples/draw_digit.py model.json
    python examples/draw_digit.py --no-show --screenshot draw_digit.png   # headless
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

# One BLAS thread unless you say otherwise (see examples/train_mnist.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

try:
    from neurograph import Network
except ImportError:  # running from a source checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from neurograph import Network
from neurograph.datasets import load_mnist  # noqa: E402
from neurograph.digits import SIZE, preprocess_digit  # noqa: E402
from neurograph.cli.main import non_negative_int, positive_int  # noqa: E402

Point = tuple[float, float]

WINDOW_TITLE = "neurograph: draw a digit"
"""The title of the pad's window."""


class DigitPad:
    """A canvas to draw a digit on, wired to a network that reads it as you draw.

    Drawing is in data coordinates of the canvas Axes: ``x`` is the column and ``y`` the row of
    :attr:`canvas`, both from 0 to ``size`` (``y`` grows downwards, as in the image). The brush
    is a soft disc: full ink within ``brush - softness / 2`` of the stroke, fading linearly to
    none at ``brush + softness / 2``; overlapping strokes keep the darker value.

    Parameters
    ----------
    network : Network
        A network with 784 inputs (28 x 28 images, values in [0, 1]) and 10 outputs.
    figure : matplotlib.figure.Figure, optional
        Where to draw the pad; a new 9 x 5 inch pyplot figure by default.
    size : int
        The canvas is ``size x size`` pixels.
    brush, softness : float
        The brush's radius at half ink, and the width of its soft edge, in canvas pixels.

    Attributes
    ----------
    canvas : numpy.ndarray
        ``(size, size)``, 0 = background, 1 = ink.
    image : numpy.ndarray
        ``(784,)``: the canvas as the network sees it (``preprocess_digit(canvas)``).
    outputs : numpy.ndarray
        ``(10,)``: the network's outputs for ``image``; zeros while the canvas is empty.
    """

    def __init__(self, network: Network, figure=None, *, size: int = 280, brush: float = 12.0,
                 softness: float = 6.0) -> None:
        sizes = getattr(network, "sizes", None)
        if sizes is None or sizes[0] != SIZE * SIZE or sizes[-1] != 10:
            raise ValueError(f"`network` must have 784 inputs and 10 outputs, got "
                             f"{network!r}")
        if not (isinstance(size, (int, np.integer)) and size >= SIZE):
            raise ValueError(f"`size` must be an integer of at least {SIZE}, got {size!r}")
        if not (brush > 0 and softness >= 0):
            raise ValueError(f"`brush` must be positive and `softness` not negative, got "
                             f"{brush!r} and {softness!r}")
        from matplotlib.widgets import Button

        self.network = network
        self.size = int(size)
        self.brush = float(brush)
        self.softness = float(softness)
        self.canvas = np.zeros((self.size, self.size))
        self.image = np.zeros(SIZE * SIZE)
        self.outputs = np.zeros(10)
        self._drawing = False
        self._last: Optional[Point] = None
        self._connections: list[int] = []

        if figure is None:
            import matplotlib.pyplot as plt

            figure = plt.figure(figsize=(9, 5))
        self.figure = figure
        width, height = self.figure.get_size_inches()
        # Axes boxes in figure fractions; the canvas box is square in inches, so the Axes keep
        # their place when drawn (no aspect adjustment moves them).
        side = 0.78 * height
        self.ax_canvas = self.figure.add_axes((0.03, 0.06, side / width, side / height))
        self.ax_bars = self.figure.add_axes((0.58, 0.50, 0.39, 0.34))
        small = 0.30 * height
        self.ax_image = self.figure.add_axes((0.58, 0.06, small / width, small / height))
        self.ax_button = self.figure.add_axes((0.83, 0.10, 0.13, 0.10))

        self.canvas_artist = self.ax_canvas.imshow(
            self.canvas, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest",
            extent=(0, self.size, self.size, 0))
        self.ax_canvas.set_xticks([])
        self.ax_canvas.set_yticks([])
        self.ax_canvas.set_title("draw here (left button)", fontsize=10)

        self.bars = self.ax_bars.bar(range(10), self.outputs, color="C0")
        self.ax_bars.set_xticks(range(10))
        self.ax_bars.set_ylim(0.0, 1.0)
        self.ax_bars.set_xlabel("digit")
        self.ax_bars.set_title("the network's ten outputs", fontsize=10)

        self.image_artist = self.ax_image.imshow(self.image.reshape(SIZE, SIZE), cmap="gray_r",
                                                 vmin=0.0, vmax=1.0, interpolation="nearest")
        self.ax_image.set_xticks([])
        self.ax_image.set_yticks([])
        self.ax_image.set_title("what it sees (28 x 28)", fontsize=10)

        self.button = Button(self.ax_button, "clear")
        self.button.on_clicked(lambda event: self.clear())
        self.title = self.figure.suptitle("Draw a digit", fontsize=14)
        manager = self.figure.canvas.manager  # None for a figure made without pyplot
        if manager is not None:
            manager.set_window_title(WINDOW_TITLE)
        self.connect()

    # -- the mouse -------------------------------------------------------------------------------

    def connect(self) -> DigitPad:
        """Listen to the figure's mouse events (done on creation; calling again does nothing).

        The figure holds the handlers strongly (matplotlib keeps only weak references to bound
        methods), so the pad lives as long as its figure even if no variable names it.
        """
        if not self._connections:
            mpl = self.figure.canvas.mpl_connect
            self._connections = [
                mpl("button_press_event", lambda event: self._on_press(event)),
                mpl("motion_notify_event", lambda event: self._on_motion(event)),
                mpl("button_release_event", lambda event: self._on_release(event))]
        return self

    def disconnect(self) -> None:
        """Stop listening to the mouse."""
        for cid in self._connections:
            self.figure.canvas.mpl_disconnect(cid)
        self._connections = []

    def _on_press(self, event) -> None:
        # widgetlock: the toolbar's pan or zoom mode has the mouse.
        if (event.inaxes is not self.ax_canvas or event.button != 1
                or self.figure.canvas.widgetlock.locked()):
            return
        self.press(event.xdata, event.ydata)

    def _on_motion(self, event) -> None:
        if not self._drawing:
            return
        if event.inaxes is not self.ax_canvas:
            self._last = None  # left the canvas: coming back starts a new segment
            return
        self.drag(event.xdata, event.ydata)

    def _on_release(self, event) -> None:
        if self._drawing:
            self.release()

    # -- drawing -----------------------------------------------------------------------------

    def press(self, x: float, y: float) -> None:
        """Start a stroke at ``(x, y)``: a dab of ink, and a new reading."""
        self._drawing = True
        self._last = (float(x), float(y))
        self._paint(self._last, self._last)
        self.update()

    def drag(self, x: float, y: float) -> None:
        """Continue the stroke to ``(x, y)`` (a line from the last point), and read again."""
        point = (float(x), float(y))
        self._paint(self._last or point, point)
        self._last = point
        self._drawing = True
        self.update()

    def release(self) -> None:
        """End the stroke."""
        self._drawing = False
        self._last = None
        self.update()

    def clear(self) -> None:
        """Empty the canvas and reset the outputs to zero."""
        self.canvas[:] = 0.0
        self._drawing = False
        self._last = None
        self.update()

    def draw_strokes(self, strokes: Sequence[Sequence[Point]]) -> None:
        """Draw whole strokes (lists of ``(x, y)`` points) at once, then read the result.

        What a mouse would draw with press, drags and release, with one reading and one redraw
        at the end: for scripted demos and screenshots.
        """
        for stroke in strokes:
            points = [(float(x), float(y)) for x, y in stroke]
            for start, end in zip(points[:1] + points[:-1], points):
                self._paint(start, end)
        self._drawing = False
        self._last = None
        self.update()

    def _paint(self, start: Point, end: Point) -> None:
        """Ink every pixel near the segment start-end: ``max(canvas, profile(distance))``."""
        reach = self.brush + self.softness / 2
        (x0, y0), (x1, y1) = start, end
        c0, c1 = (max(int(np.floor(min(x0, x1) - reach)), 0),
                  min(int(np.ceil(max(x0, x1) + reach)), self.size))
        r0, r1 = (max(int(np.floor(min(y0, y1) - reach)), 0),
                  min(int(np.ceil(max(y0, y1) + reach)), self.size))
        if c0 >= c1 or r0 >= r1:
            return  # the segment is off the canvas
        px = np.arange(c0, c1)[None, :] + 0.5  # pixel centres, (1, columns)
        py = np.arange(r0, r1)[:, None] + 0.5  # (rows, 1)
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        # The nearest point of the segment to each pixel: start + t (end - start), t in [0, 1].
        t = (0.0 if length2 == 0 else
             np.clip(((px - x0) * dx + (py - y0) * dy) / length2, 0.0, 1.0))
        distance = np.hypot(px - (x0 + t * dx), py - (y0 + t * dy))  # (rows, columns)
        if self.softness > 0:
            ink = np.clip((reach - distance) / self.softness, 0.0, 1.0)
        else:
            ink = (distance <= self.brush).astype(float)
        window = self.canvas[r0:r1, c0:c1]
        np.maximum(window, ink, out=window)

    # -- reading ---------------------------------------------------------------------------------

    def update(self) -> None:
        """Preprocess the canvas, run the network, and redraw the canvas, bars, image and title."""
        self.image = preprocess_digit(self.canvas)
        if self.image.any():
            self.outputs = np.asarray(self.network.predict(self.image[None, :])[0], dtype=float)
        else:
            self.outputs = np.zeros(10)
        self.canvas_artist.set_data(self.canvas)
        self.image_artist.set_data(self.image.reshape(SIZE, SIZE))
        best = self.prediction()
        for digit, (bar, value) in enumerate(zip(self.bars, self.outputs)):
            bar.set_height(value)
            bar.set_color("C3" if best is not None and digit == best[0] else "C0")
        if best is None:
            self.title.set_text("Draw a digit")
        elif self._is_probability():
            self.title.set_text(f"I read a {best[0]} ({best[1]:.0%} sure)")
        else:
            self.title.set_text(f"I read a {best[0]} (output {best[1]:.2f})")
        self.figure.canvas.draw_idle()

    def prediction(self) -> Optional[tuple[int, float]]:
        """``(digit, its output)`` for the drawing, or None while the canvas is empty."""
        if not self.outputs.any():
            return None
        digit = int(np.argmax(self.outputs))
        return digit, float(self.outputs[digit])

    def _is_probability(self) -> bool:
        return bool(abs(self.outputs.sum() - 1.0) < 1e-4 and self.outputs.min() >= 0)


def strokes_for(image: np.ndarray, size: int = 280, threshold: float = 0.5) -> list[list[Point]]:
    """Strokes that trace a 28 x 28 image on a ``size`` canvas: one per run of ink in a row.

    Each stroke is a list of ``(x, y)`` canvas points from the first to the last pixel of a run
    of pixels above ``threshold``; drawn with the default brush they fill the digit's shape.
    """
    image = np.asarray(image, dtype=float).reshape(SIZE, SIZE)
    scale = size / SIZE
    strokes = []
    for row in range(SIZE):
        ink = np.concatenate([[False], image[row] > threshold, [False]])
        edges = np.flatnonzero(np.diff(ink.astype(int)))
        y = (row + 0.5) * scale
        for first, stop in zip(edges[::2], edges[1::2]):
            strokes.append([((first + 0.5) * scale, y), ((stop - 0.5) * scale, y)])
    return strokes


def train_network(data_folder=None, *, hidden: int = 128, epochs: int = 3, seed: int = 0,
                  download: bool = False, progress: bool = True) -> Network:
    """A quickly trained 784-hidden-10 network (ReLU, softmax, cross-entropy) on MNIST."""
    data = load_mnist(data_folder, download=download, quiet=not progress)
    X, Y = data.training_set(dtype="float32")
    net = Network.layered([SIZE * SIZE, hidden, 10], activation="relu",
                          output_activation="softmax", cost="cross_entropy", init="he",
                          seed=seed, bias_clamp=None, dtype="float32")
    net.output_labels = [str(digit) for digit in range(10)]  # the diagram labels its outputs
    say = print if progress else (lambda *a, **k: None)
    say(f"training {net} on {len(X):,} images ({data.source}), {epochs} epochs")
    started = time.perf_counter()
    net.fit(X, Y, epochs=epochs, batch_size=32, learning_rate=0.05, momentum=0.9, seed=seed,
            progress=progress)
    X_test, Y_test = data.test_set(dtype="float32")
    accuracy = net.evaluate(X_test, Y_test)["accuracy"]
    say(f"test accuracy {accuracy:.2%} on {len(X_test):,} images "
        f"({time.perf_counter() - started:.1f} s)")
    return net


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("model", nargs="?", type=Path, default=None,
                        help="a model file written by Network.save (else train one first)")
    parser.add_argument("--hidden", type=positive_int, default=128,
                        help="hidden neurons when training")
    parser.add_argument("--epochs", type=positive_int, default=3, help="epochs when training")
    parser.add_argument("--data", type=Path, default=None,
                        help="folder holding the four MNIST files (else $NEUROGRAPH_DATA, the "
                             "user cache, then the bundled sample)")
    parser.add_argument("--no-download", action="store_true",
                        help="never download the full MNIST set; without it on disk, use the "
                             "bundled sample")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seeds the weights and the order of the samples")
    parser.add_argument("--quiet", action="store_true", help="no progress while training")
    parser.add_argument("--screenshot", type=Path, default=None, metavar="PNG",
                        help="trace the first test image of --digit on the canvas and save the "
                             "window as a PNG")
    parser.add_argument("--digit", type=int, default=7, help="the digit --screenshot traces")
    parser.add_argument("--no-show", action="store_true", help="do not open a window")
    args = parser.parse_args(argv)
    if not 0 <= args.digit <= 9:
        parser.error(f"--digit must be 0-9, got {args.digit}")
    return args


def load_network(path: Path) -> Network:
    """The network saved in ``path`` (``neurograph.load``)."""
    import neurograph

    try:
        return neurograph.load(path)
    except (OSError, ValueError) as error:  # unreadable or not a model file: one line, no traceback
        raise SystemExit(f"draw_digit.py: error: {error}") from None


def check_display() -> None:
    """Stop in one line when matplotlib has no window to open (no display, or a backend that
    only writes files): ``plt.show()`` would return at once and the script end in silence."""
    import matplotlib
    from matplotlib.backends import BackendFilter, backend_registry

    backend = matplotlib.get_backend().lower()
    if backend in backend_registry.list_builtin(BackendFilter.NON_INTERACTIVE):
        raise SystemExit(f"draw_digit.py: error: no display to open a window on (matplotlib's "
                         f"backend is {backend!r}); use --no-show --screenshot PAD.png to save "
                         f"the pad as a picture instead")


def main(argv: Optional[Sequence[str]] = None) -> DigitPad:
    """Build the pad (training or loading its network) and show it; return the pad."""
    args = parse_args(argv)
    if not args.no_show:
        check_display()  # before training, which takes a while
    if args.model is not None:
        network = load_network(args.model)
        if not args.quiet:
            print(f"loaded {network} from {args.model}")
    else:
        network = train_network(args.data, hidden=args.hidden, epochs=args.epochs,
                                seed=args.seed, download=not args.no_download,
                                progress=not args.quiet)
    import matplotlib.pyplot as plt

    try:
        pad = DigitPad(network)
    except ValueError as error:  # e.g. a model that does not read 28 x 28 digits
        raise SystemExit(f"draw_digit.py: error: {error}") from None
    if args.screenshot is not None:
        data = load_mnist(args.data, quiet=True)
        image = data.test_images[int(np.argmax(data.test_labels == args.digit))] / 255
        pad.draw_strokes(strokes_for(image, pad.size))
        pad.figure.savefig(args.screenshot, dpi=72)
        if not args.quiet:
            print(f"{pad.title.get_text()}; window saved to {args.screenshot}")
    if not args.no_show:
        plt.show()
    return pad


if __name__ == "__main__":
    main()
