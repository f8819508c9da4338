-- What a supporter likes to talk about, comma-separated, matched against the
-- prisoners' interests for the digest.
ALTER TABLE users ADD COLUMN interests TEXT NOT NULL DEFAULT '';
