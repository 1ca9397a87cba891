"""YOLOv4 / YOLOv4-tiny builders: shapes, published parameter counts, Darknet layout."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.models.layers import darknet_conv_layers
from lprkit.models.yolov4 import group_anchors, yolov4, yolov4_tiny

# Floats in AlexeyAB's published files: (file size - 20 header bytes) / 4.
YOLOV4_WEIGHTS_FLOATS = (257_717_640 - 20) // 4  # 64,429,405
YOLOV4_TINY_WEIGHTS_FLOATS = (24_251_276 - 20) // 4  # 6,062,814


def _activations(model):
    names = [layer.name for layer in model.layers]
    return {act: sum(n.endswith(f"_{act}") for n in names) for act in ("mish", "leaky")}


def test_tiny_matches_published_size_and_shapes(tmp_path):
    from lprkit.models.darknet import save_darknet_weights

    model = yolov4_tiny(416, num_classes=80)
    assert model.count_params() == YOLOV4_TINY_WEIGHTS_FLOATS
    assert model.output_names == ["head_s16", "head_s32"]
    assert [tuple(o.shape) for o in model.outputs] == [(None, 26, 26, 255), (None, 13, 13, 255)]
    assert len(darknet_conv_layers(model)) == 21
    assert _activations(model) == {"mish": 0, "leaky": 19}
    path = save_darknet_weights(model, tmp_path / "tiny.weights")
    assert path.stat().st_size == 24_251_276  # what a published yolov4-tiny.weights weighs


def test_tiny_plate_model_and_spec():
    model = yolov4_tiny(320, num_classes=1)
    assert [tuple(o.shape) for o in model.outputs] == [(None, 20, 20, 18), (None, 10, 10, 18)]
    spec = model.yolo_spec
    assert spec.strides == (16, 32) and spec.input_size == 320 and spec.num_classes == 1
    assert spec.anchors[0] == ((23, 27), (37, 58), (81, 82))
    out = model.predict(np.zeros((2, 320, 320, 3), np.float32), verbose=0)
    assert [o.shape for o in out] == [(2, 20, 20, 18), (2, 10, 10, 18)]


def test_fresh_model_predicts_a_few_objects_per_image_not_half_of_every_cell():
    from lprkit.models.yolov4 import OBJECTS_PER_IMAGE, set_objectness_prior

    model = yolov4_tiny(128, num_classes=2)
    outs = model.predict(np.full((1, 128, 128, 3), 0.5, np.float32), verbose=0)
    for out in outs:
        cells = out.shape[1] * out.shape[2]
        obj = 1 / (1 + np.exp(-out.reshape(*out.shape[:3], 3, 7)[..., 4]))
        # tiny random kernels: each cell's objectness is the prior, about objects / cells
        assert np.allclose(obj, OBJECTS_PER_IMAGE / cells, rtol=0.2)
        boxes_and_classes = out.reshape(*out.shape[:3], 3, 7)[..., [0, 1, 2, 3, 5, 6]]
        assert np.abs(boxes_and_classes).max() < 0.5  # only objectness biases are moved
    set_objectness_prior(model, objects_per_image=1000.0)  # more than cells: capped at 0.5
    outs = model.predict(np.full((1, 128, 128, 3), 0.5, np.float32), verbose=0)
    obj = 1 / (1 + np.exp(-outs[1].reshape(1, 4, 4, 3, 7)[..., 4]))
    assert np.allclose(obj, 0.5, atol=0.05)


@pytest.mark.slow
def test_full_yolov4_matches_published_size():
    model = yolov4(320, num_classes=80)
    assert model.count_params() == YOLOV4_WEIGHTS_FLOATS
    assert model.output_names == ["head_s8", "head_s16", "head_s32"]
    assert [tuple(o.shape) for o in model.outputs] == [
        (None, 40, 40, 255),
        (None, 20, 20, 255),
        (None, 10, 10, 255),
    ]
    assert len(darknet_conv_layers(model)) == 110
    # Mish throughout CSPDarknet53 (72 convs), leaky in SPP/PANet, linear in the 3 head convs.
    assert _activations(model) == {"mish": 72, "leaky": 35}
    assert model.yolo_spec.scale_xy == (1.2, 1.1, 1.05)


@pytest.mark.parametrize("size", [415, 0, 16, 100.5])
def test_input_size_must_be_multiple_of_32(size):
    with pytest.raises(ValueError, match="multiple of 32"):
        yolov4_tiny(size)
    with pytest.raises(ValueError, match="multiple of 32"):
        yolov4(size)


def test_custom_anchors_are_sorted_and_grouped():
    flat = [(30, 10), (5, 2), (60, 20), (10, 4), (40, 14), (20, 7)]
    grouped = group_anchors(flat, 2)
    assert grouped == (((5, 2), (10, 4), (20, 7)), ((30, 10), (40, 14), (60, 20)))
    model = yolov4_tiny(64, num_classes=2, anchors=flat)
    assert model.yolo_spec.anchors == grouped
    assert model.outputs[0].shape[-1] == 3 * (5 + 2)
    four = yolov4_tiny(64, anchors=[[(5, 2), (10, 4)], [(20, 7), (40, 14)]])
    assert four.outputs[0].shape[-1] == 2 * 6
    with pytest.raises(ValueError, match="anchors must be"):
        group_anchors([(1, 2), (3, 4), (5, 6)], 2)
    with pytest.raises(ValueError, match="positive"):
        group_anchors([(1, 2), (3, -4)], 2)
