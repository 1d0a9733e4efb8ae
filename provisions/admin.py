"""The Django admin: a read-only window on the Convention and the statement for editors, where the
coalition's concerns, safeguard demands and signatories can also be corrected — through a service.

Anything the app's pages write (annotations, their revisions, links, the audit log, API tokens,
members and their groups, two-factor devices) is not here at all: a change to those must keep
history, write the audit log, re-render Markdown and retire cached pages, and only the services
behind the pages do all of that. Drafts, in particular, never reach the admin. Members are managed
on /review/members/ and with management commands (docs/security.md).

Sign-in is the site's own (password, then the second factor): `TreatyWatchAdminSite.login` sends
everyone there rather than showing django-otp's combined form, which told a right password with a
wrong code apart from a wrong password.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from provisions import models, roles
from provisions.access import second_factor_url
from provisions.services.statement import statement_item_save


class TreatyWatchAdminSite(OTPAdminSite):
    """OTPAdminSite (verified sessions only) for editors, signed in through the site's pages."""

    def has_permission(self, request):
        # Staff, active, verified with a second factor (OTPAdminSite) and an editor (roles.py).
        return super().has_permission(request) and roles.is_editor(request.user)

    def login(self, request, extra_context=None):
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        next_url = next_url or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{resolve_url('login')}?{urlencode({'next': next_url})}")
        if self.has_permission(request):
            return redirect(next_url)
        if roles.second_factor_missing(user):
            return redirect(second_factor_url(user, next_url))
        # Signed in, but not an editor: the admin is not for them.
        raise PermissionDenied

    def get_urls(self):
        # Without "view on site" (/admin/r/<type>/<id>/): it redirected for any row of any model,
        # so a 302 against a 404 told whether a draft with that number existed.
        return [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]

    def password_change(self, request, extra_context=None):
        # One way to change a password (the site's own page), so that whatever must follow a
        # change of password happens whichever link an editor followed.
        return redirect("password_change")


# The site's own sign-in replaces the admin's; the models below stay registered on admin.site.
admin.site.__class__ = TreatyWatchAdminSite

# Registered by the apps we use, and writable there: managed elsewhere, or not at all.
for model in (User, Group, TOTPDevice, StaticDevice, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: imports, seeding and the app's pages keep these rows."""

    view_on_site = False  # the site has no "view on site" address (TreatyWatchAdminSite.get_urls)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ThroughServiceAdmin(admin.ModelAdmin):
    """Editable, but every save goes through `statement_item_save` (audit, cache, search index).

    Nothing is deleted here: a concern or demand carries links and annotations, and its slug is
    a public address, so it is set once when the row is added.
    """

    view_on_site = False

    def get_readonly_fields(self, request, obj=None):
        fixed = [] if obj is None else ["statement", *(["slug"] if hasattr(obj, "slug") else [])]
        return [*super().get_readonly_fields(request, obj), *fixed]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        statement_item_save(
            item=obj, editor=request.user, changed=list(form.changed_data), request=request
        )


@admin.register(models.Treaty)
class TreatyAdmin(ReadOnlyAdmin):
    list_display = ["short_title", "adopted_on", "opened_for_signature_on", "text_version_label"]
    search_fields = ["short_title", "subtitle"]


@admin.register(models.Chapter)
class ChapterAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "position", "treaty"]
    list_filter = ["treaty"]
    search_fields = ["title"]


@admin.register(models.Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "chapter", "title_confirmed"]
    list_filter = ["chapter", "title_confirmed"]
    search_fields = ["title", "summary"]
    list_select_related = ["chapter"]


@admin.register(models.Provision)
class ProvisionAdmin(ReadOnlyAdmin):
    list_display = ["eid", "kind", "article", "is_official_text"]
    list_filter = ["kind", "is_official_text", "article__chapter"]
    search_fields = ["eid", "text"]
    list_select_related = ["article"]


@admin.register(models.ProvisionVersion)
class ProvisionVersionAdmin(ReadOnlyAdmin):
    list_display = ["provision", "label", "recorded_at", "is_official_text"]
    list_filter = ["label", "is_official_text"]
    search_fields = ["provision__eid", "text"]
    list_select_related = ["provision"]


@admin.register(models.Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["title", "issued"]
    search_fields = ["title"]


@admin.register(models.Organisation)
class OrganisationAdmin(ThroughServiceAdmin):
    list_display = ["name", "statement", "position"]
    list_filter = ["statement"]
    search_fields = ["name"]


@admin.register(models.Concern, models.SafeguardDemand)
class StatementPointAdmin(ThroughServiceAdmin):
    list_display = ["title", "slug", "position"]
    list_filter = ["statement"]
    search_fields = ["title", "point", "slug"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else {"slug": ["title"]}


@admin.register(models.Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
