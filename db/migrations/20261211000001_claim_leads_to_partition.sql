-- migrate:up

-- Expand only: the previous release keeps serving on this schema during a
-- rolling deploy. It reads links from short_link by code within MAX_TTL,
-- as before; it claims codes through claim_and_insert_links, whose
-- signature stays and which now fills the new columns; it updates claims
-- by code and link_id, which still works.

-- A code's claim names the creation instant of the link that holds it, so
-- a lookup goes from the claim to the one monthly partition holding the
-- link, however old, instead of searching every month within MAX_TTL
-- (unbounded with permanent links). NULL where the link is already gone
-- (retention): such a claim leads nowhere, as it should.
ALTER TABLE code_claim ADD COLUMN created_at timestamptz;
UPDATE code_claim c SET created_at = l.created_at FROM short_link l WHERE l.id = c.link_id;

-- The domain a code is claimed on: '' is the default domain, the only one
-- so far; with several domains (SPEC §14) one code may be claimed once
-- per domain. The key leads with code, so the previous release's claim
-- updates (by code and link_id) still use it.
ALTER TABLE code_claim ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE code_claim DROP CONSTRAINT code_claim_pkey;
ALTER TABLE code_claim ADD PRIMARY KEY (code, domain);

-- claim_and_insert_links as before, and the claim records the link's
-- creation instant. Links are on the default domain.
CREATE OR REPLACE FUNCTION claim_and_insert_links(
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
        INSERT INTO code_claim AS c (domain, code, link_id, free_after, created_at)
        VALUES ('', p_codes[r.i], new_id, p_free_after[r.i], p_created_at[r.i])
        ON CONFLICT (code, domain) DO UPDATE
            SET link_id = EXCLUDED.link_id, free_after = EXCLUDED.free_after, created_at = EXCLUDED.created_at
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

-- migrate:down
CREATE OR REPLACE FUNCTION claim_and_insert_links(
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
ALTER TABLE code_claim DROP CONSTRAINT code_claim_pkey;
ALTER TABLE code_claim ADD PRIMARY KEY (code);
ALTER TABLE code_claim DROP COLUMN domain;
ALTER TABLE code_claim DROP COLUMN created_at;
