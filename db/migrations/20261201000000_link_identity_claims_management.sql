-- migrate:up

-- Expand only: the previous release keeps serving on this schema during a
-- rolling deploy (its statements still work: new columns have defaults, and
-- the function it calls keeps its signature and now claims codes too).

-- Links get an identity of their own: tokens, states and visit counters
-- belong to the link, never to its code.
CREATE SEQUENCE short_link_id_seq AS bigint;
ALTER TABLE short_link ADD COLUMN id bigint;
UPDATE short_link SET id = nextval('short_link_id_seq');
ALTER TABLE short_link ALTER COLUMN id SET DEFAULT nextval('short_link_id_seq');
ALTER TABLE short_link ALTER COLUMN id SET NOT NULL;

-- Management: 0 active, 1 disabled, 2 deleted (expiry is derived from
-- expires_at); who disabled it; the digest of the owner's manage token
-- (NULL for links made before tokens: only admin keys manage those); a
-- version counting changes.
ALTER TABLE short_link ADD COLUMN state smallint NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2));
ALTER TABLE short_link ADD COLUMN disabled_by_admin boolean NOT NULL DEFAULT false;
ALTER TABLE short_link ADD COLUMN token_digest bytea;
ALTER TABLE short_link ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- One compact record per claimed code, outside the partitions, so dropping
-- old partitions never frees a code early: a code may be claimed again only
-- after free_after (its link's expiry plus CODE_QUARANTINE; 'infinity'-like
-- 9999-12-31 when codes are never reused).
CREATE TABLE code_claim (
    code       text        PRIMARY KEY,
    link_id    bigint      NOT NULL,
    free_after timestamptz NOT NULL
);
-- Existing links keep their codes for the default quarantine (365 days)
-- after they expire.
INSERT INTO code_claim (code, link_id, free_after)
SELECT DISTINCT ON (code) code, id, expires_at + interval '365 days'
FROM short_link
ORDER BY code, created_at DESC;

-- claim_and_insert_links stores many links in one statement, one round trip
-- and one commit (group commit), returning for each its new id, or NULL
-- where the code is claimed: by a link whose claim is not over at the new
-- link's creation, or by an earlier row of the same call. Each claim is one
-- indexed upsert on code_claim; rows are claimed in code order, so calls
-- running at once wait for each other in one global order and never
-- deadlock, and of N concurrent claims of one code exactly one wins.
CREATE FUNCTION claim_and_insert_links(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[],
    p_token_digests bytea[], p_free_after timestamptz[]
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
            INSERT INTO short_link (id, code, url, created_at, expires_at, token_digest)
            VALUES (new_id, p_codes[r.i], p_urls[r.i], p_created_at[r.i], p_expires_at[r.i], p_token_digests[r.i]);
            ids[r.i] := new_id;
        END IF;
    END LOOP;
    RETURN ids;
END
$$;

-- The previous release's entry point, kept for its tasks during a rolling
-- deploy: it now claims codes as well (with the default quarantine), so old
-- and new tasks agree on who holds a code.
CREATE OR REPLACE FUNCTION insert_short_links(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[], p_live_since timestamptz
) RETURNS boolean[]
LANGUAGE plpgsql AS $$
DECLARE
    ids    bigint[];
    stored boolean[] := '{}';
    free   timestamptz[];
BEGIN
    SELECT array_agg(e + interval '365 days' ORDER BY o) INTO free FROM unnest(p_expires_at) WITH ORDINALITY AS t(e, o);
    ids := claim_and_insert_links(p_codes, p_urls, p_created_at, p_expires_at,
        array_fill(NULL::bytea, ARRAY[coalesce(array_length(p_codes, 1), 0)]), free);
    FOR i IN 1 .. coalesce(array_length(p_codes, 1), 0) LOOP
        stored := stored || (ids[i] IS NOT NULL);
    END LOOP;
    RETURN stored;
END
$$;

-- Cache invalidations owed by committed changes: written in the change's
-- transaction, drained by any api replica once the cache answers.
CREATE TABLE cache_outbox (
    id          bigserial   PRIMARY KEY,
    code        text        NOT NULL,
    enqueued_at timestamptz NOT NULL DEFAULT now()
);

-- The secret generated codes are minted with, when the service generated
-- it (NULL when the operator sets CODE_SECRET), and its fingerprint. Data
-- sets from before this table adopt whatever the first process brings.
CREATE TABLE code_secret (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    secret      text,
    fingerprint text    NOT NULL
);

-- migrate:down
DROP TABLE code_secret;
DROP TABLE cache_outbox;
-- (insert_short_links is restored below, before what it calls is dropped.)
DROP FUNCTION claim_and_insert_links(text[], text[], timestamptz[], timestamptz[], bytea[], timestamptz[]);
DROP TABLE code_claim;
ALTER TABLE short_link DROP COLUMN version, DROP COLUMN token_digest, DROP COLUMN disabled_by_admin, DROP COLUMN state, DROP COLUMN id;
DROP SEQUENCE short_link_id_seq;
-- The first release's insert_short_links, which claims nothing.
CREATE OR REPLACE FUNCTION insert_short_links(
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
