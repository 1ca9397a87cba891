"""Synthetic recognition data at scale: in-memory arrays, folders on disk, and tf.data.

Every plate ``i`` of a data set is drawn from its own generator seeded with ``(seed, i)``, so
plate ``i`` is the same whatever ``n``, the number of processes or the chunking: a data set
can be generated in parallel, resumed or extended and still match byte for byte.

One crop is: pick a style (weighted by :attr:`PlateStyle.weight`), render a random legal plate
at 0.9-1.35 times the target resolution, mount it in a holder frame where its style has one
(:func:`~lprkit.synth.holders.add_holder`), :func:`~lprkit.synth.degrade.degrade` it, turn two-line
plates into one-line strips (:func:`~lprkit.synth.twoline.to_single_line`, as recognisers do
at inference) and resize to ``size``.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.errors import InputError
from lprkit.synth.degrade import check_degradations, degrade
from lprkit.synth.holders import add_holder
from lprkit.synth.render import random_plate
from lprkit.synth.styles import get_style, resolve_styles
from lprkit.synth.twoline import TOP_LAYOUT, TOP_LAYOUTS, check_top_layout, to_single_line

MANIFEST_FORMAT = "lprkit-crops/1"
CHUNK = 256  # plates per worker task


def _check_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    try:
        w, h = (int(v) for v in size)
    except (TypeError, ValueError):
        raise InputError(f"size must be (width, height) in pixels, got {size!r}") from None
    if w < 8 or h < 8:
        raise InputError(f"size (width, height) must be at least 8 x 8 pixels, got {size!r}")
    return w, h


def check_char_height(char_height: float) -> float:
    """``char_height`` as a float, or a ValueError when no plate can be drawn at it."""
    if not 4 <= char_height <= 200:
        raise InputError(f"char_height must be between 4 and 200 pixels, got {char_height}")
    return float(char_height)


def style_table(styles) -> tuple[list[str], np.ndarray]:
    """Style names and the cumulative share of each (their ``weight``s), for drawing styles."""
    names = resolve_styles(styles)
    weights = np.array([get_style(n).weight for n in names], np.float64)
    return names, np.cumsum(weights / weights.sum())


def draw_style_and_scale(names, cum, size, rng) -> tuple[str, float]:
    """The first draws of :func:`make_crop`: the plate's style and the scale it is drawn at."""
    name = names[min(int(np.searchsorted(cum, rng.random(), side="right")), len(names) - 1)]
    st = get_style(name)
    if size is None:  # a crop as a detector would give it: 20..110 px high
        scale = rng.uniform(20, 110) / st.size[1]
    elif st.two_line:  # the plate 1.1-2x the target height: its bottom line (~60%) 0.7-1.2x
        scale = size[1] * rng.uniform(1.1, 2.0) / st.size[1]
    else:
        scale = size[0] * rng.uniform(0.9, 1.35) / st.size[0]
    return name, scale


def make_crop(
    i: int,
    names: Sequence[str],
    cum: np.ndarray,
    size: tuple[int, int] | None,
    seed: int,
    degrade_strength: float,
    render_scale: float = 1.0,
    two_line_top: str = TOP_LAYOUT,
    degradations: dict[str, float] | None = None,
    char_height: float | None = None,
) -> tuple[np.ndarray, str, str]:
    """Plate ``i`` of a data set: ``(image, text, style name)``.

    With ``size=None`` the crop keeps its rendered size (variable, like real crops) and
    two-line plates stay two-line; with a size it is a one-line strip resized to it, its top
    line cut out as ``two_line_top`` says (:func:`~lprkit.synth.twoline.to_single_line`).
    ``render_scale`` multiplies the size the plate is drawn (and degraded) at; ``char_height``
    instead draws the plate so that its smallest text line is that many pixels high;
    ``degradations`` overrides how often named degradations apply (``degrade``'s
    ``probabilities``).
    """
    import cv2

    rng = np.random.default_rng((seed, i))
    name, scale = draw_style_and_scale(names, cum, size, rng)
    st = get_style(name)
    if char_height is not None:  # the same draws as above, so the plate text stays the same
        scale = char_height / st.min_line_height
    plate = random_plate(st, rng, scale=scale * render_scale)
    img = plate.image
    if st.holder > 0 and rng.random() < st.holder:  # no draw for styles without holders
        img = add_holder(img, rng)
    if degrade_strength > 0:
        img = degrade(img, rng, degrade_strength, probabilities=degradations)
    if size is None:
        return img, plate.text, name
    if st.two_line:
        split = None if degrade_strength > 0 else plate.split
        img = to_single_line(img, split, top_layout=two_line_top)
    interp = cv2.INTER_AREA if img.shape[1] > size[0] else cv2.INTER_LINEAR
    return cv2.resize(img, size, interpolation=interp), plate.text, name


