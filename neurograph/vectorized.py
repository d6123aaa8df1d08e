"""``neurograph.vectorized``, the import path the README once documented: the vectorized
engine now lives in :mod:`neurograph.engines.vectorized`; this module re-exports its public
names."""
from .engines.vectorized import *  # noqa: F401,F403
from .engines.vectorized import __all__  # noqa: F401
