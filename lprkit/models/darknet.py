"""Darknet interoperability: read ``.cfg`` files, build Keras models from them, read/write ``.weights``.

A ``.weights`` file (AlexeyAB/darknet layout) is a header -- ``major, minor, revision`` as
int32, then ``seen`` (images trained on) as int64 when ``major * 10 + minor >= 2`` else int32 --
followed by float32 parameters, convolution by convolution in ``.cfg`` order::

    with batch_normalize:  beta, gamma, running mean, running variance   (filters each)
    without:               bias                                          (filters)
    then:                  kernel as (out, in, h, w)

Keras stores kernels as ``(h, w, in, out)``; this module transposes. Convolutions are found by
the ``conv_NNN`` naming rule of :mod:`lprkit.models.layers`, so the same functions serve the
models of :mod:`lprkit.models.yolov4` and those built by :func:`model_from_cfg`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.errors import InputError

SUPPORTED = ("net", "convolutional", "route", "shortcut", "maxpool", "upsample", "yolo")


@dataclass
class Section:
    """One ``[type]`` block of a ``.cfg``: its options as strings and the line it starts on."""

    type: str
    options: dict[str, str] = field(default_factory=dict)
    line: int = 0
    source: str = "<cfg>"

    def get(self, key: str, default=None, kind=int):
        """Return option ``key`` converted with ``kind`` (``default`` when absent)."""
        if key not in self.options:
            return default
        try:
            return kind(self.options[key])
        except ValueError as err:
            raise InputError(
                f"{self.source}:{self.line}: [{self.type}] {key}={self.options[key]!r} is not "
                f"a valid {kind.__name__}"
            ) from err

    def ints(self, key: str) -> list[int]:
        """Option ``key`` as a comma-separated list of integers (empty when absent)."""
        return self._list(key, int)

    def floats(self, key: str) -> list[float]:
        """Option ``key`` as a comma-separated list of numbers (empty when absent)."""
        return self._list(key, float)

    def _list(self, key: str, kind) -> list:
        text = self.options.get(key, "")
        try:
            return [kind(v) for v in text.split(",") if v.strip()]
        except ValueError as err:
            raise InputError(
                f"{self.source}:{self.line}: [{self.type}] {key}={text!r} is not a list of "
                f"{kind.__name__} values"
            ) from err


def parse_cfg(cfg: str | os.PathLike) -> list[Section]:
    """Parse a Darknet ``.cfg`` (a path, or the text itself when it contains a newline).

    Comments (``#``, ``;``) and blank lines are skipped; keys and values are stripped.

    Raises
    ------
    FileNotFoundError
        If a path is given and does not exist.
    ValueError
        On a line outside any section or without ``=``, naming the file and line.
    """
    if isinstance(cfg, str) and "\n" in cfg:
        text, source = cfg, "<cfg text>"
    else:
        path = Path(cfg)
        if not path.is_file():
            raise FileNotFoundError(f"Darknet cfg not found: {path}")
        text, source = path.read_text(encoding="utf-8"), str(path)
    sections: list[Section] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise InputError(f"{source}:{number}: malformed section header {raw.strip()!r}")
            sections.append(Section(line[1:-1].strip().lower(), {}, number, source))
        elif not sections:
            raise InputError(f"{source}:{number}: option {line!r} appears before any [section]")
        elif "=" not in line:
            raise InputError(f"{source}:{number}: expected key=value, got {line!r}")
        else:
            key, value = line.split("=", 1)
            sections[-1].options[key.strip()] = value.strip()
    if not sections or sections[0].type not in ("net", "network"):
        raise InputError(f"{source}: a Darknet cfg starts with a [net] section")
    return sections


def _relative(index: int, ref: int, sec: Section) -> int:
    target = index + ref if ref < 0 else ref
    if not 0 <= target < index:
        raise InputError(
            f"{sec.source}:{sec.line}: [{sec.type}] refers to layer {ref}, which resolves to "
            f"{target}; only earlier layers 0..{index - 1} can be used"
        )
    return target


def model_from_cfg(cfg, input_size: int | None = None, name: str = "darknet"):
    """Build a Keras model from a Darknet ``.cfg``.

    Supports ``convolutional`` (with or without ``batch_normalize``; ``linear``, ``leaky``,
    ``mish``, ``relu``, ``logistic``), ``route`` (several layers, or one with ``groups`` and
    ``group_id``), ``shortcut``, ``maxpool``, ``upsample`` and ``yolo``.

    Parameters
    ----------
    cfg
        Path or text of the ``.cfg``.
    input_size
        Square input side; default: the ``[net]`` width (which must equal its height).
    name
        Model name.

    Returns
    -------
    keras.Model
        One output per ``[yolo]`` section (the raw tensor before it), named ``yolo_NNN`` after
        the Darknet layer index, in cfg order; ``model.yolo_spec`` holds anchors (by ``mask``),
        strides and ``scale_x_y``. A cfg without ``[yolo]`` returns its last layer.
    """
    import keras
    from keras import layers

    from lprkit.detection.postprocess import YoloSpec
    from lprkit.models.layers import ACTIVATIONS, ChannelGroup, DarknetConvs

    sections = parse_cfg(cfg)
    net = sections[0]
    width, height = net.get("width", 416), net.get("height", 416)
    size = int(input_size or width)
    if input_size is None and width != height:
        raise InputError(
            f"{net.source}:{net.line}: only square inputs are supported, got {width}x{height}"
        )
    channels = net.get("channels", 3)
    inputs = keras.Input((size, size, channels), name="image")
    dn = DarknetConvs()
    outs: list = []
    heads, yolo_secs = [], []
    x = inputs
    for index, sec in enumerate(sections[1:]):
        kind = sec.type
        if kind == "convolutional":
            act = sec.get("activation", "logistic", str)
            if act not in ACTIVATIONS:
                raise InputError(
                    f"{sec.source}:{sec.line}: activation={act!r} is not supported; "
                    f"accepted: {', '.join(ACTIVATIONS)}"
                )
            k = sec.get("size", 1)
            pad = sec.get("padding", k // 2 if sec.get("pad", 0) else 0)
            x = dn.conv(
                x,
                sec.get("filters", 1),
                k,
                sec.get("stride", 1),
                act,
                bool(sec.get("batch_normalize", 0)),
                padding=pad,
            )
        elif kind == "route":
            refs = [_relative(index, r, sec) for r in sec.ints("layers")]
            if not refs:
                raise InputError(f"{sec.source}:{sec.line}: [route] needs layers=")
            groups, gid = sec.get("groups", 1), sec.get("group_id", 0)
            parts = [outs[r] for r in refs]
            if groups > 1:
                parts = [
                    ChannelGroup(groups, gid, name=f"group_{index:03d}_{i}")(p)
                    for i, p in enumerate(parts)
                ]
            x = (
                parts[0]
                if len(parts) == 1
                else layers.Concatenate(name=f"route_{index:03d}")(parts)
            )
        elif kind == "shortcut":
            if sec.get("activation", "linear", str) != "linear":
                raise InputError(
                    f"{sec.source}:{sec.line}: only activation=linear shortcuts are supported"
                )
            other = outs[_relative(index, sec.get("from"), sec)]
            x = layers.Add(name=f"shortcut_{index:03d}")([x, other])
        elif kind == "maxpool":
            k = sec.get("size", 1)
            x = layers.MaxPooling2D(k, sec.get("stride", 1), "same", name=f"maxpool_{index:03d}")(x)
        elif kind == "upsample":
            x = layers.UpSampling2D(sec.get("stride", 2), name=f"upsample_{index:03d}")(x)
        elif kind == "yolo":
            x = layers.Identity(name=f"yolo_{index:03d}")(x)
            heads.append(x)
            yolo_secs.append(sec)
        else:
            raise InputError(
                f"{sec.source}:{sec.line}: layer type [{kind}] is not supported; accepted: "
                f"{', '.join(SUPPORTED)}"
            )
        outs.append(x)
    model = keras.Model(inputs, heads or x, name=name)
    if yolo_secs:
        anchors, strides, scales = [], [], []
        for sec, head in zip(yolo_secs, heads, strict=True):
            values = sec.floats("anchors")
            if not values or len(values) % 2:
                raise InputError(f"{sec.source}:{sec.line}: [yolo] anchors= needs w,h pairs")
            flat = np.asarray(values, dtype=np.float64).reshape(-1, 2)
            mask = sec.ints("mask") or list(range(len(flat)))
            if max(mask) >= len(flat):
                raise InputError(
                    f"{sec.source}:{sec.line}: [yolo] mask {mask} refers past the "
                    f"{len(flat)} anchors"
                )
            anchors.append(tuple((float(w), float(h)) for w, h in flat[mask]))
            strides.append(size // head.shape[1])
            scales.append(sec.get("scale_x_y", 1.0, float))
        model.yolo_spec = YoloSpec(
            size, yolo_secs[0].get("classes", 80), tuple(anchors), tuple(strides), tuple(scales)
        )
    return model


@dataclass(frozen=True)
class DarknetHeader:
    """The header of a ``.weights`` file; ``seen`` is the number of training images seen."""

    major: int = 0
    minor: int = 2
    revision: int = 5
    seen: int = 0

    @property
    def seen_dtype(self) -> str:
        return "<i8" if self.major * 10 + self.minor >= 2 else "<i4"

    def to_bytes(self) -> bytes:
        head = np.array([self.major, self.minor, self.revision], dtype="<i4").tobytes()
        return head + np.array([self.seen], dtype=self.seen_dtype).tobytes()


def read_darknet_weights(path: str | os.PathLike) -> tuple[DarknetHeader, np.ndarray]:
    """Read a ``.weights`` file into its header and one flat float32 array of parameters."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Darknet weights not found: {path}")
    data = path.read_bytes()
    if len(data) < 16:
        raise InputError(f"{path}: {len(data)} bytes is too short for a Darknet weights header")
    major, minor, revision = (int(v) for v in np.frombuffer(data[:12], dtype="<i4"))
    header = DarknetHeader(major, minor, revision, 0)
    size = np.dtype(header.seen_dtype).itemsize
    seen = int(np.frombuffer(data[12 : 12 + size], dtype=header.seen_dtype)[0])
    body = data[12 + size :]
    if len(body) % 4:
        raise InputError(f"{path}: body of {len(body)} bytes is not a whole number of float32")
    return DarknetHeader(major, minor, revision, seen), np.frombuffer(body, dtype="<f4").copy()


