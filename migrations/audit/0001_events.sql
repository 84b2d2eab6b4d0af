-- The audit trail: one row per event, and the head of its chain. The same
-- SQL serves SQLite and PostgreSQL.

CREATE TABLE audit_events (
    -- Increasing per store, given when the event is first stored.
    id BIGINT PRIMARY KEY,
    -- Place in the chain, given when the event completes; NULL while a
    -- write is pending.
    seq BIGINT UNIQUE,
    at_ms BIGINT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    actor TEXT,
    target_username TEXT,
    target_dn TEXT,
    client TEXT,
    request_id TEXT,
    via TEXT,
    details TEXT NOT NULL,
    hash TEXT,
    -- Lower-cased names for the trail's filters: the actor, and the person
    -- concerned (their username once resolved, else as requested).
    actor_key TEXT,
    person_key TEXT
);

CREATE INDEX audit_events_at ON audit_events (at_ms);
CREATE INDEX audit_events_actor ON audit_events (actor_key, id);
CREATE INDEX audit_events_person ON audit_events (person_key, id);

-- One row: the next id, the chain's last link, and the anchor retention
-- left (the last event it deleted, the predecessor of the oldest kept).
CREATE TABLE audit_chain (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    next_id BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_hash TEXT NOT NULL,
    retained_at_ms BIGINT NOT NULL
);

INSERT INTO audit_chain VALUES (1, 1, 0,
    '0000000000000000000000000000000000000000000000000000000000000000', 0,
    '0000000000000000000000000000000000000000000000000000000000000000', 0);
