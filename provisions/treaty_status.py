"""Reading the treaty's status: where each party stands, how many instruments count towards entry
into force (Article 65), and how long signature stays open (Article 64).

Everything here is computed from the imported treaty actions; no count is ever typed in.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from provisions.country_names import sort_key
from provisions.models import Commitment, Party, SafeguardDemand, TreatyAction
from provisions.queries.translations import with_translations

# The page-cache scope of every page that shows the scorecard (provisions/cache/). Treaty
# actions are imported rarely and retire every cached page; a published commitment retires this.
CACHE_SCOPE = "states"
# Article 65(1): in force on the ninetieth day after the fortieth instrument is deposited.
INSTRUMENTS_NEEDED = 40
DAYS_AFTER_FORTIETH = 90
# Article 65(2): for a State that consents later, the thirtieth day after its own deposit.
DAYS_AFTER_LATER_INSTRUMENT = 30
SIGNATURE_CLOSES = datetime.date(2026, 12, 31)
# Signature closes at United Nations Headquarters, so "today" is New York's date.
DEPOSITARY_TIME_ZONE = ZoneInfo("America/New_York")


class Standing:
    """Where a party stands, from its actions. The order is the table's order by status."""

    PARTY = "party"
    SIGNED = "signed"
    DENOUNCED = "denounced"
    NOT_SIGNED = "not-signed"

    LABELS = {
        PARTY: _("Party (instrument deposited)"),
        SIGNED: _("Signed, not yet ratified"),
        DENOUNCED: _("Denounced"),
        NOT_SIGNED: _("Not signed"),
    }
    ORDER = [PARTY, SIGNED, DENOUNCED, NOT_SIGNED]


@dataclass
class PartyStatus:
    party: Party
    actions: list[TreatyAction]
    signature: TreatyAction | None = None
    consent: TreatyAction | None = None
    denunciation: TreatyAction | None = None
    in_force_from: datetime.date | None = None

    @property
    def standing(self) -> str:
        if self.denunciation is not None:
            return Standing.DENOUNCED
        if self.consent is not None:
            return Standing.PARTY
        if self.signature is not None:
            return Standing.SIGNED
        return Standing.NOT_SIGNED

    @property
    def standing_label(self):
        return Standing.LABELS[self.standing]

    @property
    def counts(self) -> bool:
        """Its instrument counts towards the forty of Article 65(1)."""
        return (
            self.party.counts_towards_entry_into_force
            and self.consent is not None
            and self.consent.kind in TreatyAction.COUNTING
        )

    @property
    def is_demo(self) -> bool:
        return any(action.is_demo for action in self.actions)

    @property
    def reported_only(self) -> bool:
        """Every fact shown for it is reported, none confirmed by the depositary."""
        return bool(self.actions) and all(a.confidence == "reported" for a in self.actions)


def status_of(party: Party) -> PartyStatus:
    """A party's standing from its actions (prefetched by Party.objects.with_actions())."""
    actions = list(party.actions.all())
    status = PartyStatus(party=party, actions=actions)
    for action in actions:  # in date order
        if action.kind == TreatyAction.Kind.SIGNATURE and status.signature is None:
            status.signature = action
        elif action.kind in TreatyAction.CONSENT and status.consent is None:
            status.consent = action
        elif action.kind == TreatyAction.Kind.DENUNCIATION:
            status.denunciation = action
    return status


@dataclass
class Overview:
    statuses: list[PartyStatus]
    today: datetime.date
    signatories: int = 0
    parties: int = 0
    counting: int = 0
    fortieth: PartyStatus | None = None
    entry_into_force: datetime.date | None = None
    by_standing: dict = field(default_factory=dict)

    @property
    def needed(self) -> int:
        return INSTRUMENTS_NEEDED

    @property
    def missing(self) -> int:
        return max(INSTRUMENTS_NEEDED - self.counting, 0)

    @property
    def signature_open(self) -> bool:
        return self.today <= SIGNATURE_CLOSES

    @property
    def signature_closes(self) -> datetime.date:
        return SIGNATURE_CLOSES

    @property
    def days_left(self) -> int:
        """Whole days after today until signature closes (0: today is the last day)."""
        return (SIGNATURE_CLOSES - self.today).days

    @property
    def in_force(self) -> bool:
        return self.entry_into_force is not None and self.entry_into_force <= self.today

    @property
    def has_demo(self) -> bool:
        return any(status.is_demo for status in self.statuses)


def depositary_today() -> datetime.date:
    return timezone.localdate(timezone=DEPOSITARY_TIME_ZONE)


