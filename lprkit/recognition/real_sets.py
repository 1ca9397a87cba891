"""The real development sets a recogniser is judged on, read in one call.

Synthetic test accuracy is a sanity check; these sets decide. Per alphabet:

* ``latin``: ``br_crops_dev`` (719 real Brazilian crops, never trained on) and the plates
  cut from the ``openalpr_eu`` photos;
* ``korean``: ``kr_crops`` (20 real crops).

Sets missing locally are skipped (no download is attempted here).
"""

from __future__ import annotations

from lprkit.errors import LprkitError


def real_dev_sets(alphabet_name: str, only: str | None = None) -> dict[str, tuple[list, list[str]]]:
    """``{set name: (crops, texts)}`` of the real development sets present for an alphabet
    (just the set ``only``, when given)."""
    from lprkit.data.folders import frame_crops
    from lprkit.data.realdata import load_kr_crops, load_openalpr_eu
    from lprkit.data.train_detector_sets import load_br_crops

    loaders = {
        "latin": {
            "br_crops_dev": lambda: _crops(load_br_crops("dev", download=False)),
            "openalpr_eu crops": lambda: frame_crops(load_openalpr_eu(download=False, progress=False)),
        },
        "korean": {"kr_crops": lambda: _crops(load_kr_crops(download=False))},
    }.get(alphabet_name, {})
    sets = {}
    for name, load in loaders.items():
        if only is not None and name != only:
            continue
        try:
            sets[name] = load()
        except (FileNotFoundError, LprkitError):
            continue
    return sets


def _crops(folder) -> tuple[list, list[str]]:
    return [c.load() for c in folder], list(folder.texts)


def measure_real_sets(recognizer, n_synthetic: int = 0, seed: int = 42, styles=None) -> dict[str, dict]:
    """Exact accuracy, CER and ms per plate of ``recognizer`` on each real development set
    of its alphabet and, with ``n_synthetic``, on that many synthetic plates (``seed``;
    ``styles`` default: the alphabet's)."""
    from lprkit.recognition.metrics import evaluate_recognizer

    out = {}
    for name, (crops, texts) in real_dev_sets(recognizer.alphabet.name).items():
        recognizer.read(crops[:8])  # untimed: the first read builds the graph
        out[name] = evaluate_recognizer(recognizer, crops, texts).summary
    if n_synthetic:
        from lprkit.recognition.recipe import measure_synthetic

        out["synthetic"] = measure_synthetic(
            recognizer, seed, styles or recognizer.alphabet.name, n_synthetic
        )
    return out
