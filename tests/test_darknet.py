"""Darknet cfg parsing, cfg -> Keras, and .weights read/write (no downloads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lprkit.models.darknet import (
    DarknetHeader,
    load_darknet_weights,
    model_from_cfg,
    parse_cfg,
    read_darknet_weights,
    save_darknet_weights,
)

TINY_CFG = Path(__file__).parent / "fixtures" / "tiny.cfg"


@pytest.fixture(scope="module")
def tiny_model():
    return model_from_cfg(TINY_CFG)


HEADER = DarknetHeader(0, 2, 5, 123456)


def _random_weights_file(path: Path, n_floats: int, header=HEADER, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 0.1, n_floats).astype("<f4")
    path.write_bytes(header.to_bytes() + values.tobytes())
    return values


def test_parse_cfg_sections_and_lines():
    sections = parse_cfg(TINY_CFG)
    assert sections[0].type == "net"
    assert [s.type for s in sections[1:4]] == ["convolutional"] * 3
    assert sum(s.type == "yolo" for s in sections) == 2
    assert sections[1].get("activation", kind=str) == "mish"
    assert sections[1].line == 13  # the [convolutional] header line in the fixture
    route = sections[6]
    assert (route.type, route.get("groups"), route.get("group_id")) == ("route", 2, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("filters=3\n[net]\n", "<cfg text>:1: option"),
        ("[net]\nwidth 416\n", "<cfg text>:2: expected key=value"),
        ("[convolutional]\nfilters=3\n", "starts with a [net]"),
        ("[net]\n[convolutional\n", "<cfg text>:2: malformed section header"),
    ],
)
def test_parse_cfg_errors_name_the_line(text, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        parse_cfg(text)


def test_parse_cfg_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.cfg"):
        parse_cfg(tmp_path / "nope.cfg")


def test_model_from_cfg_rejects_unknown_layers_and_bad_routes():
    with pytest.raises(ValueError, match=r":4: layer type \[dropout\] is not supported"):
        model_from_cfg("[net]\nwidth=32\nheight=32\n[dropout]\nprobability=.5\n")
    with pytest.raises(ValueError, match=r":4: \[route\] refers to layer -2"):
        model_from_cfg("[net]\nwidth=32\nheight=32\n[route]\nlayers=-2\n")
    head = "[net]\nwidth=32\nheight=32\n[convolutional]\nfilters=6\nactivation=linear\n"
    with pytest.raises(ValueError, match=r":7: \[yolo\] anchors= needs w,h pairs"):
        model_from_cfg(head + "[yolo]\nanchors=1,2,3\n")
    with pytest.raises(ValueError, match=r":7: \[yolo\] mask \[2\] refers past the 1 anchors"):
        model_from_cfg(head + "[yolo]\nanchors=1.5,2\nmask=2\n")


def test_model_from_cfg_builds_heads_and_spec(tiny_model):
    assert [tuple(o.shape) for o in tiny_model.outputs] == [(None, 2, 2, 18), (None, 4, 4, 18)]
    spec = tiny_model.yolo_spec
    assert spec.strides == (32, 16) and spec.num_classes == 1
    assert spec.anchors[0] == ((20, 10), (30, 16), (48, 24))  # mask 3,4,5
    assert spec.scale_xy == (1.05, 1.05)
    assert tiny_model.get_layer("conv_000_mish") is not None
    assert tiny_model.get_layer("conv_004_leaky") is not None


def test_weights_round_trip_is_byte_identical(tiny_model, tmp_path):
    src, dst = tmp_path / "random.weights", tmp_path / "again.weights"
    _random_weights_file(src, tiny_model.count_params())
    header = load_darknet_weights(tiny_model, src)
    assert header == DarknetHeader(0, 2, 5, 123456)
    save_darknet_weights(tiny_model, dst, header=header)
    assert dst.read_bytes() == src.read_bytes()


def test_old_header_has_int32_seen(tiny_model, tmp_path):
    src, dst = tmp_path / "old.weights", tmp_path / "old2.weights"
    old = DarknetHeader(0, 1, 0, 77)
    assert len(old.to_bytes()) == 16  # 3 x int32 + int32 seen
    _random_weights_file(src, tiny_model.count_params(), header=old, seed=1)
    assert load_darknet_weights(tiny_model, src) == old
    save_darknet_weights(tiny_model, dst, header=old)
    assert dst.read_bytes() == src.read_bytes()


def test_wrong_size_and_overwrite_are_refused(tiny_model, tmp_path):
    bad = tmp_path / "short.weights"
    _random_weights_file(bad, tiny_model.count_params() - 5)
    with pytest.raises(ValueError, match=rf"holds {tiny_model.count_params() - 5} floats"):
        load_darknet_weights(tiny_model, bad)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_darknet_weights(tiny_model, bad)
    assert len(read_darknet_weights(bad)[1]) == tiny_model.count_params() - 5  # left intact


def _darknet_conv(x, kernel_oihw, stride, pad):
    """Reference convolution in NumPy with Darknet semantics (symmetric zero padding)."""
    x = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    out_c, in_c, k, _ = kernel_oihw.shape
    oh = (x.shape[0] - k) // stride + 1
    ow = (x.shape[1] - k) // stride + 1
    out = np.zeros((oh, ow, out_c))
    for i in range(oh):
        for j in range(ow):
            patch = x[i * stride : i * stride + k, j * stride : j * stride + k, :]  # (k, k, in)
            out[i, j] = np.einsum("hwc,ochw->o", patch, kernel_oihw)
    return out


@pytest.mark.parametrize(
    ("conv", "input_layer", "stride", "activation"),
    [("conv_004", "group_005_0", 1, "leaky"), ("conv_001", "conv_000_mish", 2, "mish")],
)
def test_layer_matches_hand_computed_conv_bn_activation(
    tiny_model, tmp_path, conv, input_layer, stride, activation
):
    import keras

    path = tmp_path / "w.weights"
    values = _random_weights_file(path, tiny_model.count_params(), seed=2)
    load_darknet_weights(tiny_model, path)
    # Find this conv's slice of the file by walking Darknet order, and read it from there.
    from lprkit.models.layers import darknet_conv_layers

    pos = 0
    for layer, bn in darknet_conv_layers(tiny_model):
        h, w, cin, cout = layer.kernel.shape
        n_bn = 4 * cout if bn is not None else cout
        if layer.name == conv:
            beta, gamma, mean, var = values[pos : pos + 4 * cout].reshape(4, cout)
            kernel = values[pos + n_bn : pos + n_bn + h * w * cin * cout].reshape(cout, cin, h, w)
            break
        pos += n_bn + h * w * cin * cout
    var = np.abs(var) + 0.5  # running variances are positive in a trained network
    bn_layer = tiny_model.get_layer(f"{conv}_bn")
    bn_layer.set_weights([gamma, beta, mean, var])

    probe = keras.Model(
        tiny_model.input,
        [tiny_model.get_layer(input_layer).output, tiny_model.get_layer(f"{conv}_{activation}").output],
    )
    image = np.random.default_rng(3).uniform(0, 1, (1, 64, 64, 3)).astype(np.float32)
    x, y = (a[0] for a in probe.predict(image, verbose=0))
    z = _darknet_conv(x.astype(np.float64), kernel.astype(np.float64), stride, 1)
    z = (z - mean) / np.sqrt(var + 1e-5) * gamma + beta
    if activation == "leaky":
        expected = np.where(z > 0, z, 0.1 * z)
    else:
        expected = z * np.tanh(np.log1p(np.exp(z)))
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, atol=1e-4, rtol=1e-4)
