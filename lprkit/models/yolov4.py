"""YOLOv4 (CSPDarknet53 + SPP + PANet, three heads) and YOLOv4-tiny (two heads) in Keras 3.

The builders follow AlexeyAB's ``yolov4.cfg`` and ``yolov4-tiny.cfg`` section by section, so
their convolutions are numbered (``conv_000`` ...) in the order Darknet stores weights and
published ``.weights`` files load with :func:`lprkit.models.darknet.load_darknet_weights`.

Inputs are RGB images scaled to [0, 1], shape ``(batch, size, size, 3)``. Outputs are the raw
head tensors ``(batch, size/stride, size/stride, A * (5 + C))`` in increasing stride order,
named ``head_s8``, ``head_s16``, ``head_s32``; decode them with
:func:`lprkit.detection.postprocess.postprocess` and the model's :class:`YoloSpec`
(``model.yolo_spec``, or :func:`yolo_spec`).
"""

from __future__ import annotations

import math

import numpy as np

from lprkit.detection.postprocess import YoloSpec
from lprkit.errors import InputError

#: COCO anchors of ``yolov4.cfg`` (pixels of the network input), per head s8, s16, s32.
YOLOV4_ANCHORS = (
    ((12, 16), (19, 36), (40, 28)),
    ((36, 75), (76, 55), (72, 146)),
    ((142, 110), (192, 243), (459, 401)),
)
#: COCO anchors of ``yolov4-tiny.cfg`` as its masks pick them (s16: 1,2,3; s32: 3,4,5).
YOLOV4_TINY_ANCHORS = (
    ((23, 27), (37, 58), (81, 82)),
    ((81, 82), (135, 169), (344, 319)),
)
YOLOV4_SCALE_XY = (1.2, 1.1, 1.05)
YOLOV4_TINY_SCALE_XY = (1.05, 1.05)
#: Plates expected in one training scene; sets the objectness bias of a fresh model.
OBJECTS_PER_IMAGE = 3.0


def check_input_size(input_size: int) -> int:
    """Return ``input_size`` if it is a positive multiple of 32, else raise ``ValueError``."""
    if int(input_size) != input_size or input_size < 32 or input_size % 32:
        raise InputError(
            f"input_size must be a positive multiple of 32 (e.g. 320, 416, 608), got {input_size}"
        )
    return int(input_size)


