"""Parity bookkeeping without conversion: output differences, text agreement, the table."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.charset import LATIN
from lprkit.export.parity import ParityRow, output_diff, parity_table, recognizer_parity
from lprkit.recognition import ctc


class FakeRecognizer:
    """Reads crops from fixed CTC probabilities (one row per crop)."""

    def __init__(self, probs, name="fake", precision=None):
        self.probs, self.name, self.precision, self.alphabet = probs, name, precision, LATIN

    def predict_proba(self, crops):
        return self.probs[: len(crops)]

    def read(self, crops):
        return ctc.decode(self.predict_proba(crops), self.alphabet)


def _probs(codes_per_plate, steps=6):
    p = np.full((len(codes_per_plate), steps, LATIN.num_classes), 0.01, np.float32)
    for i, codes in enumerate(codes_per_plate):
        path = [c for code in codes for c in (code, 0)]  # token, blank, token, blank ...
        for t in range(steps):
            p[i, t, path[t] if t < len(path) else 0] = 0.9
    return p / p.sum(axis=-1, keepdims=True)


def test_output_diff_max_and_mean():
    a = [np.zeros((2, 3)), np.ones(4)]
    b = [np.full((2, 3), 0.5), np.ones(4)]
    assert output_diff(a, b) == (0.5, pytest.approx(0.3))
    with pytest.raises(ValueError, match="shapes"):
        output_diff([np.zeros(3)], [np.zeros(4)])
    with pytest.raises(ValueError, match="2 outputs against 1"):
        output_diff(a, b[:1])


def test_recognizer_parity_counts_agreement_and_accuracy():
    ab, a9 = [LATIN.encode("AB"), LATIN.encode("A9")]
    keras_like = FakeRecognizer(_probs([ab, ab, a9]))
    lite = FakeRecognizer(_probs([ab, a9, a9]), name="lite", precision="int8")
    crops = [np.zeros((8, 8, 3), np.uint8)] * 3
    row = recognizer_parity(keras_like, lite, crops, ["AB", "AB", "A9"])
    assert row.model == "lite" and row.precision == "int8" and row.n == 3
    assert row.agreement == pytest.approx(2 / 3)
    assert row.keras_accuracy == 1.0 and row.accuracy == pytest.approx(2 / 3)
    assert row.max_abs_diff > 0.5
    with pytest.raises(ValueError, match="2 labels for 3 crops"):
        recognizer_parity(keras_like, lite, crops, ["AB", "AB"])


def test_parity_table_aligns_and_shows_missing_values():
    rows = [
        ParityRow("crnn", "fp32", 100, 1e-7, 1e-8, 1.0, 7_300_000, 0.99, 0.99),
        ParityRow("yolov4_tiny", "int8-full", 50, 0.2, 0.01, 0.97, 6_000_000, 0.9, 0.89, 0.93),
    ]
    lines = parity_table(rows).splitlines()
    assert len(lines) == 3 and len({len(x) for x in lines}) == 1  # fixed width
    assert "7.30" in lines[1] and lines[1].rstrip().endswith("-")  # no IoU for recognisers
    assert "int8-full" in lines[2] and "0.930" in lines[2]
