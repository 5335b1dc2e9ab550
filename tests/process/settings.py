"""Settings of the OS processes that the process-level tests start (workers, uvicorn).

They are the test settings with the values in ``JWTFLOW_PROCESS_SETTINGS`` (a JSON object such
as ``{"DATABASES": ..., "JWTFLOW": ...}``) put over them, so that a child process talks to the
parent test's database and stores.
"""

from __future__ import annotations

import json
import os

from tests.settings import *  # noqa: F403

globals().update(json.loads(os.environ.get("JWTFLOW_PROCESS_SETTINGS", "{}")))

# A 500 in a child process is logged to its stderr, which the tests show when they fail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
