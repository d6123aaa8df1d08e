"""A network goes out to ONNX and comes back: the same digits read three ways.

Trains a small MNIST network (or takes a saved model), writes it as ONNX with
``network.to_onnx``, runs that file with onnxruntime, reads it back with
``neurograph.from_onnx``, and compares the three on the test images: the largest difference of
the outputs against ``predict``, how many digits each reads as ``predict`` does, and each one's
accuracy. It needs the optional packages: ``pip install 'neurograph[onnx]'``.

The data is the full MNIST set when ``load_mnist`` finds it, else the bundled sample (10,000
training and 2,000 test images).

Run ``python examples/onnx_round_trip.py --help`` for the flags.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

try:
    import neurograph
except ImportError:  # running from a source checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import neurograph
from neurograph.cli.main import positive_int  # noqa: E402
from neurograph.datasets import load_mnist  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--model", metavar="MODEL.json",
                        help="a saved neurograph model to send out and back (default: train one)")
    parser.add_argument("--hidden", type=positive_int, default=128,
                        help="hidden neurons of the network trained when no --model is given")
    parser.add_argument("--epochs", type=positive_int, default=1,
                        help="epochs of that training")
    parser.add_argument("--test-images", type=positive_int, default=1000,
                        help="how many test images the three are compared on")
    parser.add_argument("-o", "--output", metavar="FILE.onnx",
                        help="where to write the ONNX file (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and "
                        "the shuffling")
    return parser.parse_args(argv)


def the_network(args, mnist):
    """The saved model, or a 784-hidden-10 ReLU/softmax network trained on ``mnist``."""
    if args.model:
        return neurograph.load(args.model)
    X = mnist.train_images.reshape(len(mnist.train_images), -1).astype(np.float32) / 255
    Y = np.eye(10, dtype=np.float32)[mnist.train_labels]
    net = neurograph.Network.layered([784, args.hidden, 10], "relu", "softmax",
                                     "cross_entropy", "he", seed=args.seed, bias_clamp=None,
                                     dtype="float32")
    net.fit(X, Y, epochs=args.epochs, batch_size=64, learning_rate=0.05, momentum=0.9,
            seed=args.seed, progress=False)
    return net


def compare(net, path: Path, X: np.ndarray, labels: np.ndarray) -> dict:
    """Write ``net`` to ``path``, run it with onnxruntime, read it back; the figures."""
    from neurograph.io.onnx_support import require

    onnxruntime = require("onnxruntime")
    started = time.perf_counter()
    net.to_onnx(path)
    written = time.perf_counter() - started
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    started = time.perf_counter()
    back = neurograph.from_onnx(path)
    read = time.perf_counter() - started
    ours = net.predict(X)
    outputs = {"neurograph": ours,
               "onnxruntime": session.run(["output"], {"input": X.astype(np.float32)})[0],
               "read back": back.predict(X.astype(back.output_layer.dtype))}
    digits = ours.argmax(axis=1)
    return {"bytes": path.stat().st_size, "written": written, "read": read, "back": back,
            "rows": {name: (float(np.max(np.abs(out - ours))),
                            int(np.sum(out.argmax(axis=1) == digits)),
                            float(np.mean(out.argmax(axis=1) == labels)))
                     for name, out in outputs.items()}}


def main(argv=None) -> dict:
    args = parse_args(argv)
    mnist = load_mnist(quiet=True)
    net = the_network(args, mnist)
    n = min(args.test_images, len(mnist.test_images))
    X = mnist.test_images[:n].reshape(n, -1).astype(np.float32) / 255
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.output) if args.output else Path(folder) / "network.onnx"
        figures = compare(net, path, X, mnist.test_labels[:n])
    print(f"{net!r}")
    print(f"wrote {figures['bytes'] / 1e6:.2f} MB of ONNX in {figures['written'] * 1000:.0f} ms; "
          f"read it back in {figures['read'] * 1000:.0f} ms as {figures['back']!r}")
    print(f"on {n} test images          largest |output - predict|   same digit as predict   "
          "accuracy")
    for name, (difference, same, accuracy) in figures["rows"].items():
        print(f"  {name:<24} {difference:>26.1e} {same:>14}/{n} {accuracy:>16.2%}")
    return figures


if __name__ == "__main__":
    main()
