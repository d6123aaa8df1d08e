"""``neurograph.datasets``, the import path the README documents: it re-exports the public names
of :mod:`neurograph.io.datasets` (MNIST: files, download, bundled sample) and of
:mod:`neurograph.io.playground` (the TensorFlow Playground's 2-D sets, ``make_circle`` ...)."""
from .io import datasets as _files
from .io import playground as _playground
from .io.datasets import *  # noqa: F401,F403
from .io.playground import *  # noqa: F401,F403

__all__ = [*_files.__all__, *_playground.__all__]
