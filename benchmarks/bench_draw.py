"""How long the diagram of a 784-100-10 network takes to draw and save (issue 4: under 3 s).

Builds the network, trains it briefly on the bundled MNIST sample so the weights and
activations are real, then times ``draw_network`` followed by ``savefig`` to a PNG, several
times, and prints the median. Headless (Agg). Nothing is asserted: this is a measurement.

    python benchmarks/bench_draw.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib.pyplot as plt  # noqa: E402

from neurograph import Network, draw_network  # noqa: E402
from neurograph.datasets import load_mnist  # noqa: E402


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    X, Y = load_mnist(quiet=True).training_set(limit=2000)
    net = Network.layered([784, 100, 10], seed=0)
    net.fit(X, Y, epochs=1, learning_rate=1.0, seed=0, progress=False)
    net.propagate(X[0])
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeats):
            started = time.perf_counter()
            ax = draw_network(net)
            ax.figure.savefig(Path(folder) / "net.png", dpi=100)
            times.append(time.perf_counter() - started)
            plt.close(ax.figure)
    median = statistics.median(times)
    print(f"784-100-10 diagram, draw + save to PNG: "
          f"{', '.join(f'{t:.3f}' for t in times)} s; median {median:.3f} s (budget 3 s)")
    return {"median": median, "times": times}


if __name__ == "__main__":
    main()
