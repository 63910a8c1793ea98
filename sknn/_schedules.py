"""Learning-rate schedules that run as skorch callbacks inside a fit."""

import math

from skorch.callbacks import Callback

from ._optim import set_lr

__all__ = ["CosineDecay"]


class CosineDecay(Callback):
    """Cosine decay of the learning rate over a fixed number of epochs.

    Epoch ``i`` of ``epochs`` trains at
    ``lr * (floor + (1 - floor) * (1 + cos(pi * i / epochs)) / 2)``: the full rate
    first, ``floor`` times it at the end. Parameter groups keep their
    ``lr_factor`` (see :class:`sknn._engine.OptimizerSpec`).

    Parameters
    ----------
    lr : float
        The starting learning rate.
    epochs : int
        Length of the schedule.
    floor : float, default=0.01
        The last epoch's rate, as a share of ``lr``.
    """

    def __init__(self, lr, epochs, floor=0.01):
        self.lr = lr
        self.epochs = epochs
        self.floor = floor

    def initialize(self):
        self.epoch_ = 0
        return self

    def on_epoch_begin(self, net, **kwargs):
        share = 0.5 * (1 + math.cos(math.pi * min(self.epoch_, self.epochs) / self.epochs))
        set_lr(net.optimizer_, self.lr * (self.floor + (1 - self.floor) * share))
        self.epoch_ += 1
