"""``python -m simulation`` does what the ``lde-sim`` command does."""

import sys

from .cli import main

sys.exit(main())
