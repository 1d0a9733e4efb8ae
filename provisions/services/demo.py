"""Demo members and content for `seed --demo`: what `make run` shows a newcomer."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from provisions.anchoring import QUOTE
from provisions.models import Annotation, Member, Provision
from provisions.services.annotations import annotation_create, annotation_publish
from provisions.services.two_factor import demo_authenticator, secret_for_humans

# (article, quoted words or None for the whole provision, note, concerns, tags, final status)
DEMO_ANNOTATIONS = [
    (
        24,
        "proportionality",
        "The only treaty-wide test is **proportionality**, and it is applied under domestic law: "
        "nothing here requires prior judicial authorisation, notification of the person "
        "concerned or an effective remedy.",
        ["weak-procedural-safeguards", "no-treaty-wide-guarantees"],
        ["safeguards", "judicial oversight"],
        "published",
    ),
    (
        24,
        "domestic law",
        "Leaving the conditions to *domestic law* means the safeguards are only as strong as "
        "the weakest legal system among the States Parties.",
        ["weak-procedural-safeguards"],
        ["safeguards"],
        "published",
    ),
    (
        23,
        None,
        "The procedural powers reach evidence of *any* criminal offence, not only the "
        "Convention's cybercrimes. See the coalition's first concern.",
        ["serious-crime-scope"],
        ["scope"],
        "submitted",
    ),
    (
        30,
        None,
        "Draft: compare with the interception standards of the ICCPR General Comment 16.",
        ["surveillance-secure-communications"],
        ["interception"],
        "draft",
    ),
]

# Demo accounts exist only on a developer's SQLite database; their passwords are printed.
DEMO_MEMBERS = [
    ("analyst", "Analysts", "Demo Analyst", "demo-analyst-pass"),
    ("editor", "Editors", "Demo Editor", "demo-editor-pass"),
]


@transaction.atomic
def create_demo_content() -> list[str]:
    User = get_user_model()
    lines = []
    for username, group_name, display_name, password in DEMO_MEMBERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.set_password(password)
            user.is_staff = group_name == "Editors"
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        Member.objects.get_or_create(user=user, defaults={"display_name": display_name})
        lines.append(f"  {group_name[:-1].lower():8} username: {username:8} password: {password}")
        if group_name == "Editors":
            lines.extend(_demo_second_factor(user))
    _create_demo_annotations(
        User.objects.get(username="analyst"), User.objects.get(username="editor")
    )
    return lines


def _demo_second_factor(user) -> list[str]:
    """Editors must use two-factor sign-in, so the demo editor has an authenticator; a newcomer
    gets its codes from `manage.py totp_code` (development only) or adds the key to an app."""
    device = demo_authenticator(user)
    return [
        f"  {'':8} then a two-factor code: run `make totp-code` (or `DJANGO_DEBUG=1"
        f" .venv/bin/python manage.py totp_code {user.username}`),",
        f"  {'':8} or add the key {secret_for_humans(device.key)} to an authenticator app",
    ]


def _create_demo_annotations(analyst, editor) -> None:
    if Annotation.objects.filter(author=analyst).exists():
        return  # idempotent: the demo analysis is already there
    for number, words, body, concerns, tags, final in DEMO_ANNOTATIONS:
        provision = Provision.objects.get(eid=f"art_{number}")
        selectors = None
        if words and words in provision.text:
            selectors = [{"type": QUOTE, "exact": words}]
        annotation = annotation_create(
            provision=provision,
            author=analyst,
            body=body,
            selectors=selectors,
            concerns=concerns,
            tags=tags,
            status="draft" if final == "draft" else "submitted",
        )
        if final == "published":
            annotation_publish(annotation=annotation, editor=editor)
