-- As migrations/sqlite/0002_retention.sql.
ALTER TABLE sessions ADD COLUMN max_part BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN finished_at BIGINT;
ALTER TABLE sessions ADD COLUMN purged_at BIGINT;
CREATE INDEX sessions_finished ON sessions(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX tokens_session ON tokens(session);
