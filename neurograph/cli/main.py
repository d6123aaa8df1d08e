"""The ``neurograph`` command: train on MNIST, then look at, draw, use and check saved models.

::

    neurograph train-mnist --hidden 16 --epochs 2 -o small.json
    neurograph train --data iris.csv --target species --standardize -o iris.json
    neurograph info small.json
    neurograph draw small.json -o small.png
    neurograph predict small.json digit.png t10k-images-idx3-ubyte.gz
    neurograph gradcheck small.json --samples 3
    neurograph convert network-export.json post.json --format neurograph

Every subcommand takes ``--help``; ``python -m neurograph`` is the same command. A problem is
reported in one line on stderr, ``neurograph: error: ...``, with exit code 2 for bad arguments
and 1 for anything else (an unreadable or invalid file, a failed gradient check).

The MNIST training flags are defined here once and shared with ``examples/train_mnist.py``
(:func:`add_train_mnist_arguments`, :func:`train_mnist`).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..core.limits import check_regular_file
from ..io import FORMAT, load, save
from ..core.network import Network
from ..optimizers import OPTIMIZERS
from ..training.loop import predict_chunk_rows

__all__ = ["main", "add_train_mnist_arguments", "check_train_mnist_arguments", "train_mnist",
           "add_optimizer_arguments", "train_table",
           "write_training_plots", "read_images", "parse_front", "positive_int",
           "non_negative_int", "finite_number", "fraction", "writable_folder_problem",
           "check_picture_size", "save_picture", "picture_path", "dots_per_inch", "DPI_RANGE",
           "MAX_PIXELS"]

TRAIN_MNIST_DESCRIPTION = ("Train a neurograph network on MNIST and report its accuracy on the "
                           "test set.")

IMAGE_SIDE = 28
"""MNIST images are 28 x 28 pixels; ``predict`` resizes other images to that."""

PLOTS_DPI = 150
"""Dots per inch of the pictures the command writes: sharp on a projector (a 10 x 4 inch
figure is 1500 x 600 pixels)."""

DPI_RANGE = (10, 1200)
"""The ``--dpi`` values the commands accept: below 10 the fonts cannot be drawn at all (FreeType
refuses), above 1200 a picture is bigger than any screen or printer needs."""

MAX_PIXELS = 100_000_000
"""The most pixels a written picture may have (100 megapixels, 400 MB as RGBA while drawing):
a figure's width times height in inches times ``dpi`` squared is checked before drawing."""


# --------------------------------------------------------------------------------------------
# Training on MNIST (shared with examples/train_mnist.py)


_SGD_DEFAULTS = {"learning_rate": 0.05, "momentum": 0.9}


def add_train_mnist_arguments(parser: argparse.ArgumentParser, *,
                              output_activation_flags: Sequence[str] = ("--output",)) -> None:
    """Add the MNIST training flags to ``parser``.

    ``output_activation_flags`` names the flag of the output layer's activation: the example
    calls it ``--output``; the ``neurograph train-mnist`` command keeps ``-o/--output`` for the
    model file and calls it ``--output-activation``. Either way it lands in
    ``args.output_activation``.
    """
    parser.add_argument("--hidden", type=int, nargs="*", default=[128],
                        help="hidden layer sizes (none for 784-10)")
    parser.add_argument("--front", nargs="*", default=[], metavar="LAYER",
                        help="a convolution front-end before the hidden layers, in order: "
                             "conv:edges_and_lines (fixed edge and line detectors), conv:32x5 "
                             "(32 random 5 x 5 kernels, fixed), conv:32x5:learn (learned), "
                             "with :padN or :strideN if wanted; maxpool:2, avgpool:2 "
                             "(with :strideN)")
    parser.add_argument("--activation", default="relu", help="hidden layers' activation")
    parser.add_argument(*output_activation_flags, dest="output_activation", default="softmax",
                        help="output layer's activation")
    parser.add_argument("--cost", default="cross_entropy",
                        help="quadratic, cross_entropy (softmax) or binary_cross_entropy")
    parser.add_argument("--init", default="he", choices=["uniform", "xavier", "he"],
                        help="how the weights start (he suits relu, xavier sigmoid and tanh)")
    parser.add_argument("--bias-clamp", type=float, default=None, metavar="C",
                        help="clamp biases to [-C, C] after each nudge (the post: 0.8)")
    parser.add_argument("--epochs", type=int, default=4, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, default=32, help="samples per mini-batch")
    add_optimizer_arguments(parser)
    parser.add_argument("--engine", default="vectorized", choices=["vectorized", "object"],
                        help="vectorized (numpy, fast) or object (neuron by neuron, readable)")
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first N training images only")
    parser.add_argument("--data", type=Path, default=None,
                        help="folder holding the four MNIST files (else $NEUROGRAPH_DATA, "
                             "then the user cache)")
    parser.add_argument("--no-download", action="store_true",
                        help="never download the full MNIST set; without it on disk, use the "
                             "bundled sample")
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the weights and the order of the samples")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"],
                        help="the floating-point type of the parameters and the data")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or epoch lines")
    parser.add_argument("--plots", type=Path, default=None, metavar="DIR",
                        help="write training curves, first-layer weight images, the confusion "
                             "matrix and the diagram as PNG files into DIR")
    parser.add_argument("--dpi", type=int, default=PLOTS_DPI,
                        help=f"dots per inch of the --plots pictures ({DPI_RANGE[0]} to {DPI_RANGE[1]})")


def add_optimizer_arguments(parser: argparse.ArgumentParser, *,
                            sgd_learning_rate: float = _SGD_DEFAULTS["learning_rate"]) -> None:
    """Add ``--optimizer``, ``--learning-rate`` and ``--momentum`` to ``parser`` (the training
    commands share them; :func:`optimizer_settings` turns them into ``fit``'s arguments), SGD's
    step size being ``sgd_learning_rate`` unless told otherwise."""
    parser.add_argument("--optimizer", default="sgd", choices=sorted(OPTIMIZERS),
                        help="sgd (with --momentum) or adam")
    parser.add_argument("--learning-rate", type=float, default=None,
                        help=f"the step size (by default {sgd_learning_rate:g} for sgd, 0.001 "
                             f"for adam)")
    parser.set_defaults(sgd_learning_rate=sgd_learning_rate)
    parser.add_argument("--momentum", type=float, default=None,
                        help="sgd's momentum (by default 0.9)")


