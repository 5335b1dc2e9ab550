"""The Redis store (the ``redis`` extra): sessions and the ``jti`` blacklist in Redis (Cluster).

It needs no framework; ``import jwtflow`` does not import it (nor redis-py).
"""

from __future__ import annotations

from jwtflow.redis.store import RedisBlacklistBackend

__all__ = ["RedisBlacklistBackend"]
