"""A deliberately broken store: check, pause, then write. It proves the race harness can fail."""

from __future__ import annotations

import time
from datetime import datetime

from jwtflow.django.stores import ModelBlacklistBackend

#: Long enough for every released racer to pass the check before the first one writes.
PAUSE_SECONDS = 0.3


class RacyBlacklistBackend(ModelBlacklistBackend):
    """The model store with a check-then-write ``blacklist``: not atomic, on purpose."""

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Answer True to everyone who checks before the first write lands."""
        if self.is_blacklisted(jti):
            return False
        time.sleep(PAUSE_SECONDS)
        super().blacklist(jti, expires_at=expires_at)
        return True