def check_train_mnist_arguments(parser: argparse.ArgumentParser,
                                args: argparse.Namespace) -> None:
    """Refuse, through ``parser.error`` (exit code 2), what the flags' types alone do not rule
    out, before any data is loaded or downloaded."""
    from ..training.loop import resolve_optimizer

    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be a positive integer, got {args.limit}")
    if args.bias_clamp is not None and not args.bias_clamp > 0:
        parser.error(f"--bias-clamp must be positive, got {args.bias_clamp}")
    for flag, value in (("--epochs", args.epochs), ("--batch-size", args.batch_size)):
        if value < 1:
            parser.error(f"{flag} must be a positive integer, got {value}")
    if any(size < 1 for size in args.hidden):
        parser.error(f"--hidden sizes must be positive integers, got {args.hidden}")
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, got {args.seed}")
    if not DPI_RANGE[0] <= args.dpi <= DPI_RANGE[1]:
        parser.error(f"--dpi must be an integer from {DPI_RANGE[0]} to {DPI_RANGE[1]}, got "
                     f"{args.dpi}")
    try:
        resolve_optimizer(None, **optimizer_settings(args))
        front = parse_front(args.front)
        # the network itself: activations, cost and their pairing, built once (cheap)
        if front:  # shapes too; the front-end's connections are made without parameters
            Network.convolutional((IMAGE_SIDE, IMAGE_SIDE), front, [*args.hidden, 10],
                                  activation=args.activation,
                                  output_activation=args.output_activation, cost=args.cost,
                                  init=args.init, dtype=args.dtype)
        else:
            Network.layered([784, *args.hidden, 10], activation=args.activation,
                            output_activation=args.output_activation, cost=args.cost,
                            init=args.init, dtype=args.dtype)
    except ValueError as error:
        parser.error(_in_flag_words(str(error)))
    if args.plots is not None:  # say so before training, not after
        problem = writable_folder_problem(args.plots)
        if problem:
            parser.error(f"--plots {problem}")


def _in_flag_words(message: str) -> str:
    """An error of the Python API in the command line's words (``learning_rate`` is
    ``--learning-rate`` there)."""
    return message.replace("`learning_rate`", "--learning-rate").replace("`momentum`",
                                                                         "--momentum")


def writable_folder_problem(folder) -> str:
    """What stops files being written into ``folder`` (made if missing), or "" if nothing.

    ``folder`` must be a folder or not exist yet; the nearest folder that exists must accept a
    new file (tried by making an unnamed temporary file there, which also finds a read-only
    file system). Nothing is left behind.

    Examples
    --------
    >>> writable_folder_problem(".")
    ''
    """
    import tempfile

    path = Path(folder)
    if path.exists() and not path.is_dir():
        return f"names a folder to write into, got {os.fspath(folder)!r}, which is a file"
    existing = path.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"names a folder to write into, but {existing} is a file"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        return f"folder {os.fspath(folder)!r} cannot be written: {existing}: {error.strerror}"
    return ""


def optimizer_settings(args: argparse.Namespace) -> dict:
    """``fit``'s optimizer arguments from the flags: SGD takes 0.05 and momentum 0.9 unless
    told otherwise; another optimizer its own defaults (``--momentum`` is SGD's alone)."""
    settings = {"optimizer": args.optimizer, "learning_rate": args.learning_rate,
                "momentum": args.momentum}
    if args.optimizer == "sgd":
        defaults = {**_SGD_DEFAULTS, "learning_rate": getattr(args, "sgd_learning_rate",
                                                              _SGD_DEFAULTS["learning_rate"])}
        settings.update({name: value for name, value in defaults.items()
                         if settings[name] is None})
    return settings


def parse_front(items: Sequence[str]) -> list:
    """The ``--front`` layers as recipes for :meth:`Network.convolutional`.

    ``conv:KERNELS[:learn][:padN][:strideN]`` with KERNELS a bank name (``edges_and_lines``)
    or ``MAPSxSIDE`` (random kernels); ``maxpool:SIZE[:strideN]``, ``avgpool:SIZE[:strideN]``.

    Examples
    --------
    >>> [recipe.layer_class.__name__ for recipe in parse_front(["conv:8x5:learn", "maxpool:2"])]
    ['ConvolutionLayer', 'MaxPoolingLayer']
    """
    from ..layers.convolution import average_pooling, convolution, max_pooling

    recipes = []
    for item in items:
        kind, _, rest = item.partition(":")
        parts = rest.split(":") if rest else []
        options = {}
        try:
            for part in parts[1:]:
                if part == "learn" and kind == "conv":
                    options["learn"] = True
                elif part.startswith("stride"):
                    options["stride"] = int(part[6:])
                elif part.startswith("pad") and kind == "conv":
                    options["padding"] = int(part[3:])
                else:
                    raise ValueError
            if kind == "conv" and parts:
                kernels = parts[0]
                if "x" in kernels:
                    maps, side = (int(v) for v in kernels.split("x"))
                    options.update(kernels=maps, kernel_size=side)
                else:
                    options["kernels"] = kernels
                recipes.append(convolution(**options))
            elif kind in ("maxpool", "avgpool") and len(parts) >= 1:
                pooling = max_pooling if kind == "maxpool" else average_pooling
                recipes.append(pooling(int(parts[0]), **options))
            else:
                raise ValueError
        except ValueError:
            raise ValueError(f"--front layers must look like conv:edges_and_lines, "
                             f"conv:32x5:learn, maxpool:2 or avgpool:2, got {item!r}") from None
    return recipes


def train_mnist(args: argparse.Namespace, *, save_to=None) -> dict:
    """Train as the flags say; return the figures (test accuracy, cost, seconds, data used).

    The returned dict holds ``test_accuracy``, ``test_cost``, ``train_accuracy``, ``seconds``,
    ``source``, ``is_sample``, ``network``, ``history`` and, with ``--plots``, ``plots``.
    With ``save_to`` (a model file path) the trained network is saved there before the
    pictures are drawn, so a picture that cannot be written loses no training.
    """
    from ..io.datasets import load_mnist
    from ..core.network import Network

    data = load_mnist(args.data, download=not args.no_download)
    X, Y = data.training_set(dtype=args.dtype, limit=args.limit)
    X_test, Y_test = data.test_set(dtype=args.dtype)
    clamp = None if args.bias_clamp is None else (-args.bias_clamp, args.bias_clamp)
    front = parse_front(args.front)
    if front:
        net = Network.convolutional((IMAGE_SIDE, IMAGE_SIDE), front, [*args.hidden, 10],
                                    activation=args.activation,
                                    output_activation=args.output_activation, cost=args.cost,
                                    init=args.init, seed=args.seed, bias_clamp=clamp,
                                    dtype=args.dtype)
    else:
        net = Network.layered([784, *args.hidden, 10], activation=args.activation,
                              output_activation=args.output_activation, cost=args.cost,
                              init=args.init, seed=args.seed, bias_clamp=clamp,
                              dtype=args.dtype)
    net.output_labels = [str(digit) for digit in range(10)]  # the diagram labels its outputs
    print(f"{net} on {len(X):,} training images ({data.source}), {args.engine} engine")
    started = time.perf_counter()
    history = net.fit(X, Y, epochs=args.epochs, batch_size=args.batch_size,
                      **optimizer_settings(args),
                      engine=args.engine, seed=args.seed, progress=not args.quiet,
                      validation=None if args.plots is None else (X_test, Y_test),
                      validation_name="test")
    seconds = time.perf_counter() - started
    test = net.evaluate(X_test, Y_test)
    print(f"test accuracy: {test['accuracy']:.2%} on {len(X_test):,} test images "
          f"(cost {test['cost']:.4f}; trained {args.epochs} epochs in {seconds:.1f} s)")
    figures = {"test_accuracy": test["accuracy"], "test_cost": test["cost"],
               "train_accuracy": history.accuracy[-1], "seconds": seconds,
               "source": data.source, "is_sample": data.is_sample, "network": net,
               "history": history}
    if save_to is not None:
        save(net, save_to)
        print(f"model written to {os.fspath(save_to)}")
    if args.plots is not None:
        figures["plots"] = write_training_plots(net, history, X_test, data.test_labels,
                                                args.plots, dpi=args.dpi)
        print(f"pictures written to {args.plots}: {', '.join(p.name for p in figures['plots'])}")
    return figures


