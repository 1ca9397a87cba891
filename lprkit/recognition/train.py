"""Training a CTC recogniser: resumable, with early stopping, LR schedule and logs.

:func:`train_recognizer` compiles the model with :func:`lprkit.recognition.ctc.ctc_loss`
and fits it. Data is made elsewhere (``lprkit.synth``); it comes in as

* arrays: ``(images, texts)`` — RGB uint8 crops (any size; resized here) and plate texts, or
* ``tf.data.Dataset`` of ``(images, labels)`` batches: float32 ``(b, h, w, c)`` in [0, 1] at
  the model's size and int32 labels padded with 0 (:func:`make_dataset` builds one).

``checkpoint_dir`` gets::

    best/      the best model so far, as a KerasRecognizer checkpoint folder (load it with
               KerasRecognizer.load)
    last/      weights, optimizer state and state.json after the last finished epoch
    logs/      history.csv, and TensorBoard logs when the ``tensorboard`` package is installed

Each is written to a temporary folder and renamed, so a run killed at any moment resumes
from the last finished epoch: call ``train_recognizer`` again with the same arguments.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.charset import ALPHABETS, Alphabet, get_alphabet, pad_labels
from lprkit.config import by_profile, make_rng
from lprkit.errors import InputError
from lprkit.recognition import ctc
from lprkit.recognition.keras_recognizer import KerasRecognizer
from lprkit.recognition.metrics import cer, exact_accuracy
from lprkit.recognition.preprocess import default_two_line_hook, fit_crops
from lprkit.schedules import TimeBudget
from lprkit.synth.twoline import TOP_LAYOUT, check_top_layout


@dataclass
class TrainResult:
    """What :func:`train_recognizer` did.

    Attributes
    ----------
    history
        Per-epoch values (``loss``, ``val_loss``, ``val_exact``, ``val_cer``, ``lr``,
        ``seconds``, ``images_per_s``), over every run of a resumed training.
    epochs_run
        Epochs finished in total (including earlier, resumed runs).
    best
        Best value of the monitored quantity, and ``monitor`` its name.
    stopped_early
        Whether early stopping ended the training.
    recognizer
        The trained model (best weights restored) wrapped as a :class:`KerasRecognizer`.
    """

    history: dict[str, list[float]]
    epochs_run: int
    best: float | None
    monitor: str
    stopped_early: bool
    recognizer: KerasRecognizer
    checkpoint_dir: Path | None = None
    info: dict = field(default_factory=dict)


def infer_alphabet(model) -> Alphabet:
    """The registered alphabet whose class count matches the model's output."""
    n = model.output_shape[-1]
    found = [a for a in ALPHABETS.values() if a.num_classes == n]
    if len(found) != 1:
        raise InputError(
            f"cannot tell the alphabet of a model with {n} output classes "
            f"({'several' if found else 'no'} registered alphabets match); pass alphabet="
        )
    return found[0]


