"""The light files shipped beside each production checkpoint, and how far they are from Keras.

A shipped checkpoint folder (``lprkit/checkpoints/NAME/``) holds the Keras weights and one
exported file that LiteRT runs without TensorFlow, ``model_<precision>.tflite``: what
:func:`lprkit.checkpoints.load_detector` / ``load_recognizer`` load in the light install.
:func:`ship_light_file` writes it and records, in the folder's ``exports.json``, its size, its
SHA-256 and its agreement with the Keras model (:func:`light_parity`): on seeded synthetic
crops or scenes with their labels and, when the real development data is there
(``LPRKIT_DATA_HOME``), on the real crops of the recogniser's alphabet or on the European
photos for the detector. ``scripts/ship_checkpoint.py`` calls it, so re-shipping a model
regenerates its light file; ``python -m lprkit.export.shipped NAME [NAME ...]`` does it alone.

:data:`LIGHT_PRECISION` holds the precision chosen per model. The choice was measured
(:func:`light_parity`, 2-core x86-64 CPU, TF 2.21 converter, LiteRT 2.3), fp16 against
full-integer int8 ("agree": same texts as Keras on 300 synthetic crops / mAP@0.5 against the
Keras boxes on 40 synthetic scenes; "real": exact on the real crops, mAP@0.5 and @0.5:0.95 on
the 108 ``openalpr_eu`` photos, Keras first)::

    model               precision    MB   agree   real (Keras -> file)
    crnn-latin          fp16       2.53   1.000   exact 0.898 -> 0.898
    crnn-latin          int8       1.95   0.990   exact 0.898 -> 0.880
    crnn-korean         fp16       2.54   0.997   exact 0.750 -> 0.750 (20 crops)
    crnn-korean         int8       1.96   0.997   exact 0.750 -> 0.750
    lprnet-korean       fp16       1.31   1.000   exact 0.750 -> 0.750
    lprnet-korean       int8       0.71   0.917   exact 0.750 -> 0.750 (synthetic 0.86 -> 0.84)
    yolov4-tiny-plates  fp16      11.77   1.000   mAP 0.938/0.572 -> 0.938/0.572, mean IoU 1.000
    yolov4-tiny-plates  int8       5.98   1.000   mAP 0.938/0.572 -> 0.959/0.467, mean IoU 0.813

fp16 everywhere: it reads and finds exactly what Keras does (the detector's int8 boxes are
looser: mAP@0.5:0.95 -0.11, and earlier measurements found int8 no faster than float here);
int8 would save 0.6 MB per CRNN and 5.8 MB on the detector, and the four fp16 files (18.2 MB)
fit the package's 25 MB budget for light files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from lprkit.errors import InputError

#: Precision of each shipped model's LiteRT file, chosen by measurement (``exports.json``).
LIGHT_PRECISION = {
    "yolov4-tiny-plates": "fp16",
    "crnn-latin": "fp16",
    "crnn-korean": "fp16",
    "lprnet-korean": "fp16",
}
#: For checkpoints not listed above.
DEFAULT_LIGHT_PRECISION = "fp16"
#: The record of a folder's exported files.
MANIFEST = "exports.json"
#: Seeded parity sets: synthetic crops per recogniser, synthetic scenes per detector.
PARITY_CROPS, PARITY_SCENES, PARITY_SEED = 300, 40, 1234


def light_file_name(precision: str) -> str:
    """``model_<precision>.tflite``: the name of a folder's LiteRT file."""
    return f"model_{precision}.tflite"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def light_parity(folder: str | os.PathLike, file: str | os.PathLike, real: bool = True) -> dict:
    """How far the exported ``file`` is from the Keras checkpoint in ``folder``.

    Returns
    -------
    dict
        ``synthetic``: a :class:`~lprkit.export.parity.ParityRow` as a dict (recognisers:
        ``agreement`` = share of the same texts, accuracies = exact plates; detectors:
        ``agreement`` = mAP@0.5 against the Keras boxes, accuracies = mAP@0.5 against the
        labels); ``real`` (when ``real`` and the data are present): the same figures for both
        models on real data (recognisers: exact/CER on the alphabet's real crops; detector:
        mAP, precision and recall on the ``openalpr_eu`` photos).
    """
    from lprkit.checkpoints import checkpoint_kind, load_detector, load_recognizer

    folder = Path(folder)
    if checkpoint_kind(folder) == "recognizer":
        keras_model = load_recognizer(folder, backend="keras")
        edge_model = load_recognizer(file, num_threads=2)
        out = {"synthetic": _recognizer_synthetic(keras_model, edge_model)}
        if real:
            from lprkit.recognition.recipe import measure_real

            ref = measure_real(keras_model)
            if ref is not None:
                out["real"] = {"keras": ref, "edge": measure_real(edge_model)}
        return out
    keras_model = load_detector(folder, backend="keras")
    edge_model = load_detector(file, num_threads=2)
    out = {"synthetic": _detector_synthetic(keras_model, edge_model)}
    if real:
        samples = _real_detection_samples()
        if samples:
            from lprkit.detection.recipe import evaluate_detector

            out["real"] = {
                "set": "openalpr_eu",
                "keras": evaluate_detector(keras_model, samples),
                "edge": evaluate_detector(edge_model, samples),
            }
    return out