def write_training_plots(net, history, X_test, labels, folder: Path, *,
                         dpi: int = PLOTS_DPI) -> list:
    """Training curves (the held-out curves are the test set's, and say so), the first
    layer's incoming weights as 28 x 28 images, the confusion matrix on the test set, and the
    diagram (activations of the first test image), as PNG files in ``folder`` at ``dpi`` dots
    per inch; returns their paths.

    Each figure is saved as it is (no cropping), so a file is its figure's size in inches
    times ``dpi`` pixels, and holds what the figure holds.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..drawing.diagram import draw_network
    from ..drawing.plots import plot_confusion_matrix, plot_history, plot_weights

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    axes = plot_history(history, validation_label="test")  # whatever fit was told
    figures = [("history.png", axes[0].figure)]
    figures.append(("weights.png", plot_weights(net.receiving_layers[0], max_neurons=64).figure))
    figures.append(("confusion.png", plot_confusion_matrix(net, X_test, labels).figure))
    net.propagate(X_test[0])
    figures.append(("network.png", draw_network(net).figure))
    paths = []
    try:
        for name, figure in figures:
            check_picture_size(figure, dpi, folder / name)
            save_picture(figure, folder / name, dpi=dpi)
            paths.append(folder / name)
    finally:
        for _, figure in figures:
            plt.close(figure)
    return paths


def check_picture_size(figure, dpi: int, path) -> None:
    """Refuse, before drawing anything, a picture of more than :data:`MAX_PIXELS` pixels.

    Raises
    ------
    ValueError
        Naming ``path``, the size in pixels and ``--dpi``.
    """
    width, height = (float(inches) * dpi for inches in figure.get_size_inches())
    if width * height > MAX_PIXELS:
        raise ValueError(f"{os.fspath(path)}: at --dpi {dpi} the picture would be "
                         f"{width:,.0f} x {height:,.0f} pixels, more than the "
                         f"{MAX_PIXELS:,} allowed; use a smaller --dpi")


def save_picture(figure, path, *, dpi: int) -> None:
    """``figure.savefig(path, dpi=dpi)`` as it is (no cropping); an ``OSError`` (a full disk)
    names ``path``."""
    try:
        figure.savefig(path, dpi=dpi)
    except OSError as error:
        if error.filename is not None or error.errno is None:
            raise
        raise type(error)(error.errno, error.strerror, os.fspath(path)) from None


def _one_blas_thread() -> None:
    """One OpenBLAS thread unless ``OPENBLAS_NUM_THREADS`` says otherwise, as the example does.

    The example sets the variable before numpy loads; by the time this command runs numpy is
    loaded, so the setting goes to the OpenBLAS library numpy uses, found among the process's
    mapped files (Linux; elsewhere nothing happens). A mini-batch's matrices are small, and on
    a busy 2-core machine OpenBLAS's spinning threads made an epoch up to 20 times slower.
    """
    if "OPENBLAS_NUM_THREADS" in os.environ or not os.path.exists("/proc/self/maps"):
        return
    import ctypes

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        for path in sorted(paths):
            library = ctypes.CDLL(path)
            for name in ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
                         "scipy_openblas_set_num_threads", "openblas_set_num_threads64_"):
                if hasattr(library, name):
                    getattr(library, name)(1)
                    break
    except (OSError, ValueError, IndexError):
        pass  # only a matter of speed


def _train_mnist_command(args: argparse.Namespace) -> int:
    check_train_mnist_arguments(args.parser, args)
    model = _check_model_path(args.model, " (the output layer's activation is "
                                          "--output-activation)")
    _one_blas_thread()
    train_mnist(args, save_to=model)  # saved before the pictures, which may fail
    return 0


def _check_model_path(model, hint: str = "") -> str:
    """``model``, the model file a training command will write, checked before training: a
    .json file in a folder that exists and can be written."""
    model = os.fspath(model)
    if not model.endswith(".json"):  # `--output sigmoid` meant the activation, in the example
        raise _UsageError(f"-o/--output names the model file and must end in .json, got "
                          f"{model!r}{hint}")
    folder = os.path.dirname(os.path.abspath(model))
    if not os.path.isdir(folder):  # say so before training, not after
        raise FileNotFoundError(f"{model}: the folder {folder} does not exist")
    if os.path.isdir(model):
        raise _UsageError(f"-o/--output names the model file, got {model!r}, which is a folder")
    problem = writable_folder_problem(folder)
    if problem:
        raise PermissionError(f"{model}: cannot be written: {problem}")
    return model


# --------------------------------------------------------------------------------------------
# train: your own data (CSV or NPZ)


TRAIN_DESCRIPTION = (
    "Train a network on your own data, a CSV file (a header row naming the columns, then one "
    "row per sample) or an NPZ file (arrays X (n, d) and Y (n,) or (n, k)), and report its "
    "accuracy (classification) or RMSE (regression) on a held-out part. A single target "
    "column whose values are not all numbers, or are whole numbers with at most 20 distinct "
    "values, is a column of labels: classification, one output per class (softmax, "
    "cross-entropy), the class names kept in the model. Otherwise, or with several target "
    "columns, regression (identity outputs, quadratic cost). --task overrules the guess. The "
    "whole file is read and checked first: a problem is reported in one line naming the "
    "file, the row (the header is row 1) and the column, and nothing is trained or written.")


def _how_many(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: ``"1 input"``, ``"2,000 rows"``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _add_train_command(commands, formatter) -> None:
    train = commands.add_parser("train", formatter_class=formatter,
                                help="train on your own CSV or NPZ data and save the model",
                                description=TRAIN_DESCRIPTION)
    train.add_argument("--data", required=True, metavar="FILE", help="a .csv or .npz file")
    train.add_argument("--target", nargs="+", default=None, metavar="COLUMN",
                       help="the target column(s) of a CSV file; by default the last column")
    train.add_argument("--task", choices=["classification", "regression"], default=None,
                       help="overrule the guess from the target's values")
    train.add_argument("--hidden", type=positive_int, nargs="*", default=[16, 16],
                       help="hidden layer sizes (none for a single layer)")
    train.add_argument("--activation", default="relu", help="hidden layers' activation")
    add_optimizer_arguments(train, sgd_learning_rate=0.01)  # 0.05 lost a regression's fit
    train.add_argument("--epochs", type=positive_int, default=20,
                       help="passes over the training rows")
    train.add_argument("--batch-size", type=positive_int, default=32,
                       help="rows per mini-batch")
    train.add_argument("--test-fraction", type=fraction, default=0.2,
                       help="the share of rows held out to test on (stratified by class "
                            "for classification)")
    train.add_argument("--seed", type=non_negative_int, default=0,
                       help="seeds the split, the weights and the order of the rows")
    train.add_argument("--standardize", action="store_true",
                       help="scale each input column to mean 0 and standard deviation 1 (as "
                            "measured on the training rows; a constant column's is taken as "
                            "1); the model file keeps the scaling, and the loaded network's "
                            "predict applies it to raw rows")
    train.add_argument("--quiet", action="store_true", help="no progress bar or epoch lines")
    train.add_argument("-o", "--output", dest="model", default="model.json",
                       metavar="MODEL.json", help="where to save the trained model")
    train.set_defaults(run=_train_command, parser=train)


def _train_command(args: argparse.Namespace) -> int:
    from ..io.tables import read_table
    from ..training.loop import resolve_optimizer

    try:
        resolve_optimizer(None, **optimizer_settings(args))
        # the activation and the hidden sizes, before the file is read (its width comes later)
        Network.layered([1, *args.hidden, 2], activation=args.activation, bias_clamp=None)
    except ValueError as error:
        args.parser.error(_in_flag_words(str(error)))
    model = _check_model_path(args.model)
    started = time.perf_counter()
    table = read_table(args.data, args.target, args.task)  # all of it, checked, first
    read_seconds = time.perf_counter() - started
    _one_blas_thread()
    train_table(table, args, save_to=model, read_seconds=read_seconds)
    return 0


def train_table(table, args: argparse.Namespace, *, save_to=None,
                read_seconds: float = 0.0) -> dict:
    """Train on a :class:`~neurograph.io.tables.Table` as the ``neurograph train`` flags say,
    print what was trained and the held-out accuracy or RMSE, and save the network to
    ``save_to`` (if given) only once it is trained.

    Returns ``{"network", "train", "test", "test_accuracy" or "test_rmse", "seconds"}``
    (``train`` and ``test`` the row indices).
    """
    from ..io.tables import split_rows, standardization

    train, test = split_rows(table, args.test_fraction, seed=args.seed)
    classify = table.task == "classification"
    relu_like = "relu" in args.activation.lower()
    net = Network.layered([table.X.shape[1], *args.hidden, table.Y.shape[1]],
                          activation=args.activation,
                          output_activation="softmax" if classify else "identity",
                          cost="cross_entropy" if classify else "quadratic",
                          init="he" if relu_like else "xavier", seed=args.seed,
                          bias_clamp=None)
    what = (f"classification of {table.target_names[0]!r} into {len(table.classes)} classes: "
            f"{', '.join(table.classes)}" if classify else
            f"regression of {', '.join(map(repr, table.target_names))}")
    print(f"{table.source}: {_how_many(len(table.X), 'row')} ({len(train):,} to train on, "
          f"{len(test):,} held out), {_how_many(table.X.shape[1], 'input')}; {what}")
    # the diagram writes the names beside the neurons; predict reads a CSV's columns by them
    net.output_labels = list(table.classes if classify else table.target_names)
    net.input_labels = list(table.input_names)
    if args.standardize:
        mean, scale = standardization(table.X[train])
        net.input_scaling = (mean, scale)
        constant = [name for name, s, column in zip(table.input_names, scale, table.X[train].T)
                    if s == 1.0 and np.ptp(column) == 0]
        print("inputs standardized to mean 0 and standard deviation 1 on the training rows"
              + (f" (constant, so scale 1: {', '.join(constant)})" if constant else ""))
    started = time.perf_counter()
    net.fit(table.X[train], table.Y[train], epochs=args.epochs, batch_size=args.batch_size,
            **optimizer_settings(args), seed=args.seed, progress=not args.quiet)
    seconds = time.perf_counter() - started
    print(f"{net} trained for {_how_many(args.epochs, 'epoch')} in {seconds:.2f} s (file read in "
          f"{read_seconds:.2f} s)")
    outputs = net.predict(table.X[test])  # raw rows: the network applies its scaling
    figures = {"network": net, "train": train, "test": test, "seconds": seconds}
    if classify:
        right = outputs.argmax(axis=1) == table.labels[test]
        figures["test_accuracy"] = float(right.mean())
        print(f"test accuracy: {right.mean():.2%} on {_how_many(len(test), 'held-out row')}")
    else:
        errors = outputs - table.Y[test]
        figures["test_rmse"] = float(np.sqrt(np.mean(errors ** 2)))
        per_column = "" if errors.shape[1] == 1 else " (" + ", ".join(
            f"{name} {np.sqrt(np.mean(e ** 2)):.4g}"
            for name, e in zip(table.target_names, errors.T)) + ")"
        print(f"test RMSE: {figures['test_rmse']:.4g} on {_how_many(len(test), 'held-out row')}"
              f"{per_column}")
    if save_to is not None:
        save(net, save_to)
        print(f"model written to {os.fspath(save_to)}")
    return figures


# --------------------------------------------------------------------------------------------
# info, draw


def _info(args: argparse.Namespace) -> int:
    from ..io.modelfile import version_of

    def _dims(shape) -> str:  # (12, 26, 26) as 12 x 26 x 26
        return " x ".join(map(str, shape))

    from ..io.postformat import is_post_file

    net = load(args.model)
    if is_post_file(args.model):  # its cost, clamp and dtype are the post's, not the file's
        print(f"{args.model}: the post's network-export format")
    else:
        print(f"{args.model}: {FORMAT} version {version_of(net)}")
    print("layers:")
    n_weights = n_biases = n_connections = 0
    for layer in net.layers:
        if layer.index == 0:
            line = f"  {layer.index:>2}  {'input':<7} {layer.size:>7,}"
            if len(layer.shape) > 1:
                line += f"  {_dims(layer.shape)}"
        else:  # each layer kind says what it is
            kind, details, weights, biases = layer.summary()
            line = f"  {layer.index:>2}  {kind:<7} {layer.size:>7,}  {details}"
            n_weights, n_biases = n_weights + weights, n_biases + biases
            n_connections += layer.n_connections
            line = "\n".join([line] + [f"{'':>21}{more}" for more in layer.source_summary()])
        print(line)
    optimizer = net.optimizer
    moving = any(values.any() for slots in optimizer.state.values()
                 for values in slots.arrays.values())
    print(f"weights: {n_weights:,}")
    print(f"biases: {n_biases:,}")
    print(f"parameters: {n_weights + n_biases:,}")
    print(f"connections: {n_connections:,}")
    print(f"cost: {net.cost_function.name}")
    clamp = net.bias_clamp
    print(f"bias clamp: {'none' if clamp is None else f'[{clamp[0]:g}, {clamp[1]:g}]'}")
    print(f"dtype: {net.output_layer.dtype}")
    if net.hidden_derivative != "sum":
        print("hidden dC/da: mean over outgoing connections (the post's averaging)")
    if net.input_scaling is not None:
        print("input scaling: (x - mean) / scale per input, applied to raw rows by predict")
    if "velocity" in optimizer.slot_names:
        print(f"momentum velocities: "
              f"{'saved (training with momentum resumes)' if moving else 'zero'}")
    else:
        print(f"optimizer: {optimizer!r}, {', '.join(optimizer.slot_names)} "
              f"{f'saved at step {optimizer.steps}' if moving else 'zero'}")
    return 0


def diagram_figure(net, **options):
    """The diagram of ``net`` on a Figure of its own (Agg canvas: no pyplot state, no window,
    nothing left open), sized to what it draws; ``options`` go to ``draw_network``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..drawing.diagram import draw_network
    from ..drawing.diagram_fit import fit_figure_to_axes

    figure = Figure(figsize=(max(4.0, 1.8 * len(net.layers) + 1.5), 5.0))
    FigureCanvasAgg(figure)
    ax = draw_network(net, ax=figure.add_subplot(), **options)
    fit_figure_to_axes(ax)  # the figure grows round the colour bars, legend and notes
    return figure


