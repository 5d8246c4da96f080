-- migrate:up

-- Expand only: two columns with defaults the previous release never names
-- (its inserts leave them at their defaults, its reads skip them), and a
-- new entry point beside claim_and_insert_links, whose signature stays.

-- forward_query: a redirect appends the short URL's query string to the
-- target. password_hash: the argon2id hash of the link's password (PHC
-- string format), NULL for none. The previous release would redirect a
-- protected link without asking: the api refuses passwords until the
-- operator has run `migrate contract` (release_step), once no old task
-- serves.
ALTER TABLE short_link
    ADD COLUMN forward_query boolean NOT NULL DEFAULT false,
    ADD COLUMN password_hash text;

-- claim_and_insert_links_with_features is claim_and_insert_links for a
-- batch in which some links have features: the same claims and inserts
-- (whatever claim_and_insert_links does, in whatever release), then the
-- features of the links stored, in the same transaction (by primary key;
-- the change log announces the rows as changed, which costs a replica one
-- store read of a link nobody has cached yet). Batches of plain links keep
-- calling claim_and_insert_links.
CREATE FUNCTION claim_and_insert_links_with_features(
    p_codes text[], p_urls text[], p_created_at timestamptz[], p_expires_at timestamptz[],
    p_token_digests bytea[], p_free_after timestamptz[], p_forward_query boolean[], p_password_hash text[]
) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := claim_and_insert_links(p_codes, p_urls, p_created_at, p_expires_at, p_token_digests, p_free_after);
    UPDATE short_link AS l SET forward_query = f.forward_query, password_hash = f.password_hash
    FROM unnest(ids, p_codes, p_created_at, p_forward_query, p_password_hash) AS f(id, code, created_at, forward_query, password_hash)
    WHERE f.id IS NOT NULL AND (f.forward_query OR f.password_hash IS NOT NULL)
      AND l.code = f.code AND l.created_at = f.created_at AND l.id = f.id;
    RETURN ids;
END
$$;

-- migrate:down
DROP FUNCTION claim_and_insert_links_with_features(text[], text[], timestamptz[], timestamptz[], bytea[], timestamptz[], boolean[], text[]);
ALTER TABLE short_link DROP COLUMN password_hash, DROP COLUMN forward_query;
