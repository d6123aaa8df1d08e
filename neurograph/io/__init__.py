"""Files and data: JSON model files and checkpoints (strict reader, atomic writer), the MNIST
data set and its bundled sample, and MNIST-style preparation of a drawn digit.

The model file is in layers: :mod:`~neurograph.io.strict` (strict reading helpers and
:class:`ModelFileError`), :mod:`~neurograph.io.atomic` (the atomic writer),
:mod:`~neurograph.io.modelfile` (the format, knowing no layer kind: each layer class writes and
checks its own part) and :mod:`~neurograph.io.networks` (:func:`save`, :func:`load` and
checkpoints of a :class:`~neurograph.Network`). :mod:`~neurograph.io.postformat` reads and
writes the Kotlin post's own ``network-export.json``.
"""
from .modelfile import FORMAT, VERSION
from .networks import load, load_checkpoint, save, save_checkpoint
from .strict import ModelFileError

__all__ = ["FORMAT", "VERSION", "ModelFileError", "load", "save", "load_checkpoint",
           "save_checkpoint"]
