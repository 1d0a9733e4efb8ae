"""Benchmark data: annotations, replies, tags and links at a chosen size, written fast.

`generate(total=…)` adds `total` annotations spread over the Convention's articles (with replies,
concerns, demands, tags and one revision each, as the services would have left them) and about
one provision link per 50 annotations, to a database that holds the seeded Convention. One
article (24 by default) gets exactly `featured` published top-level annotations, plus a few
published replies and some drafts and submissions the public never sees.

Rows are written with bulk_create in batches, with one progress line per batch. Bodies come from
a few hundred Markdown templates, each rendered once; quotes are real spans of the provision text
with W3C selectors from `provisions.anchoring.make_selectors`. The same seed gives the same data.

Run it through `manage.py generate_bench_data --annotations 10000` or `bench/run.py`.
"""

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from provisions import roles
from provisions.anchoring import make_selectors
from provisions.cache.generations import everything_changed
from provisions.models import (
    Annotation,
    Concern,
    Member,
    Provision,
    ProvisionLink,
    Revision,
    SafeguardDemand,
    Tag,
)
from provisions.rendering import render_markdown
from provisions.services import history
from provisions.services.annotations import tag_slug

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
FEATURED_ARTICLE = 24
FEATURED_PUBLISHED = 200
BATCH_SIZE = 2_000
USER_PREFIX = "bench-"
LOGIN_ANALYST = "bench-analyst"
ANALYSTS = 24
EDITORS = 4
REPLY_SHARE = 0.12
# Top-level annotations: how many end up in each state.
STATUS_WEIGHTS = {"published": 65, "submitted": 14, "draft": 13, "rejected": 8}
LINK_STATUS_WEIGHTS = {"approved": 60, "proposed": 25, "rejected": 15}

OPENINGS = [
    "This provision is broader than the coalition's reading of the mandate.",
    "The wording here leaves the key terms undefined.",
    "Read together with the chapter's other articles, this paragraph widens State powers.",
    "Compared with the Budapest Convention, the text drops an important limit.",
    "Several delegations asked for narrower language here during the negotiations.",
    "The **editorial summary** hides how much discretion this leaves to national law.",
    "Our partners flagged this provision in their submissions to the Ad Hoc Committee.",
    "The obligation is mandatory (*shall*), not optional (*may*).",
]
MIDDLES = [
    "It lets authorities order real-time collection of traffic data without prior judicial "
    "authorisation, which opens the door to **mass surveillance** of communications.",
    "Nothing here requires that covert surveillance measures be necessary and proportionate, "
    "nor that people be told afterwards that they were monitored.",
    "The definition of the offence has no requirement of *intent to cause harm*, so good-faith "
    "security research and journalism could be criminalised.",
    "Dual criminality is not required, so a State can ask for assistance over conduct that is "
    "lawful where the data is held.",
    "There is no ground to refuse cooperation when the request targets political dissent, "
    "which invites transnational repression.",
    "Personal data can be transferred abroad without a data-protection standard of the "
    "receiving State being checked first.",
    "Service providers can be compelled to keep the order secret indefinitely, with no "
    "transparency reporting allowed.",
    "The article reaches *any serious crime*, far beyond cybercrime as such, because the "
    "threshold is four years of imprisonment.",
    "Encryption is not mentioned, but the power to compel *assistance* could be read as a "
    "duty to weaken it.",
    "Human-rights safeguards are left to domestic law, which in many States offers none.",
]
CLOSINGS = [
    "States should attach an interpretative declaration limiting it to the offences of "
    "Articles 7 to 11.",
    "Recommended reading: the [OHCHR comments](https://www.ohchr.org/en/cybercrime) on the "
    "draft text.",
    "Ratifying States should:\n\n- require prior judicial authorisation,\n- notify people "
    "affected,\n- publish statistics every year.",
    "Civil society should watch how this is implemented in the first ratifying States.",
    "See also our note on Article 40 (grounds for refusal).",
]
REPLIES = [
    "Agreed. The same problem appears in Article 35.",
    "I'd soften this: the chapeau refers back to Article 6.",
    "Good point, worth adding the negotiation history here.",
    "Do we have a source for the delegations' position?",
    "+1, this should go into the briefing for parliamentarians.",
    "The travaux préparatoires support this reading.",
]
TAGS = [
    "surveillance", "data protection", "encryption", "journalists", "security research",
    "dual criminality", "extradition", "mutual legal assistance", "traffic data",
    "content data", "proportionality", "judicial oversight", "transparency", "secrecy orders",
    "free expression", "privacy", "transnational repression", "service providers",
    "definitions", "scope", "human rights", "remedies", "notification", "retention",
    "cross-border access", "24/7 network", "jurisdiction", "child protection",
    "gender", "minorities", "whistleblowers", "due process", "oversight", "safeguards",
    "interpretative declaration", "reservations", "Budapest Convention", "ratification",
    "implementation", "capacity building",
]  # fmt: skip
REVIEW_REASONS = [
    "Please cite the paragraph you mean.",
    "This repeats an existing annotation; merge them.",
    "Needs a source for the factual claim.",
]
LINK_RATIONALES = [
    "The power described here is where the coalition's concern applies most directly.",
    "This paragraph sets the scope that the concern is about.",
    "Without a safeguard here, the concern in the statement is unanswered.",
]


