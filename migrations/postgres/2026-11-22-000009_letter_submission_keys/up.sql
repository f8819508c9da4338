-- The one-time key each composer form carries: a second post of the same
-- form (Back, then Submit again) finds the letter the first one made instead
-- of making another. Unique, so two posts racing cannot both insert; NULL
-- for letters made before the key existed (NULLs never collide).
ALTER TABLE letters ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX letters_submission_key ON letters (submission_key);
