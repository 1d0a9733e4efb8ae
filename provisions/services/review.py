"""An editor's decision over several items of the review queue at once: all or nothing.

Each item goes through its own service (link_approve, annotation_publish, link_reject,
annotation_reject), inside one transaction: a single refusal rolls every item back.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from provisions.models import Annotation, ProvisionLink
from provisions.services.annotations import annotation_publish, annotation_reject
from provisions.services.links import link_approve, link_reject


class BulkRefused(Exception):
    """A service refused one item of a bulk action; nothing was changed."""

    def __init__(self, item: Annotation | ProvisionLink, refusal: ValidationError):
        self.item = item
        # The service's own words about that item.
        self.text = " ".join(refusal.messages)
        super().__init__(self.text)


@transaction.atomic
def review_bulk(
    *,
    editor,
    action: str,
    links: list[ProvisionLink],
    annotations: list[Annotation],
    reason: str = "",
) -> int:
    """Apply `action` to the selected items (links are approved, annotations published, or
    both rejected with `reason`) and return how many were done.

    Raises ValidationError when there is nothing to do (an unknown action, or no item it
    applies to) and BulkRefused, naming the item, when a service refuses one.
    """
    if action == "approve_links":
        todo = [(link_approve, {"link": link}) for link in links]
        nothing = _("Select at least one link to approve.")
    elif action == "publish_annotations":
        todo = [(annotation_publish, {"annotation": a}) for a in annotations]
        nothing = _("Select at least one annotation to publish.")
    elif action == "reject":
        todo = [(link_reject, {"link": link, "reason": reason}) for link in links] + [
            (annotation_reject, {"annotation": a, "reason": reason}) for a in annotations
        ]
        nothing = _("Select at least one item to reject.")
    else:
        todo, nothing = [], _("Choose what to do with the selected items.")
    if not todo:
        raise ValidationError(nothing)
    for service, arguments in todo:
        try:
            service(editor=editor, **arguments)
        except ValidationError as refusal:
            item = arguments.get("link") or arguments.get("annotation")
            raise BulkRefused(item, refusal) from refusal
    return len(todo)
