"""``lprkit demo``: the course's end result on sample images.

With the shipped checkpoints it composes a few synthetic parking and CCTV scenes on the spot,
reads their plates with the full pipeline (YOLOv4-tiny + CRNN + plate colour), and, when
``LPRKIT_DATA_HOME`` holds the real European photos, reads a few of those too. It writes
annotated images and ``reads.csv`` into ``--out``, and always renders one plate of every style
into ``plates.png``.
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


def read_synthetic_scenes(out_dir: Path, n: int, seed: int) -> None:
    """Compose ``n`` Korean scenes, read them, write annotated images + reads.csv, print."""
    from lprkit.checkpoints import load_detector, load_recognizer
    from lprkit.config import make_rng
    from lprkit.evaluation import match_boxes, normalize_text
    from lprkit.outputs import ReadsWriter
    from lprkit.pipeline import Pipeline
    from lprkit.synth.scenes import compose_scene

    pipeline = Pipeline(load_detector(DETECTOR), load_recognizer(KOREAN_READER))
    rng = make_rng(seed)
    found = right = total = 0
    with ReadsWriter(out_dir / "scenes", overwrite=True) as out:
        for i in range(n):
            scene = compose_scene("parking" if i % 2 == 0 else "cctv", rng)
            results = pipeline.read(scene.image)
            out.write(f"scene_{i}.jpg", scene.image, results)
            plates = [o for o in scene.objects if o.label == "plate"]
            pairs = match_boxes(
                [r.box for r in results], [r.detection_score for r in results],
                [[o.x1, o.y1, o.x2, o.y2] for o in plates],
            )  # fmt: skip
            total += len(plates)
            found += len(pairs)
            for p, g in pairs:
                ok = normalize_text(results[p].text) == normalize_text(plates[g].text)
                right += ok
                shown = results[p].text or "(unread)"
                print(f"  scene {i}: {plates[g].text:<12} read {shown:<12} "
                      f"{results[p].confidence:.2f} {results[p].colour:<7} {'ok' if ok else 'WRONG'}")  # fmt: skip
    print(f"synthetic scenes: {found}/{total} plates found, {right}/{total} read exactly "
          f"-> {out_dir / 'scenes'}/reads.csv and annotated/")  # fmt: skip


def read_real_photos(out_dir: Path, n: int) -> None:
    """Read the first ``n`` real European photos when they are available locally."""
    from lprkit.checkpoints import load_detector, load_recognizer
    from lprkit.data.realdata import load_openalpr_eu
    from lprkit.errors import LprkitError
    from lprkit.outputs import ReadsWriter
    from lprkit.pipeline import Pipeline

    try:
        frames = list(load_openalpr_eu(download=False, progress=False))[:n]
    except (FileNotFoundError, LprkitError):
        print("real photos: not found locally (set LPRKIT_DATA_HOME to read them)")
        return
    pipeline = Pipeline(load_detector(DETECTOR), load_recognizer(LATIN_READER))
    with ReadsWriter(out_dir / "real", overwrite=True) as out:
        for frame in frames:
            image = frame.load()
            results = pipeline.read(image)
            out.write(frame.path, image, results)
            reads = ", ".join(f"{r.text or '(unread)'} ({r.confidence:.2f})" for r in results) or "no plate found"
            print(f"  {frame.path.name}: labelled {frame.plates[0].text if frame.plates else '?'}; read {reads}")
    print(f"real photos -> {out_dir / 'real'}/reads.csv and annotated/")


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
