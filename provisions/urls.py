"""TreatyWatch's addresses (the public pages are described in README.md, the API in docs/api.md)."""

from django.urls import path

from provisions.views import (
    annotate,
    bench,
    compare,
    coverage,
    enrolment,
    history,
    members,
    public,
    public_name,
    review,
    tokens,
    versions,
    workspace,
)
from provisions.views import annotation_import as import_views
from provisions.views import audit as audit_views
from provisions.views import confirm as confirm_views
from provisions.views import exports as take_away
from provisions.views import scorecard as scorecard_views
from provisions.views import search as search_views
from provisions.views import signin as signin_views
from provisions.views import states as state_views
from provisions.views import translations as translation_views
from provisions.views import two_factor as two_factor_views

app_name = "provisions"

# The kind of statement point a concern's or a safeguard demand's address serves (POINT_MODELS).
CONCERN = {"kind": "concern"}
DEMAND = {"kind": "demand"}

urlpatterns = [
    path("", public.home, name="home"),
    path("convention/", public.toc, name="toc"),
    path("convention/articles/<int:number>/", public.article, name="article"),
    # One view per page for both kinds of statement point; the kind is the code's name
    # (POINT_MODELS), the path keeps its public word ("safeguards" for demands).
    path("concerns/", public.point_list, CONCERN, name="concerns"),
    path("concerns/<slug:slug>/", public.point_detail, CONCERN, name="concern"),
    path("safeguards/", public.point_list, DEMAND, name="safeguards"),
    path("safeguards/<slug:slug>/", public.point_detail, DEMAND, name="safeguard"),
    path("about/", public.about, name="about"),
    path("convention/articles/<int:number>/annotate/", annotate.annotate, name="annotate"),
    path(
        "convention/articles/<int:number>/propose-link/",
        annotate.propose_link,
        name="propose_link",
    ),
    path("annotations/<int:pk>/", public.annotation_detail, name="annotation"),
    path("annotations/<int:pk>/edit/", annotate.annotation_edit, name="annotation_edit"),
    path("annotations/<int:pk>/delete/", annotate.annotation_delete_view, name="annotation_delete"),
    path("annotations/<int:pk>/submit/", annotate.annotation_submit_view, name="annotation_submit"),
    path("annotations/<int:pk>/reply/", annotate.annotation_reply, name="annotation_reply"),
    path("annotations/preview/", annotate.preview, name="annotation_preview"),
    path("tags/suggest/", annotate.tag_suggestions, name="tag_suggestions"),
    path("coverage/", coverage.coverage, name="coverage"),
    # Where the states stand (issue 12): status of every party, one party, the map.
    path("states/", state_views.states, name="states"),
    path("states/map.svg", state_views.states_map, name="states_map"),
    path("states/export.csv", state_views.states_csv, name="states_csv"),
    path("states/export.json", state_views.states_json, name="states_json"),
    path("feeds/states.atom", state_views.states_feed, name="feed_states"),
    path("states/<str:code>/", state_views.state_detail, name="state"),
    path("review/status/", state_views.status_import, name="status_import"),
    # The scorecard: parties × safeguard demands, and the commitments behind it.
    path("scorecard/", scorecard_views.scorecard_page, name="scorecard"),
    path("scorecard/propose/", scorecard_views.commitment_propose, name="commitment_propose"),
    path("scorecard/commitments/<int:pk>/", scorecard_views.commitment_detail, name="commitment"),
    path(
        "scorecard/commitments/<int:pk>/edit/",
        scorecard_views.commitment_edit,
        name="commitment_edit",
    ),
    path(
        "scorecard/commitments/<int:pk>/submit/",
        scorecard_views.commitment_submit_view,
        name="commitment_submit",
    ),
    path(
        "scorecard/commitments/<int:pk>/publish/",
        scorecard_views.commitment_publish_view,
        name="commitment_publish",
    ),
    path(
        "scorecard/commitments/<int:pk>/reject/",
        scorecard_views.commitment_reject_view,
        name="commitment_reject",
    ),
    path("review/commitments/", scorecard_views.commitment_queue, name="commitment_queue"),
    path("search/", search_views.search, name="search"),
    # The benchmark's trivial view (bench/README.md): always routed, it reveals nothing.
    path("bench/ping", bench.ping, name="bench_ping"),
    # Take-away: downloads, printable briefs, the feed (public data only).
    path("convention/articles/<int:number>/export.csv", take_away.article_csv, name="article_csv"),
    path(
        "convention/articles/<int:number>/export.json", take_away.article_json, name="article_json"
    ),
    path(
        "convention/articles/<int:number>/annotations.jsonld",
        take_away.article_annotations_jsonld,
        name="article_annotations_jsonld",
    ),
    path("convention/articles/<int:number>/brief/", take_away.article_brief, name="article_brief"),
    path("concerns/<slug:slug>/export.csv", take_away.point_csv, CONCERN, name="concern_csv"),
    path("concerns/<slug:slug>/export.json", take_away.point_json, CONCERN, name="concern_json"),
    path("concerns/<slug:slug>/brief/", take_away.point_brief, CONCERN, name="concern_brief"),
    path("safeguards/<slug:slug>/export.csv", take_away.point_csv, DEMAND, name="safeguard_csv"),
    path("safeguards/<slug:slug>/export.json", take_away.point_json, DEMAND, name="safeguard_json"),
    path("safeguards/<slug:slug>/brief/", take_away.point_brief, DEMAND, name="safeguard_brief"),
    path("export/dataset.json", take_away.dataset_json, name="export_dataset_json"),
    path("export/links.csv", take_away.links_csv, name="export_links_csv"),
    path("export/annotations.csv", take_away.annotations_csv, name="export_annotations_csv"),
    path(
        "export/annotations.jsonld",
        take_away.annotations_jsonld,
        name="export_annotations_jsonld",
    ),
    path("feeds/latest.atom", take_away.latest_feed, name="feed_latest"),
    # Curation: the analyst's workspace, the editors' review queue and history.
    path("workspace/", workspace.workspace, name="workspace"),
    path("workspace/public-name/", public_name.public_name_edit, name="public_name"),
    path("workspace/tokens/", tokens.token_list, name="tokens"),
    path("workspace/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("review/", review.review, name="review"),
    path("review/bulk/", review.bulk, name="review_bulk"),
    path("review/import/", import_views.annotation_import_page, name="annotation_import"),
    # Versions of the text, and the anchors an import left for editors (issue 5).
    path(
        "convention/articles/<int:number>/versions/",
        versions.article_versions,
        name="article_versions",
    ),
    path(
        "convention/articles/<int:number>/compare/", compare.article_compare, name="article_compare"
    ),
    path("review/anchors/", versions.anchors, name="anchors"),
    path("review/anchors/<int:pk>/confirm/", versions.anchor_confirm_view, name="anchor_confirm"),
    path("review/anchors/<int:pk>/pick/", versions.anchor_pick_view, name="anchor_pick"),
    path(
        "review/anchors/links/<int:pk>/confirm/",
        versions.anchor_link_confirm_view,
        name="anchor_link_confirm",
    ),
    path("review/links/<int:pk>/approve/", review.link_approve_view, name="review_link_approve"),
    path("review/links/<int:pk>/reject/", review.link_reject_view, name="review_link_reject"),
    path("review/links/<int:pk>/edit/", review.link_edit_approve_view, name="review_link_edit"),
    path(
        "review/annotations/<int:pk>/publish/",
        review.annotation_publish_view,
        name="review_annotation_publish",
    ),
    path(
        "review/annotations/<int:pk>/reject/",
        review.annotation_reject_view,
        name="review_annotation_reject",
    ),
    path("history/annotation/<int:pk>/", history.annotation_history, name="annotation_history"),
    path(
        "history/annotation/<int:pk>/restore/",
        history.annotation_history_restore,
        name="annotation_history_restore",
    ),
    path("history/link/<int:pk>/", history.link_history, name="link_history"),
    path(
        "history/link/<int:pk>/restore/",
        history.link_history_restore,
        name="link_history_restore",
    ),
    # Accounts: two-factor sign-in (the password step is /accounts/login/), and the audit log.
    path("accounts/two-factor/", two_factor_views.two_factor_page, name="two_factor"),
    path("accounts/two-factor/verify/", signin_views.verify, name="two_factor_verify"),
    # The password again (and a code) before a token, a new authenticator or new recovery codes.
    path("accounts/confirm/", confirm_views.confirm, name="confirm"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/enrol/", enrolment.enrol, name="enrol"),
    path("accounts/enrol/<str:token>/", enrolment.enrol_start, name="enrol_start"),
    path("review/audit/", audit_views.audit_log, name="audit"),
    # Editors' translations of concerns, demands and article summaries (views/translations.py).
    path("review/translations/", translation_views.translations, name="translations"),
    path(
        "review/translations/concerns/<slug:key>/<str:language>/",
        translation_views.translation_edit,
        CONCERN,
        name="translation_concern",
    ),
    path(
        "review/translations/safeguards/<slug:key>/<str:language>/",
        translation_views.translation_edit,
        DEMAND,
        name="translation_demand",
    ),
    path(
        "review/translations/articles/<str:key>/<str:language>/",
        translation_views.translation_edit,
        {"kind": "article"},
        name="translation_article",
    ),
    path("review/members/", members.members, name="members"),
    path("review/members/<int:pk>/role/", members.member_role, name="member_role"),
    path(
        "review/members/<int:pk>/deactivate/",
        members.member_deactivate_view,
        name="member_deactivate",
    ),
    path(
        "review/members/<int:pk>/enrolment-link/",
        members.member_enrolment_link,
        name="member_enrolment_link",
    ),
]
