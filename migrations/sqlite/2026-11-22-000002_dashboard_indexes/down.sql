DROP INDEX prisoners_writable;
DROP INDEX prisoners_lacking_mail;
