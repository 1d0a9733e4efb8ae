"""Shared fixtures: the seeded Convention, members in each role, and browser settings.

Plain helpers (make_member, text_of, token_for…) are in tests/helpers.py; import them from there."""

import os
import secrets

# Playwright runs an event loop in the test thread; Django's async guard would refuse the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
import redis
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from provisions.cache.process_pages import process_pages
from provisions.importing.language_import import import_language_version
from provisions.importing.parser import parse_convention
from provisions.models import Provision
from provisions.services import annotation_create, link_propose, seed_convention, seed_statement
from provisions.services.treaty_status import seed_parties, seed_treaty_status
from tests.helpers import (
    OpenApiCheckedClient,
    SignedInClient,
    draft_commitment,
    import_sample,
    import_synthetic_english,
    make_member,
    synthetic_convention,
    token_for,
    un_states,
)

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
def compiled_catalogues():
    """The committed translation catalogues, compiled (`make install` does it too; this is a
    no-op when the .mo files are newer than the .po files)."""
    from django.core.management import call_command

    call_command("compilemessages", verbosity=0)
    # A page rendered in another language earlier in the session, before the .mo files
    # existed, left Django holding an empty catalogue for it: read them again.
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the Convention once per test database; each test then rolls back its own changes."""
    with django_db_blocker.unblock():
        seed_convention()
        seed_statement()
        seed_parties(states=un_states())
        seed_treaty_status()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request to /ar/… leaves Arabic active in the
    test's thread (LocaleMiddleware activates it and nothing deactivates it), which would
    translate the next test's citations and command output."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def seeded(db):
    """The seeded data (re-seeded for transactional tests, which empty the tables afterwards)."""
    for name in ("Analysts", "Editors"):
        Group.objects.get_or_create(name=name)
    seed_convention()
    seed_statement()
    seed_parties(states=un_states())
    seed_treaty_status()


@pytest.fixture
def analyst(db):
    return make_member("alice", "Analysts", "Alice Analyst")


@pytest.fixture
def other_analyst(db):
    return make_member("bob", "Analysts", "Bob Analyst")


@pytest.fixture
def editor(db):
    return make_member("erin", "Editors", "Erin Editor")


@pytest.fixture
def official(db):
    """The sample's official text of articles 1–6 (tests/data/import), imported over the seeded
    editorial summaries."""
    import_sample("convention-sample.txt")


@pytest.fixture
def arabic(db):
    """Synthetic English Articles 1–15 as the official text, and a synthetic partial Arabic
    version of them (tests/helpers.py: numbered filler, not the Convention's words)."""
    import_synthetic_english()
    convention = parse_convention(synthetic_convention("ar"), language="ar", partial=True)
    return import_language_version(convention=convention, language="ar")


@pytest.fixture
def titled_versions(db):
    """Synthetic English Articles 1–15 with a three-recital preamble; a synthetic Arabic version
    of all of them and a partial French one of Articles 1–3, both with the preamble (numbered
    filler titles, chapter titles and recitals, not the Convention's words)."""
    import_synthetic_english(recitals=3)
    for language, articles in (("ar", range(1, 16)), ("fr", range(1, 4))):
        text = synthetic_convention(language, articles, recitals=3)
        convention = parse_convention(text, language=language, partial=True)
        import_language_version(convention=convention, language=language)


# --- Work to read and review: one definition each, shared by every module that needs it --------


@pytest.fixture
def art24(db):
    """Article 24 (Conditions and safeguards), as seeded."""
    return Provision.objects.get(eid="art_24")


@pytest.fixture
def article_text(art24):
    return art24.text


@pytest.fixture
def draft(analyst, art24):
    """Alice's private draft on Article 24, with a tag."""
    return annotation_create(
        provision=art24, author=analyst, body="alice's secret draft", tags=["draft"]
    )


@pytest.fixture
def submitted(analyst, art24):
    """Alice's note on Article 24, waiting for an editor: quoting, tied and tagged."""
    return annotation_create(
        provision=art24,
        author=analyst,
        body="Proportionality is left to **domestic law**.",
        selectors=[{"type": "TextQuoteSelector", "exact": "proportionality"}],
        concerns=["weak-procedural-safeguards"],
        tags=["safeguards"],
        status="submitted",
    )


@pytest.fixture
def proposed_link(other_analyst, art24):
    """Bob's proposed concern→provision link on Article 24, waiting for an editor."""
    return link_propose(
        provision=art24,
        proposer=other_analyst,
        rationale="Proposed for review.",
        concern="serious-crime-scope",
    )


@pytest.fixture
def objects(analyst, art24):
    """Ids for the routes, as the permission walk has them: the analyst's draft, a proposed
    link, a draft scorecard commitment, the analyst as a member."""
    draft = annotation_create(provision=art24, author=analyst, body="draft by alice")
    link = link_propose(
        provision=art24, proposer=analyst, concern="gender-risks", rationale="proposal"
    )
    commitment = draft_commitment(analyst)
    return {
        "annotation": draft.pk,
        "link": link.pk,
        "commitment": commitment.pk,
        "member": analyst.pk,
    }


@pytest.fixture
def alice_token(analyst):
    """A bearer token of the analyst's (API tests)."""
    return token_for(analyst)


@pytest.fixture
def bob_token(other_analyst):
    return token_for(other_analyst)


@pytest.fixture
def erin_token(editor):
    return token_for(editor)


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


@pytest.fixture
def redis_url():
    """The Redis database the tests may use; skips (or, when TEST_REDIS_URL asks for it, fails)
    without one."""
    required = os.environ.get("TEST_REDIS_URL", "")
    url = required or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if required:
            pytest.fail(f"TEST_REDIS_URL={required} does not answer: {error}")
        pytest.skip(f"no Redis at {url}; set TEST_REDIS_URL to run these (.ci/run does)")
    return url


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own; its keys are deleted afterwards (never FLUSHDB: other
    test runs may share the database)."""
    prefix = f"treatywatch-tests-{secrets.token_hex(6)}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def page_cache_on(settings):
    """The page cache switched on (tests run with it off elsewhere), empty before and after."""
    settings.TREATYWATCH_PAGE_CACHE = True
    cache.clear()
    process_pages.clear()
    yield
    cache.clear()
    process_pages.clear()
