"""The default ``USER_AUTHENTICATION_RULE``."""

from __future__ import annotations

from typing import Any


def default_user_authentication_rule(user: Any) -> bool:
    """Accept a user that exists and is active (``is_active`` missing counts as active)."""
    return user is not None and bool(getattr(user, "is_active", True))
