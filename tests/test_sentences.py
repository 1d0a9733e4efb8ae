"""Sentences that read as sentences in every language (docs/translations.md, "Sentences, not
pieces"): the team activity says who did what to which in one translated sentence, a version's
action agrees with what it happened to, a date line, a word and its number, a control's name are
one phrase each, punctuation stays inside the msgid, and French puts a no-break space before it."""

import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from provisions.models import Article
from provisions.models.translations import Shown
from provisions.queries.history import action_label, activity_sentence
from provisions.services import (
    annotation_create,
    annotation_publish,
    link_approve,
    link_propose,
)
from tests.helpers import art, po_entries, text_of, verify_session

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


def point(title):
    """A concern or demand as the sentences read it: its title as the reader's language shows
    it (models.translations.Shown: here the English, not a fallback)."""
    return SimpleNamespace(title=title, shown=lambda field: Shown(text=title, fallback=False))


def test_the_sentence_escapes_what_it_is_given():
    hostile = "<script>alert(1)</script>"
    revision = SimpleNamespace(
        target_type="link",
        action="approved",
        actor=None,  # a removed account
        target=SimpleNamespace(
            provision=SimpleNamespace(citation="Article 5"),
            target=point(hostile),
        ),
    )
    with translation.override("en"):
        sentence = activity_sentence(revision)
    assert "<script>" not in sentence and "&lt;script&gt;alert(1)&lt;/script&gt;" in sentence
    assert words(sentence).startswith("A removed account approved the link “<script>")


def test_changes_nobody_made_by_hand_name_no_actor():
    note = SimpleNamespace(provision=SimpleNamespace(citation="Article 24"))
    link = SimpleNamespace(provision=SimpleNamespace(citation="Article 5"), target=point("Scope"))
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


# --- Punctuation belongs inside the msgid (French writes « Statut : », not « Statut: ») --------

ROOT = Path(settings.BASE_DIR)
# A translation tag, then at most some closing tags, then a colon, semicolon, "?" or "!" that the
# catalogue never sees.
TEMPLATE_PUNCTUATION = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?:"[^"]*"|'[^']*')[^%]*%\}"""
    r"""|\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}"""
    r"""|\b_\((?:"[^"]*"|'[^']*')\)"""
)
CLOSING_TAGS_THEN_PUNCTUATION = re.compile(r"(?:\s*</[a-z0-9]+>)*\s*[:;!?](?![a-z/=])")
PYTHON_PUNCTUATION = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|pgettext|pgettext_lazy|ngettext)\([^()]*\)\s*\+\s*["'][:;!?]"""
    r"""|\{(?:_|gettext|pgettext)\([^{}]*\)\}[:;!?]"""
)


