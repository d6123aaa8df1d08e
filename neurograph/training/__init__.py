"""Training: ``fit`` over epochs of mini-batches, its history, checkpoints and resume, the
settings that vary by epoch (:class:`Schedule`), callbacks (:class:`TrainingEvent`) and the
warnings when training is probably going wrong (:mod:`neurograph.training.health`).

The update rule itself belongs to the optimizers (:mod:`neurograph.optimizers`); the steps of
one mini-batch to the engines (:mod:`neurograph.engines`).
"""
from .callbacks import TrainingEvent
from .loop import History, evaluate, fit
from .schedule import Schedule

__all__ = ["History", "Schedule", "TrainingEvent", "fit", "evaluate"]
