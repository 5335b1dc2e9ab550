"""The values the session store keeps and answers: sessions, token checks, rotations.

Pure data, shared by the ports, the effects and the policies; see ``docs/sessions.md``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

#: Longest User-Agent a session keeps; longer ones are cut (it is shown, never trusted).
MAX_USER_AGENT_LENGTH = 256


def user_key(user_id: str | int) -> str:
    """The store key of a user id claim: typed, so the id 42 and the username "42" differ."""
    return f"i:{user_id}" if isinstance(user_id, int) else f"s:{user_id}"


@dataclass(frozen=True)
class Session:
    """The server's record of one login (a refresh-token family).

    Times are aware UTC datetimes. ``generation`` counts rotations: the refresh token that may
    be consumed next carries it (claim ``gen``). ``rotated_at`` is when it last advanced, for
    ``REUSE_GRACE_PERIOD``. ``expires`` is when the session ends by itself.
    """

    sid: str
    user_key: str
    created: datetime
    last_refreshed: datetime
    expires: datetime
    generation: int = 0
    rotated_at: datetime | None = None
    revoked: bool = False
    user_agent: str = ""


@dataclass(frozen=True)
class TokenCheck:
    """The revocation question asked for a token on every request, answered in one round trip.

    A token is alive when the user's logout-all time (if any) does not refuse it and, with a
    ``sid``, its session exists for ``user_key``, is not revoked, has not expired at ``now``, was
    created at or after the logout-all time and (when ``generation`` is given) is at that
    generation. Without a ``sid`` (a sessionless token) only ``issued_at`` (the ``iat``) is
    compared with the logout-all time: ``issued_at >= not_before``.
    """

    user_key: str
    sid: str | None
    issued_at: float
    now: datetime
    generation: int | None = None


class RotationOutcome(enum.Enum):
    """What consuming a refresh token did to its session."""

    #: The presented generation was current: the session advanced to the next one.
    ROTATED = "rotated"
    #: The generation just rotated away, within the grace period: nothing advanced.
    GRACE = "grace"
    #: An older generation (reuse): the session was revoked in the same atomic step.
    REUSED = "reused"
    #: No live session: unknown, of another user, revoked, expired or before logout-all.
    ENDED = "ended"


@dataclass(frozen=True)
class Rotation:
    """The answer of :meth:`BlacklistBackend.rotate_session`.

    ``generation`` is the one the new refresh token must carry (ROTATED, GRACE); 0 otherwise.
    """

    outcome: RotationOutcome
    generation: int = 0
