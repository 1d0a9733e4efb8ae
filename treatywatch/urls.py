"""Project URLs: the app, its JSON API, sign-in, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from provisions.views.health import healthz
from provisions.views.signin import sign_in

# The admin opens only for sessions verified with a second factor (its own sign-in form asks
# for a code); the models registered on admin.site stay registered.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("provisions.urls")),
    path("api/v1/", include("provisions.api.urls")),
    # Django's sign-in, with a second step for members who use two-factor sign-in.
    path("accounts/login/", sign_in, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler400 = "provisions.views.errors.bad_request"
handler403 = "provisions.views.errors.permission_denied"
handler404 = "provisions.views.errors.not_found"
handler500 = "provisions.views.errors.server_error"
