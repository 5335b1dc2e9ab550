"""The demo's settings, signing with an Ed25519 key ring so it publishes a JWKS (for the Node test).

The key is the PEM file named by ``JWTFLOW_E2E_SIGNING_KEY_FILE``.
"""

import os
from pathlib import Path

from demo_project.settings import *  # noqa: F403

# The demo's JWTFLOW holds strings only; mypy would hold this dict to that type.
JWTFLOW = {
    "SIGNING_KEYS": [  # type: ignore[dict-item]
        {
            "alg": "EdDSA",
            "key": Path(os.environ["JWTFLOW_E2E_SIGNING_KEY_FILE"]),
            "kid": "e2e-ed25519",
        }
    ],
}
