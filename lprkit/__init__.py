"""lprkit: licence-plate detection and recognition, taught step by step.

Importing the package is cheap: TensorFlow, OpenCV and other heavy libraries are imported
inside the modules that need them, never here. ``lprkit.read("car.jpg")`` reads plates with
the shipped models; ``lprkit.Reader(region=...)`` keeps them loaded (see :mod:`lprkit.reader`).
"""

from lprkit.errors import LprkitError

__version__ = "0.1.0"

__all__ = ["LprkitError", "Reader", "__version__", "read"]


def __getattr__(name: str):
    # lazily, so that `import lprkit` stays light (the reader imports the pipeline)
    if name in ("read", "Reader"):
        from lprkit import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'lprkit' has no attribute {name!r}")
