"""The optional ONNX packages, imported only when a network goes to or comes from ONNX.

``onnx`` (the file format and its checker) and ``onnxruntime`` (to run a model) are an extra,
``pip install neurograph[onnx]``: ``import neurograph`` never needs them.
"""
from __future__ import annotations

import importlib

__all__ = ["require", "OPSET", "INSTALL"]

OPSET = 17
"""The ONNX operator set neurograph writes (and the oldest it promises to read)."""

INSTALL = "pip install 'neurograph[onnx]'"
"""What installs the optional ONNX packages."""


def require(name: str = "onnx"):
    """Import and return the optional module ``name`` (``"onnx"`` or ``"onnxruntime"``).

    Raises
    ------
    ImportError
        Naming the missing package and the command that installs it.

    Examples
    --------
    >>> require("numpy").__name__
    'numpy'
    """
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(f"{name} is needed for ONNX files but is not installed: {INSTALL} "
                          f"({error})") from None
