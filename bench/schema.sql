-- The schema a tool left behind, one line per object, for bench/run.sh to
-- compare across tools: every column of every table, every index, and the
-- number of backfilled values.  Each tool's own bookkeeping is left out
-- (schemas schemamig and sqitch, tables alembic_version and
-- schema_migrations).  Run with psql -X -At; an empty schema prints nothing.
WITH rel AS (
    SELECT c.oid, n.nspname, c.relname
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemamig', 'sqitch')
      AND n.nspname NOT LIKE 'pg\_toast%'
      AND n.nspname NOT LIKE 'pg\_temp%'
      AND c.relname NOT IN ('alembic_version', 'schema_migrations')
)
SELECT line FROM (
    SELECT pg_catalog.format('column %s.%s %s %s %s', r.nspname, r.relname,
                             a.attname,
                             pg_catalog.format_type(a.atttypid, a.atttypmod),
                             CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END) AS line
    FROM rel r
    JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
    WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT pg_catalog.format('index %s', pg_catalog.pg_get_indexdef(i.indexrelid))
    FROM rel r
    JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
    UNION ALL
    -- data: how many rows each backfill left, summed over the tables
    SELECT pg_catalog.format('backfilled %s', pg_catalog.sum(
               (pg_catalog.xpath('/row/n/text()', pg_catalog.query_to_xml(
                   pg_catalog.format('SELECT count(*) AS n FROM %I.%I WHERE extra IS NOT NULL',
                                     r.nspname, r.relname),
                   false, true, '')))[1]::text::bigint))
    FROM rel r
    JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
    WHERE a.attname = 'extra' AND NOT a.attisdropped
    HAVING pg_catalog.count(*) > 0
) AS objects
ORDER BY line;