def _crops_range(args) -> tuple[np.ndarray, list[str], list[str]]:
    start, stop, names, cum, size, seed, strength, options = args  # options: make_crop keywords
    out = [make_crop(i, names, cum, size, seed, strength, **options) for i in range(start, stop)]
    return np.stack([o[0] for o in out]), [o[1] for o in out], [o[2] for o in out]


def _pool(processes: int):
    import multiprocessing as mp

    # fork is fast, but not safe once TensorFlow has started its threads
    method = "spawn" if "tensorflow" in sys.modules or sys.platform != "linux" else "fork"
    return mp.get_context(method).Pool(processes)


def _processes(processes: int | None, n: int) -> int:
    if processes is None:
        processes = min(os.cpu_count() or 1, 2) if n >= 4 * CHUNK else 1
    if processes < 1:
        raise InputError(f"processes must be at least 1, got {processes}")
    return processes


def generate_crops(
    n: int,
    styles: str | Sequence[str] = "korean",
    size: tuple[int, int] = (128, 32),
    seed: int = 0,
    degrade_strength: float = 1.0,
    *,
    processes: int | None = 1,
    render_scale: float = 1.0,
    two_line_top: str = TOP_LAYOUT,
    degradations: dict[str, float] | None = None,
    char_height: float | None = None,
) -> tuple[np.ndarray, list[str], list[str]]:
    """Render ``n`` degraded one-line plate crops in memory.

    Parameters
    ----------
    n
        Number of crops.
    styles
        A style spec for :func:`~lprkit.synth.styles.resolve_styles` (``"korean"``,
        ``"latin"``, ``"kr_ev,eu_de"`` …).
    size
        ``(width, height)`` of every crop.
    seed
        Same seed, same bytes (whatever ``processes``).
    degrade_strength
        0 for clean plates, 1 for the default degradations.
    processes
        Worker processes (``None``: up to 2 for large ``n``).
    render_scale
        Draw (and degrade) every plate this many times larger than usual before it is
        resized to ``size``: 2 shows how much of the error is the plates' small size.
    two_line_top
        How two-line plates become strips (``"text"`` or ``"span"``, see
        :mod:`lprkit.synth.twoline`): to test a recogniser, use its ``two_line_top``.
    degradations
        How often named degradations apply instead of their defaults (``{"downscale": 0}``
        leaves it out; see :data:`~lprkit.synth.degrade.DEGRADATIONS`). Plates, texts and
        styles stay the same; the other effects' random settings may change.
    char_height
        Draw every plate so that its smallest text line is this many pixels high (the
        glyphs fill 86-98% of a line) before it is degraded and resized, instead of the
        usual sizes (:func:`crop_char_heights`); the plates, texts and styles stay the same.
        Between 4 and 200; not with ``render_scale``.

    Returns
    -------
    images : numpy.ndarray
        uint8 ``(n, height, width, 3)``.
    texts : list of str
        Labels (no separators).
    styles : list of str
        Style name of each crop.
    """
    size = _check_size(size)
    if size is None:
        raise InputError("generate_crops needs a size (width, height): arrays must stack")
    if n < 0:
        raise InputError(f"n must be >= 0, got {n}")
    if not 0.25 <= render_scale <= 8:
        raise InputError(f"render_scale must be between 0.25 and 8, got {render_scale}")
    if char_height is not None:
        char_height = check_char_height(char_height)
        if render_scale != 1.0:
            raise InputError("give char_height or render_scale, not both: each sets the plate's size")
    check_top_layout(two_line_top)
    degradations = check_degradations(degradations)
    names, cum = style_table(styles)
    if n == 0:
        return np.zeros((0, size[1], size[0], 3), np.uint8), [], []
    options = {"render_scale": render_scale, "two_line_top": two_line_top,
               "degradations": degradations, "char_height": char_height}  # fmt: skip
    tasks = [(s, min(s + CHUNK, n), names, cum, size, seed, degrade_strength, options) for s in range(0, n, CHUNK)]
    procs = _processes(processes, n)
    if procs == 1:
        parts = [_crops_range(t) for t in tasks]
    else:
        with _pool(procs) as pool:
            parts = pool.map(_crops_range, tasks)
    return (
        np.concatenate([p[0] for p in parts]),
        [t for p in parts for t in p[1]],
        [s for p in parts for s in p[2]],
    )


