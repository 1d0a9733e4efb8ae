"""Editorial translations on every page a reader or member sees in another language (issue 14):
search results and facets, the scorecard and a State's page, the briefs, the review pages, the
workspace, an annotation's concerns and demands wherever it is shown, a link's history and the
Atom feed. Each shows the translation where there is one, and otherwise the English marked
lang="en" with the visible note; English pages are unchanged; and each page's queries do not
grow with the number of rows, translated or not (one query per kind of content, in French only).
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from provisions.models import (
    Annotation,
    Article,
    Concern,
    Party,
    Provision,
    ProvisionLink,
    SafeguardDemand,
)
from provisions.services import annotation_create, link_approve, link_propose
from provisions.services.commitments import commitment_create, commitment_publish
from tests.helpers import (
    in_language,
    published_annotation,
    text_of,
    translate,
    verify_session,
)

pytestmark = pytest.mark.django_db

NOTE = 'class="untranslated-note"'
FRENCH_NOTE = "Pas encore traduit\u00a0; affiché en anglais"
CONCERN_FR = "Portée des crimes graves"
DEMAND_FR = "Des lois nationales conformes aux droits humains"
SUMMARY_FR = "Résumé éditorial en français de l’article 24."
EVIDENCE = "https://gov.example.org/statement"


def english(point) -> str:
    """An untranslated title as a French page shows it: the English, marked as English."""
    return f'<span lang="en" dir="ltr">{escape(point.title)}</span>'


def assert_translated_and_marked(html: str, translated: str, untranslated) -> None:
    assert translated in html
    assert english(untranslated) in html
    assert NOTE in html and FRENCH_NOTE in html


@pytest.fixture
def french(editor, compiled_catalogues):
    """One concern and one demand translated into French, and another of each not."""
    concern = Concern.objects.get(slug="serious-crime-scope")
    demand = SafeguardDemand.objects.get(slug="laws-meet-human-rights-standards")
    translate(editor, concern, title=CONCERN_FR, text="Le point de la préoccupation.")
    translate(
        editor, demand, title=DEMAND_FR, text="Le point de l’exigence." if demand.point else ""
    )
    return SimpleNamespace(
        concern=concern,
        demand=demand,
        other_concern=Concern.objects.get(slug="weak-procedural-safeguards"),
        other_demand=SafeguardDemand.objects.get(slug="consult-civil-society"),
    )


def tied_note(analyst, editor, french, **kwargs):
    """A published note on Article 24 tied to both concerns and both demands."""
    return published_annotation(
        analyst,
        editor,
        "A note tied to translated and untranslated points.",
        concerns=[french.concern.slug, french.other_concern.slug],
        demands=[french.demand.slug, french.other_demand.slug],
        **kwargs,
    )


def commitment(analyst, demand, code="MLI", submit=True):
    return commitment_create(
        party=Party.objects.get(code=code),
        demand=demand,
        author=analyst,
        level="committed",
        evidence_url=EVIDENCE,
        quote="We will apply Article 24 with judicial review.",
        evidence_date=datetime.date(2026, 3, 1),
        submit=submit,
    )


# --- Reading pages --------------------------------------------------------------------------


def test_search_results_show_the_translation_or_the_marked_english(client, french):
    html = text_of(client.get("/fr/search/?q=serious+crime&kind=concern"))
    assert CONCERN_FR in html
    html = text_of(client.get("/fr/search/?q=procedural&kind=concern"))
    assert f'<span lang="en" dir="ltr">{escape("Weak domestic safeguards in the ")}' in html
    assert NOTE in html and FRENCH_NOTE in html
    # English: the original, no note.
    html = text_of(client.get("/search/?q=serious+crime&kind=concern"))
    assert CONCERN_FR not in html and NOTE not in html


def test_search_facets_label_concerns_and_demands_in_the_reader_language(client, french):
    """The concern and demand filters: the translated title, or the English marked, with the
    note once per filter."""
    html = text_of(client.get("/fr/search/?q=data"))
    facet_labels = html[html.index('id="search-facets"') :]
    assert f'<span class="facet-label">{CONCERN_FR}</span>' in facet_labels
    untranslated = Concern.objects.get(slug="cross-border-personal-data")  # "data" finds it
    assert f'<span class="facet-label">{english(untranslated)}</span>' in facet_labels
    assert FRENCH_NOTE in facet_labels
    html = text_of(client.get("/search/?q=data"))
    assert CONCERN_FR not in html and NOTE not in html


def test_the_article_page_gives_the_translated_summary_above_the_english_text(
    client, editor, french
):
    """Until the official text is imported an article's text is our summary, in English: the
    text notes are anchored to. Its translation is given above it; without one, nothing more
    (the page already says the text is in English)."""
    translate(editor, Article.objects.get(number=24), text=SUMMARY_FR)
    html = text_of(in_language(client, "fr", "provisions:article", number=24))
    assert '<section class="article-summary" aria-label="Résumé éditorial">' in html
    assert f"<p>{SUMMARY_FR}</p></section>" in html
    assert 'lang="en" dir="ltr"' in html  # the English text below, still annotatable
    html = text_of(in_language(client, "fr", "provisions:article", number=25))
    assert 'class="article-summary"' not in html
    html = text_of(in_language(client, "en", "provisions:article", number=24))
    assert SUMMARY_FR not in html and 'class="article-summary"' not in html


def test_search_result_of_an_article_shows_its_translated_summary(client, editor, french):
    article = Article.objects.get(number=24)
    translate(editor, article, text=SUMMARY_FR)
    word = article.summary.split()[3]
    html = text_of(client.get(f"/fr/search/?q={word}&kind=article"))
    assert "Résumé éditorial en français" in html


def test_the_scorecard_and_a_state_page_name_the_demands_in_french(client, french):
    html = text_of(in_language(client, "fr", "provisions:scorecard"))
    assert_translated_and_marked(html, DEMAND_FR, french.other_demand)
    html = text_of(in_language(client, "fr", "provisions:state", code="mli"))
    assert_translated_and_marked(html, DEMAND_FR, french.other_demand)
    html = text_of(in_language(client, "en", "provisions:scorecard"))
    assert DEMAND_FR not in html and NOTE not in html


def test_arabic_pages_use_arabic_translations(client, editor, compiled_catalogues):
    demand = SafeguardDemand.objects.get(slug="laws-meet-human-rights-standards")
    translate(
        editor,
        demand,
        language="ar",
        title="قوانين وطنية تحترم حقوق الإنسان",
        text="نص المطلب بالعربية." if demand.point else "",
    )
    html = text_of(in_language(client, "ar", "provisions:scorecard"))
    assert "قوانين وطنية تحترم حقوق الإنسان" in html
    assert "لم يُترجم بعد؛ معروض بالإنكليزية" in html  # the other five are in English
    assert DEMAND_FR not in html


def test_briefs_use_the_translations(client, editor, analyst, french):
    html = text_of(in_language(client, "fr", "provisions:concern_brief", slug=french.concern.slug))
    assert f'<h1 id="brief-title">{CONCERN_FR}</h1>' in html
    assert "Le point de la préoccupation." in html
    assert f"<title>{CONCERN_FR} ·" in html
    other = french.other_concern
    html = text_of(in_language(client, "fr", "provisions:concern_brief", slug=other.slug))
    assert f'<h1 id="brief-title">{english(other)}</h1>' in html
    assert FRENCH_NOTE in html
    # The article's brief: its summary and its linked concerns and demands, and the chips of
    # its annotations.
    translate(editor, Article.objects.get(number=24), text=SUMMARY_FR)
    tied_note(analyst, editor, french)
    html = text_of(in_language(client, "fr", "provisions:article_brief", number=24))
    assert SUMMARY_FR in html
    assert f'<span class="chip">{CONCERN_FR}</span>' in html
    assert f'<span class="chip">{english(french.other_concern)}</span>' in html
    assert FRENCH_NOTE in html
    html = text_of(in_language(client, "en", "provisions:article_brief", number=24))
    assert SUMMARY_FR not in html and CONCERN_FR not in html and NOTE not in html


def test_an_annotation_names_its_concerns_and_demands_in_french_wherever_it_is_shown(
    client, analyst, editor, french
):
    note = tied_note(analyst, editor, french)
    pages = [
        ("provisions:home", {}),
        ("provisions:article", {"number": 24}),
        ("provisions:annotation", {"pk": note.pk}),
        ("provisions:concern", {"slug": french.other_concern.slug}),
    ]
    for name, kwargs in pages:
        html = text_of(in_language(client, "fr", name, **kwargs))
        assert f">{CONCERN_FR}</a>" in html, name
        assert f">{DEMAND_FR}</a>" in html, name
        assert f'">{english(french.other_demand)}</a>' in html, name
        assert FRENCH_NOTE in html, name
    html = text_of(in_language(client, "en", "provisions:annotation", pk=note.pk))
    assert CONCERN_FR not in html and NOTE not in html


def test_the_feed_titles_and_categories_use_the_translation(client, analyst, editor, french):
    tied_note(analyst, editor, french)
    link = link_propose(
        provision=Provision.objects.get(eid="art_30"),
        proposer=analyst,
        rationale="Newly approved.",
        concern=french.concern.slug,
    )
    link_approve(link=link, editor=editor)
    feed = text_of(in_language(client, "fr", "provisions:feed_latest"))
    assert f'term="{CONCERN_FR}"' in feed
    assert f'term="{escape(french.other_concern.title)}"' in feed  # plain text: no note
    # The approved link's entry title names the concern in French.
    assert re.search(rf"<title>[^<]*{CONCERN_FR}[^<]*</title>", feed)
    feed = text_of(in_language(client, "en", "provisions:feed_latest"))
    assert CONCERN_FR not in feed


# --- Members' pages -------------------------------------------------------------------------


def test_the_review_queue_shows_links_and_chips_in_french(client, analyst, editor, french):
    art24 = Provision.objects.get(eid="art_24")
    for concern in (french.concern, french.other_concern):
        link_propose(provision=art24, proposer=analyst, rationale="Why.", concern=concern.slug)
    annotation_create(
        provision=art24,
        author=analyst,
        body="Waiting.",
        concerns=[french.concern.slug],
        demands=[french.other_demand.slug],
        status="submitted",
    )
    client.force_login(editor)
    verify_session(client, editor)
    html = text_of(in_language(client, "fr", "provisions:review"))
    assert f">{CONCERN_FR}</a></h3>" in html
    assert f'">{english(french.other_concern)}</a></h3>' in html
    assert f'<a class="chip chip-demand" href="/fr/safeguards/{french.other_demand.slug}/">' in html
    assert FRENCH_NOTE in html


def test_a_refused_bulk_action_names_the_link_in_french(client, analyst, editor, french):
    art24 = Provision.objects.get(eid="art_24")
    link = link_propose(
        provision=art24, proposer=analyst, rationale="Why.", concern=french.concern.slug
    )
    link_approve(link=link, editor=editor)  # another editor got there first
    client.force_login(editor)
    verify_session(client, editor)
    with translation.override("fr"):
        url = reverse("provisions:review_bulk")
    html = text_of(client.post(url, {"action": "approve_links", "links": [link.pk]}), 400)
    assert f"{CONCERN_FR} → {art24.citation}" in html


def test_commitments_name_their_demand_in_french(client, analyst, editor, french):
    waiting = commitment(analyst, french.demand)
    untranslated = commitment(analyst, french.other_demand, code="FRA")
    client.force_login(editor)
    verify_session(client, editor)
    html = text_of(in_language(client, "fr", "provisions:commitment_queue"))
    assert_translated_and_marked(html, DEMAND_FR, french.other_demand)
    html = text_of(in_language(client, "fr", "provisions:commitment", pk=waiting.pk))
    assert f"<h1>Mali : {DEMAND_FR}</h1>" in html or f"{DEMAND_FR}</h1>" in html
    html = text_of(in_language(client, "fr", "provisions:commitment", pk=untranslated.pk))
    assert f"{english(french.other_demand)}</h1>" in html and FRENCH_NOTE in html


def test_the_anchors_page_names_moved_links_in_french(client, editor, french):
    ProvisionLink.objects.filter(
        pk__in=[
            ProvisionLink.objects.filter(concern=french.concern).first().pk,
            ProvisionLink.objects.filter(concern=french.other_concern).first().pk,
        ]
    ).update(needs_review=True)
    client.force_login(editor)
    verify_session(client, editor)
    html = text_of(in_language(client, "fr", "provisions:anchors"))
    assert_translated_and_marked(html, CONCERN_FR, french.other_concern)


def test_the_workspace_names_links_and_activity_in_french(client, analyst, editor, french):
    art24 = Provision.objects.get(eid="art_24")
    for concern in (french.concern, french.other_concern):
        link_propose(provision=art24, proposer=analyst, rationale="Why.", concern=concern.slug)
    commitment_publish(commitment=commitment(analyst, french.demand), editor=editor)
    client.force_login(analyst)
    html = text_of(in_language(client, "fr", "provisions:workspace"))
    assert f">{CONCERN_FR}</a>" in html
    assert f'">{english(french.other_concern)}</a>' in html
    assert FRENCH_NOTE in html
    activity = html[html.index('id="activity"') :]
    assert DEMAND_FR in activity and CONCERN_FR in activity


def test_a_link_history_names_its_concern_in_french(client, editor, french):
    client.force_login(editor)
    verify_session(client, editor)
    translated = ProvisionLink.objects.filter(concern=french.concern).first()
    html = text_of(in_language(client, "fr", "provisions:link_history", pk=translated.pk))
    assert f"<h1>{CONCERN_FR} →" in html and NOTE not in html
    other = ProvisionLink.objects.filter(concern=french.other_concern).first()
    html = text_of(in_language(client, "fr", "provisions:link_history", pk=other.pk))
    assert f"<h1>{english(french.other_concern)} →" in html and FRENCH_NOTE in html


def test_the_forms_offer_concerns_and_demands_in_french(client, analyst, french):
    """The annotation form's checkboxes and the link and commitment drop-downs: the translated
    title, or the English marked as such (an <option> by its lang attribute), and the note."""
    client.force_login(analyst)
    html = text_of(in_language(client, "fr", "provisions:annotate", number=24))
    for label in (CONCERN_FR, english(french.other_concern), DEMAND_FR):
        assert re.search(rf">\s*{re.escape(label)}</label>", html), label
    assert html.count(FRENCH_NOTE) == 2  # once under the concerns, once under the demands
    html = text_of(in_language(client, "fr", "provisions:propose_link", number=24))
    assert f'<option value="{french.concern.slug}">{CONCERN_FR}</option>' in html
    untranslated = french.other_concern
    assert (
        f'<option value="{untranslated.slug}" lang="en" dir="ltr">{escape(untranslated.title)}'
        in html
    )
    assert FRENCH_NOTE in html
    html = text_of(in_language(client, "fr", "provisions:commitment_propose"))
    assert f'<option value="{french.demand.slug}">{DEMAND_FR}</option>' in html
    assert f'<option value="{french.other_demand.slug}" lang="en" dir="ltr">' in html
    assert FRENCH_NOTE in html
    html = text_of(in_language(client, "en", "provisions:annotate", number=24))
    assert CONCERN_FR not in html and NOTE not in html
    assert '<span lang="en" dir="ltr">' not in html


# --- Query budgets --------------------------------------------------------------------------


def _count(client, url: str) -> tuple[int, int]:
    """The queries of a page, and how many of them read editorial translations."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    sql = [query["sql"] for query in queries.captured_queries]
    return len(sql), sum('"provisions_translation"' in statement for statement in sql)


