"""Training on plates streamed from the generator: for many-core machines with a GPU.

The course recipe (:mod:`lprkit.recognition.recipe`) renders a fixed training set first and
feeds it through ``tf.data``: right for a 2-core laptop, where the model is the bottleneck.
On a GPU machine the model reads plates faster than one process can draw them, and a fixed
set is soon seen many times. Here worker processes draw plates without pause into a growing
buffer, and training samples random batches from whatever the buffer holds so far.

No ``tf.data``: batches are NumPy arrays, so this runs with Keras 3 on TensorFlow or on JAX
(``KERAS_BACKEND=jax`` on a machine whose GPU build of JAX is installed and TensorFlow is not).
The learning rate warms up and decays (cosine) over the wall-clock budget, set between
fits of ``epoch_steps`` batches; the best weights on the validation plates are saved as a
checkpoint folder that :func:`lprkit.checkpoints.load_recognizer` reads.
"""

from __future__ import annotations

import datetime as _dt
import os
import threading
import time
from pathlib import Path

import numpy as np

from lprkit.charset import pad_labels
from lprkit.errors import InputError
from lprkit.synth.twoline import TOP_LAYOUT, check_top_layout

CHUNK = 2048  # plates per worker task: one generator seed each


def _draw_chunk(task) -> tuple[np.ndarray, list[str]]:
    """One worker task: the degraded plates of one seed, as model-ready uint8 strips."""
    styles, size, channels, seed, n, two_line_top = task
    from lprkit.recognition.preprocess import fit_crops
    from lprkit.synth.dataset import generate_crops

    images, texts, _ = generate_crops(n, styles, size=size, seed=seed, processes=1, two_line_top=two_line_top)
    return fit_crops(images, size, channels, two_line=False), texts


