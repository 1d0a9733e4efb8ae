"""Project URLs: the app, its JSON API, sign-in, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path

from provisions.views import passwords
from provisions.views.health import healthz
from provisions.views.signin import sign_in

# admin.site is provisions.admin.TreatyWatchAdminSite: verified editors only, signed in through
# the site's own sign-in (/accounts/login/ and the code step), never a form of its own.
urlpatterns = [
    path("", include("provisions.urls")),
    path("api/v1/", include("provisions.api.urls")),
    # Django's sign-in, with a second step for members who use two-factor sign-in.
    path("accounts/login/", sign_in, name="login"),
    # Django's password change and reset, which also revoke the member's API tokens; the reset
    # mail is queued for `manage.py send_outbox`, never sent during the request.
    path("accounts/password_change/", passwords.password_change, name="password_change"),
    path("accounts/password_reset/", passwords.password_reset, name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        passwords.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler400 = "provisions.views.errors.bad_request"
handler403 = "provisions.views.errors.permission_denied"
handler404 = "provisions.views.errors.not_found"
handler500 = "provisions.views.errors.server_error"
