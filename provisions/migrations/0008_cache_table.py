# Written by hand: the table of Django's database cache, which production uses when REDIS_URL
# is not set (treatywatch/settings.py). A migration, rather than a `createcachetable` step in the
# deploy instructions, so that every database `migrate` prepares can serve several workers, and
# no deploy can forget it. The name is fixed here: settings' LOCATION must stay the same.

from django.core.management import call_command
from django.db import migrations

TABLE = "treatywatch_cache"


def create_cache_table(apps, schema_editor):
    # Django's own command builds the table its database cache expects; it leaves an existing
    # one alone (an operator may have run it already).
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("provisions", "0007_enrolment_links"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table, elidable=False),
    ]
