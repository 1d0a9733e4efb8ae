"""Where the states stand: every party's status (/states/), one party (/states/<code>/), the
world map drawn from the same data, and the editors' upload of the status CSV."""

import json

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from provisions import exports, worldmap
from provisions.access import editor_required, public
from provisions.api import serializers
from provisions.cache.serving import cache_public_page
from provisions.country_names import region_name, sort_key
from provisions.feeds import XmlSafeAtom1Feed
from provisions.models import Declaration, Region, SafeguardDemand, TreatyAction
from provisions.queries.translations import with_translations
from provisions.services.treaty_status import StatusImportRefused, treaty_status_import
from provisions.treaty_status import (
    CACHE_SCOPE,
    Standing,
    all_statuses,
    latest_published_commitments,
    overview,
    states_records,
)

# How each standing is drawn on the map and in the legend: colour and, for colour-blind readers
# and print, a pattern.
MAP_STYLES = {
    Standing.PARTY: worldmap.Style("#1a4f8b"),
    Standing.SIGNED: worldmap.Style("#6fa8dc", "hatch"),
    Standing.DENOUNCED: worldmap.Style("#b35806", "dots"),
}
# Names and regions in the reader's language, in that language's order (country_names).
SORTS = {
    "name": lambda s: sort_key(s.party.display_name),
    "region": lambda s: (not s.party.region, sort_key(s.party.region_name)),
    "status": lambda s: Standing.ORDER.index(s.standing),
    "signed": lambda s: (s.signature is None, s.signature.date if s.signature else None),
    "consent": lambda s: (s.consent is None, s.consent.date if s.consent else None),
}
MAX_UPLOAD_BYTES = 1024 * 1024


def _filtered(request, statuses):
    region = request.GET.get("region", "")
    standing = request.GET.get("status", "")
    if region in Region.values:
        statuses = [s for s in statuses if s.party.region == region]
    else:
        region = ""
    if standing in Standing.ORDER:
        statuses = [s for s in statuses if s.standing == standing]
    else:
        standing = ""
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    descending = request.GET.get("order") == "desc"
    # Sorted by name first, so that equal keys stay in alphabetical order either way (sorting
    # is stable).
    statuses = sorted(statuses, key=SORTS["name"])
    statuses = sorted(statuses, key=SORTS[sort], reverse=descending)
    return statuses, {"region": region, "status": standing, "sort": sort, "descending": descending}


def _sort_links(chosen: dict) -> list[dict]:
    """One link per sortable column: to sort by it, or to reverse it if it is the sort now."""
    labels = {
        "name": _("Party"),
        "region": _("Region"),
        "status": _("Status"),
        "signed": _("Signed"),
        "consent": _("Ratified"),
    }
    links = []
    for key, label in labels.items():
        current = chosen["sort"] == key
        order = "asc" if current and chosen["descending"] else "desc" if current else "asc"
        query = {"sort": key, "order": order}
        query |= {name: chosen[name] for name in ("region", "status") if chosen[name]}
        aria = ""
        if current:
            aria = "descending" if chosen["descending"] else "ascending"
        links.append({"key": key, "label": label, "query": query, "aria_sort": aria})
    return links


@public
@require_safe
@cache_public_page(CACHE_SCOPE)
def states(request):
    statuses = all_statuses()
    summary = overview(statuses)
    shown, chosen = _filtered(request, statuses)
    context = {
        "summary": summary,
        "statuses": shown,
        "chosen": chosen,
        "sort_links": _sort_links(chosen),
        "regions": sorted(
            ((region, region_name(region, label)) for region, label in Region.choices),
            key=lambda choice: sort_key(choice[1]),
        ),
        "standings": [(key, Standing.LABELS[key]) for key in Standing.ORDER],
        "legend": [
            (key, Standing.LABELS[key], worldmap.fill_of(key, MAP_STYLES), summary.by_standing[key])
            for key in (Standing.PARTY, Standing.SIGNED, Standing.DENOUNCED)
        ],
        "legend_defs": worldmap.pattern_defs(MAP_STYLES),
        "not_signed_count": summary.by_standing[Standing.NOT_SIGNED],
    }
    return render(request, "provisions/states.html", context)


