"""Admin pages for editors: every model, with filters and search."""

from django.contrib import admin

from provisions import models


@admin.register(models.Treaty)
class TreatyAdmin(admin.ModelAdmin):
    list_display = ["short_title", "adopted_on", "opened_for_signature_on", "text_version_label"]
    search_fields = ["short_title", "subtitle"]


@admin.register(models.Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "position", "treaty"]
    list_filter = ["treaty"]
    search_fields = ["title"]


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "chapter", "title_confirmed"]
    list_filter = ["chapter", "title_confirmed"]
    search_fields = ["title", "summary"]
    list_select_related = ["chapter"]


@admin.register(models.Provision)
class ProvisionAdmin(admin.ModelAdmin):
    list_display = ["eid", "kind", "article", "is_official_text"]
    list_filter = ["kind", "is_official_text", "article__chapter"]
    search_fields = ["eid", "text"]
    list_select_related = ["article"]
    raw_id_fields = ["article", "parent"]


@admin.register(models.ProvisionVersion)
class ProvisionVersionAdmin(admin.ModelAdmin):
    list_display = ["provision", "label", "recorded_at", "is_official_text"]
    list_filter = ["label", "is_official_text"]
    search_fields = ["provision__eid", "text"]
    raw_id_fields = ["provision"]


class OrganisationInline(admin.TabularInline):
    model = models.Organisation
    extra = 0


@admin.register(models.Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["title", "issued"]
    search_fields = ["title"]
    inlines = [OrganisationInline]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "statement", "position"]
    list_filter = ["statement"]
    search_fields = ["name"]


@admin.register(models.Concern, models.SafeguardDemand)
class StatementPointAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "position"]
    list_filter = ["statement"]
    search_fields = ["title", "point", "slug"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(models.ProvisionLink)
class ProvisionLinkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "confidence", "status", "is_editorial", "proposed_at"]
    list_filter = ["status", "kind", "confidence", "is_editorial", "needs_review"]
    search_fields = ["rationale", "provision__eid", "concern__title", "demand__title"]
    list_select_related = ["provision", "concern", "demand"]
    raw_id_fields = ["provision", "proposed_by", "reviewed_by"]


@admin.register(models.Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(models.Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["pk", "provision", "author", "status", "anchor_state", "version", "updated_at"]
    list_filter = ["status", "anchor_state", "provision__article__chapter"]
    search_fields = ["body", "provision__eid", "author__username"]
    list_select_related = ["provision", "author"]
    raw_id_fields = ["provision", "author", "in_reply_to", "reviewed_by"]
    readonly_fields = ["body_html", "version"]


@admin.register(models.Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["target_type", "target_id", "version", "action", "actor", "created_at"]
    list_filter = ["target_type", "action"]
    search_fields = ["note", "target_id"]
    readonly_fields = [f.name for f in models.Revision._meta.fields]


@admin.register(models.Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name"]
    search_fields = ["display_name", "user__username"]


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    exclude = ["token_hash"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor__username"]
    readonly_fields = [f.name for f in models.AuditEvent._meta.fields]
