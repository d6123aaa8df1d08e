"""``neurograph.datasets``, the import path the README documents: it now lives in
:mod:`neurograph.io.datasets` (the files and data package); this module re-exports its public names."""
from .io.datasets import *  # noqa: F401,F403
from .io.datasets import __all__  # noqa: F401
