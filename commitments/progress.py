"""A programme's progress, derived from its milestones by PostgreSQL: no stored copy drifts.

`commitment_progress(id)` returns, for a commitment with published milestones, their count,
the count per status, the total weight and the percentage done (each milestone adds its
`progress_weight` times its status's share, PROGRESS_SHARES); null without milestones. The
function is created by a migration from the SQL below, so that the API's JSON (written by
PostgreSQL, common.json_sql), the pages and the admin read one definition: a change of the
shares or of the vocabulary needs a migration that runs `function_sql()` again (a test
compares the database's function with it). jsonb, which Django reads as a JSONField.
"""

from commitments.choices import PROGRESS_SHARES, Status

FUNCTION = "commitment_progress"


def _share_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{status}' THEN {share}" for status, share in PROGRESS_SHARES.items())
    return f"CASE {column} {cases} ELSE 0 END"


def function_sql() -> str:
    """CREATE OR REPLACE the function, from the vocabulary and the shares as they are now."""
    counts = ", ".join(
        f"'{status}', count(*) FILTER (WHERE m.status = '{status}')" for status in Status.values
    )
    return f"""
    CREATE OR REPLACE FUNCTION {FUNCTION}(programme bigint) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN count(*) = 0 THEN NULL ELSE jsonb_build_object(
            'milestones', count(*),
            'weight', sum(m.progress_weight),
            'percent', round(
                100.0 * sum(m.progress_weight * {_share_sql("m.status")})
                / nullif(sum(m.progress_weight), 0), 1
            )::float,
            'by_status', jsonb_build_object({counts})
        ) END
          FROM commitments_commitment m
         WHERE m.parent_id = programme AND m.is_published
    $$;
    """


DROP_SQL = f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint);"
