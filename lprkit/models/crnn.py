"""CRNN (Shi, Bai & Yao 2015, arXiv 1507.05717): convolutions, then a recurrent reader.

::

    image (h, w, c) ─ conv blocks ─► (h/16, w/4, 128) ─ columns as time ─► (T = w/4, features)
        ─ dense ─ BiRNN ─ BiRNN ─ dense + softmax ─► (T, num_classes)   blank = class 0

Pooling halves the width twice and the height four times, so a 128-pixel wide input gives
T = 32 steps: enough for a 9-token plate, which needs at least 2 x 9 - 1 = 17 (a blank between
repeated tokens).

For TFLite, rebuild the model with :func:`with_unrolled_rnn` (same weights, no WHILE loop):
Keras RNN layers with a variable batch convert only with TF Select ops.
"""

from __future__ import annotations

from lprkit.charset import Alphabet, get_alphabet
from lprkit.errors import InputError

MAX_LABEL_LEN = 9  # longest Korean plate, in tokens, with a margin (서울12가3456 is 8)


def min_time_steps(max_label_len: int = MAX_LABEL_LEN) -> int:
    """Time steps CTC needs in the worst case, a label of ``L`` equal tokens: ``2 L - 1``
    (the tokens, and a blank between each pair so that they do not merge)."""
    return 2 * max_label_len - 1


def crnn(
    alphabet: Alphabet | str,
    input_size: tuple[int, int] = (128, 32),
    channels: int = 1,
    rnn: str = "lstm",
    unroll: bool = False,
    filters: tuple[int, int, int, int] = (32, 64, 128, 128),
    rnn_units: int = 128,
    dropout: float = 0.2,
    max_label_len: int = MAX_LABEL_LEN,
    name: str = "crnn",
):
    """Build a CRNN recogniser.

    Parameters
    ----------
    alphabet
        Output alphabet (or its name); the model has ``alphabet.num_classes`` outputs.
    input_size
        ``(width, height)``; width a multiple of 4, height a multiple of 16.
    channels
        1 (grey) or 3 (RGB); inputs are float32 in [0, 1].
    rnn
        ``"lstm"`` or ``"gru"``.
    unroll
        Unroll the recurrent layers (static graph for TFLite; needs a fixed width).
    filters
        Channels of the four convolution stages. The default trains about 1.5x faster on a
        CPU than ``(32, 64, 128, 256)`` and has 1.25 M parameters (2.5 MB in float16).
    rnn_units
        Units per direction in each bidirectional layer.
    dropout
        Dropout before the output layer.
    max_label_len
        Longest label to be read; the width must give ``T >= 2 * max_label_len + 1``.

    Returns
    -------
    keras.Model
        ``image`` -> ``probs`` ``(batch, width // 4, num_classes)`` softmax.
    """
    import keras
    from keras import layers

    alphabet = get_alphabet(alphabet)
    w, h = (int(v) for v in input_size)
    if channels not in (1, 3):
        raise InputError(f"channels={channels}; use 1 (grey) or 3 (RGB)")
    if w % 4 or h % 16:
        raise InputError(f"input_size={input_size}: width must be a multiple of 4 and height of 16")
    steps = w // 4
    if steps < min_time_steps(max_label_len):
        raise InputError(
            f"input width {w} gives T={steps} time steps; labels of {max_label_len} tokens "
            f"need T >= {min_time_steps(max_label_len)} (width >= {4 * min_time_steps(max_label_len)})"
        )
    if rnn not in ("lstm", "gru"):
        raise InputError(f"rnn={rnn!r}; use 'lstm' or 'gru'")
    f1, f2, f3, f4 = filters

    def conv(x, n, idx):
        x = layers.Conv2D(n, 3, padding="same", use_bias=False, name=f"conv{idx}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{idx}")(x)
        return layers.ReLU(name=f"relu{idx}")(x)

    inputs = keras.Input((h, w, channels), name="image")
    x = conv(inputs, f1, 1)
    x = layers.MaxPooling2D(2, name="pool1")(x)  # h/2, w/2
    x = conv(x, f2, 2)
    x = layers.MaxPooling2D(2, name="pool2")(x)  # h/4, w/4
    x = conv(x, f3, 3)
    x = conv(x, f3, 4)
    x = layers.MaxPooling2D((2, 1), name="pool3")(x)  # h/8: keep width for time resolution
    x = conv(x, f4, 5)
    x = conv(x, f4, 6)
    x = layers.MaxPooling2D((2, 1), name="pool4")(x)  # h/16
    # columns become time steps: (batch, h', T, c) -> (batch, T, h' * c)
    x = layers.Permute((2, 1, 3), name="width_first")(x)
    x = layers.Reshape((steps, (h // 16) * f4), name="to_sequence")(x)
    x = layers.Dense(rnn_units, activation="relu", name="seq_dense")(x)
    cell = layers.LSTM if rnn == "lstm" else layers.GRU
    for i in (1, 2):
        x = layers.Bidirectional(
            cell(rnn_units, return_sequences=True, unroll=unroll, name=f"{rnn}{i}"),
            name=f"bi_{rnn}{i}",
        )(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(alphabet.num_classes, name="logits")(x)
    probs = layers.Activation("softmax", dtype="float32", name="probs")(x)
    return keras.Model(inputs, probs, name=name)


def with_unrolled_rnn(model, unroll: bool = True):
    """The same model with every LSTM/GRU ``unroll`` set, carrying the weights over.

    Use before TFLite conversion: the unrolled graph has only built-in ops.
    """
    import keras

    config = model.get_config()

    def patch(obj):
        if isinstance(obj, dict):
            if obj.get("class_name") in ("LSTM", "GRU", "SimpleRNN") and "config" in obj:
                obj["config"]["unroll"] = unroll
            for v in obj.values():
                patch(v)
        elif isinstance(obj, list):
            for v in obj:
                patch(v)

    patch(config)
    clone = keras.Model.from_config(config)
    clone.set_weights(model.get_weights())
    return clone
