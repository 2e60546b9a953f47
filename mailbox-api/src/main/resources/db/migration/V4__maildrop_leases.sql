-- The POP3 maildrop lock (RFC 1939 §8) shared by every pop3-gateway replica: one row per account whose maildrop was
-- ever taken. A lock is a lease: held while owner is set and expires_at is in the future; the holder renews it, and a
-- replica that dies leaves a lease that simply runs out. Released rows stay (owner NULL) because acquired_at is what
-- LOGIN-DELAY (RFC 2449 §6.5) measures from; there is at most one row per account, so nothing needs purging.
-- Every time is PostgreSQL's clock, the one clock all replicas share.
CREATE TABLE maildrop_leases (
    account_id  bigint      PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    owner       text,
    expires_at  timestamptz NOT NULL,
    acquired_at timestamptz NOT NULL,
    CONSTRAINT maildrop_leases_owner_length CHECK (owner IS NULL OR length(owner) BETWEEN 1 AND 200)
);
