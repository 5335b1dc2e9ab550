"""The default USER_AUTHENTICATION_RULE."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from jwtflow.memory import MemoryUser
from jwtflow.rules import default_user_authentication_rule


@pytest.mark.parametrize(
    ("user", "accepted"),
    [
        (None, False),
        (MemoryUser(1, "alice", "pw"), True),
        (MemoryUser(2, "bob", "pw", is_active=False), False),
        (SimpleNamespace(), True),
        (SimpleNamespace(is_active=0), False),
        (SimpleNamespace(is_active=1), True),
    ],
)
def test_default_rule_accepts_existing_active_users(user: Any, accepted: bool) -> None:
    assert default_user_authentication_rule(user) is accepted
