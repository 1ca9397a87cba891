"""Upload an image in the notebook and read its plates.

The logic is :func:`read_uploaded` (bytes in, annotated image and rows out), a plain function
that tests call without a browser; :func:`upload_panel` only wires it to an ipywidgets
``FileUpload`` and an ``Output``.
"""

from __future__ import annotations

import io

import numpy as np

from lprkit.errors import LprkitError

ACCEPTED = "PNG, JPEG, BMP, TIFF, WebP or GIF"


def decode_image(data: bytes | bytearray | memoryview, name: str = "uploaded file") -> np.ndarray:
    """Decode image file bytes into an RGB uint8 ``(H, W, 3)`` array.

    Raises
    ------
    LprkitError
        For empty bytes or bytes that are not an image Pillow can decode, naming ``name``.
    """
    from PIL import Image, UnidentifiedImageError

    data = bytes(data)
    if not data:
        raise LprkitError(f"{name} is empty: upload an image file ({ACCEPTED})")
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    except UnidentifiedImageError:
        why = "not an image format Pillow knows"
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt image data
        why = f"a damaged image ({exc})"
    head = data[:8].hex(" ")
    raise LprkitError(
        f"{name} ({len(data)} bytes, starting {head}) is not an image that can be read: "
        f"{why}; accepted: {ACCEPTED}"
    )


def png_bytes(image: np.ndarray) -> bytes:
    """Encode an RGB uint8 image as PNG bytes."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(image, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def read_uploaded(
    data: bytes | bytearray | memoryview, pipeline, name: str = "uploaded file"
) -> tuple[np.ndarray, list[dict]]:
    """Read the plates in uploaded image bytes.

    Parameters
    ----------
    data
        The file's bytes (ipywidgets ``FileUpload`` gives a ``memoryview``).
    pipeline
        A :class:`lprkit.pipeline.Pipeline` (anything with ``read(image)`` returning
        :class:`~lprkit.pipeline.PlateResult` s).
    name
        The file name, for error messages.

    Returns
    -------
    tuple
        The image with boxes and reads drawn on it, and one ``PlateResult.as_dict()`` row per
        plate.

    Raises
    ------
    LprkitError
        When the bytes are not an image (see :func:`decode_image`).
    """
    from lprkit.pipeline import draw_results

    image = decode_image(data, name)
    results = pipeline.read(image)
    return draw_results(image, results), [r.as_dict() for r in results]


def upload_panel(pipeline, max_width: int = 640):
    """An ipywidgets panel: pick an image, see it annotated with the plates read.

    Returns
    -------
    ipywidgets.VBox
        The panel; its ``upload`` and ``output`` attributes are the two widgets and
        ``on_upload`` the callback (``on_upload({"new": files})``, for tests).
    """
    import ipywidgets as widgets
    from IPython.display import Image, display

    upload = widgets.FileUpload(accept="image/*", multiple=False, description="Image")
    output = widgets.Output()

    def on_upload(change) -> None:
        with output:
            output.clear_output()
            for f in change["new"]:
                try:
                    annotated, rows = read_uploaded(f["content"], pipeline, f["name"])
                except LprkitError as exc:
                    print(f"error: {exc}")
                    continue
                display(Image(png_bytes(annotated), width=min(max_width, annotated.shape[1])))
                for row in rows or [{"text": "(no plate found)"}]:
                    print(row)

    upload.observe(on_upload, names="value")
    panel = widgets.VBox([widgets.HTML("<b>Upload a photo to read its plates</b>"), upload, output])
    panel.upload, panel.output, panel.on_upload = upload, output, on_upload
    return panel