def picture_path(output: str) -> str:
    """The file ``savefig(output)`` writes: ``output``, or ``output.png`` when it has no
    extension (matplotlib's default format).

    Examples
    --------
    >>> picture_path("net.svg"), picture_path("net")
    ('net.svg', 'net.png')
    """
    import matplotlib

    output = os.fspath(output)
    if os.path.splitext(output)[1]:
        return output
    return f"{output}.{matplotlib.rcParams['savefig.format']}"


def _draw(args: argparse.Namespace) -> int:
    written = picture_path(args.output)
    for path in dict.fromkeys([args.output, written]):
        if os.path.isdir(path):
            raise _UsageError(f"-o/--output names the picture file, got {path!r}, which is a "
                              f"folder")
    net = load(args.model)
    figure = diagram_figure(net, color_by=args.color_by, max_connections=args.max_connections,
                            max_neurons=args.max_neurons)
    check_picture_size(figure, args.dpi, written)
    save_picture(figure, written, dpi=args.dpi)  # plain: the figure holds what it draws
    print(f"diagram of {net} written to {written}")
    return 0


# --------------------------------------------------------------------------------------------
# predict


def read_images(path, *, preprocess: bool = False) -> tuple[np.ndarray, list[str], list[str]]:
    """Read ``path``, an image (PNG, JPEG, ... as Pillow reads) or an IDX file of images, as
    MNIST-like 28 x 28 grayscale images.

    An image is made grayscale (transparent parts show white) and inverted when its mean
    brightness is above one half: MNIST digits are light on a dark background. Then, with
    ``preprocess``, it is prepared as MNIST's digits were, by
    :func:`neurograph.digits.preprocess_digit` (cropped to its ink, scaled to fit 20 x 20,
    centred by its centre of mass; the median pixel counts as background, so a grey paper
    is not all ink); without it, it is only resized to 28 x 28. An IDX
    file (gzip-compressed or raw, recognised by its first bytes) holds one image (2
    dimensions) or many (3), taken as already prepared; they are resized if need be but never
    inverted.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    preprocess : bool
        Prepare a Pillow image with ``preprocess_digit`` instead of a plain resize (the
        ``neurograph predict`` command does, unless told ``--no-preprocess``).

    Returns
    -------
    images : numpy.ndarray
        ``uint8``, shape ``(n, 28, 28)``, 0 the background.
    names : list of str
        ``path`` for an image, ``path[k]`` for image ``k`` of an IDX file.
    notes : list of str
        What was done to each image (``"resized from 640 x 480"``, ``"inverted: ..."``), or "".

    Raises
    ------
    ValueError
        If the file is neither a readable image nor an IDX file of images, or holds an image of
        no pixels, pixels that are not numbers (NaN), or more pixels than Pillow's
        ``Image.MAX_IMAGE_PIXELS`` (a possible decompression bomb); the message names it.
    OSError
        If the file cannot be read.
    """
    name = os.fspath(path)
    check_regular_file(path, "image file")  # a named pipe would block, /dev/zero never end
    with open(path, "rb") as file:
        head = file.read(4)
    if head[:2] == b"\x1f\x8b" or head[:3] == b"\x00\x00\x08":
        from ..io.datasets import read_idx

        array = read_idx(path)
        if array.ndim == 2:
            array = array[None]
        if array.ndim != 3 or 0 in array.shape:
            raise ValueError(f"{name}: an IDX file of images must be n x height x width, each at "
                             f"least 1, got shape {array.shape}")
        notes = [""] * len(array)
        if array.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            notes = [f"resized from {array.shape[2]} x {array.shape[1]}"] * len(array)
            array = np.stack([_resized(image) for image in array])
        return array, [f"{name}[{k}]" for k in range(len(array))], notes

    pixels, size = _read_picture(path, name)
    notes = []
    if pixels.mean() / 255 > 0.5:
        pixels = 255 - pixels
        notes.append("inverted: it was dark on light, MNIST is light on dark")
    if preprocess:
        from ..io.digits import preprocess_digit

        background = float(np.median(pixels))  # 0 for MNIST's and a clean drawing's
        ink = np.clip((pixels - background) / max(255 - background, 1.0), 0.0, 1.0)
        prepared = np.rint(preprocess_digit(ink) * 255).astype(np.uint8).reshape(
            IMAGE_SIDE, IMAGE_SIDE)
        if pixels.shape != prepared.shape or (prepared != pixels).any():  # say what was done
            notes.insert(0, f"prepared as MNIST from {size[0]} x {size[1]}")
        pixels = prepared
    elif pixels.shape != (IMAGE_SIDE, IMAGE_SIDE):
        pixels = _resized(pixels)
        notes.insert(0, f"resized from {size[0]} x {size[1]}")
    return pixels[None], [name], ["; ".join(notes)]


