-- migrate:up

-- Expand only: two columns with defaults and a function; the previous
-- release writes visit_day without naming them and never reads them.

-- dimensions maps each visitor dimension (country, device, browser, os,
-- utm_source, utm_medium, utm_campaign) to its values' visits, at most a
-- fixed number of values each and 'other' for the rest, like referrers
-- (merge_visit_dimensions). Per link and day only: visit_hour has none.
ALTER TABLE visit_day ADD COLUMN dimensions jsonb NOT NULL DEFAULT '{}';

-- uniques is the day's unique-visitor sketch of the row's slot
-- (HyperLogLog, at most 16 KiB), made from keyed hashes whose key lives
-- only for its day in the cache Redis, never here. The apis merge into it
-- by union under the row's lock; readers unite the slots' sketches.
ALTER TABLE visit_day ADD COLUMN uniques bytea;

-- merge_visit_dimensions merges two dimension maps, each dimension as
-- merge_visit_referrers merges referrers.
CREATE FUNCTION merge_visit_dimensions(a jsonb, b jsonb, keep integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(k, merge_visit_referrers(coalesce(a -> k, '{}'), coalesce(b -> k, '{}'), keep)), '{}'::jsonb)
    FROM (SELECT jsonb_object_keys(a) AS k UNION SELECT jsonb_object_keys(b)) AS keys
$$;

-- migrate:down
DROP FUNCTION merge_visit_dimensions(jsonb, jsonb, integer);
ALTER TABLE visit_day DROP COLUMN uniques;
ALTER TABLE visit_day DROP COLUMN dimensions;
