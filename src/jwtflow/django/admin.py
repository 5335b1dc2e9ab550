"""A read-only Django admin for sessions, with one action: end the selected sessions.

Loaded by ``django.contrib.admin``'s autodiscovery when the admin is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from jwtflow.django.models import TokenSession

# ModelAdmin is generic for the type checker only (Django does not subscript it at run time).
if TYPE_CHECKING:
    SessionModelAdmin = admin.ModelAdmin[TokenSession]
else:
    SessionModelAdmin = admin.ModelAdmin


@admin.register(TokenSession)
class TokenSessionAdmin(SessionModelAdmin):
    """Sessions as the model store keeps them; nothing is edited, a session is only ended."""

    list_display = ("sid", "user_key", "created", "last_refreshed", "expires", "revoked")
    list_filter = ("revoked",)
    search_fields = ("=sid", "=user_key")
    ordering = ("-created",)
    actions = ("end_sessions",)
    readonly_fields = (
        "sid",
        "user_key",
        "created",
        "last_refreshed",
        "expires",
        "generation",
        "rotated_at",
        "revoked",
        "user_agent",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Sessions start at login only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Session rows are the store's; the admin ends them with the action instead."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Deleting would not end a session more than the action does; pruning deletes rows."""
        return False

    @admin.action(description="End the selected sessions")
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[TokenSession]) -> None:
        """Revoke the selected live sessions: their tokens are refused from the next request."""
        ended = queryset.filter(revoked=False, expires__gt=timezone.now()).update(revoked=True)
        self.message_user(request, f"Ended {ended} session(s).")
