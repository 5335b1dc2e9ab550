"""The tables of the model store (:class:`~jwtflow.django.model_store.ModelBlacklistBackend`)."""

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


class TokenSession(models.Model):
    """One login (a refresh-token family): the session registry of the model store.

    See ``docs/sessions.md`` for the fields; rows stay until ``expires`` and are then pruned.
    """

    id = models.BigAutoField(primary_key=True)
    sid = models.CharField(max_length=64, unique=True)
    user_key = models.CharField(max_length=300)
    created = models.DateTimeField()
    last_refreshed = models.DateTimeField()
    expires = models.DateTimeField(db_index=True)
    generation = models.BigIntegerField(default=0)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    user_agent = models.CharField(max_length=256, blank=True)

    class Meta:
        verbose_name = "session"
        verbose_name_plural = "sessions"
        indexes = (models.Index(fields=["user_key", "-created"], name="jwtflow_session_user"),)

    def __str__(self) -> str:
        """Return the session id."""
        return self.sid


class LogoutAll(models.Model):
    """A user's logout-all time: sessions and tokens from before it are refused."""

    user_key = models.CharField(max_length=300, primary_key=True)
    not_before = models.DateTimeField()
    keep_until = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "logout-all time"
        verbose_name_plural = "logout-all times"

    def __str__(self) -> str:
        """Return the user key."""
        return self.user_key
