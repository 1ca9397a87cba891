import numpy as np
import pytest

from lprkit.rectify import crop_box, expand_box, order_corners, rectify_corners


def test_expand_box_margin_and_clip():
    assert expand_box((10, 20, 30, 30), 0.1, 100, 100) == (8, 19, 32, 31)
    assert expand_box((0, 0, 50, 10), 0.5, 60, 12) == (0, 0, 60, 12)
    with pytest.raises(ValueError, match="empty"):
        expand_box((5, 5, 5, 9), 0.1, 10, 10)


def test_crop_box_takes_the_right_pixels():
    img = np.zeros((50, 80, 3), np.uint8)
    img[10:20, 30:60] = 200
    crop = crop_box(img, (30, 10, 60, 20), margin=0)
    assert crop.shape == (10, 30, 3) and (crop == 200).all()
    with pytest.raises(ValueError, match="outside"):
        crop_box(img, (100, 100, 120, 110))
    with pytest.raises(ValueError, match=r"shape \(H, W, 3\)"):
        crop_box(img[..., 0], (0, 0, 5, 5))
    with pytest.raises(ValueError, match="uint8"):
        crop_box(img.astype(np.float32), (0, 0, 5, 5))


def test_order_corners_any_order():
    pts = np.array([[10, 2], [0, 0], [0, 5], [10, 7]], np.float32)
    assert order_corners(pts).tolist() == [[0, 0], [10, 2], [10, 7], [0, 5]]


def test_rectify_undoes_a_known_perspective():
    import cv2

    plate = np.zeros((40, 160, 3), np.uint8)
    plate[:, :80] = (255, 0, 0)
    plate[:, 80:] = (0, 0, 255)
    dst = np.array([[50, 40], [230, 60], [220, 110], [45, 95]], np.float32)
    src = np.array([[0, 0], [159, 0], [159, 39], [0, 39]], np.float32)
    frame = cv2.warpPerspective(plate, cv2.getPerspectiveTransform(src, dst), (300, 160))
    out = rectify_corners(frame, dst[[2, 0, 3, 1]], out_size=(160, 40))
    assert out.shape == (40, 160, 3)
    # left half red, right half blue, away from the seam and the edges
    assert out[5:35, 10:70, 0].mean() > 200 and out[5:35, 10:70, 2].mean() < 50
    assert out[5:35, 90:150, 2].mean() > 200 and out[5:35, 90:150, 0].mean() < 50
