"""Saving and loading whole networks: :func:`save`, :func:`load` and checkpoints.

:mod:`neurograph.io.modelfile` reads and writes the format and builds the layers; this module
adds the :class:`~neurograph.Network` around them (so the model-file code never imports the
network, which imports it to save itself).
"""
from __future__ import annotations

from ..core.network import Network
from . import modelfile, postformat
from .modelfile import PathLike

__all__ = ["save", "load", "save_checkpoint", "load_checkpoint"]


def save(network: Network, path: PathLike, format: str = "neurograph") -> None:
    """Write ``network`` to ``path`` as a JSON model file (see :mod:`neurograph.io.modelfile`),
    or, with ``format="post"``, as the Kotlin post's ``network-export.json`` (see
    :mod:`neurograph.io.postformat`).

    The file is written to a temporary file in the same folder and then renamed over ``path``,
    so ``path`` holds either the old file or the complete new one, never a mix; the temporary
    file is removed if anything fails, and one left by a save that was killed (``kill -9``) is
    removed by the next save of ``path``. When ``path`` is a symbolic link the save writes
    through it: the file it points to is replaced, and the link stays a link.

    Parameters
    ----------
    network : Network
    path : str or os.PathLike
        Where to write; an existing file is replaced (keeping its permissions).
    format : {"neurograph", "post"}
        ``"post"`` writes every neuron's bias, activation and inputs as the post's client reads
        them; it keeps no cost, bias clamp, static flag, shape or optimizer state. Convolution
        and average pooling layers are written as their connections (a kernel entry or
        ``1 / window^2`` as each weight), dropout as identity neurons with weight 1 (what it
        is outside training). Refused (ValueError, nothing written): an activation the post's
        client does not have (anything but sigmoid, relu and identity, so softmax, tanh and
        leaky_relu) and max pooling.

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`Network` or ``path`` is not a path.
    ValueError
        If the network cannot be written faithfully: a parameter or optimizer slot is NaN or
        infinite, a weight or slot is non-zero where no connection exists, a static neuron,
        fixed kernels or a pooling layer has optimizer state, an average pooling's weight is
        not ``1 / window^2``, or a cost or activation is not one of the registered ones.
        Nothing is written then.
    OSError
        If the file cannot be written (the error names ``path``, not the temporary file); an
        existing file is left as it was.

    Examples
    --------
    >>> import os, tempfile
    >>> from neurograph import Network, load
    >>> net = Network.layered([2, 3, 1], activation="tanh", seed=0)
    >>> folder = tempfile.TemporaryDirectory()
    >>> save(net, os.path.join(folder.name, "xor.json"))
    >>> again = load(os.path.join(folder.name, "xor.json"))
    >>> again.sizes, bool((again.predict([[0.5, 1.0]]) == net.predict([[0.5, 1.0]])).all())
    ((2, 3, 1), True)
    >>> folder.cleanup()
    """
    if not isinstance(network, Network):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    if format == "post":
        postformat.write_post(network, path)
    elif format == "neurograph":
        modelfile.write_model(network, path)
    else:
        raise ValueError(f"`format` must be 'neurograph' or 'post', got {format!r}")


def load(path: PathLike, *, dtype=None) -> Network:
    """Read a model file written by :func:`save` and return the network it describes.

    The Kotlin post's ``network-export.json`` (a file with ``inputLayerLength`` and
    ``otherLayers``) is read too, as strictly: see :mod:`neurograph.io.postformat`.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    dtype : {"float64", "float32"}, optional
        Store the parameters in this type instead of the file's: float32 to float64 is exact
        (the gradient check wants float64), float64 to float32 rounds each parameter.

    Returns
    -------
    Network
        A new network with the file's structure, parameters and optimizer (its steps and
        slots), bit for bit; its per-sample lists are empty and its activations zero.

    Raises
    ------
    ModelFileError
        If the file is not a valid model file of a version this neurograph reads (see
        :mod:`neurograph.io.modelfile` for what is checked); the message names the file and
        the problem. Nothing is built then.
    OSError
        If the file cannot be read.
    TypeError
        If ``path`` is not a path.
    ValueError
        If ``dtype`` is not float64 or float32.

    Examples
    --------
    >>> import os, tempfile
    >>> from neurograph import Network
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "net.json")
    >>> Network.layered([3, 4, 2], activation="relu", output_activation="softmax",
    ...                 cost="cross_entropy", seed=1).save(path)
    >>> load(path)
    Network(3-4-2, relu/softmax, cross_entropy cost, 20 connections)
    >>> folder.cleanup()
    """
    if postformat.is_post_file(path):
        return postformat.load_post(path, Network, dtype=dtype)
    return modelfile.load_network(path, Network, dtype=dtype)


def save_checkpoint(network: Network, path: PathLike, training: dict) -> None:
    """Write ``network`` like :func:`save`, plus where training stands (a checkpoint).

    ``training`` is ``{"epoch": e, "batch": b, "rng": state}``: go on with epoch ``e`` after
    its first ``b`` mini-batches, drawing its order from a PCG64 generator in ``state``. The
    file is a model file too: :func:`load` reads the network and ignores the rest.
    """
    if not isinstance(network, Network):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    modelfile.write_model(network, path, training)


def load_checkpoint(path: PathLike, network_class: type = Network) -> tuple[Network, dict]:
    """Read a checkpoint written by ``fit(checkpoint=...)``: the network (made by
    ``network_class``, its optimizer with its steps and slots) and its ``training``.

    Raises
    ------
    ModelFileError
        If the file is not a valid model file, or has no ``training`` field.
    """
    return modelfile.load_checkpoint(path, network_class)

