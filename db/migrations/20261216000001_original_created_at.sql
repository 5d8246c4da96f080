-- migrate:up

-- Expand only. An imported link keeps its source's date (SPEC §17) beside
-- its own created_at, which is the import's: an old created_at would put the
-- link outside the partitions lookups read. The previous release neither
-- reads nor writes the column; its rows have NULL (not imported).
ALTER TABLE short_link ADD COLUMN original_created_at timestamptz;

-- claim_and_insert_links_with_extras (migration 20261218000000) stores it
-- with a batch's redirect rules.

-- migrate:down
ALTER TABLE short_link DROP COLUMN original_created_at;
