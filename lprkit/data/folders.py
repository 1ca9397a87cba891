"""Crops and frames folders: the on-disk layouts the command line reads and writes.

* A **crops folder** holds plate images and ``labels.csv`` with rows ``file,text`` (no header).
* A **frames folder** holds scene images and either ``labels.csv`` with rows
  ``file,text,x,y,w,h`` (plate box: top-left corner plus size, pixels; one row per plate, so
  a file may repeat) or openalpr per-image ``.txt`` files (``file x y w h TEXT``).

Images are loaded lazily, as RGB ``uint8`` arrays, by ``item.load()``.

Some public Korean crop sets carry the text in the file name, typed on a Korean 2-set
(dubeolsik) keyboard: ``01aj1010`` is ``01머1010`` (``a`` = ㅁ, ``j`` = ㅓ), and a leading capital
letter is the region (``A`` = 서울). :func:`text_from_filename` decodes such names.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.data.annotations import (
    AnnotationFormatError,
    ObjectBox,
    read_openalpr,
)
from lprkit.errors import InputError, LprkitError
from lprkit.fileio import atomic_write_text, read_text

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")

# --------------------------------------------------------------------------- 2-set keyboard

# Korean 2-set (dubeolsik) layout: Latin key -> compatibility jamo. Shifted keys give the
# tense consonants and the two extra vowels; other capitals type the same jamo as lower case.
_KEYS = {
    "r": "ㄱ", "R": "ㄲ", "s": "ㄴ", "e": "ㄷ", "E": "ㄸ", "f": "ㄹ", "a": "ㅁ", "q": "ㅂ",
    "Q": "ㅃ", "t": "ㅅ", "T": "ㅆ", "d": "ㅇ", "w": "ㅈ", "W": "ㅉ", "c": "ㅊ", "z": "ㅋ",
    "x": "ㅌ", "v": "ㅍ", "g": "ㅎ",
    "k": "ㅏ", "o": "ㅐ", "i": "ㅑ", "O": "ㅒ", "j": "ㅓ", "p": "ㅔ", "u": "ㅕ", "P": "ㅖ",
    "h": "ㅗ", "y": "ㅛ", "n": "ㅜ", "b": "ㅠ", "m": "ㅡ", "l": "ㅣ",
}  # fmt: skip
_JAMO_TO_KEY = {v: k for k, v in _KEYS.items()}

# Unicode composition order (Hangul syllable = 0xAC00 + (cho * 21 + jung) * 28 + jong)
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
# two keystrokes that make one vowel or one final consonant
_VOWEL_PAIRS = {
    ("ㅗ", "ㅏ"): "ㅘ", ("ㅗ", "ㅐ"): "ㅙ", ("ㅗ", "ㅣ"): "ㅚ", ("ㅜ", "ㅓ"): "ㅝ",
    ("ㅜ", "ㅔ"): "ㅞ", ("ㅜ", "ㅣ"): "ㅟ", ("ㅡ", "ㅣ"): "ㅢ",
}  # fmt: skip
_FINAL_PAIRS = {
    ("ㄱ", "ㅅ"): "ㄳ", ("ㄴ", "ㅈ"): "ㄵ", ("ㄴ", "ㅎ"): "ㄶ", ("ㄹ", "ㄱ"): "ㄺ",
    ("ㄹ", "ㅁ"): "ㄻ", ("ㄹ", "ㅂ"): "ㄼ", ("ㄹ", "ㅅ"): "ㄽ", ("ㄹ", "ㅌ"): "ㄾ",
    ("ㄹ", "ㅍ"): "ㄿ", ("ㄹ", "ㅎ"): "ㅀ", ("ㅂ", "ㅅ"): "ㅄ",
}  # fmt: skip
_SPLIT_FINAL = {v: k for k, v in _FINAL_PAIRS.items()}
_SPLIT_VOWEL = {v: k for k, v in _VOWEL_PAIRS.items()}

# Region letters of the azizsiyaev Korean crop sets ("Z" = no region).
REGION_LETTERS = {
    "A": "서울", "B": "경기", "C": "인천", "D": "강원", "E": "충남", "F": "대전", "G": "충북",
    "H": "부산", "I": "울산", "J": "대구", "K": "경북", "L": "경남", "M": "전남", "N": "광주",
    "O": "전북", "P": "제주", "Z": "",
}  # fmt: skip


def _syllable(cho: str, jung: str, jong: str = "") -> str:
    return chr(0xAC00 + (_CHO.index(cho) * 21 + _JUNG.index(jung)) * 28 + _JONG.index(jong))


def dubeolsik_to_hangul(keys: str) -> str:
    """Compose Hangul from keystrokes on a Korean 2-set (dubeolsik) keyboard.

    Works like the input method: consonant + vowel (+ final consonant) make a syllable,
    doubled vowels and finals combine (``hk`` -> ㅘ, ``fr`` -> ㄺ), and a final consonant
    followed by a vowel moves on to start the next syllable (``dkss`` -> 안ㄴ, ``rkdk`` ->
    가아). Jamo that form no syllable are kept as compatibility jamo. Characters that are not
    keys (digits, spaces) pass through and end the syllable being composed.

    >>> dubeolsik_to_hangul("aj"), dubeolsik_to_hangul("qo"), dubeolsik_to_hangul("gksrmf")
    ('머', '배', '한글')
    """
    out: list[str] = []
    cho = jung = jong = ""

    def flush() -> None:
        nonlocal cho, jung, jong
        if cho and jung:
            out.append(_syllable(cho, jung, jong))
        else:
            out.append(cho + jung)  # a lone consonant or vowel
        cho = jung = jong = ""

    for key in keys:
        jamo = _KEYS.get(key)
        if jamo is None:
            flush()
            out.append(key)
        elif jamo in _CHO and jamo not in _JUNG:  # consonant
            if cho and jung and not jong and jamo in _JONG:
                jong = jamo
            elif jong and (jong, jamo) in _FINAL_PAIRS:
                jong = _FINAL_PAIRS[(jong, jamo)]
            else:
                if cho or jung:
                    flush()
                cho = jamo
        else:  # vowel
            if jong:
                # the last final consonant becomes the next syllable's initial
                keep, move = _SPLIT_FINAL.get(jong, ("", jong))
                jong = keep
                flush()
                cho, jung = move, jamo
            elif jung and (jung, jamo) in _VOWEL_PAIRS:
                jung = _VOWEL_PAIRS[(jung, jamo)]
            elif cho and not jung:
                jung = jamo
            else:
                if cho or jung:
                    flush()
                jung = jamo
    if cho or jung:
        flush()
    return "".join(out)


def hangul_to_dubeolsik(text: str) -> str:
    """Keystrokes that type ``text`` on a 2-set keyboard (inverse of :func:`dubeolsik_to_hangul`).

    Characters that are neither Hangul syllables nor jamo pass through unchanged.

    >>> hangul_to_dubeolsik("01머1010")
    '01aj1010'
    """
    keys = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            jamos = [_CHO[code // 588], _JUNG[(code % 588) // 28], _JONG[code % 28]]
        elif ch in _JAMO_TO_KEY or ch in _SPLIT_VOWEL or ch in _SPLIT_FINAL:
            jamos = [ch]
        else:
            keys.append(ch)
            continue
        for j in jamos:
            for part in _SPLIT_VOWEL.get(j) or _SPLIT_FINAL.get(j) or (j,):
                if part:
                    keys.append(_JAMO_TO_KEY[part])
    return "".join(keys)


_NAME_TEXT = re.compile(r"^([A-Z])?(\d{2,3})([a-zA-Z]{1,4})(\d{4})$")


def text_from_filename(name: str | os.PathLike) -> str | None:
    """Plate text encoded in a file name with 2-set keyboard keys, or ``None``.

    The name (without folders and suffix) is split at ``_``; the first part shaped like
    ``[REGION]DD[D]<keys>DDDD`` is decoded: ``aziz_cctv_train_01aj1010_00479.jpg`` ->
    ``01머1010``, ``A72qk6984_0884.jpg`` -> ``서울72바6984`` (see :data:`REGION_LETTERS`).

    Raises
    ------
    ValueError
        If the region letter is not one of :data:`REGION_LETTERS`.
    """
    stem = Path(name).stem
    for part in stem.split("_"):
        m = _NAME_TEXT.match(part)
        if m is None:
            continue
        region, front, keys, back = m.groups()
        if region is not None and region not in REGION_LETTERS:
            raise InputError(
                f"{name}: region letter {region!r} is not one of {''.join(REGION_LETTERS)}"
            )
        return f"{REGION_LETTERS[region] if region else ''}{front}{dubeolsik_to_hangul(keys)}{back}"
    return None


# --------------------------------------------------------------------------- images


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as an RGB ``uint8`` array (H, W, 3).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    LprkitError
        If it cannot be decoded as an image (names the file).
    """
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image not found: {path}")
    data = np.fromfile(path, dtype=np.uint8)  # works with non-ASCII paths, unlike cv2.imread
    if data[:8].tobytes() == b"\x89PNG\r\n\x1a\n":
        return _load_png(path)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if img is None:
        raise LprkitError(
            f"cannot decode image {path} ({data.size} bytes): corrupt or not an image; "
            f"accepted: {', '.join(IMAGE_SUFFIXES)}"
        )
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _load_png(path: Path) -> np.ndarray:
    """PNGs through Pillow: libpng (in OpenCV) prints warnings on stderr for harmless
    colour-profile mismatches, which end up in notebook outputs."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except OSError as exc:
        raise LprkitError(f"cannot decode image {path}: {exc}; accepted: {', '.join(IMAGE_SUFFIXES)}") from None


# --------------------------------------------------------------------------- folders


@dataclass(frozen=True)
class Crop:
    """A plate crop and its text."""

    path: Path
    text: str

    def load(self) -> np.ndarray:
        """The image, RGB ``uint8``."""
        return load_image(self.path)


@dataclass(frozen=True)
class Frame:
    """A scene image and its plate boxes (class ``plate``, with text when known)."""

    path: Path
    objects: tuple[ObjectBox, ...]

    def load(self) -> np.ndarray:
        """The image, RGB ``uint8``."""
        return load_image(self.path)

    @property
    def plates(self) -> list[ObjectBox]:
        return [o for o in self.objects if o.label == "plate"]


@dataclass
class _Folder:
    root: Path
    items: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator:
        return iter(self.items)

    def __getitem__(self, i: int):
        return self.items[i]


@dataclass
class CropsFolder(_Folder):
    """Plate crops and texts read from a crops folder (``items``: :class:`Crop`)."""

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.items]


@dataclass
class FramesFolder(_Folder):
    """Scene images with plate boxes (``items``: :class:`Frame`); ``source`` says which labels."""

    source: str = "labels.csv"


def _csv_rows(path: Path, ncols: int, what: str) -> Iterator[tuple[int, list[str]]]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: a {what} folder needs labels.csv")
    with io.StringIO(read_text(path), newline="") as f:
        for n, row in enumerate(csv.reader(f), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) != ncols:
                layout = "file,text" if ncols == 2 else "file,text,x,y,w,h"
                raise AnnotationFormatError(
                    f"{path}, line {n}: expected {ncols} columns '{layout}' (no header), "
                    f"got {len(row)}: {','.join(row)!r}"
                )
            yield n, [c.strip() for c in row]


def _check_inside(image: Path, xywh: tuple[float, ...], csv_path: Path, line: int) -> None:
    """Refuse a box that lies (more than a pixel) outside its image: a mislabelled row."""
    from PIL import Image

    with Image.open(image) as im:  # reads the header only
        width, height = im.size
    x, y, w, h = xywh
    if x < -1 or y < -1 or x + w > width + 1 or y + h > height + 1:
        raise AnnotationFormatError(
            f"{csv_path}, line {line}: box x={x:g} y={y:g} w={w:g} h={h:g} lies outside "
            f"{image.name} ({width}x{height} pixels)"
        )


def _check_image(root: Path, name: str, csv_path: Path, line: int) -> Path:
    p = root / name
    if not p.is_file():
        raise FileNotFoundError(f"{csv_path}, line {line}: image {name!r} not found in {root}")
    return p


def read_crops_folder(root: str | os.PathLike) -> CropsFolder:
    """Read a crops folder: images plus ``labels.csv`` rows ``file,text`` (no header).

    Raises
    ------
    FileNotFoundError
        If the folder, its ``labels.csv`` or a listed image is missing.
    AnnotationFormatError
        For a row without exactly two columns (names file and line).
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"crops folder not found: {root}")
    csv_path = root / "labels.csv"
    items = []
    for n, row in _csv_rows(csv_path, 2, "crops"):
        if not row[1]:  # scored as a plate with no characters, it would skew every figure
            raise AnnotationFormatError(
                f"{csv_path}, line {n}: {row[0]!r} has an empty text; each row needs the plate "
                "text (leave unreadable crops out of the folder)"
            )
        items.append(Crop(_check_image(root, row[0], csv_path, n), row[1]))
    return CropsFolder(root, items)


