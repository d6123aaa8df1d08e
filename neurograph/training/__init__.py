"""Training: ``fit`` over epochs of mini-batches, its history, checkpoints and resume.

The update rule itself belongs to the optimizers (:mod:`neurograph.optimizers`); the steps of
one mini-batch to the engines (:mod:`neurograph.engines`).
"""
from .loop import History, evaluate, fit
from .schedule import Schedule

__all__ = ["History", "Schedule", "fit", "evaluate"]
