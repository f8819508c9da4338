DROP TABLE starter_texts;
ALTER TABLE prisoners DROP COLUMN search_key;
DROP TABLE password_resets;
DROP TABLE sessions;
