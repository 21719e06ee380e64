-- The sorted receipts each member counted, in pages, for sessions with
-- more counted answers than a signed result lists (docs/session.md,
-- "Receipts a participant can check"): the relay serves Merkle proofs
-- from them; each proof is checked against the members' signed root.
-- Kept, like the results, until the session itself is deleted.
CREATE TABLE IF NOT EXISTS receipt_pages(
    session BLOB NOT NULL, member INTEGER NOT NULL, page INTEGER NOT NULL, leaves BLOB NOT NULL,
    PRIMARY KEY(session, member, page)
) WITHOUT ROWID;