class PlateStream:
    """Worker processes drawing plates into a fixed-capacity buffer in the background.

    Seeds ``seed``, ``seed + 1``, … give ``chunk`` plates each (plates ``0 .. chunk - 1`` of
    :func:`~lprkit.synth.dataset.generate_crops` with that seed), so what was drawn is named by
    its seed range. Drawing stops when the buffer is full or :meth:`close` is called.

    Parameters
    ----------
    styles, alphabet
        Plate styles to draw and the alphabet that encodes their texts.
    size, channels
        Model input ``(width, height)`` and 1 (grey) or 3 (RGB).
    seed
        First generator seed.
    capacity
        Most plates held (rounded down to whole chunks; at least one chunk).
    workers
        Worker processes (spawned, so safe beside a started TensorFlow or JAX).
    chunk
        Plates per seed (one worker task).
    max_label_len
        Label width; every Korean and Latin plate fits in 10 tokens.
    two_line_top
        How two-line plates are cut into strips (:mod:`lprkit.synth.twoline`).
    """

    def __init__(
        self, styles, alphabet, size, channels, seed, capacity, workers, chunk=CHUNK, max_label_len=10,
        two_line_top=TOP_LAYOUT,
    ):  # fmt: skip
        import multiprocessing as mp

        if workers < 1:
            raise InputError(f"workers must be at least 1, got {workers}")
        check_top_layout(two_line_top)
        chunks = max(1, capacity // chunk)
        self.alphabet = alphabet
        self.images = np.empty((chunks * chunk, size[1], size[0], channels), np.uint8)
        self.labels = np.zeros((chunks * chunk, max_label_len), np.int32)
        self.filled = 0
        self.chunks_done = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._pool = mp.get_context("spawn").Pool(workers)
        tasks = [(styles, tuple(size), channels, seed + k, chunk, two_line_top) for k in range(chunks)]
        self._thread = threading.Thread(target=self._fill, args=(tasks,), daemon=True)
        self._thread.start()

    def _fill(self, tasks) -> None:
        try:
            # imap keeps seed order, so the buffer holds seeds seed .. seed + chunks_done - 1
            for images, texts in self._pool.imap(_draw_chunk, tasks):
                if self._stop.is_set():
                    return
                n = self.filled
                self.labels[n : n + len(texts)] = pad_labels(texts, self.alphabet, self.labels.shape[1])[0]
                self.images[n : n + len(texts)] = images
                self.filled, self.chunks_done = n + len(texts), self.chunks_done + 1
        except BaseException as err:  # noqa: BLE001 - re-raised in the training thread
            self.error = err

    def wait_for(self, n: int, timeout: float = 600.0) -> None:
        """Block until ``n`` plates are in the buffer (or it is full)."""
        t0 = time.time()
        while self.filled < min(n, len(self.images)):
            self._check()
            if time.time() - t0 > timeout:
                raise TimeoutError(f"only {self.filled} of {n} plates drawn after {timeout:.0f} s")
            time.sleep(0.2)

    def _check(self) -> None:
        if self.error is not None:
            raise RuntimeError(f"plate workers failed: {self.error!r}") from self.error

    def batch(self, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A random batch from what has been drawn so far: float32 images in [0, 1], labels."""
        self._check()
        if self.filled == 0:
            raise RuntimeError("no plates drawn yet; call wait_for first")
        idx = rng.integers(0, self.filled, size)
        return self.images[idx].astype(np.float32) / 255.0, self.labels[idx]

    def close(self) -> None:
        """Stop drawing and end the workers."""
        self._stop.set()
        self._pool.terminate()
        self._pool.join()


def train_streaming(
    out_dir: str | os.PathLike,
    *,
    arch: str = "crnn",
    styles: str = "korean",
    alphabet: str | None = None,
    init_from: str | os.PathLike | None = None,
    minutes: float = 10.0,
    learning_rate: float = 1e-3,
    batch_size: int = 256,
    epoch_steps: int = 400,
    warmup: float = 0.03,
    workers: int | None = None,
    capacity: int = 3_000_000,
    seed: int = 300_000,
    val_seed: int = 51,
    n_val: int = 2000,
    test_seed: int = 52,
    n_test: int = 1000,
    plates_per_seed: int = CHUNK,
    min_buffer: int = 20 * CHUNK,
    precision: str = "float32",
    two_line_top: str | None = None,
    overwrite: bool = False,
    log=print,
) -> dict:
    """Train a CRNN or LPRNet on streamed synthetic plates within a time budget.

    Parameters
    ----------
    out_dir
        Checkpoint folder to write (refused if it exists, unless ``overwrite``).
    arch, styles, alphabet
        As in :func:`lprkit.recognition.recipe.train_plate_recognizer`.
    init_from
        Start from this checkpoint's weights (shipped name or folder).
    minutes
        Wall-clock budget from the call to the last training step (drawing the validation
        plates and compiling count); the learning rate's warm-up and cosine decay span it.
    learning_rate
        Peak Adam learning rate.
    batch_size, epoch_steps
        Batch size, and batches between validations (and learning-rate updates).
    warmup
        Share of the budget spent warming up.
    workers
        Plate-drawing processes (default: all cores but two).
    capacity
        Most plates kept; once full, training samples from the same plates.
    seed
        First generator seed of the training plates (``plates_per_seed`` each); keep the
        range clear of the validation and test seeds.
    plates_per_seed
        Plates drawn from each training seed (one worker task).
    val_seed, n_val
        Validation plates, read after every ``epoch_steps`` batches; the best weights win.
    test_seed, n_test
        Held-out plates measured at the end (and real crops, when available).
    min_buffer
        Plates drawn before the first step.
    precision
        Weights of the saved checkpoint (``"float16"`` halves it).
    two_line_top
        How two-line plates are cut into strips, for training, validation and the test set:
        ``"text"`` or ``"span"`` (default: new data's, :data:`lprkit.synth.twoline.TOP_LAYOUT`).
        The checkpoint records it, so readers cut plates the same way.
    log
        Called with one line per validation.

    Returns
    -------
    dict
        Training summary with metrics, also saved in the checkpoint's ``meta.json``.
    """
    from lprkit.recognition import ctc
    from lprkit.recognition.keras_recognizer import KerasRecognizer
    from lprkit.recognition.metrics import exact_accuracy
    from lprkit.recognition.recipe import (
        INPUT_SIZES,
        build_model,
        copy_recognizer_weights,
        measure,
        resolve_alphabet,
    )
    from lprkit.schedules import warmup_cosine
    from lprkit.synth.styles import resolve_styles

    t_start = time.time()
    two_line_top = check_top_layout(two_line_top or TOP_LAYOUT)
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise FileExistsError(f"{out_dir} exists; pass overwrite=True to replace it")
    style_names = resolve_styles(styles)
    alpha = resolve_alphabet(style_names, alphabet)
    import keras

    model = build_model(arch, alpha)  # refuses an unknown architecture
    size, channels = INPUT_SIZES[arch], model.input_shape[-1]
    if init_from is not None:  # refused before any worker starts
        copy_recognizer_weights(init_from, model, alpha)
    # a plain learning-rate variable, set between fits from the share of the budget spent
    model.compile(optimizer=keras.optimizers.Adam(learning_rate * 0.01, clipnorm=5.0), loss=ctc.ctc_loss)
    workers = workers or max(1, (os.cpu_count() or 1) - 2)
    stream = PlateStream(
        style_names, alpha, size, channels, seed, capacity, workers, plates_per_seed, two_line_top=two_line_top
    )
    try:
        val_x, val_texts = _draw_chunk((style_names, size, channels, val_seed, n_val, two_line_top))
        val_x = val_x.astype(np.float32) / 255.0

        def val_exact() -> float:
            probs = np.asarray(model.predict(val_x, batch_size=1024, verbose=0))
            hyps = [r.text for r in ctc.decode(probs, alpha)]
            return exact_accuracy(val_texts, hyps, alpha)

        rng = np.random.default_rng(seed)

        class Batches(keras.utils.PyDataset):
            def __len__(self):
                return epoch_steps

            def __getitem__(self, i):
                return stream.batch(batch_size, rng)

        stream.wait_for(min_buffer)
        deadline = t_start + 60.0 * minutes
        t_train = time.time()
        best, best_weights, history = val_exact(), model.get_weights(), []
        log(f"start: val exact {best:.4f}, {stream.filled} plates drawn")
        while True:
            t0 = time.time()
            lr = warmup_cosine((t0 - t_train) / max(deadline - t_train, 1.0), learning_rate, warmup=warmup)
            model.optimizer.learning_rate.assign(lr)
            loss = model.fit(Batches(), epochs=1, verbose=0).history["loss"][-1]
            seconds = time.time() - t0
            exact = val_exact()
            history.append({
                "step": epoch_steps * (len(history) + 1), "loss": float(loss), "val_exact": exact,
                "lr": lr, "images_per_s": epoch_steps * batch_size / seconds, "drawn": stream.filled,
                "seconds": round(time.time() - t_start, 1),
            })  # fmt: skip
            log(" ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in history[-1].items()))
            if exact >= best:  # ties go to the later, more annealed weights
                best, best_weights = exact, model.get_weights()
            if time.time() + seconds > deadline:
                break
        drawn, chunks = stream.filled, stream.chunks_done
    finally:
        stream.close()

    model.set_weights(best_weights)
    recognizer = KerasRecognizer(model, alpha, two_line="best", two_line_top=two_line_top, name=out_dir.name)
    summary = {
        "architecture": arch,
        "alphabet": alpha.name,
        "styles": style_names,
        "input_size": list(size),
        "n_train": drawn,
        "n_val": n_val,
        "seed": seed,
        "val_seed": val_seed,
        "streamed": {
            "seeds": [seed, seed + chunks - 1],
            "plates_per_seed": plates_per_seed,
            "steps": epoch_steps * len(history),
            "workers": workers,
            "backend": keras.backend.backend(),
            "hardware": _hardware(),
        },
        "init_from": str(init_from) if init_from is not None else None,
        "max_minutes": minutes,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "epochs_run": len(history),
        "best_val_exact": best,
        "history": history,
        "train_minutes_this_run": round((time.time() - t_train) / 60, 1),
        "date": _dt.date.today().isoformat(),
    }
    # saved before measuring too, so a failed measurement never loses the trained weights
    recognizer.save(out_dir, precision=precision, overwrite=overwrite, training=summary)
    summary["metrics"] = measure(recognizer, test_seed, style_names, n_test)
    recognizer.save(out_dir, precision=precision, overwrite=True, training=summary)
    return summary


def _hardware() -> str:
    """The accelerator Keras trained on, in words (``"CPU"`` without one)."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            device = jax.devices()[0]
            return device.device_kind if device.platform == "gpu" else "CPU"
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU") if gpus else "CPU"
    except Exception:  # noqa: BLE001 - only a label for the card
        pass
    return "unknown"
