"""Safeguard-demand links seeded before issue 17 get sourced rationales, or are rejected.

Nine demand→article links were seeded with one shared boilerplate rationale and no source. The
seed (fixtures/coalition-statement.json) now gives eight of them a rationale of their own,
grounded in the coalition's statement and citing it, with the kind that fits; the ninth
(consult-civil-society → Article 57) rests on nothing in the statement and is no longer seeded.
Databases seeded earlier still hold the boilerplate, and `seed` creates demand links but never
rewrites them (an editor's correction must survive a deploy), so this migration brings them in
line.

It touches only links whose rationale is still exactly the boilerplate: a link an editor has
already corrected is left as it is. Each change is recorded the way the link services record
theirs (a new version, a revision with the link's state, an audit event), so editors see it in
the link's history and the audit log, and can restore the earlier version. A link that never
went through a service has no revision at all: its seeded state is recorded first, so the
history shows what changed. The ungrounded link is rejected with the reason, not deleted:
readers no longer see it and its history stays.

The values are copied here, not read from the fixture or imported from the app: a migration
must do the same thing whenever it runs, whatever the code and data become later. The cached
public pages need no call either: their keys hold a fingerprint of the code
(`provisions.cache.release`), which this very file changes on deploy.
"""

from django.db import migrations
from django.utils import timezone

BOILERPLATE = (
    "Editorial mapping: this is where the coalition's demand would apply. "
    "The statement itself names no articles."
)
# The coalition's joint statement as reported (the address the statement data cites for it).
STATEMENT = (
    "https://parma8200.com/2025/10/24/"
    "joint-statement-on-the-un-cybercrime-convention-eff-and-global-partners-urge-governments-not-to-sign"
)
NOTE = "Boilerplate rationale replaced by a sourced one (issue 17, migration 0016)."

# (demand slug, article number) → the link as the seed now creates it.
SOURCED = {
    ("laws-meet-human-rights-standards", 6): {
        "kind": "partly_meets",
        "confidence": "medium",
        "rationale": (
            "In TreatyWatch's reading, the Convention's general human-rights article is where "
            "treaty-wide protection would sit, but the coalition notes the absence of strong, "
            "treaty-wide guarantees built on legality, necessity and proportionality. The "
            "article meets the demand only in part; the rest depends on each State committing "
            "to bring its own laws up to international human-rights standards."
        ),
    },
    ("laws-meet-human-rights-standards", 24): {
        "kind": "partly_meets",
        "confidence": "medium",
        "rationale": (
            "The coalition calls the domestic safeguards of the procedural chapter weak. This "
            "article sets that chapter's conditions and safeguards but leaves their substance to "
            "each State's domestic law, so the powers are only as well guarded as national law "
            "is. In TreatyWatch's reading it meets the demand in part; a State's commitment that "
            "its laws meet international human-rights standards is what would close the gap."
        ),
    },
    ("limit-cross-border-cooperation", 35): {
        "kind": "safeguard_applies",
        "confidence": "high",
        "rationale": (
            "The coalition warns that the Convention's data-sharing powers reach any serious "
            "crime punishable by four years or more under national law, far beyond "
            "cyber-attacks. This article sets the general reach of international cooperation, "
            "evidence-gathering for such serious crimes included, so it is the first place where "
            "a State's commitment to limit its cross-border cooperation would apply."
        ),
    },
    ("limit-cross-border-cooperation", 40): {
        "kind": "safeguard_applies",
        "confidence": "medium",
        "rationale": (
            "The second half of this demand, refusing requests likely to result in abuses, is "
            "exercised one request at a time. Mutual legal assistance, the subject of this "
            "article, carries much of the cross-border data sharing the coalition warns about, "
            "so this is where a State would screen what it is asked to hand over."
        ),
    },
    ("right-to-decline-cooperation", 40): {
        "kind": "safeguard_applies",
        "confidence": "high",
        "rationale": (
            "The coalition asks States to keep the freedom to say no where cooperating would put "
            "human rights at risk. Requests for mutual legal assistance between States Parties "
            "are handled under this article's general rules, so this is where a State would "
            "reserve that right, and later rely on it when a request could expose someone to "
            "abuse."
        ),
    },
    ("transparency-on-implementation", 57): {
        "kind": "safeguard_applies",
        "confidence": "low",
        "rationale": (
            "The coalition asks States to be open about how they implement the Convention and "
            "about the cooperation requests they handle. This article sets up the Conference of "
            "the States Parties, where implementation is reviewed, so reporting there is one "
            "place where that openness could be practised. The statement does not mention the "
            "Conference, hence the low confidence."
        ),
    },
    ("assistance-tied-to-rights", 54): {
        "kind": "safeguard_applies",
        "confidence": "high",
        "rationale": (
            "The coalition asks that international assistance under the Convention be tied to "
            "human-rights compliance. This article covers technical assistance and "
            "capacity-building between States Parties, so it is where that condition would "
            "decide what help is given, and to whom."
        ),
    },
    ("assistance-tied-to-rights", 56): {
        "kind": "safeguard_applies",
        "confidence": "medium",
        "rationale": (
            "This article links implementing the Convention to economic development and "
            "technical assistance. Making that assistance conditional on human-rights "
            "compliance, as the coalition asks, would keep it from strengthening governments "
            "that, the statement warns, could use the treaty to extend their reach."
        ),
    },
}
UNGROUNDED = {
    ("consult-civil-society", 57): (
        "Not grounded: the statement asks States to commit to consulting civil society and "
        "other independent experts but ties that to no subject of the Convention, and this "
        "link had only a boilerplate rationale and no source (issue 17, migration 0016)."
    ),
}


