"""Conversions between jwtflow's records and what the Redis store keeps and answers."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from jwtflow.records import Rotation, RotationOutcome, Session, TokenCheck

#: The session hash fields read back, in the order :func:`live_sessions` unpacks them.
FIELDS = (
    "created",
    "last_refreshed",
    "expires",
    "generation",
    "rotated_at",
    "revoked",
    "user_agent",
)


def seconds(moment: datetime) -> str:
    """A time as the float seconds string the scripts compare."""
    return repr(moment.timestamp())


def moment(seconds: str | None) -> datetime | None:
    """The inverse of :func:`seconds`, None staying None."""
    return None if seconds is None else datetime.fromtimestamp(float(seconds), UTC)


def lapsed(sids: list[str], rows: list[list[Any]]) -> list[str]:
    """The ids of the index whose session hash has expired."""
    return [sid for sid, row in zip(sids, rows, strict=True) if row[0] is None]


def rotation(answer: list[Any]) -> Rotation:
    """The rotate script's ``{outcome, generation}`` as a :class:`Rotation`."""
    return Rotation(RotationOutcome(answer[0]), int(answer[1]))


def alive(check: TokenCheck, answer: Any) -> bool:
    """The check script's answer, or for a sessionless token the logout-all time read."""
    if check.sid is not None:
        return bool(answer)
    return answer is None or check.issued_at >= float(answer)


def live_sessions(
    user_key: str, sids: list[str], rows: list[list[Any]], cutoff: str | None, now: datetime
) -> list[Session]:
    """Sessions that exist, are not revoked or expired, and started after the cut-off."""
    floor = float(cutoff) if cutoff is not None else -math.inf
    found = []
    for sid, row in zip(sids, rows, strict=True):
        created, refreshed, expires, generation, rotated_at, revoked, agent = row
        if created is None or revoked == "1" or float(expires) <= now.timestamp():
            continue
        if float(created) < floor:
            continue
        found.append(
            Session(
                sid=sid,
                user_key=user_key,
                created=datetime.fromtimestamp(float(created), UTC),
                last_refreshed=datetime.fromtimestamp(float(refreshed), UTC),
                expires=datetime.fromtimestamp(float(expires), UTC),
                generation=int(generation),
                rotated_at=moment(rotated_at),
                user_agent=agent or "",
            )
        )
    return found
