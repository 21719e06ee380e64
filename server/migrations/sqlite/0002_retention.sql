-- Retention and abuse limits. max_part: the session's fixed part size
-- (0 = only the frame limit). finished_at: when the session became done,
-- the start of its retention time; purged_at: when its submissions,
-- mailboxes and participant and member tokens were deleted (the manifest,
-- the signed results and the read and organizer tokens are kept until
-- the session itself is deleted).
ALTER TABLE sessions ADD COLUMN max_part INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN finished_at INTEGER;
ALTER TABLE sessions ADD COLUMN purged_at INTEGER;
CREATE INDEX sessions_finished ON sessions(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX tokens_session ON tokens(session);
