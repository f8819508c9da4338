DROP INDEX prisoners_not_writable;