def _grow(analyst, editor, n: int, start: int) -> None:
    """n more of everything these pages list: published and submitted notes tied to concerns
    and demands, proposed links to both, links to re-check, commitments published and waiting."""
    concerns = list(Concern.objects.order_by("position"))
    demands = list(SafeguardDemand.objects.order_by("position"))
    parties = list(Party.objects.filter(kind="state").order_by("code")[start : start + n])
    art24 = Provision.objects.get(eid="art_24")
    for i in range(n):
        concern, demand = concerns[i % len(concerns)], demands[i % len(demands)]
        published_annotation(
            analyst, editor, f"Note {start + i}.", concerns=[concern.slug], demands=[demand.slug]
        )
        annotation_create(
            provision=art24,
            author=analyst,
            body=f"Waiting {start + i}.",
            concerns=[concern.slug],
            demands=[demand.slug],
            status="submitted",
        )
        for target in ({"concern": concern.slug}, {"demand": demand.slug}):
            link_propose(
                provision=Provision.objects.get(eid=f"art_{25 + (start + i) % 10}"),
                proposer=analyst,
                rationale=f"Proposal {start + i}.",
                **target,
            )
        published = commitment(analyst, demand, code=parties[i].code)
        commitment_publish(commitment=published, editor=editor)
        commitment(analyst, demands[(i + 1) % len(demands)], code=parties[i].code)
    # Links to re-check, to both kinds of target (each kind is one query in French).
    approved = ProvisionLink.objects.filter(status="approved", needs_review=False)
    for target in ("concern", "demand"):
        chosen = approved.filter(**{f"{target}__isnull": False}).values_list("pk", flat=True)[:n]
        ProvisionLink.objects.filter(pk__in=list(chosen)).update(needs_review=True)


