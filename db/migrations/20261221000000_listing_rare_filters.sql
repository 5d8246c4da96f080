-- migrate:up

-- Expand only: two partial indexes the previous release never needs (its
-- statements keep their plans); no new link enters either (a link is
-- created in state 0 on the default domain's plain code), so creates pay
-- nothing for them.

-- state=disabled and state=deleted in a workspace, newest first: rare
-- states otherwise walk the workspace's newest-first index until a page
-- is full, or read every one of its links (1 M: seconds).
CREATE INDEX short_link_workspace_flagged ON short_link (workspace_id, created_at DESC, id DESC) WHERE state <> 0;

-- q as a code prefix on a registered domain (codes kept as "<host>/<code>"):
-- the code after the '/', so the listing's search is one BitmapOr of
-- indexed arms (plain code prefix, this, URL and title trigrams) instead
-- of a filter over every link of the workspace.
CREATE INDEX short_link_code_on_domain ON short_link (split_part(code, '/', -1) text_pattern_ops) WHERE code LIKE '%/%';

-- migrate:down
DROP INDEX short_link_code_on_domain;
DROP INDEX short_link_workspace_flagged;
