"""Is the installed ``simulation`` package this one?

The package's import name, ``simulation`` (the design card's layout), is also the name of an
unrelated distribution on PyPI: ``pip install simulation`` writes its own
``simulation/__init__.py`` over this one, and imports then fail in ways that do not say why.
:func:`check` runs when the package's modules are imported and refuses, with a message that
names the distribution responsible and how to repair the installation, a ``simulation``
package whose ``__init__`` is not lde-doorstroom's; ``lde-sim --version`` also names every
other distribution that installs files under ``simulation/``.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import packages_distributions, version
from typing import Any

DISTRIBUTION = "lde-doorstroom"


def sharing() -> list[str]:
    """Other installed distributions that put files into a top-level ``simulation`` package."""
    return sorted({name for name in packages_distributions().get("simulation", []) if name.lower() != DISTRIBUTION})


def check() -> None:
    """Refuse a ``simulation`` package whose ``__init__`` another distribution wrote over this one's."""
    package = sys.modules.get("simulation")
    if package is None or getattr(package, "__distribution__", None) == DISTRIBUTION:
        return
    others = sharing()
    culprit = f"the distribution {' and '.join(others)}" if others else "another package named simulation"
    raise ImportError(
        f"{getattr(package, '__file__', 'simulation')} is not lde-doorstroom's: {culprit} installed a "
        f"'simulation' package over it (the same top-level name). Repair: pip uninstall {' '.join(others) or 'THAT-PACKAGE'} "
        f"&& pip install --force-reinstall {DISTRIBUTION}"
    )


class ShowVersion(argparse.Action):
    """``--version``: the version, and any other distribution sharing the ``simulation`` package."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        try:
            text = f"{parser.prog} {version(DISTRIBUTION)}"
        except ImportError:
            text = f"{parser.prog} 0.0.0+unknown (not installed)"
        others = sharing()
        if others:
            text += (
                f"\nwarning: {', '.join(others)} also install(s) files into the 'simulation' package; installing or "
                f"upgrading it overwrites this package's files (pip uninstall {' '.join(others)})"
            )
        print(text)  # on standard output, as argparse's own version action does
        parser.exit()


check()
