"""Stand-in detector and recogniser for testing plumbing without trained models."""

import numpy as np

from lprkit.detection.base import Detection
from lprkit.recognition.base import PlateRead


class BoxDetector:
    """Finds white or yellow rectangles by colour: enough to test the plumbing."""

    name = "boxes"
    class_names = ("plate",)

    def detect(self, images):
        out = []
        for img in images:
            img = img.astype(int)
            masks = (
                (img > 225).all(axis=2),  # white
                (img[..., 0] > 190) & (img[..., 1] > 160) & (img[..., 1] < 225) & (img[..., 2] < 80),  # yellow
            )
            dets = []
            for mask in masks:
                ys, xs = np.nonzero(mask)
                if len(xs) > 20:  # ignore stray compression pixels
                    dets.append(Detection((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1), 0.9))
            out.append(dets)
        return out


class SizeRecognizer:
    """'Reads' a crop as its width, so tests can check which crop went where."""

    name = "size"

    def __init__(self):
        self.calls = 0

    def read(self, crops):
        self.calls += 1
        return [PlateRead(str(c.shape[1]), 0.5, (0.5,)) for c in crops]


def scene(boxes):
    img = np.full((120, 200, 3), 60, np.uint8)
    for (x1, y1, x2, y2), colour in boxes:
        img[y1:y2, x1:x2] = colour
    return img