def crop_char_heights(
    n: int, styles: str | Sequence[str] = "korean", size: tuple[int, int] | None = (128, 32), seed: int = 0
) -> np.ndarray:
    """How tall the smallest text line of each plate of :func:`generate_crops` is drawn.

    The pixels of the plate as drawn, before it is degraded and resized to ``size`` (with
    ``size=None``: as :func:`write_recognition_dataset` keeps them): the figure a camera specification
    states as the smallest character height. Only the first random draws of each plate are
    replayed, so it is fast.

    Returns
    -------
    numpy.ndarray
        float ``(n,)``: pixels, plate ``i`` of ``generate_crops(n, styles, size, seed=seed)``.
    """
    size = _check_size(size)
    if n < 0:
        raise InputError(f"n must be >= 0, got {n}")
    names, cum = style_table(styles)
    heights = np.empty(n, np.float64)
    for i in range(n):
        name, scale = draw_style_and_scale(names, cum, size, np.random.default_rng((seed, i)))
        heights[i] = scale * get_style(name).min_line_height
    return heights


def generate_crops_by_layout(
    n: int,
    styles: str | Sequence[str] = "korean",
    size: tuple[int, int] = (128, 32),
    seed: int = 0,
    layouts: Sequence[str] = TOP_LAYOUTS,
    **kwargs,
) -> tuple[dict[str, list[np.ndarray]], list[str], list[str]]:
    """The plates of :func:`generate_crops`, with two-line plates cut in each layout.

    Recognisers trained on different two-line layouts (``two_line_top``) can then be compared
    on the same plates: :func:`lprkit.recognition.compare.compare_recognizers` takes the dict
    and gives each recogniser the crops of its layout. One-line crops are the same in all.

    Returns
    -------
    crops : dict
        ``{layout: list of uint8 (height, width, 3) crops}``.
    texts, styles : list of str
        As from :func:`generate_crops` (the same for every layout).
    """
    cut, texts, names = {}, None, None
    for layout in layouts:
        images, texts, names = generate_crops(n, styles, size, seed, two_line_top=layout, **kwargs)
        cut[layout] = list(images)
    if texts is None:
        raise InputError(f"no layouts given; use some of {TOP_LAYOUTS}")
    return cut, texts, names


