"""``lprkit export NAME|PATH --precision fp32|fp16|int8 --out FILE.tflite``: convert a checkpoint.

``NAME`` is a shipped checkpoint (see :mod:`lprkit.checkpoints`); ``PATH`` is a recogniser checkpoint folder (``meta.json``), a
detector folder (``detector.json``) or a bare recogniser ``.keras`` file with ``--alphabet``.
An ``--out`` ending in ``.onnx`` writes ONNX (float32) for TensorRT instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lprkit.commands._checks import check_number, check_output_file
from lprkit.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="convert a checkpoint to TFLite (fp32/fp16/int8) or ONNX",
        description="Convert a recogniser or detector checkpoint to a .tflite file that runs "
        "with LiteRT alone (lprkit.edge), or to .onnx for TensorRT. Every file is run once "
        "next to Keras; float32 files must agree with it.",
    )
    p.add_argument("model", metavar="NAME|PATH", help="shipped checkpoint name or checkpoint path")
    p.add_argument("--precision", choices=("fp32", "fp16", "int8"), default="fp32")
    p.add_argument("--out", required=True, help="output FILE.tflite (or FILE.onnx)")
    p.add_argument(
        "--int8-mode", choices=("dynamic", "full"), default="full",
        help="int8 flavour: 'full' integer with synthetic calibration (default) or 'dynamic' "
        "range (int8 weights only)",
    )
    p.add_argument("--calibration", type=int, default=None, metavar="N",
                   help="synthetic calibration samples for full int8 (default 200 crops / 100 scenes)")
    p.add_argument("--styles", default=None, help="plate styles for calibration (default: alphabet's)")
    p.add_argument("--seed", type=int, default=0, help="calibration seed")
    p.add_argument("--alphabet", default=None, help="alphabet of a bare .keras recogniser")
    p.add_argument("--allow-select-ops", action="store_true",
                   help="accept TF Select ops (the file then needs full TensorFlow)")
    p.add_argument("--opset", type=int, default=None, help="ONNX opset (default 13)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    p.set_defaults(func=run)


def load_for_export(name_or_path: str, alphabet: str | None = None):
    """A KerasRecognizer or KerasDetector from a shipped name, checkpoint folder or ``.keras``."""
    from lprkit.checkpoints import load_model_for_export

    return load_model_for_export(name_or_path, alphabet)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix not in (".tflite", ".onnx"):
        raise InputError(f"--out {out}: use a .tflite or .onnx file name")
    check_output_file(out, "--out", args.overwrite)
    check_number(args, "calibration", lo=1)
    check_number(args, "seed", lo=0)
    check_number(args, "opset", lo=7)
    if out.suffix == ".onnx" and args.precision != "fp32":
        raise InputError("ONNX export is float32; quantise for TensorRT on the device (trtexec)")
    obj = load_for_export(args.model, args.alphabet)
    is_detector = hasattr(obj, "spec") and not hasattr(obj, "alphabet")
    if out.suffix == ".onnx":
        from lprkit.export.onnx import DEFAULT_OPSET, export_onnx
        from lprkit.export.tflite import detector_metadata, recognizer_metadata

        meta = detector_metadata(obj) if is_detector else recognizer_metadata(obj)
        res = export_onnx(obj.model, out, opset=args.opset or DEFAULT_OPSET, overwrite=args.overwrite,
                          metadata=meta)
        print(f"wrote {out} ({res.size_bytes / 1e6:.2f} MB, opset {res.opset}, "
              f"max |ONNX - Keras| = {res.max_abs_diff:.3g})")
        return 0
    from lprkit.export.tflite import export_detector, export_recognizer

    kwargs = {
        "precision": args.precision,
        "int8_mode": args.int8_mode,
        "seed": args.seed,
        "overwrite": args.overwrite,
        "allow_select_ops": args.allow_select_ops,
    }
    if args.calibration is not None:
        kwargs["num_calibration"] = args.calibration
    if is_detector:
        if args.styles:
            kwargs["styles"] = args.styles
        res = export_detector(obj, out, **kwargs)
    else:
        res = export_recognizer(obj, out, styles=args.styles, **kwargs)
    print(f"wrote {out}")
    print(res.summary())
    return 0
