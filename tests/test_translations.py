"""Editorial content per language (issue 14): editors translate a concern's or demand's title
and words and an article's summary; pages in another language show the translation, or the
English marked lang="en" with a visible note; the history, the audit log and the query budget."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from provisions.models import Article, AuditEvent, Concern, Revision, SafeguardDemand, Translation
from provisions.services.translations import translation_history
from tests.helpers import in_language, text_of, translate, verify_session

NOTE = "untranslated-note"


@pytest.fixture
def two_concerns(editor):
    """The first concern translated into French, the second not."""
    first, second = Concern.objects.order_by("position")[:2]
    translate(editor, first, title="Portée des crimes graves", text="Le point, en français.")
    return first, second


@pytest.mark.django_db
def test_the_table_starts_empty():
    """Nothing invents a translation of the coalition's statement: seeding adds none."""
    assert Translation.objects.count() == 0


@pytest.mark.django_db
def test_a_french_list_shows_the_translation_and_marks_the_english_fallback(client, two_concerns):
    first, second = two_concerns
    html = text_of(in_language(client, "fr", "provisions:concerns"))
    assert "Portée des crimes graves" in html and "Le point, en français." in html
    assert escape(first.title) not in html
    assert f'<span lang="en" dir="ltr">{escape(second.title)}</span>' in html
    assert html.count(f'class="{NOTE}"') == Concern.objects.count() - 1


@pytest.mark.django_db
def test_english_pages_show_the_original_with_no_note(client, two_concerns):
    first, _second = two_concerns
    html = text_of(in_language(client, "en", "provisions:concerns"))
    assert escape(first.title) in html and "Portée des crimes graves" not in html
    assert NOTE not in html and '<span lang="en" dir="ltr">' not in html


@pytest.mark.django_db
def test_a_concern_page_and_the_article_page_use_the_translation(client, two_concerns):
    first, second = two_concerns
    html = text_of(in_language(client, "fr", "provisions:concern", slug=first.slug))
    assert '<h1 id="point-title">Portée des crimes graves</h1>' in html
    assert NOTE not in html
    html = text_of(in_language(client, "fr", "provisions:concern", slug=second.slug))
    english = f'<span lang="en" dir="ltr">{escape(second.title)}</span>'
    assert f'<h1 id="point-title">{english}</h1>' in html
    assert html.count(f'class="{NOTE}"') == 1  # once per object, not per field
    # The article page's linked concerns, in the same way.
    linked = first.links.filter(status="approved").select_related("provision__article").first()
    number = linked.provision.article.number
    html = text_of(in_language(client, "fr", "provisions:article", number=number))
    assert "Portée des crimes graves" in html


@pytest.mark.django_db
def test_a_translated_text_is_inert(client, editor):
    concern = Concern.objects.first()
    translate(
        editor, concern, title="<script>alert(1)</script>", text="<img src=x onerror=alert(1)>"
    )
    html = text_of(in_language(client, "fr", "provisions:concern", slug=concern.slug))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
@pytest.mark.parametrize("translated", [0, 1, 5])
def test_the_lists_cost_the_same_queries_with_translations(
    client, editor, translated, django_assert_num_queries
):
    """One query for the translations of a list, however many there are (no N+1)."""
    for concern in Concern.objects.order_by("position")[:translated]:
        translate(editor, concern, title=f"Titre {concern.pk}", text="Texte.")
    for demand in SafeguardDemand.objects.order_by("position")[:translated]:
        translate(
            editor, demand, title=f"Exigence {demand.pk}", text="Texte." if demand.point else ""
        )
    in_language(client, "fr", "provisions:concerns")  # warm: per-process work is not counted
    budgets = {"provisions:concerns": 3, "provisions:safeguards": 3, "provisions:home": None}
    # The overview also names the chapters: one more query for their headings in the reader's
    # language (queries/headings.py), whatever is translated.
    headings = {"provisions:home": 1}
    for name, budget in budgets.items():
        english = _queries(client, "en", name)
        french = _queries(client, "fr", name)
        assert french == english + 1 + headings.get(name, 0), (name, english, french)
        if budget is not None:
            assert english == budget - 1, name


