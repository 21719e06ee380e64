-- The relay's tables, as in migrations/sqlite/0001_initial.sql. Every
-- integer is BIGINT (the relay binds 64-bit values); ids and ciphertexts
-- are BYTEA. Mailbox sequence numbers and submission positions are
-- assigned under the session row's lock (SELECT ... FOR UPDATE), so they
-- stay gapless with any number of relays writing.
CREATE TABLE sessions(
    id BYTEA PRIMARY KEY, state BIGINT NOT NULL, members BIGINT NOT NULL,
    resubmit BIGINT NOT NULL, manifest BYTEA, next_sub BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE tokens(
    hash BYTEA PRIMARY KEY, session BYTEA NOT NULL, role BIGINT NOT NULL,
    member BIGINT NOT NULL, rate BIGINT NOT NULL
);
CREATE TABLE submissions(
    session BYTEA NOT NULL, position BIGINT NOT NULL, token BYTEA NOT NULL,
    idem BIGINT NOT NULL, receipt BYTEA NOT NULL, replaces BIGINT NOT NULL,
    PRIMARY KEY(session, position)
);
CREATE UNIQUE INDEX submissions_idem ON submissions(session, token, idem);
CREATE INDEX submissions_token ON submissions(session, token, position);
CREATE TABLE mailbox(
    session BYTEA NOT NULL, member BIGINT NOT NULL, seq BIGINT NOT NULL,
    kind BIGINT NOT NULL, sender BIGINT NOT NULL, msg_id BIGINT NOT NULL,
    payload BYTEA NOT NULL,
    PRIMARY KEY(session, member, seq)
);
CREATE TABLE cursors(
    session BYTEA NOT NULL, member BIGINT NOT NULL, head BIGINT NOT NULL,
    acked BIGINT NOT NULL, PRIMARY KEY(session, member)
);
CREATE TABLE sent(
    session BYTEA NOT NULL, sender BIGINT NOT NULL, msg_id BIGINT NOT NULL,
    PRIMARY KEY(session, sender, msg_id)
);
CREATE TABLE deadlines(
    session BYTEA PRIMARY KEY, opens_at BIGINT, closes_at BIGINT
);
CREATE INDEX deadlines_close ON deadlines(closes_at);
CREATE TABLE results(
    session BYTEA NOT NULL, member BIGINT NOT NULL, blob BYTEA NOT NULL,
    PRIMARY KEY(session, member)
);