def group_anchors(anchors, num_heads: int) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Split anchors into ``num_heads`` groups, smallest first.

    Accepts a flat ``(num_heads * A, 2)`` list (sorted by area here, then split evenly) or a
    nested ``(num_heads, A, 2)`` one (kept as given).
    """
    arr = np.asarray(anchors, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 2 and len(arr) % num_heads == 0 and len(arr):
        arr = arr[np.argsort(arr.prod(axis=1), kind="stable")].reshape(num_heads, -1, 2)
    if arr.ndim != 3 or arr.shape[0] != num_heads or arr.shape[2] != 2 or not arr.shape[1]:
        raise InputError(
            f"anchors must be (w, h) pairs: a flat list whose length is a multiple of "
            f"{num_heads}, or {num_heads} groups; got shape {np.shape(anchors)}"
        )
    if np.any(arr <= 0):
        raise InputError("anchor widths and heights must be positive")
    return tuple(tuple((float(w), float(h)) for w, h in head) for head in arr)


def yolo_spec(
    input_size: int, num_classes: int, anchors, scale_xy: tuple[float, ...], strides
) -> YoloSpec:
    """Build the :class:`YoloSpec` of a model from its settings."""
    grouped = group_anchors(anchors, len(strides))
    return YoloSpec(int(input_size), int(num_classes), grouped, tuple(strides), tuple(scale_xy))


def _csp_stage(dn, x, filters: int, blocks: int, first: bool):
    """Downsample, then a CSP stage: one path of residual blocks, one shortcut, concatenated."""
    from keras import layers

    x = dn.conv(x, filters, 3, 2, "mish")
    part = filters if first else filters // 2
    bypass = dn.conv(x, part, 1, 1, "mish")
    y = dn.conv(x, part, 1, 1, "mish")
    for _ in range(blocks):
        h = dn.conv(y, filters // 2, 1, 1, "mish")
        h = dn.conv(h, part, 3, 1, "mish")
        y = layers.Add(name=f"res_{dn.count - 1:03d}")([y, h])
    y = dn.conv(y, part, 1, 1, "mish")
    y = layers.Concatenate(name=f"csp_{dn.count - 1:03d}")([y, bypass])
    return dn.conv(y, filters, 1, 1, "mish")


def _five(dn, x, filters: int):
    """The 1x1 / 3x3 / 1x1 / 3x3 / 1x1 stack PANet uses after each concatenation."""
    for i in range(5):
        x = dn.conv(x, filters * (2 if i % 2 else 1), 3 if i % 2 else 1, 1, "leaky")
    return x


def _head(dn, x, filters: int, outputs: int, name: str):
    from keras import layers

    x = dn.conv(x, filters, 3, 1, "leaky")
    x = dn.conv(x, outputs, 1, 1, "linear", batch_norm=False)
    return layers.Identity(name=name)(x)


def set_objectness_prior(model, objects_per_image: float = OBJECTS_PER_IMAGE) -> None:
    """Start every head's objectness near ``objects_per_image`` plates per image.

    With zero biases a fresh model predicts objectness 0.5 in every cell, so the first
    hundreds of steps go on pushing thousands of background cells down (the objectness loss
    starts in the hundreds). Setting the bias to ``log(p / (1 - p))`` with ``p`` = expected
    objects per cell (the prior of RetinaNet and YOLOv5) skips that phase. Loading Darknet or
    checkpoint weights overwrites these biases.

    Parameters
    ----------
    model
        A model from :func:`yolov4` or :func:`yolov4_tiny` (it has ``yolo_spec``).
    objects_per_image
        Expected number of objects in one training image.
    """
    spec = model.yolo_spec
    per_anchor = 5 + spec.num_classes
    for head, stride in enumerate(spec.strides):
        conv = _head_conv(model, head)
        cells = (spec.input_size // stride) ** 2
        p = min(objects_per_image / cells, 0.5)
        bias = np.array(conv.bias.numpy(), dtype=np.float32)
        bias[4::per_anchor] = math.log(p / (1.0 - p))
        conv.bias.assign(bias)


def _head_conv(model, head: int):
    """The final 1x1 convolution of head number ``head`` (the layer feeding its output)."""
    output = model.outputs[head]
    identity = output._keras_history.operation
    return identity.input._keras_history.operation


def yolov4(input_size: int = 416, num_classes: int = 1, anchors=None, name: str = "yolov4"):
    """Build YOLOv4: CSPDarknet53 backbone (Mish), SPP + PANet neck and three heads (leaky).

    Parameters
    ----------
    input_size
        Side of the square input, a multiple of 32.
    num_classes
        Number of object classes (1 for plates).
    anchors
        Nine ``(w, h)`` anchors in input pixels (flat, or grouped per head); default: COCO.
    name
        Model name.

    Returns
    -------
    keras.Model
        Outputs ``[head_s8, head_s16, head_s32]``; ``model.yolo_spec`` holds the decoding spec.
        With 80 classes it has 64,429,405 parameters, as many floats as Darknet's
        ``yolov4.weights``.
    """
    import keras
    from keras import layers

    from lprkit.models.layers import DarknetConvs

    size = check_input_size(input_size)
    spec = yolo_spec(
        size,
        num_classes,
        YOLOV4_ANCHORS if anchors is None else anchors,
        YOLOV4_SCALE_XY,
        (8, 16, 32),
    )
    depth = [len(a) * (5 + num_classes) for a in spec.anchors]
    dn = DarknetConvs()
    inputs = keras.Input((size, size, 3), name="image")
    x = dn.conv(inputs, 32, 3, 1, "mish")
    x = _csp_stage(dn, x, 64, 1, first=True)
    x = _csp_stage(dn, x, 128, 2, first=False)
    c3 = _csp_stage(dn, x, 256, 8, first=False)  # stride 8
    c4 = _csp_stage(dn, c3, 512, 8, first=False)  # stride 16
    x = _csp_stage(dn, c4, 1024, 4, first=False)  # stride 32

    # SPP: max-pools of three sizes widen the receptive field at no parameter cost.
    x = dn.conv(x, 512, 1)
    x = dn.conv(x, 1024, 3)
    x = dn.conv(x, 512, 1)
    pools = [layers.MaxPooling2D(k, 1, "same", name=f"spp_pool{k}")(x) for k in (13, 9, 5)]
    x = layers.Concatenate(name="spp")([*pools, x])
    x = dn.conv(x, 512, 1)
    x = dn.conv(x, 1024, 3)
    p5 = dn.conv(x, 512, 1)

    # PANet top-down path: upsample and merge with the backbone's stride 16 and 8 features.
    up = layers.UpSampling2D(2, name="up_s16")(dn.conv(p5, 256, 1))
    x = layers.Concatenate(name="pan_s16")([dn.conv(c4, 256, 1), up])
    p4 = _five(dn, x, 256)
    up = layers.UpSampling2D(2, name="up_s8")(dn.conv(p4, 128, 1))
    x = layers.Concatenate(name="pan_s8")([dn.conv(c3, 128, 1), up])
    p3 = _five(dn, x, 128)
    out8 = _head(dn, p3, 256, depth[0], "head_s8")

    # Bottom-up path: downsample again and merge, one head per scale.
    x = layers.Concatenate(name="pan_down_s16")([dn.conv(p3, 256, 3, 2), p4])
    n4 = _five(dn, x, 256)
    out16 = _head(dn, n4, 512, depth[1], "head_s16")
    x = layers.Concatenate(name="pan_down_s32")([dn.conv(n4, 512, 3, 2), p5])
    n5 = _five(dn, x, 512)
    out32 = _head(dn, n5, 1024, depth[2], "head_s32")

    model = keras.Model(inputs, [out8, out16, out32], name=name)
    model.yolo_spec = spec
    set_objectness_prior(model)
    return model


def _tiny_block(dn, x, filters: int):
    """CSP-style block of YOLOv4-tiny: conv, keep half the channels, two convs, concat, pool."""
    from keras import layers

    from lprkit.models.layers import ChannelGroup

    c = dn.conv(x, filters, 3)
    half = ChannelGroup(2, 1, name=f"group_{dn.count - 1:03d}")(c)
    h1 = dn.conv(half, filters // 2, 3)
    h2 = dn.conv(h1, filters // 2, 3)
    m = dn.conv(layers.Concatenate(name=f"cat_{dn.count - 1:03d}")([h2, h1]), filters, 1)
    x = layers.Concatenate(name=f"csp_{dn.count - 1:03d}")([c, m])
    return layers.MaxPooling2D(2, 2, "same", name=f"pool_{dn.count - 1:03d}")(x), m


def yolov4_tiny(
    input_size: int = 416, num_classes: int = 1, anchors=None, name: str = "yolov4_tiny"
):
    """Build YOLOv4-tiny: a small CSP backbone (leaky) and two heads at strides 16 and 32.

    Parameters
    ----------
    input_size
        Side of the square input, a multiple of 32.
    num_classes
        Number of object classes (1 for plates).
    anchors
        Six ``(w, h)`` anchors in input pixels (flat, or grouped per head); default: COCO as
        ``yolov4-tiny.cfg`` masks them.
    name
        Model name.

    Returns
    -------
    keras.Model
        Outputs ``[head_s16, head_s32]``; ``model.yolo_spec`` holds the decoding spec.
        With 80 classes it has 6,062,814 parameters, the size of ``yolov4-tiny.weights``.
    """
    import keras
    from keras import layers

    from lprkit.models.layers import DarknetConvs

    size = check_input_size(input_size)
    spec = yolo_spec(
        size,
        num_classes,
        YOLOV4_TINY_ANCHORS if anchors is None else anchors,
        YOLOV4_TINY_SCALE_XY,
        (16, 32),
    )
    depth = [len(a) * (5 + num_classes) for a in spec.anchors]
    dn = DarknetConvs()
    inputs = keras.Input((size, size, 3), name="image")
    x = dn.conv(inputs, 32, 3, 2)
    x = dn.conv(x, 64, 3, 2)
    x, _ = _tiny_block(dn, x, 64)
    x, _ = _tiny_block(dn, x, 128)
    x, route = _tiny_block(dn, x, 256)  # route: stride-16 features reused by the second head
    x = dn.conv(x, 512, 3)
    p5 = dn.conv(x, 256, 1)
    out32 = _head(dn, p5, 512, depth[1], "head_s32")  # Darknet builds the stride-32 head first
    up = layers.UpSampling2D(2, name="up_s16")(dn.conv(p5, 128, 1))
    x = layers.Concatenate(name="cat_s16")([up, route])
    out16 = _head(dn, x, 256, depth[0], "head_s16")
    model = keras.Model(inputs, [out16, out32], name=name)
    model.yolo_spec = spec
    set_objectness_prior(model)
    return model
