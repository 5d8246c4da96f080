-- migrate:up

-- Expand only: new tables and functions; nothing the previous release uses
-- changes.

-- Visit counters per link and hour (visit_hour) and per link and day
-- (visit_day, written with them, so a year is read from 366 rows a slot
-- rather than 8 784). Each api adds its counts of one flush to one of a
-- fixed number of slots, chosen per flush, so replicas rarely wait on each
-- other's row locks; readers sum the slots. referrers maps a referrer host
-- (or 'direct', or 'other' for the rest) to its visits, at most a fixed
-- number of hosts per row (merge_visit_referrers). Both tables are
-- partitioned by the month of the link's creation, like short_link, so
-- `partitions --prune` drops a link's counters with it.
CREATE TABLE visit_hour (
    link_month date        NOT NULL,
    link_id    bigint      NOT NULL,
    hour       timestamptz NOT NULL,
    slot       smallint    NOT NULL,
    humans     bigint      NOT NULL,
    bots       bigint      NOT NULL,
    referrers  jsonb       NOT NULL,
    PRIMARY KEY (link_id, hour, slot, link_month)
) PARTITION BY RANGE (link_month);
CREATE TABLE visit_hour_default PARTITION OF visit_hour DEFAULT;

CREATE TABLE visit_day (
    link_month date        NOT NULL,
    link_id    bigint      NOT NULL,
    day        timestamptz NOT NULL,
    slot       smallint    NOT NULL,
    humans     bigint      NOT NULL,
    bots       bigint      NOT NULL,
    referrers  jsonb       NOT NULL,
    PRIMARY KEY (link_id, day, slot, link_month)
) PARTITION BY RANGE (link_month);
CREATE TABLE visit_day_default PARTITION OF visit_day DEFAULT;

-- The ids of applied visit batches, written in the statement that applies
-- one: a batch retried after a lost answer finds its id and adds nothing.
-- The apis forget ids older than two days (made_at, by their clock).
CREATE TABLE visit_batch (
    id      uuid        PRIMARY KEY,
    made_at timestamptz NOT NULL
);
CREATE INDEX visit_batch_made_at ON visit_batch (made_at);

-- merge_visit_referrers adds two referrer maps and keeps the keep hosts
-- with the most visits (ties by host), folding the rest into 'other'.
CREATE FUNCTION merge_visit_referrers(a jsonb, b jsonb, keep integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(host, visits), '{}'::jsonb) FROM (
        SELECT CASE WHEN rank <= keep THEN host ELSE 'other' END AS host, sum(visits) AS visits
        FROM (
            SELECT host, visits, row_number() OVER (ORDER BY host = 'other', visits DESC, host) AS rank
            FROM (
                SELECT key AS host, sum(value::bigint) AS visits
                FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS entries
                GROUP BY key
            ) AS summed
        ) AS ranked
        GROUP BY 1
    ) AS capped
$$;

-- create_visit_partitions creates the partitions of the counters of links
-- created in the month holding month (UTC), moving in any rows the default
-- partitions caught meanwhile. Idempotent.
CREATE FUNCTION create_visit_partitions(month date) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    first_day date   := date_trunc('month', month::timestamp)::date;
    next_day  date   := (date_trunc('month', month::timestamp) + interval '1 month')::date;
    suffix    text   := to_char(first_day, '"y"YYYY"m"MM');
    parent    text;
    part_name text;
    names     text[] := '{}';
BEGIN
    FOREACH parent IN ARRAY ARRAY['visit_hour', 'visit_day'] LOOP
        part_name := parent || '_' || suffix;
        EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', parent || '_default');
        IF to_regclass(part_name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name, parent);
            EXECUTE format(
                'WITH moved AS (DELETE FROM %I WHERE link_month >= $1 AND link_month < $2 RETURNING *)
                 INSERT INTO %I SELECT * FROM moved', parent || '_default', part_name)
                USING first_day, next_day;
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                parent, part_name, first_day, next_day);
        END IF;
        names := names || part_name;
    END LOOP;
    RETURN names;
END
$$;

-- Counters of links in the months short_link already has partitions for
-- get theirs now; later months get them from the partitions tool.
SELECT create_visit_partitions(to_date(substr(c.relname, 12), '"y"YYYY"m"MM'))
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'short_link'::regclass AND c.relname ~ '^short_link_y[0-9]{4}m[0-9]{2}$';

-- migrate:down
DROP FUNCTION create_visit_partitions(date);
DROP FUNCTION merge_visit_referrers(jsonb, jsonb, integer);
DROP TABLE visit_batch;
DROP TABLE visit_day;
DROP TABLE visit_hour;
