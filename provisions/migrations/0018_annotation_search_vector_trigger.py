"""On PostgreSQL, the database keeps each annotation's search vector itself: a trigger sets it
whenever a row is inserted or its body is written, so the write services no longer send a second
UPDATE after every insert or edit (issue 15). The vector is the one provisions.search.vectors
describes (body, weight C, English); `tests/test_search.py` checks that both agree. SQLite has
no vectors (its search reads the text itself): nothing to do there.
"""

from django.db import migrations

FUNCTION = "provisions_annotation_search_vector"
TRIGGER = "provisions_annotation_search_vector"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := setweight(to_tsvector('english'::regconfig, COALESCE(NEW.body, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {TRIGGER} ON provisions_annotation;
CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF body ON provisions_annotation
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON provisions_annotation;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("provisions", "0017_text_languages")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
