"""The team as the members page lists it: every account with its roles, profile, authenticator
and live enrolment link."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from provisions import roles
from provisions.models import EnrolmentLink

# The groups that make a role; any other group a member is in is not listed.
ROLE_GROUP_NAMES = (roles.ANALYSTS, roles.EDITORS)


def members_listing():
    """Every account with its role groups, profile, authenticator and live enrolment link: one
    query for the accounts and one for their groups, however many there are."""
    now = timezone.now()
    live_links = EnrolmentLink.objects.filter(
        user=OuterRef("pk"), used_at__isnull=True, expires_at__gt=now
    )
    return (
        get_user_model()
        .objects.select_related("member")
        .prefetch_related(
            Prefetch(
                "groups", queryset=Group.objects.filter(name__in=(roles.ANALYSTS, roles.EDITORS))
            )
        )
        .annotate(
            has_authenticator=Exists(
                TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            ),
            link_expires_at=Subquery(live_links.order_by("-expires_at").values("expires_at")[:1]),
        )
        .order_by("-is_active", "username")
    )