def _translate_everything(editor) -> None:
    for concern in Concern.objects.all():
        translate(editor, concern, title=f"Titre {concern.pk}", text="Texte.")
    for demand in SafeguardDemand.objects.all():
        translate(
            editor, demand, title=f"Exigence {demand.pk}", text="Texte." if demand.point else ""
        )
    for article in Article.objects.all():
        translate(editor, article, text=f"Résumé {article.number}.")


# (page, who reads it, the translation queries French adds: one per kind of content it shows)
BUDGET_PAGES = [
    ("/search/?q=data", None, 4),  # concern and demand facets, article and concern results
    ("/scorecard/", None, 1),  # the demands
    ("/states/mli/", None, 1),
    # It, its links' concerns and their articles (a concern's links have no demand), notes' both.
    ("/concerns/serious-crime-scope/brief/", None, 5),
    ("/convention/articles/24/brief/", None, 5),  # it, links' concerns, demands; notes' both
    ("/", None, 3),  # the concerns; the latest notes' concerns and demands
    ("/feeds/latest.atom", None, 4),  # notes' and links' concerns and demands
    ("/review/", "editor", 4),  # links' concerns and demands, notes' concerns and demands
    ("/review/commitments/", "editor", 1),
    ("/review/anchors/", "editor", 2),
    ("/workspace/", "analyst", 5),  # own links' both; activity: links' both, commitments'
    ("/convention/articles/24/annotate/", "analyst", 2),  # the concerns and demands to tick
    ("/convention/articles/24/propose-link/", "analyst", 2),
    ("/scorecard/propose/", "analyst", 1),
]


