"""Shared fixtures: the seeded Convention, members in each role, and browser settings."""

import functools
import os

# Playwright runs an event loop in the test thread; Django's async guard would refuse the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from provisions.models import Member
from provisions.services import seed_convention, seed_statement
from provisions.services.treaty_status import seed_parties, seed_treaty_status

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the Convention once per test database; each test then rolls back its own changes."""
    with django_db_blocker.unblock():
        seed_convention()
        seed_statement()
        seed_parties(states=un_states())
        seed_treaty_status()


@pytest.fixture
def seeded(db):
    """The seeded data (re-seeded for transactional tests, which empty the tables afterwards)."""
    for name in ("Analysts", "Editors"):
        Group.objects.get_or_create(name=name)
    seed_convention()
    seed_statement()
    seed_parties(states=un_states())
    seed_treaty_status()


@functools.cache
def un_states() -> list[dict]:
    """The UN member and observer States from the packaged data, read once per test run."""
    from provisions.services.treaty_status import un_member_and_observer_states

    return un_member_and_observer_states()


def run_data_migration(name: str, prepare):
    """Migrate the app back to just before its migration `name`, call `prepare(apps)` with the
    models as they were then (to make rows as an older database held them), apply `name`, and
    go back to the latest state whatever happens. Returns what `prepare` returned. For tests
    marked django_db(transaction=True): migrations cannot run inside the test's transaction."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    target = ("provisions", name)
    parents = executor.loader.graph.node_map[target].parents
    before = [next(parent.key for parent in parents if parent.key[0] == "provisions")]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        made = prepare(executor.loader.project_state(before).apps)
        MigrationExecutor(connection).migrate([target])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    return made


def make_member(username: str, role: str | None, display_name: str = ""):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="correct-horse-battery"
    )
    if role:
        # get_or_create: transactional (browser) tests flush the groups made by the migration.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        user.is_staff = role == "Editors"
        user.save()
    Member.objects.create(user=user, display_name=display_name or username.title())
    return user


@pytest.fixture
def analyst(db):
    return make_member("alice", "Analysts", "Alice Analyst")


@pytest.fixture
def other_analyst(db):
    return make_member("bob", "Analysts", "Bob Analyst")


@pytest.fixture
def editor(db):
    return make_member("erin", "Editors", "Erin Editor")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def artifacts_dir():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


def sign_in_browser(page, live_server, user, password: str = "correct-horse-battery"):
    """Sign in through the real login form (members made by make_member share this password),
    then type the code from the authenticator, which editors must have."""
    from provisions import roles

    if roles.has_editor_account(user):
        give_authenticator(user)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/verify/" in page.url:
        page.fill("input[name=code]", code_for(user))
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()


def give_authenticator(user):
    """The member's confirmed authenticator (TOTP device), created if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from provisions.services.two_factor import authenticator_of

    return authenticator_of(user) or TOTPDevice.objects.create(
        user=user, name="Test authenticator", confirmed=True
    )


def code_for(user) -> str:
    """The code the member's authenticator accepts next (as their phone would show it)."""
    from provisions.services.two_factor import authenticator_of, current_code

    return current_code(authenticator_of(user))


def verify_session(client, user) -> None:
    """Mark a test client's session as having passed every sign-in step the user needs.

    Editors must sign in with a second factor, so an editor (or anyone with an authenticator)
    gets a confirmed authenticator and a session verified with it, as django_otp.login()
    leaves it after a right code. Members without two-factor sign-in need nothing more.
    """
    from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

    from provisions import roles

    if not (roles.has_editor_account(user) or user_has_device(user, confirmed=True)):
        return
    device = give_authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def text_of(response, status: int = 200) -> str:
    """The response's text, once its status is the expected one: a check that something is
    absent from a page ("x" not in it) would pass for the wrong reason on an error page."""
    assert response.status_code == status, (response.status_code, response.get("Location"))
    return response.getvalue().decode("utf-8-sig")


def confirm_session(client, seconds_ago: float = 0) -> None:
    """Mark a test client's session as having confirmed the password (and code) `seconds_ago`,
    as /accounts/confirm/ leaves it (provisions/views/confirm.py)."""
    import time

    from provisions.views.confirm import CONFIRMED_KEY

    session = client.session
    session[CONFIRMED_KEY] = time.time() - seconds_ago
    session.save()


class SignedInClient(Client):
    """The test client, whose force_login() signs a member in the way they really sign in:
    with their second factor if they must have one (editors). Tests of half-signed-in sessions
    use django.test.Client directly."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        verify_session(self, user)


class OpenApiCheckedClient(SignedInClient):
    """A SignedInClient that checks every /api/v1/ response against the app's OpenAPI document
    (tests/openapi_check.py): an undocumented status, media type or shape fails the test."""

    def request(self, **request):
        from tests.openapi_check import API_PREFIX, check_response

        response = super().request(**request)
        path = request.get("PATH_INFO", "")
        if path.startswith(API_PREFIX + "/"):
            check_response(request["REQUEST_METHOD"], path, response)
        return response


@pytest.fixture
def client(request):
    """The test client; in tests marked `openapi`, one that checks API responses."""
    if request.node.get_closest_marker("openapi"):
        return OpenApiCheckedClient()
    return SignedInClient()


# --- Property-based tests (hypothesis) -------------------------------------------------------
# The fuzz tests (tests/test_fuzz_*.py) send each example through the test client against the
# database fixtures, rolling every example back themselves; the fixtures are made once per test
# function on purpose, hence the suppressed health check. 40 examples per test keep the whole
# fuzz suite under two minutes on two cores; HYPOTHESIS_PROFILE=thorough runs 500.
from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

_FUZZ_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
hypothesis_settings.register_profile(
    "treatywatch",
    max_examples=40,
    deadline=None,
    suppress_health_check=_FUZZ_HEALTH,
    # No example database in the working tree; a failure prints its example to reproduce it.
    database=None,
    print_blob=True,
)
hypothesis_settings.register_profile(
    "thorough", parent=hypothesis_settings.get_profile("treatywatch"), max_examples=500
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "treatywatch"))


def failed_request_recorder(problems: list):
    """A `requestfailed` handler that records real failures.

    Chromium cancels in-flight requests (often the favicon) when a test navigates on; those
    end as net::ERR_ABORTED, which says nothing about our server, so they are not failures.
    """

    def record(request):
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"failed: {request.url} ({request.failure})")

    return record
