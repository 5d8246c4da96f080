-- migrate:up

-- Expand only: a column with a NULL default the previous release never
-- names, and a new entry point beside claim_and_insert_links_with_features,
-- whose signature stays.

-- rules: a link's redirect rules (SPEC §15) as the API writes them, a JSON
-- array of {"when": {...}, "url": "..."}; NULL for none. The previous
-- release would send everyone to the link's url: the api refuses rules
-- until the operator has run `migrate contract` (release_step), once no old
-- task serves.
ALTER TABLE short_link ADD COLUMN rules jsonb;

-- claim_and_insert_links_with_extras is claim_and_insert_links_with_features
-- for a batch in which some links have rules or an imported link's source
-- date (original_created_at, migration 20261216000001): the same claims and
-- inserts, then those columns of the links stored, in the same transaction
-- (by primary key), so no reader ever sees such a link without its rules.
CREATE FUNCTION claim_and_insert_links_with_extras(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[],
    p_token_digests bytea[], p_free_after timestamptz[],
    p_workspaces text[], p_keys text[], p_titles text[], p_tags text[],
    p_forward_query boolean[], p_password_hash text[], p_rules jsonb[], p_original_created_at timestamptz[]
) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := claim_and_insert_links_with_features(p_codes, p_urls, p_created_at, p_expires_at, p_token_digests, p_free_after,
        p_workspaces, p_keys, p_titles, p_tags, p_forward_query, p_password_hash);
    UPDATE short_link AS l SET rules = f.rules, original_created_at = f.original_created_at
    FROM unnest(ids, p_codes, p_created_at, p_rules, p_original_created_at) AS f(id, code, created_at, rules, original_created_at)
    WHERE f.id IS NOT NULL AND (f.rules IS NOT NULL OR f.original_created_at IS NOT NULL)
      AND l.code = f.code AND l.created_at = f.created_at AND l.id = f.id;
    RETURN ids;
END
$$;

-- migrate:down
DROP FUNCTION claim_and_insert_links_with_extras(text[], text[], timestamptz[], timestamptz[], bytea[], timestamptz[],
    text[], text[], text[], text[], boolean[], text[], jsonb[], timestamptz[]);
ALTER TABLE short_link DROP COLUMN rules;
