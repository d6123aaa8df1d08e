"""Files and data: JSON model files and checkpoints (strict reader, atomic writer), the MNIST
data set and its bundled sample, and MNIST-style preparation of a drawn digit.
"""
from .modelfile import FORMAT, ModelFileError, load, load_checkpoint, save, save_checkpoint

__all__ = ["FORMAT", "ModelFileError", "load", "save", "load_checkpoint", "save_checkpoint"]
