"""Test settings with three bad JWTFLOW entries, for the start-up tests in test_apps.py."""

from typing import Any

from tests import settings as _base

globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

JWTFLOW: dict[str, Any] = {
    "SIGNING_KEY": _base.TEST_SIGNING_KEY,
    "ALGORITHM": "none",
    "ACCES_TOKEN_LIFETIME": 60,
    "LEEWAY": -1,
}
