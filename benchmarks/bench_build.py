#!/usr/bin/env python
"""Build time and memory per connection (issue 16, point 4).

Builds each network ``--builds`` times and prints every build's seconds (``perf_counter``), their
median and range, and the memory the build allocated (``tracemalloc``, one separate build, since
tracing slows the build down): in all, per connection, and per connection beyond the bytes of
the parameters themselves (one weight per connection of a dense layer; a shared kernel entry
counts once). A build makes no ``Connection`` object (checked and printed); ``--first-use``
also times, after each build, the first ``net.connections``, which makes them all.

- ``dense``: ``Network.layered([784, 2048, 10], dtype="float32")`` (1,626,112 connections).
  Issue targets: under 0.1 s, at most 16 bytes per connection beyond its parameters.
- ``conv``: the README's learned convolution network, float32: 16 learned 5 x 5 kernels, max
  pooling 2, 32 learned 5 x 5 kernels, max pooling 2, then 128 ReLU and 10 softmax (1,127,680
  connections). Issue target: under 0.2 s.

Timing is never asserted; ``python benchmarks/bench_build.py --help`` lists the flags.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # benchmark this checkout, installed or not

from neurograph import Network  # noqa: E402
from neurograph.layers.convolution import convolution, max_pooling  # noqa: E402


def dense() -> Network:
    """784-2048-10, float32."""
    return Network.layered([784, 2048, 10], dtype="float32", seed=0)


def learned_convolution() -> Network:
    """The README's learned convolution network, float32."""
    front = [convolution(16, kernel_size=5, learn=True), max_pooling(2),
             convolution(32, kernel_size=5, learn=True), max_pooling(2)]
    return Network.convolutional((28, 28), front, [128, 10], seed=0, dtype="float32")


NETWORKS = {"dense": dense, "conv": learned_convolution}


def parameter_bytes(net: Network) -> int:
    """Bytes of the trainable and fixed parameters (each stored number once)."""
    total = 0
    for layer in net.receiving_layers:
        for name in ("weights", "biases"):
            values = getattr(layer, name, None)
            if values is not None and hasattr(values, "nbytes"):
                total += values.nbytes
    return total


def objects_made(net: Network) -> int:
    """How many connection objects the network's neurons hold (0 until first use)."""
    return sum(len(neuron._inputs) for layer in net.receiving_layers for neuron in layer
               if neuron._inputs is not None)


def measure(name: str, builds: int, first_use: bool = False) -> dict:
    """Time ``builds`` builds of network ``name`` (and, with ``first_use``, the first
    ``net.connections`` after each), then trace the memory of one more build."""
    build = NETWORKS[name]
    seconds, first = [], []
    for _ in range(builds):
        gc.collect()
        start = time.perf_counter()
        net = build()
        seconds.append(time.perf_counter() - start)
        if objects_made(net):
            raise SystemExit(f"{name}: the build made connection objects")
        if first_use:
            start = time.perf_counter()
            made = len(net.connections)
            first.append(time.perf_counter() - start)
            if made != objects_made(net):
                raise SystemExit(f"{name}: {made:,} connections but {objects_made(net):,} "
                                 "objects in the neurons' lists")
        del net
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    net = build()
    allocated = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    connections = sum(layer.n_connections for layer in net.receiving_layers)
    parameters = parameter_bytes(net)
    per_connection = allocated / connections
    beyond = (allocated - parameters) / connections
    print(f"{name}: {connections:,} connections; build {', '.join(f'{s:.3f}' for s in seconds)} s,"
          f" median {statistics.median(seconds):.3f} s (range {min(seconds):.3f}-"
          f"{max(seconds):.3f}); memory {allocated / 1e6:.1f} MB = {per_connection:.1f} bytes "
          f"per connection, {beyond:.1f} beyond the parameters ({parameters / 1e6:.2f} MB); "
          f"connection objects made: {objects_made(net)}")
    if first:
        print(f"{name}: first use (net.connections makes all {connections:,} objects) "
              f"{', '.join(f'{s:.3f}' for s in first)} s, median {statistics.median(first):.3f}"
              f" s (range {min(first):.3f}-{max(first):.3f})")
    return {"seconds": seconds, "bytes": allocated, "connections": connections,
            "parameter_bytes": parameters, "first_use": first}


def main(argv=None) -> int:
    """Parse the flags and measure each network asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=3, help="timed builds each (default 3)")
    parser.add_argument("--only", choices=sorted(NETWORKS), help="one network only")
    parser.add_argument("--first-use", action="store_true",
                        help="also time making every connection object after each build")
    args = parser.parse_args(argv)
    if args.builds < 1:
        parser.error(f"--builds must be >= 1, got {args.builds}")
    for name in ([args.only] if args.only else list(NETWORKS)):
        measure(name, args.builds, args.first_use)
    return 0


if __name__ == "__main__":
    sys.exit(main())
