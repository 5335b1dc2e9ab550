"""``include("jwtflow.urls")``: token/, token/refresh/, token/verify/, token/blacklist/."""

from jwtflow.drf.urls import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
