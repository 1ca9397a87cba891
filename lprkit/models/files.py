"""Model files inside checkpoint folders, shared by the detector and recogniser checkpoints.

Two precisions:

* ``float32``: ``model.keras``, the whole model, exact;
* ``float16``: ``architecture.json`` + ``weights.npz`` with float16 weights: half the size, for
  checkpoints kept in git; weights are cast back to float32 on loading (the predictions change
  by float16 rounding only, which the shipped model cards' metrics already include).

Checkpoint folders are written with :func:`lprkit.fileio.write_folder_atomically`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from lprkit.errors import InputError, LprkitError

PRECISIONS = ("float32", "float16")


def without_optimizer(model, custom_objects: dict | None = None):
    """The model itself if uncompiled, else an uncompiled copy with the same weights."""
    import keras

    if getattr(model, "optimizer", None) is None:
        return model
    copy = keras.Model.from_config(model.get_config(), custom_objects=custom_objects)
    copy.set_weights(model.get_weights())
    return copy


def save_model_files(model, folder: Path, precision: str = "float32", custom_objects=None) -> list[str]:
    """Write the model into ``folder`` (which exists) in ``precision``; returns the file names."""
    if precision not in PRECISIONS:
        raise InputError(f"precision={precision!r}; use one of {', '.join(PRECISIONS)}")
    if precision == "float32":
        without_optimizer(model, custom_objects).save(folder / "model.keras")
        return ["model.keras"]
    # no compile settings: a model trained with jit_compile=True (JAX) would otherwise load
    # compiled for XLA, which is slower on a CPU
    (folder / "architecture.json").write_text(without_optimizer(model, custom_objects).to_json(), encoding="utf-8")
    weights = {f"w{i:04d}": w.astype(np.float16) for i, w in enumerate(model.get_weights())}
    np.savez_compressed(folder / "weights.npz", **weights)
    return ["architecture.json", "weights.npz"]


def load_model_files(folder: Path, custom_objects: dict | None = None):
    """The Keras model stored in ``folder`` (either precision), in float32."""
    import keras

    if (folder / "model.keras").is_file():
        return keras.saving.load_model(folder / "model.keras", custom_objects=custom_objects, compile=False)
    arch, weights = folder / "architecture.json", folder / "weights.npz"
    if not (arch.is_file() and weights.is_file()):
        raise FileNotFoundError(f"{folder} has neither model.keras nor architecture.json + weights.npz")
    model = keras.models.model_from_json(arch.read_text(encoding="utf-8"), custom_objects=custom_objects)
    try:
        with np.load(weights, allow_pickle=False) as data:
            arrays = [data[k].astype(np.float32) for k in sorted(data.files)]
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise LprkitError(f"{weights} is not a weights file lprkit wrote (NumPy .npz): {exc}") from None
    try:
        model.set_weights(arrays)
    except ValueError as exc:
        raise LprkitError(
            f"{weights} does not fit {arch.name}: {str(exc).splitlines()[0]} "
            "(the two files come from different models)"
        ) from None
    return model