def overview(statuses: list[PartyStatus], today: datetime.date | None = None) -> Overview:
    """Counts and dates for the whole treaty; sets each status's `in_force_from`."""
    today = today or depositary_today()
    result = Overview(statuses=statuses, today=today)
    result.signatories = sum(1 for s in statuses if s.signature is not None)
    result.parties = sum(1 for s in statuses if s.standing == Standing.PARTY)
    counting = sorted(
        (s for s in statuses if s.counts), key=lambda s: (s.consent.date, s.consent.pk)
    )
    result.counting = len(counting)
    if len(counting) >= INSTRUMENTS_NEEDED:
        result.fortieth = counting[INSTRUMENTS_NEEDED - 1]
        start = result.fortieth.consent.date + datetime.timedelta(days=DAYS_AFTER_FORTIETH)
        result.entry_into_force = start
        for status in statuses:
            if status.consent is not None:
                own = status.consent.date + datetime.timedelta(days=DAYS_AFTER_LATER_INSTRUMENT)
                status.in_force_from = max(start, own)
    result.by_standing = {
        key: sum(1 for s in statuses if s.standing == key) for key in Standing.ORDER
    }
    return result


def all_statuses() -> list[PartyStatus]:
    """Every party's status (two queries)."""
    return [status_of(party) for party in Party.objects.with_actions()]


# --- The scorecard --------------------------------------------------------------------------

# The levels that count as a commitment (in full or in part) in the gap views.
COMMITTING = (Commitment.Level.COMMITTED, Commitment.Level.PARTLY)


def latest_published_commitments(**filters) -> dict[tuple[int, int], Commitment]:
    """(party id, demand id) → the most recently published commitment (one query)."""
    latest = {}
    published = Commitment.objects.published().filter(**filters).select_related("party")
    for commitment in published.order_by("published_at", "pk"):
        latest[(commitment.party_id, commitment.demand_id)] = commitment
    return latest


def commitments_by_level(demand) -> list:
    """[(level, label, [the parties' latest published commitments at that level])] for the
    levels a party can be listed under (committed, partly, none, contrary)."""
    latest = latest_published_commitments(demand=demand)
    parties = sorted(latest.values(), key=lambda c: sort_key(c.party.display_name))
    return [
        (level, label, [c for c in parties if c.level == level])
        for level, label in Commitment.Level.choices
        if level != Commitment.Level.UNKNOWN
    ]


@dataclass
class ScorecardRow:
    status: PartyStatus
    cells: list  # one per demand: a published Commitment, or None (unknown)

    @property
    def commits_to_something(self) -> bool:
        return any(cell is not None and cell.level in COMMITTING for cell in self.cells)


def scorecard(statuses: list[PartyStatus]) -> tuple[list[SafeguardDemand], list[ScorecardRow]]:
    """The six demands (in the reader's language: one more query in another) and, per party, its
    published commitment on each (two more queries)."""
    demands = list(with_translations(SafeguardDemand.objects.order_by("position")))
    latest = latest_published_commitments()
    rows = [
        ScorecardRow(s, [latest.get((s.party.pk, demand.pk)) for demand in demands])
        for s in statuses
    ]
    return demands, rows


# --- Everything about the states, for exports and the API --------------------------------------


@dataclass
class PartyRecord:
    status: PartyStatus
    declarations: list
    commitments: list  # [(demand, latest published Commitment or None)]


def states_records(code: str | None = None) -> tuple[Overview, list[PartyRecord]]:
    """Every party (or the one with this code) with its actions, declarations and published
    commitments, and the treaty-wide counts: six queries for any number of parties."""
    from provisions.models import Declaration

    statuses = all_statuses()
    summary = overview(statuses)
    if code is not None:
        statuses = [s for s in statuses if s.party.code == code]
    parties = [s.party.pk for s in statuses]
    declarations: dict[int, list] = {}
    for declaration in (
        Declaration.objects.filter(party_id__in=parties)
        .prefetch_related("provisions__article")
        .order_by("date", "pk")
    ):
        declarations.setdefault(declaration.party_id, []).append(declaration)
    demands = list(SafeguardDemand.objects.order_by("position"))
    latest = latest_published_commitments(party_id__in=parties)
    records = [
        PartyRecord(
            status=s,
            declarations=declarations.get(s.party.pk, []),
            commitments=[(d, latest.get((s.party.pk, d.pk))) for d in demands],
        )
        for s in statuses
    ]
    return summary, records
