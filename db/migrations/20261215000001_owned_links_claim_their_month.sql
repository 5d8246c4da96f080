-- migrate:up

-- Expand only. The workspaces migration's claim_and_insert_links (with
-- ownership and labels) claims codes as claims were before the claim led to
-- the link's partition: this version records the link's creation instant
-- and the default domain in its claim, as the six-argument version does
-- since 20261211000001 (whose conflict target, (code, domain), it shares).
CREATE OR REPLACE FUNCTION claim_and_insert_links(
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
        INSERT INTO code_claim AS c (domain, code, link_id, free_after, created_at)
        VALUES ('', p_codes[r.i], new_id, p_free_after[r.i], p_created_at[r.i])
        ON CONFLICT (code, domain) DO UPDATE
            SET link_id = EXCLUDED.link_id, free_after = EXCLUDED.free_after, created_at = EXCLUDED.created_at
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

-- migrate:down
-- The workspaces migration's version: its down (run next) drops it.
CREATE OR REPLACE FUNCTION claim_and_insert_links(
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
        INSERT INTO code_claim AS c (domain, code, link_id, free_after)
        VALUES ('', p_codes[r.i], new_id, p_free_after[r.i])
        ON CONFLICT (code, domain) DO UPDATE SET link_id = EXCLUDED.link_id, free_after = EXCLUDED.free_after
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
