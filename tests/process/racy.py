"""A deliberately broken store: check, pause, then write. It proves the race harness can fail."""

from __future__ import annotations

import time
from datetime import datetime

from jwtflow.django.stores import ModelBlacklistBackend
from jwtflow.records import Rotation, RotationOutcome, TokenCheck

#: Long enough for every released racer to pass the check before the first one writes.
PAUSE_SECONDS = 0.3


class RacyBlacklistBackend(ModelBlacklistBackend):
    """The model store with check-then-write consumption: not atomic, on purpose."""

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Answer True to everyone who checks before the first write lands."""
        if self.is_blacklisted(jti):
            return False
        time.sleep(PAUSE_SECONDS)
        super().blacklist(jti, expires_at=expires_at)
        return True

    def rotate_session(
        self,
        sid: str,
        user_key: str,
        generation: int,
        *,
        now: datetime,
        grace_seconds: float,
        expires: datetime,
    ) -> Rotation:
        """Answer ROTATED to everyone who finds the generation current before the first write."""
        check = TokenCheck(user_key, sid, now.timestamp(), now, generation=generation)
        if not self.check_token(check):
            return Rotation(RotationOutcome.ENDED)
        time.sleep(PAUSE_SECONDS)
        super().rotate_session(
            sid, user_key, generation, now=now, grace_seconds=grace_seconds, expires=expires
        )
        return Rotation(RotationOutcome.ROTATED, generation + 1)
