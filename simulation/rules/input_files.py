"""Reading the files a user hands in (scenarios, targets, ensembles): bounded in size, and with
errors that say what to do, never a traceback.

A scenario or targets file is a few kilobytes, an ensemble a few hundred rows: a file far
larger (``--ensemble /dev/zero``) is refused after reading just past the limit, instead of
filling the memory. A path that cannot name a file (a NUL byte, a name longer than the
system allows) and TOML nested too deeply to read are input errors too.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import Any

#: Largest scenario or targets file read (the shipped ones are below 20 kB).
MAX_TOML_BYTES = 2**20
#: Largest ensemble file read (500 members of a few hundred bytes each fit many times over).
MAX_CSV_BYTES = 16 * 2**20


def read_bounded(path: Path, limit: int, what: str, error: type[Exception]) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them; otherwise ``error`` with a one-line message."""
    try:
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except ValueError:  # a NUL byte in the path
        raise error(f"{what} {str(path)!r}: not a usable file name (it contains a NUL byte)") from None
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except OSError as err:
        raise error(f"{str(path)[:200]}: {what} cannot be read: {err.strerror}") from None
    if len(data) > limit:
        raise error(f"{path}: larger than {limit // 2**20} MB, far more than any {what}; check that it is the right file")
    return data


def read_toml(path: Path, what: str, error: type[Exception]) -> dict[str, Any]:
    """A TOML file read with :func:`read_bounded`; its syntax, encoding or nesting errors as ``error``."""
    data = read_bounded(path, MAX_TOML_BYTES, what, error)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise error(f"{path}: not a UTF-8 text file: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path}: not valid TOML: {err}") from None
    except RecursionError:
        raise error(f"{path}: not a {what}: its tables or lists are nested too deeply to read") from None


def csv_stream(path: Path, what: str, error: type[Exception]) -> io.BytesIO:
    """A CSV file read with :func:`read_bounded`, as a stream for pandas."""
    return io.BytesIO(read_bounded(path, MAX_CSV_BYTES, what, error))
