"""Demo members and content for `seed --demo`: what `make run` shows a newcomer."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from provisions.models import Member

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
    return lines
