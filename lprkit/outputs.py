"""Writing reads to disk: CSV and JSON lines, plate crops, annotated images.

One :class:`ReadsWriter` per output folder; every row names the source file (and frame for
video), the text, confidences, box, colour and, when a watchlist is given, the match.
Files are written as the run goes, so an interrupted run keeps what it read so far.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np

#: Version of the JSON lines ``predict --json`` writes (docs/output-schema.md, docs/reads.schema.json).
SCHEMA = "lprkit.reads/1"

FIELDS = ("file", "frame", "plate", "text", "confidence", "x1", "y1", "x2", "y2", "detection_score", "colour", "watchlist", "watchlist_plate", "unread")


class ReadsWriter:
    """Append reads to ``reads.csv`` and ``reads.jsonl`` in ``out_dir``.

    Parameters
    ----------
    out_dir
        Output folder (created). Existing ``reads.*`` files, or ``annotated/`` and ``crops/``
        folders holding files, are refused unless ``overwrite``, so an earlier run's results
        are not lost.
    save_crops, save_annotated
        Also write each plate crop (``crops/``) and each annotated image (``annotated/``).
    watchlist
        An open :class:`lprkit.watchlist.Watchlist` to look every read up in.
    """

    def __init__(
        self,
        out_dir: str | os.PathLike,
        *,
        save_crops: bool = False,
        save_annotated: bool = True,
        watchlist=None,
        overwrite: bool = False,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        csv_path, jsonl_path = self.out_dir / "reads.csv", self.out_dir / "reads.jsonl"
        if not overwrite and (csv_path.exists() or jsonl_path.exists()):
            raise FileExistsError(f"{csv_path} exists; choose another --out or pass --overwrite")
        for sub, wanted in (("annotated", save_annotated), ("crops", save_crops)):
            folder = self.out_dir / sub
            if wanted and not overwrite and folder.is_dir() and any(folder.iterdir()):
                raise FileExistsError(
                    f"{folder} holds files an earlier run wrote; choose another --out or pass --overwrite"
                )
        self._stems: set[str] = set()
        self.save_crops, self.save_annotated, self.watchlist = save_crops, save_annotated, watchlist
        self._csv_file = open(csv_path, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self._jsonl = open(jsonl_path, "w", encoding="utf-8")  # noqa: SIM115
        self._csv = csv.DictWriter(self._csv_file, FIELDS)
        self._csv.writeheader()
        self.rows = 0

    def write(self, source: str | os.PathLike, image: np.ndarray | None, results, frame: int | None = None) -> list[dict]:
        """Record the results for one image (or video frame); returns the rows written."""
        from PIL import Image

        stem = Path(source).stem + (f"_f{frame:06d}" if frame is not None else "")
        if stem in self._stems:  # car.jpg and car.png: keep both pictures
            stem = f"{stem}_{Path(source).suffix.lstrip('.')}"
        self._stems.add(stem)
        rows = []
        for i, r in enumerate(results):
            row = {
                "file": Path(source).name, "frame": "" if frame is None else frame, "plate": i,
                "text": r.text, "confidence": round(float(r.confidence), 4),
                **dict(zip(("x1", "y1", "x2", "y2"), (round(float(v), 1) for v in r.box), strict=True)),
                "detection_score": round(float(r.detection_score), 4), "colour": r.colour or "",
                "watchlist": "", "watchlist_plate": "", "unread": int(getattr(r, "unread", False)),
            }  # fmt: skip
            if self.watchlist is not None and r.text:
                match = self.watchlist.lookup(r.text)
                row["watchlist"], row["watchlist_plate"] = match.kind, match.plate or ""
            if self.save_crops and r.crop is not None:
                (self.out_dir / "crops").mkdir(exist_ok=True)
                Image.fromarray(r.crop).save(self.out_dir / "crops" / f"{stem}_{i}.png")
            self._csv.writerow(row)
            self._jsonl.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows.append(row)
        if self.save_annotated and image is not None:
            from lprkit.pipeline import draw_results

            (self.out_dir / "annotated").mkdir(exist_ok=True)
            Image.fromarray(draw_results(image, results)).save(self.out_dir / "annotated" / f"{stem}.jpg", quality=90)
        self._csv_file.flush()
        self._jsonl.flush()
        self.rows += len(rows)
        return rows

    def close(self) -> None:
        self._csv_file.close()
        self._jsonl.close()

    def __enter__(self) -> ReadsWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def image_record(
    source: str | os.PathLike, image: np.ndarray, results, ms: float, watchlist=None, frame: int | None = None
) -> dict:
    """One image's reads as the versioned JSON object ``predict --json`` writes.

    ``plates`` holds every detection, best first; an unread one has ``"unread": true`` and an
    empty text. ``watchlist`` is ``null`` without a watchlist, else the lookup's kind and plate.
    """
    plates = []
    for r in results:
        match = None
        if watchlist is not None and r.text:
            found = watchlist.lookup(r.text)
            match = {"kind": found.kind, "plate": found.plate}
        plates.append({
            **r.as_dict(),
            "char_confidences": [round(float(c), 4) for c in r.char_confidences],
            "watchlist": match,
        })  # fmt: skip
    return {
        "schema": SCHEMA,
        "file": Path(source).name,
        "frame": frame,
        "width": int(image.shape[1]),
        "height": int(image.shape[0]),
        "ms": round(float(ms), 1),
        "plates": plates,
    }
