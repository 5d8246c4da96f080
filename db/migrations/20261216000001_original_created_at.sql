-- migrate:up

-- Expand only. An imported link keeps its source's date (SPEC §17) beside
-- its own created_at, which is the import's: an old created_at would put the
-- link outside the partitions lookups read. The previous release neither
-- reads nor writes the column; its rows have NULL (not imported).
ALTER TABLE short_link ADD COLUMN original_created_at timestamptz;

-- claim_and_insert_links_with_features, then each imported link's source
-- date. A new function beside the others, which stay for the release that
-- calls them.
CREATE FUNCTION claim_and_insert_links_imported(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[],
    p_token_digests bytea[], p_free_after timestamptz[],
    p_workspaces text[], p_keys text[], p_titles text[], p_tags text[],
    p_forward_query boolean[], p_password_hash text[], p_original_created_at timestamptz[]
) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := claim_and_insert_links_with_features(p_codes, p_urls, p_created_at, p_expires_at, p_token_digests, p_free_after,
        p_workspaces, p_keys, p_titles, p_tags, p_forward_query, p_password_hash);
    UPDATE short_link AS l SET original_created_at = f.original_created_at
    FROM unnest(ids, p_codes, p_created_at, p_original_created_at) AS f(id, code, created_at, original_created_at)
    WHERE f.id IS NOT NULL AND f.original_created_at IS NOT NULL
      AND l.code = f.code AND l.created_at = f.created_at AND l.id = f.id;
    RETURN ids;
END
$$;

-- migrate:down
DROP FUNCTION claim_and_insert_links_imported(text[], text[], timestamptz[], timestamptz[], bytea[], timestamptz[],
    text[], text[], text[], text[], boolean[], text[], timestamptz[]);
ALTER TABLE short_link DROP COLUMN original_created_at;
