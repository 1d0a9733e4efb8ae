"""Project URLs: the app, its JSON API, sign-in, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path

from provisions.views.health import healthz

urlpatterns = [
    path("", include("provisions.urls")),
    path("api/v1/", include("provisions.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler404 = "provisions.views.errors.not_found"
handler500 = "provisions.views.errors.server_error"
