"""The treaty's status: the parties seeded from packaged country data, the CSV import (all or
nothing, idempotent, every refusal with its line), the counts and dates of Article 65 and the
signature countdown, the pages /states/ and /states/<code>/, the map, and the editors' upload."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from provisions.models import Declaration, Party, TreatyAction
from provisions.services.treaty_status import (
    STATUS_FIXTURE,
    StatusImportRefused,
    seed_parties,
    treaty_status_import,
)
from provisions.treaty_status import INSTRUMENTS_NEEDED, all_statuses, overview
from tests.helpers import text_of, un_states

pytestmark = pytest.mark.django_db

HEADER = "party,action,date,reference,articles,text,source,confidence\n"
SOURCE = "https://treaties.example.org/XVIII-16"


def csv_of(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


# --- Parties --------------------------------------------------------------------------------


def test_parties_are_the_un_members_and_observers_and_the_eu():
    assert Party.objects.filter(kind="state").count() == 193
    observers = set(Party.objects.filter(kind="observer").values_list("code", flat=True))
    assert observers == {"VAT", "PSE"}
    eu = Party.objects.get(code="EUU")
    assert eu.kind == "reio" and not eu.counts_towards_entry_into_force
    # Territories that ISO 3166-1 lists but that are not UN member or observer States.
    assert not Party.objects.filter(code__in=["PRI", "GRL", "TWN", "HKG", "ATA", "COK"]).exists()
    france = Party.objects.get(code="FRA")
    assert (france.region, france.subregion, france.alpha2) == ("europe", "Western Europe", "fr")
    assert Party.objects.get(code="BRA").region == "americas"
    assert Party.objects.get(code="PSE").name == "State of Palestine"


def test_seeding_the_parties_twice_changes_nothing():
    assert seed_parties(states=un_states()) == (0, 0)


# --- The import -----------------------------------------------------------------------------


def test_the_bundled_sources_are_loaded_as_reported_and_the_same_file_twice_changes_nothing():
    assert TreatyAction.objects.filter(kind="signature").count() == 5
    assert set(TreatyAction.objects.values_list("confidence", flat=True)) == {"reported"}
    eu = TreatyAction.objects.get(party__code="EUU")
    assert eu.date == datetime.date(2025, 10, 25) and "2025/2307" in eu.note
    report = treaty_status_import(text=STATUS_FIXTURE.read_text())
    assert (len(report.added), len(report.changed), len(report.unchanged)) == (0, 0, 5)


def test_an_import_adds_then_changes_and_reports_each():
    text = csv_of(
        f"FRA,signature,2025-10-25,C.N.1.2025.TREATIES-XVIII.16,,,{SOURCE},confirmed",
        f"fra,ratification,2026-03-02,,,,{SOURCE},",
        f'FRA,reservation,2026-03-02,,24 art_7,"Under **Article 24**.",{SOURCE},reported',
    )
    report = treaty_status_import(text=text)
    assert (len(report.added), len(report.changed), len(report.unchanged)) == (3, 0, 0)
    signature = TreatyAction.objects.get(party__code="FRA", kind="signature")
    assert signature.confidence == "confirmed" and signature.reference.startswith("C.N.1.")
    ratification = TreatyAction.objects.get(party__code="FRA", kind="ratification")
    assert ratification.confidence == "reported"  # an empty confidence is "reported"
    reservation = Declaration.objects.get(party__code="FRA")
    assert sorted(p.citation for p in reservation.provisions.all()) == ["Article 24", "Article 7"]
    assert "<strong>Article 24</strong>" in reservation.text_html

    again = treaty_status_import(text=text.replace("confirmed", "reported"))
    assert (len(again.added), len(again.changed), len(again.unchanged)) == (0, 1, 2)
    assert [str(change) for change in again.changed] == ["FRA signature 2025-10-25"]


@pytest.mark.parametrize(
    "row, line, reason",
    [
        (f"XXX,signature,2025-11-01,,,,{SOURCE},", 3, "unknown party"),
        (f"FRA,signing,2025-11-01,,,,{SOURCE},", 3, "unknown action"),
        (f"FRA,signature,2026-02-30,,,,{SOURCE},", 3, "not a date that exists"),
        (f"FRA,signature,1/11/2025,,,,{SOURCE},", 3, "YYYY-MM-DD"),
        (f"FRA,signature,2027-01-04,,,,{SOURCE},", 3, "after 31 December 2026"),
        (f"FRA,signature,2025-10-24,,,,{SOURCE},", 3, "before 25 October 2025"),
        ("FRA,signature,2025-11-01,,,,,", 3, "source is missing"),
        ("FRA,signature,2025-11-01,,,,ftp://example.org/x,", 3, "http(s) web address"),
        ("FRA,signature,2025-11-01,,,,javascript:alert(1),", 3, "http(s) web address"),
        (f"FRA,reservation,2025-11-01,,99,,{SOURCE},", 3, "not an article number"),
        (f"FRA,reservation,2025-11-01,,art_24__para_9,,{SOURCE},", 3, "not an article number"),
        (f"FRA,signature,2025-11-01,,24,,{SOURCE},", 3, "declarations, reservations"),
        (f"FRA,signature,2025-11-01,,,,{SOURCE},sure", 3, "confidence"),
        (f"DEU,ratification,2026-01-10,,,,{SOURCE},", 3, "before any signature"),
        (f"MLI,ratification,2025-10-01,,,,{SOURCE},", 3, "before any signature"),
        (f"MLI,signature,2025-10-26,,,,{SOURCE},", 3, "same fact as line 2"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_with_its_line_and_reason(row, line, reason):
    text = csv_of(f"MLI,signature,2025-10-26,,,,{SOURCE},", row)
    before = TreatyAction.objects.count(), Declaration.objects.count()
    with pytest.raises(StatusImportRefused) as refused:
        treaty_status_import(text=text)
    assert refused.value.line == line
    assert reason in refused.value.reason
    assert (TreatyAction.objects.count(), Declaration.objects.count()) == before


def test_a_good_row_before_a_bad_one_is_not_saved():
    text = csv_of(
        f"DEU,signature,2025-11-03,,,,{SOURCE},", f"XXX,signature,2025-11-03,,,,{SOURCE},"
    )
    with pytest.raises(StatusImportRefused):
        treaty_status_import(text=text)
    assert not TreatyAction.objects.filter(party__code="DEU").exists()


def test_accession_needs_no_signature_and_a_signature_in_the_same_file_counts():
    treaty_status_import(
        text=csv_of(
            f"NOR,ratification,2026-02-01,,,,{SOURCE},",
            f"NOR,signature,2025-11-01,,,,{SOURCE},",
            f"ISL,accession,2026-02-01,,,,{SOURCE},",
        )
    )
    assert TreatyAction.objects.filter(party__code__in=["NOR", "ISL"]).count() == 3


def test_a_file_without_the_columns_is_refused_on_line_1():
    with pytest.raises(StatusImportRefused) as refused:
        treaty_status_import(text="party,action,date\nFRA,signature,2025-11-01\n")
    assert refused.value.line == 1 and "source" in refused.value.reason


def test_the_command_reports_a_summary_and_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(csv_of(f"ESP,signature,2025-10-25,,,,{SOURCE},confirmed"), encoding="utf-8")
    out = StringIO()
    call_command("import_treaty_status", str(path), "--dry-run", stdout=out)
    assert "1 added, 0 changed, 0 unchanged." in out.getvalue()
    assert not TreatyAction.objects.filter(party__code="ESP").exists()
    out = StringIO()
    call_command("import_treaty_status", str(path), stdout=out)
    assert "1 added" in out.getvalue()
    out = StringIO()
    call_command("import_treaty_status", str(path), stdout=out)
    assert "0 added, 0 changed, 1 unchanged." in out.getvalue()
    path.write_text(csv_of(f"ESP,signature,2025-10-25,,,,{SOURCE},maybe"), encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2: .*nothing was changed"):
        call_command("import_treaty_status", str(path), stdout=StringIO())


# --- Counts and dates -----------------------------------------------------------------------


def _ratify(codes, first_day: datetime.date):
    rows = []
    for i, code in enumerate(codes):
        rows.append(f"{code},signature,2025-10-26,,,,{SOURCE},")
        rows.append(f"{code},ratification,{first_day + datetime.timedelta(days=i)},,,,{SOURCE},")
    treaty_status_import(text=csv_of(*rows))


def test_entry_into_force_is_ninety_days_after_the_fortieth_counting_instrument():
    codes = list(
        Party.objects.filter(kind="state")
        .exclude(code__in=["MLI", "RWA", "SAU", "MUS"])
        .values_list("code", flat=True)[:INSTRUMENTS_NEEDED]
    )
    _ratify(["EUU"], datetime.date(2026, 1, 1))  # the EU's instrument does not count
    _ratify(codes[:39], datetime.date(2026, 1, 2))
    summary = overview(all_statuses(), today=datetime.date(2026, 12, 3))
    assert (summary.counting, summary.missing, summary.entry_into_force) == (39, 1, None)
    assert summary.parties == 40  # the EU is a party, it just does not count
    _ratify(codes[39:], datetime.date(2026, 9, 1))
    summary = overview(all_statuses(), today=datetime.date(2026, 12, 3))
    assert summary.counting == 40 and summary.missing == 0
    assert summary.fortieth.party.code == codes[39]
    assert summary.entry_into_force == datetime.date(2026, 11, 30)  # 1 September + 90 days
    assert summary.in_force


def test_the_countdown_to_the_end_of_signature():
    statuses = all_statuses()
    assert overview(statuses, today=datetime.date(2026, 12, 3)).days_left == 28
    last_day = overview(statuses, today=datetime.date(2026, 12, 31))
    assert last_day.signature_open and last_day.days_left == 0
    assert not overview(statuses, today=datetime.date(2027, 1, 1)).signature_open


def test_today_is_new_yorks_date_where_signature_closes():
    """At 03:00 UTC on 31 December it is still 30 December at UN Headquarters: one day left."""
    from unittest import mock

    from provisions.treaty_status import depositary_today

    utc = datetime.datetime(2026, 12, 31, 3, 0, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=utc):
        assert depositary_today() == datetime.date(2026, 12, 30)
        assert overview(all_statuses()).days_left == 1


# --- Pages ----------------------------------------------------------------------------------


def test_states_page_counts_from_the_imported_rows(client):
    html = text_of(client.get("/states/"))
    assert "<dt>Signatories</dt><dd>5</dd>" in html
    assert "0 of 40" in html
    assert "40 more instruments" in html
    assert "196 parties shown" in html
    assert 'href="/states/mli/"' in html and 'href="/states/euu/"' in html
    assert 'src="/states/map.svg"' in html and "The same facts as a table" in html


def test_states_page_filters_and_sorts(client):
    html = text_of(client.get("/states/?region=africa&status=signed"))
    assert "3 parties shown" in html  # Mali, Rwanda, Mauritius
    assert "Saudi Arabia" not in html
    html = text_of(client.get("/states/?status=signed&sort=signed&order=desc"))
    assert html.index("Mauritius") < html.index("Mali")  # signed 19 Nov before 26 Oct
    assert 'aria-sort="descending"' in html
    # Unknown filter values are ignored, not an error.
    assert "196 parties shown" in text_of(client.get("/states/?region=mars&status=x&sort=y"))


def test_a_party_page_shows_its_timeline_and_declarations_cited_as_articles(client):
    treaty_status_import(
        text=csv_of(f"MLI,declaration,2025-10-26,,24 art_7,Central authority.,{SOURCE},")
    )
    html = text_of(client.get("/states/mli/"))
    assert "Signed, not yet ratified" in html
    assert "26 October 2025" in html
    assert 'href="/convention/articles/24/#art_24">Article 24</a>' in html
    assert "art_7<" not in html and ">art_24" not in html
    eu = text_of(client.get("/states/euu/"))
    assert "does not count towards the forty" in eu and "2025/2307" in eu


@pytest.mark.parametrize("code", ["MLI", "xyz", "mlii", "<b>"])
def test_a_party_page_is_lowercase_alpha3_only(client, code):
    assert client.get(f"/states/{code}/").status_code == 404


def test_declarations_show_on_the_article_they_concern(client):
    treaty_status_import(text=csv_of(f"MLI,reservation,2025-10-26,,24,Reserved.,{SOURCE},"))
    html = text_of(client.get("/convention/articles/24/"))
    assert "Declarations and reservations" in html
    assert 'href="/states/mli/"' in html


def test_the_map_is_an_svg_coloured_by_status_with_a_text_alternative(client):
    response = client.get("/states/map.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert "<title>Mali: Signed, not yet ratified</title>" in svg
    assert 'fill="url(#fill-signed)"' in svg
    assert "<desc" in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_an_import_shows_at_once_on_cached_pages(client, settings):
    settings.TREATYWATCH_PAGE_CACHE = True
    assert "<dd>5</dd>" in text_of(client.get("/states/"))
    assert client.get("/states/")["X-Page-Cache"] == "hit"
    treaty_status_import(text=csv_of(f"DEU,signature,2025-11-03,,,,{SOURCE},"))
    assert "<dt>Signatories</dt><dd>6</dd>" in text_of(client.get("/states/"))
    assert "Signed, not yet ratified" in text_of(client.get("/states/deu/"))


# --- The editors' upload ------------------------------------------------------------------


def _upload(client, text: str, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("status.csv", text.encode(), content_type="text/csv")
    return client.post("/review/status/", {"file": upload, **extra})


def test_editors_preview_then_import_the_csv(client, editor):
    client.force_login(editor)
    text = csv_of(f"ITA,signature,2025-10-25,,,,{SOURCE},confirmed")
    html = text_of(_upload(client, text))
    assert "Preview: nothing is saved yet" in html
    assert "Italy (ITA): Signature, 25 October 2025" in html
    assert not TreatyAction.objects.filter(party__code="ITA").exists()
    response = client.post("/review/status/", {"confirm": "import", "csv_text": text})
    assert response.status_code == 302 and response["Location"] == "/states/"
    assert TreatyAction.objects.filter(party__code="ITA", confidence="confirmed").exists()
    from provisions.models import AuditEvent

    assert AuditEvent.objects.filter(action="treaty_status.imported", actor=editor).exists()


def test_a_refused_upload_says_which_line_and_why(client, editor):
    client.force_login(editor)
    html = text_of(_upload(client, csv_of(f"XXX,signature,2025-10-25,,,,{SOURCE},")), 400)
    assert "Line 2: unknown party" in html and "nothing was changed" in html


def test_an_upload_over_the_size_cap_is_refused(client, editor):
    client.force_login(editor)
    big = csv_of(*[f"FRA,signature,2025-10-25,,,{'x' * 1000},{SOURCE}," for _ in range(1100)])
    assert "larger than" in text_of(_upload(client, big), 400)


def test_analysts_cannot_import(client, analyst):
    client.force_login(analyst)
    assert _upload(client, csv_of(f"ITA,signature,2025-10-25,,,,{SOURCE},")).status_code == 403
    assert not TreatyAction.objects.filter(party__code="ITA").exists()
