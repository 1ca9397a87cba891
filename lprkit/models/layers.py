"""Layers shared by the Darknet-style models: the conv + BN + activation block and channel groups.

Every convolution built here is named ``conv_NNN`` (its BatchNorm ``conv_NNN_bn``, its
activation ``conv_NNN_mish`` / ``conv_NNN_leaky``), where ``NNN`` counts convolutions in the
order Darknet stores them in a ``.weights`` file. That single naming rule is what lets
:mod:`lprkit.models.darknet` move weights between Keras models and Darknet files, whether the
model came from :func:`lprkit.models.yolov4.yolov4` or from a ``.cfg``.
"""

from __future__ import annotations

import re

import keras
from keras import layers

from lprkit.errors import InputError

#: Darknet normalises with ``sqrt(var + .00001f)``.
BN_EPSILON = 1e-5
#: Close to 0.9 so that running statistics follow the weights early in training (DESIGN.md).
BN_MOMENTUM = 0.9
LEAKY_SLOPE = 0.1
ACTIVATIONS = ("linear", "leaky", "mish", "relu", "logistic")
CONV_NAME = re.compile(r"conv_(\d{3,})")


@keras.saving.register_keras_serializable(package="lprkit")
class ChannelGroup(layers.Layer):
    """Darknet ``[route] groups=G group_id=I``: keep the ``I``-th of ``G`` equal channel slices."""

    def __init__(self, groups: int, group_id: int, **kwargs):
        super().__init__(**kwargs)
        if groups < 1 or not 0 <= group_id < groups:
            raise InputError(
                f"need groups >= 1 and 0 <= group_id < groups, got {groups}, {group_id}"
            )
        self.groups = int(groups)
        self.group_id = int(group_id)

    def call(self, inputs):
        channels = inputs.shape[-1]
        size = channels // self.groups
        return inputs[..., self.group_id * size : (self.group_id + 1) * size]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // self.groups)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "group_id": self.group_id}


def activation_layer(name: str, layer_name: str) -> layers.Layer:
    """Return the Keras layer for a Darknet activation name (``leaky`` has slope 0.1)."""
    if name == "leaky":
        return layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=layer_name)
    if name == "mish":
        return layers.Activation("mish", name=layer_name)
    if name == "relu":
        return layers.ReLU(name=layer_name)
    if name == "logistic":
        return layers.Activation("sigmoid", name=layer_name)
    raise InputError(f"unknown activation {name!r}; accepted: {', '.join(ACTIVATIONS)}")


class DarknetConvs:
    """Builds ``conv -> BN -> activation`` blocks, numbering them in Darknet order.

    Call :meth:`conv` in the same order as the ``[convolutional]`` sections of the matching
    ``.cfg`` so that ``conv_000`` is the first section, ``conv_001`` the second, and so on.
    """

    def __init__(self) -> None:
        self.count = 0

    def conv(
        self,
        x,
        filters: int,
        size: int,
        stride: int = 1,
        activation: str = "leaky",
        batch_norm: bool = True,
        padding: int | None = None,
    ):
        """Apply one Darknet convolution block to ``x`` and return its output tensor.

        Darknet pads ``size // 2`` pixels on every side (``pad=1``); for stride 1 and odd sizes
        that is Keras ``"same"``, for stride 2 it is an explicit symmetric zero padding followed
        by a ``"valid"`` convolution (Keras ``"same"`` would pad bottom/right instead).
        """
        name = f"conv_{self.count:03d}"
        self.count += 1
        pad = size // 2 if padding is None else padding
        if stride == 1 and pad == size // 2 and size % 2 == 1:
            mode = "same"
        else:
            if pad:
                x = layers.ZeroPadding2D(pad, name=f"{name}_pad")(x)
            mode = "valid"
        x = layers.Conv2D(
            filters,
            size,
            strides=stride,
            padding=mode,
            use_bias=not batch_norm,
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.01),
            name=name,
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(
                epsilon=BN_EPSILON, momentum=BN_MOMENTUM, name=f"{name}_bn"
            )(x)
        if activation != "linear":
            x = activation_layer(activation, f"{name}_{activation}")(x)
        return x


def darknet_conv_layers(model: keras.Model) -> list[tuple[layers.Conv2D, layers.Layer | None]]:
    """Return ``(conv, batch_norm_or_None)`` pairs of ``model`` in Darknet order (by ``NNN``)."""
    by_name = {layer.name: layer for layer in model.layers}
    found = sorted(
        (int(m.group(1)), layer)
        for layer in model.layers
        if (m := CONV_NAME.fullmatch(layer.name)) and isinstance(layer, layers.Conv2D)
    )
    if not found:
        raise InputError(
            f"model {model.name!r} has no layers named conv_NNN; build it with "
            "lprkit.models.yolov4 or lprkit.models.darknet.model_from_cfg"
        )
    return [(conv, by_name.get(f"{conv.name}_bn")) for _, conv in found]
