"""Shared fixtures: the seeded Convention, members in each role, and browser settings."""

import os

# Playwright runs an event loop in the test thread; Django's async guard would refuse the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from provisions.models import Member
from provisions.services import seed_convention, seed_statement

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


@pytest.fixture
def seeded(db):
    """The seeded data (re-seeded for transactional tests, which empty the tables afterwards)."""
    for name in ("Analysts", "Editors"):
        Group.objects.get_or_create(name=name)
    seed_convention()
    seed_statement()


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
    """Sign in through the real login form (members made by make_member share this password)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def verify_session(client, user) -> None:
    """Mark a test client's session as having passed every sign-in step the user needs.

    Without two-factor sign-in this is a no-op; the 2FA work extends it.
    """
    return None
