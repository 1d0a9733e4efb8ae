"""Sentences that read as sentences in every language (docs/translations.md): the team activity
says who did what to which in one translated sentence, a version's action agrees with what it
happened to, and a date line is one phrase."""

import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.utils import translation

from provisions.queries.history import action_label, activity_sentence
from provisions.services import (
    annotation_create,
    annotation_publish,
    link_approve,
    link_propose,
)
from tests.helpers import art, text_of

pytestmark = pytest.mark.django_db


def words(html: str) -> str:
    """The text a reader sees: tags removed, entities read, spaces collapsed (not the no-break
    spaces French puts before a colon)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


@pytest.fixture
def reviewed_work(analyst, editor):
    """Alice's note published by Erin, and Alice's link approved by Erin."""
    note = annotation_create(
        provision=art("art_24"), author=analyst, body="Alice's note", status="submitted"
    )
    annotation_publish(annotation=note, editor=editor)
    link = link_approve(
        link=link_propose(
            provision=art("art_5"),
            proposer=analyst,
            concern="serious-crime-scope",
            rationale="Alice's rationale",
        ),
        editor=editor,
    )
    return {"note": note, "link": link}


def activity_of(client, user, prefix: str) -> str:
    client.force_login(user)
    html = text_of(client.get(f"{prefix}/workspace/"))
    return words(html[html.index('id="activity"') :])


@pytest.mark.parametrize(
    ("prefix", "published", "approved"),
    [
        (
            "",
            "Erin Editor published an annotation on Article 24",
            "Erin Editor approved the link “Powers reach any",
        ),
        (
            "/fr",
            "Erin Editor a publié une annotation sur Article 24",
            "Erin Editor a approuvé le lien « Powers reach any",
        ),
        (
            "/es",
            "Erin Editor publicó una anotación sobre Artículo 24",
            "Erin Editor aprobó el vínculo “Powers reach any",
        ),
        (
            "/ar",
            "نشر Erin Editor تعليقًا على المادة 24",
            "اعتمد Erin Editor الصلة «Powers reach any",
        ),
        (
            "/ru",
            "Erin Editor опубликовал(а) аннотацию (Статья 24)",
            "Erin Editor одобрил(а) связь «Powers reach any",
        ),
        (
            "/zh-hans",
            "Erin Editor 发布了关于 第24条 的一条批注",
            "Erin Editor 批准了关联“Powers reach any",
        ),
    ],
)
def test_the_team_activity_is_one_sentence_in_each_language(
    client, compiled_catalogues, analyst, reviewed_work, prefix, published, approved
):
    activity = activity_of(client, analyst, prefix)
    assert published in activity
    assert approved in activity.replace("\u00a0", " ")


def test_the_sentence_is_the_link_to_what_it_tells(client, analyst, reviewed_work):
    client.force_login(analyst)
    html = text_of(client.get("/workspace/"))
    activity = html[html.index('id="activity"') :]
    note = reviewed_work["note"]
    link = re.search(rf'<a href="/annotations/{note.pk}/">(.*?)</a>', activity, re.S).group(1)
    assert words(link) == "Erin Editor published an annotation on Article 24"
    assert '<span class="activity-who">Erin Editor</span>' in link


def test_the_sentence_escapes_what_it_is_given():
    hostile = "<script>alert(1)</script>"
    revision = SimpleNamespace(
        target_type="link",
        action="approved",
        actor=None,  # a removed account
        target=SimpleNamespace(
            provision=SimpleNamespace(citation="Article 5"),
            target=SimpleNamespace(title=hostile),
        ),
    )
    with translation.override("en"):
        sentence = activity_sentence(revision)
    assert "<script>" not in sentence and "&lt;script&gt;alert(1)&lt;/script&gt;" in sentence
    assert words(sentence).startswith("A removed account approved the link “<script>")


def test_changes_nobody_made_by_hand_name_no_actor():
    note = SimpleNamespace(provision=SimpleNamespace(citation="Article 24"))
    link = SimpleNamespace(
        provision=SimpleNamespace(citation="Article 5"), target=SimpleNamespace(title="Scope")
    )
    told = [
        (
            "annotation",
            "reanchored",
            note,
            "The text import re-anchored an annotation on Article 24",
        ),
        ("link", "seeded", link, "The link “Scope” → Article 5 came with the first data"),
        ("link", "corrected", link, "A data migration corrected the link “Scope” → Article 5"),
        # An action the sentences do not know yet still reads as a sentence.
        ("annotation", "mystery", note, "A removed account changed an annotation on Article 24"),
    ]
    with translation.override("en"):
        for kind, action, target, sentence in told:
            revision = SimpleNamespace(target_type=kind, action=action, actor=None, target=target)
            assert words(activity_sentence(revision)) == sentence


def test_a_versions_action_agrees_with_what_it_happened_to(compiled_catalogues):
    def label(kind, action):
        return action_label(SimpleNamespace(target_type=kind, action=action))

    with translation.override("fr"):
        assert label("annotation", "published") == "publiée"
        assert label("commitment", "published") == "publié"
        assert label("link", "approved") == "approuvé"
        assert label("link", "rejected") == "rejeté"
        assert label("annotation", "rejected") == "rejetée"
    with translation.override("es"):
        assert label("annotation", "created") == "creada"
        assert label("commitment", "created") == "creado"
    with translation.override("ru"):
        assert label("annotation", "published") == "опубликована"
        assert label("commitment", "published") == "опубликовано"


def test_history_headings_agree_in_french(client, compiled_catalogues, editor, reviewed_work):
    client.force_login(editor)
    note = words(text_of(client.get(f"/fr/history/annotation/{reviewed_work['note'].pk}/")))
    headings = re.findall(r"Version\s\d\u00a0: \S+", note)
    assert headings == ["Version\u00a02\u00a0: publiée", "Version\u00a01\u00a0: créée"]
    link = words(text_of(client.get(f"/fr/history/link/{reviewed_work['link'].pk}/")))
    headings = re.findall(r"Version\s\d\u00a0: \S+", link)
    assert headings == ["Version\u00a02\u00a0: approuvé", "Version\u00a01\u00a0: proposé"]


def test_a_date_line_is_one_phrase(client, compiled_catalogues, reviewed_work):
    note = reviewed_work["note"]
    html = text_of(client.get(f"/fr/annotations/{note.pk}/"))
    assert re.search(r"<time datetime=\"[^\"]+\">publiée le \d", html)
    html = text_of(client.get(f"/es/annotations/{note.pk}/"))
    assert re.search(r"<time datetime=\"[^\"]+\">publicada el \d", html)
