# A trigram index of Service.search_text: an FTS5 table on SQLite, pg_trgm GIN on PostgreSQL.

from django.db import migrations


def forward(apps, schema_editor):
    from ginnel.directory import search_index

    search_index.ensure(schema_editor.connection)


def backward(apps, schema_editor):
    from ginnel.directory import search_index

    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0003_directory_settings'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