def _snapshot(link) -> dict:
    # As provisions.services.history.link_snapshot.
    return {
        "provision": link.provision.eid,
        "concern": None,
        "demand": link.demand.slug,
        "kind": link.kind,
        "rationale": link.rationale,
        "sources": link.sources,
        "confidence": link.confidence,
        "status": link.status,
        "review_note": link.review_note,
    }


def _revision(Revision, link, *, action: str, note: str):
    Revision.objects.create(
        target_type="link",
        target_id=link.pk,
        version=link.version,
        action=action,
        target_status=link.status,
        actor=None,
        snapshot=_snapshot(link),
        note=note,
    )


def _still_boilerplate(ProvisionLink, slug: str, number: int):
    return ProvisionLink.objects.filter(
        demand__slug=slug,
        provision__eid=f"art_{number}",
        is_editorial=True,
        rationale=BOILERPLATE,
    ).select_related("provision", "demand")


def replace_boilerplate(apps, schema_editor):
    ProvisionLink = apps.get_model("provisions", "ProvisionLink")
    Revision = apps.get_model("provisions", "Revision")
    AuditEvent = apps.get_model("provisions", "AuditEvent")

    def change(
        link, number: int, new: dict, *, action: str, audit_action: str, note: str, detail: dict
    ):
        """As the link services do: the state before (if never recorded), the change as a new
        version with its revision, and an audit event (by nobody: an operator's upgrade)."""
        if not Revision.objects.filter(target_type="link", target_id=link.pk).exists():
            _revision(Revision, link, action="seeded", note="The link as first seeded.")
        for name, value in new.items():
            setattr(link, name, value)
        link.version += 1
        link.save()
        _revision(Revision, link, action=action, note=note)
        AuditEvent.objects.create(
            actor=None,
            action=audit_action,
            object_repr=f"{link.demand.title} → Article {number}"[:300],
            detail={"type": "provisionlink", "id": link.pk, "migration": "0016", **detail},
        )

    for (slug, number), values in SOURCED.items():
        for link in _still_boilerplate(ProvisionLink, slug, number):
            new = {**values, "sources": [STATEMENT]}
            change(
                link,
                number,
                new,
                action="corrected",
                audit_action="link.corrected",
                note=NOTE,
                detail={},
            )

    for (slug, number), reason in UNGROUNDED.items():
        for link in _still_boilerplate(ProvisionLink, slug, number):
            new = {
                "status": "rejected",
                "review_note": reason,
                "reviewed_by": None,
                "reviewed_at": timezone.now(),
            }
            change(
                link,
                number,
                new,
                action="rejected",
                audit_action="link.rejected",
                note=reason,
                detail={"reason": reason},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("provisions", "0015_annotation_import_provenance"),
    ]

    operations = [
        migrations.RunPython(replace_boilerplate, migrations.RunPython.noop),
    ]
