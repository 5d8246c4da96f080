-- migrate:up

-- Expand only: a new table nothing of the previous release reads.

-- The steps of a rolling deploy the operator has run, by name. 'contract'
-- (`migrate contract`) says no task of a previous release serves any more:
-- features whose rows an old task would serve wrongly (password-protected
-- links, §12) are refused until it is here. A step, once run, stays run.
CREATE TABLE release_step (
    name   text        PRIMARY KEY,
    ran_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE release_step;
