"""``lprkit demo``: show the course's end result on sample images.

Until the full pipeline ships its checkpoints, the demo checks the environment and renders
one synthetic plate of every registered style into ``OUT/plates.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the course's end result on sample images",
        description="Check the environment and render one synthetic plate of every style.",
    )
    p.add_argument(
        "--out", type=Path, default=Path("demo_out"), help="output folder (default: demo_out)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lprkit.info import environment_report

    checks = environment_report()
    missing = [c for c in checks if c.required and not c.ok]
    print(
        f"environment: {len(checks) - len(missing)}/{len(checks)} checks ok"
        + (
            f"; missing {', '.join(c.name for c in missing)} (run `lprkit info` for fixes)"
            if missing
            else ""
        )
    )
    path, texts = render_style_sheet(args.out, args.seed)
    for style, text in texts:
        print(f"  {style:<24} {text}")
    print(f"wrote {path}")
    return 0


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
