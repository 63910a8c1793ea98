"""Feedback during long fits: a tqdm progress bar and scikit-learn's callback API.

Two independent ways to watch a fit:

- :class:`TqdmProgressBar`, a skorch callback: one bar per fit that counts
  batches, names the epoch and shows the last epoch's losses. ``verbose=2`` adds
  one to every fit; it draws only on a terminal or in a notebook unless
  ``force=True``.
- scikit-learn's experimental callback API (``sklearn.callback``, scikit-learn
  1.9): every sknn estimator has ``set_callbacks`` and reports one task per
  epoch, so ``est.set_callbacks(ProgressBar())`` shows epochs, a
  ``ScoringMonitor`` scores every epoch, and a ``ProgressBar`` set on a
  ``GridSearchCV`` or a ``Pipeline`` reaches the network inside. With an older
  scikit-learn the estimators simply have no ``set_callbacks``.

:class:`FitFeedbackMixin` is the only thing :class:`~sknn.base.NeuralEstimator`
takes from this module; the per-epoch hooks are skorch callbacks, so the engine's
training loop is not touched.
"""

import contextlib
import copy
import sys
import warnings

from skorch.callbacks import Callback, PrintLog

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin as _CallbackSupportBase

    # What sklearn.callback.with_callbacks and sklearn's own fit methods run under
    # (callbacks torn down when the fit ends, even on error); as a context manager it
    # adds no stack frame, so warnings raised in a fit still point at the caller.
    from sklearn.callback._callback_support import callback_management_context

    SKLEARN_CALLBACKS = True
except ImportError:  # older scikit-learn: no set_callbacks, fits work as before

    class _CallbackSupportBase:
        pass

    def callback_management_context(estimator):
        return contextlib.nullcontext()

    SKLEARN_CALLBACKS = False

__all__ = ["TqdmProgressBar", "FitFeedbackMixin", "SKLEARN_CALLBACKS"]


def _import_tqdm(caller):
    try:
        import tqdm  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs tqdm. Install it with `pip install tqdm` (or `pip install "
            "sknn[progress]`)."
        ) from exc


def _in_notebook():
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        return shell.get_ipython().__class__.__name__ == "ZMQInteractiveShell"
    except Exception:  # noqa: BLE001 (any IPython trouble means "not a notebook")
        return False


def _is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class TqdmProgressBar(Callback):
    """A tqdm progress bar over a whole fit: epoch, batches and losses.

    A skorch callback: pass it in an estimator's ``callbacks`` list, or set
    ``verbose=2`` to get one with these defaults in every fit. The bar counts
    training batches over all epochs (so its time estimate is for the whole fit),
    its label names the epoch, and after each epoch it shows the epoch's training
    loss and, with ``early_stopping``, the validation loss and score. The per-epoch
    lines of ``verbose>=1`` are printed above the bar. When the fit stops early the
    bar is closed at the epoch reached.

    Losses are read once per epoch, so the bar adds no device synchronisation
    to the training loop.

    Parameters
    ----------
    force : bool, default=False
        Draw the bar even when ``file`` is not a terminal (a log file, a CI job).
        By default the bar appears only on a terminal or in a Jupyter notebook, and
        non-interactive runs stay silent.
    file : file-like or None, default=None
        Where the bar is drawn; None means ``sys.stderr`` at fit time.
    leave : bool, default=True
        Keep the finished bar on screen.
    mininterval : float, default=0.1
        Least seconds between two redraws.

    Attributes
    ----------
    pbar_ : tqdm.tqdm or None
        The bar of the current or last fit (None when it was not drawn). Exists on
        the copy of the callback that the fit used, not on the object you passed:
        sknn copies callbacks for every fit.

    See Also
    --------
    sklearn.callback.ProgressBar : scikit-learn's progress bars, which sknn
        estimators also support through ``set_callbacks``.

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import load_iris
    >>> from sknn import MLPClassifier, TqdmProgressBar
    >>> X, y = load_iris(return_X_y=True)
    >>> out = io.StringIO()
    >>> clf = MLPClassifier(max_iter=5, random_state=0,
    ...                     callbacks=[TqdmProgressBar(force=True, file=out)])
    >>> clf = clf.fit(X, y)
    >>> "epoch 5/5" in out.getvalue()
    True
    """

    def __init__(self, force=False, file=None, leave=True, mininterval=0.1):
        _import_tqdm(type(self).__name__)
        self.force = force
        self.file = file
        self.leave = leave
        self.mininterval = mininterval

    def _active(self, stream):
        return self.force or _in_notebook() or _is_terminal(stream)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        from tqdm import tqdm
        from tqdm.auto import tqdm as auto_tqdm

        stream = sys.stderr if self.file is None else self.file
        self.pbar_ = None
        self._epochs = net.max_epochs
        self._epoch = 0
        if not self._active(stream):
            return
        batches = len(net.get_iterator(X, training=True)) if X is not None else None
        total = None if batches is None else batches * self._epochs
        bar = auto_tqdm if (self.file is None and _in_notebook()) else tqdm
        self.pbar_ = bar(total=total, file=stream, leave=self.leave, unit="batch",
                         mininterval=self.mininterval, dynamic_ncols=True,
                         desc=self._description())
        # Epoch lines (verbose >= 1) go above the bar instead of through it.
        for _, cb in net.callbacks_:
            # skorch's table and the engine's scikit-learn-style lines (the monitor's).
            if isinstance(cb, PrintLog) or hasattr(cb, "sink"):
                if cb.sink is print:
                    cb.sink = tqdm.write

    def _description(self):
        return f"epoch {self._epoch}/{self._epochs}"

    def on_epoch_begin(self, net, **kwargs):
        self._epoch += 1
        if self.pbar_ is not None:
            self.pbar_.set_description(self._description(), refresh=False)

    def on_batch_end(self, net, training=False, **kwargs):
        if training and self.pbar_ is not None:
            self.pbar_.update(1)

    def _show_losses(self, net):
        if not net.history:
            return
        record = net.history[-1]
        postfix = {key: f"{record[key]:.4g}" for key in ("train_loss", "valid_loss",
                                                         "valid_score") if key in record}
        self.pbar_.set_postfix(postfix, refresh=False)

    def on_epoch_end(self, net, **kwargs):
        if self.pbar_ is not None:
            self._show_losses(net)

    def on_train_end(self, net, **kwargs):
        if self.pbar_ is None:
            return
        self._show_losses(net)  # the last epoch, when the fit stopped inside it
        if self.pbar_.total is not None and self.pbar_.n < self.pbar_.total:
            self.pbar_.total = self.pbar_.n  # stopped early: end the bar where it is
        self.pbar_.close()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("pbar_", None)  # a live bar holds a stream and a lock
        return state

    def __deepcopy__(self, memo):
        # sknn copies callbacks for each fit; the copy must draw on the same stream.
        clone = copy.copy(self)
        clone.__dict__.pop("pbar_", None)
        return clone


