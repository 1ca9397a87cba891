"""tf.data input and the training loop: checkpoints, resume, logs, tf.distribute."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from lprkit.detection.augment import Augmenter
from lprkit.detection.train import train_detector, training_dataset
from lprkit.models.darknet import model_from_cfg

TINY_CFG = Path(__file__).parent / "fixtures" / "tiny.cfg"


def toy_samples(n, seed=0):
    """Dark frames with bright yellow 'plates': enough for a loss to go down."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        image = rng.integers(0, 90, (72, 96, 3), dtype=np.uint8)
        w, h = int(rng.integers(20, 36)), int(rng.integers(8, 14))
        x, y = int(rng.integers(0, 96 - w)), int(rng.integers(0, 72 - h))
        image[y : y + h, x : x + w] = (230, 230, 60)
        out.append((image, np.array([[x, y, x + w, y + h]], np.float32), np.array([0])))
    return out


def test_dataset_shapes_and_seeded_order():
    spec = model_from_cfg(TINY_CFG).yolo_spec
    samples = toy_samples(10)
    ds = training_dataset(samples, spec, batch_size=4, augment=Augmenter(64), seed=3, max_boxes=5)
    assert int(ds.cardinality()) == 3
    x, (heads, gt) = next(iter(ds))
    assert x.shape == (4, 64, 64, 3) and x.dtype.name == "float32"
    assert 0.0 <= float(np.min(x)) and float(np.max(x)) <= 1.0
    assert [tuple(h.shape) for h in heads] == [(4, 2, 2, 3, 6), (4, 4, 4, 3, 6)]
    assert tuple(gt.shape) == (4, 5, 5)
    again = next(iter(training_dataset(samples, spec, 4, augment=Augmenter(64), seed=3, max_boxes=5)))
    np.testing.assert_array_equal(x.numpy(), again[0].numpy())
    plain = next(iter(training_dataset(samples, spec, 4, shuffle=False, max_boxes=5)))
    np.testing.assert_allclose(plain[1][1][0, 0].numpy()[4], 0)  # class 0 on the first box
    with pytest.raises(ValueError, match="at least one sample"):
        training_dataset([], spec)


def test_train_checkpoint_resume_and_logs(tmp_path):
    spec = model_from_cfg(TINY_CFG).yolo_spec
    train = training_dataset(toy_samples(16), spec, 8, augment=Augmenter(64), seed=0)
    val = training_dataset(toy_samples(8, 1), spec, 8, shuffle=False)
    ckpt = tmp_path / "ckpt"

    model = model_from_cfg(TINY_CFG)
    first = train_detector(model, train, val, epochs=1, patience=5, checkpoint_dir=ckpt,
                           learning_rate=3e-3, warmup_epochs=0, verbose=False)
    assert first.epochs_run == 1 and len(first.history["loss"]) == 1
    assert np.isfinite(first.history["loss"]).all()
    assert {"val_map50", "val_map50_95", "val_loss", "lr"} <= set(first.history)
    state = json.loads((ckpt / "state.json").read_text())
    assert state["epoch"] == 1 and (ckpt / state["checkpoint"] / "model.weights.h5").is_file()
    assert (ckpt / "best.weights.h5").is_file()
    assert not [p for p in ckpt.iterdir() if p.name.startswith(".")]  # no temp files left
    assert list((ckpt / "logs").glob("events.out.tfevents.*"))

    resumed_model = model_from_cfg(TINY_CFG)
    second = train_detector(resumed_model, train, None, epochs=2, patience=5, checkpoint_dir=ckpt,
                            learning_rate=3e-3, warmup_epochs=0, verbose=False, restore_best=False)
    assert second.epochs_run == 2 and len(second.history["loss"]) == 2
    assert second.history["loss"][:1] == first.history["loss"]
    assert json.loads((ckpt / "state.json").read_text())["epoch"] == 2
    assert sorted(p.name for p in ckpt.glob("epoch_*")) == ["epoch_0002"]
    # The step count was restored (2 + 2 steps): the cosine schedule ends at 1 % of the peak.
    assert second.history["lr"][1] == pytest.approx(3e-5, rel=1e-4)