class _BadPixels(ValueError):
    """An image Pillow reads whose pixels are no digit: NaN, or none at all."""


def _read_picture(path, name: str) -> tuple[np.ndarray, tuple[int, int]]:
    """The image in ``path`` as a 2-D ``uint8`` array (0 black) and its (width, height);
    refused in one line (``ValueError`` naming the file) when Pillow cannot read it, when it
    is bigger than ``Image.MAX_IMAGE_PIXELS`` (Pillow's guard against decompression bombs,
    whose warning becomes the refusal here) or its pixels are not numbers."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                return _grayscale(image), image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ValueError(f"{name}: refused as a possible decompression bomb: {error}") from None
    except UnidentifiedImageError as error:
        raise ValueError(f"{name}: not an image Pillow can read, nor an IDX file "
                         f"({type(error).__name__})") from None
    except _BadPixels as error:
        raise ValueError(f"{name}: {error}") from None
    except (OSError, SyntaxError, ValueError) as error:  # Pillow's ways of saying "damaged"
        raise ValueError(f"{name}: the image cannot be decoded: {error}") from None


def _grayscale(image) -> np.ndarray:
    """A Pillow image as a 2-D ``uint8`` array, 0 black; transparency shows white."""
    from PIL import Image

    if 0 in image.size:
        raise _BadPixels(f"the image has no pixels ({image.size[0]} x {image.size[1]})")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):  # 16-bit and float grays
        values = np.asarray(image, dtype=np.float64)
        if not np.isfinite(values).all():
            raise _BadPixels("its pixels must be numbers, got NaN or infinity")
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
        return np.clip(np.rint(values / top * 255), 0, 255).astype(np.uint8)
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _resized(pixels: np.ndarray) -> np.ndarray:
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8), mode="L")
    return np.asarray(image.resize((IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.LANCZOS),
                      dtype=np.uint8)


def _predict(args: argparse.Namespace) -> int:
    net = load(args.model)
    if any(_is_table(path) for path in args.images):
        return _predict_rows(net, args.images)
    if net.input_layer.size != IMAGE_SIDE * IMAGE_SIDE:
        raise ValueError(f"{args.model}: predict reads {IMAGE_SIDE} x {IMAGE_SIDE} images, so the "
                         f"model must have {IMAGE_SIDE * IMAGE_SIDE} inputs, got "
                         f"{net.input_layer.size}")
    if net.output_layer.size != 10:
        raise ValueError(f"{args.model}: a digit model needs 10 outputs, one per digit, got "
                         f"{net.output_layer.size}")
    read = [read_images(path, preprocess=not args.no_preprocess)  # every file, before any output
            for path in args.images]
    dtype = net.output_layer.dtype
    what = "probability" if net.output_layer.activation_function.layerwise else "activation"
    rows = predict_chunk_rows(net)
    for images, names, notes in read:
        for start in range(0, len(images), rows):  # a chunk at a time: floats cost 8 x uint8
            outputs = _predict_images(net, images[start:start + rows], dtype)
            for name, note, output in zip(names[start:start + rows], notes[start:start + rows],
                                          outputs):
                k = int(np.argmax(output))
                print(f"{name}: {k} ({what} {float(output[k]):.4f}"
                      f"{'; ' + note if note else ''})")
    return 0


def _is_table(path) -> bool:
    return os.fspath(path).lower().endswith((".csv", ".npz"))


def _predict_rows(net, paths: Sequence) -> int:
    """``predict`` on CSV or NPZ files: a line per row, the class and its probability for a
    softmax output, else each output's value (named by the model's ``output_labels``)."""
    from ..io.tables import read_inputs

    if not all(_is_table(path) for path in paths):
        raise _UsageError("give either image files or data files (.csv, .npz), not both")
    read = [read_inputs(path, net.input_layer.size, net.input_labels)  # every file first
            for path in paths]
    classify = net.output_layer.activation_function.layerwise
    names = net.output_labels or [f"output {k}" for k in range(net.output_layer.size)]
    for X, where in read:
        outputs = net.predict(X)  # raw rows: the model applies its input_scaling
        for place, output in zip(where, outputs):
            if classify:
                k = int(np.argmax(output))
                print(f"{place}: {names[k]} (probability {float(output[k]):.4f})")
            else:
                print(f"{place}: " + ", ".join(f"{name} {float(value):.6g}"
                                               for name, value in zip(names, output)))
    return 0


def _predict_images(net, images: np.ndarray, dtype) -> np.ndarray:
    """The network's outputs for ``uint8`` images ``(n, 28, 28)``, scaled as MNIST was."""
    X = images.reshape(len(images), -1).astype(dtype)
    X /= 255  # as neurograph.datasets scales MNIST
    return net.predict(X)


