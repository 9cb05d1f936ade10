"""Rewrite every commitment's search vector for search in the region's languages (Russian and
English stems, accents folded, parties' names): common.search builds it, as the services do.

The rows are read with plain SQL, not the models: a copy of what the services index
(commitments.services._search_refresh), so that a later change of the models cannot break it.
"""

from django.db import migrations

from common.search import search_document, search_vectors_write

SEARCHED_CHARACTERS = 100_000  # sources.services.SEARCHED_CHARACTERS when this was written
BATCH = 500

ROWS_SQL = f"""
SELECT c.id, c.reference, c.title, substr(c.description, 1, {SEARCHED_CHARACTERS}),
       c.deadline_text,
       ARRAY(SELECT n FROM commitments_party p
               JOIN commitments_actor a ON a.id = p.actor_id,
                    unnest(ARRAY[a.name, a.short_name]) WITH ORDINALITY AS u(n, i)
              WHERE p.commitment_id = c.id
              ORDER BY p.role, p.actor_id, u.i)
  FROM commitments_commitment c
 WHERE c.id > %s
 ORDER BY c.id
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
            pk: search_document(
                {
                    "A": [reference, title],
                    "B": list(dict.fromkeys(names)),
                    "C": [head],
                    "D": [deadline_text],
                }
            )
            for pk, reference, title, head, deadline_text, names in rows
        }
        search_vectors_write("commitments_commitment", documents, connection=connection)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("commitments", "0009_history_change_reason_text")]

    operations = [migrations.RunPython(search_vectors_refresh, migrations.RunPython.noop)]
