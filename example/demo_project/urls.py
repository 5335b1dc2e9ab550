"""URL routes of the demo: jwtflow's token endpoints and two views that need a token."""

from django.urls import include, path

from demo_project.views import MeSyncView, MeView

urlpatterns = [
    path("auth/", include("jwtflow.urls")),
    path("api/me/", MeView.as_view(), name="me"),
    path("api/me-sync/", MeSyncView.as_view(), name="me-sync"),
]
