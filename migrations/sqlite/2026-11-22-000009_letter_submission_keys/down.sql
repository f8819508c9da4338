DROP INDEX letters_submission_key;
ALTER TABLE letters DROP COLUMN submission_key;
