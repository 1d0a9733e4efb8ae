"""Atom feed of what was newly made public: published annotations and approved links.

Entry summaries are HTML: an annotation's stored body sanitised again on the way out, a link's
rationale escaped as plain text. Authors are credited by their public name, never by username or
e-mail.

Atom (RFC 4287 §4.1.1) wants an author on the feed or on every entry; both are given. The feed's
author is the site (`FEED_AUTHOR`). An annotation's author is its writer's public name; a link's
is the public name of the member who proposed it, or the site for an editorial mapping (which no
member proposed) and for a link whose proposer's account is gone.
"""

import re

from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from provisions.exports import public_links
from provisions.models import Annotation, ProvisionLink
from provisions.public_names import public_name
from provisions.queries.translations import ANNOTATION_POINTS, LINK_POINTS, with_translations
from provisions.rendering import as_safe_html
from provisions.text import http_url

FEED_SIZE = 30
# Who publishes the feed (a name, not translated), and who an entry without a member is credited to.
FEED_AUTHOR = "TreatyWatch"
# XML 1.0 has no place for most control characters, and Django's feed writer refuses them with an
# error: a display name (or quoted text) holding one would take the whole feed down.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(value):
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return [_xml_safe(item) for item in value]
    return value


class XmlSafeAtom1Feed(Atom1Feed):
    def add_item(self, **fields):
        super().add_item(**{name: _xml_safe(value) for name, value in fields.items()})


class LatestAnalysisFeed(Feed):
    feed_type = XmlSafeAtom1Feed

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def title(self):
        return _("TreatyWatch: newly published analysis")

    def subtitle(self):
        return _(
            "Annotations published and concern or safeguard links approved on the UN Convention "
            "against Cybercrime."
        )

    def link(self):
        return reverse("provisions:home")

    def feed_url(self):
        return reverse("provisions:feed_latest")

    def author_name(self):
        return FEED_AUTHOR

    def author_link(self):
        return self.request.build_absolute_uri(reverse("provisions:home"))

    def items(self):
        """The newest annotations and links together, newest first."""
        # Concern and demand titles (entry titles, categories) in the feed's language.
        annotations = list(
            with_translations(
                Annotation.objects.published().for_display(), *ANNOTATION_POINTS
            ).order_by("-published_at", "-pk")[:FEED_SIZE]
        )
        links = list(
            with_translations(
                public_links().select_related("proposed_by__member"), *LINK_POINTS
            ).order_by("-reviewed_at", "-pk")[:FEED_SIZE]
        )
        entries = annotations + links
        entries.sort(key=self.item_pubdate, reverse=True)
        return entries[:FEED_SIZE]

    def item_title(self, item):
        where = _where(item.provision)
        if isinstance(item, Annotation):
            return _("%(author)s on %(where)s") % {
                "author": public_name(item.author),
                "where": where,
            }
        point = item.concern or item.demand
        return _("%(where)s linked to “%(point)s”") % {"where": where, "point": _title(point)}

    def item_description(self, item):
        if isinstance(item, Annotation):
            # The page's own partial: the quote names the text it was taken from.
            quote = render_to_string("provisions/_quote.html", {"annotation": item})
            return format_html("{}{}", quote, as_safe_html(item.body_html))
        sources = [http_url(s) for s in item.sources or []]
        source_list = format_html_join(
            "", '<li><a href="{0}">{0}</a></li>', ((s,) for s in sources if s)
        )
        return format_html(
            "<p><strong>{}</strong> ({}: {})</p><p>{}</p>{}",
            item.get_kind_display(),
            _("confidence"),
            item.get_confidence_display(),
            item.rationale,
            format_html("<ul>{}</ul>", source_list) if source_list else "",
        )

    def item_link(self, item):
        if isinstance(item, Annotation):
            return item.get_absolute_url()
        return item.provision.get_absolute_url()

    def item_guid(self, item):
        # Several links can point at the same article, so a link's entry id names the link.
        if isinstance(item, Annotation):
            return self.request.build_absolute_uri(item.get_absolute_url())
        page = item.provision.get_absolute_url().partition("#")[0]
        return self.request.build_absolute_uri(f"{page}#link-{item.pk}")

    def item_guid_is_permalink(self, item):
        return isinstance(item, Annotation)

    def item_pubdate(self, item):
        if isinstance(item, Annotation):
            return item.published_at
        return item.reviewed_at

    def item_updateddate(self, item):
        if isinstance(item, Annotation):
            return item.updated_at
        return item.reviewed_at

    def item_author_name(self, item):
        if isinstance(item, Annotation):
            return public_name(item.author)
        if item.is_editorial or item.proposed_by is None:
            return FEED_AUTHOR
        return public_name(item.proposed_by)

    def item_categories(self, item):
        if isinstance(item, ProvisionLink):
            return [_title(item.concern or item.demand)]
        return [
            *(_title(c) for c in item.concerns.all()),
            *(_title(d) for d in item.demands.all()),
            *(t.name for t in item.tags.all()),
        ]


def _title(point) -> str:
    """A concern's or demand's title in the feed's language, or the English: a feed's titles
    and categories are plain text, with no room for the pages' "not yet translated" note."""
    return point.shown("title").text


def _where(provision) -> str:
    return provision.citation