# --- folders on disk ----------------------------------------------------------------------
def _write_range(args) -> tuple[list[str], list[str], list[str]]:
    import cv2

    start, stop, names, cum, size, seed, strength, folder, ext, top = args
    files, texts, styles = [], [], []
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1] if ext == "png" else [cv2.IMWRITE_JPEG_QUALITY, 95]
    for i in range(start, stop):
        img, text, style = make_crop(i, names, cum, size, seed, strength, two_line_top=top)
        fname = f"{i:07d}.{ext}"  # never from the label text
        ok, buf = cv2.imencode(f".{ext}", img[:, :, ::-1], params)
        if not ok:  # pragma: no cover - OpenCV always encodes uint8 images
            raise RuntimeError(f"could not encode {fname}")
        Path(folder, fname).write_bytes(buf.tobytes())
        files.append(fname)
        texts.append(text)
        styles.append(style)
    return files, texts, styles


def write_recognition_dataset(
    out_dir: str | os.PathLike,
    n: int,
    styles: str | Sequence[str] = "korean",
    size: tuple[int, int] | None = None,
    seed: int = 0,
    overwrite: bool = False,
    *,
    degrade_strength: float = 1.0,
    processes: int | None = None,
    image_format: str = "png",
    progress: bool = True,
    two_line_top: str = TOP_LAYOUT,
) -> Path:
    """Write ``n`` synthetic plate crops as a crops folder: images + labels.csv + manifest.json.

    ``labels.csv`` has rows ``file,text`` (no header, UTF-8), the crops-folder format that
    ``lprkit evaluate crops`` reads; ``manifest.json`` records the seed, styles, size,
    package version and counts. Files are named ``0000000.png`` … (never from the text).

    Parameters
    ----------
    out_dir
        Folder to create. It must not exist (or be empty) unless ``overwrite``.
    size
        ``(width, height)`` for one-line strips ready for a recogniser; ``None`` keeps each
        crop at its rendered size with two-line plates as two lines, like real crops.
    overwrite
        Replace an existing data set. The new one is built in a hidden sibling folder and
        swapped in at the end, so an interrupted write leaves the old data set (or nothing)
        and never a partial folder that looks complete.
    processes
        Worker processes (``None``: up to 2 for large ``n``).
    image_format
        ``"png"`` (lossless) or ``"jpg"``.
    two_line_top
        How two-line plates become strips when ``size`` is given (see :func:`generate_crops`).

    Raises
    ------
    FileExistsError
        If ``out_dir`` exists and is not empty, and ``overwrite`` is false.
    """
    from lprkit import __version__
    from lprkit.fileio import write_folder_atomically

    out = Path(out_dir)
    size = _check_size(size)
    if n < 0:
        raise InputError(f"n must be >= 0, got {n}")
    ext = {"png": "png", "jpg": "jpg", "jpeg": "jpg"}.get(str(image_format).lower())
    if ext is None:
        raise InputError(f"image_format must be 'png' or 'jpg', got {image_format!r}")
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{out} already exists and is not empty; pass overwrite=True "
            "(--overwrite) to replace it"
        )
    check_top_layout(two_line_top)
    names, cum = style_table(styles)

    def fill(tmp: Path) -> None:
        tasks = [
            (s, min(s + CHUNK, n), names, cum, size, seed, degrade_strength, str(tmp), ext, two_line_top)
            for s in range(0, n, CHUNK)
        ]
        files, texts, used = _run_tasks(tasks, _processes(processes, n), n, progress)
        with open(tmp / "labels.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(zip(files, texts, strict=True))
        manifest = {
            "format": MANIFEST_FORMAT,
            "lprkit_version": __version__,
            "seed": seed,
            "n": n,
            "styles": names,
            "size": list(size) if size else None,
            "two_line": "one-line strips" if size else "kept as two lines",
            "two_line_top": two_line_top if size else None,
            "degrade_strength": degrade_strength,
            "image_format": ext,
            "alphabets": sorted({get_style(s).alphabet for s in names}),
            "counts": {"plates": n, "by_style": dict(sorted(Counter(used).items()))},
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    return write_folder_atomically(out, fill, overwrite=True)


def _run_tasks(tasks, procs: int, n: int, progress: bool):
    from tqdm.auto import tqdm

    files, texts, used = [], [], []
    with tqdm(total=n, desc="plates", unit="plate", disable=not progress) as bar:
        if procs == 1:
            results = map(_write_range, tasks)
            pool = None
        else:
            pool = _pool(procs)
            results = pool.imap(_write_range, tasks)
        try:
            for f, t, s in results:
                files += f
                texts += t
                used += s
                bar.update(len(f))
        finally:
            if pool is not None:
                pool.terminate()
    return files, texts, used


def read_labels(folder: str | os.PathLike) -> list[tuple[str, str]]:
    """Rows ``(file, text)`` of a crops folder's ``labels.csv``."""
    path = Path(folder) / "labels.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: a crops folder holds images and labels.csv")
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.reader(fh), 1):
            if len(row) != 2:
                raise InputError(f"{path}, line {lineno}: expected 'file,text', got {row!r}")
            rows.append((row[0], row[1]))
    return rows


