"""The project's errors: one base class, so a caller can catch every input problem at once.

Each subclass is a problem with what the user handed in (a file, an option, a folder),
reported as one line naming it; the command line turns any of them into exit code 2.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import installation  # noqa: F401  (refuses a foreign simulation/__init__.py with a clear message)


class LDEError(Exception):
    """Bad input or an unusable resource: a message for the user, not a bug."""


class MissingExtra(LDEError, ImportError):
    """An optional part of the package whose extra is not installed; the message names the extra."""


def require(module: str, extra: str, what: str) -> Any:
    """Import ``module`` (a dependency of the ``extra``), or say which extra ``what`` needs.

    An ``ImportError`` as well as an :class:`LDEError`: code that catches either sees it.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingExtra(
            f"{what} needs {err.name or module}, which comes with the {extra!r} extra: pip install 'lde-doorstroom[{extra}]'"
        ) from None