def load_darknet_weights(model, path: str | os.PathLike) -> DarknetHeader:
    """Load a Darknet ``.weights`` file into ``model`` (built by this package) and return its header.

    Raises
    ------
    ValueError
        If the file holds fewer or more floats than the model's convolutions need, saying how
        many of each (usually: the cfg and the weights do not belong together).
    """
    from lprkit.models.layers import darknet_conv_layers

    header, values = read_darknet_weights(path)
    pairs = darknet_conv_layers(model)
    needed = sum(int(np.prod(w.shape)) for conv, bn in pairs for w in _darknet_arrays(conv, bn))
    if needed != values.size:
        raise InputError(
            f"{path}: holds {values.size} floats but the {len(pairs)} convolutions of model "
            f"{model.name!r} need {needed}; do the cfg/builder and the weights match?"
        )
    pos = 0
    for conv, bn in pairs:
        kernel = conv.kernel
        filters = kernel.shape[-1]
        if bn is not None:
            beta, gamma, mean, var = values[pos : pos + 4 * filters].reshape(4, filters)
            bn.set_weights([gamma, beta, mean, var])  # Keras order: gamma, beta, mean, variance
            pos += 4 * filters
            bias = None
        else:
            bias = values[pos : pos + filters]
            pos += filters
        h, w, cin, cout = kernel.shape
        k = values[pos : pos + h * w * cin * cout].reshape(cout, cin, h, w).transpose(2, 3, 1, 0)
        pos += k.size
        conv.set_weights([k] if bias is None else [k, bias])
    return header


def _darknet_arrays(conv, bn) -> list[np.ndarray]:
    """The arrays of one convolution in Darknet file order."""
    weights = conv.get_weights()
    kernel = weights[0].transpose(3, 2, 0, 1)  # (h, w, in, out) -> (out, in, h, w)
    if bn is not None:
        gamma, beta, mean, var = bn.get_weights()
        return [beta, gamma, mean, var, kernel]
    if len(weights) < 2:
        raise InputError(f"{conv.name} has neither a bias nor a BatchNormalization after it")
    return [weights[1], kernel]


def save_darknet_weights(
    model,
    path: str | os.PathLike,
    header: DarknetHeader | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``model``'s convolutions to a Darknet ``.weights`` file (atomically).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    from lprkit.fileio import atomic_write_bytes
    from lprkit.models.layers import darknet_conv_layers

    header = header or DarknetHeader()
    chunks = [header.to_bytes()]
    for conv, bn in darknet_conv_layers(model):
        chunks.extend(
            np.ascontiguousarray(a, dtype="<f4").tobytes() for a in _darknet_arrays(conv, bn)
        )
    return atomic_write_bytes(path, b"".join(chunks), overwrite=overwrite)