@public
@require_safe
@cache_public_page()
def states_map(request):
    statuses = all_statuses()
    areas = {
        s.party.alpha2: (
            s.standing,
            _("%(party)s: %(status)s")
            % {"party": s.party.display_name, "status": s.standing_label},
        )
        for s in statuses
        if s.party.alpha2 and s.standing in MAP_STYLES
    }
    svg = worldmap.render(
        title=_("Where the states stand on the UN Convention against Cybercrime"),
        description=_(
            "Dark blue: party (instrument deposited). Hatched light blue: signed, not yet "
            "ratified. Dotted orange: denounced. Grey: not signed, or not a UN member or "
            "observer State. The table on the states page gives the same facts as text."
        ),
        areas=areas,
        styles=MAP_STYLES,
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@public
@require_safe
@cache_public_page(CACHE_SCOPE)
def state_detail(request, code: str):
    statuses = all_statuses()
    status = next((s for s in statuses if s.party.code.lower() == code), None)
    if status is None:  # also for "MLI": the address is in lower case only
        raise Http404
    summary = overview(statuses)
    party = status.party
    declarations = (
        Declaration.objects.filter(party=party)
        .prefetch_related("provisions__article")
        .order_by("date", "pk")
    )
    latest = latest_published_commitments(party=party)
    demands = with_translations(SafeguardDemand.objects.order_by("position"))
    context = {
        "scorecard": [(demand, latest.get((party.pk, demand.pk))) for demand in demands],
        "party": party,
        "status": status,
        "summary": summary,
        "declarations": declarations,
    }
    return render(request, "provisions/state_detail.html", context)


@editor_required
@require_http_methods(["GET", "POST"])
def status_import(request):
    """Editors upload the status CSV: a preview (a dry run) first, then the import itself."""
    context = {"max_kb": MAX_UPLOAD_BYTES // 1024}
    if request.method == "GET":
        return render(request, "provisions/status_import.html", context)
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            context["error"] = _("The file is larger than %(n)s KB.") % {"n": context["max_kb"]}
            return render(request, "provisions/status_import.html", context, status=400)
        raw = upload.read()
    else:
        raw = request.POST.get("csv_text", "").encode()
    if not raw.strip() or len(raw) > MAX_UPLOAD_BYTES:
        context["error"] = _("Choose a CSV file of at most %(n)s KB.") % {"n": context["max_kb"]}
        return render(request, "provisions/status_import.html", context, status=400)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        context["error"] = _("The file is not UTF-8 text.")
        return render(request, "provisions/status_import.html", context, status=400)
    confirm = request.POST.get("confirm") == "import"
    try:
        report = treaty_status_import(
            text=text, dry_run=not confirm, actor=request.user, request=request
        )
    except StatusImportRefused as refusal:
        context["error"] = _("The whole file was refused, nothing was changed. %(why)s") % {
            "why": str(refusal)
        }
        return render(request, "provisions/status_import.html", context, status=400)
    if confirm:
        messages.success(request, _("Treaty status imported: %(s)s") % {"s": report.summary()})
        return redirect("provisions:states")
    context |= {"report": report, "csv_text": text}
    return render(request, "provisions/status_import.html", context)


# --- Take-away: CSV, JSON, Atom ----------------------------------------------------------------

STATES_CSV_COLUMNS = [
    "code",
    "name",
    "kind",
    "region",
    "subregion",
    "counts_towards_entry_into_force",
    "status",
    "signed_on",
    "consent_kind",
    "consent_date",
    "in_force_from",
    "declarations",
    "sources",
    "url",
]


def _csv_record(record, absolute) -> dict:
    data = serializers.party_to_dict(record.status, _Absolute(absolute))
    consent = data["consent"] or {}
    return {
        **data,
        "consent_kind": consent.get("kind"),
        "consent_date": consent.get("date"),
        "declarations": len(record.declarations),
        "sources": list(dict.fromkeys(a["source"] for a in data["actions"])),
    }


class _Absolute:
    """What the serializers need of a request: build_absolute_uri."""

    def __init__(self, absolute):
        self.build_absolute_uri = absolute


def _attachment(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public
@require_safe
@cache_public_page(CACHE_SCOPE)
def states_csv(request):
    _summary, records = states_records()
    rows = (_csv_record(record, request.build_absolute_uri) for record in records)
    return _attachment(
        "".join(exports.csv_pieces(STATES_CSV_COLUMNS, rows)),
        "treatywatch-states.csv",
        "text/csv; charset=utf-8",
    )


@public
@require_safe
@cache_public_page(CACHE_SCOPE)
def states_json(request):
    return _attachment(
        json.dumps(exports.states_document(request), ensure_ascii=False, indent=1),
        "treatywatch-states.json",
        "application/json",
    )


class StatusChangesFeed(Feed):
    """The latest treaty actions and declarations imported or changed, newest first."""

    feed_type = XmlSafeAtom1Feed

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def title(self):
        return _("TreatyWatch: where the states stand")

    def subtitle(self):
        return _(
            "Signatures, ratifications, declarations and reservations on the UN Convention "
            "against Cybercrime, as they are recorded."
        )

    def link(self):
        return reverse("provisions:states")

    def feed_url(self):
        return reverse("provisions:feed_states")

    def items(self):
        actions = list(
            TreatyAction.objects.select_related("party").order_by("-updated_at", "-pk")[:30]
        )
        declarations = list(
            Declaration.objects.select_related("party").order_by("-updated_at", "-pk")[:30]
        )
        entries = actions + declarations
        entries.sort(key=lambda item: (item.updated_at, item.pk), reverse=True)
        return entries[:30]

    def item_title(self, item):
        return _("%(party)s: %(what)s on %(date)s") % {
            "party": item.party.display_name,
            "what": item.get_kind_display(),
            "date": item.date.isoformat(),
        }

    def item_description(self, item):
        text = getattr(item, "note", "") or getattr(item, "text", "")
        return format_html(
            "<p>{} ({})</p><p>{}</p>{}",
            item.get_kind_display(),
            item.get_confidence_display(),
            text,
            format_html('<p><a href="{0}">{0}</a></p>', item.source),
        )

    def item_link(self, item):
        return item.party.get_absolute_url()

    def item_guid(self, item):
        kind = "declaration" if isinstance(item, Declaration) else "action"
        page = self.request.build_absolute_uri(item.party.get_absolute_url())
        return f"{page}#{kind}-{item.pk}"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


@public
@require_safe
def states_feed(request):
    return StatusChangesFeed()(request)
