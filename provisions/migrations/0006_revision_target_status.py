"""Each revision records the status its object had right after the change, so that what was
written while an annotation was a draft can be kept from everyone but its author."""

from django.db import migrations, models
from django.db.models import Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce


def status_from_snapshots(apps, schema_editor):
    """Every snapshot the services wrote holds the object's status after the change. One
    without it gets "", which RevisionQuerySet.visible_to treats like a draft's."""
    Revision = apps.get_model("provisions", "Revision")
    Revision.objects.update(target_status=Coalesce(KT("snapshot__status"), Value("")))


class Migration(migrations.Migration):
    dependencies = [
        ("provisions", "0005_tag_slugs_any_script"),
    ]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="target_status",
            field=models.CharField(
                blank=True, max_length=20, verbose_name="status after the change"
            ),
        ),
        migrations.RunPython(status_from_snapshots, migrations.RunPython.noop),
    ]
