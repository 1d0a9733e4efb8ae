import os, pytest
from tests.conftest import make_member
from tests.test_exports import publish
from provisions.models import Provision
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
def test_shots(seeded, live_server, page, artifacts_dir):
    a = make_member("a1", "Analysts", "Pia Analyst"); e = make_member("e1", "Editors", "Ed")
    publish(Provision.objects.get(eid="art_24"), a, e, "A **note** with a [link](https://example.org).", concerns=["weak-procedural-safeguards"])
    page.goto(f"{live_server.url}/convention/articles/24/brief/")
    page.screenshot(path="/tmp/x/brief-screen.png", full_page=True)
    page.goto(f"{live_server.url}/convention/articles/24/")
    page.screenshot(path="/tmp/x/article.png", full_page=True)
    page.goto(f"{live_server.url}/concerns/weak-procedural-safeguards/")
    page.screenshot(path="/tmp/x/concern.png", full_page=True)
    page.goto(f"{live_server.url}/convention/articles/24/brief/")
    page.pdf(path="/tmp/x/article-brief.pdf", format="A4")