def _queries(client, language, name, **kwargs) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert in_language(client, language, name, **kwargs).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_the_article_page_costs_the_same_with_every_translation(client, editor):
    """The article's own translation and its links' concerns' and demands' are three queries,
    present with no translation at all, and the same with every one translated (no N+1)."""
    _queries(client, "fr", "provisions:article", number=24)  # warm
    before = _queries(client, "fr", "provisions:article", number=24)
    for concern in Concern.objects.all():
        translate(editor, concern, title=f"Titre {concern.pk}", text="Texte.")
    for demand in SafeguardDemand.objects.all():
        translate(
            editor, demand, title=f"Exigence {demand.pk}", text="Texte." if demand.point else ""
        )
    translate(editor, Article.objects.get(number=24), text="Résumé.")
    after = _queries(client, "fr", "provisions:article", number=24)
    assert after == before, (before, after)
    html = text_of(in_language(client, "fr", "provisions:article", number=24))
    assert NOTE not in html and "Titre" in html


@pytest.mark.django_db
def test_history_and_audit_of_a_translation(editor):
    concern = Concern.objects.first()
    translate(editor, concern, title="Un", text="Premier.")
    translate(editor, concern, title="Deux", text="Second.")
    translate(editor, concern, title="Deux", text="Second.")  # the same words: nothing recorded
    assert translate(editor, concern) is None  # every field empty: removed
    translate(editor, concern, title="Trois", text="Troisième.")
    history = list(translation_history(concern, "fr"))
    assert [r.action for r in history] == ["created", "removed", "edited", "created"]
    assert [r.snapshot["title"] for r in history] == ["Trois", "", "Deux", "Un"]
    assert all(r.actor == editor for r in history)
    audited = AuditEvent.objects.filter(action__startswith="translation.").order_by("pk")
    assert [event.action for event in audited] == [
        "translation.created",
        "translation.edited",
        "translation.removed",
        "translation.created",
    ]
    assert audited[0].detail["of"] == f"concern:{concern.slug}"
    assert Revision.objects.filter(target_type="translation").count() == 4
    assert translation_history(concern, "es").count() == 0


@pytest.mark.django_db
def test_only_editors_write_and_bad_input_is_refused(analyst, editor):
    concern = Concern.objects.first()
    with pytest.raises(PermissionDenied):
        translate(analyst, concern, title="x", text="y")
    with pytest.raises(ValidationError) as refused:
        translate(editor, concern, language="en", title="x", text="y")
    assert "language" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        translate(editor, concern, title="", text="Only text")
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError):
        translate(editor, concern, title="x" * 301, text="y")
    assert Translation.objects.count() == 0


@pytest.mark.django_db
def test_the_editor_form_saves_and_shows_its_history(client, editor):
    client.force_login(editor)
    verify_session(client, editor)
    concern = Concern.objects.first()
    url = reverse("provisions:translation_concern", kwargs={"key": concern.slug, "language": "ar"})
    html = text_of(client.get(url))
    assert escape(concern.title) in html and 'lang="ar"' in html
    refused = client.post(url, {"title": "", "text": "نص"})
    assert "Give the translated title" in text_of(refused, 400)
    assert "نص" in text_of(refused, 400)  # what was typed stays
    response = client.post(url, {"title": "عنوان", "text": "نص"})
    assert response.status_code == 302
    html = text_of(client.get(url))
    assert "عنوان" in html and "Added" in html
    overview = text_of(client.get(reverse("provisions:translations")))
    assert overview.count("translated</span>") == 1
    assert client.get(url.replace("/ar/", "/en/")).status_code == 404
    assert client.get(url.replace("/ar/", "/de/")).status_code == 404


@pytest.mark.django_db
def test_an_empty_form_without_a_translation_saves_nothing_and_says_so(client, editor):
    client.force_login(editor)
    concern = Concern.objects.first()
    url = reverse("provisions:translation_concern", kwargs={"key": concern.slug, "language": "es"})
    html = text_of(client.post(url, {"title": "", "text": ""}, follow=True))
    assert "Nothing saved: every field was empty." in html and "Translation removed" not in html
    assert not Revision.objects.filter(target_type="translation").exists()


@pytest.mark.django_db
def test_the_coverage_matrix_uses_the_translations_at_one_query_each(client, editor):
    first, second = Concern.objects.order_by("position")[:2]
    _queries(client, "fr", "provisions:coverage")  # warm
    before = _queries(client, "fr", "provisions:coverage")
    translate(editor, first, title="Portée des crimes graves", text="Texte.")
    html = text_of(in_language(client, "fr", "provisions:coverage"))
    assert "Portée des crimes graves" in html
    assert f'<span lang="en" dir="ltr">{escape(second.title)}</span>' in html
    assert _queries(client, "fr", "provisions:coverage") == before
    # concerns', demands' translations, and the chapter and article headings (queries/headings.py)
    assert _queries(client, "en", "provisions:coverage") == before - 3
