"""lprkit.edge imports and reads plates in a process where TensorFlow and Keras cannot be imported,
and gives the same results as the Keras models it was converted from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

pytestmark = pytest.mark.slow

# Runs in the child: a meta-path hook makes every tensorflow/keras import fail first.
CHILD = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("tensorflow", "keras", "tf_keras", "tensorflow_cpu"):
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Block())
    try:
        import tensorflow  # noqa: F401
        sys.exit("tensorflow imported despite the block")
    except ImportError:
        pass

    import numpy as np
    from lprkit.edge import TFLiteDetector, TFLiteRecognizer
    from lprkit.edge.pipeline import edge_pipeline

    rec_path, det_path, crops_path, scene_path = sys.argv[1:5]
    rec = TFLiteRecognizer(rec_path, num_threads=2)
    det = TFLiteDetector(det_path, num_threads=1)
    crops = list(np.load(crops_path))
    scene = np.load(scene_path)
    reads = [r.text for r in rec.read(crops)]
    boxes = [list(d.box) for d in det.detect([scene])[0]]
    plates = [r.text for r in edge_pipeline(det, rec, classify_colour=False).read(scene)]
    blocked = [m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")]
    print(json.dumps({"reads": reads, "boxes": boxes, "plates": plates, "blocked": blocked}))
    """
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny CRNN and YOLOv4-tiny, their .tflite files and Keras reference results."""
    import keras

    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.export.parity import synthetic_crops, synthetic_scenes
    from lprkit.export.tflite import export_detector, export_recognizer
    from lprkit.models.crnn import crnn
    from lprkit.models.yolov4 import yolov4_tiny
    from lprkit.pipeline import Pipeline
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    folder = tmp_path_factory.mktemp("edge")
    keras.utils.set_random_seed(4)
    rec = KerasRecognizer(
        crnn("latin", (16, 16), filters=(8, 8, 16, 16), rnn_units=16, max_label_len=1), "latin"
    )
    det_model = yolov4_tiny(64)
    rng = np.random.default_rng(0)
    for layer in det_model.layers:  # He-normal kernels: meaningful heads, boxes above 0.3
        if layer.__class__.__name__ == "Conv2D":
            fan_in = int(np.prod(layer.kernel.shape[:-1]))
            layer.kernel.assign(rng.normal(0, np.sqrt(2 / fan_in), layer.kernel.shape))
    det = KerasDetector(det_model, 64, score_threshold=0.3)
    export_recognizer(rec, folder / "rec.tflite", "fp32")
    export_detector(det, folder / "det.tflite", "fp32")
    crops, _ = synthetic_crops(6, (64, 16), "latin", seed=2)
    scenes, _ = synthetic_scenes(1, seed=3)
    np.save(folder / "crops.npy", np.stack(crops))
    np.save(folder / "scene.npy", scenes[0])
    keras_pipe = Pipeline(det, rec, classify_colour=False)
    reference = {
        "reads": [r.text for r in rec.read(crops)],
        "boxes": [list(d.box) for d in det.detect(scenes)[0]],
        "plates": [r.text for r in keras_pipe.read(scenes[0])],
    }
    return folder, reference


def test_edge_runs_without_tensorflow_and_matches_keras(exported):
    folder, ref = exported
    files = [folder / n for n in ("rec.tflite", "det.tflite", "crops.npy", "scene.npy")]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, files)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["blocked"] == []
    assert got["reads"] == ref["reads"] and len(got["reads"]) == 6
    assert len(got["boxes"]) == len(ref["boxes"]) > 0
    np.testing.assert_allclose(got["boxes"], ref["boxes"], rtol=1e-5, atol=0.01)
    assert got["plates"] == ref["plates"] and len(got["plates"]) == len(ref["boxes"])


def test_edge_command_line_prints_one_json_line_per_image(exported, tmp_path, capsys):
    import cv2

    from lprkit.edge.pipeline import main

    folder, ref = exported
    image = tmp_path / "scene.png"
    cv2.imwrite(str(image), cv2.cvtColor(np.load(folder / "scene.npy"), cv2.COLOR_RGB2BGR))
    args = ["--detector", str(folder / "det.tflite"), "--recognizer", str(folder / "rec.tflite")]
    assert main([*args, "--threads", "1", str(image)]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert line["source"] == str(image) and line["ms"] > 0
    assert [p["text"] for p in line["plates"]] == ref["plates"]
    with pytest.raises(SystemExit):
        main(args)  # neither images nor --camera

    video = tmp_path / "clip.avi"  # --camera takes files and GStreamer pipelines too
    frame = cv2.imread(str(image))
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, frame.shape[1::-1])
    for _ in range(3):
        writer.write(frame)
    writer.release()
    assert main([*args, "--camera", str(video), "--frames", "2"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert [x["source"] for x in lines] == ["camera:0", "camera:1"]
