-- migrate:up

-- Expand only: new tables, new nullable columns and indexes; the previous
-- release's statements keep working (it names its columns, and its
-- claim_and_insert_links keeps its signature), and writes anonymous links.

-- Workspaces hold links, tags and keys (docs/api.md, "Workspaces, keys and my links"). Ids are random
-- lower-case base32, made by the service.
CREATE TABLE workspace (
    id         text        PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- A key is shown once as slk_<id>_<secret>_<checksum>; only its SHA-256
-- is kept. last_used_at is coarse (written at most once a minute per key,
-- off the request path).
CREATE TABLE api_key (
    id           text        PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspace (id),
    role         text        NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    name         text        NOT NULL,
    digest       bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_key_workspace ON api_key (workspace_id, created_at);

-- A revocation is announced on the change feed, so that every replica
-- drops its cached copy of the key within one poll (Redis or not).
CREATE FUNCTION log_api_key_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('key', OLD.id, 0, 0);
    ELSE
        INSERT INTO change_log (kind, key, entity_id, version) VALUES ('key', NEW.id, 0, 0);
    END IF;
    PERFORM pg_notify('shortlink_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER api_key_changed AFTER UPDATE OF revoked_at, role OR DELETE ON api_key
    FOR EACH ROW EXECUTE FUNCTION log_api_key_change();

-- Links created with a workspace key belong to its workspace and record
-- the key; title and tags are the workspace's own labels. NULL for
-- anonymous links (and everything the previous release writes).
ALTER TABLE short_link
    ADD COLUMN workspace_id   text,
    ADD COLUMN created_by_key text,
    ADD COLUMN title          text,
    ADD COLUMN tags           text[];

-- The listing: newest first within a workspace, or across all (admins),
-- paged by (created_at, id); tags by containment.
CREATE INDEX short_link_workspace_newest ON short_link (workspace_id, created_at DESC, id DESC);
CREATE INDEX short_link_newest ON short_link (created_at DESC, id DESC);
CREATE INDEX short_link_tags ON short_link USING gin (tags) WHERE tags IS NOT NULL;
-- Code prefixes (q): a pattern index, whatever the database's collation;
-- with the trigram indexes below, a search is one BitmapOr of the three.
CREATE INDEX short_link_code_pattern ON short_link (code text_pattern_ops);

-- Substring search of URLs and titles: trigram indexes, where pg_trgm is
-- available and may be created (managed Postgres offers it); without it
-- the search still answers, by scanning the workspace's rows.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm not created (no privilege): URL and title search scans';
            RETURN;
        END;
        CREATE INDEX short_link_url_trgm ON short_link USING gin (lower(url) gin_trgm_ops);
        CREATE INDEX short_link_title_trgm ON short_link USING gin (lower(title) gin_trgm_ops) WHERE title IS NOT NULL;
    END IF;
END
$$;

-- claim_and_insert_links, with each link's workspace, key, title and tags
-- (tags comma-joined: a text[][] must be rectangular). The previous
-- signature stays for the previous release.
CREATE FUNCTION claim_and_insert_links(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[],
    p_token_digests bytea[], p_free_after timestamptz[],
    p_workspaces text[], p_keys text[], p_titles text[], p_tags text[]
) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    ids    bigint[] := array_fill(NULL::bigint, ARRAY[coalesce(array_length(p_codes, 1), 0)]);
    r      record;
    new_id bigint;
    won    bigint;
BEGIN
    FOR r IN SELECT i FROM generate_subscripts(p_codes, 1) AS i ORDER BY p_codes[i], i LOOP
        new_id := nextval('short_link_id_seq');
        won := NULL;
        INSERT INTO code_claim AS c (code, link_id, free_after)
        VALUES (p_codes[r.i], new_id, p_free_after[r.i])
        ON CONFLICT (code) DO UPDATE SET link_id = EXCLUDED.link_id, free_after = EXCLUDED.free_after
            WHERE c.free_after < p_created_at[r.i]
        RETURNING link_id INTO won;
        IF won IS NOT NULL THEN
            INSERT INTO short_link (id, code, url, created_at, expires_at, token_digest, workspace_id, created_by_key, title, tags)
            VALUES (new_id, p_codes[r.i], p_urls[r.i], p_created_at[r.i], p_expires_at[r.i], p_token_digests[r.i],
                nullif(p_workspaces[r.i], ''), nullif(p_keys[r.i], ''), nullif(p_titles[r.i], ''),
                CASE WHEN coalesce(p_tags[r.i], '') = '' THEN NULL ELSE string_to_array(p_tags[r.i], ',') END);
            ids[r.i] := new_id;
        END IF;
    END LOOP;
    RETURN ids;
END
$$;

-- The audit log: every management action, who (admin, manage_token,
-- key:<id>), what and when; retained like visits.
CREATE TABLE audit_log (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL,
    workspace_id text,
    who          text        NOT NULL,
    action       text        NOT NULL,
    target       text        NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id DESC);

-- migrate:down
DROP TABLE audit_log;
DROP FUNCTION claim_and_insert_links(text[], text[], timestamptz[], timestamptz[], bytea[], timestamptz[], text[], text[], text[], text[]);
DROP INDEX IF EXISTS short_link_title_trgm;
DROP INDEX IF EXISTS short_link_url_trgm;
DROP INDEX short_link_code_pattern;
DROP INDEX short_link_tags;
DROP INDEX short_link_newest;
DROP INDEX short_link_workspace_newest;
ALTER TABLE short_link DROP COLUMN tags, DROP COLUMN title, DROP COLUMN created_by_key, DROP COLUMN workspace_id;
DROP TRIGGER api_key_changed ON api_key;
DROP FUNCTION log_api_key_change();
DROP TABLE api_key;
DROP TABLE workspace;
