"""Subcommands of the ``lprkit`` command line, one module each (see :mod:`lprkit.cli`)."""
