"""URL patterns of the endpoints; include them with ``include("jwtflow.urls")``."""

from __future__ import annotations

from django.urls import path

from jwtflow.drf import endpoints, jwks, sessions

app_name = "jwtflow"

urlpatterns = [
    path("token/", endpoints.TokenObtainView.as_view(), name="token_obtain"),
    path("token/refresh/", endpoints.TokenRefreshView.as_view(), name="token_refresh"),
    path("token/verify/", endpoints.TokenVerifyView.as_view(), name="token_verify"),
    path("token/blacklist/", endpoints.TokenBlacklistView.as_view(), name="token_blacklist"),
    path(".well-known/jwks.json", jwks.JWKSView.as_view(), name="jwks"),
    path("logout-all/", sessions.LogoutAllView.as_view(), name="logout_all"),
    path("sessions/", sessions.SessionListView.as_view(), name="sessions"),
    path("sessions/<str:sid>/", sessions.SessionView.as_view(), name="session"),
]