def punctuation_outside_msgids() -> list[str]:
    found = []
    for path in sorted(
        [
            *ROOT.glob("templates/**/*.html"),
            *ROOT.glob("templates/**/*.txt"),
            *ROOT.glob("provisions/**/*.html"),
            *ROOT.glob("provisions/**/*.txt"),
        ]
    ):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_PUNCTUATION.finditer(text):
            if CLOSING_TAGS_THEN_PUNCTUATION.match(text, match.end()):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    for path in sorted(ROOT.glob("provisions/**/*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in PYTHON_PUNCTUATION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    return found


def test_no_punctuation_is_left_outside_a_translated_string():
    assert punctuation_outside_msgids() == []


def test_french_catalogue_puts_a_no_break_space_before_high_punctuation():
    """docs/translations.md: U+00A0 before : ; ? ! and inside « » in French prose (code,
    addresses and the JSON and HTTP examples aside)."""
    text = (ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    not_prose = re.compile(
        r"<code>.*?</code>|«\u00a0[A-Za-z-]+: [^»]*»|\{[^}]*\}|[a-z]+://\S*|urn:\S*"
    )
    wrong = [
        translated
        for entry in po_entries(text)[1:]
        for translated in entry["msgstr"]
        if re.search(r"(?<!\u00a0)[:;?!»]|«(?!\u00a0)", not_prose.sub("", translated))
    ]
    assert wrong == []


# --- A translated word is never glued to a number or a title outside its msgid ----------------

WORD_THEN_NUMBER = re.compile(
    r"""\{%\s*translate\s+"[A-Za-z ]+"\s*%\}\s*(?:</span>)?\s*"""
    r"""\{\{\s*[\w.]+\.(?:number|pk|version)\b"""
)


# Two translated pieces side by side make a phrase in English word order ("Annotate" + "Article
# 24"); a label ending in a colon before its value is not one.
WORD_THEN_PIECE = re.compile(r"""\{%\s*translate\s+"[^"]*[^":]"\s*%\}\s*\{%\s*blocktranslate\b""")


def test_no_translated_word_is_glued_to_a_number_or_another_piece():
    found = []
    for path in sorted(ROOT.glob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in WORD_THEN_PIECE.finditer(text)]
        found += [
            f"{path.relative_to(ROOT)}: {m.group(0)}" for m in WORD_THEN_NUMBER.finditer(text)
        ]
    assert found == []


def test_whole_phrases_in_french(client, compiled_catalogues, analyst, editor, reviewed_work):
    article = Article.objects.select_related("chapter").get(number=24)
    with translation.override("fr"):
        # (The catalogue keeps "Article" and its number together with a no-break space.)
        assert " ".join(str(article).split()) == f"Article 24. {article.title}"
        chapter = article.chapter
        assert " ".join(str(chapter).split()) == f"Chapitre {chapter.number}. {chapter.title}"
    html = text_of(client.get("/fr/convention/articles/24/"))
    assert f"Chapitre {article.chapter.number}, article 24" in html
    assert f'<span class="visually-hidden">Chapitre {article.chapter.number}</span>' in html
    assert "Lien permanent vers Article 24" in html
    note = reviewed_work["note"]
    html = text_of(client.get(f"/fr/annotations/{note.pk}/"))
    assert f"<title>Annotation {note.pk} ·" in html
    assert "Degré de confiance\u00a0: " in text_of(client.get("/fr/convention/articles/5/"))
    about = text_of(client.get("/fr/about/"))
    assert "Adoptée le " in about and "Ouverte à la signature le " in about


def test_review_queue_labels_and_dates_are_whole_phrases(
    client, compiled_catalogues, analyst, editor
):
    note = annotation_create(
        provision=art("art_24"), author=analyst, body="Waiting note", status="submitted"
    )
    client.force_login(editor)
    verify_session(client, editor)
    html = text_of(client.get("/fr/review/"))
    assert (
        f'<span class="visually-hidden">Sélectionner l&#x27;annotation {note.pk}</span>' in html
        or f'<span class="visually-hidden">Sélectionner l\'annotation {note.pk}</span>' in html
    )
    assert re.search(r'<time datetime="[^"]+">écrite le \d', html)
    assert re.search(r'<time datetime="[^"]+">soumise le \d', html)


def test_a_badge_says_its_count_in_agreement(client, compiled_catalogues, analyst, reviewed_work):
    client.force_login(analyst)
    # Two pieces of news since the last visit: a note published, a link approved.
    html = text_of(client.get("/ru/"))
    assert re.search(r'id="workspace-badge">2<span class="visually-hidden"> новых</span>', html)
    html = text_of(client.get("/fr/"))
    assert re.search(r'id="workspace-badge">2<span class="visually-hidden"> nouveaux</span>', html)


def test_the_annotate_page_names_its_article_in_one_phrase(client, compiled_catalogues, analyst):
    client.force_login(analyst)
    html = text_of(client.get("/fr/convention/articles/24/annotate/"))
    assert "<h1>Annoter l&#x27;article 24</h1>" in html or "<h1>Annoter l'article 24</h1>" in html
    html = text_of(client.get("/ar/convention/articles/24/annotate/"))
    assert "<h1>علِّق على المادة 24</h1>" in html
