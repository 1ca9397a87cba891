"""``lprkit demo``: the course's end result on sample images.

With the shipped checkpoints it composes a few synthetic parking and CCTV scenes on the spot,
reads their plates with the full pipeline (YOLOv4-tiny + CRNN + plate colour), and reads a
few real European photos (a local copy under ``LPRKIT_DATA_HOME``, else downloaded; skipped
offline). Each labelled plate is printed as read right, wrong, found but unread (its reading
was not believable, so no plate is reported) or missed. It writes annotated images and
``reads.csv`` into ``--out``, and always renders one plate of every style into ``plates.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DETECTOR, KOREAN_READER, LATIN_READER = "yolov4-tiny-plates", "crnn-korean", "crnn-latin"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the course's end result on sample images",
        description="Read plates in synthetic scenes (and real photos when available) with the "
        "shipped checkpoints; write annotated images and reads.csv.",
    )
    p.add_argument("--out", type=Path, default=Path("demo_out"), help="output folder (default: demo_out)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--scenes", type=int, default=4, help="synthetic scenes to read (default: 4)")
    p.add_argument("--real", type=int, default=3, help="real photos to read when available (default: 3)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lprkit.checkpoints import available
    from lprkit.info import environment_report

    checks = environment_report()
    missing = [c for c in checks if c.required and not c.ok]
    print(f"environment: {len(checks) - len(missing)}/{len(checks)} checks ok" + (
        f"; missing {', '.join(c.name for c in missing)} (run `lprkit info` for fixes)" if missing else ""
    ))  # fmt: skip
    path, _ = render_style_sheet(args.out, args.seed)
    print(f"one plate of every style: {path}")
    shipped = set(available())
    needed = {DETECTOR, KOREAN_READER}
    if not needed <= shipped:
        print(f"shipped checkpoints missing: {', '.join(sorted(needed - shipped))}; "
              "train them with `lprkit train` (see README) to see the full pipeline")  # fmt: skip
        return 0
    read_synthetic_scenes(args.out, args.scenes, args.seed)
    if LATIN_READER in shipped and args.real > 0:
        read_real_photos(args.out, args.real)
    return 0


def compare_reads(results, plates) -> tuple[list[str], dict[str, int]]:
    """Match a frame's reads to its labelled plates (IoU 0.5) and say what became of each plate.

    Returns one line per labelled plate (``right``, ``WRONG``, ``unread``: found but its
    reading was not believable, so no plate is reported; ``missed``: no box) plus one per
    reported plate that matches no label (``false plate``), and the counts of each outcome.
    """
    from lprkit.evaluation import match_boxes, normalize_text

    pairs = match_boxes(
        [r.box for r in results], [r.detection_score for r in results],
        [[o.x1, o.y1, o.x2, o.y2] for o in plates],
    )  # fmt: skip
    by_label = {g: p for p, g in pairs}
    lines, counts = [], dict.fromkeys(("right", "WRONG", "unread", "missed", "false plate"), 0)
    for g, plate in enumerate(plates):
        if g not in by_label:
            outcome, shown = "missed", "(no box)"
        else:
            r = results[by_label[g]]
            if r.unread:
                outcome, shown = "unread", f"(unread, {r.confidence:.2f})"
            else:
                right = normalize_text(r.text) == normalize_text(plate.text)
                outcome, shown = ("right" if right else "WRONG"), f"{r.text} {r.confidence:.2f}"
        counts[outcome] += 1
        lines.append(f"{plate.text:<12} read {shown:<22} {outcome}")
    matched = {p for p, _ in pairs}
    for i, r in enumerate(results):
        if i not in matched and not r.unread:
            counts["false plate"] += 1
            lines.append(f"{'(no plate)':<12} read {r.text + f' {r.confidence:.2f}':<22} false plate")
    return lines, counts


def _summary(counts: dict[str, int], total: int) -> str:
    return (f"{counts['right']}/{total} read right, {counts['WRONG']} wrong, {counts['unread']} "
            f"found but unread (not reported as plates), {counts['missed']} missed, "
            f"{counts['false plate']} false plates")


def read_synthetic_scenes(out_dir: Path, n: int, seed: int) -> None:
    """Compose ``n`` Korean scenes, read them, write annotated images + reads.csv, print."""
    from lprkit.checkpoints import load_detector, load_recognizer
    from lprkit.config import make_rng
    from lprkit.outputs import ReadsWriter
    from lprkit.pipeline import Pipeline
    from lprkit.synth.scenes import compose_scene

    pipeline = Pipeline(load_detector(DETECTOR), load_recognizer(KOREAN_READER))
    rng = make_rng(seed)
    totals, n_plates = {}, 0
    with ReadsWriter(out_dir / "scenes", overwrite=True) as out:
        for i in range(n):
            scene = compose_scene("parking" if i % 2 == 0 else "cctv", rng)
            results = pipeline.read(scene.image)
            out.write(f"scene_{i}.jpg", scene.image, results)
            plates = [o for o in scene.objects if o.label == "plate"]
            lines, counts = compare_reads(results, plates)
            for line in lines:
                print(f"  scene {i}: {line}")
            totals = {k: totals.get(k, 0) + v for k, v in counts.items()}
            n_plates += len(plates)
    print(f"synthetic scenes: {_summary(totals, n_plates)}")
    print(f"  annotated pictures: {out_dir / 'scenes' / 'annotated'}; reads: {out_dir / 'scenes' / 'reads.csv'}")


def read_real_photos(out_dir: Path, n: int) -> None:
    """Read the first ``n`` real European photos (a local copy, else downloaded; skipped offline)."""
    from lprkit.checkpoints import load_detector, load_recognizer
    from lprkit.data.realdata import load_openalpr_eu
    from lprkit.errors import LprkitError
    from lprkit.outputs import ReadsWriter
    from lprkit.pipeline import Pipeline

    try:
        frames = list(load_openalpr_eu(progress=True))[:n]
    except (FileNotFoundError, LprkitError) as exc:
        print(f"real photos: skipped, none local and the download failed ({str(exc).splitlines()[0][:120]}); "
              "set LPRKIT_DATA_HOME to a folder holding openalpr_eu/")
        return
    pipeline = Pipeline(load_detector(DETECTOR), load_recognizer(LATIN_READER))
    totals, n_plates = {}, 0
    with ReadsWriter(out_dir / "real", overwrite=True) as out:
        for frame in frames:
            image = frame.load()
            results = pipeline.read(image)
            out.write(frame.path, image, results)
            lines, counts = compare_reads(results, frame.plates)
            for line in lines:
                print(f"  {frame.path.name}: {line}")
            totals = {k: totals.get(k, 0) + v for k, v in counts.items()}
            n_plates += len(frame.plates)
    print(f"real photos (openalpr_eu): {_summary(totals, n_plates)}")
    print(f"  annotated pictures: {out_dir / 'real' / 'annotated'}; reads: {out_dir / 'real' / 'reads.csv'}")


def render_style_sheet(out_dir: Path, seed: int = 0) -> tuple[Path, list[tuple[str, str]]]:
    """Render one random plate per registered style into ``out_dir/plates.png``.

    Returns the image path and ``(style, text)`` pairs in sheet order.
    """
    import numpy as np
    from PIL import Image

    from lprkit.config import make_rng
    from lprkit.synth.render import random_plate
    from lprkit.synth.styles import STYLES

    rng = make_rng(seed)
    plates = [random_plate(name, rng) for name in STYLES]
    width = 520
    rows = []
    for plate in plates:
        h, w = plate.image.shape[:2]
        img = Image.fromarray(plate.image).resize((width, max(1, round(h * width / w))))
        canvas = np.full((img.height + 10, width + 10, 3), 255, np.uint8)
        canvas[5 : 5 + img.height, 5 : 5 + width] = np.asarray(img)
        rows.append(canvas)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "plates.png"
    tmp = path.with_suffix(".tmp.png")
    Image.fromarray(np.concatenate(rows, axis=0)).save(tmp)
    tmp.replace(path)
    return path, [(p.style, p.text) for p in plates]
