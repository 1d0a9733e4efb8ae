"""Full-text search: a tsvector column per searchable model and, on PostgreSQL, a GIN index on it.

The GIN indexes are created with SQL gated on the database vendor rather than declared in
Meta.indexes: Django would emit `USING gin` on SQLite too (the development and test database),
where it is a syntax error, both here and whenever SQLite later rebuilds one of these tables.
The vectors of existing rows are filled in here; afterwards provisions.search keeps them current
(and `manage.py rebuild_search_index` rebuilds them all).
"""

import django.contrib.postgres.search
from django.db import migrations

# (table, index name, the weighted vector of a row: the same weights as provisions.search)
SEARCHABLE = [
    (
        "provisions_article",
        "provisions_article_search_gin",
        "setweight(to_tsvector('english', coalesce(title, '')), 'A')"
        " || setweight(to_tsvector('english', coalesce(summary, '')), 'B')",
    ),
    (
        "provisions_provision",
        "provisions_provision_search_gin",
        "setweight(to_tsvector('english', coalesce(text, '')), 'B')",
    ),
    (
        "provisions_concern",
        "provisions_concern_search_gin",
        "setweight(to_tsvector('english', coalesce(title, '')), 'A')"
        " || setweight(to_tsvector('english', coalesce(point, '')), 'B')",
    ),
    (
        "provisions_safeguarddemand",
        "provisions_safeguarddemand_search_gin",
        "setweight(to_tsvector('english', coalesce(title, '')), 'A')"
        " || setweight(to_tsvector('english', coalesce(point, '')), 'B')",
    ),
    (
        "provisions_annotation",
        "provisions_annotation_search_gin",
        "setweight(to_tsvector('english', coalesce(body, '')), 'C')",
    ),
]


def create_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index, vector in SEARCHABLE:
        schema_editor.execute(f"UPDATE {table} SET search_vector = {vector}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_vector)"
        )


def drop_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, index, _vector in SEARCHABLE:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):

    dependencies = [
        ('provisions', '0002_groups'),
    ]

    operations = [
        migrations.AddField(
            model_name='annotation',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='concern',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='provision',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='safeguarddemand',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_gin_indexes, drop_gin_indexes, elidable=False),
    ]
