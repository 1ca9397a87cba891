"""How many pixels a character needs: recognisers' accuracy against character height.

ANPR camera specifications state a smallest character height in pixels. This script prints,
for each recogniser:

1. the test set as it is (``--n`` plates of ``--seed``, the model cards' set), in bins of the
   height its smallest text line was drawn at (the top line of a two-line plate): each bin's
   share of the set, its exact accuracy and the accuracy on every plate from that height up
   (:func:`lprkit.recognition.robustness.by_char_height`);
2. the same ``--sweep-n`` plates drawn with their smallest line at each of ``--heights``
   pixels, degraded as the test set (strength 1) and clean (strength 0)
   (:func:`lprkit.recognition.robustness.size_sweep`)::

    python benchmarks/bench_char_height.py --recognizers crnn-korean,lprnet-korean [--n 1000] [--seed 52]
        [--heights 8,10,12,14,16,20,24,32,40] [--sweep-n 1000]

With a few hundred plates per height the sweep moves by a point or more from seed to seed
near the top of the curve; compare ``--sweep-seed`` values at your ``--sweep-n`` before
reading a difference between heights or models.
"""

from __future__ import annotations

import argparse

from lprkit.checkpoints import load_recognizer
from lprkit.recognition.compare import format_table
from lprkit.recognition.robustness import by_char_height, size_pivot, size_sweep


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recognizers", default="crnn-korean,lprnet-korean", help="names or folders")
    ap.add_argument("--styles", default="korean", help="plate styles of the test set")
    ap.add_argument("--seed", type=int, default=52, help="test-set seed (the model cards' is 52)")
    ap.add_argument("--n", type=int, default=1000, help="test-set plates")
    ap.add_argument("--heights", default="8,10,12,14,16,20,24,32,40", help="sweep heights in pixels")
    ap.add_argument("--sweep-n", type=int, default=1000, help="plates per sweep condition")
    ap.add_argument("--sweep-seed", type=int, default=53)
    args = ap.parse_args()
    heights = [float(h) for h in args.heights.split(",")]

    for spec in args.recognizers.split(","):
        recognizer = load_recognizer(spec)
        rows = by_char_height(recognizer, args.styles, n=args.n, seed=args.seed, processes=1)
        shown = [
            {
                **r,
                "share": _pct(r["share"]),
                "exact": _pct(r["exact"]),
                "from here up": _pct(r["exact_from_here"]),
            }
            for r in rows
        ]
        print(
            f"\n{recognizer.name}: the test set ({args.n} plates, seed {args.seed}) by smallest line height"
        )
        print(format_table(shown, ["char_height", "n", "share", "exact", "from here up"]))

        sweep = size_sweep(
            recognizer, args.styles, heights, (0.0, 1.0), n=args.sweep_n, seed=args.sweep_seed
        )
        table, columns = size_pivot(sweep)
        shown = [
            {k: _pct(v) if k.startswith("strength") else v for k, v in r.items()} for r in table
        ]
        print(
            f"\n{recognizer.name}: {args.sweep_n} plates (seed {args.sweep_seed}) drawn at each height"
        )
        print(format_table(shown, columns))


if __name__ == "__main__":
    main()
