"""Error answers: 400, 403, 404, 405 and 500 are pages in the site's layout (navigation, <main>,
why, what to do, a way back); under /api/ every error is the API's JSON, whatever the path."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path, reverse

from provisions import error_pages as errors
from treatywatch import urls as project_urls

pytestmark = pytest.mark.django_db


def assert_site_error_page(response, status: int, heading: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert heading in html
    # The site's layout: main navigation, a <main>, and a way back.
    assert '<nav aria-label="Main">' in html
    assert '<main id="main"' in html
    assert f'href="{reverse("provisions:home")}"' in html
    assert f'href="{reverse("provisions:toc")}"' in html
    assert "Traceback" not in html
    return html


def test_404_uses_the_site_layout(client):
    assert_site_error_page(client.get("/nowhere/"), 404, "We could not find that page")


def test_405_from_a_post_only_address_is_a_page_and_keeps_allow(client, analyst):
    client.force_login(analyst)
    # Signing out only accepts POST: a GET gets the 405 page, with the Allow header intact.
    response = client.get(reverse("logout"))
    html = assert_site_error_page(
        response, 405, "This address does not accept that kind of request"
    )
    assert "Nothing was changed" in html
    assert "POST" in response["Allow"]


def test_403_for_a_missing_role_is_a_page(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("provisions:review"))
    assert_site_error_page(response, 403, "You are not allowed to do that")


def test_403_for_a_failed_csrf_check_says_what_to_do(analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(reverse("logout"))
    html = assert_site_error_page(response, 403, "You are not allowed to do that")
    assert "security check failed" in html
    assert "reload the page" in html
    # Django's own reason is for the log only.
    assert "CSRF cookie not set" not in html


def _boom(request):
    raise RuntimeError("kaboom in a view")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("api/v1/boom", _boom),
    # The project's own patterns, spread (i18n_patterns may not be include()d).
    *project_urls.urlpatterns,
]
handler400 = "provisions.views.errors.bad_request"
handler403 = "provisions.views.errors.permission_denied"
handler404 = "provisions.views.errors.not_found"
handler500 = "provisions.views.errors.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_500_uses_the_site_layout_without_touching_the_database(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    html = assert_site_error_page(response, 500, "Something went wrong on our side")
    assert "kaboom" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_permission_denied_raised_in_a_view_is_the_403_page(client):
    assert_site_error_page(client.get("/forbidden/"), 403, "You are not allowed to do that")


@override_settings(ROOT_URLCONF=__name__)
def test_a_500_under_the_api_is_json():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "kaboom" not in response.content.decode()


def test_400_from_a_bad_host_is_a_page_and_json_under_the_api(client):
    # A Host header that is not allowed makes Django answer 400 through handler400.
    page = client.get("/convention/", HTTP_HOST="evil.example")
    assert_site_error_page(page, 400, "We could not understand that request")
    api = client.get("/api/v1/treaty", HTTP_HOST="evil.example")
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/safeguards/a%0Ab",  # a newline: "." did not match it in the catch-all
        "/api/v1/concerns/a%0D%0Ab",
        "/api/v1/%00",
        "/api/v1/no/such/thing%0A",
        "/api/v1/articles/24%0A",
    ],
)
def test_api_paths_with_control_characters_get_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_error_page_for_api_is_json_for_every_status(rf):
    for status in errors.ERROR_PAGES:
        response = errors.error_page(rf.get("/api/v1/anything"), status)
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")


def test_htmx_requests_keep_their_bare_403(client, analyst):
    # htmx swaps nothing on an error: a full page in the body would only cost bytes.
    client.force_login(analyst)
    response = client.get(reverse("provisions:review"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert b"<main" not in response.content
    assert response.content.decode() == "You are not allowed to do this."
