"""Redraw the README's pictures into docs/images, each the way the README says it was made.

    python docs/make_images.py                       # the quick ones (about a minute)
    python docs/make_images.py --data ../shared/data/mnist --all

``--data`` names the folder of the full MNIST set (the MNIST diagram, the draw-a-digit window
and, with ``--all``, the post's four attempts are drawn from it); without it the bundled sample
of 10,000 training and 2,000 test images is used and the pictures say so. ``--all`` also
reruns ``examples/post_attempts.py`` (eight trainings, about 90 s). Every picture is saved with
a plain ``savefig`` at 150 dpi: what the figure holds is what the file shows (the web page's
picture is a screenshot by headless Chromium, taken by ``tests/test_web_page.py``).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

DPI = 150


def web_picture(images: Path) -> None:
    """The web page after a digit is drawn: a screenshot by headless Chromium, taken by the
    browser test when NEUROGRAPH_SCREENSHOT asks (skipped, and said, without a browser)."""
    environment = dict(os.environ, NEUROGRAPH_SCREENSHOT=str(images / "web_demo.png"))
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                    "tests/test_web_page.py", "-k", "reads_three_drawn_digits"],
                   cwd=ROOT, env=environment, check=True)


def run(script: str, *args: str) -> None:
    """Run ``examples/<script>`` with this interpreter, from the project root."""
    command = [sys.executable, str(ROOT / "examples" / script), *args]
    print("$", " ".join(command[1:]), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def copy(folder: Path, pairs: dict, images: Path) -> None:
    for made, name in pairs.items():
        shutil.copyfile(folder / made, images / name)
        print("  ->", images / name)


def mnist_pictures(images: Path, data: list) -> None:
    """The default MNIST network after training, reading the first test image."""
    with tempfile.TemporaryDirectory() as folder:
        run("train_mnist.py", *data, "--plots", folder, "--dpi", str(DPI))
        copy(Path(folder), {"network.png": "mnist_network.png"}, images)


def xor_pictures(images: Path) -> None:
    """The XOR network's decision boundary and neuron maps (``examples/xor.py --plots``)."""
    with tempfile.TemporaryDirectory() as folder:
        run("xor.py", "--quiet", "--plots", folder, "--dpi", str(DPI))
        copy(Path(folder), {"decision_boundary.png": "xor_decision_boundary.png",
                            "neuron_maps.png": "xor_neuron_maps.png"}, images)


def live_picture(images: Path) -> None:
    """The live view of the XOR network as it stands after training (its last redraw)."""
    import importlib.util

    from neurograph import LiveView, Network

    spec = importlib.util.spec_from_file_location("xor", ROOT / "examples" / "xor.py")
    xor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(xor)
    rng = np.random.default_rng(0)
    X, Y = xor.make_data(1000, rng)
    net = Network.layered([2, 64, 1], activation="relu", output_activation="identity",
                          cost="quadratic", init="he", seed=rng)
    view = LiveView(X - 0.5, Y)
    net.fit(X - 0.5, Y, epochs=100, batch_size=5, learning_rate=0.05, callbacks=[view],
            progress=False)
    view.figure.savefig(images / "live_view.png", dpi=DPI)
    print("  ->", images / "live_view.png")


def convolution_pictures(images: Path) -> None:
    """A small convolution network reading a 7, and its twelve fixed kernels."""
    import matplotlib.pyplot as plt

    from neurograph import Network, draw_network, plot_weights
    from neurograph.convolution import convolution, max_pooling
    from neurograph.io.datasets import _load_sample

    sample = _load_sample()  # the same pictures on every machine
    X, Y = sample.training_set(dtype="float32")
    X_test, Y_test = sample.test_set(dtype="float32")
    net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [128, 10],
                                output_activation="softmax", cost="cross_entropy",
                                dtype="float32", seed=0)
    net.output_labels = [str(digit) for digit in range(10)]
    net.fit(X, Y, epochs=3, batch_size=32, learning_rate=0.05, progress=False)
    right = np.mean(net.predict(X_test).argmax(axis=1) == Y_test.argmax(axis=1))
    net.propagate(X_test[0])
    title = ("Network.convolutional((28, 28), [convolution(), max_pooling(2)], [128, 10]) "
             f"reading the first test digit\n(trained 3 epochs on {len(X):,} digits: "
             f"{right:.1%} of {len(X_test):,} test digits right)")
    figure = draw_network(net, title=title).figure
    figure.savefig(images / "conv_network.png", dpi=DPI)
    plt.close(figure)
    figure = plot_weights(net.layers[1]).figure
    figure.savefig(images / "conv_kernels.png", dpi=DPI)
    plt.close(figure)
    print("  ->", images / "conv_network.png", images / "conv_kernels.png")


def main(argv=None) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")  # before matplotlib loads; the examples too
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.path.insert(0, str(ROOT))  # this checkout's neurograph
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="folder of the full MNIST set (default: the bundled sample)")
    parser.add_argument("--all", action="store_true",
                        help="also rerun the post's four attempts (about 90 s)")
    parser.add_argument("--images", type=Path, default=ROOT / "docs" / "images",
                        help="where to write the pictures")
    args = parser.parse_args(argv)
    args.images.mkdir(parents=True, exist_ok=True)
    data = [] if args.data is None else ["--data", str(args.data)]
    mnist_pictures(args.images, data)
    xor_pictures(args.images)
    live_picture(args.images)
    convolution_pictures(args.images)
    if args.data is not None:
        run("draw_digit.py", *data, "--no-show", "--screenshot",
            str(args.images / "draw_digit.png"), "--digit", "2")
    web_picture(args.images)
    if args.all:
        run("post_attempts.py", *data, "--plots", str(args.images), "--dpi", str(DPI))


if __name__ == "__main__":
    main()
