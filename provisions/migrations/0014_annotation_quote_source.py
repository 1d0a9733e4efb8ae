# Every annotation records the text its quote was taken from (issue 17). Existing rows are
# filled by the rule docs/importing.md gives ("Which text a quote comes from"):
# - a quote still anchored (or fuzzy) points into its provision's current text: the editorial
#   summaries while that text is a summary, else the newest official version;
# - an orphaned quote was taken from the version before the import that orphaned it (its last
#   "reanchored" revision); with no such revision, from the editorial summaries.

from django.db import migrations, models

SUMMARY_LABEL = "Editorial summaries"


def fill_quote_sources(apps, schema_editor):
    Annotation = apps.get_model("provisions", "Annotation")
    Revision = apps.get_model("provisions", "Revision")
    TextVersion = apps.get_model("provisions", "TextVersion")
    versions = {}
    for version in TextVersion.objects.order_by("recorded_at", "pk"):
        versions.setdefault(version.treaty_id, []).append(version)
    changed = []
    for annotation in Annotation.objects.select_related("provision").iterator(chunk_size=500):
        treaty_versions = versions.get(annotation.provision.treaty_id, [])
        summaries = next(
            (v.label for v in treaty_versions if not v.is_official_text), SUMMARY_LABEL
        )
        official = [v for v in treaty_versions if v.is_official_text]
        label, is_official = summaries, False
        if annotation.anchor_state != "orphaned":
            if annotation.provision.is_official_text and official:
                label, is_official = official[-1].label, True
        else:
            orphaned_at = (
                Revision.objects.filter(
                    target_type="annotation", target_id=annotation.pk, action="reanchored"
                )
                .order_by("-created_at", "-pk")
                .values_list("created_at", flat=True)
                .first()
            )
            if orphaned_at is not None:
                before = [v for v in treaty_versions if v.recorded_at <= orphaned_at][:-1]
                if before:
                    label, is_official = before[-1].label, before[-1].is_official_text
        annotation.quote_source, annotation.quote_source_official = label, is_official
        changed.append(annotation)
    Annotation.objects.bulk_update(
        changed, ["quote_source", "quote_source_official"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [
        ("provisions", "0013_treaty_status_and_scorecard"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="quote_source",
            field=models.CharField(blank=True, max_length=200, verbose_name="quoted from"),
        ),
        migrations.AddField(
            model_name="annotation",
            name="quote_source_official",
            field=models.BooleanField(default=False, verbose_name="quoted from the official text"),
        ),
        migrations.RunPython(fill_quote_sources, migrations.RunPython.noop),
    ]
