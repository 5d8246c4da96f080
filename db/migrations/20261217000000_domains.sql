-- migrate:up

-- Expand only: a new table, which the previous release never reads.
-- Registered short domains (SPEC §14); the host of PUBLIC_BASE_URL, the
-- default domain, is configuration and has no row. host is normalised by
-- the service (punycode, lower case, no trailing dot, no port).
CREATE TABLE short_domain (
    host          text        PRIMARY KEY,
    workspace_id  text        REFERENCES workspace (id),
    not_found_url text,
    created_at    timestamptz NOT NULL
);

-- A registration or removal is announced on the change feed, so that
-- every replica refreshes its set of domains within one poll.
CREATE FUNCTION log_short_domain_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('domain', OLD.host, 0, 0);
    ELSE
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('domain', NEW.host, 0, 0);
    END IF;
    PERFORM pg_notify('shortlink_changes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER short_domain_changed AFTER INSERT OR UPDATE OR DELETE ON short_domain
    FOR EACH ROW EXECUTE FUNCTION log_short_domain_change();

-- migrate:down
DROP TRIGGER short_domain_changed ON short_domain;
DROP FUNCTION log_short_domain_change();
DROP TABLE short_domain;
