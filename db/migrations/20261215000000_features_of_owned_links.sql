-- migrate:up

-- Expand only. claim_and_insert_links_with_features (links with forward_query
-- or a password) learns what the workspaces migration taught
-- claim_and_insert_links: each link's workspace, key, title and tags. It is a
-- new signature beside the old one, which stays for the release that calls it.
CREATE FUNCTION claim_and_insert_links_with_features(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[],
    p_token_digests bytea[], p_free_after timestamptz[],
    p_workspaces text[], p_keys text[], p_titles text[], p_tags text[],
    p_forward_query boolean[], p_password_hash text[]
) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := claim_and_insert_links(p_codes, p_urls, p_created_at, p_expires_at, p_token_digests, p_free_after,
        p_workspaces, p_keys, p_titles, p_tags);
    UPDATE short_link AS l SET forward_query = f.forward_query, password_hash = f.password_hash
    FROM unnest(ids, p_codes, p_created_at, p_forward_query, p_password_hash) AS f(id, code, created_at, forward_query, password_hash)
    WHERE f.id IS NOT NULL AND (f.forward_query OR f.password_hash IS NOT NULL)
      AND l.code = f.code AND l.created_at = f.created_at AND l.id = f.id;
    RETURN ids;
END
$$;

-- migrate:down
DROP FUNCTION claim_and_insert_links_with_features(text[], text[], timestamptz[], timestamptz[], bytea[], timestamptz[],
    text[], text[], text[], text[], boolean[], text[]);
