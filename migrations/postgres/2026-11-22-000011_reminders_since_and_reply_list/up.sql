-- When each user last switched each kind of reminder on. The scan reminds
-- only of what happened since then (or since the account was created, for a
-- kind on from the start), so switching a kind on, or a new account, is not
-- followed by a flood of old news.
CREATE TABLE reminder_switches (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    switched_on_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The list of all replies, newest first, a page at a time: each filter's
-- first page is read from an index in order, however long the history.
CREATE INDEX replies_received ON replies (received_at, id);
CREATE INDEX replies_writer ON replies (writer_id, received_at, id);
CREATE INDEX replies_state_received ON replies (match_state, received_at, id);
