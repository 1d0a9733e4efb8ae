"""Writes to the treaty's status: the parties (seeded from packaged country data) and the
import of signatures, ratifications, declarations and reservations from a CSV file.

The import (`treaty_status_import`) is all or nothing: every row is checked first, and one bad
row refuses the whole file with its line number and the reason, changing nothing. A row is the
same fact on a second run when its party, action, date (and, for a declaration, the provisions
it concerns) are the same: the same file twice changes nothing.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.cache.generations import everything_changed
from provisions.models import Article, Declaration, Party, Provision, Region, TreatyAction
from provisions.rendering import render_markdown
from provisions.services.audit import audit_record
from provisions.text import clean_text

# Article 64: open for signature in Hanoi from 25 October 2025, then at UN Headquarters until
# 31 December 2026.
SIGNATURE_OPENS = datetime.date(2025, 10, 25)
SIGNATURE_CLOSES = datetime.date(2026, 12, 31)
COLUMNS = ("party", "action", "date", "reference", "articles", "text", "source", "confidence")
MAX_TEXT_CHARS = 20_000
MAX_REFERENCE_CHARS = 100
MAX_SOURCE_CHARS = 500
MAX_ROWS = 5_000
STATUS_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "treaty-status-sources.csv"

# The UN's two non-member observer States (the Holy See since 1964; the State of Palestine by
# General Assembly resolution 67/19 of 2012). No packaged dataset flags observer status, so
# these two codes are named here; their names and regions come from the packages like every
# other party's.
UN_OBSERVER_STATES = ("VAT", "PSE")
EUROPEAN_UNION = "EUU"
# country_converter's continent names → the M49 regions.
_M49_REGIONS = {
    "Africa": Region.AFRICA,
    "America": Region.AMERICAS,
    "Americas": Region.AMERICAS,
    "Asia": Region.ASIA,
    "Europe": Region.EUROPE,
    "Oceania": Region.OCEANIA,
}


# --- Parties ----------------------------------------------------------------------------------


def un_member_and_observer_states() -> list[dict]:
    """Every UN member State and observer State: code, alpha-2, name, kind, M49 region.

    Membership and regions come from the `country_converter` package's table (its UNmember
    column: the year of admission; its continent and UNregion columns: the M49 region and
    sub-region); codes and names from `pycountry` (ISO 3166-1). Used at seed time only: the
    package brings pandas, which the running site never imports.
    """
    import country_converter
    import pycountry

    table = country_converter.CountryConverter().data
    states = []
    for row in table.to_dict("records"):
        code = row["ISO3"]
        is_member = row["UNmember"] == row["UNmember"] and row["UNmember"] not in (None, "")
        if not is_member and code not in UN_OBSERVER_STATES:
            continue
        country = pycountry.countries.get(alpha_3=code)
        if country is None:
            raise ValueError(f"pycountry does not know {code}")
        states.append(
            {
                "code": country.alpha_3,
                "alpha2": country.alpha_2.lower(),
                "name": _readable_name(country),
                "kind": Party.Kind.STATE if is_member else Party.Kind.OBSERVER,
                "region": _M49_REGIONS[row["continent"]],
                "subregion": row["UNregion"],
                "counts_towards_entry_into_force": True,
            }
        )
    return states


def _readable_name(country) -> str:
    """ISO's common name where it has one; "Palestine, State of" read as "State of Palestine"."""
    name = getattr(country, "common_name", None) or country.name
    if ", " in name:
        head, tail = name.split(", ", 1)
        name = f"{tail.removeprefix('The ')} {head}"
    return name


def european_union() -> dict:
    return {
        "code": EUROPEAN_UNION,
        "alpha2": "",
        "name": "European Union",
        "kind": Party.Kind.REIO,
        "region": "",
        "subregion": "",
        "counts_towards_entry_into_force": False,
    }


@transaction.atomic
def seed_parties(*, states: list[dict] | None = None) -> tuple[int, int]:
    """Create or update every party; returns (created, updated). Idempotent."""
    rows = [*(states if states is not None else un_member_and_observer_states()), european_union()]
    existing = {party.code: party for party in Party.objects.all()}
    created = updated = 0
    for values in rows:
        party = existing.get(values["code"])
        if party is None:
            Party.objects.create(**values)
            created += 1
            continue
        changed = [name for name, value in values.items() if getattr(party, name) != value]
        if changed:
            for name in changed:
                setattr(party, name, values[name])
            party.save(update_fields=changed)
            updated += 1
    if created or updated:
        everything_changed()
    return created, updated


# --- Reading the CSV --------------------------------------------------------------------------


class StatusImportRefused(Exception):
    """The file was refused whole; nothing was changed."""

    def __init__(self, reason: str, line: int | None = None):
        self.line = line
        self.reason = reason
        message = (
            reason
            if line is None
            else _("Line %(line)s: %(reason)s")
            % {
                "line": line,
                "reason": reason,
            }
        )
        super().__init__(message)


