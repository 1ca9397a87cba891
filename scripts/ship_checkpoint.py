"""Copy a trained checkpoint into lprkit/checkpoints/NAME and write its model card.

Maintainer tool: the card is generated from the metrics the training recipe measured and
stored with the checkpoint (``meta.json`` → ``training`` for recognisers, ``training.json``
for detectors), plus what is measured here: a recogniser's synthetic test set is read again
with the generator as it is now, and when the real data is available (LPRKIT_DATA_HOME):
for the detector, recall/precision on the European photos; for a recogniser, exact accuracy on
its real crops, read as :func:`lprkit.checkpoints.load_recognizer` reads them (crops that may
hold two lines read both ways), and again with reads constrained to the crops' plate formats
(``--grammar``). Both replace what the recipe measured. For a recogniser it also reads the
same synthetic test plates clean, half and fully degraded, at the test set's size and twice as
large (:func:`lprkit.recognition.robustness.quality_sweep`), and by the height of the plates'
smallest characters (:func:`~lprkit.recognition.robustness.by_char_height`,
:func:`~lprkit.recognition.robustness.size_sweep`). The card gets its YAML front matter from the
JSON (:mod:`lprkit.model_cards`), and the folder its light file, ``model_<precision>.tflite``
with its parity in ``exports.json`` (:func:`lprkit.export.shipped.ship_light_file`), which the
install without TensorFlow runs. Usage::

    python scripts/ship_checkpoint.py SRC_FOLDER NAME --command "the command that trained it"
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from lprkit.checkpoints import SHIPPED_DIR, checkpoint_kind
from lprkit.export.shipped import DEFAULT_LIGHT_PRECISION, LIGHT_PRECISION, ship_light_file
from lprkit.model_cards import write_front_matter
from lprkit.synth.render import DIN_SHARE
from lprkit.synth.styles import EU_HOLDER_SHARE
from lprkit.synth.twoline import LEGACY_TOP_LAYOUT


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def recognizer_card(name: str, meta: dict, command: str) -> str:
    t = meta["training"]
    syn, real = t["metrics"]["synthetic"], t["metrics"].get("real")
    lines = [
        f"# {name}",
        "",
        f"CTC plate recogniser: {t['architecture'].upper()}, {meta['num_params']:,} parameters, "
        f"input {t['input_size'][0]}×{t['input_size'][1]} ({meta['channels']} channel(s)), alphabet "
        f"`{meta['alphabet']}` ({len(meta['alphabet_tokens'])} tokens + blank), {meta['precision']} weights.",
        "",
        "## Data",
        "",
        _data_sentence(t),
        _training_sentence(t, syn["seed"])
        + (f", starting from the weights of `{t['init_from']}` (commands below)." if t.get("init_from") else "."),
        _layout_sentence(meta.get("two_line_top", LEGACY_TOP_LAYOUT)),
        "",
        "## Command",
        "",
        f"```\n{command}\n```",
        "",
        "## Metrics",
        "",
        "| set | plates | exact | CER | ms/plate |",
        "|---|---|---|---|---|",
        f"| synthetic test (seed {syn['seed']}) | {syn['n']} | {_pct(syn['exact'])} | {syn['cer']:.3f} | {syn['ms_per_plate']:.1f} |",
    ]
    real_sets = t["metrics"].get("real_sets") or ({real["set"]: real} if real else {})
    for set_name, r in real_sets.items():
        lines.append(f"| real: {set_name} | {r['n']} | {_pct(r['exact'])} | {r['cer']:.3f} | {r['ms_per_plate']:.1f} |")
    formats = t["metrics"].get("real_grammar")
    if formats:
        lines.append(
            f"| real: {formats['set']}, `--grammar {formats['grammar']}` | {formats['n']} | {_pct(formats['exact'])} "
            f"| {formats['cer']:.3f} | {formats['ms_per_plate']:.1f} |"
        )
    lines += ["", "By synthetic style:", "", "| style | plates | exact | CER |", "|---|---|---|---|"]
    for b in syn.get("by_style", []):
        lines.append(f"| {b['style']} | {b['n']} | {_pct(b['exact'])} | {b['cer']:.3f} |")
    quality = t["metrics"].get("quality")
    if quality:
        lines += ["", quality_section(quality)]
    sizes = t["metrics"].get("char_height")
    if sizes:
        lines += ["", char_height_section(sizes)]
    lines += [
        "",
        "## Limitations",
        "",
        _fonts_sentence(meta["alphabet"]),
        "not the official plate typefaces; real crops differ in fonts, wear, lighting and",
        "cropping, so the real-crop figures are the ones to trust. A `--grammar` read returns",
        "only plates legal in the named synthetic styles, so it cannot read a plate of another",
        "format (e.g. a vanity plate) exactly. Timings are from a shared 2-core CPU.",
        "",
    ]
    return "\n".join(lines)


REAL_SET_SOURCES = {
    "br_crops_train": "real Brazilian plate crops from the `br/` folder of openalpr/train-detector "
    "(AGPL-3.0, commit 1bd54b4; `lprkit.data.train_detector_sets`)",
}


def _data_sentence(t: dict) -> str:
    """Which data the recogniser saw: synthetic styles and, when mixed in, real crop sets."""
    styles = f"styles: {', '.join(t['styles'])}"
    real = t.get("real")
    if not real:
        return f"Synthetic plates only (`lprkit.synth`), {styles}."
    sets = "; ".join(REAL_SET_SOURCES.get(n, n) for n in real["sets"])
    return (
        f"Synthetic plates (`lprkit.synth`, {styles}) mixed with {real['crops']:,} {sets}, each "
        f"as it is and in {real['copies']} degraded copies (strength {real['strength']}). The "
        "real development sets below (`br_crops_dev`, split from the training crops by plate "
        "text, and the European photos) were never trained on."
    )


def _fonts_sentence(alphabet: str) -> str:
    """Which fonts drew the training plates (the European details only for Latin models)."""
    if alphabet != "latin":
        return "Trained on synthetic plates drawn with free system fonts (Nanum for Hangul, DejaVu and Liberation),"
    return (
        "Trained on synthetic plates drawn with free system fonts (DejaVu, Liberation and, for\n"
        f"European plates, Open DIN, with DIN 1451's M and W drawn from strokes on {DIN_SHARE:.0%} of\n"
        f"them, and {EU_HOLDER_SHARE:.0%} of the European crops showing a holder frame),"
    )


def _layout_sentence(layout: str) -> str:
    """How the checkpoint cuts two-line plates into strips (``two_line_top``)."""
    how = {"text": "the top line cut down to its text", "span": "the whole top line"}[layout]
    return f"Two-line plates are read as one-line strips of the `{layout}` layout ({how}; `lprkit.synth.twoline`)."


def _training_sentence(t: dict, test_seed: int) -> str:
    """What the card says about the data and the run (course recipe or streamed, GPU)."""
    stream = t.get("streamed")
    if stream is None:
        return (
            f"{t['n_train']:,} training plates (seed {t['seed']}), {t['n_val']:,} validation plates "
            f"(seed {t['seed'] + 1}); the test set below is another seed ({t['seed'] + 2}). "
            f"Trained {t['epochs_run']} epochs on a 2-core CPU, {t['date']}"
        )
    first, last = stream["seeds"]
    return (
        f"{t['n_train']:,} training plates drawn while training (seeds {first}–{last}, "
        f"{stream['plates_per_seed']:,} each; `lprkit.recognition.stream`), {stream['steps']:,} random "
        f"batches of {t['batch_size']} from them; {t['n_val']:,} validation plates (seed "
        f"{t['val_seed']}); the test set below is seed {test_seed}. Trained "
        f"{t['train_minutes_this_run']} minutes ({stream['hardware']}, Keras on "
        f"{stream['backend']}), {t['date']}"
    )


def quality_section(rows: list[dict]) -> str:
    """The card's table of exact accuracy by render size and degradation strength."""
    from lprkit.recognition.robustness import quality_pivot

    table, columns = quality_pivot(rows)
    first = rows[0]
    head = [
        f"By image quality: the same {first['n']} synthetic plates (seed {first['seed']}) drawn at the",
        "test set's size (1x) and twice as large (2x), clean (strength 0) to degraded as in the test",
        "set (strength 1); exact plates, one-line and two-line plates apart:",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    body = [
        "| " + " | ".join(_pct(row[c]) if c.startswith("strength") else str(row[c]) for c in columns) + " |"
        for row in table
    ]
    return "\n".join(head + body)


def char_height_section(metrics: dict) -> str:
    """The card's tables of exact accuracy against the height of the plates' smallest characters."""
    from lprkit.recognition.robustness import size_pivot

    bins, sweep = metrics["test_set"], metrics["sweep"]
    table, columns = size_pivot([r for r in sweep if r["lines"] == "all"])
    lines = [
        "By character height, the figure camera specifications state: the height in pixels of a",
        "plate's smallest text line as drawn (the top line of a two-line plate; the glyphs fill",
        "86-98% of it), before it is degraded and resized to the input. The test set above in bins",
        "of that height, with the accuracy on every plate from the bin's height up:",
        "",
        "| smallest line | plates | share | exact | from here up |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['char_height']} | {r['n']} | {_pct(r['share'])} | {_pct(r['exact'])} | {_pct(r['exact_from_here'])} |"
        for r in bins if r["char_height"] != "all"
    ]  # fmt: skip
    shown = [c for c in columns if c != "lines"]
    lines += [
        "",
        f"The same {sweep[0]['n']} plates (seed {metrics['seed']}) drawn with their smallest line at each",
        "height, clean (strength 0) and degraded as in the test set (strength 1):",
        "",
        "| smallest line | " + " | ".join(shown[1:]) + " |",
        "|" + "---|" * len(shown),
    ]
    lines += [
        "| " + " | ".join(_pct(row[c]) if c.startswith("strength") else str(row[c]) for c in shown) + " |" for row in table
    ]
    return "\n".join(lines)


def _bench_section(bench: dict) -> list[str]:
    """The real-photo table of benchmarks/bench_real_photos.py (its --json output)."""
    lines = [
        "",
        f"Real development photos (`benchmarks/bench_real_photos.py`: detector `{bench['detector']}`, "
        f"tiles {bench.get('tile') or 'off'}"
        + (f" (boxes found only in tiles need score {bench['tile_score']})" if bench.get("tile_score") else "")
        + ", "
        f"recogniser `{bench['recognizer']}`, reads under confidence {bench['min_read_confidence']} "
        "reported as unread, not as plates):",
        "",
        "| set | n | detection recall | recall | precision | end-to-end exact | boxes / plate-free photo | false plates / plate-free photo | ms / frame |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for set_name, r in bench["sets"].items():
        def f(k, r=r):
            return f"{r[k]:.3f}" if k in r else "—"
        lines.append(
            f"| {set_name} | {r['n']} | {f('detection_recall')} | {f('recall')} | {f('precision')} | "
            f"{f('end_to_end_exact')} | {f('boxes_per_photo')} | {f('false_plates_per_photo')} | {r['ms_per_frame']:.0f} |"
        )
    return lines


DETECTOR_DATA = {
    "photo": "real plate-free photos from the `raw-neg/` folder of openalpr/train-detector (AGPL-3.0, "
    "commit 1bd54b4; the training part of `lprkit.data.train_detector_sets.split_negatives`), with "
    "rendered plates and real Brazilian crops (`br_crops_train`, same repository) pasted in by "
    "`lprkit synth photo-scenes`, a quarter of them left plate-free as hard negatives",
}


def detector_card(name: str, meta: dict, training: dict, real: dict | None, command: str,
                  bench: dict | None = None, data: str | None = None) -> str:
    v = training["val"]
    lines = [
        f"# {name}",
        "",
        f"YOLOv4-tiny plate detector, one class (`plate`), input {training['input_size']}, "
        f"{meta.get('precision', 'float32')} weights, anchors fitted by k-means on the training boxes: "
        f"{training['anchors']}.",
        "",
        "## Data",
        "",
        data or f"{training['train_images']:,} synthetic parking and CCTV scenes (`lprkit synth scenes`, all plate styles).",
        f"Trained {training['epochs_run']} epochs (best epoch {training['best_epoch']}) on a 2-core CPU"
        + (f" ({training['note']}; run the command again to continue)." if training.get("note") else "."),
        "",
        "## Command",
        "",
        f"```\n{command}\n```",
        "",
        "## Metrics",
        "",
        "| set | images | mAP@0.5 | mAP@0.5:0.95 | precision | recall |",
        "|---|---|---|---|---|---|",
        f"| synthetic validation | {v['images']} | {v['map50']:.3f} | {v['map50_95']:.3f} | {v['precision']:.3f} | {v['recall']:.3f} |",
    ]
    if real:
        lines.append(
            f"| real: openalpr_eu | {real['images']} | {real['map50']:.3f} | {real['map50_95']:.3f} | {real['precision']:.3f} | {real['recall']:.3f} |"
        )
    lines += [
        "",
        "Precision and recall at score 0.25 and IoU 0.5.",
        *(_bench_section(bench) if bench else []),
        "",
        "## Limitations",
        "",
        "Vehicles in the training scenes are drawn procedurally and pasted plates are flat; real",
        "cameras differ (colour, night IR, motion blur), so the real-photo figures are the ones to",
        "trust. Timings are from a shared 2-core CPU.",
        "",
    ]
    return "\n".join(lines)


def real_detection_metrics(folder: Path) -> dict | None:
    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.detection.recipe import evaluate_detector, load_samples
    from lprkit.errors import LprkitError

    try:
        from lprkit.data.realdata import dataset_dir

        samples = load_samples([dataset_dir("openalpr_eu")])
    except (FileNotFoundError, LprkitError):
        return None
    return evaluate_detector(KerasDetector.load(folder), samples)


def add_synthetic_metrics(folder: Path, meta: dict) -> None:
    """Measure the synthetic test set again (same seed, size and styles) with today's generator.

    The recipe measured it when training ended; re-measuring here means a card never shows
    figures from an older generator (e.g. an older two-line cut) beside ones from the new one.
    """
    from lprkit.checkpoints import load_recognizer
    from lprkit.recognition.recipe import measure_synthetic

    t = meta["training"]
    old = t["metrics"]["synthetic"]
    t["metrics"]["synthetic"] = measure_synthetic(load_recognizer(str(folder)), old["seed"], t["styles"],
                                                  old["n"], processes=2)


def add_real_crop_metrics(folder: Path, meta: dict) -> None:
    """Measure the real crops as the shipped reader will read them."""
    from lprkit.checkpoints import load_recognizer
    from lprkit.recognition.recipe import measure_real

    metrics = meta["training"]["metrics"]
    real = measure_real(load_recognizer(str(folder)))
    if real is not None:
        metrics["real"] = real


# The plate formats of each alphabet's real crops (Korean crops; Slovak/Czech/German photos).
REAL_GRAMMAR = {"korean": "korean", "latin": "europe"}


def add_real_grammar_metrics(folder: Path, meta: dict) -> None:
    """Measure the real crops once more, reading only plates legal in their formats."""
    from lprkit.checkpoints import load_recognizer
    from lprkit.recognition.recipe import measure_real

    metrics = meta["training"]["metrics"]
    styles = REAL_GRAMMAR.get(meta["alphabet"])
    if styles is None:
        return
    real = measure_real(load_recognizer(str(folder), grammar_styles=styles))
    if real is not None:
        metrics["real_grammar"] = {**real, "grammar": styles}


QUALITY_STRENGTHS, QUALITY_SCALES, QUALITY_PLATES = (0.0, 0.5, 1.0), (1.0, 2.0), 400


def add_quality_metrics(folder: Path, meta: dict) -> None:
    """Read the test seed's plates at several render sizes and degradation strengths."""
    from lprkit.checkpoints import load_recognizer
    from lprkit.recognition.robustness import quality_sweep

    t = meta["training"]
    seed = t["metrics"]["synthetic"]["seed"]
    rows = quality_sweep(load_recognizer(str(folder)), t["styles"], strengths=QUALITY_STRENGTHS,
                         render_scales=QUALITY_SCALES, n=QUALITY_PLATES, seed=seed, processes=2)
    t["metrics"]["quality"] = [{**r, "seed": seed} for r in rows]


SIZE_EDGES, SIZE_HEIGHTS, SIZE_PLATES = (12, 16, 20, 24), (10, 12, 14, 16, 20, 24, 32, 40), 1000


def add_char_height_metrics(folder: Path, meta: dict) -> None:
    """The test set in bins of character height, and the same plates drawn at set heights."""
    from lprkit.checkpoints import load_recognizer
    from lprkit.recognition.robustness import by_char_height, size_sweep

    t = meta["training"]
    syn = t["metrics"]["synthetic"]
    recognizer = load_recognizer(str(folder))
    bins = by_char_height(recognizer, t["styles"], SIZE_EDGES, n=syn["n"], seed=syn["seed"], processes=2)
    sweep = size_sweep(recognizer, t["styles"], SIZE_HEIGHTS, (0.0, 1.0), n=SIZE_PLATES, seed=syn["seed"], processes=2)
    t["metrics"]["char_height"] = {"seed": syn["seed"], "test_set": bins, "sweep": sweep}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("name")
    ap.add_argument("--command", required=True, help="the command that trained it, for the card")
    ap.add_argument("--bench", type=Path, default=None,
                    help="detector: the --json output of benchmarks/bench_real_photos.py for the card")
    ap.add_argument("--data", default=None, help="detector: the card's sentence on the training data")
    args = ap.parse_args()
    dest = SHIPPED_DIR / args.name
    tmp = SHIPPED_DIR / f".{args.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(args.src, tmp)
    if checkpoint_kind(tmp) == "recognizer":
        meta = json.loads((tmp / "meta.json").read_text(encoding="utf-8"))
        meta["name"] = args.name
        meta["two_line"] = "best"  # as load_recognizer reads: possible two-line crops both ways
        add_synthetic_metrics(tmp, meta)
        add_real_crop_metrics(tmp, meta)
        add_real_grammar_metrics(tmp, meta)
        add_quality_metrics(tmp, meta)
        add_char_height_metrics(tmp, meta)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        card = recognizer_card(args.name, meta, args.command)
    else:
        meta = json.loads((tmp / "detector.json").read_text(encoding="utf-8"))
        meta["name"] = args.name
        (tmp / "detector.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        training = json.loads((tmp / "training.json").read_text(encoding="utf-8"))
        real = real_detection_metrics(tmp)
        if real:
            training["real_openalpr_eu"] = real
            (tmp / "training.json").write_text(json.dumps(training, indent=2) + "\n", encoding="utf-8")
        bench = json.loads(args.bench.read_text(encoding="utf-8")) if args.bench else None
        if bench:
            training["real_photos"] = bench
            (tmp / "training.json").write_text(json.dumps(training, indent=2) + "\n", encoding="utf-8")
        card = detector_card(args.name, meta, training, real, args.command, bench, args.data)
    (tmp / "card.md").write_text(card, encoding="utf-8")
    write_front_matter(tmp)
    record = ship_light_file(tmp, LIGHT_PRECISION.get(args.name, DEFAULT_LIGHT_PRECISION))
    print(f"light file: {record['file']} ({record['bytes'] / 1e6:.2f} MB)")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.replace(dest)
    print(card)


if __name__ == "__main__":
    main()
