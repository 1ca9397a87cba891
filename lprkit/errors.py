"""The package's own exception type."""


class LprkitError(Exception):
    """An error that names what is wrong and what is accepted.

    Raised for problems a user can fix (a missing font, weights file or Tesseract, an
    unreadable dataset) where neither ``ValueError`` nor ``FileNotFoundError`` fits.
    """
