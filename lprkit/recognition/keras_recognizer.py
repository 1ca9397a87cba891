"""A Keras CTC model wrapped as a :class:`~lprkit.recognition.base.Recognizer`, and its
checkpoint folder.

A checkpoint folder holds::

    meta.json          architecture, alphabet (name and tokens), input size, channels,
                       normalisation, decoder, training info, versions
    model.keras        the whole model in float32                      (precision "float32")
  or
    architecture.json  + weights.npz: the model graph and float16 weights (precision
                       "float16", half the size, for checkpoints kept in git)

Folders are written next to their final place and renamed into it, so an interrupted save
never leaves a folder that looks complete.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.charset import Alphabet, get_alphabet
from lprkit.errors import InputError, LprkitError
from lprkit.models.files import load_model_files
from lprkit.recognition import ctc
from lprkit.recognition.base import PlateRead
from lprkit.recognition.preprocess import (
    NORMALISATION,
    default_two_line_hook,
    preprocess_crops,
    read_crops,
)
from lprkit.synth.twoline import LEGACY_TOP_LAYOUT, TOP_LAYOUT, check_top_layout

META = "meta.json"
FORMAT_VERSION = 1


def custom_objects() -> dict:
    import lprkit.models.lprnet as lprnet_mod  # registers ScaleNorm / AffineSampler

    return {
        "ScaleNorm": lprnet_mod.ScaleNorm,
        "AffineSampler": lprnet_mod.AffineSampler,
        "ctc_loss": ctc.ctc_loss,
    }


class KerasRecognizer:
    """Read plate crops with a Keras CTC model.

    Parameters
    ----------
    model
        ``keras.Model`` mapping ``(batch, h, w, c)`` float32 in [0, 1] to CTC softmax
        ``(batch, T, alphabet.num_classes)``.
    alphabet
        The model's alphabet (or its name).
    decoder
        ``"greedy"`` or ``"beam"``.
    grammar
        Optional plate grammar for constrained decoding (see :func:`ctc.as_grammar`).
    beam_width
        Beam width for beam and constrained decoding.
    two_line
        Two-line handling of crops: False, True, ``"auto"`` (aspect ratio; unreliable on
        loose real crops), ``"best"`` (read possible two-line crops both ways, keep the more
        confident reading) — see :mod:`lprkit.recognition.preprocess`.
    two_line_top
        How two-line crops are cut into strips: ``"text"`` or ``"span"`` (see
        :mod:`lprkit.synth.twoline`); it must be the layout of the strips the model was trained
        on. Default: the layout new training data uses; checkpoints record theirs.
    name
        Label in comparison tables (default the model's name).
    batch_size
        Crops per forward pass.
    meta
        Extra information kept with the checkpoint (training info, model card fields).
    """

    def __init__(
        self,
        model,
        alphabet: Alphabet | str,
        decoder: str = "greedy",
        grammar=None,
        beam_width: int = 10,
        two_line: bool | str = False,
        two_line_top: str = TOP_LAYOUT,
        name: str | None = None,
        batch_size: int = 64,
        meta: dict | None = None,
    ) -> None:
        self.model = model
        self.alphabet = get_alphabet(alphabet)
        shape = model.input_shape
        if len(shape) != 4 or shape[1] is None or shape[2] is None:
            raise InputError(f"model input shape {shape}; expected (batch, height, width, c)")
        self.input_size = (int(shape[2]), int(shape[1]))
        self.channels = int(shape[3])
        out = model.output_shape
        if out[-1] != self.alphabet.num_classes:
            raise InputError(
                f"model has {out[-1]} output classes but alphabet {self.alphabet.name!r} "
                f"needs {self.alphabet.num_classes}"
            )
        if decoder not in ("greedy", "beam"):
            raise InputError(f"decoder={decoder!r}; use 'greedy' or 'beam'")
        self.decoder = decoder
        self.grammar = ctc.as_grammar(grammar)
        self.beam_width = beam_width
        self.two_line = two_line
        self.two_line_top = check_top_layout(two_line_top)
        self.name = name or model.name
        self.batch_size = batch_size
        self.meta = dict(meta or {})

    def preprocess(self, crops: Sequence[np.ndarray], two_line=None) -> np.ndarray:
        """Crops -> model input batch (see :func:`preprocess_crops`)."""
        flag = self.two_line if two_line is None else two_line
        hook = default_two_line_hook(self.two_line_top)
        return preprocess_crops(crops, self.input_size, self.channels, flag, hook)

    def predict_proba(self, crops: Sequence[np.ndarray], two_line=None) -> np.ndarray:
        """CTC probabilities ``(n, T, num_classes)`` for RGB uint8 crops of any size."""
        if len(crops) == 0:
            return np.zeros((0, *self.model.output_shape[1:]), dtype=np.float32)
        x = self.preprocess(crops, two_line)
        # predict_on_batch runs a compiled graph: ~20x faster than an eager call at batch 1
        outs = [
            np.asarray(self.model.predict_on_batch(x[i : i + self.batch_size]))
            for i in range(0, len(x), self.batch_size)
        ]
        return np.concatenate(outs, axis=0)

    def read(self, crops: Sequence[np.ndarray], two_line=None) -> list[PlateRead]:
        """Read RGB uint8 crops of any size; ``two_line`` overrides the default per call."""
        flag = self.two_line if two_line is None else two_line
        return read_crops(crops, flag, self.predict_proba, self.decode)

    def decode(self, probs: np.ndarray) -> list[PlateRead]:
        """Plate readings from CTC probabilities, with this recogniser's decoder and grammar."""
        return ctc.decode(probs, self.alphabet, self.decoder, self.grammar, self.beam_width)

    def __repr__(self) -> str:
        return (
            f"KerasRecognizer({self.name!r}, alphabet={self.alphabet.name!r}, "
            f"input_size={self.input_size}, channels={self.channels}, decoder={self.decoder!r})"
        )

    # ------------------------------------------------------------------ checkpoints
    def save(
        self,
        path: str | os.PathLike,
        precision: str = "float32",
        overwrite: bool = False,
        training: dict | None = None,
    ) -> Path:
        """Write a checkpoint folder (see the module notes); returns its path.

        Parameters
        ----------
        precision
            ``"float32"`` (``model.keras``, exact) or ``"float16"`` (half-size weights).
        overwrite
            Replace an existing folder; otherwise FileExistsError.
        training
            Training information to record (data, epochs, metrics, command).
        """
        from lprkit.fileio import write_folder_atomically
        from lprkit.models.files import save_model_files

        def fill(tmp: Path) -> None:
            files = save_model_files(self.model, tmp, precision, custom_objects())
            meta = self._meta(precision, files, training)
            (tmp / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

        return write_folder_atomically(path, fill, overwrite)

    def _meta(self, precision: str, files: list[str], training: dict | None) -> dict:
        import keras

        meta = {
            **self.meta,
            "format": FORMAT_VERSION,
            "name": self.name,
            "architecture": self.model.name,
            "alphabet": self.alphabet.name,
            "alphabet_tokens": list(self.alphabet.tokens),
            "input_size": list(self.input_size),
            "channels": self.channels,
            "normalisation": NORMALISATION,
            "two_line": self.two_line,
            "two_line_top": self.two_line_top,
            "decoder": self.decoder,
            "beam_width": self.beam_width,
            "precision": precision,
            "files": files,
            "num_params": int(self.model.count_params()),
            "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "keras_version": keras.__version__,
        }
        if training is not None:
            meta["training"] = training
        return meta

    @classmethod
    def load(cls, path: str | os.PathLike, **overrides) -> KerasRecognizer:
        """Load a checkpoint folder written by :meth:`save`.

        ``overrides`` replace the saved reading settings (``decoder``, ``grammar``,
        ``beam_width``, ``two_line``, ``two_line_top``, ``name``, ``batch_size``). A checkpoint
        that does not record ``two_line_top`` predates it and read ``"span"`` strips.
        """
        path = Path(path)
        meta_file = path / META
        if not meta_file.is_file():
            raise FileNotFoundError(f"{meta_file} not found: {path} is not a recogniser checkpoint")
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise LprkitError(f"{meta_file} is not valid JSON: {err}") from None
        model = load_model_files(path, custom_objects())
        alphabet = _alphabet_from_meta(meta, meta_file)
        if meta.get("normalisation", NORMALISATION) != NORMALISATION:
            raise LprkitError(
                f"{meta_file}: normalisation {meta['normalisation']!r} is not supported "
                f"(this version uses {NORMALISATION!r})"
            )
        settings = {
            "decoder": meta.get("decoder", "greedy"),
            "beam_width": meta.get("beam_width", 10),
            "two_line": meta.get("two_line", False),
            "two_line_top": meta.get("two_line_top", LEGACY_TOP_LAYOUT),
            "name": meta.get("name"),
        }
        settings.update(overrides)
        return cls(model, alphabet, meta=meta, **settings)


def _alphabet_from_meta(meta: dict, where: Path) -> Alphabet:
    tokens = tuple(meta.get("alphabet_tokens") or ())
    name = meta.get("alphabet")
    if not name:
        raise LprkitError(f"{where} names no alphabet")
    try:
        known = get_alphabet(name)
    except ValueError:
        known = None
    if known is not None and (not tokens or known.tokens == tokens):
        return known
    if not tokens:
        raise LprkitError(f"{where}: alphabet {name!r} is unknown and its tokens are not saved")
    return Alphabet(name, tokens)  # a custom alphabet travels with its checkpoint
