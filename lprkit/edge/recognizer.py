"""A CTC recogniser (CRNN or LPRNet) run by LiteRT or ONNX Runtime, without TensorFlow.

It reads crops exactly like :class:`lprkit.recognition.keras_recognizer.KerasRecognizer`: the
same :func:`~lprkit.recognition.preprocess.preprocess_crops` before the model and the same
:func:`~lprkit.recognition.ctc.decode` after it, so a TFLite file and its Keras model can only
differ by what the conversion changed.

Settings (alphabet, two-line handling, decoder) come from the metadata that
:mod:`lprkit.export.tflite` embeds; arguments fill in or override them, so files made
elsewhere work too when given an alphabet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.charset import Alphabet, get_alphabet
from lprkit.edge.backends import open_model
from lprkit.errors import InputError, LprkitError
from lprkit.recognition import ctc
from lprkit.recognition.base import PlateRead
from lprkit.recognition.preprocess import (
    NORMALISATION,
    default_two_line_hook,
    preprocess_crops,
    read_crops,
)
from lprkit.synth.twoline import LEGACY_TOP_LAYOUT, check_top_layout


def alphabet_from_metadata(meta: dict, alphabet: Alphabet | str | None = None) -> Alphabet:
    """The alphabet named by ``alphabet``, else by the metadata (its saved tokens win).

    A custom alphabet (name unknown to :func:`lprkit.charset.get_alphabet`) is rebuilt from
    ``alphabet_tokens``.
    """
    if alphabet is not None:
        return get_alphabet(alphabet)
    name, tokens = meta.get("alphabet"), tuple(meta.get("alphabet_tokens") or ())
    if not name:
        raise LprkitError("the model file names no alphabet; pass alphabet= ('korean', 'latin')")
    try:
        known = get_alphabet(name)
    except ValueError:
        known = None
    if known is not None and (not tokens or known.tokens == tokens):
        return known
    if not tokens:
        raise LprkitError(f"alphabet {name!r} is unknown and the file does not list its tokens")
    return Alphabet(name, tokens)


class EdgeRecognizer:
    """Read plate crops with an exported CTC model (a :class:`~lprkit.recognition.base.Recognizer`).

    Parameters
    ----------
    model
        Path to a ``.tflite`` (LiteRT) or ``.onnx`` (ONNX Runtime) file, its bytes, or an
        opened :class:`~lprkit.edge.runtime.LiteRTModel` /
        :class:`~lprkit.edge.onnx_runtime.OnnxRuntimeModel`.
    alphabet
        The model's alphabet; default from the file's metadata.
    decoder
        ``"greedy"`` or ``"beam"``; default from metadata, else greedy.
    grammar
        Optional plate grammar for constrained decoding (:func:`lprkit.recognition.ctc.as_grammar`).
    beam_width
        Beam width for beam and constrained decoding.
    two_line
        Two-line handling (False, True, ``"auto"``, ``"best"`` or per-crop flags); default from
        metadata.
    two_line_top
        Two-line strip layout, ``"text"`` or ``"span"`` (:mod:`lprkit.synth.twoline`); default
        from metadata, ``"span"`` for files that do not record it.
    num_threads
        CPU threads of the runtime.
    providers
        ONNX Runtime execution providers (``.onnx`` only).
    name
        Label in comparison tables; default from metadata, else the file name.
    """

    def __init__(
        self,
        model: str | Path | bytes,
        alphabet: Alphabet | str | None = None,
        decoder: str | None = None,
        grammar=None,
        beam_width: int | None = None,
        two_line: bool | str | None = None,
        two_line_top: str | None = None,
        num_threads: int = 1,
        name: str | None = None,
        providers=None,
    ) -> None:
        self.runtime = open_model(model, num_threads=num_threads, providers=providers)
        meta = self.runtime.metadata
        if meta.get("kind", "recognizer") != "recognizer":
            raise LprkitError(f"{self.runtime.source} holds a {meta['kind']}, not a recogniser")
        if meta.get("normalisation", NORMALISATION) != NORMALISATION:
            raise LprkitError(
                f"{self.runtime.source}: normalisation {meta['normalisation']!r} is not supported"
            )
        self.alphabet = alphabet_from_metadata(meta, alphabet)
        shape = self.runtime.input_shape
        out = self.runtime.outputs[0].shape
        if len(self.runtime.inputs) != 1 or len(shape) != 4 or len(out) != 3:
            raise LprkitError(
                f"{self.runtime.source}: expected one (batch, h, w, c) input and a "
                f"(batch, T, classes) output, got {shape} -> {out}"
            )
        if out[-1] != self.alphabet.num_classes:
            raise InputError(
                f"the model has {out[-1]} output classes but alphabet {self.alphabet.name!r} "
                f"needs {self.alphabet.num_classes}"
            )
        self.input_size = (int(shape[2]), int(shape[1]))
        self.channels = int(shape[3])
        self.decoder = decoder or meta.get("decoder", "greedy")
        if self.decoder not in ("greedy", "beam"):
            raise InputError(f"decoder={self.decoder!r}; use 'greedy' or 'beam'")
        self.grammar = ctc.as_grammar(grammar)
        self.beam_width = int(beam_width or meta.get("beam_width", 10))
        self.two_line = meta.get("two_line", False) if two_line is None else two_line
        self.two_line_top = check_top_layout(
            two_line_top or meta.get("two_line_top", LEGACY_TOP_LAYOUT)
        )
        source = Path(self.runtime.source).stem if self.runtime.source != "<bytes>" else "edge"
        self.name = name or meta.get("name") or source
        self.precision = meta.get("precision")

    @property
    def num_threads(self) -> int:
        return self.runtime.num_threads

    def preprocess(self, crops: Sequence[np.ndarray], two_line=None) -> np.ndarray:
        """Crops -> model input batch, as the Keras recogniser does it."""
        flag = self.two_line if two_line is None else two_line
        hook = default_two_line_hook(self.two_line_top)
        return preprocess_crops(crops, self.input_size, self.channels, flag, hook)

    def predict_proba(self, crops: Sequence[np.ndarray], two_line=None) -> np.ndarray:
        """CTC probabilities ``(n, T, num_classes)`` for RGB uint8 crops of any size."""
        if len(crops) == 0:
            return np.zeros((0, *self.runtime.outputs[0].shape[1:]), dtype=np.float32)
        return self.runtime(self.preprocess(crops, two_line))[0]

    def read(self, crops: Sequence[np.ndarray], two_line=None) -> list[PlateRead]:
        """Read RGB uint8 crops of any size; ``two_line`` overrides the default per call."""
        flag = self.two_line if two_line is None else two_line
        return read_crops(crops, flag, self.predict_proba, self.decode)

    def decode(self, probs: np.ndarray) -> list[PlateRead]:
        """Plate readings from CTC probabilities, with this recogniser's decoder and grammar."""
        return ctc.decode(probs, self.alphabet, self.decoder, self.grammar, self.beam_width)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.name!r}, alphabet={self.alphabet.name!r}, "
            f"input_size={self.input_size}, channels={self.channels}, "
            f"precision={self.precision!r}, num_threads={self.num_threads})"
        )


#: The earlier name, kept: an :class:`EdgeRecognizer` runs ``.tflite`` and ``.onnx`` files.
TFLiteRecognizer = EdgeRecognizer
