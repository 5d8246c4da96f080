-- migrate:up

-- Links, range-partitioned by month of creation so old months can be dropped
-- whole. A partitioned table cannot carry a unique index on code alone, so
-- insert_short_links below enforces "one live link per code".
CREATE TABLE short_link (
    code       text        NOT NULL,
    url        text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (code, created_at),
    CHECK (expires_at > created_at)
) PARTITION BY RANGE (created_at);

-- Rows of a month that has no partition yet land here, so a create never
-- fails for want of one; create_short_link_partition moves them out.
CREATE TABLE short_link_default PARTITION OF short_link DEFAULT;

-- The durable counter generated codes are minted from. One row; blocks are
-- reserved with an atomic UPDATE … RETURNING, so no two callers share a value.
CREATE TABLE code_counter (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    next_value bigint  NOT NULL CHECK (next_value >= 0)
);
INSERT INTO code_counter (next_value) VALUES (0);

-- create_short_link_partition creates the partition of the month holding
-- month (UTC), moving in any rows the default partition caught meanwhile.
-- Idempotent: it returns the partition's name whether it made it or not.
CREATE FUNCTION create_short_link_partition(month date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    first_day  timestamp   := date_trunc('month', month::timestamp);
    start_at   timestamptz := first_day AT TIME ZONE 'UTC';
    end_at     timestamptz := (first_day + interval '1 month') AT TIME ZONE 'UTC';
    part_name  text        := 'short_link_' || to_char(first_day, '"y"YYYY"m"MM');
BEGIN
    -- Lock first: callers racing for one month queue here, and no row for the
    -- month can slip into the default partition between the move and attach.
    LOCK TABLE short_link_default IN ACCESS EXCLUSIVE MODE;
    IF to_regclass(part_name) IS NOT NULL THEN
        RETURN part_name;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE short_link INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
    EXECUTE format(
        'WITH moved AS (DELETE FROM short_link_default WHERE created_at >= $1 AND created_at < $2 RETURNING *)
         INSERT INTO %I SELECT * FROM moved', part_name)
        USING start_at, end_at;
    EXECUTE format('ALTER TABLE short_link ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        part_name, start_at, end_at);
    RETURN part_name;
END
$$;

-- insert_short_links stores many links in one statement, one round trip and
-- one commit (group commit), returning for each whether it was stored: false
-- where a live link already holds the code, or an earlier row of the same
-- call took it. A transaction-scoped advisory lock on each code's hash
-- serializes inserts of that code across all partitions (a partitioned table
-- cannot have a unique index on code alone), so of N concurrent inserts of
-- one code exactly one is stored. The locks are taken first, in one global
-- order, so calls running at once can never deadlock. p_live_since bounds
-- the search to partitions that can hold a live link.
CREATE FUNCTION insert_short_links(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[], p_live_since timestamptz
) RETURNS boolean[]
LANGUAGE plpgsql AS $$
DECLARE
    stored boolean[] := '{}';
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key)
    FROM (SELECT DISTINCT hashtextextended(c, 0) AS lock_key FROM unnest(p_codes) AS c ORDER BY 1) AS keys;
    FOR i IN 1 .. coalesce(array_length(p_codes, 1), 0) LOOP
        IF EXISTS (
            SELECT 1 FROM short_link
            WHERE code = p_codes[i] AND created_at >= p_live_since AND expires_at > p_created_at[i]
        ) THEN
            stored := stored || false;
        ELSE
            INSERT INTO short_link (code, url, created_at, expires_at)
            VALUES (p_codes[i], p_urls[i], p_created_at[i], p_expires_at[i]);
            stored := stored || true;
        END IF;
    END LOOP;
    RETURN stored;
END
$$;

-- migrate:down
DROP FUNCTION insert_short_links(text[], text[], timestamptz[], timestamptz[], timestamptz);
DROP FUNCTION create_short_link_partition(date);
DROP TABLE code_counter;
DROP TABLE short_link;