# --- tf.data ------------------------------------------------------------------------------
def tf_dataset(
    n: int | None = None,
    styles: str | Sequence[str] = "korean",
    size: tuple[int, int] = (128, 32),
    seed: int = 0,
    degrade_strength: float = 1.0,
    *,
    alphabet: str | None = None,
    max_len: int = 16,
    chunk: int = 64,
    parallel: int | None = None,
    two_line_top: str = TOP_LAYOUT,
):
    """A ``tf.data.Dataset`` that renders plates on the fly, chunks in parallel.

    Elements are dicts ``{"image": uint8 (h, w, 3), "text": string, "style": string}``;
    with ``alphabet`` also ``"label"`` (int32 ``(max_len,)``, zero-padded codes) and
    ``"label_length"`` (int32). Plate ``i`` equals ``generate_crops(...)[i]`` for the same
    seed. ``n=None`` repeats forever (new plates each time, never a repeat).

    Rendering runs in ``tf.numpy_function`` calls mapped with ``parallel`` calls in flight
    (default AUTOTUNE); OpenCV releases the GIL for most of the work.
    """
    import tensorflow as tf

    from lprkit.charset import get_alphabet, pad_labels

    size = _check_size(size)
    if size is None:
        raise InputError("tf_dataset needs a size (width, height)")
    names, cum = style_table(styles)
    alpha = get_alphabet(alphabet) if alphabet else None
    w, h = size

    def render_chunk(c):
        start = int(c) * chunk
        stop = start + chunk if n is None else min(start + chunk, n)
        task = (start, stop, names, cum, size, seed, degrade_strength, {"two_line_top": two_line_top})
        imgs, texts, sts = _crops_range(task)
        out = [imgs, np.array(texts, dtype=object), np.array(sts, dtype=object)]
        if alpha is not None:
            labels, lengths = pad_labels(texts, alpha, max_len)
            out += [labels, lengths]
        return out

    types = [tf.uint8, tf.string, tf.string] + ([tf.int32, tf.int32] if alpha else [])
    keys = ["image", "text", "style"] + (["label", "label_length"] if alpha else [])
    shapes = [(None, h, w, 3), (None,), (None,)] + ([(None, max_len), (None,)] if alpha else [])

    def to_dict(c):
        vals = tf.numpy_function(render_chunk, [c], types)
        for v, s in zip(vals, shapes, strict=True):
            v.set_shape(s)
        return dict(zip(keys, vals, strict=True))

    n_chunks = None if n is None else -(-n // chunk)
    ds = tf.data.Dataset.range(n_chunks) if n_chunks is not None else tf.data.Dataset.range(2**62)
    par = tf.data.AUTOTUNE if parallel is None else parallel
    return ds.map(to_dict, num_parallel_calls=par, deterministic=True).unbatch()