@dataclass
class GenerationReport:
    annotations: int = 0
    published: int = 0
    replies: int = 0
    featured_published: int = 0
    links: int = 0
    tags: int = 0
    tag_links: int = 0
    users: int = 0
    revisions: int = 0
    seconds: float = 0.0
    bodies_rendered: int = 0
    by_status: dict = field(default_factory=dict)


class _Bodies:
    """Markdown bodies from templates, each rendered to HTML once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rendered: dict[str, str] = {}

    def _pair(self, body: str) -> tuple[str, str]:
        if body not in self.rendered:
            self.rendered[body] = render_markdown(body)
        return body, self.rendered[body]

    def note(self) -> tuple[str, str]:
        rng = self.rng
        return self._pair(f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)}\n\n{rng.choice(CLOSINGS)}")

    def reply(self) -> tuple[str, str]:
        return self._pair(self.rng.choice(REPLIES))


def _words(text: str) -> list[re.Match]:
    return list(re.finditer(r"\S+", text))


def _selectors(rng: random.Random, provision: Provision, words: list[re.Match]) -> list[dict]:
    """A quote of two to eight words of the provision (three in four notes), or none."""
    if len(words) < 2 or rng.random() < 0.25:
        return []
    length = rng.randint(2, min(8, len(words)))
    first = rng.randrange(0, len(words) - length + 1)
    return make_selectors(provision.text, words[first].start(), words[first + length - 1].end())


def _users(report: GenerationReport, login_password: str | None):
    User = get_user_model()
    if User.objects.filter(username__startswith=USER_PREFIX).exists():
        raise RuntimeError(
            "This database already holds benchmark data: generate into a fresh database."
        )
    unusable = make_password(None)
    names = [f"{USER_PREFIX}analyst-{i:02d}" for i in range(1, ANALYSTS + 1)]
    names += [f"{USER_PREFIX}editor-{i}" for i in range(1, EDITORS + 1)]
    users = User.objects.bulk_create(
        User(username=name, email=f"{name}@example.org", password=unusable) for name in names
    )
    login = User.objects.create_user(LOGIN_ANALYST, f"{LOGIN_ANALYST}@example.org")
    if login_password:
        login.set_password(login_password)
    else:
        login.set_unusable_password()
    login.save()
    analysts, editors = [*users[:ANALYSTS], login], users[ANALYSTS:]
    analysts_group = Group.objects.get(name=roles.ANALYSTS)
    editors_group = Group.objects.get(name=roles.EDITORS)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=analysts_group.pk) for u in analysts]
        + [Membership(user_id=u.pk, group_id=editors_group.pk) for u in editors]
    )
    User.objects.filter(pk__in=[u.pk for u in editors]).update(is_staff=True)
    Member.objects.bulk_create(
        Member(user=u, display_name=u.username.replace(USER_PREFIX, "Bench ").title())
        for u in [*analysts, *editors]
    )
    report.users = len(analysts) + len(editors)
    return analysts, editors


def _tags(report: GenerationReport) -> list[Tag]:
    wanted = {tag_slug(name): name for name in TAGS}
    existing = set(Tag.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    Tag.objects.bulk_create(
        Tag(name=name, slug=slug) for slug, name in wanted.items() if slug not in existing
    )
    report.tags = len(wanted)
    return list(Tag.objects.filter(slug__in=wanted).order_by("pk"))


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Writer:
    """Collects annotations with their relations and writes them a batch at a time."""

    def __init__(self, report, total, progress, concerns, demands, tags):
        self.report, self.total, self.progress = report, total, progress
        self.concerns, self.demands, self.tags = concerns, demands, tags
        self.pending: list[tuple[Annotation, list, list, list]] = []
        # Published top-level annotations written so far: (pk, provision), for replies.
        self.parents: list[tuple[int, Provision]] = []
        self.started = time.monotonic()

    def add(self, annotation: Annotation, concerns=(), demands=(), tags=()) -> None:
        self.pending.append((annotation, list(concerns), list(demands), list(tags)))
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        created = Annotation.objects.bulk_create([row[0] for row in batch])
        through = (Annotation.concerns.through, Annotation.demands.through, Annotation.tags.through)
        concern_rows, demand_rows, tag_rows, revisions = [], [], [], []
        for annotation, concerns, demands, tags in batch:
            concern_rows += [
                through[0](annotation_id=annotation.pk, concern_id=c.pk) for c in concerns
            ]
            demand_rows += [
                through[1](annotation_id=annotation.pk, safeguarddemand_id=d.pk) for d in demands
            ]
            tag_rows += [through[2](annotation_id=annotation.pk, tag_id=t.pk) for t in tags]
            revisions.append(_annotation_revision(annotation, concerns, demands, tags))
        through[0].objects.bulk_create(concern_rows)
        through[1].objects.bulk_create(demand_rows)
        through[2].objects.bulk_create(tag_rows)
        Revision.objects.bulk_create(revisions)
        report = self.report
        report.annotations += len(created)
        report.revisions += len(revisions)
        report.tag_links += len(tag_rows)
        for annotation in created:
            report.by_status[annotation.status] = report.by_status.get(annotation.status, 0) + 1
            report.published += annotation.status == Annotation.Status.PUBLISHED
            report.replies += annotation.in_reply_to_id is not None
            if annotation.status == "published" and annotation.in_reply_to_id is None:
                self.parents.append((annotation.pk, annotation.provision))
        elapsed = time.monotonic() - self.started
        self.progress(
            f"  annotations {report.annotations:>7,}/{self.total:,} "
            f"({100 * report.annotations / self.total:3.0f}%) · published {report.published:,} "
            f"· replies {report.replies:,} · tag links {report.tag_links:,} "
            f"· {report.annotations / max(elapsed, 1e-6):,.0f}/s"
        )


_ACTIONS = {"draft": "created", "submitted": "submitted", "published": "published"}


def _annotation_revision(annotation: Annotation, concerns, demands, tags) -> Revision:
    """The revision the services would have recorded last (see services.history)."""
    return Revision(
        target_type=Revision.Target.ANNOTATION,
        target_id=annotation.pk,
        version=annotation.version,
        action=_ACTIONS.get(annotation.status, annotation.status),
        target_status=annotation.status,
        actor_id=annotation.reviewed_by_id or annotation.author_id,
        note=annotation.review_reason,
        snapshot=history.annotation_snapshot(
            annotation, {"concerns": concerns, "demands": demands, "tags": tags}
        ),
    )


def _new_annotation(rng, now, *, provision, author, editors, body, status, selectors, parent=None):
    reviewed = status in ("published", "rejected")
    published_at = now - timedelta(days=rng.uniform(0, 120)) if status == "published" else None
    return Annotation(
        provision=provision,
        author=author,
        in_reply_to_id=parent,
        body=body[0],
        body_html=body[1],
        selectors=selectors,
        status=status,
        version={"draft": 1, "submitted": 2}.get(status, 3),
        submitted_at=None if status == "draft" else now - timedelta(days=rng.uniform(0, 150)),
        published_at=published_at,
        reviewed_by=rng.choice(editors) if reviewed else None,
        review_reason=rng.choice(REVIEW_REASONS) if status == "rejected" else "",
    )


def _links(rng, report, provisions, concerns, demands, analysts, editors, count, now) -> None:
    links, revisions = [], []
    for _ in range(count):
        provision = rng.choice(provisions)
        is_concern = rng.random() < 0.7
        status = _weighted(rng, LINK_STATUS_WEIGHTS)
        links.append(
            ProvisionLink(
                provision=provision,
                concern=rng.choice(concerns) if is_concern else None,
                demand=None if is_concern else rng.choice(demands),
                kind=ProvisionLink.Kind.RAISES
                if is_concern
                else ProvisionLink.Kind.SAFEGUARD_APPLIES,
                rationale=rng.choice(LINK_RATIONALES),
                confidence=rng.choice(ProvisionLink.Confidence.values),
                status=status,
                proposed_by=rng.choice(analysts),
                reviewed_by=None if status == "proposed" else rng.choice(editors),
                reviewed_at=None
                if status == "proposed"
                else now - timedelta(days=rng.uniform(0, 90)),
                review_note="Not supported by the text." if status == "rejected" else "",
                version=1 if status == "proposed" else 2,
            )
        )
    for link in ProvisionLink.objects.bulk_create(links):
        revisions.append(
            Revision(
                target_type=Revision.Target.LINK,
                target_id=link.pk,
                version=link.version,
                action={"proposed": "proposed", "approved": "approved"}.get(
                    link.status, "rejected"
                ),
                target_status=link.status,
                actor=link.reviewed_by or link.proposed_by,
                note=link.review_note,
                snapshot=history.link_snapshot(link),
            )
        )
    Revision.objects.bulk_create(revisions)
    report.links = len(links)
    report.revisions += len(revisions)


def generate(
    total: int,
    *,
    featured: int = FEATURED_PUBLISHED,
    featured_article: int = FEATURED_ARTICLE,
    links: int | None = None,
    seed: int = 2025,
    login_password: str | None = None,
    progress: Callable[[str], None] = print,
) -> GenerationReport:
    """Add `total` annotations (and links, tags, replies, members) to the seeded Convention."""
    started = time.monotonic()
    rng = random.Random(seed)
    now = timezone.now()
    report = GenerationReport()
    provisions = list(
        Provision.objects.filter(article__isnull=False)
        .select_related("article")
        .order_by("position")
    )
    featured_provisions = [p for p in provisions if p.article.number == featured_article]
    others = [p for p in provisions if p.article.number != featured_article]
    if not featured_provisions or not others:
        raise RuntimeError("Seed the Convention first (manage.py seed).")
    featured_extra = max(2, featured // 10)  # published replies on the featured article
    hidden_on_featured = max(2, featured // 13)  # drafts and submissions nobody else sees
    if total < featured + featured_extra + hidden_on_featured:
        raise ValueError(f"total must be at least {featured + featured_extra + hidden_on_featured}")
    concerns = list(Concern.objects.order_by("position"))
    demands = list(SafeguardDemand.objects.order_by("position"))
    link_count = links if links is not None else max(10, total // 50)
    progress(
        f"Generating {total:,} annotations ({featured} published on Article {featured_article}) "
        f"and {link_count:,} links…"
    )

    with transaction.atomic():
        analysts, editors = _users(report, login_password)
        tags = _tags(report)
        bodies = _Bodies(rng)
        words = {p.pk: _words(p.text) for p in provisions}
        writer = _Writer(report, total, progress, concerns, demands, tags)

        def add(provision, status, parent=None):
            body = bodies.reply() if parent is not None else bodies.note()
            annotation = _new_annotation(
                rng,
                now,
                provision=provision,
                author=rng.choice(analysts),
                editors=editors,
                body=body,
                status=status,
                selectors=[] if parent else _selectors(rng, provision, words[provision.pk]),
                parent=parent,
            )
            if parent is not None:
                writer.add(annotation)
                return
            writer.add(
                annotation,
                rng.sample(concerns, rng.choice((0, 1, 1, 2))),
                rng.sample(demands, rng.choice((0, 0, 1))),
                rng.sample(tags, rng.choice((0, 1, 2, 3))),
            )

        # The featured article: exactly `featured` published top-level annotations.
        for _ in range(featured):
            add(rng.choice(featured_provisions), "published")
        for _ in range(hidden_on_featured):
            add(rng.choice(featured_provisions), rng.choice(("draft", "submitted", "rejected")))
        replies_wanted = int((total - featured - featured_extra - hidden_on_featured) * REPLY_SHARE)
        rest = total - featured - featured_extra - hidden_on_featured - replies_wanted
        for _ in range(rest):
            add(rng.choice(others), _weighted(rng, STATUS_WEIGHTS))
        writer.flush()

        on_featured = [p for p in writer.parents if p[1].article.number == featured_article]
        elsewhere = [p for p in writer.parents if p[1].article.number != featured_article]
        for _ in range(featured_extra):
            parent, provision = rng.choice(on_featured)
            add(provision, "published", parent)
        for _ in range(replies_wanted):
            parent, provision = rng.choice(elsewhere or on_featured)
            if provision.article.number == featured_article:
                status = "submitted"  # the featured article keeps its exact published count
            else:
                status = rng.choice(("published", "published", "submitted"))
            add(provision, status, parent)
        writer.flush()
        report.featured_published = Annotation.objects.filter(
            provision__article__number=featured_article,
            status=Annotation.Status.PUBLISHED,
            in_reply_to__isnull=True,
        ).count()

        progress(f"  links: {link_count:,}…")
        _links(rng, report, provisions, concerns, demands, analysts, editors, link_count, now)
        report.bodies_rendered = len(bodies.rendered)
        # Written with bulk_create, past the services: no cached page may survive it.
        everything_changed()

    report.seconds = time.monotonic() - started
    progress(
        f"Done in {report.seconds:.1f} s: {report.annotations:,} annotations "
        f"({report.published:,} published, {report.replies:,} replies), {report.links:,} links, "
        f"{report.revisions:,} revisions, {report.bodies_rendered} distinct bodies rendered."
    )
    return report
