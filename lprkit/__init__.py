"""lprkit: licence-plate detection and recognition, taught step by step.

Importing the package is cheap: TensorFlow, OpenCV and other heavy libraries are imported
inside the modules that need them, never here.
"""

from lprkit.errors import LprkitError

__version__ = "0.1.0"

__all__ = ["LprkitError", "__version__"]
