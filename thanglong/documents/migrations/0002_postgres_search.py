"""The PostgreSQL full-text index table (``search_pg.PostgresIndex``); nothing on SQLite."""

from django.db import migrations

CREATE = [
    """CREATE TABLE IF NOT EXISTS documents_search_page (
        id bigint PRIMARY KEY,
        document_id bigint NOT NULL,
        page integer NOT NULL,
        unit_id bigint NOT NULL,
        doc_type text NOT NULL DEFAULT '',
        agency text NOT NULL DEFAULT '',
        issued_on text NOT NULL DEFAULT '',
        clearance smallint NOT NULL DEFAULT 0,
        tags text NOT NULL DEFAULT '',
        exact tsvector NOT NULL,
        folded tsvector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS documents_search_page_folded ON documents_search_page USING gin (folded)",
    "CREATE INDEX IF NOT EXISTS documents_search_page_exact ON documents_search_page USING gin (exact)",
    "CREATE INDEX IF NOT EXISTS documents_search_page_unit ON documents_search_page (unit_id)",
]
DROP = ["DROP TABLE IF EXISTS documents_search_page"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