def _frames_from_csv(root: Path) -> list[Frame]:
    csv_path = root / "labels.csv"
    grouped: dict[str, tuple[Path, list[ObjectBox]]] = {}
    for n, (name, text, *xywh) in _csv_rows(csv_path, 6, "frames"):
        try:
            x, y, w, h = (float(v) for v in xywh)
        except ValueError:
            raise AnnotationFormatError(
                f"{csv_path}, line {n}: x,y,w,h must be numbers, got {xywh}"
            ) from None
        if w < 0 or h < 0:
            raise AnnotationFormatError(f"{csv_path}, line {n}: negative width or height {xywh}")
        if name not in grouped:
            grouped[name] = (_check_image(root, name, csv_path, n), [])
        _check_inside(grouped[name][0], (x, y, w, h), csv_path, n)
        grouped[name][1].append(ObjectBox.from_xywh("plate", x, y, w, h, text=text))
    return [Frame(p, tuple(objs)) for p, objs in grouped.values()]


def _frames_from_openalpr(root: Path) -> list[Frame]:
    grouped: dict[str, tuple[Path, list[ObjectBox]]] = {}
    for txt in sorted(root.glob("*.txt")):
        for ann in read_openalpr(txt):
            if ann.file not in grouped:
                img = root / ann.file
                if not img.is_file():
                    raise FileNotFoundError(f"{txt}: image {ann.file!r} not found in {root}")
                grouped[ann.file] = (img, [])
            grouped[ann.file][1].extend(ann.objects)
    return [Frame(p, tuple(objs)) for p, objs in grouped.values()]


