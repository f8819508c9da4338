DROP INDEX prisoners_lacking_mail;