@dataclass
class StatusRow:
    line: int
    party: Party
    action: str
    date: datetime.date
    reference: str
    provisions: list[Provision]
    text: str
    source: str
    confidence: str

    @property
    def is_declaration(self) -> bool:
        return self.action in Declaration.Kind.values

    @property
    def provisions_key(self) -> str:
        return " ".join(sorted(p.eid for p in self.provisions))

    def key(self) -> tuple:
        extra = self.provisions_key if self.is_declaration else ""
        return (self.party.code, self.action, self.date, extra)


@dataclass(frozen=True)
class StatusChange:
    """One fact an import adds, changes or leaves as it was. Printed (the command's output) it
    is "FRA signature 2025-10-25"; the editors' preview names the party and the action in the
    reader's language."""

    party: Party
    action: str
    date: datetime.date

    def __str__(self) -> str:
        return f"{self.party.code} {self.action} {self.date.isoformat()}"

    @property
    def action_label(self) -> str:
        kinds = Declaration.Kind if self.action in Declaration.Kind.values else TreatyAction.Kind
        return kinds(self.action).label


@dataclass
class StatusImportReport:
    added: list[StatusChange] = field(default_factory=list)
    changed: list[StatusChange] = field(default_factory=list)
    unchanged: list[StatusChange] = field(default_factory=list)
    dry_run: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed)

    def summary(self) -> str:
        return _("%(added)s added, %(changed)s changed, %(unchanged)s unchanged.") % {
            "added": len(self.added),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
        }


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_url = URLValidator(schemes=["http", "https"])


def _cell(row: dict, name: str) -> str:
    return (
        " ".join(clean_text(row.get(name) or "").split())
        if name != "text"
        else (clean_text(row.get(name) or "").strip())
    )


def _parse_date(value: str, line: int) -> datetime.date:
    if not _DATE.match(value):
        raise StatusImportRefused(
            _("the date must be written YYYY-MM-DD, not “%(v)s”.") % {"v": value[:40]}, line
        )
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise StatusImportRefused(
            _("%(v)s is not a date that exists.") % {"v": value}, line
        ) from None


def _provisions(value: str, line: int, articles: dict, provisions: dict) -> list[Provision]:
    found = []
    for token in value.replace(",", " ").split():
        token = token.strip()
        if token.isdigit():
            provision = provisions.get(f"art_{int(token)}") if int(token) in articles else None
        else:
            provision = provisions.get(token)
        if provision is None:
            raise StatusImportRefused(
                _("“%(v)s” is not an article number or provision id of the Convention.")
                % {"v": token[:60]},
                line,
            )
        found.append(provision)
    return list(dict.fromkeys(found))


