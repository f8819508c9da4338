DROP INDEX letters_prisoner_status;
DROP INDEX facilities_listed;
DROP INDEX prisoners_lacking_mail;
