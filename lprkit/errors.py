"""The package's own exception types.

A mistake a user can fix raises :class:`LprkitError` (or a subclass); the ``lprkit`` command
prints its first line and exits with code 2. Anything else is a bug and keeps its traceback.
"""


class LprkitError(Exception):
    """An error that names what is wrong and what is accepted.

    Raised for problems a user can fix (a missing font, weights file or Tesseract, an
    unreadable dataset, a value out of range).
    """


class InputError(LprkitError, ValueError):
    """A value the user gave (an argument, an option, a field in a file) is not accepted.

    Also a ``ValueError``, so code that catches ``ValueError`` keeps working.
    """
