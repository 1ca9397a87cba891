"""Which degradation costs a recogniser the most: the test set read with one left out at a time.

Each recogniser reads the same held-out synthetic plates (one seed, its own input size and
two-line layout) once as in the test set and once per condition of
:func:`lprkit.recognition.robustness.default_ablations`: every degradation the test set
applies left out on its own, the three blurs (downscale, motion, focus) together, and all of
them. The script prints exact accuracy on all plates and on two-line plates per condition
and recogniser; the rise over the first row is what that degradation costs::

    python benchmarks/bench_degradations.py --recognizers crnn-korean,lprnet-korean [--n 1000] [--seed 52]
"""

from __future__ import annotations

import argparse

from lprkit.checkpoints import load_recognizer
from lprkit.recognition.compare import format_table
from lprkit.recognition.robustness import ablation_pivot, degradation_ablation


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recognizers", default="crnn-korean,lprnet-korean", help="names or folders")
    ap.add_argument("--styles", default="korean", help="plate styles of the test set")
    ap.add_argument("--seed", type=int, default=52, help="test-set seed (the model cards' is 52)")
    ap.add_argument("--n", type=int, default=1000, help="plates per condition")
    args = ap.parse_args()

    table: dict[str, dict] = {}
    columns = ["condition"]
    for spec in args.recognizers.split(","):
        recognizer = load_recognizer(spec)
        rows = degradation_ablation(recognizer, args.styles, n=args.n, seed=args.seed, processes=1)
        pivot, layouts = ablation_pivot(rows)
        for lines in ("all", "two"):
            if lines not in layouts:
                continue
            column = f"{recognizer.name} {lines}"
            columns.append(column)
            for r in pivot:
                table.setdefault(r["condition"], {"condition": r["condition"]})[column] = r[lines]
    print(f"exact accuracy, {args.n} plates of seed {args.seed} ({args.styles}); "
          "'two': two-line plates only")  # fmt: skip
    print(format_table(list(table.values()), columns))


if __name__ == "__main__":
    main()
