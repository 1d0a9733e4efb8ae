"""Values every page's layout needs."""

from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from provisions import roles
from provisions.queries.headings import HeadingTitles
from provisions.queries.review import waiting_count
from provisions.queries.workspace import news_count

# Which main-navigation entry a URL name belongs to (for aria-current).
NAV_SECTIONS = {
    "toc": "convention",
    "article": "convention",
    "concerns": "concerns",
    "concern": "concerns",
    "safeguards": "safeguards",
    "safeguard": "safeguards",
    "about": "about",
    "search": "search",
    "coverage": "coverage",
    "states": "states",
    "state": "states",
    "scorecard": "states",
    "commitment": "states",
    "commitment_propose": "states",
    "commitment_edit": "states",
    "commitment_queue": "review",
    "status_import": "review",
    "workspace": "workspace",
    "review": "review",
    "annotation_history": "review",
    "link_history": "review",
}


def site(request):
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "nav": NAV_SECTIONS.get(match.url_name, "") if match else "",
        # Lazy: public pages for anonymous readers never pay for a group query.
        "user_is_analyst": SimpleLazyObject(lambda: roles.is_analyst(user)),
        "user_is_editor": SimpleLazyObject(lambda: roles.is_editor(user)),
        # The navigation badges: counted only when a member's page shows them.
        "review_waiting": SimpleLazyObject(lambda: waiting_count(user)),
        "workspace_news": SimpleLazyObject(lambda: news_count(user)),
        # Article and chapter titles in the reader's language: one query, on the first heading
        # a template shows (`{% heading %}`), none for English readers.
        "headings": HeadingTitles(get_language()),
    }
