"""Rewrite every source's search vector for search in the region's languages (Russian and
English stems, accents folded): common.search builds it, as sources.services does.

The rows are read with plain SQL, not the model: a copy of what the service indexes
(sources.services._search_refresh), so that a later change of the model cannot break it.
"""

from django.db import migrations

from common.search import search_document, search_vectors_write

SEARCHED_CHARACTERS = 100_000  # sources.services.SEARCHED_CHARACTERS when this was written
BATCH = 200

ROWS_SQL = f"""
SELECT id, title, publisher, author, substr(text, 1, {SEARCHED_CHARACTERS}), coalesce(url, '')
  FROM sources_source
 WHERE id > %s
 ORDER BY id
 LIMIT {BATCH}
"""


def search_vectors_refresh(apps, schema_editor):
    connection = schema_editor.connection
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(ROWS_SQL, [last])
            rows = cursor.fetchall()
        if not rows:
            return
        documents = {
            pk: search_document({"A": [title], "B": [publisher, author], "C": [head], "D": [url]})
            for pk, title, publisher, author, head, url in rows
        }
        search_vectors_write("sources_source", documents, connection=connection)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("sources", "0003_history_change_reason_text")]

    operations = [migrations.RunPython(search_vectors_refresh, migrations.RunPython.noop)]