# --------------------------------------------------------------------------------------------
# gradcheck


_H = 1e-3  # gradient_check's default finite-difference step


def _random_sample(net, rng: np.random.Generator, one_hot: bool) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(0.0, 1.0, net.input_layer.size)
    n_out = net.output_layer.size
    if one_hot:  # softmax: a target is a distribution
        y = np.zeros(n_out)
        y[rng.integers(n_out)] = 1.0
    else:
        y = rng.uniform(0.0, 1.0, n_out)
    return x, y


def _clear_of_kinks(net, x: np.ndarray) -> bool:
    """Whether no neuron with a ``kinked`` activation (relu, leaky_relu) has its ``z`` so near 0
    that the finite differences (steps up to ``2h`` in a parameter or an activation) could cross
    its kink: there the difference quotient is no derivative, and the check would blame correct
    code."""
    from ..engines.vectorized import forward_pass

    passed = forward_pass(net, x[None, :])  # the one forward pass, for every layer kind
    for layer, a, z in zip(net.receiving_layers, passed.activations, passed.zs):
        if layer.activation_function.kinked:
            margin = 4 * _H * max(1.0, float(np.abs(a).max())) * max(
                1.0, float(np.abs(layer.weights).max(initial=0.0)))
            if float(np.abs(z).min()) < margin:
                return False
    return True


def _convert(args: argparse.Namespace) -> int:
    net = load(args.source)
    save(net, args.target, format=args.format)
    print(f"{args.target}: written in the {args.format} format ({net!r})")
    return 0


def _web(args: argparse.Namespace) -> int:
    from ..web import write_site

    net = load(args.model)
    written = write_site(net, args.output, force=args.force)
    size = sum(path.stat().st_size for path in written)
    print(f"{args.output}: the web page of {net!r} ({size / 1e6:.2f} MB); open "
          f"{written[0]} in a browser, or publish the folder on any static host")
    return 0


def _export(args: argparse.Namespace) -> int:
    from ..io.onnx_export import write_onnx
    from ..io.onnx_support import OPSET

    target = Path(args.output)
    if target.is_dir():
        raise ValueError(f"`OUT` must be a file, got the folder {target}")
    if target.exists() and not args.force:
        raise ValueError(f"{target} exists: choose another name, or pass --force to replace it")
    net = load(args.model)
    try:
        write_onnx(net, target)
    except ImportError as error:  # the optional package: one line, not "unexpected"
        print(f"neurograph: error: {_one_line(error)}", file=sys.stderr)
        return 1
    print(f"{target}: ONNX (opset {OPSET}, float32) of {net!r} ({target.stat().st_size:,} "
          "bytes), input 'input', output 'output'; open it in Netron or run it with onnxruntime")
    return 0


