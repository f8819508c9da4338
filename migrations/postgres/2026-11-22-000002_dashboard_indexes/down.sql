DROP INDEX facilities_listed;
DROP INDEX prisoners_lacking_mail;
