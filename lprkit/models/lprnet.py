"""LPRNet (Zherzdev & Gruzdev 2018, arXiv 1806.10447): a small CNN reader without RNNs.

::

    image 24x94x3 ─ [STN] ─ conv3x3 64 ─ maxpool 3x3/1 ─ SBB 128 ─ maxpool 3x3/2
        ─ SBB 256 ─ SBB 256 ─ maxpool 3x3/2 ─ dropout ─ conv 4x1 256 ─ dropout
        ─ conv 1x13 num_classes ─┐
    global context: conv1, SBB1, SBB3 and the 1x13 output, each averaged over the height and
    pooled to T columns, scaled to unit RMS, concatenated ─ conv 1x1 ─ softmax (T=24, classes)

SBB is the paper's *small basic block* (1x1 squeeze, 3x1, 1x3, 1x1 expand). The wide 1x13
kernel sees a whole character and its neighbours. The context branch here pools over the
height only, so each output column still sees a window of the plate (69 of the 94 pixels,
as notebook 05 computes), not all of it; its one plate-wide quantity is the RMS used by
ScaleNorm. The paper's embedding is a fully connected layer over the whole backbone output,
which would give every column the whole plate, as the RNN does in a CRNN. The paper's max
pools stride over channels too; here they stride over height and width, which keeps the
model to TFLite built-in ops and gives T = 24 time steps for a 94-pixel width, enough for a
9-token plate (at least ``2 x 9 - 1 = 17``).

BatchNorm momentum is 0.9 (not Keras' 0.99): with 0.99 the running statistics lag the
weights for thousands of steps and validation accuracy looks far worse than it is.

``stn=True`` adds a spatial transformer: a small localisation net predicts an affine matrix
(initialised to the identity) and :class:`AffineSampler` samples the image bilinearly with
gathers. It is built from MATMUL, FLOOR, GATHER and element-wise ops, which are TFLite
built-ins: the model converts with ``TFLiteConverter.from_keras_model`` without TF Select
ops (checked with TF 2.21 / LiteRT 2.3, outputs equal to Keras within 1e-5).
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from lprkit.charset import Alphabet, get_alphabet
from lprkit.errors import InputError
from lprkit.models.crnn import MAX_LABEL_LEN, min_time_steps


@keras.saving.register_keras_serializable(package="lprkit")
class ScaleNorm(layers.Layer):
    """Divide a feature map by its root-mean-square (per sample), times a learnt scale.

    Puts the global-context features of very different magnitudes on one footing before
    they are concatenated (the paper's L2 normalisation with a learnt scale).
    """

    def __init__(self, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, x):
        rms = ops.sqrt(ops.mean(ops.square(x), axis=(1, 2, 3), keepdims=True) + self.epsilon)
        return x / rms * self.scale

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="lprkit")
class AffineSampler(layers.Layer):
    """Warp images by per-sample affine matrices with bilinear sampling (an STN sampler).

    Inputs ``[images (b, h, w, c), theta (b, 6)]``; ``theta`` maps output coordinates in
    [-1, 1] to input coordinates (``[1, 0, 0, 0, 1, 0]`` is the identity). Samples outside
    the image take the nearest border pixel.
    """

    def call(self, inputs):
        images, theta = inputs
        h, w, c = images.shape[1], images.shape[2], images.shape[3]
        ys, xs = ops.meshgrid(ops.linspace(-1.0, 1.0, h), ops.linspace(-1.0, 1.0, w), indexing="ij")
        grid = ops.stack([ops.reshape(xs, (-1,)), ops.reshape(ys, (-1,)), ops.ones((h * w,))], 1)
        mats = ops.reshape(theta, (-1, 2, 3))
        src = ops.matmul(grid[None], ops.transpose(mats, (0, 2, 1)))  # (b, h*w, 2)
        x = (src[..., 0] + 1.0) * (w - 1) / 2.0
        y = (src[..., 1] + 1.0) * (h - 1) / 2.0
        x0, y0 = ops.floor(x), ops.floor(y)
        wx, wy = x - x0, y - y0
        flat = ops.reshape(images, (-1, h * w, c))

        def at(yy, xx):
            yy = ops.clip(yy, 0, h - 1)
            xx = ops.clip(xx, 0, w - 1)
            idx = ops.cast(yy * w + xx, "int32")
            return ops.take_along_axis(flat, idx[..., None], axis=1)

        top = at(y0, x0) * (1 - wx)[..., None] + at(y0, x0 + 1) * wx[..., None]
        bottom = at(y0 + 1, x0) * (1 - wx)[..., None] + at(y0 + 1, x0 + 1) * wx[..., None]
        out = top * (1 - wy)[..., None] + bottom * wy[..., None]
        return ops.reshape(out, (-1, h, w, c))

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]


def _bn_relu(x, name, momentum):
    x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def small_basic_block(x, filters: int, name: str, momentum: float = 0.9):
    """The paper's small basic block: 1x1 -> 3x1 -> 1x3 -> 1x1, then BatchNorm + ReLU."""
    q = filters // 4
    x = layers.Conv2D(q, 1, activation="relu", name=f"{name}_squeeze")(x)
    x = layers.Conv2D(q, (3, 1), padding="same", activation="relu", name=f"{name}_3x1")(x)
    x = layers.Conv2D(q, (1, 3), padding="same", activation="relu", name=f"{name}_1x3")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_expand")(x)
    return _bn_relu(x, name, momentum)


def spatial_transformer(x, name: str = "stn"):
    """Localisation net + :class:`AffineSampler`, starting at the identity transform."""
    loc = layers.AveragePooling2D(2, name=f"{name}_pool1")(x)
    loc = layers.Conv2D(16, 5, padding="same", activation="relu", name=f"{name}_conv1")(loc)
    loc = layers.MaxPooling2D(2, name=f"{name}_pool2")(loc)
    loc = layers.Conv2D(32, 5, padding="same", activation="relu", name=f"{name}_conv2")(loc)
    loc = layers.GlobalAveragePooling2D(name=f"{name}_gap")(loc)
    loc = layers.Dense(32, activation="tanh", name=f"{name}_fc")(loc)
    theta = layers.Dense(
        6,
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
        name=f"{name}_theta",
    )(loc)
    return AffineSampler(name=f"{name}_sampler")([x, theta])


def lprnet(
    alphabet: Alphabet | str,
    input_size: tuple[int, int] = (94, 24),
    channels: int = 3,
    stn: bool = False,
    dropout: float = 0.5,
    bn_momentum: float = 0.9,
    max_label_len: int = MAX_LABEL_LEN,
    name: str = "lprnet",
):
    """Build an LPRNet recogniser.

    Parameters
    ----------
    alphabet
        Output alphabet (or its name).
    input_size
        ``(width, height)``; the paper's 94x24. Height at least 16.
    channels
        3 (RGB, as in the paper) or 1; inputs float32 in [0, 1].
    stn
        Add the spatial-transformer front end (converts to TFLite built-ins).
    dropout
        Dropout rate of the two dropout layers.
    bn_momentum
        BatchNorm momentum (0.9, see the module notes).
    max_label_len
        Longest label; the width must give ``T >= 2 * max_label_len + 1``.

    Returns
    -------
    keras.Model
        ``image`` -> ``probs`` ``(batch, T, num_classes)`` softmax, ``T = ceil(width / 4)``.
    """
    alphabet = get_alphabet(alphabet)
    w, h = (int(v) for v in input_size)
    if channels not in (1, 3):
        raise InputError(f"channels={channels}; use 1 (grey) or 3 (RGB)")
    if h < 16:
        raise InputError(f"input_size={input_size}: height must be at least 16")
    steps = math.ceil(math.ceil(w / 2) / 2)  # two stride-2 pools with 'same' padding
    if steps < min_time_steps(max_label_len):
        raise InputError(
            f"input width {w} gives T={steps} time steps; labels of {max_label_len} tokens "
            f"need T >= {min_time_steps(max_label_len)}"
        )
    n = alphabet.num_classes
    inputs = keras.Input((h, w, channels), name="image")
    x = spatial_transformer(inputs) if stn else inputs
    x = layers.Conv2D(64, 3, padding="same", use_bias=False, name="stem")(x)
    f1 = x = _bn_relu(x, "stem", bn_momentum)
    x = layers.MaxPooling2D(3, strides=1, padding="same", name="pool1")(x)
    f2 = x = small_basic_block(x, 128, "sbb1", bn_momentum)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    x = small_basic_block(x, 256, "sbb2", bn_momentum)
    f3 = x = small_basic_block(x, 256, "sbb3", bn_momentum)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool3")(x)
    x = layers.Dropout(dropout, name="dropout1")(x)
    x = layers.Conv2D(256, (4, 1), use_bias=False, name="conv_4x1")(x)
    x = _bn_relu(x, "conv_4x1", bn_momentum)
    x = layers.Dropout(dropout, name="dropout2")(x)
    x = layers.Conv2D(n, (1, 13), padding="same", use_bias=False, name="conv_1x13")(x)
    f4 = _bn_relu(x, "conv_1x13", bn_momentum)

    context = []
    for i, f in enumerate((f1, f2, f3, f4), start=1):
        fh, fw = f.shape[1], f.shape[2]
        sw = math.ceil(fw / steps)
        pooled = layers.AveragePooling2D(
            (fh, sw), strides=(fh, sw), padding="same", name=f"context{i}_pool"
        )(f)
        if pooled.shape[2] != steps:
            raise InputError(f"input width {w} does not pool evenly to {steps} steps; try 94")
        context.append(ScaleNorm(name=f"context{i}_norm")(pooled))
    x = layers.Concatenate(name="context")(context)  # (batch, 1, T, sum of channels)
    x = layers.Conv2D(n, 1, name="logits")(x)
    x = layers.Reshape((steps, n), name="to_sequence")(x)
    probs = layers.Activation("softmax", dtype="float32", name="probs")(x)
    return keras.Model(inputs, probs, name=name)