def read_frames_folder(root: str | os.PathLike) -> FramesFolder:
    """Read a frames folder: images plus ``labels.csv`` (``file,text,x,y,w,h``) or openalpr
    per-image ``.txt`` files. ``labels.csv`` wins when both are present.

    Raises
    ------
    FileNotFoundError
        If the folder is missing, has neither kind of labels, or a listed image is missing.
    AnnotationFormatError
        For a malformed row or line (names file and line).
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"frames folder not found: {root}")
    if (root / "labels.csv").is_file():
        return FramesFolder(root, _frames_from_csv(root), "labels.csv")
    if any(root.glob("*.txt")):
        return FramesFolder(root, _frames_from_openalpr(root), "openalpr")
    raise FileNotFoundError(
        f"{root} has no labels: a frames folder needs labels.csv (file,text,x,y,w,h) "
        "or openalpr .txt files (file x y w h TEXT)"
    )


def format_frames_csv(rows: list[tuple[str, ObjectBox]]) -> str:
    """``labels.csv`` text for a frames folder: ``file,text,x,y,w,h`` in whole pixels."""
    lines = []
    for name, o in rows:
        x, y, w, h = (int(round(v)) for v in o.rounded().xywh())
        lines.append(f"{_csv_field(name)},{_csv_field(o.text)},{x},{y},{w},{h}")
    return "".join(line + "\n" for line in lines)


def write_frames_csv(
    path: str | os.PathLike, rows: list[tuple[str, ObjectBox]], *, overwrite: bool = False
) -> Path:
    """Write a frames ``labels.csv`` (see :func:`format_frames_csv`), atomically."""
    return atomic_write_text(path, format_frames_csv(rows), overwrite=overwrite)


def _csv_field(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def frame_crops(frames: FramesFolder, margin: float = 0.08) -> tuple[list[np.ndarray], list[str]]:
    """Cut every labelled plate out of a frames folder (box plus ``margin``), with its text.

    This is how the course gets real *crops* from the European photos, to test recognisers on
    the same plates the detector is tested on.
    """
    from lprkit.rectify import crop_box

    crops, texts = [], []
    for frame in frames:
        image = frame.load()
        for obj in frame.plates:
            crops.append(crop_box(image, (obj.x1, obj.y1, obj.x2, obj.y2), margin))
            texts.append(obj.text)
    return crops, texts
