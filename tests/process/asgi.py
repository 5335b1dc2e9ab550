"""The test project as an ASGI application for uvicorn, on :mod:`tests.process.settings`."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.process.settings")
application = get_asgi_application()
