-- migrate:up

-- Expand only: a new table, functions and triggers; nothing the previous
-- release reads or writes changes, and its changes are announced too.

-- The changes every api replica follows to keep its in-process cache in
-- step with the store, without Redis: kind says what changed ('link': a
-- link, by its code), entity_id and version what the change left (a
-- link's id and version; a cached copy older than that is stale). Each
-- replica reads the rows after the last it saw, woken by NOTIFY
-- shortlink_changes and, should a notification be lost, every 250 ms;
-- the replicas delete rows older than an hour.
CREATE TABLE change_log (
    id         bigserial   PRIMARY KEY,
    kind       text        NOT NULL,
    key        text        NOT NULL,
    entity_id  bigint      NOT NULL,
    version    bigint      NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_changed_at ON change_log (changed_at);

-- log_short_link_change announces a change of a link in the transaction
-- that makes it, whoever makes it (any release, any tool): the row, and a
-- notification delivered at commit (one per transaction: Postgres folds
-- identical ones).
CREATE FUNCTION log_short_link_change() RETURNS trigger
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

-- On the partitioned table: Postgres clones the trigger onto every
-- partition, those created or attached later included.
CREATE TRIGGER short_link_changed AFTER UPDATE OR DELETE ON short_link
    FOR EACH ROW EXECUTE FUNCTION log_short_link_change();

-- A new link is announced only when it claims a code another link held
-- (its quarantine over): a cache may still hold the old link's tombstone.
-- A code never claimed before has no copies anywhere but negative entries,
-- which only the cache Redis keeps, and a create overwrites there.
CREATE FUNCTION log_code_claim_taken_over() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_log (kind, key, entity_id, version) VALUES ('link', NEW.code, NEW.link_id, 1);
    PERFORM pg_notify('shortlink_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER code_claim_taken_over AFTER UPDATE OF link_id ON code_claim
    FOR EACH ROW WHEN (OLD.link_id IS DISTINCT FROM NEW.link_id)
    EXECUTE FUNCTION log_code_claim_taken_over();

-- migrate:down
DROP TRIGGER code_claim_taken_over ON code_claim;
DROP FUNCTION log_code_claim_taken_over();
DROP TRIGGER short_link_changed ON short_link;
DROP FUNCTION log_short_link_change();
DROP TABLE change_log;
