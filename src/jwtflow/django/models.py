"""The blacklist table used by :class:`~jwtflow.django.stores.ModelBlacklistBackend`."""

from __future__ import annotations

from django.db import models


class BlacklistedToken(models.Model):
    """A revoked token's ``jti``, kept until the token would have expired anyway."""

    id = models.BigAutoField(primary_key=True)
    jti = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    blacklisted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "blacklisted token"
        verbose_name_plural = "blacklisted tokens"

    def __str__(self) -> str:
        """Return the ``jti``."""
        return self.jti