def make_dataset(
    images: Sequence[np.ndarray] | np.ndarray,
    texts: Sequence[str],
    alphabet: Alphabet,
    input_size: tuple[int, int],
    channels: int,
    batch_size: int = 64,
    shuffle: bool = True,
    seed=None,
    max_label_len: int | None = None,
    two_line=False,
    two_line_top: str | None = None,
):
    """A ``tf.data.Dataset`` of ``(images float32 [0,1], labels int32)`` batches.

    Crops are resized once, kept as uint8 and scaled per batch; two-line crops (``two_line``)
    are cut into strips with the ``two_line_top`` layout. Texts that the alphabet cannot write
    raise a ValueError naming the text.
    """
    import tensorflow as tf

    if len(images) != len(texts):
        raise InputError(f"{len(images)} images but {len(texts)} texts")
    if len(texts) == 0:
        raise InputError("no training samples")
    x = fit_crops(images, input_size, channels, two_line, default_two_line_hook(two_line_top))
    labels, _ = pad_labels(list(texts), alphabet, max_label_len)
    ds = tf.data.Dataset.from_tensor_slices((x, labels))
    if shuffle:
        seed_value = int(make_rng(seed).integers(2**31 - 1))
        ds = ds.shuffle(len(x), seed=seed_value, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(
        lambda a, b: (tf.cast(a, tf.float32) / 255.0, b), num_parallel_calls=tf.data.AUTOTUNE
    )
    return ds.prefetch(tf.data.AUTOTUNE)


def _val_arrays(val, alphabet, input_size, channels, two_line, limit, two_line_top=None):
    """First ``limit`` validation samples as (float32 images, texts), for decoded checks."""
    if isinstance(val, tuple):
        images, texts = val
        hook = default_two_line_hook(two_line_top)
        x = fit_crops(list(images[:limit]), input_size, channels, two_line, hook)
        return x.astype(np.float32) / 255.0, list(texts[:limit])
    xs, texts = [], []
    for xb, yb in val:
        xs.append(np.asarray(xb))
        texts.extend(alphabet.decode(row) for row in np.asarray(yb))
        if len(texts) >= limit:
            break
    return np.concatenate(xs)[:limit], texts[:limit]


def _has_tensorboard() -> bool:
    """TensorBoard logs need the ``tensorboard`` package (not a tensorflow-cpu dependency)."""
    import importlib.util

    return importlib.util.find_spec("tensorboard") is not None


def _write_json(path: Path, data: dict) -> None:
    from lprkit.fileio import atomic_write_json

    atomic_write_json(path, data)


def _callbacks(keras):
    """Callback classes, defined once Keras is imported."""

    class ValidationReader(keras.callbacks.Callback):
        """Decode validation crops each epoch: log exact accuracy and CER, show a few."""

        def __init__(self, x, texts, alphabet, show=3, batch_size=64):
            super().__init__()
            self.x, self.texts, self.alphabet = x, texts, alphabet
            self.show, self.batch_size = show, batch_size

        def on_epoch_end(self, epoch, logs=None):
            probs = self.model.predict(self.x, batch_size=self.batch_size, verbose=0)
            reads = ctc.decode(probs, self.alphabet)
            hyps = [r.text for r in reads]
            logs = logs if logs is not None else {}
            logs["val_exact"] = exact_accuracy(self.texts, hyps, self.alphabet)
            logs["val_cer"] = cer(self.texts, hyps, self.alphabet)
            shown = [
                f"{'ok ' if h == t else 'BAD'} {t} -> {h or '(empty)'} ({r.confidence:.2f})"
                for t, h, r in list(zip(self.texts, hyps, reads, strict=True))[: self.show]
            ]
            print(
                f"\nepoch {epoch + 1}: val exact {logs['val_exact']:.3f}, "
                f"cer {logs['val_cer']:.3f} | " + " | ".join(shown),
                flush=True,
            )

    class ResumableCheckpoint(keras.callbacks.Callback):
        """Best/last checkpoints written atomically, early stopping, epoch timing."""

        def __init__(self, directory, save_best, monitor, mode, patience, state, batch_size):
            super().__init__()
            self.directory, self.save_best = directory, save_best
            self.monitor, self.mode, self.patience = monitor, mode, patience
            self.state, self.batch_size = state, batch_size
            self.best_weights = None

        def _better(self, value):
            best = self.state.get("best")
            if best is None:
                return True
            return value > best if self.mode == "max" else value < best

        def on_epoch_begin(self, epoch, logs=None):
            self.t0, self.batches = time.perf_counter(), 0

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1

        def on_epoch_end(self, epoch, logs=None):
            logs = logs if logs is not None else {}
            seconds = time.perf_counter() - self.t0
            logs["seconds"] = seconds
            if self.batch_size:  # the last batch may be short: an upper bound
                logs["images_per_s"] = self.batches * self.batch_size / seconds
            logs["lr"] = float(np.asarray(self.model.optimizer.learning_rate))
            hist = self.state.setdefault("history", {})
            for k, v in logs.items():
                hist.setdefault(k, []).append(float(v))
            value = logs.get(self.monitor)
            if value is not None and self._better(value):
                self.state.update(best=float(value), wait=0, best_epoch=epoch + 1)
                self.best_weights = self.model.get_weights()
                if self.directory is not None:
                    self.save_best(self.state)
            else:
                self.state["wait"] = self.state.get("wait", 0) + 1
            self.state["epoch"] = epoch + 1
            if self.patience is not None and self.state["wait"] >= self.patience:
                self.state["stopped_early"] = True
                self.model.stop_training = True
            if self.directory is not None:
                _save_last(self.model, self.directory, self.state)

    class BudgetSchedule(keras.callbacks.Callback):
        """Warm-up + cosine learning rate over a training-time budget; stop when it is spent."""

        def __init__(self, budget, peak, state):
            super().__init__()
            self.budget, self.peak, self.state = budget, peak, state

        def on_train_batch_begin(self, batch, logs=None):
            self.budget.resume()
            self.model.optimizer.learning_rate = self.budget.learning_rate(self.peak, hold=0.4)

        def on_train_batch_end(self, batch, logs=None):
            # the clock runs only inside training steps: validation and checkpoints are free
            self.budget.pause()
            if self.budget.done:
                self.model.stop_training = True  # Keras ends the epoch after this batch

        def on_epoch_end(self, epoch, logs=None):
            self.state["train_seconds"] = self.budget.spent  # saved by the checkpoint next

    return ValidationReader, ResumableCheckpoint, BudgetSchedule


def _save_last(model, directory: Path, state: dict) -> None:
    from lprkit.fileio import write_folder_atomically

    def fill(tmp: Path) -> None:
        model.save_weights(tmp / "model.weights.h5")
        opt = {f"v{i:04d}": np.asarray(v) for i, v in enumerate(model.optimizer.variables)}
        np.savez(tmp / "optimizer.npz", **opt)
        _write_json(tmp / "state.json", {**state, "weight_shapes": _weight_shapes(model)})

    write_folder_atomically(directory / "last", fill, overwrite=True)


def _weight_shapes(model) -> list[list[int]]:
    return [list(w.shape) for w in model.weights]


def _restore_last(model, directory: Path) -> dict:
    last = directory / "last"
    state = json.loads((last / "state.json").read_text(encoding="utf-8"))
    shapes = _weight_shapes(model)
    saved = state.pop("weight_shapes", shapes)  # runs saved before this check: trust them
    other_run = InputError(
        f"{directory} holds a training run of another model ({len(saved)} weight arrays, this "
        f"one has {len(shapes)}{'' if len(saved) != len(shapes) else ' of other shapes'}): use a "
        f"new --out, or delete {directory} to start again"
    )
    if saved != shapes:
        raise other_run
    model.optimizer.build(model.trainable_variables)  # before loading: no skipped variables
    try:
        model.load_weights(last / "model.weights.h5")
    except ValueError:
        raise other_run from None
    with np.load(last / "optimizer.npz") as data:
        saved = [data[k] for k in sorted(data.files)]
    variables = model.optimizer.variables
    if len(saved) != len(variables) or any(
        tuple(s.shape) != tuple(v.shape) for s, v in zip(saved, variables, strict=True)
    ):
        raise InputError(
            f"{last / 'optimizer.npz'} does not match this model's optimizer; "
            "use a new checkpoint_dir or delete the old one"
        )
    for v, s in zip(variables, saved, strict=True):
        v.assign(s)
    return state


def train_recognizer(
    model,
    train,
    val=None,
    *,
    alphabet: Alphabet | str | None = None,
    epochs: int | None = None,
    max_minutes: float | None = None,
    batch_size: int | None = None,
    learning_rate: float = 1e-3,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool = True,
    patience: int | None = None,
    strategy=None,
    two_line=False,
    two_line_top: str | None = None,
    show_samples: int = 3,
    val_decode_limit: int = 256,
    seed=None,
    verbose="auto",
    callbacks: Sequence = (),
) -> TrainResult:
    """Train a CTC recogniser (CRNN, LPRNet, any model with a softmax CTC output).

    Parameters
    ----------
    model
        A ``keras.Model`` or a :class:`KerasRecognizer`. With ``strategy``, build the model
        inside ``strategy.scope()``.
    train, val
        ``(images, texts)`` arrays (RGB uint8 crops of any size) or ``tf.data.Dataset`` of
        ``(float32 images, int32 labels)`` batches (see the module notes).
    alphabet
        The model's alphabet; default: the registered alphabet matching its outputs.
    epochs
        Default by profile: smoke 1, course 30, full 100; with ``max_minutes`` and no
        ``epochs``, as many as the budget allows.
    max_minutes
        Training-time budget: time inside training steps, summed over resumed runs
        (validation and checkpoints do not count, so the wall time is longer). The
        learning rate then warms up (5 %), holds its peak (40 %: CTC's early plateau needs
        it) and decays over the rest of the budget rather than over the epochs,
        and training stops, mid-epoch if need be, when the budget is spent.
    batch_size
        For array input; default by profile: smoke 8, course 32, full 128.
    learning_rate
        Peak Adam learning rate: one warm-up epoch then cosine decay to 1 % over the epochs
        (a constant rate when the number of steps per epoch is unknown), or warm-up and decay
        over ``max_minutes``.
    checkpoint_dir
        Folder for ``best/``, ``last/`` and ``logs/``; None keeps everything in memory.
    resume
        Continue from ``checkpoint_dir/last`` when it exists (else it is overwritten).
    patience
        Epochs without improvement before stopping; default by profile: smoke None,
        course 5, full 10. The monitored value is validation exact accuracy when ``val`` is
        given, else the training loss.
    strategy
        A ``tf.distribute`` strategy (e.g. ``MirroredStrategy``); compiles in its scope.
    two_line
        Two-line handling of array crops (see :func:`fit_crops`).
    two_line_top
        The two-line strip layout of the training crops (:mod:`lprkit.synth.twoline`), recorded
        with the trained recogniser and used to cut two-line array crops; default: ``model``'s
        when it is a recogniser, else the layout new synthetic data uses.
    show_samples
        Decoded validation samples printed per epoch.
    val_decode_limit
        Validation samples decoded per epoch for ``val_exact`` / ``val_cer``.
    seed
        Shuffling seed.
    verbose
        Keras progress display (``"auto"``, 0, 1, 2).
    callbacks
        Extra Keras callbacks.
    """
    import contextlib

    import keras

    recognizer = model if isinstance(model, KerasRecognizer) else None
    net = recognizer.model if recognizer else model
    if two_line_top is None:
        two_line_top = recognizer.two_line_top if recognizer else TOP_LAYOUT
    check_top_layout(two_line_top)
    alphabet = (
        get_alphabet(alphabet)
        if alphabet is not None
        else (recognizer.alphabet if recognizer else infer_alphabet(net))
    )
    if net.output_shape[-1] != alphabet.num_classes:
        raise InputError(
            f"model has {net.output_shape[-1]} output classes but alphabet "
            f"{alphabet.name!r} needs {alphabet.num_classes}"
        )
    if epochs is None:
        epochs = 10_000 if max_minutes else by_profile(smoke=1, course=30, full=100)
    # Small batches escape CTC's early all-blank plateau in fewer images on a CPU
    batch_size = batch_size or by_profile(smoke=8, course=32, full=128)
    if patience is None:
        patience = by_profile(smoke=None, course=5, full=10)
    size = (int(net.input_shape[2]), int(net.input_shape[1]))
    channels = int(net.input_shape[3])
    max_len = max(
        (len(alphabet.tokenize(t)) for d in (train, val) if isinstance(d, tuple) for t in d[1]),
        default=None,
    )

    def as_ds(data, shuffle, seed_):
        if isinstance(data, tuple):
            images, texts = data
            return make_dataset(
                images,
                texts,
                alphabet,
                size,
                channels,
                batch_size,
                shuffle,
                seed_,
                max_len,
                two_line,
                two_line_top,
            ), len(texts)
        return data, None

    rng = make_rng(seed)
    train_ds, n_train = as_ds(train, True, rng)
    val_ds = as_ds(val, False, None)[0] if val is not None else None
    steps = int(train_ds.cardinality())
    if max_minutes:
        lr = learning_rate * 0.01  # BudgetSchedule sets it before every batch
    elif steps > 0:
        total = max(epochs * steps, 1)
        warm = min(steps, total // 2)
        lr = keras.optimizers.schedules.CosineDecay(
            learning_rate * 0.1,
            max(total - warm, 1),
            alpha=0.01,
            warmup_target=learning_rate,
            warmup_steps=warm,
        )
    else:
        lr = learning_rate
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        net.compile(optimizer=keras.optimizers.Adam(lr, clipnorm=5.0), loss=ctc.ctc_loss)

    directory = Path(checkpoint_dir) if checkpoint_dir is not None else None
    state: dict = {"wait": 0}
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        if resume and (directory / "last" / "state.json").is_file():
            state = _restore_last(net, directory)
            # the folder's own name only: a notebook's working folder is a temporary path
            print(f"resuming from {directory.name}/last after epoch {state.get('epoch', 0)}")
    monitor, mode = ("val_exact", "max") if val is not None else ("loss", "min")
    state.update(monitor=monitor, epochs=epochs)
    info = {
        "alphabet": alphabet.name,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "n_train": n_train,
        "input_size": list(size),
        "channels": channels,
    }

    def save_best(st):
        wrapped = KerasRecognizer(net, alphabet, two_line=two_line, two_line_top=two_line_top)
        training = {**info, "epoch": st["best_epoch"], monitor: st["best"]}
        wrapped.save(directory / "best", overwrite=True, training=training)

    reader_cls, checkpoint_cls, budget_cls = _callbacks(keras)
    cbs = []
    budget = None
    if max_minutes:
        budget = TimeBudget(max_minutes, state.get("train_seconds", 0.0))
        cbs.append(budget_cls(budget, learning_rate, state))
    if val is not None:
        vx, vtexts = _val_arrays(
            val, alphabet, size, channels, two_line, val_decode_limit, two_line_top
        )
        cbs.append(reader_cls(vx, vtexts, alphabet, show_samples, batch_size))
    checkpoint = checkpoint_cls(directory, save_best, monitor, mode, patience, state, batch_size)
    cbs.append(checkpoint)
    if directory is not None:
        (directory / "logs").mkdir(exist_ok=True)
        cbs.append(keras.callbacks.CSVLogger(str(directory / "logs" / "history.csv"), append=True))
        if _has_tensorboard():
            cbs.append(keras.callbacks.TensorBoard(str(directory / "logs"), write_graph=False))
    cbs.extend(callbacks)

    start = int(state.get("epoch", 0))
    spent = budget is not None and budget.done
    if start < epochs and not state.get("stopped_early") and not spent:
        net.fit(
            train_ds,
            validation_data=val_ds,
            epochs=epochs,
            initial_epoch=start,
            callbacks=cbs,
            verbose=verbose,
            shuffle=False,  # the dataset shuffles itself
        )
    if checkpoint.best_weights is not None:
        net.set_weights(checkpoint.best_weights)
    elif directory is not None and (directory / "best").is_dir():
        best = KerasRecognizer.load(directory / "best")
        net.set_weights(best.model.get_weights())
    return TrainResult(
        history=state.get("history", {}),
        epochs_run=int(state.get("epoch", 0)),
        best=state.get("best"),
        monitor=monitor,
        stopped_early=bool(state.get("stopped_early", False)),
        recognizer=KerasRecognizer(net, alphabet, two_line=two_line, two_line_top=two_line_top),
        checkpoint_dir=directory,
        info=info,
    )
