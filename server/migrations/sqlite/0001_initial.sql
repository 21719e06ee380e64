-- The relay's tables. Tokens are stored only as SHA-256 digests; payloads
-- are ciphertext the relay cannot read. IF NOT EXISTS: stores created
-- before versioned migrations already hold these tables.
CREATE TABLE IF NOT EXISTS sessions(
    id BLOB PRIMARY KEY, state INTEGER NOT NULL, members INTEGER NOT NULL,
    resubmit INTEGER NOT NULL, manifest BLOB, next_sub INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens(
    hash BLOB PRIMARY KEY, session BLOB NOT NULL, role INTEGER NOT NULL,
    member INTEGER NOT NULL, rate INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS submissions(
    session BLOB NOT NULL, position INTEGER NOT NULL, token BLOB NOT NULL,
    idem INTEGER NOT NULL, receipt BLOB NOT NULL, replaces INTEGER NOT NULL,
    PRIMARY KEY(session, position)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS submissions_idem ON submissions(session, token, idem);
CREATE INDEX IF NOT EXISTS submissions_token ON submissions(session, token, position);
CREATE TABLE IF NOT EXISTS mailbox(
    session BLOB NOT NULL, member INTEGER NOT NULL, seq INTEGER NOT NULL,
    kind INTEGER NOT NULL, sender INTEGER NOT NULL, msg_id INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS mailbox_seq ON mailbox(session, member, seq);
CREATE TABLE IF NOT EXISTS cursors(
    session BLOB NOT NULL, member INTEGER NOT NULL, head INTEGER NOT NULL,
    acked INTEGER NOT NULL, PRIMARY KEY(session, member)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sent(
    session BLOB NOT NULL, sender INTEGER NOT NULL, msg_id INTEGER NOT NULL,
    PRIMARY KEY(session, sender, msg_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deadlines(
    session BLOB PRIMARY KEY, opens_at INTEGER, closes_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deadlines_close ON deadlines(closes_at);
CREATE TABLE IF NOT EXISTS results(
    session BLOB NOT NULL, member INTEGER NOT NULL, blob BLOB NOT NULL,
    PRIMARY KEY(session, member)
) WITHOUT ROWID;