def _budgets(client, users) -> dict:
    counts = {}
    for url, who, _added in BUDGET_PAGES:
        client.logout()
        if who is not None:
            client.force_login(users[who])
            verify_session(client, users[who])
        counts[url] = (_count(client, url), _count(client, "/fr" + url))
    return counts


def test_every_page_costs_the_same_queries_at_two_sizes_with_translations(
    client, analyst, editor, compiled_catalogues
):
    """With every concern, demand and summary translated, each page costs the same at 2 and
    at 8 of everything it lists, in English and in French; the translations are read in exactly
    one query per kind of content in French, none in English (no N+1 over rows or over
    translations)."""
    users = {"analyst": analyst, "editor": editor}
    _translate_everything(editor)
    _grow(analyst, editor, 2, 0)
    with translation.override("en"):
        _budgets(client, users)  # warm: per-process work is not counted
        small = _budgets(client, users)
        _grow(analyst, editor, 6, 2)
        large = _budgets(client, users)
    assert large == small, (small, large)
    for url, _who, added in BUDGET_PAGES:
        (_english, english_reads), (_french, french_reads) = small[url]
        assert (english_reads, french_reads) == (0, added), (url, english_reads, french_reads)
    # The large size is really there, translated.
    client.force_login(editor)
    verify_session(client, editor)
    html = text_of(client.get("/fr/review/"))
    assert html.count("Titre ") >= 8 and NOTE not in html
    assert Annotation.objects.filter(status="submitted").count() == 8
