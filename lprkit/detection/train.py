"""Training the YOLO detector: a ``tf.data`` input pipeline and a resumable, distributable loop.

:func:`training_dataset` turns ``(image, boxes, classes)`` samples into batches of letterboxed
images and targets; :func:`train_detector` trains with warm-up + cosine learning rate,
atomic checkpoints it can resume from, early stopping on validation mAP@0.5 and TensorBoard
logs, under any ``tf.distribute`` strategy (one device by default).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.config import by_profile, make_rng
from lprkit.detection.postprocess import YoloSpec
from lprkit.errors import InputError
from lprkit.schedules import TimeBudget

STATE_FILE = "state.json"


def load_rgb(image) -> np.ndarray:
    """Return an RGB uint8 image from an array or an image file path."""
    if isinstance(image, np.ndarray):
        return image
    import cv2

    path = Path(image)
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"cannot read image {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def training_dataset(
    samples: Sequence,
    spec: YoloSpec,
    batch_size: int = 8,
    augment=None,
    shuffle: bool = True,
    seed: int | None = None,
    max_boxes: int = 100,
    drop_remainder: bool = False,
):
    """Build a ``tf.data.Dataset`` of ``(images, (head_targets, gt))`` batches.

    Parameters
    ----------
    samples
        Sequence of ``(image, boxes, classes)``: an RGB uint8 array or image path, ``(N, 4)``
        pixel ``x1, y1, x2, y2`` boxes and ``(N,)`` class ids.
    spec
        The model's :class:`~lprkit.detection.postprocess.YoloSpec`.
    batch_size
        Images per batch.
    augment
        An :class:`~lprkit.detection.augment.Augmenter` (mosaic partners are drawn from
        ``samples``), or ``None`` for a plain letterbox (validation).
    shuffle
        Reshuffle every epoch.
    seed
        Seed for shuffling and augmentation: same seed, same batches.
    max_boxes
        Length of the padded ground-truth list per image.
    drop_remainder
        Drop a last, smaller batch.

    Returns
    -------
    tf.data.Dataset
        Images float32 ``(B, S, S, 3)`` in [0, 1]; targets as
        :func:`~lprkit.detection.targets.build_targets` returns them, batched.
    """
    import tensorflow as tf

    from lprkit.detection.letterbox import letterbox, to_letterbox
    from lprkit.detection.targets import build_targets

    n = len(samples)
    if n == 0:
        raise InputError("training_dataset needs at least one sample")
    size, n_heads = spec.input_size, spec.num_heads
    seed = int(make_rng(seed).integers(2**31))

    def load(index, sample_seed):
        image, boxes, classes = samples[int(index)]
        image = load_rgb(image)
        if augment is not None:
            extra = []
            if getattr(augment, "mosaic", 0.0) > 0:  # decoding partners costs 3 more JPEGs
                rng = make_rng(int(sample_seed) % 2**63)
                extra = [samples[int(j)] for j in rng.integers(0, n, 3)]
                extra = [(load_rgb(im), b, c) for im, b, c in extra]
            image, boxes, classes = augment(image, boxes, classes, int(sample_seed), extra)
        else:
            image, geo = letterbox(image, size)
            boxes = to_letterbox(boxes, geo)
        heads, gt = build_targets(boxes, classes, spec, max_boxes=max_boxes)
        return (image, *heads, gt)

    ds = tf.data.Dataset.range(n)
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    seeds = tf.data.Dataset.random(seed=seed + 1, rerandomize_each_iteration=True)
    ds = tf.data.Dataset.zip(ds, seeds)
    out_types = [tf.uint8] + [tf.float32] * (n_heads + 1)

    def fetch(index, sample_seed):
        out = tf.numpy_function(load, [index, sample_seed], out_types)
        image = tf.ensure_shape(out[0], (size, size, 3))
        heads = tuple(
            tf.ensure_shape(t, (g, g, len(spec.anchors[h]), 5 + spec.num_classes))
            for h, (t, g) in enumerate(zip(out[1:-1], spec.grid_sizes(), strict=True))
        )
        gt = tf.ensure_shape(out[-1], (max_boxes, 5))
        return tf.cast(image, tf.float32) / 255.0, (heads, gt)

    ds = ds.map(fetch, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


@dataclass
class TrainResult:
    """What :func:`train_detector` did: per-epoch history and where it stopped."""

    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_run: int = 0
    best_epoch: int = 0
    best_score: float = float("-inf")
    stopped_early: bool = False
    checkpoint_dir: Path | None = None


def _write_scalars(writer, record: dict, step: int) -> None:
    """Write TensorBoard scalars without needing the tensorboard package (not in tensorflow-cpu)."""
    import tensorflow as tf
    from tensorflow.core.framework import summary_pb2

    meta = summary_pb2.SummaryMetadata()
    meta.plugin_data.plugin_name = "scalars"  # what tf.summary.scalar tags its events with
    with writer.as_default():
        for key, value in record.items():
            tf.summary.write(
                key, tf.constant(float(value)), step=step, metadata=meta.SerializeToString()
            )
    writer.flush()


def _atomic_json(path: Path, data: dict) -> None:
    from lprkit.fileio import atomic_write_json

    atomic_write_json(path, data, indent=1)


def _save_checkpoint(ckpt_dir: Path, epoch: int, model, optimizer, state: dict) -> None:
    """Write weights + optimizer into a fresh folder, then point ``state.json`` at it."""
    name = f"epoch_{epoch:04d}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=ckpt_dir))
    model.save_weights(tmp / "model.weights.h5")
    np.savez(tmp / "optimizer.npz", *[np.asarray(v.numpy()) for v in optimizer.variables])
    final = ckpt_dir / name
    if final.exists():  # left by a run that died before updating state.json
        shutil.rmtree(final)
    os.replace(tmp, final)
    _atomic_json(ckpt_dir / STATE_FILE, {**state, "checkpoint": name})
    for old in ckpt_dir.glob("epoch_*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def _restore_checkpoint(ckpt_dir: Path, model, optimizer) -> dict | None:
    state_path = ckpt_dir / STATE_FILE
    if not state_path.is_file():
        return None
    state = json.loads(state_path.read_text(encoding="utf-8"))
    folder = ckpt_dir / state["checkpoint"]
    model.load_weights(folder / "model.weights.h5")
    saved = np.load(folder / "optimizer.npz")
    arrays = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    if len(arrays) != len(optimizer.variables):
        raise InputError(
            f"{folder}: optimizer state has {len(arrays)} variables, this optimizer "
            f"{len(optimizer.variables)}; was the checkpoint written for another model?"
        )
    for var, arr in zip(optimizer.variables, arrays, strict=True):
        var.assign(arr)
    return state


def evaluate_model(
    model,
    dataset,
    spec: YoloSpec,
    score_threshold: float = 0.25,
    iou_threshold: float = 0.45,
    ignore_iou: float = 0.7,
    forward=None,
):
    """Mean loss and :class:`~lprkit.detection.metrics.DetectionMetrics` of ``model`` on ``dataset``.

    ``dataset`` is as :func:`training_dataset` makes it; boxes are compared in network-input
    pixels. ``forward`` (default: a new ``tf.function``) maps a batch to the raw outputs.
    """
    import tensorflow as tf

    from lprkit.detection.loss import yolo_loss
    from lprkit.detection.metrics import evaluate_detections
    from lprkit.detection.postprocess import postprocess

    forward = forward or tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    preds, gts, losses = [], [], []
    for x, (heads, gt) in dataset:
        out = forward(x)
        out = list(out) if isinstance(out, list | tuple) else [out]
        losses.append(yolo_loss(heads, out, gt, spec, ignore_iou)["total"].numpy())
        preds += postprocess(
            [o.numpy() for o in out], spec, score_threshold=0.001, iou_threshold=iou_threshold
        )
        gts += list(gt.numpy())
    metrics = evaluate_detections(preds, gts, spec.num_classes, score_threshold=score_threshold)
    return float(np.concatenate(losses).mean()), metrics


def train_detector(
    model,
    train_ds,
    val_ds=None,
    *,
    spec: YoloSpec | None = None,
    epochs: int | None = None,
    max_minutes: float | None = None,
    profile: str | None = None,
    learning_rate: float = 1e-3,
    warmup_epochs: float | None = None,
    weight_decay: float = 5e-4,
    patience: int | None = None,
    strategy=None,
    checkpoint_dir: str | os.PathLike | None = None,
    log_dir: str | os.PathLike | None = None,
    resume: bool = True,
    restore_best: bool = True,
    ignore_iou: float = 0.7,
    steps_per_epoch: int | None = None,
    verbose: bool = True,
) -> TrainResult:
    """Train a YOLO model built by :mod:`lprkit.models.yolov4` (or from a Darknet cfg).

    Parameters
    ----------
    model
        The Keras model; under a ``strategy`` it must have been built inside ``strategy.scope()``.
    train_ds, val_ds
        Datasets as :func:`training_dataset` makes them (``val_ds`` optional: without it early
        stopping watches the training loss).
    spec
        Decoding spec; default ``model.yolo_spec``.
    epochs
        Number of epochs; default by profile (smoke 1, course 30, full 150), or as many as
        ``max_minutes`` allows when that is given.
    max_minutes
        Training-time budget (summed over resumed runs; validation and checkpoints do not
        count, so the wall time is a little longer): warm-up and cosine
        decay are laid over the budget instead of the epochs, and training stops, mid-epoch
        if need be (that epoch is then validated and checkpointed), when it is spent.
    profile
        Profile for the defaults instead of the active one.
    learning_rate
        Peak learning rate of AdamW, reached after ``warmup_epochs`` of linear warm-up, then
        cosine decay to 1 % of it at the last step.
    warmup_epochs
        Default: 10 % of the epochs, at most 3 (with ``max_minutes``: 10 % of the budget).
    weight_decay
        Decoupled weight decay on kernels (not on biases and BatchNorm).
    patience
        Stop after this many epochs without improvement (default by profile: 1, 8, 20).
    strategy
        A ``tf.distribute`` strategy, e.g. ``MirroredStrategy`` over several GPUs.
    checkpoint_dir
        Where to write ``state.json``, the latest ``epoch_NNNN/`` checkpoint and
        ``best.weights.h5``; with ``resume`` an existing checkpoint there is continued.
    log_dir
        TensorBoard folder; default ``checkpoint_dir/logs`` when ``checkpoint_dir`` is given.
    resume
        Continue from ``checkpoint_dir`` if it holds a checkpoint.
    restore_best
        Load the best epoch's weights into ``model`` at the end (from ``checkpoint_dir``, or
        kept in memory without one).
    ignore_iou
        Darknet's ``ignore_thresh`` for the objectness loss.
    steps_per_epoch
        Needed only when ``train_ds`` has unknown length (then batches are taken from it).
    verbose
        Show a progress bar per epoch.

    Returns
    -------
    TrainResult
    """
    import keras
    import tensorflow as tf
    from tqdm.auto import tqdm

    from lprkit.detection.loss import yolo_loss

    spec = spec or getattr(model, "yolo_spec", None)
    if spec is None:
        raise InputError("pass spec=: this model has no yolo_spec attribute")
    if epochs is None and max_minutes:
        epochs = 10_000
    epochs = int(epochs or by_profile(smoke=1, course=30, full=150, profile=profile))
    patience = int(patience or by_profile(smoke=1, course=8, full=20, profile=profile))
    strategy = strategy or tf.distribute.get_strategy()
    first_var = model.trainable_variables[0]
    if not strategy.extended.variable_created_in_scope(getattr(first_var, "value", first_var)):
        raise InputError(
            "the model's variables were not created under this strategy: build the model "
            "inside `with strategy.scope():` and pass the same strategy"
        )
    steps = steps_per_epoch or int(train_ds.cardinality())
    if steps <= 0:
        raise InputError("train_ds has unknown or infinite length: pass steps_per_epoch")
    warmup = warmup_epochs if warmup_epochs is not None else min(3.0, 0.1 * epochs)
    warmup_steps = int(round(warmup * steps))
    total = epochs * steps
    with strategy.scope():
        if max_minutes:
            schedule = learning_rate * 0.01  # set before every step from the time budget
        else:
            schedule = keras.optimizers.schedules.CosineDecay(
                initial_learning_rate=learning_rate * 0.01 if warmup_steps else learning_rate,
                decay_steps=max(1, total - warmup_steps),
                alpha=0.01,
                warmup_target=learning_rate if warmup_steps else None,
                warmup_steps=warmup_steps,
            )
        optimizer = keras.optimizers.AdamW(
            schedule, weight_decay=weight_decay, global_clipnorm=10.0
        )
        optimizer.exclude_from_weight_decay(var_names=["gamma", "beta", "bias"])
        optimizer.build(model.trainable_variables)

    result = TrainResult(checkpoint_dir=Path(checkpoint_dir) if checkpoint_dir else None)
    start, wait, best_weights, spent = 0, 0, None, 0.0
    ckpt = result.checkpoint_dir
    if ckpt is not None:
        ckpt.mkdir(parents=True, exist_ok=True)
        state = _restore_checkpoint(ckpt, model, optimizer) if resume else None
        if state:
            start, wait = state["epoch"], state["wait"]
            result.history = state["history"]
            result.best_epoch, result.best_score = state["best_epoch"], state["best_score"]
            spent = state.get("train_seconds", 0.0)
            result.stopped_early = state.get("stopped_early", False)
    budget = TimeBudget(max_minutes, spent) if max_minutes else None
    warm_share = 0.1  # of the budget, when there is one
    log_dir = Path(log_dir) if log_dir else (ckpt / "logs" if ckpt else None)
    writer = tf.summary.create_file_writer(str(log_dir)) if log_dir else None

    def replica_step(x, targets):
        heads, gt = targets
        with tf.GradientTape() as tape:
            out = model(x, training=True)
            out = list(out) if isinstance(out, list | tuple) else [out]
            parts = yolo_loss(list(heads), out, gt, spec, ignore_iou)
            loss = tf.nn.compute_average_loss(parts["total"])
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return {k: tf.nn.compute_average_loss(v) for k, v in parts.items()}

    @tf.function(reduce_retracing=True)
    def train_step(x, targets):
        per_replica = strategy.run(replica_step, args=(x, targets))
        return {
            k: strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None)
            for k, v in per_replica.items()
        }

    forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    dist_train = strategy.experimental_distribute_dataset(
        train_ds if steps_per_epoch is None else train_ds.take(steps)
    )
    for epoch in range(start, epochs):
        if result.stopped_early or (budget is not None and budget.done):
            break
        if budget is not None:
            budget.resume()
        sums: dict[str, float] = {}
        total_desc = f"{epochs}" if budget is None else f"? ({max_minutes:g} min)"
        bar = tqdm(dist_train, total=steps, desc=f"epoch {epoch + 1}/{total_desc}", disable=not verbose)
        n = 0
        for x, targets in bar:
            if budget is not None:
                optimizer.learning_rate = budget.learning_rate(learning_rate, warm_share)
            logs = train_step(x, targets)
            n += 1
            for k, v in logs.items():
                sums[k] = sums.get(k, 0.0) + float(v)
            bar.set_postfix(loss=f"{sums['total'] / n:.3f}")
            if budget is not None and budget.done:
                break
        bar.close()
        if budget is not None:
            budget.pause()  # validation and checkpoints below do not spend the training budget
        record = {f"loss_{k}" if k != "total" else "loss": v / max(n, 1) for k, v in sums.items()}
        record["lr"] = float(
            np.asarray(optimizer.learning_rate) if budget else schedule(optimizer.iterations)
        )
        if val_ds is not None:
            val_loss, metrics = evaluate_model(
                model, val_ds, spec, ignore_iou=ignore_iou, forward=forward
            )
            record.update(
                val_loss=val_loss,
                val_map50=metrics.map50,
                val_map50_95=metrics.map50_95,
                val_recall=metrics.recall,
                val_precision=metrics.precision,
            )
            score = metrics.map50
        else:
            score = -record["loss"]
        for k, v in record.items():
            result.history.setdefault(k, []).append(float(v))
        if writer is not None:
            _write_scalars(writer, record, epoch + 1)
        if score > result.best_score + 1e-6:
            result.best_score, result.best_epoch, wait = float(score), epoch + 1, 0
            if ckpt is not None:
                tmp = ckpt / ".best.weights.h5"
                model.save_weights(tmp)
                os.replace(tmp, ckpt / "best.weights.h5")
            elif restore_best:
                best_weights = model.get_weights()
        else:
            wait += 1
        result.stopped_early = wait >= patience
        if verbose:
            print(f"epoch {epoch + 1}: " + ", ".join(f"{k}={v:.4g}" for k, v in record.items()))
        if ckpt is not None:
            _save_checkpoint(
                ckpt,
                epoch + 1,
                model,
                optimizer,
                {
                    "epoch": epoch + 1,
                    "wait": wait,
                    "history": result.history,
                    "best_epoch": result.best_epoch,
                    "best_score": result.best_score,
                    "train_seconds": budget.spent if budget is not None else 0.0,
                    "stopped_early": result.stopped_early,
                },
            )
        result.epochs_run = epoch + 1
    result.epochs_run = max(result.epochs_run, start)
    if restore_best and ckpt is not None and (ckpt / "best.weights.h5").is_file():
        model.load_weights(ckpt / "best.weights.h5")
    elif restore_best and best_weights is not None:
        model.set_weights(best_weights)
    return result
