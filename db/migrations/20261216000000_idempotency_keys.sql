-- migrate:up

-- Expand only: a new table no previous release reads. The answers of
-- requests sent with an Idempotency-Key (bulk creates, imports), by a digest
-- of the caller and the key: a retry answers the first result. answer is
-- NULL while the request runs, and sealed with a key derived from the
-- Idempotency-Key, which this table does not hold. Rows are kept a day.
CREATE TABLE idempotency_key (
    key         text PRIMARY KEY,
    fingerprint bytea NOT NULL,
    started_at  timestamptz NOT NULL,
    answer      bytea
);
CREATE INDEX idempotency_key_started_at ON idempotency_key (started_at);

-- migrate:down
DROP TABLE idempotency_key;
