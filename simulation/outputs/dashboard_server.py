"""The dashboard's web server: Solara's app behind a check of the ``Host`` header.

``lde-sim dashboard`` runs this module with uvicorn. A page served on 127.0.0.1 can
still be reached by a hostile web page through DNS rebinding (a name that first
points elsewhere, then at 127.0.0.1), unless the server refuses requests whose
``Host`` is not one of its own names; Starlette's ``TrustedHostMiddleware`` does that
(the allowed names come in ``LDE_SIM_ALLOWED_HOSTS``, comma-separated).
Solara reads the app to serve from ``SOLARA_APP`` when it is imported.
"""

from __future__ import annotations

import os

from solara.server.starlette import app as solara_app
from starlette.middleware.trustedhost import TrustedHostMiddleware

ALLOWED = os.environ.get("LDE_SIM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
app = TrustedHostMiddleware(solara_app, allowed_hosts=ALLOWED)
