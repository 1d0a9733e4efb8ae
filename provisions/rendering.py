"""User-written Markdown → sanitised HTML. The only way user text becomes markup.

markdown-it-py renders with raw HTML switched off; nh3 (ammonia) then keeps only an allowlist of
tags and attributes: no `on*`, `style`, `class`, `id` or `hx-*` attribute ever survives (htmx
would act on those), links can only be http(s)/mailto and get rel="nofollow noopener noreferrer",
and images are dropped (no remote images: they would leak readers' addresses to another host).
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["strikethrough", "table"])

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def contains_image(text: str) -> bool:
    """Whether the Markdown holds an image (`![words](address)`, also by reference): the
    renderer would drop it, so the writing service refuses it with a message instead."""

    def walk(tokens) -> bool:
        return any(token.type == "image" or walk(token.children or ()) for token in tokens)

    # Every image, inline or by reference, starts with "![": without it there is nothing to
    # parse for (an import checks thousands of notes).
    if "![" not in (text or ""):
        return False
    return walk(_markdown.parse(text))


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML (a plain str, to be stored or wrapped by `as_safe_html`)."""
    # Headings h1/h2 would break the page outline; render them as h3 and below.
    html = _markdown.render(text or "")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    return sanitise_html(html)


def as_safe_html(stored_html: str) -> SafeString:
    """Mark stored, already-rendered HTML safe — after sanitising it again, so that HTML
    written into the database by any other path (an import, the admin) is still inert."""
    return mark_safe(sanitise_html(stored_html or ""))  # noqa: S308 — sanitised just above