class _EpochTasks(Callback):
    """skorch callback that reports each epoch as a scikit-learn callback task.

    Created for one fit by :meth:`_FitFeedback.callbacks`. It refers to the
    live callback context of that fit, so the engine must not copy it (see
    ``__deepcopy__``).
    """

    def __init__(self, estimator, staged, context, X, y, metadata):
        self.estimator = estimator
        self.staged = staged
        self.context = context
        self.X = X
        self.y = y
        self.metadata = metadata
        self._task = None

    def __deepcopy__(self, memo):
        # The engine deep-copies callbacks so that users' objects are not mutated;
        # this one exists for a single fit and forwards to that fit's context, so
        # the copy must be the object itself.
        return self

    def _fitted_copy_attributes(self, net):
        """What ``fitted_estimator`` needs: the staged fit's attributes, live weights."""
        return {**vars(self.staged), "module_": net.module_}

    def on_epoch_begin(self, net, **kwargs):
        self._task = self.context.subcontext(task_name="epoch")
        self._task.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y,
                                          metadata=self.metadata)

    def _end_epoch(self, net):
        task, self._task = self._task, None
        if task is None:
            return False
        return task.call_on_fit_task_end(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata,
            reconstruction_attributes=lambda: self._fitted_copy_attributes(net),
        )

    def on_epoch_end(self, net, **kwargs):
        if self._end_epoch(net):
            raise KeyboardInterrupt  # skorch's way of ending a fit early

    def on_train_end(self, net, **kwargs):
        # When the stopping rules end the fit inside an epoch's on_epoch_end, this
        # callback's on_epoch_end is not reached: close that epoch here.
        self._end_epoch(net)


class _FitFeedback:
    """The feedback of one fit: its skorch callbacks and its root callback task."""

    def __init__(self, estimator, context=None, X=None, y=None, metadata=None):
        self.estimator = estimator
        self.context = context
        self.X, self.y, self.metadata = X, y, metadata

    def callbacks(self, staged):
        """skorch callbacks to add to the fit of ``staged`` (the copy being trained)."""
        callbacks = []
        if self.estimator.verbose >= 2:
            try:
                callbacks.append(TqdmProgressBar())
            except ImportError as exc:
                warnings.warn(f"verbose=2: {exc} Showing epoch lines only.", UserWarning,
                              stacklevel=4)
        if self.context is not None and getattr(self.estimator, "_skl_callbacks", None):
            callbacks.append(_EpochTasks(self.estimator, staged, self.context, self.X,
                                         self.y, self.metadata))
        return callbacks

    def end(self):
        """Close the fit's root task (the estimator is fitted by now)."""
        if self.context is not None:
            self.context.call_on_fit_task_end(estimator=self.estimator, X=self.X, y=self.y,
                                              metadata=self.metadata,
                                              reconstruction_attributes={})


class FitFeedbackMixin(_CallbackSupportBase):
    """Progress feedback for :class:`~sknn.base.NeuralEstimator`.

    With scikit-learn's callback API available this is its
    ``CallbackSupportMixin`` (``set_callbacks``); a fit is one task with one
    sub-task per epoch. Without it, only the tqdm bar of ``verbose=2`` remains.
    """

    def _start_fit_feedback(self, X, y, sample_weight, epochs):
        """Open the fit's callback task; the caller must run under :func:`callback_scope`."""
        uses_api = SKLEARN_CALLBACKS and (
            getattr(self, "_skl_callbacks", None) or hasattr(self, "_parent_callback_ctx")
        )
        if not uses_api:
            return _FitFeedback(self)
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        context = self._init_callback_context(max_subtasks=epochs)
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        return _FitFeedback(self, context, X, y, metadata)


def callback_scope(estimator):
    """Context manager around a fit: scikit-learn callbacks are torn down when it ends.

    Open the fit's task inside it with ``_start_fit_feedback``. Does nothing with a
    scikit-learn that has no callback API.
    """
    return callback_management_context(estimator)