def test_time_budget_anneals_stops_and_is_not_repeated_on_resume(tmp_path, monkeypatch):
    import functools

    import lprkit.detection.train as train_module
    from lprkit.schedules import TimeBudget

    ticks = iter(range(10**6))  # a clock that moves one second each time it is read
    monkeypatch.setattr(
        train_module, "TimeBudget", functools.partial(TimeBudget, clock=lambda: float(next(ticks)))
    )
    spec = model_from_cfg(TINY_CFG).yolo_spec
    train = training_dataset(toy_samples(16), spec, 8, augment=Augmenter(64), seed=0).repeat()
    ckpt = tmp_path / "ckpt"
    kwargs = dict(max_minutes=0.5, steps_per_epoch=4, patience=10_000, checkpoint_dir=ckpt,
                  learning_rate=3e-3, verbose=False)  # fmt: skip
    first = train_detector(model_from_cfg(TINY_CFG), train, None, **kwargs)
    lrs = first.history["lr"]
    assert 2 <= first.epochs_run < 10  # about 15 steps of two clock reads in 30 "seconds"
    assert max(lrs) > 1e-3 and lrs[-1] < 1e-4  # warmed up, then decayed as the budget ran out
    state = json.loads((ckpt / "state.json").read_text())
    assert state["train_seconds"] >= 30
    again = train_detector(model_from_cfg(TINY_CFG), train, None, **kwargs)
    assert again.epochs_run == first.epochs_run  # budget already spent: nothing more


def test_validation_does_not_spend_the_time_budget(tmp_path, monkeypatch):
    import lprkit.detection.train as train_module
    from lprkit.schedules import TimeBudget

    now = [0.0]

    def clock():
        now[0] += 1.0  # one "second" each time the budget reads the clock
        return now[0]

    real_evaluate = train_module.evaluate_model

    def slow_evaluate(*args, **kwargs):
        now[0] += 1000.0  # validation takes far longer than the whole budget
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(train_module, "TimeBudget", lambda *a, **k: TimeBudget(*a, **k, clock=clock))
    monkeypatch.setattr(train_module, "evaluate_model", slow_evaluate)
    spec = model_from_cfg(TINY_CFG).yolo_spec
    train = training_dataset(toy_samples(16), spec, 8, augment=Augmenter(64), seed=0).repeat()
    val = training_dataset(toy_samples(4, 1), spec, 4, shuffle=False)
    result = train_detector(model_from_cfg(TINY_CFG), train, val, max_minutes=0.5, steps_per_epoch=4,
                            patience=10_000, learning_rate=3e-3, verbose=False)  # fmt: skip
    assert result.epochs_run >= 2  # counted, the first validation would have ended the run
    assert len(result.history["val_map50"]) == result.epochs_run


def test_model_outside_strategy_scope_is_refused():
    import tensorflow as tf

    model = model_from_cfg(TINY_CFG)
    ds = training_dataset(toy_samples(2), model.yolo_spec, 2)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with pytest.raises(ValueError, match="strategy.scope"):
        train_detector(model, ds, strategy=strategy, epochs=1, verbose=False)


MIRRORED = textwrap.dedent(
    """
    import numpy as np, tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    from lprkit.detection.train import training_dataset, train_detector
    from lprkit.models.darknet import model_from_cfg
    from test_detection_train import TINY_CFG, toy_samples
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = model_from_cfg(TINY_CFG)
    ds = training_dataset(toy_samples(4), model.yolo_spec, 4, seed=0)
    before = [w.copy() for w in model.get_weights()]
    result = train_detector(model, ds, strategy=strategy, epochs=1, verbose=False)
    changed = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    print("REPLICAS", strategy.num_replicas_in_sync, "LOSS", result.history["loss"][0], changed)
    """
)


@pytest.mark.slow
def test_one_step_under_mirrored_strategy_on_two_cpus():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.getcwd()]),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", MIRRORED], capture_output=True, text=True,
                          env=env, timeout=300, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr[-3000:]
    line = [s for s in done.stdout.splitlines() if s.startswith("REPLICAS")][-1].split()
    assert line[1] == "2" and np.isfinite(float(line[3])) and line[4] == "True"
