"""Model-card front matter (YAML between ``---`` lines, as on the Hugging Face hub), built from a
checkpoint's own JSON so that no figure is typed by hand.

:func:`front_matter` reads ``meta.json`` (recognisers) or ``detector.json`` + ``training.json``
(detectors) and returns ``license``, ``library_name: lprkit``, ``tags``, ``pipeline_tag``,
``datasets`` (hub-style ids) with ``dataset_licenses``, ``metrics`` (the metric ids) and
``model-index`` (the card's figures: one result per evaluation set, values copied from the
JSON). :func:`write_front_matter` puts it at the top of ``card.md`` (replacing an earlier one);
:func:`split_front_matter` parses a card back into the mapping and the Markdown body.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml

from lprkit.errors import LprkitError

#: Licence of lprkit and of the weights it ships.
MODEL_LICENSE = "mit"
#: Every dataset a card may name: hub-style id -> licence and where it comes from.
DATASETS = {
    "lprkit/synthetic-plates": {
        "license": "MIT",
        "source": "plates and scenes drawn by lprkit.synth (free system fonts)",
    },
    "openalpr/train-detector": {
        "license": "AGPL-3.0",
        "source": "https://github.com/openalpr/train-detector (commit 1bd54b4): br/ crops, raw-neg/ photos",
    },
    "openalpr/benchmarks": {
        "license": "AGPL-3.0",
        "source": "https://github.com/openalpr/benchmarks endtoend/eu (the openalpr_eu photos)",
    },
    "azizsiyaev/korean_car_licence_plate_detection_and_recognition": {
        "license": "unknown (no licence found in the repository)",
        "source": "https://github.com/azizsiyaev/korean_car_licence_plate_detection_and_recognition "
        "(the kr_crops evaluation crops; never redistributed)",
    },
}
#: lprkit set names (and words a card uses for them) -> dataset id.
SET_SOURCES = {
    "br_crops_train": "openalpr/train-detector",
    "br_crops_dev": "openalpr/train-detector",
    "negatives": "openalpr/train-detector",
    "raw-neg": "openalpr/train-detector",
    "openalpr/train-detector": "openalpr/train-detector",
    "openalpr_eu": "openalpr/benchmarks",
    "openalpr/benchmarks": "openalpr/benchmarks",
    "kr_crops": "azizsiyaev/korean_car_licence_plate_detection_and_recognition",
    "lprkit.synth": "lprkit/synthetic-plates",
    "lprkit synth": "lprkit/synthetic-plates",
}
FENCE = "---"


def split_front_matter(text: str) -> tuple[dict, str]:
    """``(front matter, body)`` of a card; ``({}, text)`` when it has none.

    Raises
    ------
    LprkitError
        For a front matter that is not a YAML mapping or is never closed.
    """
    if not text.startswith(FENCE + "\n"):
        return {}, text
    end = text.find("\n" + FENCE + "\n", len(FENCE))
    if end < 0:
        raise LprkitError("the model card opens a '---' front matter and never closes it")
    data = yaml.safe_load(text[len(FENCE) + 1 : end + 1]) or {}
    if not isinstance(data, dict):
        raise LprkitError("the model card's front matter is not a YAML mapping")
    return data, text[end + len(FENCE) + 2 :].lstrip("\n")


def _datasets_named(names) -> list[str]:
    found: list[str] = []
    for name in names:
        ds = SET_SOURCES.get(name) or next((v for k, v in SET_SOURCES.items() if k in name), None)
        if ds and ds not in found:
            found.append(ds)
    return found


def _metric(kind: str, value, name: str | None = None) -> dict:
    return {"type": kind, "value": float(value), "name": name or kind}


def _result(task: str, dataset: str, dataset_id: str, metrics: list[dict], n: int) -> dict:
    return {
        "task": {"type": task},
        "dataset": {"name": dataset, "type": dataset_id, "args": {"n": int(n)}},
        "metrics": metrics,
    }


def _recognizer_results(meta: dict) -> list[dict]:
    m = meta["training"]["metrics"]
    syn = m["synthetic"]
    task = "image-to-text"

    def read(s: dict) -> list[dict]:
        return [_metric("exact_match", s["exact"], "exact"), _metric("cer", s["cer"])]

    out = [_result(task, f"synthetic test (seed {syn['seed']})", "lprkit/synthetic-plates", read(syn), syn["n"])]
    sets = dict(m.get("real_sets") or {})
    if m.get("real"):
        sets.setdefault(m["real"]["set"], m["real"])
    for name, s in sets.items():
        out.append(_result(task, f"real: {name}", _datasets_named([name])[0], read(s), s["n"]))
    if m.get("real_grammar"):
        g = m["real_grammar"]
        out.append(_result(task, f"real: {g['set']}, --grammar {g['grammar']}",
                           _datasets_named([g["set"]])[0], read(g), g["n"]))  # fmt: skip
    return out


def _detector_results(training: dict) -> list[dict]:
    task = "object-detection"

    def det(s: dict) -> list[dict]:
        return [_metric("map", s["map50"], "mAP@0.5"), _metric("map", s["map50_95"], "mAP@0.5:0.95"),
                _metric("precision", s["precision"]), _metric("recall", s["recall"])]  # fmt: skip

    v = training["val"]
    out = [_result(task, "synthetic validation", "lprkit/synthetic-plates", det(v), v["images"])]
    if training.get("real_openalpr_eu"):
        r = training["real_openalpr_eu"]
        out.append(_result(task, "real: openalpr_eu", "openalpr/benchmarks", det(r), r["images"]))
    bench = (training.get("real_photos") or {}).get("sets", {})
    for name, s in bench.items():
        keys = [k for k in ("detection_recall", "recall", "precision", "end_to_end_exact",
                            "false_plates_per_photo") if k in s]  # fmt: skip
        metrics = [_metric(k, s[k]) for k in keys]
        source = _datasets_named([name]) or ["openalpr/benchmarks"]  # the proxy: openalpr_eu scaled
        out.append(_result(task, f"real photos, pipeline: {name}", source[0], metrics, s["n"]))
    return out


def front_matter(folder: str | os.PathLike, body: str = "") -> dict:
    """The card front matter of a checkpoint folder, from its JSON (and ``body``: the datasets
    the card's text names)."""
    folder = Path(folder)
    if (folder / "meta.json").is_file():
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        t = meta["training"]
        arch = str(t.get("architecture", meta.get("architecture", ""))).lower()
        tags = ["licence-plate-recognition", "ocr", "ctc", arch, f"alphabet-{meta['alphabet']}"]
        results = _recognizer_results(meta)
        named = ["lprkit.synth", *((t.get("real") or {}).get("sets") or [])]
        pipeline_tag, metrics = "image-to-text", ["exact_match", "cer"]
        name = meta.get("name") or folder.name
    elif (folder / "detector.json").is_file():
        name = json.loads((folder / "detector.json").read_text(encoding="utf-8")).get("name") or folder.name
        training = json.loads((folder / "training.json").read_text(encoding="utf-8"))
        tags = ["licence-plate-detection", "object-detection", str(training.get("architecture", "yolo")).replace("_", "-")]
        results = _detector_results(training)
        named = ["lprkit.synth"]
        pipeline_tag, metrics = "object-detection", ["map", "precision", "recall"]
    else:
        raise LprkitError(f"{folder} is not a checkpoint folder (no meta.json or detector.json)")
    words = re.findall(r"[\w./-]+", body)
    datasets = _datasets_named([*named, *(r["dataset"]["type"] for r in results), *words])
    return {
        "license": MODEL_LICENSE,
        "library_name": "lprkit",
        "pipeline_tag": pipeline_tag,
        "tags": [*tags, "keras", "tflite", "litert"],
        "datasets": datasets,
        "dataset_licenses": {d: DATASETS[d]["license"] for d in datasets},
        "metrics": metrics,
        "model-index": [{"name": name, "results": results}],
    }


def render_front_matter(data: dict) -> str:
    """``data`` as a ``---`` YAML block (with its closing line and a blank line)."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f"{FENCE}\n{text}{FENCE}\n\n"


def write_front_matter(folder: str | os.PathLike) -> dict:
    """Put (or renew) the front matter of ``folder/card.md``; returns it."""
    from lprkit.fileio import atomic_write_text

    card = Path(folder) / "card.md"
    if not card.is_file():
        raise FileNotFoundError(f"{card} not found: this checkpoint has no model card")
    _, body = split_front_matter(card.read_text(encoding="utf-8"))
    data = front_matter(folder, body)
    atomic_write_text(card, render_front_matter(data) + body, overwrite=True)
    return data
