"""The light path: shipped checkpoints carry a LiteRT file that reads without TensorFlow (a child
process where importing TensorFlow fails runs ``lprkit.read`` and ``lprkit predict --json -``),
the files are recorded and small, and each model card's front matter holds the JSON's figures."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

from lprkit import checkpoints
from lprkit.export.shipped import LIGHT_PRECISION, MANIFEST, light_file_name

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted(LIGHT_PRECISION)
#: What the light files may add to the package, all together.
LIGHT_BUDGET_BYTES = 25_000_000


@pytest.mark.parametrize("name", SHIPPED)
def test_each_production_checkpoint_ships_its_recorded_light_file(name):
    folder = checkpoints.SHIPPED_DIR / name
    record = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["litert"]
    file = folder / record["file"]
    assert record["file"] == light_file_name(LIGHT_PRECISION[name])
    assert checkpoints.edge_files(folder)["litert"] == file
    assert file.stat().st_size == record["bytes"]
    assert hashlib.sha256(file.read_bytes()).hexdigest() == record["sha256"]
    parity = record["parity"]["synthetic"]
    assert parity["precision"] == LIGHT_PRECISION[name] and parity["n"] > 0
    assert parity["agreement"] >= 0.95  # the light file reads (or finds) what Keras does


def test_light_files_stay_within_the_size_budget():
    total = sum(f.stat().st_size for f in checkpoints.SHIPPED_DIR.glob("*/model*.tflite"))
    total += sum(f.stat().st_size for f in checkpoints.SHIPPED_DIR.glob("*/model*.onnx"))
    assert 0 < total <= LIGHT_BUDGET_BYTES


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_light_file_loads_by_name_with_the_checkpoints_settings(name):
    from lprkit.edge import EdgeDetector, EdgeRecognizer

    kind = checkpoints.checkpoint_kind(checkpoints.resolve(name))
    if kind == "recognizer":
        model = checkpoints.load_recognizer(name, backend="litert")
        meta = json.loads((checkpoints.SHIPPED_DIR / name / "meta.json").read_text(encoding="utf-8"))
        assert isinstance(model, EdgeRecognizer) and model.alphabet.name == meta["alphabet"]
        assert model.two_line == "best" and model.name == name
    else:
        model = checkpoints.load_detector(name, backend="litert")
        meta = json.loads((checkpoints.SHIPPED_DIR / name / "detector.json").read_text(encoding="utf-8"))
        assert isinstance(model, EdgeDetector) and model.score_threshold == meta["score_threshold"]
    assert model.precision == LIGHT_PRECISION[name]


# The child: importing tensorflow or keras fails, as in a light install; then the one-line API
# and the command line read a scene, and the child says whether TensorFlow got imported.
CHILD = textwrap.dedent(
    """
    import contextlib, importlib.abc, io, json, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("tensorflow", "keras", "tf_keras", "tensorflow_cpu"):
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Block())
    import lprkit
    from lprkit import cli

    image = sys.argv[1]
    plates = lprkit.read(image, region="latin", min_confidence=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["predict", image, "--recognizer", "crnn-latin", "--out", sys.argv[2],
                         "--min-confidence", "0", "--json", "-"])
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"tensorflow", "keras"})
    print(json.dumps({"plates": [[p.text, list(p.box)] for p in plates], "code": code,
                      "line": out.getvalue().strip().splitlines()[-1], "heavy": heavy}))
    """
)


@pytest.mark.slow
def test_reading_without_tensorflow(tmp_path):
    from PIL import Image

    from lprkit.export.parity import synthetic_scenes

    scenes, boxes = synthetic_scenes(1, "europe", seed=5)
    image = tmp_path / "scene.png"
    Image.fromarray(scenes[0]).save(image)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(image), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["heavy"] == [], f"the light path imported {got['heavy']}"
    assert got["code"] == 0 and got["plates"], got
    record = json.loads(got["line"])
    assert record["schema"].startswith("lprkit.reads/") and record["plates"]
    assert [p["text"] for p in record["plates"]] == [t for t, _ in got["plates"]]
    # the plate the scene holds is among the boxes found
    from lprkit.detection.postprocess import box_iou

    found = np.array([b for _, b in got["plates"]], np.float32)
    assert box_iou(boxes[0], found).max() > 0.5


@pytest.mark.parametrize("name", [*SHIPPED, "yolov4-tiny-drawn"])
def test_card_front_matter_parses_and_copies_the_json(name):
    from lprkit.model_cards import front_matter, split_front_matter

    text = (checkpoints.SHIPPED_DIR / name / "card.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    data = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
    assert data == checkpoints.card_metadata(name)
    assert data["library_name"] == "lprkit" and data["license"] == "mit"
    assert data["datasets"] and set(data["datasets"]) == set(data["dataset_licenses"])
    body = checkpoints.model_card(name)
    assert body.startswith(f"# {name}\n") and "---" not in body.splitlines()[0]
    # regenerated from the JSON now, it is what the card holds: no figure was typed by hand
    assert front_matter(checkpoints.SHIPPED_DIR / name, body) == data
    assert split_front_matter(text) == (data, body)


def test_card_metrics_equal_the_checkpoint_json():
    meta = json.loads((checkpoints.SHIPPED_DIR / "crnn-latin" / "meta.json").read_text(encoding="utf-8"))
    results = checkpoints.card_metadata("crnn-latin")["model-index"][0]["results"]
    by_set = {r["dataset"]["name"]: {m["name"]: m["value"] for m in r["metrics"]} for r in results}
    syn = meta["training"]["metrics"]["synthetic"]
    assert by_set[f"synthetic test (seed {syn['seed']})"] == {"exact": syn["exact"], "cer": syn["cer"]}
    real = meta["training"]["metrics"]["real_sets"]["br_crops_dev"]
    assert by_set["real: br_crops_dev"] == {"exact": real["exact"], "cer": real["cer"]}

    training = json.loads((checkpoints.SHIPPED_DIR / "yolov4-tiny-plates" / "training.json").read_text(encoding="utf-8"))
    results = checkpoints.card_metadata("yolov4-tiny-plates")["model-index"][0]["results"]
    real = next(r for r in results if r["dataset"]["name"] == "real: openalpr_eu")
    assert {m["name"]: m["value"] for m in real["metrics"]} == {
        "mAP@0.5": training["real_openalpr_eu"]["map50"],
        "mAP@0.5:0.95": training["real_openalpr_eu"]["map50_95"],
        "precision": training["real_openalpr_eu"]["precision"],
        "recall": training["real_openalpr_eu"]["recall"],
    }
    assert real["dataset"]["type"] == "openalpr/benchmarks"
    assert checkpoints.card_metadata("yolov4-tiny-plates")["dataset_licenses"]["openalpr/train-detector"] == "AGPL-3.0"


def test_front_matter_round_trip_and_errors(tmp_path):
    from lprkit.errors import LprkitError
    from lprkit.model_cards import render_front_matter, split_front_matter

    data = {"license": "mit", "tags": ["a", "b"], "model-index": [{"name": "x", "results": []}]}
    assert split_front_matter(render_front_matter(data) + "# x\n") == (data, "# x\n")
    assert split_front_matter("# no front matter\n") == ({}, "# no front matter\n")
    with pytest.raises(LprkitError, match="never closes"):
        split_front_matter("---\nlicense: mit\n# x\n")
    with pytest.raises(LprkitError, match="not a YAML mapping"):
        split_front_matter("---\n- a\n---\n# x\n")


def test_a_command_needing_an_extra_says_which(monkeypatch, capsys):
    """In the light install a command that needs TensorFlow (or Tesseract's wrapper …) ends
    with one line naming the extra to install, not a traceback."""
    import lprkit.commands.info as info
    from lprkit import cli

    def needs_tensorflow(args):
        raise ModuleNotFoundError("No module named 'tensorflow'", name="tensorflow")

    monkeypatch.setattr(info, "run", needs_tensorflow)
    assert cli.main(["info"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["lprkit info: error: this needs tensorflow, which this install lacks: "
                   "pip install 'lprkit[train]' (reading plates needs no extra: see --backend)"]

    def bug(args):
        raise ModuleNotFoundError("No module named 'lprkit.nosuch'", name="lprkit.nosuch")

    monkeypatch.setattr(info, "run", bug)
    with pytest.raises(ModuleNotFoundError):
        cli.main(["info"])
