"""Project URLs: the app, its JSON API, sign-in, the admin and the health check.

The app's pages are language-prefixed (/fr/convention/articles/24/) for every language but
English, which stays at the unprefixed addresses: existing links keep working and an unprefixed
address is always English, whatever the visitor's Accept-Language or language cookie
(docs/translations.md). Sign-in and the password pages are prefixed too (/fr/accounts/login/), so
a reader who chose a language signs in in it. The API, the health check and the admin are not
prefixed and speak English.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from provisions.views import passwords
from provisions.views.health import healthz
from provisions.views.signin import sign_in

# admin.site is provisions.admin.TreatyWatchAdminSite: verified editors only, signed in through
# the site's own sign-in (/accounts/login/ and the code step), never a form of its own.
urlpatterns = [
    *i18n_patterns(
        path("", include("provisions.urls")),
        # Django's sign-in, with a second step for members who use two-factor sign-in.
        path("accounts/login/", sign_in, name="login"),
        # Django's password change and reset, which also revoke the member's API tokens; the
        # reset mail is queued for `manage.py send_outbox`, never sent during the request.
        path("accounts/password_change/", passwords.password_change, name="password_change"),
        path("accounts/password_reset/", passwords.password_reset, name="password_reset"),
        path(
            "accounts/reset/<uidb64>/<token>/",
            passwords.password_reset_confirm,
            name="password_reset_confirm",
        ),
        path("accounts/", include("django.contrib.auth.urls")),
        prefix_default_language=False,
    ),
    path("api/v1/", include("provisions.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler400 = "provisions.views.errors.bad_request"
handler403 = "provisions.views.errors.permission_denied"
handler404 = "provisions.views.errors.not_found"
handler500 = "provisions.views.errors.server_error"