def _gradcheck(args: argparse.Namespace) -> int:
    from ..teaching.gradcheck import gradient_check

    net = load(args.model, dtype="float64")  # finite differences need float64 (exact from f32)
    rng = np.random.default_rng(args.seed)
    one_hot = net.output_layer.activation_function.layerwise
    kinked = any(layer.activation_function.kinked for layer in net.receiving_layers)
    worst, worst_sample = None, 0
    for s in range(1, args.samples + 1):
        x, y = _random_sample(net, rng, one_hot)
        skipped = 0
        while kinked and not _clear_of_kinks(net, x) and skipped < 1000:
            x, y = _random_sample(net, rng, one_hot)
            skipped += 1
        result = gradient_check(net, x, y, h=_H, max_parameters=args.max_parameters or None,
                                seed=rng)
        near = ""
        if skipped:
            near = (f"; {skipped} draws with a neuron near its kink skipped" if skipped < 1000
                    else "; a neuron is near its kink (no clear sample in 1,000 draws)")
        kinks = (f", {result.n_at_kinks:,} at a kink not compared" if result.n_at_kinks
                 else "")
        print(f"sample {s}: worst relative error {result.max_relative_error:.3g} at "
              f"dC/d{result.quantity} of {result.where!r} ({result.n_checked:,} derivatives "
              f"checked{kinks}{near})")
        if worst is None or result.max_relative_error > worst.max_relative_error:
            worst, worst_sample = result, s
    print(f"worst relative error: {worst.max_relative_error:.3g} (sample {worst_sample}) at "
          f"dC/d{worst.quantity} of {worst.where!r}: analytic {worst.analytic:.9g}, numeric "
          f"{worst.numeric:.9g}")
    if worst.max_relative_error <= args.tolerance:
        print(f"ok: below the tolerance {args.tolerance:g}")
        return 0
    print(f"FAILED: above the tolerance {args.tolerance:g}")
    return 1


# --------------------------------------------------------------------------------------------
# The command