def _recognizer_synthetic(keras_model, edge_model) -> dict:
    from lprkit.export.parity import recognizer_parity, synthetic_crops

    styles = keras_model.alphabet.name if keras_model.alphabet.name in ("korean", "latin") else None
    if styles is None:
        raise InputError(f"no plate styles for alphabet {keras_model.alphabet.name!r} to measure parity on")
    crops, texts = synthetic_crops(
        PARITY_CROPS, keras_model.input_size, styles, PARITY_SEED, keras_model.two_line_top
    )
    return {**recognizer_parity(keras_model, edge_model, crops, texts).as_dict(), "seed": PARITY_SEED}


def _detector_synthetic(keras_model, edge_model) -> dict:
    from lprkit.export.parity import detector_parity, synthetic_scenes

    half = PARITY_SCENES // 2
    park, park_boxes = synthetic_scenes(half, "all", PARITY_SEED)
    cctv, cctv_boxes = synthetic_scenes(PARITY_SCENES - half, "all", PARITY_SEED + 1, "cctv")
    row = detector_parity(keras_model, edge_model, park + cctv, park_boxes + cctv_boxes)
    return {**row.as_dict(), "seed": PARITY_SEED}


def _real_detection_samples():
    from lprkit.errors import LprkitError

    try:
        from lprkit.data.realdata import dataset_dir
        from lprkit.detection.recipe import load_samples

        return load_samples([dataset_dir("openalpr_eu")])
    except (FileNotFoundError, LprkitError):
        return None


def ship_light_file(
    name_or_path: str | os.PathLike,
    precision: str | None = None,
    *,
    measure: bool = True,
    real: bool = True,
) -> dict:
    """Export a checkpoint folder's LiteRT file into the folder and record it in ``exports.json``.

    Parameters
    ----------
    name_or_path
        A shipped name or a checkpoint folder.
    precision
        ``"fp32"``, ``"fp16"`` or ``"int8"`` (full integer); default :data:`LIGHT_PRECISION`.
    measure, real
        Measure parity with Keras (:func:`light_parity`), and on real data too.

    Returns
    -------
    dict
        The ``litert`` record written to ``exports.json``.

    Other ``model_*.tflite`` files in the folder (an earlier precision) are removed: the
    folder's light file is derived data, regenerated from the weights beside it.
    """
    from lprkit.checkpoints import checkpoint_kind, load_model_for_export, resolve
    from lprkit.export.tflite import export_detector, export_recognizer

    folder = resolve(name_or_path)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a checkpoint folder")
    precision = precision or LIGHT_PRECISION.get(folder.name, DEFAULT_LIGHT_PRECISION)
    out = folder / light_file_name(precision)
    start = time.perf_counter()
    model = load_model_for_export(folder)
    export = export_recognizer if checkpoint_kind(folder) == "recognizer" else export_detector
    result = export(model, out, precision, overwrite=True)
    for old in folder.glob("model_*.tflite"):
        if old != out:
            old.unlink()
    record = {
        "file": out.name,
        "precision": precision,
        "int8_mode": result.int8_mode,
        "bytes": out.stat().st_size,
        "sha256": _sha256(out),
        "converter": result.metadata.get("converter"),
        "export_seconds": round(time.perf_counter() - start, 1),
    }
    if measure:
        record["parity"] = light_parity(folder, out, real=real)
    manifest = folder / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    data["litert"] = record
    from lprkit.fileio import atomic_write_json

    atomic_write_json(manifest, data, overwrite=True)
    return record


def main(argv: list[str] | None = None) -> int:
    """``python -m lprkit.export.shipped NAME [NAME ...] [--precision P]``: regenerate light files."""
    ap = argparse.ArgumentParser(description=ship_light_file.__doc__.splitlines()[0])
    ap.add_argument("names", nargs="+", help="shipped names or checkpoint folders")
    ap.add_argument("--precision", choices=("fp32", "fp16", "int8"), default=None)
    ap.add_argument("--no-real", action="store_true", help="skip the real-data parity")
    args = ap.parse_args(argv)
    for name in args.names:
        record = ship_light_file(name, args.precision, real=not args.no_real)
        print(f"{name}: {record['file']} ({record['bytes'] / 1e6:.2f} MB)")
        print(json.dumps(record.get("parity", {}), indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
