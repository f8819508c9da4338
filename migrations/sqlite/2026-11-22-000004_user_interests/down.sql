ALTER TABLE users DROP COLUMN interests;
