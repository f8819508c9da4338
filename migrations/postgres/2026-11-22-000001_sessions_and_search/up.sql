-- Sign-in sessions, password-reset links, the prisoner search key, and the
-- starter texts offered in the composer.

-- A session cookie holds a random token; only its SHA-256 is stored here.
CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE password_resets (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

-- Lower-case ASCII "skeletons" of every spelling of the name, so that
-- "Russkikh", "русских" and "Русских" all find the same person with a plain
-- LIKE on either backend. Kept by the code that writes prisoners.
ALTER TABLE prisoners ADD COLUMN search_key TEXT NOT NULL DEFAULT '';

CREATE TABLE starter_texts (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