class _UsageError(Exception):
    """Bad arguments: reported in one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _integer_from(minimum: int, what: str):
    """An argparse type: an integer of at least ``minimum``, described as ``what``."""
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value
    return convert


positive_int = _integer_from(1, "a positive integer")
positive_int.__doc__ = """An argparse ``type``: a positive integer, else an error naming the flag."""
non_negative_int = _integer_from(0, "an integer >= 0")
non_negative_int.__doc__ = """An argparse ``type``: an integer >= 0, else an error naming the flag."""
_positive_int, _count = positive_int, non_negative_int


def finite_number(minimum: float = 0.0, *, above: bool = True):
    """An argparse ``type``: a finite number above ``minimum`` (or at least it, with
    ``above=False``); anything else is an error naming the flag (exit code 2).

    Examples
    --------
    >>> finite_number(0.0)("0.5")
    0.5
    """
    what = f"a finite number {'above' if above else 'of at least'} {minimum:g}"

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if not (np.isfinite(value) and (value > minimum if above else value >= minimum)):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return value
    return convert


def fraction(text: str) -> float:
    """An argparse ``type``: a number strictly between 0 and 1, else an error naming the flag.

    Examples
    --------
    >>> fraction("0.2")
    0.2
    """
    value = finite_number(0.0)(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text!r}")
    return value


def dots_per_inch(text: str) -> int:
    """An argparse ``type``: an integer in :data:`DPI_RANGE`, else an error naming the flag."""
    value = _integer_from(DPI_RANGE[0], f"an integer from {DPI_RANGE[0]} to {DPI_RANGE[1]}")(text)
    if value > DPI_RANGE[1]:
        raise argparse.ArgumentTypeError(f"must be an integer from {DPI_RANGE[0]} to "
                                         f"{DPI_RANGE[1]}, got {value}")
    return value


def _make_parser() -> _Parser:
    from .. import __version__

    parser = _Parser(prog="neurograph", description="Train a network on MNIST, then look at, "
                     "draw, use and check saved models. Each command takes --help.")
    parser.add_argument("--version", action="version", version=f"neurograph {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formatter = argparse.ArgumentDefaultsHelpFormatter

    train = commands.add_parser(
        "train-mnist", formatter_class=formatter, help="train on MNIST and save the model",
        description=TRAIN_MNIST_DESCRIPTION + " The flags are those of examples/train_mnist.py, "
        "except that the output layer's activation is --output-activation; -o/--output names "
        "the model file.")
    add_train_mnist_arguments(train, output_activation_flags=("--output-activation",))
    train.add_argument("-o", "--output", dest="model", default="mnist.json", metavar="MODEL.json",
                       help="where to save the trained model")
    train.set_defaults(run=_train_mnist_command, parser=train)
    _add_train_command(commands, formatter)

    info = commands.add_parser(
        "info", formatter_class=formatter, help="describe a saved model",
        description="Print a model's layers (kind, size, activation, static neurons), its "
        "parameter counts, cost, bias clamp and dtype.")
    info.add_argument("model", metavar="MODEL", help="a model file written by neurograph, or "
                      "the post's network-export.json")
    info.set_defaults(run=_info)

    _add_draw_command(commands, formatter)

    predict = commands.add_parser(
        "predict", formatter_class=formatter, help="classify digit images with a saved model",
        description="Print, for each image, the digit the model predicts and its confidence "
        "(the softmax probability, or the output activation). Images are PNG, JPEG or any "
        "format Pillow reads, made grayscale; an image lighter than mid-grey on average is "
        "inverted (MNIST digits are light on dark), and the line says so. Then it is prepared "
        "as MNIST's digits were (cropped to its ink, scaled to fit 20 x 20, centred by its "
        "centre of mass in 28 x 28), or with --no-preprocess only resized to 28 x 28. IDX "
        "files (as MNIST's, gzip-compressed or not) give a line per image, taken as prepared. "
        "CSV or NPZ files (.csv, .npz: any model, such as one made by 'neurograph train') give "
        "a line per row: its class and probability (softmax), else each output's value. A "
        "CSV file's inputs are the columns the model was trained on, by name; the model's "
        "--standardize scaling is applied to the raw rows.")
    predict.add_argument("model", metavar="MODEL", help="a model file (784 inputs for images)")
    predict.add_argument("images", metavar="FILE", nargs="+",
                         help="image or IDX files, or CSV or NPZ files of rows")
    predict.add_argument("--no-preprocess", action="store_true",
                         help="only resize a picture to 28 x 28, instead of preparing it as "
                              "MNIST's digits were (cropped to the ink, scaled to fit 20 x 20, "
                              "centred by its centre of mass: neurograph.digits.preprocess_digit)")
    predict.set_defaults(run=_predict)

    check = commands.add_parser(
        "gradcheck", formatter_class=formatter,
        help="check a saved model's backpropagation against finite differences",
        description="Run neurograph.gradient_check on random samples (inputs uniform in [0, 1]; "
        "targets one-hot for a softmax output, else uniform in [0, 1]) and print the worst "
        "relative error and where it is. The model is loaded in float64. Exit code 1 when the "
        "error is above the tolerance. ReLU-family activations have a kink at z = 0, where a "
        "finite difference that straddles it is no derivative: samples that put a neuron "
        "that near its kink are skipped and drawn again.")
    check.add_argument("model", metavar="MODEL", help="a model file written by neurograph")
    check.add_argument("--samples", type=_positive_int, default=3, help="how many samples")
    check.add_argument("--seed", type=_count, default=0, help="seed of the samples and subsets")
    check.add_argument("--max-parameters", type=_count, default=2000,
                       help="check a random subset of this many weights and biases per sample "
                            "(each costs four forward passes); 0 checks every one")
    check.add_argument("--tolerance", type=finite_number(0.0), default=1e-6,
                       help="the largest relative error that passes")
    check.set_defaults(run=_gradcheck)
    _add_convert_command(commands, formatter)
    _add_web_command(commands, formatter)
    _add_export_command(commands, formatter)
    return parser


def _add_draw_command(commands, formatter) -> None:
    draw = commands.add_parser(
        "draw", formatter_class=formatter, help="draw a saved model's diagram",
        description="Draw a model as neurograph.draw_network does and save the picture; the "
        "format follows the file name (png, svg, pdf, ...).")
    draw.add_argument("model", metavar="MODEL", help="a model file written by neurograph")
    draw.add_argument("-o", "--output", required=True, metavar="PICTURE",
                      help="where to save the diagram, e.g. net.png")
    draw.add_argument("--color-by", default="bias", choices=["bias", "activation"],
                      help="what fills the neurons (a freshly loaded model's activations are "
                           "all zero)")
    draw.add_argument("--max-connections", type=_positive_int, default=300,
                      help="draw at most this many connections per pair of layers (the strongest)")
    draw.add_argument("--max-neurons", type=_positive_int, default=40,
                      help="summarise layers of more neurons")
    draw.add_argument("--dpi", type=dots_per_inch, default=PLOTS_DPI,
                      help=f"dots per inch of the picture ({DPI_RANGE[0]} to {DPI_RANGE[1]}; "
                           f"at most {MAX_PIXELS:,} pixels in all)")
    draw.set_defaults(run=_draw)


def _add_web_command(commands, formatter) -> None:
    web = commands.add_parser(
        "web", formatter_class=formatter, help="write a web page to draw a digit for a model",
        description="Write a static web page (index.html, network.js with the model, "
        "neurograph.js) where you draw a digit and watch the model read it. It needs no server "
        "and no network access: open index.html from disk or publish the folder as it is. "
        "MODEL is a neurograph model file or the post's network-export.json.")
    web.add_argument("model", metavar="MODEL", help="a model file to put on the page")
    web.add_argument("-o", "--output", required=True, metavar="DIR",
                     help="the folder to write (made if missing; it must be empty)")
    web.add_argument("--force", action="store_true",
                     help="write into a folder that is not empty, replacing the page's three "
                          "files (other files are left alone)")
    web.set_defaults(run=_web)


def _add_export_command(commands, formatter) -> None:
    export = commands.add_parser(
        "export", formatter_class=formatter, help="write a model as an ONNX file",
        description="Write a model as a standard ONNX file (opset 17, float32; input 'input' "
        "of shape (batch, inputs), output 'output'), which onnxruntime runs to the outputs "
        "neurograph.predict gives and Netron draws with neurograph's layer names. Needs the "
        "optional onnx package: pip install 'neurograph[onnx]'.")
    export.add_argument("model", metavar="MODEL", help="a model file to export")
    export.add_argument("output", metavar="OUT", help="the ONNX file to write, e.g. model.onnx")
    export.add_argument("--force", action="store_true", help="replace OUT if it exists")
    export.set_defaults(run=_export)


def _add_convert_command(commands, formatter) -> None:
    convert = commands.add_parser(
        "convert", formatter_class=formatter,
        help="rewrite a model in neurograph's format or the post's network-export.json",
        description="Load a model (neurograph's model file or the Kotlin post's "
        "network-export.json, told apart by its fields) and write it in the format asked for. "
        "The post's format keeps each neuron's bias, activation and inputs only (no cost, "
        "bias clamp, static neurons or optimizer state); networks it cannot express (softmax, "
        "tanh, max pooling, ...) are refused and nothing is written.")
    convert.add_argument("source", metavar="IN", help="a model file to read")
    convert.add_argument("target", metavar="OUT", help="where to write the model")
    convert.add_argument("--format", default="neurograph", choices=["neurograph", "post"],
                         help="the format of OUT")
    convert.set_defaults(run=_convert)


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


@contextlib.contextmanager
def _readable_warnings():
    """Show every TrainingWarning as one line, ``neurograph: warning: ...`` (not Python's two
    lines with a file name and a source line), each time it is given."""
    import warnings

    from ..core.validation import TrainingWarning

    with warnings.catch_warnings():
        plain = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if not issubclass(category, TrainingWarning):
                return plain(message, category, filename, lineno, file, line)
            print(f"neurograph: warning: {' '.join(str(message).split())}", file=sys.stderr)
            sys.stderr.flush()

        warnings.simplefilter("always", TrainingWarning)
        warnings.showwarning = show
        yield


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``neurograph`` command with ``argv`` (by default ``sys.argv[1:]``).

    Returns the exit code: 0 on success, 1 on an error (an unreadable or invalid file, a
    failed check), 2 on bad arguments. Errors are printed in one line on stderr, never as a
    traceback.

    Examples
    --------
    >>> main(["info", "no-such-model.json"])
    1
    """
    parser = _make_parser()
    try:
        args = parser.parse_args(argv)
        with _readable_warnings():
            return args.run(args)
    except SystemExit as exit_:  # --help and --version print and exit 0
        return exit_.code if isinstance(exit_.code, int) else 0
    except _UsageError as error:
        print(f"neurograph: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neurograph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `neurograph predict ... | head`: the reader has had enough
        try:  # point stdout at nothing, so Python's final flush does not complain again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except (OSError, ValueError, FloatingPointError) as error:
        print(f"neurograph: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except Exception as error:  # a fault of neurograph's: still one line, never a traceback
        print(f"neurograph: error: {type(error).__name__}: {_one_line(error)} (an unexpected "
              f"error; please report it)", file=sys.stderr)
        return 1
