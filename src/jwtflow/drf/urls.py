"""URL patterns of the token endpoints; include them with ``include("jwtflow.urls")``."""

from __future__ import annotations

from django.urls import path

from jwtflow.drf import views

app_name = "jwtflow"

urlpatterns = [
    path("token/", views.TokenObtainView.as_view(), name="token_obtain"),
    path("token/refresh/", views.TokenRefreshView.as_view(), name="token_refresh"),
    path("token/verify/", views.TokenVerifyView.as_view(), name="token_verify"),
    path("token/blacklist/", views.TokenBlacklistView.as_view(), name="token_blacklist"),
]
