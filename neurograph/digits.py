"""``neurograph.digits``, the import path the README documents: it now lives in
:mod:`neurograph.io.digits` (the files and data package); this module re-exports its public names."""
from .io.digits import *  # noqa: F401,F403
from .io.digits import __all__  # noqa: F401
