"""LiteRTModel helpers that need no converted model: quantisation, file checks, op listing."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.edge.runtime import (
    LiteRTModel,
    TensorInfo,
    dequantize,
    model_ops,
    read_metadata,
    select_ops,
)
from lprkit.errors import LprkitError


def _info(dtype, scale, zero):
    return TensorInfo("x", 0, (1, 4), np.dtype(dtype), scale, zero)


def test_quantize_round_trip_and_saturation():
    from lprkit.edge.runtime import quantize

    info = _info(np.int8, 1 / 255, -128)  # what the converter picks for inputs in [0, 1]
    x = np.array([0.0, 0.25, 1.0, 2.0, -1.0], np.float32)
    q = quantize(x, info)
    assert q.dtype == np.int8 and q.tolist() == [-128, -64, 127, 127, -128]
    back = dequantize(q, info)
    np.testing.assert_allclose(back[:3], x[:3], atol=0.5 / 255 + 1e-7)
    assert info.quantized and not _info(np.float32, 0.0, 0).quantized
    u8 = _info(np.uint8, 0.5, 10)
    assert quantize(np.array([0.0, 1.0, 200.0]), u8).tolist() == [10, 12, 255]


def test_select_ops_strips_the_flex_prefix():
    assert select_ops({"CONV_2D": 3, "FlexTensorListReserve": 2, "FlexTensorListStack": 1}) == [
        "TensorListReserve",
        "TensorListStack",
    ]
    assert select_ops(["CONV_2D", "WHILE"]) == []


def test_bad_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no TFLite model"):
        LiteRTModel(tmp_path / "missing.tflite")
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"definitely not a flatbuffer")
    with pytest.raises(LprkitError, match="TFL3"):
        model_ops(junk)
    with pytest.raises(LprkitError, match="TFL3"):
        read_metadata(junk.read_bytes())
    with pytest.raises(ValueError, match="num_threads"):
        LiteRTModel(junk, num_threads=0)
