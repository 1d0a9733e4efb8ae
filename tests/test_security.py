"""Security headers, the strict CSP, and a clean `check --deploy` with production settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_csp_is_strict_and_has_a_nonce(client):
    response = client.get("/convention/articles/24/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'nonce-" in script_src
    nonce = script_src.split("'nonce-")[1].split("'")[0]
    # The only script on the page is the vendored htmx, carrying this response's nonce.
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html
    assert "htmx" in html and "//cdn" not in html and "unpkg" not in html


def test_other_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_no_asset_from_another_host(client):
    html = client.get("/").content.decode()
    for attr in ('src="http', 'src="//', 'href="//'):
        assert attr not in html
    assert 'rel="stylesheet" href="/static/' in html


def test_htmx_indicator_style_is_disabled_for_the_csp(client):
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "treatywatch.settings",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c",
        "DJANGO_ALLOWED_HOSTS": "treatywatch.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        # Production must name a mail server (provisions.E002, tests/test_outbox.py).
        "DJANGO_EMAIL_HOST": "mail.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "command",
    # Only manage.py's SIGNS_NOTHING commands (makemigrations) set the explicit flag; the settings
    # themselves never guess from the command line.
    [["check"], ["check", "--deploy"], ["migrate", "--plan"], ["createsuperuser", "--help"]],
)
def test_production_refuses_to_start_without_a_secret_key(command):
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "treatywatch.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("told", [True, False])
def test_checking_migrations_needs_no_secret_key(told):
    """makemigrations signs nothing: `make migrate-check` says so with the flag, and a bare
    `manage.py makemigrations --check` on a clean clone works too (manage.py sets the flag for
    that command alone)."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "treatywatch.settings"}
    if told:
        env["DJANGO_ALLOW_THROWAWAY_SECRET_KEY"] = "1"
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_make_migrate_check_says_it_needs_no_key():
    """`make migrate-check` (run by .ci/run) checks under the production settings, so it must
    set the flag, not DJANGO_DEBUG; the test above shows the command it runs then passes."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nmigrate-check:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_ALLOW_THROWAWAY_SECRET_KEY=1" in recipe
    assert "makemigrations --check --dry-run" in recipe
    assert "DEV_ENV" not in recipe and "DJANGO_DEBUG" not in recipe
    assert "make migrate-check" in (ROOT / ".ci" / "run").read_text()


def settings_in_a_clean_process(names: list[str], **env: str) -> dict:
    """The production settings module's values as a fresh process computes them from `env`
    alone (the test process's own settings are pytest-django's, which forces DEBUG off)."""
    code = (
        "import json, treatywatch.settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("debug_env", "expected"),
    [(None, False), ("", False), ("0", False), ("1", True)],
)
def test_debug_is_off_unless_asked_for(debug_env, expected):
    """DEBUG is off with no DJANGO_DEBUG (or an empty or false one), and on only when asked;
    with it off, the production protections that hang on it are on."""
    env = {"DJANGO_SECRET_KEY": "a-long-random-production-secret-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"}
    if debug_env is not None:
        env["DJANGO_DEBUG"] = debug_env
    values = settings_in_a_clean_process(
        ["DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "ALLOWED_HOSTS"], **env
    )
    assert values["DEBUG"] is expected
    assert values["SECURE_SSL_REDIRECT"] is not expected
    assert values["SESSION_COOKIE_SECURE"] is not expected
    assert values["ALLOWED_HOSTS"] == (["127.0.0.1", "localhost"] if expected else [])


def test_database_outage_shows_the_503_page(client, monkeypatch):
    from django.db import OperationalError

    from provisions.views import public

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(public, "chapters_with_articles", broken)
    response = client.get("/convention/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