def read_status_csv(text: str) -> list[StatusRow]:
    """Parse and check every row; the first problem refuses the whole file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in COLUMNS if name not in header]
    if not header:
        raise StatusImportRefused(_("the file is empty: it needs a header row."), 1)
    if missing:
        raise StatusImportRefused(
            _("the header row lacks the columns: %(names)s.") % {"names": ", ".join(missing)}, 1
        )
    reader.fieldnames = header
    parties = {party.code: party for party in Party.objects.all()}
    articles = set(Article.objects.values_list("number", flat=True))
    provisions = {p.eid: p for p in Provision.objects.current()}
    today = timezone.localdate()
    kinds = set(TreatyAction.Kind.values) | set(Declaration.Kind.values)
    rows: list[StatusRow] = []
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) >= MAX_ROWS:
                raise StatusImportRefused(_("at most %(n)s rows per file.") % {"n": MAX_ROWS}, line)
            if None in record:
                raise StatusImportRefused(_("this row has more cells than the header."), line)
            if not any((value or "").strip() for value in record.values()):
                continue  # a blank line
            code = _cell(record, "party").upper()
            party = parties.get(code)
            if party is None:
                raise StatusImportRefused(
                    _("unknown party “%(v)s” (an ISO alpha-3 code, or EUU for the European Union).")
                    % {"v": code[:20]},
                    line,
                )
            action = _cell(record, "action").lower()
            if action not in kinds:
                raise StatusImportRefused(
                    _("unknown action “%(v)s”; one of: %(kinds)s.")
                    % {"v": action[:30], "kinds": ", ".join(sorted(kinds))},
                    line,
                )
            date = _parse_date(_cell(record, "date"), line)
            if action == TreatyAction.Kind.SIGNATURE and date > SIGNATURE_CLOSES:
                raise StatusImportRefused(
                    _("a signature after 31 December 2026, when signature closed (Article 64)."),
                    line,
                )
            if action == TreatyAction.Kind.SIGNATURE and date < SIGNATURE_OPENS:
                raise StatusImportRefused(
                    _("a signature before 25 October 2025, when signature opened (Article 64)."),
                    line,
                )
            if date > today:
                raise StatusImportRefused(
                    _("%(d)s is in the future.") % {"d": date.isoformat()}, line
                )
            source = _cell(record, "source")
            if not source:
                raise StatusImportRefused(_("the source is missing: every row needs one."), line)
            try:
                if len(source) > MAX_SOURCE_CHARS:
                    raise ValidationError("too long")
                _url(source)
            except ValidationError:
                raise StatusImportRefused(
                    _("the source must be an http(s) web address of at most %(n)s characters.")
                    % {"n": MAX_SOURCE_CHARS},
                    line,
                ) from None
            confidence = _cell(record, "confidence").lower() or "reported"
            if confidence not in ("confirmed", "reported"):
                raise StatusImportRefused(
                    _("confidence is “confirmed” or “reported” (or empty, for reported)."), line
                )
            reference = _cell(record, "reference")
            if len(reference) > MAX_REFERENCE_CHARS:
                raise StatusImportRefused(_("the reference is too long."), line)
            text = _cell(record, "text")
            if len(text) > MAX_TEXT_CHARS:
                raise StatusImportRefused(
                    _("the text is too long (at most %(n)s characters).") % {"n": MAX_TEXT_CHARS},
                    line,
                )
            concerned = _provisions(_cell(record, "articles"), line, articles, provisions)
            if concerned and action not in Declaration.Kind.values:
                raise StatusImportRefused(
                    _("articles belong to declarations, reservations and notifications only."),
                    line,
                )
            rows.append(
                StatusRow(line, party, action, date, reference, concerned, text, source, confidence)
            )
    except csv.Error as error:
        raise StatusImportRefused(
            _("the file is not valid CSV (%(e)s).") % {"e": str(error)[:100]}, reader.line_num
        ) from None
    _check_consistency(rows)
    return rows


def _check_consistency(rows: list[StatusRow]) -> None:
    """No row twice; no ratification, acceptance or approval before that party signed."""
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.key() in seen:
            raise StatusImportRefused(
                _("the same fact as line %(n)s.") % {"n": seen[row.key()]}, row.line
            )
        seen[row.key()] = row.line
    signed: dict[str, datetime.date] = dict(
        TreatyAction.objects.filter(kind=TreatyAction.Kind.SIGNATURE).values_list(
            "party__code", "date"
        )
    )
    for row in rows:
        if row.action == TreatyAction.Kind.SIGNATURE:
            earlier = signed.get(row.party.code)
            signed[row.party.code] = min(row.date, earlier) if earlier else row.date
    for row in rows:
        if row.action in ("ratification", "acceptance", "approval"):
            signature = signed.get(row.party.code)
            if signature is None or row.date < signature:
                raise StatusImportRefused(
                    _(
                        "%(party)s's %(action)s on %(date)s comes before any signature by it: "
                        "a State that has not signed becomes a party by accession."
                    )
                    % {"party": row.party.display_name, "action": row.action, "date": row.date},
                    row.line,
                )


# --- Writing ----------------------------------------------------------------------------------


def _describe(row: StatusRow) -> StatusChange:
    return StatusChange(row.party, row.action, row.date)


def _write(row: StatusRow, report: StatusImportReport, only_add: bool) -> None:
    """Add the row's fact, or bring the stored one up to date (unless only_add)."""
    lookup = {"party": row.party, "kind": row.action, "date": row.date}
    values = {"reference": row.reference, "source": row.source, "confidence": row.confidence}
    if row.is_declaration:
        model = Declaration
        lookup["provisions_key"] = row.provisions_key
        values |= {"text": row.text, "text_html": render_markdown(row.text)}
    else:
        model = TreatyAction
        values["note"] = row.text
    stored = model.objects.filter(**lookup).first()
    if stored is None:
        stored = model.objects.create(**lookup, **values)
        if row.is_declaration:
            stored.provisions.set(row.provisions)
        report.added.append(_describe(row))
        return
    changed = [name for name, value in values.items() if getattr(stored, name) != value]
    if not changed or only_add:
        report.unchanged.append(_describe(row))
        return
    for name in changed:
        setattr(stored, name, values[name])
    stored.save(update_fields=[*changed, "updated_at"])
    report.changed.append(_describe(row))


@transaction.atomic
def treaty_status_import(
    *, text: str, dry_run: bool = False, actor=None, only_add: bool = False, request=None
) -> StatusImportReport:
    """Import a status CSV (see the module's docstring). Raises StatusImportRefused.

    dry_run: do everything, report it, then undo it. only_add: keep rows that exist as they
    are (the seed uses this, so that an editor's later correction is never reverted)."""
    rows = read_status_csv(text)
    report = StatusImportReport(dry_run=dry_run)
    for row in rows:
        _write(row, report, only_add)
    if dry_run:
        transaction.set_rollback(True)
        return report
    if report.has_changes:
        everything_changed()
        if actor is not None:
            audit_record(
                action="treaty_status.imported",
                actor=actor,
                detail={"added": len(report.added), "changed": len(report.changed)},
                request=request,
            )
    return report


def seed_treaty_status() -> StatusImportReport | None:
    """Load the bundled sources (fixtures/treaty-status-sources.csv), adding only what is new."""
    if not STATUS_FIXTURE.exists():
        return None
    return treaty_status_import(text=STATUS_FIXTURE.read_text(encoding="utf-8"), only_add=True)
