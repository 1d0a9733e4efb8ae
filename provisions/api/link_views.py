"""The JSON API's links (provision ↔ concern or safeguard demand): read them, propose one, approve
one. Reads go through `ProvisionLink.objects.visible_to`; writes through the services.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from provisions import services
from provisions.api import serializers
from provisions.api.auth import token_required
from provisions.api.endpoint import endpoint, json_response, paginate, query_text, read_json
from provisions.api.inputs import (
    MAX_ID,
    check_id,
    check_keys,
    provision_from_source,
    string_list,
    where_and_status,
)
from provisions.cache.scopes import ANALYSIS
from provisions.models import ProvisionLink

LINK_CREATE_KEYS = {
    "provision",
    "concern",
    "safeguard",
    "kind",
    "rationale",
    "sources",
    "confidence",
}
LINK_APPROVE_KEYS = {"note", "kind", "rationale", "sources", "confidence"}


def link_response(request, pk: int, *, status: int = 200, location: bool = False):
    link = ProvisionLink.objects.select_related("provision__article", "concern", "demand").get(
        pk=pk
    )
    response = json_response(serializers.link_to_dict(link, request), status=status)
    if location:
        response["Location"] = request.build_absolute_uri(reverse("api:link", kwargs={"pk": pk}))
    return response


def public_links():
    return ProvisionLink.objects.public().select_related("provision__article", "concern", "demand")


def get_links(request):
    links = (
        ProvisionLink.objects.visible_to(request.user)
        .select_related("provision__article", "concern", "demand")
        .order_by("provision__position", "pk")
    )
    links = where_and_status(request, links, ProvisionLink.Status)
    if concern := query_text(request, "concern"):
        links = links.filter(concern__slug=concern)
    if safeguard := query_text(request, "safeguard"):
        links = links.filter(demand__slug=safeguard)
    return json_response(
        paginate(request, links, lambda link: serializers.link_to_dict(link, request))
    )


@token_required
def post_links(request):
    data = read_json(request)
    check_keys(data, LINK_CREATE_KEYS)
    provision = provision_from_source(data.get("provision"), "provision")
    for key in ("concern", "safeguard", "kind", "confidence"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValidationError({key: _("Give a name (text).")})
    link = services.link_propose(
        provision=provision,
        proposer=request.user,
        rationale=data.get("rationale"),
        concern=data.get("concern"),
        demand=data.get("safeguard"),
        kind=data.get("kind"),
        sources=string_list(data, "sources") or (),
        confidence=data.get("confidence", ProvisionLink.Confidence.MEDIUM),
    )
    return link_response(request, link.pk, status=201, location=True)


def get_link(request, pk: int):
    link = get_object_or_404(
        ProvisionLink.objects.visible_to(request.user).select_related(
            "provision__article", "concern", "demand"
        ),
        pk=check_id(pk),
    )
    return json_response(serializers.link_to_dict(link, request))


@token_required
def post_link_approve(request, pk: int):
    data = read_json(request, optional=True)
    check_keys(data, LINK_APPROVE_KEYS)
    link = get_object_or_404(ProvisionLink.objects.visible_to(request.user), pk=check_id(pk))
    note = data.get("note", "")
    if not isinstance(note, str):
        raise ValidationError({"note": _("The note must be text.")})
    changes = {key: data[key] for key in ("kind", "rationale", "confidence") if key in data}
    if "sources" in data:
        changes["sources"] = string_list(data, "sources")
    link = services.link_approve(link=link, editor=request.user, note=note, **changes)
    return link_response(request, link.pk)


links = endpoint(name="links", get=get_links, post=post_links, public_scopes=lambda: (ANALYSIS,))
# One approved link: its approval, edit or retraction retires the public analysis.
link = endpoint(
    name="link",
    get=get_link,
    public_scopes=lambda pk: (ANALYSIS,) if pk <= MAX_ID else None,
)
link_approve = endpoint(name="link_approve", post=post_link_approve)
