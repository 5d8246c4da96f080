-- migrate:up

-- Expand only: an index, a trigger function that lets retention pass
-- unannounced, and comments; nothing the
-- previous release reads or writes changes.

-- Retention deletes links that ended long ago (`partitions --prune`, in
-- batches) instead of dropping whole months, since a permanent link may
-- live in any month: this index finds them without reading every row.
CREATE INDEX short_link_expires_at ON short_link (expires_at);

-- Retention deletes only links that ended VISIT_RETENTION months ago,
-- which no cache holds: announcing each of them to the replicas
-- (change_log) would be work for nothing, millions of rows at a time. Its
-- transactions say so (SET LOCAL shortlink.pruning = 'on'); every other
-- change and deletion, an operator's SQL included, is announced as before.
CREATE OR REPLACE FUNCTION log_short_link_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('shortlink.pruning', true) = 'on' THEN
            RETURN NULL;
        END IF;
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('link', OLD.code, OLD.id, OLD.version);
    ELSE
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('link', NEW.code, NEW.id, NEW.version);
    END IF;
    PERFORM pg_notify('shortlink_changes', '');
    RETURN NULL;
END
$$;

-- The visit counters' partitions are now the months of the visits
-- (retention keeps VISIT_RETENTION of them); rows written by earlier
-- releases carry their link's creation month, and readers look in both.
COMMENT ON COLUMN visit_hour.link_month IS 'the month of the partition: the visit''s month (earlier releases: the link''s creation month)';
COMMENT ON COLUMN visit_day.link_month IS 'the month of the partition: the visit''s month (earlier releases: the link''s creation month)';

-- migrate:down
COMMENT ON COLUMN visit_day.link_month IS NULL;
COMMENT ON COLUMN visit_hour.link_month IS NULL;
CREATE OR REPLACE FUNCTION log_short_link_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('link', OLD.code, OLD.id, OLD.version);
    ELSE
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('link', NEW.code, NEW.id, NEW.version);
    END IF;
    PERFORM pg_notify('shortlink_changes', '');
    RETURN NULL;
END
$$;
DROP INDEX short_link_expires_at;
