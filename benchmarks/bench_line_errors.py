"""Where recognisers go wrong on held-out synthetic plates: one-line plates, and which line of two-line ones.

Each recogniser reads the synthetic test set of its alphabet (the plates of
:func:`lprkit.synth.dataset.generate_crops` with the given seeds, two-line plates cut in the
strip layout the recogniser was trained on, as its model card measures them) and the script
prints exact accuracy and how the wrong readings split: one-line plates, and two-line plates
with only the upper line wrong, only the lower line wrong, or both
(:func:`lprkit.recognition.metrics.two_line_errors`). Use it to compare two checkpoints on
the same plates, e.g. a re-training against the shipped one::

    python benchmarks/bench_line_errors.py --recognizers crnn-korean,PATH --seeds 52,62 [--n 1000]
"""

from __future__ import annotations

import argparse

from lprkit.checkpoints import load_recognizer
from lprkit.recognition.metrics import evaluate_recognizer, two_line_errors
from lprkit.synth.dataset import generate_crops
from lprkit.synth.styles import get_style


def line_error_row(recognizer, styles: str, seed: int, n: int) -> dict:
    """Read ``n`` test plates of ``seed`` and count the wrong ones by line."""
    images, texts, plate_styles = generate_crops(
        n, styles, size=recognizer.input_size, seed=seed, two_line_top=recognizer.two_line_top
    )
    report = evaluate_recognizer(recognizer, images, texts, plate_styles)
    reads = [row["read"] for row in report.rows]
    two = two_line_errors(texts, reads, plate_styles, recognizer.alphabet)
    one_line = [row for row in report.rows if not get_style(row["style"]).two_line]
    return {
        "recognizer": recognizer.name,
        "layout": recognizer.two_line_top,
        "seed": seed,
        "n": n,
        "exact": report.summary["exact"],
        "one-line wrong": sum(not row["correct"] for row in one_line),
        "one-line n": len(one_line),
        "two-line wrong": sum(r["wrong"] for r in two),
        "two-line n": sum(r["n"] for r in two),
        "upper only": sum(r["top_only"] for r in two),
        "lower only": sum(r["bottom_only"] for r in two),
        "other": sum(r["other"] for r in two),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recognizers", default="crnn-korean,lprnet-korean", help="names or folders")
    ap.add_argument("--styles", default="korean", help="plate styles of the test set")
    ap.add_argument("--seeds", default="52", help="test-set seeds, comma-separated")
    ap.add_argument("--n", type=int, default=1000, help="plates per seed")
    args = ap.parse_args()
    rows = []
    for spec in args.recognizers.split(","):
        recognizer = load_recognizer(spec)
        for seed in (int(s) for s in args.seeds.split(",")):
            rows.append(line_error_row(recognizer, args.styles, seed, args.n))
            print(rows[-1], flush=True)
    columns = list(rows[0])
    print("\n| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        cells = [f"{v:.1%}" if k == "exact" else str(v) for k, v in row.items()]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
