"""URLs of the test project."""

from django.urls import include, path

from tests.testapp import views

urlpatterns = [
    path("auth/", include("jwtflow.urls")),
    path("api/me/", views.MeAsync.as_view()),
    path("api/me-sync/", views.MeSync.as_view()),
    path("api/me-adrf/", views.MeAdrf.as_view()),
]
